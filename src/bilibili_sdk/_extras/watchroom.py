"""Hand-written methods of the `watchroom` namespace: sending a chat message.

The message endpoint wants the text wrapped in a JSON object (`content` = `{"text": ...}`)
and a client request id (`req_id`, the time of sending in milliseconds): `send` builds both
from the text, so callers pass only what they want to say.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, cast

from .._exceptions import ArgsException

if TYPE_CHECKING:
    from .._endpoint import Call
    from ..resources.watchroom._async import AsyncWatchroom
    from ..resources.watchroom._sync import Watchroom

__all__ = ["AsyncWatchroomExtras", "WatchroomExtras"]


def _send_call(room_id: Any, text: Any, req_id: Any) -> Call[Any]:
    """Check the text, then let the generated prepare step check the rest."""
    if not isinstance(text, str) or not text.strip():
        raise ArgsException(f"text: expected a non-empty str, got {text!r}", argument="text")
    if req_id is None:
        req_id = int(time.time() * 1000)
    # Compact and unescaped, as the web client writes it (emoji names stay `[...]` text).
    content = json.dumps({"text": text}, ensure_ascii=False, separators=(",", ":"))
    from ..resources.watchroom import _calls

    return _calls.prepare__send(room_id, content=content, req_id=req_id)


class WatchroomExtras:
    """Methods of `Client.watchroom` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Watchroom:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Watchroom", self)

    def send(self, room_id: int, text: str, *, req_id: int | None = None) -> Any:
        """Send a chat message to a watch room you are in.

        POST https://api.bilibili.com/pgc/freya/web/im/msg/send · login required · csrf

        Args:
            room_id: Id of the watch room.
            text: What to say; an emoji by name in brackets, e.g. `[doge]`.
            req_id: Client request id; the current time in milliseconds when not given.

        Raises:
            ArgsException: an empty text or a bad id (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        return self._api._client._request(_send_call(room_id, text, req_id))


class AsyncWatchroomExtras:
    """Methods of `AsyncClient.watchroom` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncWatchroom:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncWatchroom", self)

    async def send(self, room_id: int, text: str, *, req_id: int | None = None) -> Any:
        """Send a chat message to a watch room you are in.

        POST https://api.bilibili.com/pgc/freya/web/im/msg/send · login required · csrf

        Args:
            room_id: Id of the watch room.
            text: What to say; an emoji by name in brackets, e.g. `[doge]`.
            req_id: Client request id; the current time in milliseconds when not given.

        Raises:
            ArgsException: an empty text or a bad id (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        return await self._api._client._request(_send_call(room_id, text, req_id))

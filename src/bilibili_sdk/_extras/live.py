"""Hand-written methods of the `live` namespace: the danmaku websocket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ..live import AsyncLiveConnection, LiveConnection
    from ..resources.live._async import AsyncLive
    from ..resources.live._sync import Live

__all__ = ["AsyncLiveExtras", "LiveExtras"]


class LiveExtras:
    """Methods of `Client.live` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Live:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Live", self)

    def connect(self, room_id: int, **options: Any) -> LiveConnection:
        """A live room's danmaku websocket: typed events by handler or by iteration.

        Nothing connects until the connection is entered, run or iterated. `options` are
        those of `bilibili_sdk.live.LiveConnection` (heartbeat_interval, reconnect, ...).
        """
        from ..live import LiveConnection

        return LiveConnection(self._api._client, room_id, **options)


class AsyncLiveExtras:
    """Methods of `AsyncClient.live` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncLive:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncLive", self)

    def connect(self, room_id: int, **options: Any) -> AsyncLiveConnection:
        """A live room's danmaku websocket (see `Client.live.connect`), for asyncio."""
        from ..live import AsyncLiveConnection

        return AsyncLiveConnection(self._api._client, room_id, **options)

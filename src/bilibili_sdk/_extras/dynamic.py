"""Hand-written methods of the `dynamic` namespace: posting a dynamic from plain text.

`post` turns text into the content nodes Bilibili's editor sends (`@name ` mentions resolved
to mids, `[emoji]` codes, `#topic#` hashtags, plain text), uploads the images, then publishes
now (`create`) or at a set time (`create_schedule`). Everything that can be checked is checked
before the first request; what to send is decided by pure functions shared by both flavours.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .. import _validate as _v
from .._exceptions import (
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    DynamicExceedImagesException,
)

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._endpoint import Call
    from ..models.dynamic import DynamicImageUpload
    from ..resources.dynamic._async import AsyncDynamic
    from ..resources.dynamic._sync import Dynamic

__all__ = [
    "AsyncDynamicExtras",
    "DynamicExtras",
    "DynamicPostResult",
    "TextToken",
    "content_nodes",
    "tokenize",
]

MAX_IMAGES = 9
"""Bilibili takes at most nine images per dynamic."""

# Content node types of the create endpoint (dyn_req.content.contents[].type).
NODE_TEXT = 1
NODE_AT = 2
NODE_EMOJI = 9

# A mention is `@` and a nickname, ended by whitespace (the editor's rule: "@name "). Nicknames
# hold no whitespace, and never the characters that open an emoji code or a hashtag.
_TOKEN = re.compile(
    r"(?P<at>@(?P<name>[^\s@#\[\]]+))"
    r"|(?P<emoji>\[[^\[\]\s]{1,32}\])"
    r"|(?P<topic>#[^#\n]{1,64}#)"
)


@dataclass(frozen=True)
class TextToken:
    """A piece of a dynamic's text: `kind` is "text", "at", "emoji" or "topic"."""

    kind: str
    text: str
    """The piece as written ("@name", "[doge]", "#topic#", or plain text)."""

    @property
    def name(self) -> str:
        """The nickname of a mention (without `@`); empty for other kinds."""
        return self.text[1:] if self.kind == "at" else ""


def tokenize(text: str) -> list[TextToken]:
    """Cut `text` into plain text, `@name` mentions, `[emoji]` codes and `#topic#` hashtags,
    in order; joining the pieces' text gives `text` back."""
    out: list[TextToken] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.append(TextToken("text", text[pos : m.start()]))
        kind = m.lastgroup if m.lastgroup != "name" else "at"
        out.append(TextToken(str(kind), m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append(TextToken("text", text[pos:]))
    return out


def content_nodes(tokens: Sequence[TextToken], uids: dict[str, int]) -> list[dict[str, Any]]:
    """The create endpoint's content nodes. A mention whose name is not in `uids` stays plain
    text (Bilibili would reject a mention without a mid); hashtags are text the server links."""
    nodes: list[dict[str, Any]] = []
    for t in tokens:
        if t.kind == "at" and t.name in uids:
            nodes.append({"raw_text": t.text, "biz_id": str(uids[t.name]), "type": NODE_AT})
        elif t.kind == "emoji":
            nodes.append({"raw_text": t.text, "biz_id": "", "type": NODE_EMOJI})
        else:
            nodes.append({"raw_text": t.text, "biz_id": "", "type": NODE_TEXT})
    return nodes


def _legacy_mentions(
    tokens: Sequence[TextToken], uids: dict[str, int]
) -> tuple[str, list[dict[str, int]]]:
    """(at_uids, ctrl) of the legacy text format: each resolved mention's position (character
    index of `@`) and length (`@`, the name and the space after it), as the seed computes."""
    ctrl: list[dict[str, int]] = []
    pos = 0
    for t in tokens:
        if t.kind == "at" and t.name in uids:
            ctrl.append(
                {"location": pos, "type": 1, "length": len(t.text) + 1, "data": uids[t.name]}
            )
        pos += len(t.text)
    return ",".join(str(c["data"]) for c in ctrl), ctrl


@dataclass(frozen=True)
class DynamicPostResult:
    """What `post` did: the new dynamic's id, or (scheduled) the schedule's draft id."""

    dynamic_id: int | None
    """The published dynamic's id; None when it was scheduled."""
    draft_id: int | None = None
    """The scheduled dynamic's id (for publish_schedule / delete_schedule); None otherwise."""
    publish_time: int | None = None
    """When a scheduled dynamic goes out, seconds since epoch; None when published now."""
    images: list[DynamicImageUpload] = field(default_factory=list)
    """The uploaded images, in order."""


@dataclass(frozen=True)
class _Plan:
    """A checked `post` call: everything known before the first request."""

    text: str
    tokens: list[TextToken]
    names: list[str]  # mentions to resolve, in order of first appearance
    images: list[tuple[str, bytes, str]]
    publish_time: int | None
    topic: int | None


def _plan(client: BaseClient, text: Any, images: Any, schedule: Any, topic: Any) -> _Plan:
    if not isinstance(text, str):
        raise ArgsException(f"text: expected a str, got {type(text).__name__}", argument="text")
    if images is None:
        pics: list[Any] = []
    elif isinstance(images, (str, bytes, bytearray)) or not isinstance(images, Sequence):
        pics = [images]  # one image given alone
    else:
        pics = list(images)
    if len(pics) > MAX_IMAGES:
        raise DynamicExceedImagesException(
            f"images: a dynamic takes at most {MAX_IMAGES} images, got {len(pics)}",
            argument="images",
        )
    if not text.strip() and not pics:
        raise ArgsException("text: give some text or at least one image", argument="text")
    publish_time = None if schedule is None else _publish_time(schedule)
    topic_id = None if topic is None else _v.positive_int("topic", topic)
    cred = client.options.credential
    if cred is None or not cred.sessdata:
        raise CredentialNoSessdataException("dynamic.post needs a logged-in credential (SESSDATA)")
    if not cred.bili_jct:
        raise CredentialNoBiliJctException("dynamic.post needs bili_jct (csrf) in the credential")
    files = [_v.file_part("images", p) for p in pics]  # reads paths: a missing one fails here
    tokens = tokenize(text)
    names = list(dict.fromkeys(t.name for t in tokens if t.kind == "at"))
    return _Plan(text, tokens, names, files, publish_time, topic_id)


def _publish_time(schedule: Any) -> int:
    """Seconds since epoch of a future datetime (naive means local time) or unix time."""
    if isinstance(schedule, datetime.datetime):
        when = schedule.timestamp()
    elif isinstance(schedule, (int, float)) and not isinstance(schedule, bool):
        when = float(schedule)
    else:
        raise ArgsException(
            f"schedule: expected a datetime or a unix time, got {schedule!r}", argument="schedule"
        )
    if when <= time.time():
        raise ArgsException(
            f"schedule: expected a time in the future, got {schedule!r}", argument="schedule"
        )
    return int(when)


def _uids(names: Sequence[str], lookup: Any) -> dict[str, int]:
    """name -> mid of the names the lookup matched exactly (it may return near matches)."""
    wanted = set(names)
    return {i.name: i.uid for i in (lookup.uid_list or []) if i.name in wanted and i.uid > 0}


def _dyn_req(
    plan: _Plan, uids: dict[str, int], pics: Sequence[DynamicImageUpload]
) -> dict[str, Any]:
    """The create endpoint's `dyn_req`, in the web editor's shape."""
    req: dict[str, Any] = {
        "content": {"contents": content_nodes(plan.tokens, uids)},
        "scene": 2 if pics else 1,
        "attach_card": None,
        "meta": {"app_meta": {"from": "create.dynamic.web", "mobi_app": "web"}},
    }
    if pics:
        req["pics"] = [
            {"img_src": p.image_url, "img_width": p.image_width, "img_height": p.image_height}
            for p in pics
        ]
    if plan.topic is not None:
        req["topic"] = {"id": plan.topic}
    return req


def _schedule_args(
    plan: _Plan, uids: dict[str, int], pics: Sequence[DynamicImageUpload]
) -> dict[str, Any]:
    """`create_schedule` arguments: the legacy text (type 2) or image (type 4) request."""
    at_uids, ctrl = _legacy_mentions(plan.tokens, uids)
    if not pics:
        request: dict[str, Any] = {
            "dynamic_id": 0,
            "type": 4,
            "rid": 0,
            "content": plan.text,
            "extension": '{"emoji_type":1}',
            "at_uids": at_uids,
            "ctrl": json.dumps(ctrl, separators=(",", ":")),
        }
        kind = 2
    else:
        request = {
            "biz": 3,
            "category": 3,
            "type": 0,
            "pictures": [
                {"img_src": p.image_url, "img_width": p.image_width, "img_height": p.image_height}
                for p in pics
            ],
            "title": "",
            "tags": "",
            "description": plan.text,
            "content": plan.text,
            "from": "create.dynamic.web",
            "up_choose_comment": 0,
            "extension": '{"emoji_type":1,"from":{"emoji_type":1},"flag_cfg":{}}',
            "at_uids": at_uids,
            "at_control": json.dumps(ctrl, separators=(",", ":")),
        }
        kind = 4
    assert plan.publish_time is not None
    return {"request": request, "type": kind, "publish_time": plan.publish_time}


def _image_upload_call(part: tuple[str, bytes, str]) -> Call[DynamicImageUpload]:
    """The upload call of an image already read (its file name and type kept)."""
    from ..resources.dynamic import _calls

    call = _calls.prepare_upload_image(image=part[1])
    call.files = {"file_up": part}
    return call


class DynamicExtras:
    """Methods of `Client.dynamic` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Dynamic:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Dynamic", self)

    def post(
        self,
        text: str = "",
        *,
        images: Sequence[Any] | None = None,
        schedule: datetime.datetime | float | None = None,
        topic: int | None = None,
    ) -> DynamicPostResult:
        """Publish a dynamic written as plain text, with up to nine images, now or later.

        `@name ` mentions are resolved to users (an unknown name stays plain text), `[doge]`
        codes become emoji and `#topic#` hashtags are linked by Bilibili. `images` are
        `Picture`s, bytes or file paths, uploaded first in order. `schedule` (a future
        datetime or unix time) schedules the dynamic instead; `topic` files it under a topic
        id. Login and csrf are required.

        Raises:
            DynamicExceedImagesException: more than nine images (before any request).
            ArgsException: no text and no images, a schedule not in the future, an image
                that cannot be read (before any request).
        """
        client = self._api._client
        plan = _plan(client, text, images, schedule, topic)
        uids: dict[str, int] = {}
        if plan.names:
            uids = _uids(plan.names, client.user.get_uids_by_names(names=plan.names))
        pics = [client._request(_image_upload_call(part)) for part in plan.images]
        if plan.publish_time is not None:
            made = self._api.create_schedule(**_schedule_args(plan, uids, pics))
            return DynamicPostResult(None, made.draft_id, plan.publish_time, pics)
        result = self._api.create(_dyn_req(plan, uids, pics))
        return DynamicPostResult(int(result.dyn_id_str or result.dyn_id), images=pics)


class AsyncDynamicExtras:
    """Methods of `AsyncClient.dynamic` written by hand (see `DynamicExtras` for the docs)."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncDynamic:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncDynamic", self)

    async def post(
        self,
        text: str = "",
        *,
        images: Sequence[Any] | None = None,
        schedule: datetime.datetime | float | None = None,
        topic: int | None = None,
    ) -> DynamicPostResult:
        """Publish a dynamic written as plain text, with up to nine images, now or later.

        `@name ` mentions are resolved to users (an unknown name stays plain text), `[doge]`
        codes become emoji and `#topic#` hashtags are linked by Bilibili. `images` are
        `Picture`s, bytes or file paths, uploaded first in order. `schedule` (a future
        datetime or unix time) schedules the dynamic instead; `topic` files it under a topic
        id. Login and csrf are required.

        Raises:
            DynamicExceedImagesException: more than nine images (before any request).
            ArgsException: no text and no images, a schedule not in the future, an image
                that cannot be read (before any request).
        """
        client = self._api._client
        plan = _plan(client, text, images, schedule, topic)
        uids: dict[str, int] = {}
        if plan.names:
            uids = _uids(plan.names, await client.user.get_uids_by_names(names=plan.names))
        # One after another: the images keep their order and the uploads stay gentle.
        pics = [await client._request(_image_upload_call(part)) for part in plan.images]
        if plan.publish_time is not None:
            made = await self._api.create_schedule(**_schedule_args(plan, uids, pics))
            return DynamicPostResult(None, made.draft_id, plan.publish_time, pics)
        result = await self._api.create(_dyn_req(plan, uids, pics))
        return DynamicPostResult(int(result.dyn_id_str or result.dyn_id), images=pics)

"""Hand-written methods of the `session` namespace: polling for new messages, sending text and
images, and the listings whose cursor the catalogue cannot declare.

The generated `Session` / `AsyncSession` classes extend these mixins (see `extras:` in
api_spec/session.yaml). What is new, what to ask next and what to send are decided by pure code
shared by both flavours; the sync and async classes only differ in how they wait.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .. import _validate as _v
from .._endpoint import Call, Endpoint
from .._exceptions import (
    ApiException,
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NotLoggedInException,
    _CredentialMissing,
)

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._client import AsyncClient, Client
    from ..models.session import (
        AtFeedEntry,
        ChatSession,
        ChatSessionList,
        LikeFeedEntry,
        ReplyFeedEntry,
        SentMessage,
        SessionMessage,
        SessionMessages,
        SystemMessage,
    )
    from ..picture import Picture
    from ..resources.session._async import AsyncSession
    from ..resources.session._sync import Session

__all__ = [
    "AsyncMessagePoller",
    "AsyncSessionExtras",
    "MessagePoller",
    "NewMessage",
    "SessionExtras",
]

log = logging.getLogger("bilibili_sdk.session")

T = TypeVar("T")

MAX_PAGES_PER_SESSION = 10  # one poll reads at most this many pages of one session
SEEN_KEYS = 10_000  # message ids remembered to drop repeats (oldest forgotten first)
MSG_TEXT, MSG_IMAGE = 1, 2

# The image upload the seed's `Picture.upload` uses (dynamic.json `send.upload_img`): a
# multipart form, so it is a hand-written call rather than a catalogue endpoint.
UPLOAD_IMAGE: Endpoint[dict[str, Any]] = Endpoint(
    "session.upload_image",
    "POST",
    "https://api.bilibili.com/x/dynamic/feed/draw/upload_bfs",
    auth="required",
    csrf=True,
    model=dict[str, Any],
)
UPLOAD_FIELDS = {"biz": "new_dyn", "category": "daily"}


# ---------------------------------------------------------------------------- what is yielded


@dataclass(frozen=True)
class NewMessage:
    """A message that arrived while polling, with the conversation it belongs to."""

    talker_id: int
    """The other user's mid (or the fan group's id): where a reply goes."""
    session_type: int
    """1 private chat, 2 fan group."""
    message: SessionMessage
    """The message as Bilibili sent it."""

    @property
    def content(self) -> Any:
        """The message body decoded from its JSON text (the text itself when not JSON)."""
        try:
            return json.loads(self.message.content)
        except ValueError:
            return self.message.content

    @property
    def text(self) -> str | None:
        """The text of a text message (msg_type 1); None for other kinds."""
        body = self.content
        if self.message.msg_type == MSG_TEXT and isinstance(body, dict):
            return str(body.get("content", ""))
        return None


# ---------------------------------------------------------------------------- polling state


def _client_closed(client: BaseClient) -> bool:
    return bool(getattr(client, "_closed", False))


def _need_login(client: BaseClient, what: str, *, csrf: bool = False) -> None:
    cred = client.options.credential
    if cred is None or not cred.sessdata:
        raise CredentialNoSessdataException(f"{what} needs a logged-in credential (SESSDATA)")
    if csrf and not cred.bili_jct:
        raise CredentialNoBiliJctException(f"{what} needs bili_jct (csrf) in the credential")


class _PollState:
    """Cursors of a polling run: pure bookkeeping, no I/O.

    `begin_ts` (microseconds) is the new_sessions cursor; `cursors` holds, per session, the
    highest msg_seqno already handled; `seen` remembers message ids so that a message served
    twice (overlapping pages, a poll repeated after an error) is yielded once.
    """

    def __init__(self, since: float) -> None:
        self.begin_ts = int(since * 1_000_000)
        self.since = int(since)
        self.cursors: dict[tuple[int, int], int] = {}
        self.seen: OrderedDict[tuple[Any, ...], None] = OrderedDict()

    def changed(self, page: ChatSessionList) -> list[ChatSession]:
        """Sessions of a new_sessions answer that may hold messages not handled yet."""
        out = []
        for s in page.session_list:
            known = self.cursors.get((s.talker_id, s.session_type))
            if known is None or not s.max_seqno or s.max_seqno > known:
                out.append(s)
        return out

    def accept(self, session: ChatSession, page: SessionMessages) -> list[NewMessage]:
        """The messages of a page not handled yet, oldest first; moves the session's cursor."""
        key = (session.talker_id, session.session_type)
        known = self.cursors.get(key)
        fresh = []
        for m in sorted(page.messages, key=lambda m: m.msg_seqno):
            if known is not None and m.msg_seqno <= known:
                continue
            if known is None and m.timestamp < self.since:  # history from before the run
                continue
            ident = ("key", m.msg_key) if m.msg_key else ("seq", *key, m.msg_seqno)
            if ident in self.seen:
                continue
            self.seen[ident] = None
            if len(self.seen) > SEEN_KEYS:
                self.seen.popitem(last=False)
            fresh.append(NewMessage(session.talker_id, session.session_type, m))
        top = max((m.msg_seqno for m in page.messages), default=0)
        if top or known is None:
            self.cursors[key] = max(known or 0, top)
        return fresh

    def more(self, session: ChatSession, page: SessionMessages, begin: int) -> bool:
        """Whether to read the session's next page (the cursor moved and the server has more)."""
        key = (session.talker_id, session.session_type)
        return bool(page.has_more) and self.cursors.get(key, 0) > begin

    def advance(self, page: ChatSessionList) -> None:
        """Move the new_sessions cursor past every session of a fully handled answer."""
        latest = max((s.session_ts for s in page.session_list), default=0)
        self.begin_ts = max(self.begin_ts, latest)


_FATAL = (_CredentialMissing, NotLoggedInException, ArgsException)
"""Errors that another poll cannot fix: raised at once."""


class _PollerBase:
    """What both pollers share: the arguments, the state, the backoff."""

    def __init__(
        self,
        client: BaseClient,
        *,
        interval: float,
        max_backoff: float,
        max_errors: int | None,
        since: float | None,
        page_size: int,
    ) -> None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval < 0:
            raise _v._bad("interval", "a number of seconds >= 0", interval)
        if (
            isinstance(max_backoff, bool)
            or not isinstance(max_backoff, (int, float))
            or max_backoff < interval
        ):
            raise _v._bad(
                "max_backoff", f"a number of seconds >= interval ({interval})", max_backoff
            )
        if max_errors is not None:
            _v.integer("max_errors", max_errors, 0)
        if since is not None:
            _v.number("since", since)
        _v.integer("page_size", page_size, 1, 200)
        _need_login(client, "iter_new_messages")
        self._client = client
        self.interval = float(interval)
        self.max_backoff = float(max_backoff)
        self.max_errors = max_errors
        self.page_size = page_size
        self._state = _PollState(time.time() if since is None else since)
        self._buffer: deque[NewMessage] = deque()
        self._polls = 0
        self._errors = 0
        self._delay = self.interval
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once closed (by `close()`, a fatal error, or the client closing)."""
        return self._closed or _client_closed(self._client)

    @property
    def errors(self) -> int:
        """Failed polls in a row (0 after a poll that worked)."""
        return self._errors

    def _stop(self) -> None:
        self._closed = True
        self._buffer.clear()

    def _failed(self, e: ApiException) -> None:
        """Count a failed poll and pick the next pause; re-raise when it cannot get better."""
        if isinstance(e, _FATAL):
            self._stop()
            raise e
        self._errors += 1
        if self.max_errors is not None and self._errors > self.max_errors:
            self._stop()
            raise e
        self._delay = min(self.interval * 2**self._errors, self.max_backoff)
        log.warning(
            "polling for new messages failed (%d in a row), next try in %.1f s: %s",
            self._errors,
            self._delay,
            e,
        )

    def _worked(self) -> None:
        self._errors = 0
        self._delay = self.interval


class MessagePoller(_PollerBase):
    """Iterates over new private messages, polling `new_sessions` every `interval` seconds.

    Made by `bili.session.iter_new_messages(...)`. Each poll asks which sessions changed since
    the last one (the `session_ts` cursor), reads each changed session's messages after the
    last handled `msg_seqno`, and yields each message once, oldest first. A failed poll is
    retried after `interval * 2**n` seconds (at most `max_backoff`); polling runs only while
    the caller iterates, so `break`, `close()` or closing the client leaves nothing running.
    """

    def __init__(
        self,
        client: Client,
        *,
        interval: float,
        max_backoff: float,
        max_errors: int | None,
        since: float | None,
        page_size: int,
        sleep: Callable[[float], Any] | None,
    ) -> None:
        super().__init__(
            client,
            interval=interval,
            max_backoff=max_backoff,
            max_errors=max_errors,
            since=since,
            page_size=page_size,
        )
        self._api = client.session
        self._sleep = sleep if sleep is not None else time.sleep

    def __iter__(self) -> MessagePoller:
        return self

    def __next__(self) -> NewMessage:
        while True:
            if self.closed:
                raise StopIteration
            if self._buffer:
                return self._buffer.popleft()
            if self._polls:
                self._sleep(self._delay)
                if self.closed:
                    raise StopIteration
            self._polls += 1
            try:
                self._poll()
            except ApiException as e:
                if self.closed:  # the client closed under us: stop quietly
                    raise StopIteration from None
                self._failed(e)
            else:
                self._worked()

    def _poll(self) -> None:
        st = self._state
        page = self._api.get_new_sessions(st.begin_ts)
        for s in st.changed(page):
            for _ in range(MAX_PAGES_PER_SESSION):
                begin = st.cursors.get((s.talker_id, s.session_type), 0)
                msgs = self._api.fetch_session_msgs(
                    s.talker_id, session_type=s.session_type, begin_seqno=begin, size=self.page_size
                )
                self._buffer.extend(st.accept(s, msgs))
                if not st.more(s, msgs, begin):
                    break
        st.advance(page)

    def close(self) -> None:
        """Stop: iteration ends at the next step. Nothing runs in the background."""
        self._stop()

    def __enter__(self) -> MessagePoller:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()


class AsyncMessagePoller(_PollerBase):
    """`MessagePoller` for an `AsyncClient`: `async for msg in abili.session.iter_new_messages()`."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        interval: float,
        max_backoff: float,
        max_errors: int | None,
        since: float | None,
        page_size: int,
        sleep: Callable[[float], Any] | None,
    ) -> None:
        super().__init__(
            client,
            interval=interval,
            max_backoff=max_backoff,
            max_errors=max_errors,
            since=since,
            page_size=page_size,
        )
        self._api = client.session
        self._sleep = sleep

    def __aiter__(self) -> AsyncMessagePoller:
        return self

    async def __anext__(self) -> NewMessage:
        while True:
            if self.closed:
                raise StopAsyncIteration
            if self._buffer:
                return self._buffer.popleft()
            if self._polls:
                await self._pause(self._delay)
                if self.closed:
                    raise StopAsyncIteration
            self._polls += 1
            try:
                await self._poll()
            except ApiException as e:
                if self.closed:
                    raise StopAsyncIteration from None
                self._failed(e)
            else:
                self._worked()

    async def _pause(self, seconds: float) -> None:
        if self._sleep is not None:
            await self._sleep(seconds)
            return
        import asyncio  # here: sync programs never load asyncio

        await asyncio.sleep(seconds)

    async def _poll(self) -> None:
        st = self._state
        page = await self._api.get_new_sessions(st.begin_ts)
        for s in st.changed(page):
            for _ in range(MAX_PAGES_PER_SESSION):
                begin = st.cursors.get((s.talker_id, s.session_type), 0)
                msgs = await self._api.fetch_session_msgs(
                    s.talker_id, session_type=s.session_type, begin_seqno=begin, size=self.page_size
                )
                self._buffer.extend(st.accept(s, msgs))
                if not st.more(s, msgs, begin):
                    break
        st.advance(page)

    async def close(self) -> None:
        """Stop: iteration ends at the next step. Nothing runs in the background."""
        self._stop()

    async def __aenter__(self) -> AsyncMessagePoller:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop()


# ---------------------------------------------------------------------------- sending


_dev_id: str | None = None


def _device_id() -> str:
    """One device id per process, as a browser keeps one: an upper-case UUID."""
    global _dev_id
    if _dev_id is None:
        _dev_id = str(uuid.uuid4()).upper()
    return _dev_id


def _text_content(text: Any) -> str:
    if not isinstance(text, str) or not text:
        raise _v._bad("text", "a non-empty str", text)
    return json.dumps({"content": text}, ensure_ascii=False, separators=(",", ":"))


def _picture(image: Any) -> Picture:
    """A `Picture` of bytes, a file path or a Picture (checked before any I/O)."""
    from ..picture import Picture

    if isinstance(image, Picture):
        return image
    if isinstance(image, (bytes, bytearray, memoryview)):
        return Picture.from_bytes(image)
    if isinstance(image, (str, os.PathLike)):
        return Picture.from_file(image)
    raise _v._bad("image", "bytes, a file path or a bilibili_sdk.Picture", image)


def _upload_call(pic: Picture) -> Call[dict[str, Any]]:
    name = f"image.{pic.format}"
    return Call(
        UPLOAD_IMAGE,
        form=dict(UPLOAD_FIELDS),
        files={"file_up": (name, pic.content, pic.mime_type)},
    )


def _image_content(pic: Picture, uploaded: dict[str, Any]) -> str:
    url = uploaded.get("image_url")
    if not isinstance(url, str) or not url:
        from .._exceptions import ResponseException

        raise ResponseException(
            f"the image upload answered no image_url [{UPLOAD_IMAGE.label}]",
            endpoint=UPLOAD_IMAGE.label,
        )
    size = uploaded.get("img_size")
    body = {
        "url": url,
        "height": uploaded.get("image_height") or pic.height,
        "width": uploaded.get("image_width") or pic.width,
        "imageType": pic.format,
        "original": 1,
        "size": size if size is not None else round(pic.size / 1024),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _own_mid(client: BaseClient) -> int | None:
    cred = client.options.credential
    if cred is not None and cred.dedeuserid and str(cred.dedeuserid).isdigit():
        return int(cred.dedeuserid) or None
    return None


def _nav_mid(data: Any) -> int:
    mid = data.get("mid") if isinstance(data, dict) else None
    if not isinstance(mid, int) or mid <= 0:
        raise NotLoggedInException(-101, "nav answered no mid: the credential is not logged in")
    return mid


def _receiver(receiver_id: Any, receiver_type: Any) -> tuple[int, int]:
    return (
        _v.positive_int("receiver_id", receiver_id),
        _v.choice("receiver_type", _v.integer("receiver_type", receiver_type), (1, 2)),
    )


# ---------------------------------------------------------------------------- cursor listings


def _check_limit(limit: Any) -> int | None:
    return None if limit is None else _v.integer("limit", limit, 1)


def _feed_step(cursor: Any, items: list[Any], nxt: Any, end: bool) -> Any:
    """The next cursor of a listing, or None to stop."""
    if end or not items or nxt is None or nxt == cursor:
        return None
    return nxt


def _replies_step(page: Any, cursor: Any) -> tuple[list[Any], Any]:
    c = page.cursor
    return page.items, _feed_step(cursor, page.items, (c.id, c.time), c.is_end)


def _likes_step(page: Any, cursor: Any) -> tuple[list[Any], Any]:
    c = page.total.cursor
    return page.total.items, _feed_step(cursor, page.total.items, (c.id, c.time), c.is_end)


def _system_step(page: Any, cursor: Any) -> tuple[list[Any], Any]:
    items = page.system_notify_list
    return items, _feed_step(cursor, items, items[-1].cursor if items else None, False)


def _sessions_step(page: Any, cursor: Any) -> tuple[list[Any], Any]:
    items = page.session_list
    oldest = min((s.session_ts for s in items), default=None)
    return items, _feed_step(cursor, items, oldest, not page.has_more)


def _walk(
    fetch: Callable[[Any], Any],
    step: Callable[[Any, Any], tuple[list[Any], Any]],
    limit: int | None,
) -> Iterator[Any]:
    cursor: Any = None
    n = 0
    while True:
        items, nxt = step(fetch(cursor), cursor)
        for item in items:
            yield item
            n += 1
            if limit is not None and n >= limit:
                return
        if nxt is None:
            return
        cursor = nxt


async def _awalk(
    fetch: Callable[[Any], Awaitable[Any]],
    step: Callable[[Any, Any], tuple[list[Any], Any]],
    limit: int | None,
) -> AsyncIterator[Any]:
    cursor: Any = None
    n = 0
    while True:
        items, nxt = step(await fetch(cursor), cursor)
        for item in items:
            yield item
            n += 1
            if limit is not None and n >= limit:
                return
        if nxt is None:
            return
        cursor = nxt


def _pair(cursor: Any) -> tuple[Any, Any]:
    return cursor if cursor is not None else (None, None)


# ---------------------------------------------------------------------------- the mixins


class SessionExtras:
    """Methods of `Client.session` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Session:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Session", self)

    def iter_new_messages(
        self,
        *,
        interval: float = 6.0,
        max_backoff: float = 120.0,
        max_errors: int | None = None,
        since: float | None = None,
        page_size: int = 50,
        sleep: Callable[[float], Any] | None = None,
    ) -> MessagePoller:
        """Yield private messages as they arrive, each once, oldest first (login required).

        Polls every `interval` seconds (6 by default: faster polling gets accounts
        restricted). Messages sent after `since` (seconds since epoch; now by default) count
        as new, your own included (compare `message.sender_uid`). A failed poll is retried
        after `interval * 2**n` seconds, at most `max_backoff`; after `max_errors` failures in
        a row (None: never) the last error is raised, and login errors are raised at once.
        `sleep(seconds)` replaces the pause between polls (a coroutine function for an
        `AsyncClient`; for tests). Stop with `break`, `close()` or by leaving a `with` block.
        """
        return MessagePoller(
            self._api._client,
            interval=interval,
            max_backoff=max_backoff,
            max_errors=max_errors,
            since=since,
            page_size=page_size,
            sleep=sleep,
        )

    def _sender(self) -> int:
        client = self._api._client
        mid = _own_mid(client)
        if mid is None:
            mid = _nav_mid(client._request(client._nav_request()))
        return mid

    def send_message(
        self, receiver_id: int, text: str, *, receiver_type: int = 1, dev_id: str | None = None
    ) -> SentMessage:
        """Send a text message to a user (or, `receiver_type=2`, a fan group).

        Your mid comes from the credential's DedeUserID, else from nav; `dev_id` is a
        per-process UUID unless given.
        """
        rid, rtype = _receiver(receiver_id, receiver_type)
        content = _text_content(text)
        _need_login(self._api._client, "send_message", csrf=True)
        me = self._sender()
        return self._api.send_msg(
            rid,
            sender_uid=me,
            content=content,
            msg_type=MSG_TEXT,
            dev_id=dev_id if dev_id is not None else _device_id(),
            receiver_type=rtype,
            w_sender_uid=me,
            w_receiver_id=rid,
        )

    def upload_image(self, image: bytes | str | os.PathLike[str] | Picture) -> dict[str, Any]:
        """Upload an image for a message (the dynamic image upload): its `image_url`,
        `image_width`, `image_height`, `img_size` (KB)."""
        pic = _picture(image)
        _need_login(self._api._client, "upload_image", csrf=True)
        return self._api._client._request(_upload_call(pic))

    def send_image(
        self,
        receiver_id: int,
        image: bytes | str | os.PathLike[str] | Picture,
        *,
        receiver_type: int = 1,
        dev_id: str | None = None,
    ) -> SentMessage:
        """Upload an image (bytes, a file path or a `Picture`), then send it as a message."""
        rid, rtype = _receiver(receiver_id, receiver_type)
        pic = _picture(image)
        _need_login(self._api._client, "send_image", csrf=True)
        me = self._sender()
        content = _image_content(pic, self.upload_image(pic))
        return self._api.send_msg(
            rid,
            sender_uid=me,
            content=content,
            msg_type=MSG_IMAGE,
            dev_id=dev_id if dev_id is not None else _device_id(),
            receiver_type=rtype,
            w_sender_uid=me,
            w_receiver_id=rid,
        )

    def iter_replies(self, *, limit: int | None = None) -> Iterator[ReplyFeedEntry]:
        """Yield the replies you received, newest first, following the (id, time) cursor."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_replies")

        def fetch(c: Any) -> Any:
            last_id, at = _pair(c)
            return self._api.get_replies(last_id=last_id, reply_time=at)

        return _walk(fetch, _replies_step, n)

    def iter_likes(self, *, limit: int | None = None) -> Iterator[LikeFeedEntry]:
        """Yield the likes you received (`total` part), newest first."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_likes")

        def fetch(c: Any) -> Any:
            last_id, at = _pair(c)
            return self._api.get_likes(last_id=last_id, like_time=at)

        return _walk(fetch, _likes_step, n)

    def iter_ats(self, *, limit: int | None = None) -> Iterator[AtFeedEntry]:
        """Yield the @-mentions of you, newest first."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_ats")

        def fetch(c: Any) -> Any:
            last_id, at = _pair(c)
            return self._api.get_ats(last_id=last_id, at_time=at)

        return _walk(fetch, _replies_step, n)

    def iter_system_messages(
        self, *, page_size: int = 20, limit: int | None = None
    ) -> Iterator[SystemMessage]:
        """Yield your system messages, newest first (the cursor is the last one's `cursor`)."""
        n = _check_limit(limit)
        size = _v.integer("page_size", page_size, 1)
        _need_login(self._api._client, "iter_system_messages")
        return _walk(
            lambda c: self._api.get_system_messages(page_size=size, cursor=c), _system_step, n
        )

    def iter_sessions(
        self, *, session_type: int = 4, size: int | None = None, limit: int | None = None
    ) -> Iterator[ChatSession]:
        """Yield your conversations, most recent activity first (paged by `end_ts`)."""
        n = _check_limit(limit)
        _v.choice("session_type", _v.integer("session_type", session_type), (1, 2, 3, 4))
        if size is not None:
            _v.integer("size", size, 1)
        _need_login(self._api._client, "iter_sessions")
        return _walk(
            lambda c: self._api.get_sessions(session_type=session_type, end_ts=c, size=size),
            _sessions_step,
            n,
        )


class AsyncSessionExtras:
    """Methods of `AsyncClient.session` written by hand (see `SessionExtras` for the docs)."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncSession:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncSession", self)

    def iter_new_messages(
        self,
        *,
        interval: float = 6.0,
        max_backoff: float = 120.0,
        max_errors: int | None = None,
        since: float | None = None,
        page_size: int = 50,
        sleep: Callable[[float], Any] | None = None,
    ) -> AsyncMessagePoller:
        """Yield private messages as they arrive, each once, oldest first (login required).

        Polls every `interval` seconds (6 by default: faster polling gets accounts
        restricted). Messages sent after `since` (seconds since epoch; now by default) count
        as new, your own included (compare `message.sender_uid`). A failed poll is retried
        after `interval * 2**n` seconds, at most `max_backoff`; after `max_errors` failures in
        a row (None: never) the last error is raised, and login errors are raised at once.
        `sleep(seconds)` replaces the pause between polls (a coroutine function for an
        `AsyncClient`; for tests). Stop with `break`, `close()` or by leaving a `with` block.
        """
        return AsyncMessagePoller(
            self._api._client,
            interval=interval,
            max_backoff=max_backoff,
            max_errors=max_errors,
            since=since,
            page_size=page_size,
            sleep=sleep,
        )

    async def _sender(self) -> int:
        client = self._api._client
        mid = _own_mid(client)
        if mid is None:
            mid = _nav_mid(await client._request(client._nav_request()))
        return mid

    async def send_message(
        self, receiver_id: int, text: str, *, receiver_type: int = 1, dev_id: str | None = None
    ) -> SentMessage:
        """Send a text message to a user (or, `receiver_type=2`, a fan group).

        Your mid comes from the credential's DedeUserID, else from nav; `dev_id` is a
        per-process UUID unless given.
        """
        rid, rtype = _receiver(receiver_id, receiver_type)
        content = _text_content(text)
        _need_login(self._api._client, "send_message", csrf=True)
        me = await self._sender()
        return await self._api.send_msg(
            rid,
            sender_uid=me,
            content=content,
            msg_type=MSG_TEXT,
            dev_id=dev_id if dev_id is not None else _device_id(),
            receiver_type=rtype,
            w_sender_uid=me,
            w_receiver_id=rid,
        )

    async def upload_image(self, image: bytes | str | os.PathLike[str] | Picture) -> dict[str, Any]:
        """Upload an image for a message (the dynamic image upload): its `image_url`,
        `image_width`, `image_height`, `img_size` (KB)."""
        pic = _picture(image)
        _need_login(self._api._client, "upload_image", csrf=True)
        return await self._api._client._request(_upload_call(pic))

    async def send_image(
        self,
        receiver_id: int,
        image: bytes | str | os.PathLike[str] | Picture,
        *,
        receiver_type: int = 1,
        dev_id: str | None = None,
    ) -> SentMessage:
        """Upload an image (bytes, a file path or a `Picture`), then send it as a message."""
        rid, rtype = _receiver(receiver_id, receiver_type)
        pic = _picture(image)
        _need_login(self._api._client, "send_image", csrf=True)
        me = await self._sender()
        content = _image_content(pic, await self.upload_image(pic))
        return await self._api.send_msg(
            rid,
            sender_uid=me,
            content=content,
            msg_type=MSG_IMAGE,
            dev_id=dev_id if dev_id is not None else _device_id(),
            receiver_type=rtype,
            w_sender_uid=me,
            w_receiver_id=rid,
        )

    def iter_replies(self, *, limit: int | None = None) -> AsyncIterator[ReplyFeedEntry]:
        """Yield the replies you received, newest first, following the (id, time) cursor."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_replies")

        def fetch(c: Any) -> Awaitable[Any]:
            last_id, at = _pair(c)
            return self._api.get_replies(last_id=last_id, reply_time=at)

        return _awalk(fetch, _replies_step, n)

    def iter_likes(self, *, limit: int | None = None) -> AsyncIterator[LikeFeedEntry]:
        """Yield the likes you received (`total` part), newest first."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_likes")

        def fetch(c: Any) -> Awaitable[Any]:
            last_id, at = _pair(c)
            return self._api.get_likes(last_id=last_id, like_time=at)

        return _awalk(fetch, _likes_step, n)

    def iter_ats(self, *, limit: int | None = None) -> AsyncIterator[AtFeedEntry]:
        """Yield the @-mentions of you, newest first."""
        n = _check_limit(limit)
        _need_login(self._api._client, "iter_ats")

        def fetch(c: Any) -> Awaitable[Any]:
            last_id, at = _pair(c)
            return self._api.get_ats(last_id=last_id, at_time=at)

        return _awalk(fetch, _replies_step, n)

    def iter_system_messages(
        self, *, page_size: int = 20, limit: int | None = None
    ) -> AsyncIterator[SystemMessage]:
        """Yield your system messages, newest first (the cursor is the last one's `cursor`)."""
        n = _check_limit(limit)
        size = _v.integer("page_size", page_size, 1)
        _need_login(self._api._client, "iter_system_messages")
        return _awalk(
            lambda c: self._api.get_system_messages(page_size=size, cursor=c), _system_step, n
        )

    def iter_sessions(
        self, *, session_type: int = 4, size: int | None = None, limit: int | None = None
    ) -> AsyncIterator[ChatSession]:
        """Yield your conversations, most recent activity first (paged by `end_ts`)."""
        n = _check_limit(limit)
        _v.choice("session_type", _v.integer("session_type", session_type), (1, 2, 3, 4))
        if size is not None:
            _v.integer("size", size, 1)
        _need_login(self._api._client, "iter_sessions")
        return _awalk(
            lambda c: self._api.get_sessions(session_type=session_type, end_ts=c, size=size),
            _sessions_step,
            n,
        )

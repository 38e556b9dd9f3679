"""The hand-written `session` methods, both flavours, against a scripted MockBilibili.

`Chat` plays Bilibili's message servers: sessions whose `session_ts` moves when a message
arrives, `new_sessions` answering the sessions changed after `begin_ts`, and
`fetch_session_msgs` answering the messages after `begin_seqno` (newest first, `size` at a
time). The poller's injected sleep advances the script, so a test is a list of what arrives
before each poll, and runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest

from bilibili_sdk import AsyncClient, Client, Credential, Picture
from bilibili_sdk._extras.session import NewMessage
from bilibili_sdk.exceptions import (
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NotLoggedInException,
    ResponseException,
)
from bilibili_sdk.testing import MockBilibili, RecordedRequest
from bilibili_sdk.testing._mock import placeholder_png

from .conftest import BILI_JCT, SESSDATA

ME = 425503913
ALICE, BOB = 1001, 1002
SINCE = 1_700_000_000  # the polling run starts here (seconds)
FLAVOURS = ["sync", "async"]
NEW_SESSIONS = "/session_svr/v1/session_svr/new_sessions"
FETCH = "/svr_sync/v1/svr_sync/fetch_session_msgs"


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "0", "ttl": 1, "data": data}


class Chat:
    """Bilibili's side of private messages, scripted step by step.

    `steps[i]` runs before poll i+2 (the first poll sees what `start` holds): a list of
    (talker, text) to deliver, "fail" (the next new_sessions answers HTTP 500), or "logout"
    (-101), or ("fail", deliveries) for both. Knobs: `repeat_sessions` answers every session
    whatever begin_ts says; `overlap` also sends the message at begin_seqno again; `twice`
    sends every message of a page twice; `fail_fetch` makes the next fetch of those talkers
    answer HTTP 500.
    """

    def __init__(self, mock: MockBilibili, steps: list[Any] | None = None) -> None:
        self.mock = mock
        self.steps = list(steps or [])
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.session_ts: dict[int, int] = {}
        self.seq = 1000
        self.key = 7_000_000
        self.clock = SINCE
        self.fail_next = 0
        self.logout = False
        self.repeat_sessions = False
        self.overlap = False
        self.twice = False
        self.fail_fetch: set[int] = set()
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[], None] | None = None
        mock.set_response("session.get_new_sessions", self._new_sessions)
        mock.set_response("session.fetch_session_msgs", self._fetch)

    # -- what arrives
    def deliver(self, talker: int, text: str, *, ts: int | None = None, sender: int = 0) -> None:
        self.seq += 1
        self.key += 1
        self.clock += 1
        stamp = self.clock if ts is None else ts
        self.messages.setdefault(talker, []).append(
            {
                "sender_uid": sender or talker,
                "receiver_type": 1,
                "receiver_id": ME,
                "msg_type": 1,
                "content": json.dumps({"content": text}, ensure_ascii=False),
                "msg_seqno": self.seq,
                "timestamp": stamp,
                "msg_key": self.key,
                "msg_status": 0,
            }
        )
        self.session_ts[talker] = self.clock * 1_000_000 + self.seq

    def sleep(self, seconds: float) -> None:
        """The poller's sleep: records the pause, then plays the next step of the script."""
        self.sleeps.append(seconds)
        assert len(self.sleeps) < 40, "the poller kept polling: it should have stopped"
        if self.on_sleep is not None:
            self.on_sleep()
        if not self.steps:
            return
        step = self.steps.pop(0)
        if isinstance(step, tuple):
            self.fail_next += 1
            step = step[1]
        if step == "fail":
            self.fail_next += 1
        elif step == "logout":
            self.logout = True
        else:
            for talker, text in step:
                self.deliver(talker, text)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    # -- the two endpoints
    def _new_sessions(self, rec: RecordedRequest) -> Any:
        if self.logout:
            return {"code": -101, "message": "账号未登录", "ttl": 1}
        if self.fail_next:
            self.fail_next -= 1
            return httpx.Response(502, text="bad gateway")
        begin = int(rec.query["begin_ts"])
        sessions = [
            {
                "talker_id": t,
                "session_type": 1,
                "session_ts": ts,
                "max_seqno": self.messages[t][-1]["msg_seqno"],
            }
            for t, ts in sorted(self.session_ts.items())
            if self.repeat_sessions or ts > begin
        ]
        return _ok({"session_list": sessions or None, "has_more": 0})

    def _fetch(self, rec: RecordedRequest) -> Any:
        talker = int(rec.query["talker_id"])
        if talker in self.fail_fetch:
            self.fail_fetch.discard(talker)
            return httpx.Response(500, text="oops")
        begin = int(rec.query.get("begin_seqno", "0"))
        size = int(rec.query.get("size", "30"))
        msgs = self.messages.get(talker, [])
        if begin:
            after = [m for m in msgs if m["msg_seqno"] > begin]
            page = after[:size]
            more = len(after) > size
            if self.overlap:
                page = [m for m in msgs if m["msg_seqno"] == begin] + page
        else:  # no position: the latest ones
            page = msgs[-size:]
            more = len(msgs) > size
        if self.twice:
            page = page + page
        return _ok({"messages": list(reversed(page)) or None, "has_more": int(more)})

    def fetches(self) -> list[tuple[int, int, int]]:
        """(talker, begin_seqno, size) of every fetch_session_msgs request, in order."""
        return [
            (int(r.query["talker_id"]), int(r.query["begin_seqno"]), int(r.query["size"]))
            for r in self.mock.requests
            if r.path == FETCH
        ]

    def polls(self) -> list[int]:
        """begin_ts of every new_sessions request, in order."""
        return [int(r.query["begin_ts"]) for r in self.mock.requests if r.path == NEW_SESSIONS]


def _cred(**kw: Any) -> Credential:
    kw.setdefault("dedeuserid", ME)
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, **kw)


def _texts(msgs: list[NewMessage]) -> list[tuple[int, str | None]]:
    return [(m.talker_id, m.text) for m in msgs]


def _collect(
    flavour: str, chat: Chat, n: int, *, after: Callable[[Any], None] | None = None, **kw: Any
) -> list[NewMessage]:
    """Iterate until `n` messages came (then break), in the given flavour."""
    kw.setdefault("since", SINCE)
    kw.setdefault("interval", 6)
    transport = chat.mock.transport()
    if flavour == "sync":
        out: list[NewMessage] = []
        with Client(credential=_cred(), transport=transport, max_retries=0) as bili:
            poller = bili.session.iter_new_messages(sleep=chat.sleep, **kw)
            for m in poller:
                out.append(m)
                if len(out) >= n:
                    break
            if after is not None:
                after(poller)
        return out

    async def main() -> list[NewMessage]:
        out: list[NewMessage] = []
        async with AsyncClient(credential=_cred(), transport=transport, max_retries=0) as bili:
            poller = bili.session.iter_new_messages(sleep=chat.asleep, **kw)
            async for m in poller:
                out.append(m)
                if len(out) >= n:
                    break
            if after is not None:
                after(poller)
            # nothing keeps running after the break: this task is the only one
            assert asyncio.all_tasks() == {asyncio.current_task()}
        return out

    return asyncio.run(main())


# ---------------------------------------------------------------------------- polling


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_messages_arriving_across_polls_come_once_oldest_first(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, "a2"), (BOB, "b1")], [], [(ALICE, "a3"), (ALICE, "a4")]])
    chat.deliver(ALICE, "old", ts=SINCE - 50)  # before the run: not new
    chat.deliver(ALICE, "a1")
    threads = threading.active_count()
    got = _collect(flavour, chat, 5)
    assert _texts(got) == [(ALICE, "a1"), (ALICE, "a2"), (BOB, "b1"), (ALICE, "a3"), (ALICE, "a4")]
    assert [m.message.msg_seqno for m in got if m.talker_id == ALICE] == [1002, 1003, 1005, 1006]
    assert all(m.session_type == 1 for m in got)
    # the cursor moves: each poll asks from the last session_ts it saw
    polls = chat.polls()
    assert polls[0] == SINCE * 1_000_000
    assert polls == sorted(polls) and len(set(polls)) == 3 == len(polls) - 1
    # a session's second read starts after what was handled; an unchanged session is not read
    assert chat.fetches() == [(ALICE, 0, 50), (ALICE, 1002, 50), (BOB, 0, 50), (ALICE, 1003, 50)]
    assert chat.sleeps == [6, 6, 6]
    assert threading.active_count() == threads


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_repeated_sessions_and_overlapping_pages_yield_each_message_once(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, f"x{i}") for i in range(5)], [(BOB, "y")]])
    chat.repeat_sessions = True  # new_sessions answers every session, every time
    chat.overlap = True  # and each page starts with the message at begin_seqno again
    chat.twice = True  # and holds each of its messages twice
    chat.deliver(ALICE, "first")
    got = _collect(flavour, chat, 7, page_size=2)
    assert _texts(got) == [
        (ALICE, "first"),
        *[(ALICE, f"x{i}") for i in range(5)],
        (BOB, "y"),
    ]
    assert len({m.message.msg_key for m in got}) == 7
    # five new messages two at a time: three pages, each from the last handled seqno
    alice = [f for f in chat.fetches() if f[0] == ALICE]
    assert alice[:4] == [(ALICE, 0, 2), (ALICE, 1001, 2), (ALICE, 1003, 2), (ALICE, 1005, 2)]
    # ... all read by the second poll (has_more paging), y by the third
    assert chat.sleeps == [6, 6]


def test_cursors_alone_drop_repeats_once_the_seen_ids_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bilibili_sdk._extras import session as extras

    monkeypatch.setattr(extras, "SEEN_KEYS", 0)  # remembers no id: the cursors must do it
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, f"x{i}") for i in range(4)], [(BOB, "y")]])
    chat.repeat_sessions = chat.overlap = True
    chat.deliver(ALICE, "first")
    got = _collect("sync", chat, 6, page_size=2)
    assert _texts(got) == [(ALICE, "first"), *[(ALICE, f"x{i}") for i in range(4)], (BOB, "y")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_failed_poll_is_retried_with_backoff_and_nothing_is_lost(flavour: str) -> None:
    mock = MockBilibili()
    steps = [[(ALICE, "a2")], ("fail", [(ALICE, "a3")]), "fail", "fail", [(BOB, "b1")]]
    chat = Chat(mock, steps=[*steps, [(BOB, "b2")]])
    chat.deliver(ALICE, "a1")
    got = _collect(flavour, chat, 5, max_backoff=30)
    # a3 arrived before the failures: the first poll that works brings it
    assert _texts(got) == [(ALICE, "a1"), (ALICE, "a2"), (ALICE, "a3"), (BOB, "b1"), (BOB, "b2")]
    # interval 6; after failures 12, 24, then capped at 30; back to 6 after a success
    assert chat.sleeps == [6, 6, 12, 24, 30, 6]
    # the failed polls asked from the same cursor as the one that worked after them
    polls = chat.polls()
    assert polls[2] == polls[3] == polls[4] == polls[5]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_error_mid_poll_keeps_what_was_read_and_rereads_the_rest(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, "a2"), (BOB, "b2")], [], [(ALICE, "a3")]])
    chat.deliver(ALICE, "a1")
    chat.deliver(BOB, "b1")

    def fail_bob(how: Any = None) -> None:
        if len(chat.sleeps) == 1:
            chat.fail_fetch.add(BOB)  # the second poll reads ALICE, then fails on BOB

    chat.on_sleep = fail_bob
    got = _collect(flavour, chat, 5)
    assert _texts(got) == [(ALICE, "a1"), (BOB, "b1"), (ALICE, "a2"), (BOB, "b2"), (ALICE, "a3")]
    assert chat.sleeps == [6, 12, 6]
    # the retry re-listed both sessions (same cursor) but read only BOB again
    assert chat.fetches()[2:5] == [(ALICE, 1001, 50), (BOB, 1002, 50), (BOB, 1002, 50)]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_max_errors_raises_the_last_error(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=["fail", "fail"])
    chat.deliver(ALICE, "a1")
    seen: list[NewMessage] = []
    with pytest.raises(ResponseException) as info:
        if flavour == "sync":
            with Client(credential=_cred(), transport=mock.transport(), max_retries=0) as bili:
                for m in bili.session.iter_new_messages(
                    since=SINCE, sleep=chat.sleep, max_errors=1
                ):
                    seen.append(m)
        else:

            async def main() -> None:
                async with AsyncClient(
                    credential=_cred(), transport=mock.transport(), max_retries=0
                ) as bili:
                    async for m in bili.session.iter_new_messages(
                        since=SINCE, sleep=chat.asleep, max_errors=1
                    ):
                        seen.append(m)

            asyncio.run(main())
    assert info.value.status == 502
    assert _texts(seen) == [(ALICE, "a1")]
    assert chat.sleeps == [6, 12]  # one failure tolerated, the second raised
    assert len(chat.polls()) == 3


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_poll_that_works_resets_the_error_count(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=["fail", [(ALICE, "a2")], "fail", [(BOB, "b1")]])
    chat.deliver(ALICE, "a1")
    # one failure at a time is tolerated however many there are in all
    got = _collect(flavour, chat, 3, max_errors=1)
    assert _texts(got) == [(ALICE, "a1"), (ALICE, "a2"), (BOB, "b1")]
    assert chat.sleeps == [6, 12, 6, 12]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_login_errors_are_raised_at_once(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=["logout"])
    chat.deliver(ALICE, "a1")
    with pytest.raises(NotLoggedInException):
        _collect(flavour, chat, 10)
    assert chat.sleeps == [6]  # no backoff, no retry
    assert len(chat.polls()) == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_break_stops_polling(flavour: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, "a2")], [(ALICE, "a3")]])
    chat.deliver(ALICE, "a1")
    requests: list[int] = []

    def after(poller: Any) -> None:
        requests.append(len(mock.requests))

    got = _collect(flavour, chat, 2, after=after)
    assert _texts(got) == [(ALICE, "a1"), (ALICE, "a2")]
    # after the break: no pending sleep, no further poll, and the poller is not closed by it
    assert requests == [len(mock.requests)]
    assert len(chat.polls()) == 2
    assert chat.steps == [[(ALICE, "a3")]]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("how", ["client", "poller"])
def test_closing_the_client_or_the_poller_ends_iteration_quietly(flavour: str, how: str) -> None:
    mock = MockBilibili()
    chat = Chat(mock, steps=[[(ALICE, "a2")], [(ALICE, "a3")]])
    chat.deliver(ALICE, "a1")
    holder: dict[str, Any] = {}

    got: list[NewMessage] = []
    if flavour == "sync":

        def stop() -> None:
            if len(chat.sleeps) == 2:  # after the second poll: close mid-run
                holder["client" if how == "client" else "poller"].close()

        chat.on_sleep = stop
        with Client(credential=_cred(), transport=mock.transport(), max_retries=0) as bili:
            holder["client"] = bili
            holder["poller"] = bili.session.iter_new_messages(since=SINCE, sleep=chat.sleep)
            got = list(holder["poller"])
    else:

        async def asleep(seconds: float) -> None:
            chat.sleep(seconds)
            if len(chat.sleeps) == 2:
                if how == "client":
                    await holder["client"].aclose()
                else:
                    await holder["poller"].close()

        async def main() -> list[NewMessage]:
            async with AsyncClient(
                credential=_cred(), transport=mock.transport(), max_retries=0
            ) as bili:
                holder["client"] = bili
                holder["poller"] = bili.session.iter_new_messages(since=SINCE, sleep=asleep)
                return [m async for m in holder["poller"]]

        got = asyncio.run(main())
    assert _texts(got) == [(ALICE, "a1"), (ALICE, "a2")]
    assert len(chat.polls()) == 2
    assert holder["poller"].closed


def test_the_poller_is_a_context_manager_that_closes() -> None:
    mock = MockBilibili()
    chat = Chat(mock)
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        with bili.session.iter_new_messages(since=SINCE, sleep=chat.sleep) as poller:
            assert not poller.closed
        assert poller.closed
        assert list(poller) == []
    assert mock.requests == []


@pytest.mark.anyio
async def test_the_async_poller_closes_with_async_with_and_close() -> None:
    mock = MockBilibili()
    chat = Chat(mock)
    async with AsyncClient(credential=_cred(), transport=mock.transport()) as bili:
        async with bili.session.iter_new_messages(since=SINCE, sleep=chat.asleep) as poller:
            assert not poller.closed
        assert poller.closed
        other = bili.session.iter_new_messages(since=SINCE, sleep=chat.asleep)
        await other.close()
        assert [m async for m in other] == []
    assert mock.requests == []


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"interval": -1}, "interval"),
        ({"interval": True}, "interval"),
        ({"interval": 10, "max_backoff": 5}, "max_backoff"),
        ({"max_errors": -1}, "max_errors"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"since": "now"}, "since"),
    ],
)
def test_bad_poller_arguments_raise_before_io(kwargs: dict[str, Any], argument: str) -> None:
    mock = MockBilibili()
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as info:
            bili.session.iter_new_messages(**kwargs)
    assert info.value.argument == argument
    assert mock.requests == []


def test_polling_needs_a_login_before_io() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili, pytest.raises(CredentialNoSessdataException):
        bili.session.iter_new_messages()
    assert mock.requests == []


def test_new_message_text_and_content() -> None:
    from bilibili_sdk.models.session import SessionMessage

    text = NewMessage(1, 1, SessionMessage(msg_type=1, content='{"content":"你好"}'))
    assert (text.text, text.content) == ("你好", {"content": "你好"})
    image = NewMessage(1, 1, SessionMessage(msg_type=2, content='{"url":"u","width":3}'))
    assert image.text is None and image.content == {"url": "u", "width": 3}
    odd = NewMessage(1, 1, SessionMessage(msg_type=5, content="7341755312943193481"))
    assert odd.content == 7341755312943193481 and odd.text is None


# ---------------------------------------------------------------------------- sending


UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def _sent(mock: MockBilibili) -> RecordedRequest:
    sent = [r for r in mock.requests if r.endpoint == "session.send_msg"]
    assert len(sent) == 1
    return sent[0]


def _send(flavour: str, mock: MockBilibili, cred: Credential, method: str, *args: Any) -> Any:
    transport = mock_with_upload(mock)
    if flavour == "sync":
        with Client(credential=cred, transport=transport, max_retries=0) as bili:
            return getattr(bili.session, method)(*args)

    async def main() -> Any:
        async with AsyncClient(credential=cred, transport=transport, max_retries=0) as bili:
            return await getattr(bili.session, method)(*args)

    return asyncio.run(main())


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_message_builds_the_request(flavour: str) -> None:
    mock = MockBilibili()
    before = int(time.time())
    result = _send(flavour, mock, _cred(), "send_message", ALICE, "你好 [doge]")
    assert result.msg_key == 7341755312943193511
    req = _sent(mock)
    form = req.form
    assert json.loads(form["msg[content]"]) == {"content": "你好 [doge]"}
    assert form["msg[content]"] == '{"content":"你好 [doge]"}'
    assert (form["msg[sender_uid]"], form["msg[receiver_id]"]) == (str(ME), str(ALICE))
    assert (form["msg[msg_type]"], form["msg[receiver_type]"], form["msg[msg_status]"]) == (
        "1",
        "1",
        "0",
    )
    assert UUID_UPPER.match(form["msg[dev_id]"])
    assert before <= int(form["msg[timestamp]"]) <= int(time.time())
    assert form["csrf"] == BILI_JCT
    # the signed query repeats the two ids (the mock checked the WBI signature)
    assert (req.query["w_sender_uid"], req.query["w_receiver_id"]) == (str(ME), str(ALICE))
    assert "w_rid" in req.query and "wts" in req.query


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_message_asks_nav_for_the_sender_without_dedeuserid(flavour: str) -> None:
    mock = MockBilibili()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    _send(flavour, mock, cred, "send_message", ALICE, "hi")
    assert _sent(mock).form["msg[sender_uid]"] == "2"  # the mock's nav: mid 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_device_id_stays_the_same_across_messages(flavour: str) -> None:
    mock = MockBilibili()
    _send(flavour, mock, _cred(), "send_message", ALICE, "one")
    _send(flavour, mock, _cred(), "send_message", BOB, "two")
    ids = [r.form["msg[dev_id]"] for r in mock.requests if r.endpoint == "session.send_msg"]
    assert len(ids) == 2 and ids[0] == ids[1]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ((0, "hi"), "receiver_id"),
        (("1001", "hi"), "receiver_id"),
        ((ALICE, ""), "text"),
        ((ALICE, 5), "text"),
    ],
)
def test_send_message_checks_arguments_before_io(
    flavour: str, args: tuple[Any, ...], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        _send(flavour, mock, _cred(), "send_message", *args)
    assert info.value.argument == argument
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_sending_needs_bili_jct_before_io(flavour: str) -> None:
    mock = MockBilibili()
    with pytest.raises(CredentialNoBiliJctException):
        _send(flavour, mock, Credential(sessdata=SESSDATA), "send_message", ALICE, "hi")
    with pytest.raises(CredentialNoBiliJctException):
        _send(flavour, mock, Credential(sessdata=SESSDATA), "send_image", ALICE, PNG)
    assert mock.requests == []


# ---------------------------------------------------------------------------- images


PNG = placeholder_png(16, 10)
UPLOAD_PATH = "/x/dynamic/feed/draw/upload_bfs"
UPLOADED_URL = "http://i0.hdslb.com/bfs/album/13f9523efe186a8066b2d72e80283cea2437eb62.png"
UPLOADS: list[dict[str, Any]] = []


def mock_with_upload(mock: MockBilibili) -> httpx.MockTransport:
    """The mock, plus the image upload (multipart: not a catalogue endpoint)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != UPLOAD_PATH:
            return mock.handle(request)
        body = request.read()
        head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + body)
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        UPLOADS.append(
            {
                "cookies": request.headers.get("cookie", ""),
                "fields": {
                    k: p.get_content() for k, p in parts.items() if p.get_filename() is None
                },
                "file": {
                    k: (p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
                    for k, p in parts.items()
                    if p.get_filename() is not None
                },
            }
        )
        data = {"image_url": UPLOADED_URL, "image_width": 16, "image_height": 10, "img_size": 1.5}
        return httpx.Response(200, json=_ok(data))

    return httpx.MockTransport(handle)


@pytest.fixture
def uploads() -> Iterator[list[dict[str, Any]]]:
    UPLOADS.clear()
    yield UPLOADS
    UPLOADS.clear()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("kind", ["bytes", "path", "picture"])
def test_send_image_uploads_then_sends(
    flavour: str, kind: str, tmp_path: Path, uploads: list[dict[str, Any]]
) -> None:
    image: Any = PNG
    if kind == "path":
        image = tmp_path / "pic.png"
        image.write_bytes(PNG)
        image = str(image)
    elif kind == "picture":
        image = Picture.from_bytes(PNG)
    mock = MockBilibili()
    _send(flavour, mock, _cred(), "send_image", ALICE, image)
    assert len(uploads) == 1
    up = uploads[0]
    assert up["fields"] == {
        "biz": "new_dyn",
        "category": "daily",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }
    assert up["file"] == {"file_up": ("image.png", "image/png", PNG)}
    assert f"SESSDATA={SESSDATA}" in up["cookies"]
    form = _sent(mock).form
    assert form["msg[msg_type]"] == "2"
    assert json.loads(form["msg[content]"]) == {
        "url": UPLOADED_URL,
        "height": 10,
        "width": 16,
        "imageType": "png",
        "original": 1,
        "size": 1.5,
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_image_rejects_what_is_not_an_image_before_io(
    flavour: str, uploads: list[dict[str, Any]]
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        _send(flavour, mock, _cred(), "send_image", ALICE, 123)
    assert info.value.argument == "image"
    with pytest.raises(ArgsException) as info:
        _send(flavour, mock, _cred(), "send_image", ALICE, b"not an image")
    assert info.value.argument == "data"
    assert mock.requests == [] and uploads == []


# ---------------------------------------------------------------------------- cursor listings


def _feed(items: list[int], cursor: dict[str, Any]) -> dict[str, Any]:
    return {"cursor": cursor, "items": [{"id": i, "user": {"mid": i}} for i in items]}


def _run_iter(flavour: str, mock: MockBilibili, method: str, **kw: Any) -> list[Any]:
    if flavour == "sync":
        with Client(credential=_cred(), transport=mock.transport(), max_retries=0) as bili:
            return list(getattr(bili.session, method)(**kw))

    async def main() -> list[Any]:
        async with AsyncClient(
            credential=_cred(), transport=mock.transport(), max_retries=0
        ) as bili:
            return [x async for x in getattr(bili.session, method)(**kw)]

    return asyncio.run(main())


def _asked(mock: MockBilibili, path: str, *names: str) -> list[tuple[str | None, ...]]:
    return [tuple(r.query.get(n) for n in names) for r in mock.requests if r.path == path]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("method", "endpoint", "path", "time_name", "wrap"),
    [
        ("iter_replies", "get_replies", "/x/msgfeed/reply", "reply_time", None),
        ("iter_ats", "get_ats", "/x/msgfeed/at", "at_time", None),
        ("iter_likes", "get_likes", "/x/msgfeed/like", "like_time", "total"),
    ],
)
def test_feed_iterators_follow_the_id_and_time_cursor(
    flavour: str, method: str, endpoint: str, path: str, time_name: str, wrap: str | None
) -> None:
    pages = {
        None: _feed([9, 8], {"is_end": False, "id": 8, "time": 800}),
        "8": _feed([7, 6], {"is_end": False, "id": 6, "time": 600}),
        "6": _feed([5], {"is_end": True, "id": 5, "time": 500}),
    }

    def answer(rec: RecordedRequest) -> Any:
        page = pages[rec.query.get("id")]
        return _ok({wrap: page} if wrap else page)

    mock = MockBilibili()
    mock.set_response(f"session.{endpoint}", answer)
    got = _run_iter(flavour, mock, method)
    assert [x.id for x in got] == [9, 8, 7, 6, 5]
    assert _asked(mock, path, "id", time_name) == [(None, None), ("8", "800"), ("6", "600")]
    # limit stops without asking for the next page
    mock.requests.clear()
    assert [x.id for x in _run_iter(flavour, mock, method, limit=2)] == [9, 8]
    assert len(_asked(mock, path, "id")) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_feed_iterator_stops_when_the_cursor_does_not_move(flavour: str) -> None:
    mock = MockBilibili()
    mock.set_response(
        "session.get_replies", _ok(_feed([1, 2], {"is_end": False, "id": 2, "time": 20}))
    )
    got = _run_iter(flavour, mock, "iter_replies")
    assert [x.id for x in got] == [1, 2, 1, 2]  # the repeated page is read once more, then stop
    assert len(_asked(mock, "/x/msgfeed/reply", "id")) == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_system_messages_pages_by_the_last_cursor(flavour: str) -> None:
    def answer(rec: RecordedRequest) -> Any:
        cursor = rec.query.get("cursor")
        ids = {None: [30, 29], "2900": [28], "2800": []}[cursor]
        return _ok({"system_notify_list": [{"id": i, "cursor": i * 100} for i in ids]})

    mock = MockBilibili()
    mock.set_response("session.get_system_messages", answer)
    got = _run_iter(flavour, mock, "iter_system_messages", page_size=2)
    assert [m.id for m in got] == [30, 29, 28]
    path = "/x/sys-msg/query_user_notify"
    assert _asked(mock, path, "cursor", "page_size") == [
        (None, "2"),
        ("2900", "2"),
        ("2800", "2"),
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_sessions_pages_by_the_oldest_session_ts(flavour: str) -> None:
    def answer(rec: RecordedRequest) -> Any:
        end = rec.query.get("end_ts")
        talkers = {None: [(1, 900), (2, 800)], "800": [(3, 700)]}[end]
        return _ok(
            {
                "session_list": [{"talker_id": t, "session_ts": ts} for t, ts in talkers],
                "has_more": int(end is None),
            }
        )

    mock = MockBilibili()
    mock.set_response("session.get_sessions", answer)
    got = _run_iter(flavour, mock, "iter_sessions", size=2)
    assert [s.talker_id for s in got] == [1, 2, 3]
    path = "/session_svr/v1/session_svr/get_sessions"
    assert _asked(mock, path, "end_ts", "size", "session_type") == [
        (None, "2", "4"),
        ("800", "2", "4"),
    ]


@pytest.mark.parametrize(
    ("method", "kwargs", "argument"),
    [
        ("iter_replies", {"limit": 0}, "limit"),
        ("iter_likes", {"limit": "1"}, "limit"),
        ("iter_system_messages", {"page_size": 0}, "page_size"),
        ("iter_sessions", {"session_type": 5}, "session_type"),
        ("iter_sessions", {"size": 0}, "size"),
    ],
)
def test_iterators_check_arguments_before_io(
    method: str, kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as info:
            getattr(bili.session, method)(**kwargs)
    assert info.value.argument == argument
    assert mock.requests == []


def test_sync_and_async_pairs_match() -> None:
    from bilibili_sdk._extras.session import (
        AsyncMessagePoller,
        AsyncSessionExtras,
        MessagePoller,
        SessionExtras,
    )

    from .test_catalogue import test_hand_written_pairs_identical

    test_hand_written_pairs_identical(SessionExtras, AsyncSessionExtras)
    test_hand_written_pairs_identical(MessagePoller, AsyncMessagePoller)

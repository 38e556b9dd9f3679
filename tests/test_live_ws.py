"""LiveConnection / AsyncLiveConnection end to end against the loopback MockLiveServer.

No network: lookups go to the in-process mock Bilibili, the websocket to 127.0.0.1.
Intervals are tenths of a second; every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, Credential, LiveException
from bilibili_sdk.live import (
    AsyncLiveConnection,
    ConnectionEvent,
    DanmakuMessage,
    InteractWord,
    LiveConnection,
    LiveEvent,
    Popularity,
    RawEvent,
    SendGift,
)
from bilibili_sdk.testing import MockBilibili, MockLiveServer, unused_port

from .conftest import BILI_JCT, SESSDATA

FAST: dict[str, Any] = {"heartbeat_interval": 0.2, "backoff": (0.01, 0.05), "open_timeout": 3.0}
WAIT = 5.0


def dm(i: int, text: str | None = None) -> dict[str, Any]:
    return {
        "cmd": "DANMU_MSG:4:0:2:2:2:0",
        "info": [
            [0, 1, 25, 16777215, 1700000000000 + i, i, 0, "8a0f75dc", 0, 0, 0, "", 0, "{}", "{}"],
            text if text is not None else f"m{i}",
            [1000 + i, f"user{i}", 0, 0, 0, 10000, 1, ""],
            [],
            [10, 0, 9868950, ">50000", 0],
            ["", ""],
            0,
            0,
        ],
    }


GIFT = {"cmd": "SEND_GIFT", "data": {"giftName": "小花花", "num": 2, "uid": 7, "price": 100}}
INTERACT = {"cmd": "INTERACT_WORD", "data": {"uid": 8, "uname": "来了", "msg_type": 1}}


def room_events(events: list[Any]) -> list[Any]:
    """Room events other than the heartbeat replies."""
    return [e for e in events if isinstance(e, LiveEvent) and not isinstance(e, Popularity)]


def texts(events: list[Any]) -> list[str]:
    return [e.text for e in events if isinstance(e, DanmakuMessage)]


def take(conn: LiveConnection, n: int, timeout: float = WAIT) -> list[LiveEvent]:
    """The next n room events from iteration (closing the connection after `timeout`)."""
    timer = threading.Timer(timeout, conn.close)
    timer.start()
    out: list[LiveEvent] = []
    try:
        for ev in conn:
            if not isinstance(ev, Popularity):
                out.append(ev)
                if len(out) == n:
                    break
    finally:
        timer.cancel()
        timer.join()
    assert len(out) == n, f"got {len(out)} of {n} events: {out}"
    return out


async def atake(conn: AsyncLiveConnection, n: int, timeout: float = WAIT) -> list[LiveEvent]:
    out: list[LiveEvent] = []
    it = conn.__aiter__()

    async def collect() -> None:
        async for ev in it:
            if not isinstance(ev, Popularity):
                out.append(ev)
                if len(out) == n:
                    return

    try:
        await asyncio.wait_for(collect(), timeout)
    finally:
        await it.aclose()
    return out


class Recorder:
    """Collects everything a connection dispatches (room events and lifecycle)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, ev: Any) -> None:
        self.events.append(ev)

    def names(self) -> list[str]:
        return [e.cmd for e in self.events]

    def lifecycle(self, name: str) -> list[ConnectionEvent]:
        return [e for e in self.events if isinstance(e, ConnectionEvent) and e.name == name]


@pytest.fixture
def server() -> Iterator[MockLiveServer]:
    with MockLiveServer() as s:
        yield s


@pytest.fixture
def bmock(server: MockLiveServer) -> MockBilibili:
    return server.configure(MockBilibili())


def _bilibili_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name != "mock-live-server"}


# ====================================================================== sync


def test_sync_events_typed_and_in_order(server: MockLiveServer, bmock: MockBilibili) -> None:
    with (
        Client(transport=bmock.transport()) as bili,
        LiveConnection(bili, 3, **FAST) as conn,
    ):
        assert conn.room_id == 23058 and conn.state == "open"
        server.push(dm(0), GIFT, dm(1), INTERACT, {"cmd": "NEW_THING", "data": {"a": 1}})
        server.push(dm(2))
        got = take(conn, 6)
    assert [type(e) for e in got] == [
        DanmakuMessage,
        SendGift,
        DanmakuMessage,
        InteractWord,
        RawEvent,
        DanmakuMessage,
    ]
    assert texts(got) == ["m0", "m1", "m2"]
    assert got[0].room_id == 23058 and got[0].uid == 1000  # type: ignore[attr-defined]
    assert got[1].gift_name == "小花花" and got[4].cmd == "NEW_THING"  # type: ignore[attr-defined]
    rec = server.clients[0]
    assert rec.protover == 3  # brotli asked for, and pushed as brotli
    assert rec.auth == {
        "uid": 0,
        "roomid": 23058,
        "protover": 3,
        "platform": "web",
        "type": 2,
        "buvid": "MOCK-BUVID3-0000-0000-000000000000infoc",  # the client's fetched buvid3
        "key": "mock-live-token",
    }
    assert rec.headers["Origin"] == "https://live.bilibili.com"
    assert rec.headers["User-Agent"].startswith("Mozilla/5.0")
    assert "Cookie" not in rec.headers
    assert rec.heartbeats >= 1 and conn.state == "closed"


def test_sync_through_the_served_mock(server: MockLiveServer) -> None:
    # What the offline demo does: the mock Bilibili on a loopback HTTP port, plus this server.
    with server.configure(MockBilibili()).serve() as http:
        with (
            Client(base_urls=http.base_urls) as bili,
            LiveConnection(bili, 3, **FAST) as conn,
        ):
            server.push(dm(0))
            assert texts(take(conn, 1)) == ["m0"]


def test_sync_zlib_and_plain_frames(server: MockLiveServer, bmock: MockBilibili) -> None:
    with (
        Client(transport=bmock.transport()) as bili,
        LiveConnection(bili, 3, protover=2, **FAST) as conn,
    ):
        assert server.clients[0].protover == 2
        server.push(dm(0), dm(1))  # zlib, as asked
        server.push(dm(2), dm(3), protover=0)  # plain packets back to back
        server.push(dm(4), protover=3)  # brotli anyway
        assert texts(take(conn, 5)) == ["m0", "m1", "m2", "m3", "m4"]


def test_sync_handlers_and_all(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        everything, danmaku, gifts = Recorder(), Recorder(), Recorder()
        conn.add_event_listener("__ALL__", everything)
        conn.on("DANMU_MSG")(danmaku)
        conn.on("send_gift")(gifts)  # names are case-insensitive
        conn.ignore_event("INTERACT_WORD")
        assert not bmock.requests  # nothing happens before open()
        with conn:
            server.push(dm(0), INTERACT, GIFT, dm(1))
            server.wait_until(lambda: len(danmaku.events) == 2, WAIT)
        assert texts(danmaku.events) == ["m0", "m1"]
        assert [type(e) for e in gifts.events] == [SendGift]
        names = everything.names()
        assert names[:2] == ["CONNECTED", "AUTHENTICATED"] and names[-1] == "CLOSED"
        assert "INTERACT_WORD" not in names
        assert [n for n in names if n in ("DANMU_MSG", "SEND_GIFT")] == [
            "DANMU_MSG",
            "SEND_GIFT",
            "DANMU_MSG",
        ]
        assert conn.remove_event_listener("DANMU_MSG", danmaku)


def test_sync_reconnect_loses_and_duplicates_nothing(
    server: MockLiveServer, bmock: MockBilibili
) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        life = Recorder()
        conn.on("__ALL__")(life)
        with conn:
            server.push(*[dm(i) for i in range(5)])
            first = take(conn, 5)
            server.drop()
            server.wait_until(lambda: server.open_count == 1 and server.connection_count == 2)
            server.push(*[dm(i) for i in range(5, 10)])
            second = take(conn, 5)
    assert texts(first + second) == [f"m{i}" for i in range(10)]
    assert life.lifecycle("DISCONNECTED")[0].reason == "connection lost"
    assert len(life.lifecycle("RECONNECTING")) == 1
    assert bmock.count("live.get_danmu_info") == 2  # token and hosts fetched again
    assert bmock.count("live.get_room_play_info") == 1
    assert texts(room_events(life.events)) == [f"m{i}" for i in range(10)]  # handlers too


def test_sync_missed_heartbeat_reconnects(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(
            bili, 3, heartbeat_interval=0.1, heartbeat_timeout=0.3, backoff=(0.01, 0.05)
        )
        life = Recorder()
        conn.on("__ALL__")(life)
        with conn:
            server.stall_heartbeats()
            server.wait_until(lambda: server.connection_count >= 2, WAIT)
            server.stall_heartbeats(False)
            server.wait_until(lambda: server.open_count == 1 and server.authenticated_count >= 2)
            server.push(dm(1))
            assert texts(take(conn, 1)) == ["m1"]
    assert life.lifecycle("DISCONNECTED")[0].reason == "heartbeat timeout"


def test_sync_garbage_frame_is_survived(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        life = Recorder()
        conn.on("ERROR")(life)
        with conn:
            server.send_garbage()
            server.send_raw("a text frame")
            server.push(dm(1))
            assert texts(take(conn, 1)) == ["m1"]
            assert server.connection_count == 1  # the same connection went on
    assert [e.reason for e in life.events] == ["bad frame", "bad frame"]


def test_sync_auth_rejection_raises(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = _bilibili_threads()
    server.reject_auth(-101)
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        with pytest.raises(LiveException, match=r"rejected the auth packet \(code -101\)"):
            conn.open()
        assert conn.state == "closed"
    assert server.connection_count == 1  # final: not retried
    assert _bilibili_threads() == before


def test_sync_wrong_token_is_rejected(server: MockLiveServer, bmock: MockBilibili) -> None:
    server.token = "another-token"
    with Client(transport=bmock.transport()) as bili, pytest.raises(LiveException):
        with LiveConnection(bili, 3, **FAST):
            pass


def test_sync_host_fallback(server: MockLiveServer) -> None:
    dead = unused_port()
    mock = server.configure(MockBilibili(), hosts=[("127.0.0.1", dead), (server.host, server.port)])
    with Client(transport=mock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        life = Recorder()
        conn.on("ERROR")(life)
        with conn:
            assert conn.url == server.url
    assert life.events[0].url == f"ws://127.0.0.1:{dead}/sub"
    assert life.events[0].reason == "connect failed"


def test_sync_refused_handshake_falls_back(server: MockLiveServer) -> None:
    mock = server.configure(MockBilibili(), hosts=[(server.host, server.port)] * 2)
    server.refuse_connections(1)
    with Client(transport=mock.transport()) as bili, LiveConnection(bili, 3, **FAST):
        pass
    assert server.refused == 1 and server.authenticated_count == 1


def test_sync_gives_up_after_max_retries(server: MockLiveServer, bmock: MockBilibili) -> None:
    server.refuse_connections(100)
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, max_retries=2, **FAST)
        with pytest.raises(LiveException, match="could not connect after 3 attempts"):
            conn.open()
    assert server.refused == 3


def test_sync_run_raises_when_giving_up(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = _bilibili_threads()
    server.refuse_connections(100)
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, max_retries=1, **FAST)
        closed = Recorder()
        conn.on("CLOSED")(closed)
        with pytest.raises(LiveException, match="could not connect after 2 attempts"):
            conn.run()
    assert closed.events[0].reason == "failed"
    assert _bilibili_threads() == before


def test_sync_no_reconnect_ends_the_stream(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, reconnect=False, **FAST)
        closed = Recorder()
        conn.on("CLOSED")(closed)
        with conn:
            server.push(dm(0))
            server.wait_until(lambda: server.heartbeat_count >= 1)
            server.drop()
            events = list(conn)  # drains what arrived, then ends without an error
        assert texts(events) == ["m0"]
        assert closed.events[0].reason == "ended" and server.connection_count == 1


def test_sync_queue_keeps_the_newest(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, max_queue=2, heartbeat_interval=30.0)
        seen, views = Recorder(), Recorder()
        conn.on("DANMU_MSG")(seen)
        conn.on("VIEW")(views)
        with conn:
            server.wait_until(lambda: views.events)  # the first heartbeat reply is queued
            server.push(*[dm(i) for i in range(5)])
            server.wait_until(lambda: len(seen.events) == 5)
            assert texts(take(conn, 2)) == ["m3", "m4"]
            assert conn.dropped_events == 4  # the first heartbeat reply and m0-m2


def test_sync_explicit_hosts(server: MockLiveServer) -> None:
    mock = server.configure(MockBilibili(), hosts=[("127.0.0.1", unused_port())])
    with (
        Client(transport=mock.transport()) as bili,
        LiveConnection(bili, 3, hosts=[server.url], **FAST) as conn,
    ):
        assert conn.url == server.url


def test_sync_close_stops_everything(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = _bilibili_threads()
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        conn.open()
        assert len(_bilibili_threads()) > len(before)
        server.push(dm(0))
        conn.close()
        conn.close()  # twice is fine
        assert conn.state == "closed" and conn.closed
        with pytest.raises(LiveException, match="closed"):
            conn.open()
    assert _bilibili_threads() == before
    server.wait_until(lambda: server.open_count == 0)


def test_sync_run_until_close_from_a_handler(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = _bilibili_threads()
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        seen: list[str] = []

        @conn.on("DANMU_MSG")
        def on_dm(ev: DanmakuMessage) -> None:
            seen.append(ev.text)
            if ev.text == "stop":
                conn.close()

        @conn.on("AUTHENTICATED")
        def on_auth(ev: ConnectionEvent) -> None:
            threading.Thread(target=server.push, args=(dm(0), dm(1, "stop"), dm(2))).start()

        conn.run()  # returns once a handler closed the connection
    assert seen == ["m0", "stop"]
    server.wait_until(lambda: _bilibili_threads() == before)


def test_sync_iteration_opens_and_closes(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = _bilibili_threads()
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        for ev in conn:  # the first heartbeat reply arrives right after auth
            assert isinstance(ev, Popularity) and ev.popularity == 1 and ev.cmd == "VIEW"
            break
        assert conn.closed
    assert _bilibili_threads() == before


def test_sync_handler_exceptions_do_not_kill_the_reader(
    server: MockLiveServer, bmock: MockBilibili, caplog: pytest.LogCaptureFixture
) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = LiveConnection(bili, 3, **FAST)
        failures: list[BaseException] = []
        conn.on("__TASK_EXCEPTION__")(failures.append)

        @conn.on("DANMU_MSG")
        def boom(ev: DanmakuMessage) -> None:
            raise ValueError(f"handler failed on {ev.text}")

        async def aboom(ev: Any) -> None:
            raise RuntimeError("async handler failed")

        conn.on("SEND_GIFT")(aboom)  # a coroutine handler in the sync flavour runs too
        with caplog.at_level(logging.WARNING, "bilibili_sdk.live"), conn:
            server.push(dm(0), GIFT, dm(1))
            got = take(conn, 3)
        assert texts(got) == ["m0", "m1"]
        assert [type(e) for e in failures] == [ValueError, RuntimeError, ValueError]
        assert "handler raised ValueError" in caplog.text


def test_sync_credentials_never_leak(
    server: MockLiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    mock = server.configure(MockBilibili())
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)  # no DedeUserID: uid is looked up
    with caplog.at_level(logging.DEBUG):
        with Client(cred, transport=mock.transport()) as bili:
            conn = LiveConnection(bili, 3, **FAST)
            everything = Recorder()
            conn.on("__ALL__")(everything)
            with conn:
                server.push(dm(0))
                server.send_garbage()
                server.drop()
                server.wait_until(lambda: server.authenticated_count == 2)
                server.push(dm(1))
                take(conn, 2)
            ours = "\n".join(
                r.getMessage() for r in caplog.records if not r.name.startswith("httpx")
            )
            shown = [repr(conn), str(conn), *map(repr, everything.events), ours]
            shown += [str(e.error) for e in everything.events if getattr(e, "error", None)]
    assert server.auth_bodies[0]["uid"] == 2  # from live.get_self_info
    assert SESSDATA not in caplog.text  # in no log at all
    for text in shown:
        assert SESSDATA not in text, text
        assert BILI_JCT not in text, text
    assert "mock-live-token" not in ours  # nor the websocket token


def test_sync_web_heartbeat(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        with LiveConnection(bili, 3, web_heartbeat=0.2, **FAST):
            server.wait_until(lambda: bmock.count("live.send_web_heartbeat") >= 2)
    req = next(r for r in bmock.requests if r.endpoint == "live.send_web_heartbeat")
    assert base64.b64decode(req.query["hb"]) == b"1|23058|1|0"


def test_websocket_options_follow_the_client() -> None:
    from bilibili_sdk.live._session import Connect

    with Client(proxy="http://127.0.0.1:3128", default_headers={"User-Agent": "UA/1"}) as bili:
        conn = LiveConnection(bili, 3)
        remote = conn._ws_options(Connect("wss://h.chat.bilibili.com:443/sub", 4.0, "https://o"))
        local = conn._ws_options(Connect("ws://127.0.0.1:1/sub", 4.0, "https://o"))
    assert remote["proxy"] == "http://127.0.0.1:3128" and local["proxy"] is None
    assert remote["user_agent_header"] == "UA/1" and remote["origin"] == "https://o"
    assert remote["open_timeout"] == 4.0 and remote["ping_interval"] is None
    with Client(trust_env=False) as bili:
        opts = LiveConnection(bili, 3)._ws_options(Connect("wss://h/sub", 1.0, "https://o"))
    assert opts["proxy"] is None  # no proxy from the environment either


def test_sync_arguments_are_checked_before_io(bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        for kwargs, arg in [
            ({"room_id": 0}, "room_id"),
            ({"room_id": 3, "protover": 1}, "protover"),
            ({"room_id": 3, "hosts": ["http://x"]}, "hosts"),
            ({"room_id": 3, "hosts": []}, "hosts"),
            ({"room_id": 3, "heartbeat_interval": 0}, "heartbeat_interval"),
            ({"room_id": 3, "web_heartbeat": -1}, "web_heartbeat"),
        ]:
            with pytest.raises(ArgsException) as info:
                LiveConnection(bili, **kwargs)
            assert info.value.argument == arg
    with pytest.raises(ArgsException, match="expected a Client"):
        LiveConnection(AsyncClient(), 3)  # type: ignore[arg-type]
    assert not bmock.requests


# ====================================================================== async


@pytest.fixture
async def abili(bmock: MockBilibili) -> AsyncGenerator[AsyncClient, None]:
    async with AsyncClient(transport=bmock.transport()) as c:
        yield c


def _leftover_tasks() -> set[asyncio.Task[Any]]:
    """Tasks still pending besides the test itself (and anyio's runner task)."""
    return {
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task()
        and not getattr(t.get_coro(), "__qualname__", "").startswith("TestRunner.")
    }


@pytest.mark.anyio
async def test_async_events_typed_and_in_order(server: MockLiveServer, abili: AsyncClient) -> None:
    async with AsyncLiveConnection(abili, 3, **FAST) as conn:
        assert conn.room_id == 23058
        server.push(dm(0), GIFT, dm(1))
        server.push(INTERACT, dm(2))
        got = await atake(conn, 5)
    assert [type(e) for e in got] == [
        DanmakuMessage,
        SendGift,
        DanmakuMessage,
        InteractWord,
        DanmakuMessage,
    ]
    assert texts(got) == ["m0", "m1", "m2"]
    assert server.clients[0].auth is not None and server.clients[0].auth["protover"] == 3
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_zlib(server: MockLiveServer, abili: AsyncClient) -> None:
    async with AsyncLiveConnection(abili, 3, protover=2, **FAST) as conn:
        assert server.clients[0].protover == 2
        server.push(dm(0), dm(1), dm(2))
        assert texts(await atake(conn, 3)) == ["m0", "m1", "m2"]


@pytest.mark.anyio
async def test_async_handlers_awaited_in_order(server: MockLiveServer, abili: AsyncClient) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    seen: list[str] = []
    failures: list[BaseException] = []

    @conn.on("DANMU_MSG")
    async def slow(ev: DanmakuMessage) -> None:
        await asyncio.sleep(0.01 if ev.text == "m0" else 0)
        seen.append(ev.text)
        if ev.text == "m1":
            raise ValueError("async handler failed")

    conn.on("__TASK_EXCEPTION__")(failures.append)
    async with conn:
        server.push(dm(0), dm(1), dm(2))
        await server.await_until(lambda: len(seen) == 3)
    assert seen == ["m0", "m1", "m2"]
    assert [type(e) for e in failures] == [ValueError]


@pytest.mark.anyio
async def test_async_reconnect_loses_and_duplicates_nothing(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    life = Recorder()
    conn.on("__ALL__")(life)
    async with conn:
        server.push(*[dm(i) for i in range(5)])
        first = await atake(conn, 5)
        server.drop()
        await server.await_until(lambda: server.open_count == 1 and server.connection_count == 2)
        server.push(*[dm(i) for i in range(5, 10)])
        second = await atake(conn, 5)
    assert texts(first + second) == [f"m{i}" for i in range(10)]
    assert texts(room_events(life.events)) == [f"m{i}" for i in range(10)]
    assert life.lifecycle("DISCONNECTED")[0].reason == "connection lost"
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_missed_heartbeat_reconnects(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(
        abili, 3, heartbeat_interval=0.1, heartbeat_timeout=0.3, backoff=(0.01, 0.05)
    )
    life = Recorder()
    conn.on("DISCONNECTED")(life)
    async with conn:
        server.stall_heartbeats()
        await server.await_until(lambda: server.connection_count >= 2)
        server.stall_heartbeats(False)
        await server.await_until(lambda: server.open_count == 1 and server.authenticated_count >= 2)
        server.push(dm(1))
        assert texts(await atake(conn, 1)) == ["m1"]
    assert life.events[0].reason == "heartbeat timeout"


@pytest.mark.anyio
async def test_async_garbage_frame_is_survived(server: MockLiveServer, abili: AsyncClient) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    errors = Recorder()
    conn.on("ERROR")(errors)
    async with conn:
        server.send_garbage()
        server.push(dm(1))
        assert texts(await atake(conn, 1)) == ["m1"]
        assert server.connection_count == 1
    assert [e.reason for e in errors.events] == ["bad frame"]


@pytest.mark.anyio
async def test_async_auth_rejection_raises(server: MockLiveServer, abili: AsyncClient) -> None:
    server.reject_auth(-101)
    with pytest.raises(LiveException, match="rejected the auth packet"):
        async with AsyncLiveConnection(abili, 3, **FAST):
            pass
    assert server.connection_count == 1
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_host_fallback(server: MockLiveServer) -> None:
    dead = unused_port()
    mock = server.configure(MockBilibili(), hosts=[("127.0.0.1", dead), (server.host, server.port)])
    async with AsyncClient(transport=mock.transport()) as bili:
        conn = AsyncLiveConnection(bili, 3, **FAST)
        errors = Recorder()
        conn.on("ERROR")(errors)
        async with conn:
            assert conn.url == server.url
    assert errors.events[0].url == f"ws://127.0.0.1:{dead}/sub"


@pytest.mark.anyio
async def test_async_gives_up_after_max_retries(server: MockLiveServer, abili: AsyncClient) -> None:
    server.refuse_connections(100)
    conn = AsyncLiveConnection(abili, 3, max_retries=1, **FAST)
    with pytest.raises(LiveException, match="could not connect after 2 attempts"):
        await conn.open()
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_run_until_close_from_a_handler(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    seen: list[str] = []

    @conn.on("DANMU_MSG")
    async def on_dm(ev: DanmakuMessage) -> None:
        seen.append(ev.text)
        if ev.text == "stop":
            await conn.close()

    @conn.on("AUTHENTICATED")
    def on_auth(ev: ConnectionEvent) -> None:
        threading.Thread(target=server.push, args=(dm(0), dm(1, "stop"), dm(2))).start()

    await asyncio.wait_for(conn.run(), WAIT)
    assert seen == ["m0", "stop"] and conn.state == "closed"
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_cancelled_run_closes(server: MockLiveServer, abili: AsyncClient) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(conn.run(), 0.5)
    assert conn.closed and conn.state == "closed"
    assert not _leftover_tasks()


@pytest.mark.anyio
async def test_async_cancelled_open_closes(server: MockLiveServer, abili: AsyncClient) -> None:
    server.refuse_connections(100)  # keeps retrying with backoff: open() cannot finish
    conn = AsyncLiveConnection(abili, 3, max_retries=100, backoff=(0.05, 0.05))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(conn.open(), 0.3)
    assert conn.closed and not _leftover_tasks()


@pytest.mark.anyio
async def test_async_close_cancels_the_task(server: MockLiveServer, abili: AsyncClient) -> None:
    threads = _bilibili_threads()
    conn = AsyncLiveConnection(abili, 3, **FAST)
    await conn.open()
    assert [t.get_name() for t in _leftover_tasks() if "bilibili" in t.get_name()] == [
        "bilibili-sdk live room 3"
    ]
    server.push(dm(0))
    await conn.close()
    await conn.close()
    assert conn.closed and not _leftover_tasks()
    assert _bilibili_threads() == threads  # the async flavour starts no thread
    await server.await_until(lambda: server.open_count == 0)


@pytest.mark.anyio
async def test_async_iteration_opens_and_closes(server: MockLiveServer, abili: AsyncClient) -> None:
    conn = AsyncLiveConnection(abili, 3, **FAST)
    it = conn.__aiter__()
    ev = await asyncio.wait_for(it.__anext__(), WAIT)
    assert isinstance(ev, Popularity)
    await it.aclose()
    assert conn.closed and not _leftover_tasks()


@pytest.mark.anyio
async def test_async_needs_an_async_client(bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili, pytest.raises(ArgsException):
        AsyncLiveConnection(bili, 3)  # type: ignore[arg-type]


# ====================================================================== namespace entry points


def test_client_live_connect(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        conn = bili.live.connect(3, **FAST)
        assert isinstance(conn, LiveConnection) and server.connection_count == 0  # lazy
        with conn:
            server.push(dm(0))
            assert texts(take(conn, 1)) == ["m0"]


@pytest.mark.anyio
async def test_async_client_live_connect(server: MockLiveServer, abili: AsyncClient) -> None:
    conn = abili.live.connect(3, **FAST)
    assert isinstance(conn, AsyncLiveConnection) and server.connection_count == 0
    async with conn:
        server.push(dm(0), dm(1))
        assert texts(await atake(conn, 2)) == ["m0", "m1"]

"""Public defaults, as documented (STYLE.md, the docstrings), and the no-resend rule for
requests that may have reached the server.

Defaults: timeout 10 s (5 s to connect), max_retries 2, wbi_retry_times 3, the live
heartbeat every 30 s with a 30 s reply timeout; they reach the request and the websocket
session, not only the options object.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    AsyncClient,
    Client,
    Credential,
    NetworkException,
    NetworkTimeoutException,
)
from bilibili_sdk._settings import ClientOptions, request_settings
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


# ---------------------------------------------------------------- client options


def test_request_settings_defaults() -> None:
    assert request_settings.get_all() == {
        "proxy": None,
        "timeout": 10.0,
        "verify_ssl": True,
        "trust_env": True,
        "max_retries": 2,
        "wbi_retry_times": 3,
        "enable_auto_buvid": True,
        "enable_bili_ticket": True,
    }


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_client_defaults(cls: type[Client | AsyncClient]) -> None:
    bili = cls()
    o = bili.options
    assert o.timeout == DEFAULT_TIMEOUT
    assert (o.timeout.connect, o.timeout.read, o.timeout.write, o.timeout.pool) == (5, 10, 10, 10)
    assert o.max_retries == 2 and bili.max_retries == 2
    assert o.wbi_retry_times == 3 and bili.wbi_retry_times == 3
    assert o.strict is False and o.credential is None and o.proxy is None
    assert o.verify is True and o.trust_env is True
    assert dict(o.base_urls) == {}
    assert o.default_headers["Referer"] == "https://www.bilibili.com"
    assert o.default_headers["User-Agent"].startswith("Mozilla/5.0")
    # None means "the default", in the constructor and in with_options
    assert cls(timeout=None, max_retries=None, wbi_retry_times=None).options == o
    changed = bili.with_options(timeout=3, max_retries=0)
    assert changed.options.timeout == httpx.Timeout(3.0, connect=3.0)
    assert changed.with_options(timeout=None, max_retries=None).options == o
    assert ClientOptions() == o
    assert ClientOptions.default("timeout") == 10.0  # seconds, normalised as above


def test_a_short_timeout_caps_connect() -> None:
    assert Client(timeout=2).options.timeout == httpx.Timeout(2.0, connect=2.0)
    assert Client(timeout=60).options.timeout == httpx.Timeout(60.0, connect=5.0)


@pytest.mark.parametrize("sign", ["plain", "wbi"])
def test_default_timeout_reaches_every_request(sign: str) -> None:
    """The call and its prerequisite requests (nav, spi, ticket) all carry the timeout."""
    seen: list[tuple[str, dict[str, Any]]] = []
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.extensions["timeout"]))
        return mock.handle(request)

    with Client(transport=httpx.MockTransport(handler)) as bili:
        if sign == "wbi":
            bili.video.get_detail(BVID)
        else:
            bili.video.get_info(BVID)
    paths = [p for p, _ in seen]
    assert len(paths) >= 3 and any(p.endswith("/view") or p.endswith("/detail") for p in paths)
    for path, timeout in seen:
        # The call's deadline (30 s by default) caps each request at the time left, and a
        # best-effort lookup at one read timeout from the start: a hair under 10 s.
        assert timeout["connect"] == 5.0, path
        for part in ("read", "write", "pool"):
            assert 9.5 <= timeout[part] <= 10.0, (path, part, timeout)


def test_default_retries_then_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two retries by default: three attempts of a failing GET."""
    monkeypatch.setattr(time, "sleep", lambda s: None)
    attempts: list[str] = []
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            attempts.append(request.method)
            raise httpx.ConnectError("down", request=request)
        return mock.handle(request)

    with Client(transport=httpx.MockTransport(handler)) as bili:
        with pytest.raises(NetworkException):
            bili.video.get_info(BVID)
    assert attempts == ["GET"] * 3


def test_default_wbi_retry_times() -> None:
    """Three key refreshes after a rejected signature: four signed attempts, four navs."""
    from bilibili_sdk import WbiRetryTimesExceedException

    mock = MockBilibili()
    mock.reject_signatures(100)
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(WbiRetryTimesExceedException):
            bili.video.get_detail(BVID)
    assert mock.count("video.get_detail") == 4
    assert mock.count("/x/web-interface/nav") == 4


# ---------------------------------------------------------------- live heartbeat


def _live_options(conn: Any) -> Any:
    return conn._session.options


def test_live_heartbeat_defaults() -> None:
    from bilibili_sdk.live import AsyncLiveConnection, LiveConnection
    from bilibili_sdk.live._session import Options

    assert (Options().heartbeat_interval, Options().heartbeat_timeout) == (30.0, 30.0)
    with Client() as bili:
        for conn in (LiveConnection(bili, 23058), bili.live.connect(23058)):
            o = _live_options(conn)
            assert (o.heartbeat_interval, o.heartbeat_timeout) == (30.0, 30.0)
            assert (o.reconnect, o.max_retries, o.backoff) == (True, 5, (1.0, 30.0))
            assert (o.open_timeout, o.max_queue) == (10.0, 1000)
        # the timeout follows a given interval unless given itself
        o = _live_options(LiveConnection(bili, 23058, heartbeat_interval=7))
        assert (o.heartbeat_interval, o.heartbeat_timeout) == (7.0, 7.0)

    async def async_side() -> None:
        async with AsyncClient() as abili:
            for conn in (AsyncLiveConnection(abili, 23058), abili.live.connect(23058)):
                o = _live_options(conn)
                assert (o.heartbeat_interval, o.heartbeat_timeout) == (30.0, 30.0)

    asyncio.run(async_side())


def test_video_online_heartbeat_default() -> None:
    """The video socket uses the server's heartbeat; 30 s when it names none."""
    from bilibili_sdk.video_online import VideoOnlineMonitor

    with Client() as bili:
        monitor = VideoOnlineMonitor(bili, aid=170001, cid=279786)
        o = monitor._session.options
        assert (o.heartbeat_interval, o.heartbeat_timeout) == (30.0, 30.0)


def test_live_session_beats_every_30_seconds_by_default() -> None:
    """Drive the session of a default `LiveConnection` with a fake clock: the first beat at
    once after auth, then one every 30 s; a missing reply is noticed 30 s after the beat."""
    from bilibili_sdk.live import LiveConnection, decode_frame
    from bilibili_sdk.live._session import Send

    from .test_live_protocol import FakeServer, _room

    with Client() as bili:
        options = _live_options(LiveConnection(bili, 23058))
    s = FakeServer(_room(), options)
    beats: list[float] = []
    perform = s.perform

    def timed(op: Any) -> Any:
        if isinstance(op, Send) and any(p.operation == 2 for p in decode_frame(op.data)):
            beats.append(s.now)
        return perform(op)

    s.perform = timed  # type: ignore[method-assign]
    s.run(lambda s: len(beats) >= 4)
    assert [round(b - beats[0], 6) for b in beats] == [0.0, 30.0, 60.0, 90.0]
    s.stall = True  # no more replies: the next beat goes unanswered, and 30 s later it is dead
    s.run(lambda s: any(e.cmd == "DISCONNECTED" for e in s.events))
    assert [round(b - beats[0], 6) for b in beats] == [0.0, 30.0, 60.0, 90.0, 120.0]
    assert round(s.now - beats[-1], 6) == 30.0


# ---------------------------------------------------------------- no resend after sending


def _credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def _timing_out(kind: type[httpx.TimeoutException]) -> tuple[httpx.MockTransport, list[str]]:
    """A transport that takes the request (it is counted: it reached the server) and then
    times out waiting for the answer."""
    sent: list[str] = []
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/nav", "/spi", "/GenWebTicket")):
            return mock.handle(request)
        sent.append(f"{request.method} {request.url.path}")
        raise kind("timed out", request=request)

    return httpx.MockTransport(handler), sent


POSTS = [
    ("video", "like", {"bvid": BVID, "like": 1}),
    ("video", "add_coin", {"bvid": BVID, "multiply": 1}),
    ("live", "send_danmaku", {"room_id": 23058, "msg": "hi"}),
]


@pytest.mark.parametrize("kind", [httpx.ReadTimeout, httpx.WriteTimeout])
@pytest.mark.parametrize(("ns", "name", "kwargs"), POSTS, ids=[f"{n}.{m}" for n, m, _ in POSTS])
def test_post_timing_out_after_sending_is_never_resent(
    ns: str, name: str, kwargs: dict[str, Any], kind: type[httpx.TimeoutException]
) -> None:
    transport, sent = _timing_out(kind)
    with Client(transport=transport, credential=_credential(), max_retries=5) as bili:
        with pytest.raises(NetworkTimeoutException) as ei:
            getattr(getattr(bili, ns), name)(**kwargs)
    assert len(sent) == 1 and sent[0].startswith("POST "), sent
    assert isinstance(ei.value.__cause__, kind)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", [httpx.ReadTimeout, httpx.WriteTimeout])
async def test_async_post_timing_out_after_sending_is_never_resent(
    kind: type[httpx.TimeoutException],
) -> None:
    transport, sent = _timing_out(kind)
    async with AsyncClient(transport=transport, credential=_credential(), max_retries=5) as bili:
        with pytest.raises(NetworkTimeoutException):
            await bili.video.like(BVID)
    assert sent == ["POST /x/web-interface/archive/like"]


def test_get_timing_out_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same timeout on a GET is safe to repeat: max_retries + 1 attempts."""
    monkeypatch.setattr(time, "sleep", lambda s: None)
    transport, sent = _timing_out(httpx.ReadTimeout)
    with Client(transport=transport, max_retries=3) as bili:
        with pytest.raises(NetworkTimeoutException):
            bili.video.get_info(BVID)
    assert sent == ["GET /x/web-interface/view"] * 4


def test_post_read_timeout_on_a_real_socket_is_not_resent() -> None:
    """Over loopback: the server gets the like and answers too late; one like, not three."""
    mock = MockBilibili()

    def slow(rec: Any) -> dict[str, Any]:
        time.sleep(0.5)
        return {"code": 0, "message": "0", "ttl": 1}

    mock.set_response("video.like", slow)
    with mock.serve() as server:
        with Client(
            credential=_credential(), base_urls=server.base_urls, timeout=0.2, max_retries=2
        ) as bili:
            with pytest.raises(NetworkTimeoutException):
                bili.video.like(BVID)
        time.sleep(0.4)  # let the handler finish before counting
    assert mock.count("video.like") == 1

"""close() returns within a second in every state of a live or video-online connection, and
leaves no thread (sync) or task (async) behind.

Each state is held by a loopback server that stops answering at that point: an HTTP mock
whose lookup blocks, a listener whose accept queue is full (TCP connect hangs), a socket
that accepts and never answers (the websocket handshake hangs), MockLiveServer not
answering auth, an open connection (also with the server frozen: no closing handshake),
and refused handshakes with a long backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bilibili_sdk import AsyncClient, Client
from bilibili_sdk.live import AsyncLiveConnection, LiveConnection
from bilibili_sdk.testing import MockBilibili, MockLiveServer
from bilibili_sdk.video_online import AsyncVideoOnlineMonitor, VideoOnlineMonitor

BUDGET = 1.0
"""Seconds close() may take, in any state."""
STATES = ["lookup", "connecting", "handshake", "auth", "reading", "reading-hung", "backoff"]
KINDS = ["live", "video"]
# Defaults kept (open_timeout 10 s, heartbeats 30 s): only close() may end the wait.
COMMON: dict[str, Any] = {"max_retries": 100}


class Silent:
    """A loopback socket that accepts connections, reads what comes, and never answers."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/sub"
        self.received = threading.Event()
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-silent", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = self.sock.accept()
                self.conns.append(conn)
                conn.settimeout(5)
                if conn.recv(65536):
                    self.received.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for c in [*self.conns, self.sock]:
            c.close()


def backlogged(stack: contextlib.ExitStack) -> int:
    """A port whose accept queue is full: a connect() to it hangs (the SYN is dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    stack.callback(listener.close)
    for _ in range(8):  # fill the queue (its length depends on the kernel)
        probe = socket.socket()
        stack.callback(probe.close)
        probe.settimeout(0.2)
        try:
            probe.connect(("127.0.0.1", port))
        except OSError:
            return port
    pytest.skip("could not fill a loopback accept queue here")


@dataclass
class Scene:
    client: dict[str, Any]
    conn: dict[str, Any]
    reached: Callable[[], bool]
    opens: bool = False
    """open() returns in this state (it is reached once open)."""
    after_open: Callable[[], object] | None = None
    settle: float = 0.0
    """Seconds to wait once `reached` holds, for the client to get into the blocking call."""
    notes: list[str] = field(default_factory=list)


def scene(stack: contextlib.ExitStack, kind: str, state: str) -> Scene:
    if state == "lookup":
        mock = MockBilibili()
        entered, release = threading.Event(), threading.Event()
        stack.callback(release.set)
        endpoint = "live.get_room_play_info" if kind == "live" else "video.get_pages"
        body = mock.examples[endpoint]

        def blocked(rec: Any) -> Any:
            entered.set()
            release.wait(15)
            return body

        mock.set_response(endpoint, blocked)
        served = stack.enter_context(mock.serve())
        # A real socket and the client's own pool: the lookup blocks in a socket read.
        return Scene({"base_urls": served.base_urls}, {}, entered.is_set, settle=0.1)
    server = stack.enter_context(MockLiveServer(mode=kind))
    mock = server.configure(MockBilibili())
    client = {"transport": mock.transport()}
    last_lookup = "live.get_danmu_info" if kind == "live" else "video.get_broadcast_servers"
    if state == "connecting":
        port = backlogged(stack)
        hosts = {"hosts": [f"ws://127.0.0.1:{port}/sub"]}
        return Scene(client, hosts, lambda: mock.count(last_lookup) >= 1, settle=0.2)
    if state == "handshake":
        silent = Silent()
        stack.callback(silent.close)
        return Scene(client, {"hosts": [silent.url]}, silent.received.is_set, settle=0.05)
    if state == "auth":
        server.stall_auth()
        return Scene(client, {}, lambda: any(r.auth for r in server.clients), settle=0.05)
    if state == "backoff":
        server.refuse_connections(1000)
        return Scene(client, {"backoff": (30.0, 30.0)}, lambda: server.refused >= 1, settle=0.2)
    hung = state == "reading-hung"
    return Scene(
        client,
        {},
        lambda: server.open_count >= 1,
        opens=True,
        after_open=server.freeze if hung else None,
    )


def _ours() -> set[threading.Thread]:
    """Threads that are not the test's own servers or helpers, nor the client's lookup pool
    (it belongs to the Client, which outlives the connection, and ends with client.close())."""
    return {
        t
        for t in threading.enumerate()
        if not t.name.startswith(
            ("test-", "mock-live-server", "mock-bilibili", "bilibili_sdk-lookup")
        )
        and "process_request_thread" not in t.name
    }


def _settle_threads(before: set[threading.Thread], timeout: float = 0.5) -> set[threading.Thread]:
    deadline = time.monotonic() + timeout
    while (left := _ours() - before) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.005)


def _sync_conn(kind: str, bili: Client, **kw: Any) -> LiveConnection | VideoOnlineMonitor:
    if kind == "live":
        return LiveConnection(bili, 3, **COMMON, **kw)
    return VideoOnlineMonitor(bili, aid=170001, **COMMON, **kw)


def _async_conn(
    kind: str, bili: AsyncClient, **kw: Any
) -> AsyncLiveConnection | AsyncVideoOnlineMonitor:
    if kind == "live":
        return AsyncLiveConnection(bili, 3, **COMMON, **kw)
    return AsyncVideoOnlineMonitor(bili, aid=170001, **COMMON, **kw)


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as s:
        yield s


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", KINDS)
def test_sync_close_in_any_state(stack: contextlib.ExitStack, kind: str, state: str) -> None:
    sc = scene(stack, kind, state)
    bili = stack.enter_context(Client(**sc.client))
    before = _ours()
    conn = _sync_conn(kind, bili, **sc.conn)
    opened: list[BaseException | None] = []

    def opener() -> None:
        try:
            conn.open()
            opened.append(None)
        except BaseException as e:
            opened.append(e)

    t = threading.Thread(target=opener, name="test-opener", daemon=True)
    t.start()
    _wait(sc.reached, f"{kind} {state}")
    if sc.opens:
        t.join(10)
        assert opened == [None]
    if sc.after_open is not None:
        sc.after_open()
    time.sleep(sc.settle)
    started = time.perf_counter()
    conn.close()
    took = time.perf_counter() - started
    t.join(BUDGET)
    assert took < BUDGET, f"close() took {took:.2f} s while {state}"
    assert not t.is_alive(), "open() did not return after close()"
    assert opened == [None]  # closed while opening: open() returns, it does not raise
    assert conn.closed and conn.state == "closed"
    assert not _settle_threads(before), "threads left behind"


@pytest.mark.anyio
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", KINDS)
async def test_async_close_in_any_state(stack: contextlib.ExitStack, kind: str, state: str) -> None:
    sc = scene(stack, kind, state)
    async with AsyncClient(**sc.client) as bili:
        await _async_close(sc, kind, state, bili)


async def _async_close(sc: Scene, kind: str, state: str, bili: AsyncClient) -> None:
    threads = _ours()
    conn = _async_conn(kind, bili, **sc.conn)
    opener = asyncio.get_running_loop().create_task(conn.open(), name="test-opener")
    deadline = time.monotonic() + 10
    while not sc.reached():
        assert time.monotonic() < deadline, f"never reached: {kind} {state}"
        await asyncio.sleep(0.005)
    if sc.opens:
        await asyncio.wait_for(opener, 10)
    if sc.after_open is not None:
        sc.after_open()
    await asyncio.sleep(sc.settle)
    started = time.perf_counter()
    await conn.close()
    took = time.perf_counter() - started
    assert took < BUDGET, f"close() took {took:.2f} s while {state}"
    assert await asyncio.wait_for(opener, BUDGET) is conn
    assert conn.closed and conn.state == "closed"
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("bilibili-sdk")]
    assert not _settle_threads(threads), "the async flavour started a thread"


def test_an_interrupted_lookup_fails_at_once_and_is_not_retried(
    stack: contextlib.ExitStack,
) -> None:
    """The mechanism under the sync close(): a Scope cancels the blocked read of the
    client's own pool, and the GET, although safe to retry, is not sent again."""
    from bilibili_sdk import NetworkException
    from bilibili_sdk._interrupt import Scope

    mock = MockBilibili()
    release = threading.Event()
    stack.callback(release.set)
    body = mock.examples["video.get_info"]
    mock.set_response("video.get_info", lambda rec: release.wait(15) and body)
    served = stack.enter_context(mock.serve())
    bili = stack.enter_context(Client(base_urls=served.base_urls, max_retries=2))
    scope = Scope()
    timer = threading.Timer(0.3, scope.cancel)
    timer.start()
    started = time.perf_counter()
    with scope.active(), pytest.raises(NetworkException):
        bili.video.get_info("BV1uv411q7Mv")
    assert time.perf_counter() - started < BUDGET
    assert mock.count("video.get_info") == 1
    release.set()
    assert bili.video.get_info("BV1uv411q7Mv").bvid  # outside the scope: untouched

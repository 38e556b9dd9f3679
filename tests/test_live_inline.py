"""The async driver's inline receive path (live/_inline.py, AsyncStream._inline).

Whole binary messages run the session on inside the socket's data_received while the
driver waits; anything else (an awaitable handler result, a lifecycle event, a heartbeat
to send) goes back to the task. These tests pin what must not change: order, exactly-once
delivery, handlers awaited in order, flow control, the receive deadline, and the fallback
to websockets' own queue for text and fragmented messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest

from bilibili_sdk import AsyncClient
from bilibili_sdk.live import AsyncLiveConnection, DanmakuMessage, _inline, encode_packet
from bilibili_sdk.testing import MockBilibili, MockLiveServer

from .test_live_ws import atake, dm, texts

N = 40
# No heartbeat falls due (a busy machine must not make one late and reconnect).
QUIET: dict[str, Any] = {"backoff": (0.01, 0.05), "open_timeout": 3.0}


@pytest.fixture
def server() -> Iterator[MockLiveServer]:
    with MockLiveServer() as s:
        yield s


@pytest.fixture
async def abili(server: MockLiveServer) -> AsyncGenerator[AsyncClient, None]:
    async with AsyncClient(transport=server.configure(MockBilibili()).transport()) as c:
        yield c


def _frame(i: int) -> bytes:
    return encode_packet(5, dm(i), protover=0)


async def _parked(conn: AsyncLiveConnection) -> None:
    """Until the driver waits for a frame with its inline sink set."""
    for _ in range(1000):
        ws = conn._ws
        if ws is not None and ws.sink is not None:
            return
        await asyncio.sleep(0.002)
    raise AssertionError("the driver never waited on the inline path")


@pytest.mark.anyio
async def test_mixed_handlers_run_in_order_for_every_frame(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **QUIET)
    log: list[str] = []

    @conn.on("DANMU_MSG")
    async def first(ev: DanmakuMessage) -> None:
        log.append(f"a:{ev.text}")
        if int(ev.text[1:]) % 7 == 0:
            await asyncio.sleep(0.01)  # frames queue up meanwhile
        log.append(f"a-end:{ev.text}")

    @conn.on("DANMU_MSG")
    def second(ev: DanmakuMessage) -> Any:
        log.append(f"b:{ev.text}")
        if int(ev.text[1:]) % 5 == 0:
            return asyncio.sleep(0.002)  # a plain function returning an awaitable
        return None

    conn.on("__ALL__")(lambda ev: log.append(f"all:{ev.text}") if hasattr(ev, "text") else None)
    async with conn:
        for i in range(N):
            server.send_raw(_frame(i))
            if i % 3 == 0:
                await asyncio.sleep(0)
        await server.await_until(lambda: len(log) == 4 * N)
    expected = []
    for i in range(N):
        expected += [f"a:m{i}", f"a-end:m{i}", f"b:m{i}", f"all:m{i}"]
    assert log == expected


@pytest.mark.anyio
async def test_reading_pauses_while_messages_wait_and_resumes(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **QUIET)
    release = asyncio.Event()
    got: list[str] = []
    paused: list[bool] = []

    @conn.on("DANMU_MSG")
    async def slow(ev: DanmakuMessage) -> None:
        if ev.text == "m0":
            await release.wait()
        got.append(ev.text)

    async with conn:
        await _parked(conn)
        ws = conn._ws
        assert ws is not None
        for i in range(_inline.HIGH + 10):
            server.send_raw(_frame(i))
        await server.await_until(lambda: ws._paused)
        paused.append(ws._paused)
        assert len(ws.messages) >= _inline.HIGH
        release.set()
        await server.await_until(lambda: len(got) == _inline.HIGH + 10)
        assert not ws._paused and not ws.messages
        server.send_raw(_frame(99))  # reading resumed: more still arrives
        await server.await_until(lambda: len(got) == _inline.HIGH + 11)
    assert paused == [True]
    assert got == [f"m{i}" for i in range(_inline.HIGH + 10)] + ["m99"]


@pytest.mark.anyio
async def test_a_text_frame_switches_to_websockets_queue_in_order(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **QUIET)
    errors: list[Any] = []
    conn.on("ERROR")(errors.append)
    async with conn:
        await _parked(conn)
        server.send_raw(_frame(0))
        server.send_raw("a text frame")
        for i in range(1, 5):
            server.send_raw(_frame(i))
        got = await atake(conn, 5)
        assert conn._ws is not None and conn._ws.queued
    assert texts(got) == [f"m{i}" for i in range(5)]
    assert [e.reason for e in errors] == ["bad frame"]
    assert "expected a binary frame" in str(errors[0].error)


@pytest.mark.anyio
async def test_a_deadline_and_a_frame_at_once_lose_nothing(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    """The receive deadline fires, then a frame is parsed before the task wakes: the frame
    waits for the task (no inline run after the deadline) and arrives exactly once, and
    the heartbeat that fell due is sent."""
    import time

    from websockets.frames import Frame, Opcode

    conn = AsyncLiveConnection(abili, 3, heartbeat_timeout=300.0, **QUIET)
    offset = 0.0
    conn._session.clock = lambda: time.monotonic() + offset
    got: list[str] = []
    conn.on("DANMU_MSG")(lambda ev: got.append(ev.text))
    async with conn:
        for i in range(10):
            await _parked(conn)
            ws = conn._ws
            assert ws is not None and conn._timer is not None
            beats = server.heartbeat_count
            conn._timer.cancel()
            offset += 31.0  # the next heartbeat is due: what the timer would find
            conn._expire()
            assert ws.sink is None
            ws.process_event(Frame(Opcode.BINARY, _frame(i)))
            await server.await_until(lambda i=i: len(got) == i + 1)  # type: ignore[misc]
            await server.await_until(lambda b=beats: server.heartbeat_count > b)  # type: ignore[misc]
    assert got == [f"m{i}" for i in range(10)]


@pytest.mark.anyio
async def test_close_from_a_handler_delivers_nothing_more(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    conn = AsyncLiveConnection(abili, 3, **QUIET)
    got: list[str] = []

    def on_dm(ev: DanmakuMessage) -> None:
        got.append(ev.text)
        if ev.text == "m2":
            conn._closing = True  # what close() sets first, as a sync handler's task would

    conn.on("DANMU_MSG")(on_dm)
    async with conn:
        await _parked(conn)
        server.push(*[dm(i) for i in range(6)])
        await server.await_until(lambda: conn._finished)
    assert got == ["m0", "m1", "m2"]

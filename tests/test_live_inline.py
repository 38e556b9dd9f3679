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


# ------------------------------------------------------------ frames read from the bytes
def _ws_frame(payload: bytes, *, opcode: int = 2, fin: bool = True, rsv1: bool = False) -> bytes:
    """A server-to-client websocket frame (unmasked), length in 7, 16 or 64 bits."""
    from websockets.frames import Frame, Opcode

    data = Frame(Opcode(opcode), payload, fin=fin).serialize(mask=False, extensions=[])
    return bytes([data[0] | 0x40]) + data[1:] if rsv1 else data


class _Protocol:
    max_message_size: int | None = 1 << 20


class _Sink(_inline.LiveClientConnection):
    """Just enough of a connection to run `_read_frames` on bytes."""

    def __init__(self) -> None:  # no socket: only the fields _read_frames and _binary use
        self.protocol = _Protocol()  # type: ignore[assignment]
        self._pending = None
        self._want = 0
        self._clean = False
        self.messages = __import__("collections").deque()
        self.got: list[bytes] = []
        self.sink = self.got.append
        self.waiter = None
        self._paused = False


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_whole_binary_frames_are_read_from_the_bytes_at_every_length(size: int) -> None:
    conn = _Sink()
    payloads = [bytes([i]) * size for i in range(3)]
    data = b"".join(_ws_frame(p) for p in payloads)
    assert conn._read_frames(data) == (len(data), 0)
    assert conn.got == payloads


@pytest.mark.parametrize(
    ("tail", "why"),
    [
        (_ws_frame(b"ping", opcode=9), "a control frame: websockets answers it"),
        (_ws_frame(b"text", opcode=1), "a text frame"),
        (_ws_frame(b"part", fin=False), "a fragment"),
        (_ws_frame(b"rsv", rsv1=True), "an extension bit"),
        (bytes([0x82, 0x84]) + b"mask" + b"data", "a masked frame (a protocol error)"),
        (_ws_frame(b"x" * ((1 << 20) + 1)), "a frame over max_size (websockets refuses it)"),
    ],
)
def test_anything_else_is_left_to_websockets_from_its_first_byte(tail: bytes, why: str) -> None:
    conn = _Sink()
    head = _ws_frame(b"first")
    data = head + tail + _ws_frame(b"after")
    assert conn._read_frames(data) == (len(head), 0), why
    assert conn.got == [b"first"]


def test_a_cut_frame_is_kept_and_read_when_its_rest_arrives_at_every_cut() -> None:
    frames = [_ws_frame(b"a" * 3), _ws_frame(b"b" * 300), _ws_frame(b"c" * 70_000)]
    data = b"".join(frames)
    starts = [0, len(frames[0]), len(frames[0]) + len(frames[1]), len(data)]
    for cut in range(1, len(data)):
        conn = _Sink()
        pos, want = conn._read_frames(data[:cut])
        assert pos == max(s for s in starts if s <= cut), cut
        assert len(conn.got) == starts.index(pos)
        # what is left must grow to `want` bytes before it can be read on
        if cut == pos:
            assert want == 0
        else:
            assert cut - pos < want <= len(frames[starts.index(pos)]), cut


@pytest.mark.anyio
@pytest.mark.parametrize("step", [1, 3, 997, 65536])
async def test_frames_cut_by_every_read_size_never_reach_websockets(step: int) -> None:
    from websockets.protocol import Protocol, Side, State

    conn = _inline.LiveClientConnection(Protocol(Side.CLIENT, state=State.OPEN))
    conn.response = object()  # type: ignore[assignment]  # past the handshake
    got: list[bytes] = []
    conn.sink = got.append
    conn.protocol.recv_frame = got.append  # type: ignore[method-assign,assignment]
    payloads = [b"a" * 3, b"b" * 300, b"c" * 70_000, b"d"]
    data = b"".join(_ws_frame(p) for p in payloads)
    for i in range(0, len(data), step):
        conn.data_received(data[i : i + step])
    assert got == payloads  # every one through the sink, none as a websockets Frame
    assert conn._pending is None


@pytest.mark.anyio
async def test_frames_split_anywhere_by_the_socket_arrive_once_in_order(
    server: MockLiveServer, abili: AsyncClient
) -> None:
    """Bytes fed to data_received in random cuts: whole frames are read from the bytes, the
    cut ones (and a ping) go through websockets' parser, and nothing is lost or doubled."""
    import random

    conn = AsyncLiveConnection(abili, 3, **QUIET)
    got: list[str] = []
    conn.on("DANMU_MSG")(lambda ev: got.append(ev.text))
    n = 300
    frames: list[bytes] = []
    for i in range(n):
        text = "x" * 70_000 if i == 150 else f"m{i}"  # one frame with a 64-bit length
        frames.append(_ws_frame(encode_packet(5, dm(i, text), protover=0)))
        if i % 50 == 25:
            frames.append(_ws_frame(b"", opcode=9))  # a ping between frames
    # Groups of frames, each sent whole or in random cuts: websockets' parser takes the cut
    # ones (and keeps any half frame), the reads that start at a boundary skip it.
    rng = random.Random(7)
    chunks: list[bytes] = []
    i = 0
    while i < len(frames):
        k = rng.randint(1, 4)
        group = b"".join(frames[i : i + k])
        i += k
        cuts = sorted(
            rng.sample(range(1, len(group)), min(rng.choice([0, 0, 1, 3]), len(group) - 1))
        )
        chunks += [group[a:b] for a, b in zip([0, *cuts], [*cuts, len(group)], strict=True)]
    async with conn:
        await _parked(conn)
        ws = conn._ws
        assert ws is not None
        seen: list[int] = []
        recv_frame = ws.protocol.recv_frame

        def spy(frame: Any) -> None:
            seen.append(frame.opcode.value)
            recv_frame(frame)

        ws.protocol.recv_frame = spy  # type: ignore[method-assign]
        ws.transport.pause_reading()  # the socket's own bytes (heartbeat replies) wait
        for chunk in chunks:
            ws.data_received(chunk)
            await asyncio.sleep(0)
        ws.transport.resume_reading()
        await server.await_until(lambda: len(got) == n)
    assert got == [f"m{i}" if i != 150 else "x" * 70_000 for i in range(n)]
    assert seen.count(9) == 6  # the pings, all through websockets
    # frames go through websockets only after a cut control frame, until a read ends
    # at a frame boundary again
    assert seen.count(2) < n // 10


@pytest.mark.anyio
async def test_a_payload_after_a_header_read_alone_is_never_taken_for_frames() -> None:
    """websockets took a header and waits for its payload with nothing buffered: the next
    bytes are payload, even when they look like whole frames."""
    from websockets.protocol import Protocol, Side, State

    conn = _inline.LiveClientConnection(Protocol(Side.CLIENT, state=State.OPEN))
    conn.response = object()  # type: ignore[assignment]  # past the handshake
    got: list[bytes] = []
    conn.sink = got.append
    inner = _ws_frame(b"looks like a frame") * 3
    frame = _ws_frame(inner)
    cut = len(frame) - len(inner)
    conn.data_received(frame[:cut])  # the header alone
    assert not conn.protocol.reader.buffer and got == []
    conn.data_received(frame[cut:])
    assert got == [inner]
    conn.data_received(inner)  # and at a boundary again, frames are frames
    assert got == [inner, *[b"looks like a frame"] * 3]

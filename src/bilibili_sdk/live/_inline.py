"""The asyncio websocket connection of the live driver: whole binary messages go straight to
the driver as websockets parses them, inside `data_received`.

websockets' own connection queues every frame in its `Assembler` and wakes the task waiting
in `recv()`: per frame a future, a task step and two queue operations. Here, while the
driver waits for a frame, a whole (unfragmented) binary message is handed to its `sink`
callback at once, which runs the session on synchronously as long as it only receives and
delivers (see `AsyncStream._inline`). Otherwise, messages wait in `messages` (reading paused
past `HIGH` of them, resumed at `LOW`) for the driver to `take()`.

Text and fragmented messages, which Bilibili does not send, go to websockets' `Assembler`
as usual; from the first of them on, every message does (`queued`), which keeps the order,
and the driver reads with `recv()`.

`data_received` also reads the frames Bilibili does send (unfragmented, unmasked, binary, no
extension bits) straight from the socket's bytes, while websockets' parser waits at a frame
boundary with nothing buffered, keeping a frame cut by a read until its rest arrives.
Anything else (a control or text frame, an oversized one) goes to websockets from its first
byte on, so its parser never sees half a frame. This saves websockets' Python frame parser,
a fifth of the CPU of a one-notice frame.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

__all__ = ["HIGH", "LOW", "LiveClientConnection"]

HIGH = 16
"""Messages waiting for the driver before reading pauses (websockets' default `max_queue`)."""
LOW = 4
"""Messages waiting at which reading resumes."""

_BINARY = Opcode.BINARY
_DATA = frozenset({Opcode.TEXT, Opcode.BINARY, Opcode.CONT})
_OPEN = State.OPEN
_AT_EOF = StreamReader.at_eof.__code__
"""Where websockets' parser waits between frames (and only there) for more bytes."""
_FIN_BINARY = 0x82
"""First header byte of a whole binary frame: FIN, no RSV bits, opcode 2."""


class LiveClientConnection(ClientConnection):
    """A `ClientConnection` that hands whole binary messages to `sink` or queues them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: deque[bytes] = deque()
        self.sink: Callable[[bytes], None] | None = None
        """Set by the driver while it waits for a frame; must not raise."""
        self.waiter: asyncio.Future[None] | None = None
        """Set by the driver while it waits: resolved when a message is queued or the
        connection is lost."""
        self.queued = False
        """A message went to websockets' Assembler: read everything with `recv()` from now."""
        self.lost = False
        """The connection is closed: `recv()` raises its ConnectionClosed."""
        self._paused = False
        self._pending: bytearray | None = None
        """The start of a binary frame read from the bytes, until `_want` bytes are here."""
        self._want = 0
        self._clean = False
        """`_at_boundary()` held, and websockets got no bytes since."""

    def data_received(self, data: bytes) -> None:
        pending = self._pending
        if pending is not None:  # the start of a binary frame, waiting for the rest
            pending += data
            if len(pending) < self._want:
                return
            data = bytes(pending)
            self._pending = None
        elif not (self._clean and self.protocol.state is _OPEN):
            if self.response is None or self.queued or not self._at_boundary():
                self._clean = False
                super().data_received(data)
                return
            self._clean = True  # websockets holds nothing until it is given bytes again
        pos, want = self._read_frames(data)
        if want:
            self._pending = bytearray(data[pos:])
            self._want = want
        elif pos < len(data):
            self._clean = False
            super().data_received(data[pos:])

    def _at_boundary(self) -> bool:
        """websockets' parser holds no bytes and waits for the next frame's header."""
        protocol = self.protocol
        if (
            protocol.state is not _OPEN
            or protocol.reader.buffer
            or protocol.current_size is not None
            or protocol.extensions
            or protocol.debug
        ):
            return False
        gen: Any = protocol.parser
        while (inner := gen.gi_yieldfrom) is not None:
            gen = inner
        return gen.gi_code is _AT_EOF

    def _read_frames(self, data: bytes) -> tuple[int, int]:
        """Hand on the whole binary frames at the start of `data`. Returns where the rest
        starts and, when the rest is the start of another binary frame, the length it must
        reach to be read on (else 0: the rest is for websockets)."""
        end = len(data)
        pos = 0
        limit = self.protocol.max_message_size
        while pos < end and data[pos] == _FIN_BINARY:
            if end - pos < 2:
                return pos, 2
            size = data[pos + 1]  # the mask bit (a server must not set it) fails every test
            head = pos + 2
            if size == 126:
                if end - head < 2:
                    return pos, 4
                size = int.from_bytes(data[head : head + 2], "big")
                head += 2
            elif size == 127:
                if end - head < 8:
                    return pos, 10
                size = int.from_bytes(data[head : head + 8], "big")
                head += 8
            elif size > 127:
                break
            if limit is not None and size > limit:
                break  # websockets fails the connection
            stop = head + size
            if stop > end:
                return pos, stop - pos
            pos = stop
            self._binary(data[head:stop])
        return pos, 0

    def _binary(self, data: bytes) -> None:
        sink = self.sink
        if sink is not None and not self.messages:
            sink(data)
            return
        self.messages.append(data)
        if len(self.messages) >= HIGH and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self.wake()

    def process_event(self, event: Any) -> None:
        if (
            type(event) is Frame
            and event.opcode is _BINARY
            and event.fin
            and not self.queued
            and self.response is not None
        ):
            data = event.data
            self._binary(data if type(data) is bytes else bytes(data))
            return
        if self.response is not None and isinstance(event, Frame) and event.opcode in _DATA:
            self.queued = True
            self.wake()
        super().process_event(event)

    def take(self) -> bytes | None:
        """The oldest queued message, or None."""
        messages = self.messages
        if not messages:
            return None
        data = messages.popleft()
        if self._paused and len(messages) <= LOW:
            self._paused = False
            self.transport.resume_reading()
        return data

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.lost = True
        self.wake()

    def wake(self) -> None:
        """Resolve the driver's `waiter`, if it waits."""
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

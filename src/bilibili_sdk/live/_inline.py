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
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode

__all__ = ["HIGH", "LOW", "LiveClientConnection"]

HIGH = 16
"""Messages waiting for the driver before reading pauses (websockets' default `max_queue`)."""
LOW = 4
"""Messages waiting at which reading resumes."""

_BINARY = Opcode.BINARY
_DATA = frozenset({Opcode.TEXT, Opcode.BINARY, Opcode.CONT})


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

    def process_event(self, event: Any) -> None:
        if (
            type(event) is Frame
            and event.opcode is _BINARY
            and event.fin
            and not self.queued
            and self.response is not None
        ):
            data = event.data
            if type(data) is not bytes:
                data = bytes(data)
            sink = self.sink
            if sink is not None and not self.messages:
                sink(data)
                return
            self.messages.append(data)
            if len(self.messages) >= HIGH and not self._paused:
                self._paused = True
                self.transport.pause_reading()
            self.wake()
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

"""The asynchronous driver: one asyncio task runs the session, awaiting the socket with
timeouts (so heartbeats need no second task), and feeds handlers and iterators.

The receive timeout costs nothing per frame: one timer per connection, armed when the
session's deadline changes (a heartbeat is due), which resolves the future the task waits
on (or cancels its `recv()` on websockets' own queue, which is cancellation-safe).
`asyncio.wait_for` per receive would create a task, a timer and two extra event-loop turns
for every frame.

Frames do not wake the task either: while it waits, the socket (`_inline.py`) hands each
whole binary message to `_inline`, which runs the session on inside `data_received` for as
long as it only receives and delivers to plain handlers. An awaitable handler result, a
lifecycle event, a heartbeat to send or the end goes back to the task, which goes on from
there; messages that come meanwhile wait in the socket's queue, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import math
from collections.abc import AsyncGenerator, Awaitable, Generator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .._exceptions import LiveException
from ._base import StreamBase
from ._events import LiveEvent
from ._session import (
    AUTHENTICATED,
    CloseSocket,
    Connect,
    ConnectFailed,
    ConnectionEvent,
    ConnectionLost,
    Deliver,
    Fetch,
    Op,
    Recv,
    Send,
    Session,
    Sleep,
)
from ._setup import live_session

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._inline import LiveClientConnection

__all__ = ["AsyncLiveConnection", "AsyncStream"]

E = TypeVar("E")
S = TypeVar("S", bound="AsyncStream[Any]")


class _Pending(NamedTuple):
    """The rest of a delivery the inline path began: a handler returned an awaitable."""

    result: Awaitable[Any]
    name: str
    event: Any
    handlers: list[Any]
    """The event's handlers still to call, after awaiting `result`."""
    events: list[Any]
    """The events still to deliver after this one."""


_ADVANCED = object()
"""Returned for a Recv when the inline path ran the flow on; `_next` says where it stopped."""


class AsyncStream(StreamBase[E]):
    """Runs a `Session` in a task. Subclasses only build the session."""

    def __init__(self, client: AsyncClient, session: Session) -> None:
        super().__init__(client, session)
        self._task: asyncio.Task[None] | None = None
        self._ws: LiveClientConnection | None = None
        self._ready = asyncio.Event()
        self._wake = asyncio.Event()
        # The receive deadline: one timer, re-armed only when the deadline changes.
        self._timer: asyncio.TimerHandle | None = None
        self._armed = math.nan  # the deadline the timer is (or was) set for
        self._receiving = False
        self._expired = False
        self._flow: Generator[Op, Any, None] | None = None
        self._next: Any = None
        """What the inline path left the task: the flow's next operation, or its end."""

    # ------------------------------------------------------------ lifetime
    async def open(self: S) -> S:
        """Connect and authenticate; events then flow in the background (a thread, or an
        asyncio task for the Async* classes).

        Raises:
            LiveException: it could not connect (after the retries) or auth was rejected.
            ApiException: a lookup failed in a way retrying cannot fix (e.g. no such room).
        """
        if self._closing:
            raise LiveException(f"{self._label}: the connection is closed")
        if not self._started:
            self._started = True
            self.state = "connecting"
            self._task = asyncio.get_running_loop().create_task(
                self._drive(), name=f"bilibili-sdk {self._label}"
            )
        try:
            await self._ready.wait()
        except BaseException:  # cancelled while connecting: leave nothing running
            await self.close()
            raise
        if self._finished and self._error is not None and not self._closing:
            raise self._error
        return self

    async def close(self) -> None:
        """Stop the background thread or task and close the socket. Safe to call twice, and
        from a handler. Returns within a second in any state (looking up, connecting,
        handshaking, reading, backing off) and leaves no thread or task behind; a handler
        under way is waited for (up to 10 s) in a thread, cancelled in a task."""
        self._closing = True
        self._wake.set()
        task = self._task
        if task is None or task.done():
            return
        if task is asyncio.current_task():
            return  # called by a handler: the driver stops after this delivery
        task.cancel()
        await asyncio.wait({task})

    async def run(self) -> None:
        """Deliver events to the handlers until close() (or until the stream gives up,
        raising its error). Events are not kept for iteration meanwhile."""
        self._discard = True
        try:
            await self.open()
            task = self._task
            if task is not None and task is not asyncio.current_task():
                await asyncio.wait({task})
            if self._error is not None and not self._closing:
                raise self._error
        except BaseException:
            await self.close()  # cancelled, or the stream's error: leave nothing running
            raise
        finally:
            self._discard = False

    def __aiter__(self) -> AsyncGenerator[E, None]:
        """Typed events in order. Opens the connection if needed (and then closes it when
        the loop ends); stops after close(); raises the error the stream gave up with."""
        return self._iterate()

    async def _iterate(self) -> AsyncGenerator[E, None]:
        opened_here = not self._started
        if opened_here:
            await self.open()
        try:
            while True:
                while not (self._buffer or self._finished or self._closing):
                    self._wake.clear()
                    await self._wake.wait()
                if self._closing:
                    return
                if not self._buffer:
                    if self._error is not None:
                        raise self._error
                    return
                yield self._buffer.popleft()
        finally:
            if opened_here:
                await self.close()

    async def __aenter__(self: S) -> S:
        return await self.open()

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ------------------------------------------------------------ the driver task
    async def _drive(self) -> None:
        flow = self._flow = self._session.flow()
        value: Any = None
        exc: BaseException | None = None
        error: BaseException | None = None
        op: Op | _Pending | None = None
        try:
            while not self._closing:
                if op is None:
                    try:
                        op = flow.send(value) if exc is None else flow.throw(exc)
                    except StopIteration:
                        break
                current, op = op, None
                value = exc = None
                try:
                    value = await self._perform(current)
                except (ConnectFailed, ConnectionLost) as e:
                    exc = e
                except Exception as e:
                    if not isinstance(current, Fetch):
                        raise
                    exc = e
                if value is _ADVANCED:  # the inline path ran the flow on (see _inline)
                    value = None
                    step, self._next = self._next, None
                    if isinstance(step, StopIteration):
                        break
                    if isinstance(step, BaseException):
                        raise step
                    op = step
        except Exception as e:
            error = e
        finally:
            flow.close()
            await self._close_socket()
            await self._finish(error)

    async def _perform(self, op: Op | _Pending) -> Any:
        if isinstance(op, Recv):
            ws = self._ws
            if ws is None:
                raise ConnectionLost("no open socket")
            if not self._arm(op):
                return None
            while True:
                data = ws.take()
                if data is not None:
                    return data
                if ws.queued or ws.lost:
                    break  # websockets' own queue (and its ConnectionClosed) from here
                # Wait; whole binary messages run the flow on inside data_received meanwhile.
                waiter = asyncio.get_running_loop().create_future()
                ws.waiter = waiter
                ws.sink = self._inline
                self._receiving = True
                try:
                    await waiter  # the deadline timer resolves it too (no cancellation)
                finally:
                    expired = self._expired
                    ws.sink = ws.waiter = None
                    self._receiving = self._expired = False
                if self._next is not None:
                    return _ADVANCED
                if expired:
                    return None
            self._receiving = True
            try:
                return await ws.recv()
            except asyncio.CancelledError:
                if not self._expired or self._closing:
                    raise
                self._uncancel()
                return None
            except Exception as e:
                raise ConnectionLost(f"{type(e).__name__}: {e}") from e
            finally:
                self._receiving = self._expired = False
        if isinstance(op, _Pending):  # an awaitable handler result the inline path met
            try:
                await op.result
            except Exception as e:
                self._handler_failed(op.name, e)
            for handler in op.handlers:
                await self._call(handler, op.name, op.event)
            return await self._perform(Deliver(op.events))
        if isinstance(op, Deliver):
            for event in op.events:
                if self._closing:  # close() from a handler: deliver nothing more
                    break
                if isinstance(event, ConnectionEvent):
                    await self._deliver(event)
                    continue
                if not self._discard:  # room events, inline: the per-frame path
                    self._keep(event)
                    self._wake.set()
                await self._dispatch(event)
            return None
        if isinstance(op, Send):
            ws = self._ws
            if ws is None:
                raise ConnectionLost("no open socket")
            try:
                await ws.send(op.data)
            except Exception as e:
                raise ConnectionLost(f"{type(e).__name__}: {e}") from e
            return None
        if isinstance(op, Fetch):
            return await self._target(op.method)(**op.kwargs)
        if isinstance(op, Connect):
            await self._close_socket()
            from websockets.asyncio.client import connect

            from ._inline import LiveClientConnection

            try:
                conn = await connect(
                    op.url, create_connection=LiveClientConnection, **self._ws_options(op)
                )
            except Exception as e:
                raise ConnectFailed(f"{op.url}: {type(e).__name__}: {e}") from e
            assert isinstance(conn, LiveClientConnection)
            self._ws = conn
            return None
        if isinstance(op, CloseSocket):
            await self._close_socket()
            return None
        if isinstance(op, Sleep):
            await asyncio.sleep(op.seconds)
            return None
        raise TypeError(f"unknown operation {op!r}")  # pragma: no cover

    def _arm(self, op: Recv) -> bool:
        """Keep one timer for the receive deadline; False when it has passed already."""
        if op.deadline != self._armed:
            self._disarm()
            if op.timeout <= 0:
                return False
            self._armed = op.deadline
            self._timer = asyncio.get_running_loop().call_later(op.timeout, self._expire)
        elif self._timer is None:  # this deadline has passed already
            return False
        return True

    def _uncancel(self) -> None:
        uncancel = getattr(self._task, "uncancel", None)  # Python >= 3.11
        if uncancel is not None:
            uncancel()

    def _inline(self, frame: bytes) -> None:
        """A message arrived while the driver waits at a Recv (called inside the socket's
        data_received). Runs the flow on here, without waking the task, as long as it only
        receives and delivers to plain handlers; hands anything else over to the task
        (its next operation, its end or its error, in `_next`). Never raises."""
        flow = self._flow
        assert flow is not None
        step: Any
        op: Op | _Pending
        try:
            op = flow.send(frame)
            while True:
                if type(op) is Recv:
                    if not self._closing and self._arm(op):
                        return  # wait on: the task stays parked
                elif type(op) is Deliver and not self._closing:
                    pending = self._deliver_now(op.events)
                    if pending is None:
                        op = flow.send(None)
                        continue
                    op = pending
                break
            step = op
        except BaseException as e:  # StopIteration, or the flow's error: the task raises it
            step = e
        self._next = step
        ws = self._ws
        if ws is not None:
            ws.sink = None
            ws.wake()
        self._receiving = False  # the deadline timer must not cancel the task now

    def _deliver_now(self, events: list[Any]) -> Deliver | _Pending | None:
        """Deliver room events synchronously; what is left for the task when a handler
        returned an awaitable or a lifecycle event comes (None when all went out)."""
        for i, event in enumerate(events):
            if self._closing:
                return None
            if isinstance(event, ConnectionEvent):
                return Deliver(events[i:])
            if not self._discard:
                self._keep(event)
                self._wake.set()
            name = self._name(event)
            handlers = self._targets(name)
            for j, handler in enumerate(handlers):
                try:
                    result = handler(event)
                except Exception as e:
                    self._handler_failed(name, e)
                    continue
                if result is not None and inspect.isawaitable(result):
                    return _Pending(result, name, event, handlers[j + 1 :], events[i + 1 :])
        return None

    def _expire(self) -> None:
        """The receive deadline: wake the task if it is waiting for a frame."""
        self._timer = None
        if self._receiving and self._task is not None:
            self._expired = True
            ws = self._ws
            if ws is not None and ws.waiter is not None:  # parked: no inline run from here
                ws.sink = None
                ws.wake()
            else:  # in websockets' recv()
                self._task.cancel()

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._armed = math.nan

    async def _close_socket(self) -> None:
        self._disarm()
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to do
                await ws.close()

    async def _deliver(self, event: Any) -> None:
        if isinstance(event, ConnectionEvent):
            self._note(event)
            if event.name == AUTHENTICATED:
                self._ready.set()
        else:
            self._keep(event)
            self._wake.set()
        await self._dispatch(event)

    async def _dispatch(self, event: Any) -> None:
        name = self._name(event)
        for handler in self._targets(name):
            await self._call(handler, name, event)

    async def _call(self, handler: Any, name: str, event: Any) -> None:
        try:
            result = handler(event)
            if result is not None and inspect.isawaitable(result):
                await result
        except Exception as e:
            self._handler_failed(name, e)

    async def _finish(self, error: BaseException | None) -> None:
        try:
            for event in self._final_events(error):
                self._note(event)
                await self._dispatch(event)
        finally:
            self._error = error
            self._finished = True
            self._wake.set()
            self._ready.set()


class AsyncLiveConnection(AsyncStream[LiveEvent]):
    """A live room's danmaku websocket, asynchronous. Same options and behaviour as
    `LiveConnection`, with `await open()`, `await run()`, `await close()`, `async with`
    and `async for`; coroutine handlers are awaited in order."""

    def __init__(
        self,
        client: AsyncClient,
        room_id: int,
        *,
        heartbeat_interval: float = 30.0,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        protover: int = 3,
        hosts: Sequence[str] | None = None,
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        web_heartbeat: float | None = None,
    ) -> None:
        session, self._room = live_session(
            client,
            room_id,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            reconnect=reconnect,
            max_retries=max_retries,
            backoff=backoff,
            protover=protover,
            hosts=hosts,
            open_timeout=open_timeout,
            max_queue=max_queue,
            web_heartbeat=web_heartbeat,
            sync=False,
        )
        super().__init__(client, session)

    @property
    def room_id(self) -> int | None:
        """The real room id, once resolved (None before the first connection)."""
        return self._room.room_id

"""The synchronous driver: one daemon thread runs the session, blocking on the socket with
timeouts (so heartbeats need no second thread), and feeds handlers and iterators.

close() from another thread must not wait out a blocking call, so every one of them can be
interrupted: lookups through an `_interrupt.Scope`, the TCP connect and the handshakes by
shutting down the socket being opened, an open websocket by closing it (the closing
handshake waits at most CLOSE_TIMEOUT), and the backoff by an Event.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _interrupt
from .._exceptions import LiveException
from ._base import JOIN_TIMEOUT, StreamBase, logger
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
    from websockets.sync.client import ClientConnection

    from .._client import Client

__all__ = ["LiveConnection", "SyncStream"]

E = TypeVar("E")
S = TypeVar("S", bound="SyncStream[Any]")


class _Stopped(Exception):
    """close() was called while an operation was under way."""


class SyncStream(StreamBase[E]):
    """Runs a `Session` in a thread. Subclasses only build the session."""

    def __init__(self, client: Client, session: Session) -> None:
        super().__init__(client, session)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws: ClientConnection | None = None
        self._opening: socket.socket | None = None  # the socket being opened, for close()
        self._lookups = _interrupt.Scope()

    # ------------------------------------------------------------ lifetime
    def open(self: S) -> S:
        """Connect and authenticate; events then flow in the background (a thread, or an
        asyncio task for the Async* classes).

        Raises:
            LiveException: it could not connect (after the retries) or auth was rejected.
            ApiException: a lookup failed in a way retrying cannot fix (e.g. no such room).
        """
        with self._cond:
            if self._closing:
                raise LiveException(f"{self._label}: the connection is closed")
            if not self._started:
                self._started = True
                self.state = "connecting"
                self._thread = threading.Thread(
                    target=self._drive, name=f"bilibili-sdk {self._label}", daemon=True
                )
                self._thread.start()
        try:
            self._ready.wait()
        except BaseException:  # Ctrl-C while connecting: leave nothing running
            self.close()
            raise
        with self._cond:
            if self._finished and self._error is not None and not self._closing:
                raise self._error
        return self

    def close(self) -> None:
        """Stop the background thread or task and close the socket. Safe to call twice, and
        from a handler. Returns within a second in any state (looking up, connecting,
        handshaking, reading, backing off) and leaves no thread or task behind; a handler
        under way is waited for (up to 10 s) in a thread, cancelled in a task."""
        with self._cond:
            self._closing = True
            self._stop.set()
            ws, opening = self._ws, self._opening
            self._cond.notify_all()
        self._lookups.cancel()
        if opening is not None:
            _shutdown(opening)
        if ws is not None:
            _close_quietly(ws)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(JOIN_TIMEOUT)
            if thread.is_alive():
                logger.warning("%s: the reader thread did not stop in time", self._label)

    def run(self) -> None:
        """Deliver events to the handlers until close() (or until the stream gives up,
        raising its error). Events are not kept for iteration meanwhile."""
        self._discard = True
        try:
            self.open()
            with self._cond:
                while not (self._finished or self._closing):
                    self._cond.wait()
            thread = self._thread
            if thread is not None and thread is not threading.current_thread():
                thread.join(JOIN_TIMEOUT)
            if self._error is not None and not self._closing:
                raise self._error
        except BaseException:
            self.close()  # Ctrl-C or the stream's error: leave nothing running
            raise
        finally:
            self._discard = False

    def __iter__(self) -> Iterator[E]:
        """Typed events in order. Opens the connection if needed (and then closes it when
        the loop ends); stops after close(); raises the error the stream gave up with."""
        opened_here = not self._started
        if opened_here:
            self.open()
        try:
            while True:
                with self._cond:
                    while not (self._buffer or self._finished or self._closing):
                        self._cond.wait()
                    if self._closing:
                        return
                    if not self._buffer:
                        if self._error is not None:
                            raise self._error
                        return
                    event = self._buffer.popleft()
                yield event
        finally:
            if opened_here:
                self.close()

    def __enter__(self: S) -> S:
        return self.open()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------ the driver thread
    def _drive(self) -> None:
        flow = self._session.flow()
        value: Any = None
        exc: BaseException | None = None
        error: BaseException | None = None
        try:
            while not self._stop.is_set():
                try:
                    op = flow.send(value) if exc is None else flow.throw(exc)
                except StopIteration:
                    break
                value = exc = None
                try:
                    value = self._perform(op)
                except _Stopped:
                    break
                except (ConnectFailed, ConnectionLost) as e:
                    if self._stop.is_set():
                        break
                    exc = e
                except Exception as e:
                    if not isinstance(op, Fetch):
                        raise
                    if self._stop.is_set():  # close() interrupted the lookup
                        break
                    exc = e
        except Exception as e:
            error = e
        finally:
            flow.close()
            self._close_socket()
            self._finish(error)

    def _perform(self, op: Op) -> Any:
        if isinstance(op, Recv):
            ws = self._ws
            if ws is None:
                raise ConnectionLost("no open socket")
            try:
                return ws.recv(timeout=op.timeout)
            except TimeoutError:
                return None
            except Exception as e:
                raise ConnectionLost(f"{type(e).__name__}: {e}") from e
        if isinstance(op, Deliver):
            for event in op.events:
                if self._closing:  # close() from a handler: deliver nothing more
                    break
                self._deliver(event)
            return None
        if isinstance(op, Send):
            ws = self._ws
            if ws is None:
                raise ConnectionLost("no open socket")
            try:
                ws.send(op.data)
            except Exception as e:
                raise ConnectionLost(f"{type(e).__name__}: {e}") from e
            return None
        if isinstance(op, Fetch):
            with self._lookups.active():
                return self._target(op.method)(**op.kwargs)
        if isinstance(op, Connect):
            self._close_socket()
            ws = self._connect(op)
            with self._cond:
                stopped = self._stop.is_set()
                if not stopped:
                    self._ws = ws
            if stopped:
                _close_quietly(ws)
                raise _Stopped
            return None
        if isinstance(op, CloseSocket):
            self._close_socket()
            return None
        if isinstance(op, Sleep):
            if self._stop.wait(op.seconds):
                raise _Stopped
            return None
        raise TypeError(f"unknown operation {op!r}")  # pragma: no cover

    def _connect(self, op: Connect) -> ClientConnection:
        """Open the websocket. Unless a proxy is in play, the TCP socket is ours, so close()
        can shut it down while connecting or in the TLS or websocket handshake."""
        from websockets.sync.client import connect

        options = self._ws_options(op)
        deadline = time.monotonic() + op.timeout
        sock = control = None
        try:
            if _direct(op.url, options):
                sock, control = self._open_tcp(op.url, op.timeout)
                options["sock"] = sock
                options.pop("proxy", None)
                options["open_timeout"] = max(0.001, deadline - time.monotonic())
            ws: ClientConnection = connect(op.url, **options)
            # We own the connection's lifetime (close() below), as `with` would; entering
            # it also tells websockets >= 17.1 that it is not a legacy, unmanaged use.
            ws.__enter__()
        except _Stopped:
            raise
        except Exception as e:
            if sock is not None:
                sock.close()
            if self._stop.is_set():
                raise _Stopped from e
            raise ConnectFailed(f"{op.url}: {type(e).__name__}: {e}") from e
        finally:
            if control is not None:
                with self._cond:
                    self._opening = None
                control.close()
        return ws

    def _open_tcp(self, url: str, timeout: float) -> tuple[socket.socket, socket.socket]:
        """A connected socket, and a duplicate of it that close() shuts down meanwhile (the
        duplicate stays valid when TLS wraps, and so detaches, the original)."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        error: OSError | None = None
        for family, kind, proto, _, address in socket.getaddrinfo(
            host, port, 0, socket.SOCK_STREAM
        ):
            sock = socket.socket(family, kind, proto)
            control = sock.dup()
            with self._cond:
                stopped = self._stop.is_set()
                if not stopped:
                    self._opening = control
            if stopped:
                sock.close()
                control.close()
                raise _Stopped
            try:
                sock.settimeout(timeout)
                sock.connect(address)
                sock.settimeout(None)
                return sock, control
            except OSError as e:
                error = e
                with self._cond:
                    self._opening = None
                sock.close()
                control.close()
                if self._stop.is_set():
                    raise _Stopped from e
        raise error if error is not None else OSError(f"no address found for {host}")

    def _close_socket(self) -> None:
        with self._cond:
            ws, self._ws = self._ws, None
        if ws is not None:
            _close_quietly(ws)

    def _deliver(self, event: Any) -> None:
        if isinstance(event, ConnectionEvent):
            self._note(event)
            if event.name == AUTHENTICATED:
                self._ready.set()
        else:
            with self._cond:
                self._keep(event)
                self._cond.notify_all()
        self._dispatch(event)

    def _dispatch(self, event: Any) -> None:
        name = self._name(event)
        for handler in self._targets(name):
            try:
                result = handler(event)
                if result is not None and inspect.isawaitable(result):
                    asyncio.run(_await(result))
            except Exception as e:
                self._handler_failed(name, e)

    def _finish(self, error: BaseException | None) -> None:
        for event in self._final_events(error):
            self._note(event)
            self._dispatch(event)
        with self._cond:
            self._error = error
            self._finished = True
            self._cond.notify_all()
        self._ready.set()


async def _await(aw: Any) -> Any:
    return await aw


def _close_quietly(ws: ClientConnection) -> None:
    with contextlib.suppress(Exception):  # already broken: nothing more to do
        ws.close()


def _shutdown(sock: socket.socket) -> None:
    """Wake a thread blocked on `sock` (connect, TLS, handshake): it fails at once."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _direct(url: str, options: dict[str, Any]) -> bool:
    """True when websockets would connect straight to the host (no proxy to go through)."""
    proxy = options.get("proxy", True)
    if proxy is None:
        return True
    if proxy is not True:
        return False
    from ._base import _proxy_supported

    if not _proxy_supported():  # websockets < 15 connects directly, always
        return True
    try:  # the environment's proxy for this URL, as websockets would find it
        from websockets.proxy import get_proxy
        from websockets.uri import parse_uri

        return get_proxy(parse_uri(url)) is None
    except ImportError:  # pragma: no cover
        return False


class LiveConnection(SyncStream[LiveEvent]):
    """A live room's danmaku websocket, synchronous.

    ```python
    with Client() as bili, LiveConnection(bili, 23058) as conn:
        for event in conn:              # typed events, in order
            if isinstance(event, DanmakuMessage):
                print(event.uname, event.text)
    ```

    or with handlers: `@conn.on("DANMU_MSG")`, then `conn.run()` until `conn.close()`.
    Nothing happens until `open()`, `with`, `run()` or iteration. Lifecycle notifications
    are dispatched as `ConnectionEvent`s named CONNECTED, AUTHENTICATED, DISCONNECTED,
    RECONNECTING, ERROR and CLOSED (handlers only; iteration yields room events).

    Args:
        client: the `Client` whose credential, buvid, proxy and User-Agent are used.
        room_id: the room's display (short) id or real id.
        heartbeat_interval: seconds between heartbeat packets.
        heartbeat_timeout: no heartbeat reply within this many seconds means the
            connection is dead and is replaced; default `heartbeat_interval`.
        reconnect: reconnect after a drop; when False the stream ends with the first one.
        max_retries: consecutive failed connection attempts retried before giving up
            with `LiveException`.
        backoff: (initial, max) seconds between attempts, doubling after each failure.
        protover: body compression asked of the server: 3 brotli, 2 zlib.
        hosts: explicit `ws(s)://.../sub` URLs to use instead of the server's host list
            (the token is still fetched).
        open_timeout: seconds for the websocket handshake and for the auth reply.
        max_queue: room events kept for iteration before the oldest are dropped.
        web_heartbeat: also send the player's HTTP heartbeat every this many seconds
            (60 in a browser); off by default.
    """

    def __init__(
        self,
        client: Client,
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
            sync=True,
        )
        super().__init__(client, session)

    @property
    def room_id(self) -> int | None:
        """The real room id, once resolved (None before the first connection)."""
        return self._room.room_id

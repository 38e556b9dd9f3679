"""Interrupting a thread's blocking HTTP I/O from another thread.

httpx cannot cancel a sync request, yet a sync live connection's close() must not wait out a
lookup that hangs (10 s by default). So the connection pool a `Client` creates gets a network
backend whose sockets a `Scope` can shut down: the reader thread makes its lookups inside
`scope.active()`, and close() calls `scope.cancel()`, which shuts down the socket that thread
is blocked on (connecting, TLS, sending or reading) and makes any further I/O in the scope
fail at once. Outside a scope the backend only forwards. Injected clients and transports are
left alone: what they block on cannot be reached.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore

__all__ = ["Scope", "cancelled", "install", "sleep"]

_local = threading.local()


class Scope:
    """The blocking I/O of the threads running inside `active()`, cancellable from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: list[Any] = []  # sockets or streams being waited on
        self._event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Make this the calling thread's scope for the duration."""
        previous = getattr(_local, "scope", None)
        _local.scope = self
        try:
            yield
        finally:
            _local.scope = previous

    def cancel(self) -> None:
        """Fail the I/O under way in the scope now, and all I/O after it."""
        with self._lock:
            self._event.set()
            watched = list(self._watched)
        for item in watched:
            _shutdown(item)

    @contextlib.contextmanager
    def watching(self, item: Any, error: type[Exception]) -> Iterator[None]:
        """While the body blocks on `item` (a socket or stream), cancel() shuts it down."""
        with self._lock:
            if self._event.is_set():
                raise error("interrupted: the connection is closing")
            self._watched.append(item)
        try:
            yield
        finally:
            with self._lock:
                self._watched.remove(item)

    def sleep(self, seconds: float) -> None:
        self._event.wait(seconds)


def _current() -> Scope | None:
    scope: Scope | None = getattr(_local, "scope", None)
    return scope


def cancelled() -> bool:
    """True when the calling thread's scope was cancelled (a retry would be wasted)."""
    scope = _current()
    return scope is not None and scope.cancelled


def sleep(seconds: float) -> None:
    """time.sleep, cut short when the calling thread's scope is cancelled."""
    scope = _current()
    if scope is None:
        time.sleep(seconds)
    else:
        scope.sleep(seconds)


def _shutdown(item: Any) -> None:
    sock = item if isinstance(item, socket.socket) else item.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        # The base class's shutdown: SSLSocket.shutdown would also drop its SSL object
        # under the reading thread's feet. Shutting down wakes a blocked connect or recv.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Stream(httpcore.NetworkStream):
    """A pooled connection's stream: forwards, and is watched while a scope waits on it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        scope = _current()
        if scope is None:
            return self._inner.read(max_bytes, timeout)
        with scope.watching(self._inner, httpcore.ReadError):
            return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        scope = _current()
        if scope is None:
            return self._inner.write(buffer, timeout)
        with scope.watching(self._inner, httpcore.WriteError):
            return self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        scope = _current()
        if scope is None:
            return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))
        with scope.watching(self._inner, httpcore.ConnectError):
            return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class InterruptibleBackend(httpcore.NetworkBackend):
    """httpcore's backend, with streams a `Scope` can interrupt (see the module doc)."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        scope = _current()
        if scope is None or _SyncStream is None:
            stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
            return _Stream(stream)
        try:
            sock = _connect(scope, host, port, timeout, local_address, socket_options or ())
        except TimeoutError as e:
            raise httpcore.ConnectTimeout(str(e)) from e
        except OSError as e:
            raise httpcore.ConnectError(str(e)) from e
        return _Stream(_SyncStream(sock))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        sleep(seconds)


def _connect(
    scope: Scope,
    host: str,
    port: int,
    timeout: float | None,
    local_address: str | None,
    socket_options: Iterable[Any],
) -> socket.socket:
    """socket.create_connection, with each attempt's socket watched by the scope."""
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            with scope.watching(sock, httpcore.ConnectError):
                for option in socket_options:
                    sock.setsockopt(*option)
                sock.settimeout(timeout)
                if local_address:
                    sock.bind((local_address, 0))
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
        except OSError as e:
            sock.close()
            error = e
        except BaseException:
            sock.close()
            raise
    raise error if error is not None else OSError(f"no address found for {host}")


try:  # httpcore's plain socket stream; without it connects are not interruptible
    from httpcore._backends.sync import SyncStream as _SyncStream
except ImportError:  # pragma: no cover
    _SyncStream = None  # type: ignore[assignment,misc]


def install(client: Any) -> None:
    """Give the pools httpx built for `client` (an httpx.Client) the interruptible backend.

    Reaches into httpx and httpcore internals; when they differ, nothing changes and a
    blocked lookup simply cannot be interrupted.
    """
    mounts = getattr(client, "_mounts", None) or {}
    for transport in [getattr(client, "_transport", None), *mounts.values()]:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, InterruptibleBackend
        ):
            pool._network_backend = InterruptibleBackend(backend)  # type: ignore[union-attr]

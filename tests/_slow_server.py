"""A loopback HTTP/1.1 server that answers slowly on purpose, for the whole-call deadline.

Requests whose path ends with one of `slow` get `mode`; the others are answered at once by a
`MockBilibili`. By default (`slow=None`) every request but the prerequisite lookups (spi,
ticket, nav) is slow. The modes:

- "body": the status line and headers at once, then the body one byte every `interval`;
- "headers": the whole response, status line included, one byte every `interval`;
- "hang": nothing at all (the connection stays open until the server stops).
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import httpx

from bilibili_sdk.testing import MockBilibili

PREREQ_PATHS = ("/x/frontend/finger/spi", "/GenWebTicket", "/x/web-interface/nav")
BODY = b'{"code":0,"message":"0","data":null}'


class SlowServer:
    def __init__(
        self, mode: str = "body", *, interval: float = 0.3, slow: tuple[str, ...] | None = None
    ) -> None:
        self.mode = mode
        self.interval = interval
        self.slow = slow
        self.mock = MockBilibili()
        self.hits: list[str] = []
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)  # accept() wakes up to see the stop flag
        self.port = self._sock.getsockname()[1]
        self.base_urls = {"*": f"http://127.0.0.1:{self.port}"}
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="slow-server", daemon=True)
        self._accept.start()

    # -- lifetime
    def close(self) -> None:
        self._stop.set()
        self._accept.join(timeout=5)
        self._sock.close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> SlowServer:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- serving
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._connection, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        buf = b""
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while b"\r\n\r\n" in buf:
                    head, _, rest = buf.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip())
                    if len(rest) < length:
                        break
                    body, buf = rest[:length], rest[length:]
                    method, target = head.split(b" ")[:2]
                    if not self._answer(conn, method.decode(), target.decode(), body):
                        return

    def _answer(self, conn: socket.socket, method: str, target: str, body: bytes) -> bool:
        path = target.split("?", 1)[0]
        self.hits.append(path)
        slow = not path.endswith(PREREQ_PATHS) if self.slow is None else path.endswith(self.slow)
        if not slow:
            request = httpx.Request(method, f"http://127.0.0.1:{self.port}{target}", content=body)
            answer = self.mock.handle(request)
            payload = answer.read()
            head = (
                f"HTTP/1.1 {answer.status_code} OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n"
            ).encode()
            conn.sendall(head + payload)
            return True
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\n\r\n".encode()
        if self.mode == "hang":
            self._stop.wait()
            return False
        if self.mode == "body":
            conn.sendall(head)
            return self._drip(conn, BODY)
        return self._drip(conn, head + BODY)

    def _drip(self, conn: socket.socket, data: bytes) -> bool:
        for i in range(len(data)):
            if self._stop.wait(self.interval):
                return False
            try:
                conn.sendall(data[i : i + 1])
            except OSError:  # the client gave up: what we want
                return False
        return True


def elapsed_since(started: float) -> float:
    return time.perf_counter() - started

"""A loopback websocket server speaking the live danmaku protocol (or the video-online one).

It runs its own event loop in a daemon thread, so sync and async tests (and the offline
demo) use it alike:

    with MockLiveServer() as server:
        mock = server.configure(MockBilibili())     # lookups answer with this server
        with Client(transport=mock.transport()) as bili, LiveConnection(bili, 3) as conn:
            server.wait_until(lambda: server.authenticated_count == 1)
            server.push({"cmd": "DANMU_MSG", "info": [...]})

Commands (thread-safe, from any thread): `push`, `push_video`, `send_raw`, `send_garbage`,
`drop`, `stall_heartbeats`, `stall_auth`, `freeze`, `reject_auth`, `refuse_connections`. Every client connection
is recorded in `clients` (auth body, heartbeats, headers).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from ..live._protocol import LiveProtocolError, decode_frame, encode_packet

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection
    from websockets.http11 import Request, Response

    from ._mock import MockBilibili

__all__ = ["LiveClientRecord", "MockLiveServer", "unused_port"]

T = TypeVar("T")
DEFAULT_TOKEN = "mock-live-token"
DEFAULT_ROOM_ID = 23058
DEFAULT_SHORT_ID = 3
DEFAULT_ANCHOR_UID = 11153765
GARBAGE = b"\x00\x00\x00\xff\x00\x10\x00\x00\x00\x00\x00\x05\x00\x00\x00\x01{not a packet"
"""A header claiming 255 bytes, followed by far fewer."""


@dataclass
class LiveClientRecord:
    """One client connection as the server saw it."""

    index: int
    path: str
    headers: dict[str, str]
    auth: dict[str, Any] | None = None
    """The auth body the client sent (JSON)."""
    authenticated: bool = False
    protover: int = 0
    """The protover the client asked for in its auth body."""
    heartbeats: int = 0
    heartbeat_sequences: list[int] = field(default_factory=list)
    bad_frames: int = 0
    closed: bool = False
    ws: Any = field(default=None, repr=False)


def unused_port(host: str = "127.0.0.1") -> int:
    """A loopback port nothing listens on (bound, then released): a host that refuses."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class MockLiveServer:
    """The mock. `mode` is "live" (16-byte packets) or "video" (18-byte packets).

    Args:
        room_id: the real room id expected in auth bodies (None accepts any).
        token: the key expected in auth bodies (None accepts any).
        popularity: the value of heartbeat replies (live).
        online: the viewer count of heartbeat replies (video).
    """

    def __init__(
        self,
        *,
        mode: str = "live",
        host: str = "127.0.0.1",
        port: int = 0,
        room_id: int | None = DEFAULT_ROOM_ID,
        token: str | None = DEFAULT_TOKEN,
        popularity: int = 1,
        online: int = 1234,
    ) -> None:
        if mode not in ("live", "video"):
            raise ValueError(f"mode: expected 'live' or 'video', got {mode!r}")
        self.mode = mode
        self.host = host
        self.port = port
        self.room_id = room_id
        self.token = token
        self.popularity = popularity
        self.online = online
        self.clients: list[LiveClientRecord] = []
        self.refused = 0
        self._refuse = 0
        self._stall = False
        self._stall_auth = False
        self._reject_code: int | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------ lifetime
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/sub"

    def start(self) -> MockLiveServer:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="mock-live-server", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the mock live server did not start")
        if self._startup_error is not None:
            raise RuntimeError("the mock live server did not start") from self._startup_error
        return self

    def close(self) -> None:
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(10)

    def __enter__(self) -> MockLiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> MockLiveServer:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as e:  # report to start(), never crash the test's thread
            self._startup_error = e
            self._started.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        from websockets.asyncio.server import serve

        self._stop = asyncio.Event()
        async with serve(
            self._handler,
            self.host,
            self.port,
            process_request=self._process_request,
            compression=None,
            ping_interval=None,
            close_timeout=1,
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._started.set()
            await self._stop.wait()
            for rec in self.clients:
                if not rec.closed and rec.ws is not None:
                    rec.ws.transport.abort()

    # ------------------------------------------------------------ commands
    def _call(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        loop = self._loop
        if loop is None or not self._started.is_set():
            raise RuntimeError("the mock live server is not running")
        return asyncio.run_coroutine_threadsafe(factory(), loop).result(10)

    def _targets(self) -> list[LiveClientRecord]:
        with self._lock:
            return [r for r in self.clients if r.authenticated and not r.closed]

    def push(self, *notices: dict[str, Any], protover: int | None = None) -> int:
        """Send the notices in ONE frame to every authenticated client; returns how many.

        protover: 2 zlib, 3 brotli, 0 plain packets back to back; None: what each client
        asked for in its auth body.
        """
        inner = b"".join(encode_packet(5, n, protover=0) for n in notices)

        def frame(rec: LiveClientRecord) -> bytes:
            p = rec.protover if protover is None else protover
            return encode_packet(5, inner, protover=p) if p in (2, 3) else inner

        return self._call(lambda: self._send_each(frame))

    def push_video(self, *packets: tuple[int, Any]) -> int:
        """Send (type, JSON body) packets in ONE frame to every authenticated video client."""
        from ..video_online import encode_video_packet

        data = b"".join(encode_video_packet(t, b) for t, b in packets)
        return self._call(lambda: self._send_each(lambda rec: data))

    def send_raw(self, frame: bytes | str) -> int:
        """Send one frame as is to every authenticated client."""
        return self._call(lambda: self._send_each(lambda rec: frame))

    def send_garbage(self, frame: bytes = GARBAGE) -> int:
        """Send a frame that does not decode."""
        return self.send_raw(frame)

    def drop(self) -> int:
        """Abort every open connection (no closing handshake), as a network failure would."""

        async def go() -> int:
            n = 0
            for rec in list(self.clients):
                if not rec.closed and rec.ws is not None:
                    rec.ws.transport.abort()
                    n += 1
            return n

        return self._call(go)

    def stall_heartbeats(self, on: bool = True) -> None:
        """Stop (or resume) answering heartbeats."""
        self._stall = on

    def stall_auth(self, on: bool = True) -> None:
        """Stop (or resume) answering auth packets: clients wait for a reply that never comes."""
        self._stall_auth = on

    def freeze(self) -> int:
        """Stop reading from every open connection, as a hung server or a dead network would:
        nothing is answered any more, not even a closing handshake. Returns how many."""

        async def go() -> int:
            n = 0
            for rec in list(self.clients):
                if not rec.closed and rec.ws is not None:
                    rec.ws.transport.pause_reading()
                    n += 1
            return n

        return self._call(go)

    def reject_auth(self, code: int | None = -101) -> None:
        """Answer auth packets with this non-zero code and close (None: accept again)."""
        self._reject_code = code

    def refuse_connections(self, n: int = 1) -> None:
        """Refuse the next `n` websocket handshakes with HTTP 503."""
        self._refuse = n

    # ------------------------------------------------------------ inspection
    @property
    def auth_bodies(self) -> list[dict[str, Any]]:
        return [r.auth for r in list(self.clients) if r.auth is not None]

    @property
    def heartbeat_count(self) -> int:
        return sum(r.heartbeats for r in list(self.clients))

    @property
    def connection_count(self) -> int:
        return len(self.clients)

    @property
    def authenticated_count(self) -> int:
        return sum(1 for r in list(self.clients) if r.authenticated)

    @property
    def open_count(self) -> int:
        return sum(1 for r in list(self.clients) if r.authenticated and not r.closed)

    def wait_until(self, predicate: Callable[[], object], timeout: float = 5.0) -> None:
        """Block until `predicate()` is true; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            time.sleep(0.005)

    async def await_until(self, predicate: Callable[[], object], timeout: float = 5.0) -> None:
        """`wait_until` for async tests (lets the test's loop run meanwhile)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.005)

    # ------------------------------------------------------------ the mock Bilibili
    def configure(
        self,
        mock: MockBilibili,
        *,
        short_id: int = DEFAULT_SHORT_ID,
        anchor_uid: int = DEFAULT_ANCHOR_UID,
        hosts: Sequence[tuple[str, int]] | None = None,
        video_heartbeat: int = 30,
    ) -> MockBilibili:
        """Make `mock` answer the lookups with this server as the (single) loopback host:
        `live.get_room_play_info`, `live.get_danmu_info`, `video.get_broadcast_servers`.

        hosts: the host list to publish instead, e.g. a refusing port first for fallback.
        """
        real = self.room_id or DEFAULT_ROOM_ID
        play = copy.deepcopy(mock.examples.get("live.get_room_play_info") or {})
        play.setdefault("data", {})
        play["data"].update({"room_id": real, "short_id": short_id, "uid": anchor_uid})
        play.update({"code": 0, "message": "0"})
        listed = list(hosts) if hosts is not None else [(self.host, self.port)]
        danmu = {
            "code": 0,
            "message": "0",
            "ttl": 1,
            "data": {
                "group": "live",
                "business_id": 0,
                "refresh_row_factor": 0.125,
                "refresh_rate": 100,
                "max_delay": 5000,
                "token": self.token or DEFAULT_TOKEN,
                "host_list": [
                    {"host": h, "port": p, "wss_port": p, "ws_port": p} for h, p in listed
                ],
            },
        }
        servers = {
            "code": 0,
            "message": "0",
            "ttl": 1,
            "data": {
                "domain": self.host,
                "tcp_port": self.port,
                "ws_port": self.port,
                "wss_port": self.port,
                "heartbeat": video_heartbeat,
                "heartbeat_max": 3,
                "nodes": [self.host],
            },
        }
        mock.set_response("live.get_room_play_info", lambda rec: copy.deepcopy(play))
        mock.set_response("live.get_danmu_info", danmu)
        mock.set_response("video.get_broadcast_servers", servers)
        return mock

    # ------------------------------------------------------------ serving
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if self._refuse > 0:
            self._refuse -= 1
            self.refused += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "refused by the mock\n")
        return None

    async def _send_each(self, frame: Callable[[LiveClientRecord], bytes | str]) -> int:
        n = 0
        for rec in self._targets():
            with contextlib.suppress(Exception):  # the client went away meanwhile
                await rec.ws.send(frame(rec))
                n += 1
        return n

    async def _handler(self, ws: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        request = ws.request
        rec = LiveClientRecord(
            index=len(self.clients),
            path=request.path if request else "",
            headers=dict(request.headers.raw_items()) if request else {},
            ws=ws,
        )
        with self._lock:
            self.clients.append(rec)
        try:
            async for message in ws:
                if isinstance(message, str):
                    rec.bad_frames += 1
                elif self.mode == "live":
                    await self._live(rec, message)
                else:
                    await self._video(rec, message)
        except ConnectionClosed:
            pass
        finally:
            rec.closed = True

    async def _live(self, rec: LiveClientRecord, message: bytes) -> None:
        try:
            packets = decode_frame(message)
        except LiveProtocolError:
            rec.bad_frames += 1
            return
        for op, _ver, _seq, body in packets:
            if op == 7:
                auth = _json_or_none(body)
                rec.auth = auth
                if self._stall_auth:
                    continue
                code = self._check_live_auth(auth)
                if code == 0 and auth is not None:  # recorded before the client can know
                    rec.protover = int(auth.get("protover") or 0)
                    rec.authenticated = True
                await rec.ws.send(encode_packet(8, {"code": code}, protover=1))
                if code != 0:
                    await rec.ws.close()
                    return
            elif op == 2:
                rec.heartbeats += 1
                rec.heartbeat_sequences.append(_seq)
                if not self._stall:
                    body3 = struct.pack(">I", self.popularity)
                    await rec.ws.send(encode_packet(3, body3, protover=1))

    def _check_live_auth(self, auth: dict[str, Any] | None) -> int:
        if self._reject_code is not None:
            return self._reject_code
        if auth is None:
            return -400
        shape = {
            "uid": int,
            "roomid": int,
            "protover": int,
            "platform": str,
            "type": int,
            "buvid": str,
            "key": str,
        }
        for k, kind in shape.items():
            if not isinstance(auth.get(k), kind) or isinstance(auth.get(k), bool):
                return -400
        if auth["platform"] != "web" or auth["type"] != 2 or auth["protover"] not in (0, 1, 2, 3):
            return -400
        if self.room_id is not None and auth["roomid"] != self.room_id:
            return -400
        if self.token is not None and auth["key"] != self.token:
            return -101
        return 0

    async def _video(self, rec: LiveClientRecord, message: bytes) -> None:
        from ..video_online import decode_video_frame, encode_video_packet

        try:
            packets = decode_video_frame(message)
        except LiveProtocolError:
            rec.bad_frames += 1
            return
        for type_, seq, body in packets:
            if type_ == 7:
                rec.auth = body if isinstance(body, dict) else None
                if self._stall_auth:
                    continue
                code = self._check_video_auth(rec.auth)
                rec.authenticated = code == 0
                await rec.ws.send(encode_video_packet(8, {"code": code, "message": "0"}))
                if code != 0:
                    await rec.ws.close()
                    return
            elif type_ == 2:
                rec.heartbeats += 1
                rec.heartbeat_sequences.append(seq)
                if not self._stall:
                    reply = {"code": 0, "message": "0", "data": {"room": {"online": self.online}}}
                    await rec.ws.send(encode_video_packet(3, reply, sequence=seq))

    def _check_video_auth(self, auth: dict[str, Any] | None) -> int:
        if self._reject_code is not None:
            return self._reject_code
        if auth is None:
            return -400
        room = auth.get("room_id")
        if not (isinstance(room, str) and room.startswith("video://") and room.count("/") == 3):
            return -400
        if auth.get("platform") != "web" or not isinstance(auth.get("accepts"), list):
            return -400
        return 0


def _json_or_none(body: Any) -> dict[str, Any] | None:
    if isinstance(body, dict):
        return body
    try:
        value = json.loads(bytes(body))
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None

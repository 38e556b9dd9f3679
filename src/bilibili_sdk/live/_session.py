"""The sans-IO core of the live (and video-online) websocket clients.

`Session.flow()` is a generator holding every decision: which HTTP lookups to make, which
hosts to try in which order, the auth handshake, heartbeat timing, what counts as a dead
connection, reconnection with backoff, and which events to deliver. It performs no I/O:
it yields operations (`Fetch`, `Connect`, `Send`, `Recv`, `CloseSocket`, `Sleep`,
`Deliver`) and the driver sends back their results or throws their failures in
(`ConnectFailed`, `ConnectionLost`, the client's `ApiException`s). The sync driver runs
it in one thread with blocking calls, the async driver in one task with awaits, so the
logic exists once and both flavours behave the same.

Because one flow reads one socket at a time, and a socket is closed before the next is
opened, no frame is read twice and no reader of an old socket can outlive it.
"""

from __future__ import annotations

import base64
import math
import time
import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from .._exceptions import (
    ApiException,
    ArgsException,
    LiveException,
    NetworkException,
    RateLimitedException,
    ResponseException,
    ResponseValidationException,
    RiskControlException,
)
from ._events import LiveEvent, Popularity, parse_event
from ._protocol import LiveProtocolError, Operation, Packet, decode_into, encode_packet

if TYPE_CHECKING:
    from .._credential import Credential

__all__ = [
    "AUTHENTICATED",
    "CLOSED",
    "CONNECTED",
    "DISCONNECTED",
    "ERROR",
    "RECONNECTING",
    "CloseSocket",
    "Connect",
    "ConnectFailed",
    "ConnectionEvent",
    "ConnectionLost",
    "Deliver",
    "Fetch",
    "FrameResult",
    "LiveRoomProtocol",
    "Op",
    "Options",
    "Recv",
    "Send",
    "Session",
    "Sleep",
    "StreamProtocol",
    "host_url",
]

# ------------------------------------------------------------------ lifecycle notifications
CONNECTED = "CONNECTED"
"""The websocket is open (before auth). `url` is set."""
AUTHENTICATED = "AUTHENTICATED"
"""The server accepted the auth packet; events flow from here."""
DISCONNECTED = "DISCONNECTED"
"""The socket was closed; `reason` says why (connection lost, heartbeat timeout...)."""
RECONNECTING = "RECONNECTING"
"""A new attempt starts after `delay` seconds; `attempt` counts consecutive failures + 1."""
ERROR = "ERROR"
"""Something failed: a lookup, a host, a bad frame (non-fatal), or the end (fatal)."""
CLOSED = "CLOSED"
"""The connection is finished for good (close(), the server ended it, or it gave up)."""


@dataclass(frozen=True)
class ConnectionEvent:
    """A lifecycle notification, dispatched under its `name` (also `cmd`, like events)."""

    name: str
    url: str | None = None
    reason: str | None = None
    attempt: int = 0
    delay: float | None = None
    error: BaseException | None = None

    @property
    def cmd(self) -> str:
        return self.name


# ------------------------------------------------------------------ operations
@dataclass(slots=True)
class Fetch:
    """Call `client.<namespace>.<method>(**kwargs)`; send back the result."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Connect:
    """Open a websocket to `url` (closing any previous one); throws in `ConnectFailed`."""

    url: str
    timeout: float
    origin: str


@dataclass(slots=True)
class Send:
    """Send one binary frame; throws in `ConnectionLost`."""

    data: bytes


@dataclass(slots=True)
class Recv:
    """Receive one frame within `timeout` seconds; send back it or None on timeout.

    `deadline` is the same moment on the session's clock. It stays the same from one frame
    to the next until a heartbeat is due, so a driver can keep one timer per connection
    instead of arming one per receive.
    """

    timeout: float
    deadline: float = math.inf


@dataclass(slots=True)
class CloseSocket:
    """Close the current websocket, if any."""


@dataclass(slots=True)
class Sleep:
    """Wait `seconds` (interrupted by close())."""

    seconds: float


@dataclass(slots=True)
class Deliver:
    """Hand events to handlers and iterators, in order."""

    events: list[Any]


Op = Fetch | Connect | Send | Recv | CloseSocket | Sleep | Deliver


class ConnectFailed(LiveException):
    """The websocket could not be opened (refused, handshake rejected, timeout)."""


class ConnectionLost(LiveException):
    """The open websocket failed while sending or receiving."""


class FrameResult(NamedTuple):
    """What one received frame means to the session."""

    events: list[Any]
    heartbeat_reply: bool = False
    auth_reply: dict[str, Any] | None = None
    error: LiveProtocolError | None = None


# ------------------------------------------------------------------ options
@dataclass(frozen=True)
class Options:
    """Connection options shared by the live and video-online clients (validated)."""

    heartbeat_interval: float = 30.0
    heartbeat_timeout: float = 30.0
    reconnect: bool = True
    max_retries: int = 5
    backoff: tuple[float, float] = (1.0, 30.0)
    open_timeout: float = 10.0
    max_queue: int = 1000
    max_bad_frames: int = 3

    @classmethod
    def build(
        cls,
        *,
        heartbeat_interval: float,
        heartbeat_timeout: float | None,
        reconnect: bool,
        max_retries: int,
        backoff: tuple[float, float],
        open_timeout: float,
        max_queue: int,
    ) -> Options:
        interval = _positive("heartbeat_interval", heartbeat_interval)
        timeout = interval if heartbeat_timeout is None else heartbeat_timeout
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ArgsException(
                f"max_retries: expected an int >= 0, got {max_retries!r}", argument="max_retries"
            )
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ArgsException(
                f"max_queue: expected an int >= 1, got {max_queue!r}", argument="max_queue"
            )
        try:
            first, most = (float(x) for x in backoff)
        except (TypeError, ValueError):
            raise ArgsException(
                f"backoff: expected (initial, max) seconds, got {backoff!r}", argument="backoff"
            ) from None
        if not (0 <= first <= most) or math.isinf(most):
            raise ArgsException(
                f"backoff: expected 0 <= initial <= max, got {backoff!r}", argument="backoff"
            )
        return cls(
            heartbeat_interval=interval,
            heartbeat_timeout=_positive("heartbeat_timeout", timeout),
            reconnect=bool(reconnect),
            max_retries=max_retries,
            backoff=(first, most),
            open_timeout=_positive("open_timeout", open_timeout),
            max_queue=max_queue,
        )

    def delay(self, failures: int) -> float:
        """Seconds to wait before the next attempt: `initial` after a drop or a first
        failure, doubling with each further consecutive failure, capped at `max`."""
        first, most = self.backoff
        return float(min(most, first * (2 ** min(max(failures - 1, 0), 32))))


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ArgsException(f"{name}: expected seconds > 0, got {value!r}", argument=name)
    if math.isinf(value):
        raise ArgsException(
            f"{name}: expected a finite number of seconds > 0, got {value!r}", argument=name
        )
    return float(value)


def _retryable(e: BaseException) -> bool:
    """Lookup failures worth another attempt (transport, 5xx, rate limit, risk control)."""
    if isinstance(e, (NetworkException, RateLimitedException, RiskControlException)):
        return True
    return isinstance(e, ResponseException) and not isinstance(e, ResponseValidationException)


# ------------------------------------------------------------------ the protocol interface
class StreamProtocol:
    """What differs between the live room and the video-online sockets (no I/O here)."""

    label = "stream"
    """Names the target in messages ("live room 23058")."""
    origin = "https://www.bilibili.com"
    web_heartbeat_interval: float | None = None
    heartbeat_interval: float | None = None
    """When set (e.g. from the server's config), overrides the option."""
    heartbeat_timeout: float | None = None

    def prepare(self) -> Generator[Op, Any, list[str]]:
        """Per attempt: the lookups to make; returns the websocket URLs to try, in order."""
        raise NotImplementedError

    def auth_frame(self) -> bytes:
        raise NotImplementedError

    def check_auth(self, reply: dict[str, Any]) -> None:
        """Raise LiveException when the auth reply rejects us."""
        code = reply.get("code", 0)
        if code not in (0, "0", None):
            raise LiveException(f"{self.label}: the server rejected the auth packet (code {code})")

    def heartbeat_frame(self) -> bytes:
        raise NotImplementedError

    def on_frame(self, frame: Any) -> FrameResult:
        raise NotImplementedError

    def web_heartbeat(self) -> Generator[Op, Any, None]:
        """The periodic HTTP heartbeat, when `web_heartbeat_interval` is set."""
        return
        yield  # pragma: no cover


class _Outcome(NamedTuple):
    authenticated: bool
    error: BaseException | None
    reason: str


# ------------------------------------------------------------------ the session
class Session:
    """Drives one logical connection: attempts, auth, heartbeats, reconnection."""

    def __init__(
        self,
        protocol: StreamProtocol,
        options: Options,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.protocol = protocol
        self.options = options
        self.clock = clock

    def flow(self) -> Generator[Op, Any, None]:
        """Run until the stream ends. Raises LiveException (or the lookup's ApiException)
        when it gives up; returns when the server ended it and `reconnect` is off."""
        o = self.options
        failures = 0
        while True:
            outcome = yield from self._attempt()
            if outcome.authenticated:
                failures = 0
                if not o.reconnect:
                    return
            else:
                failures += 1
                err = outcome.error
                if not o.reconnect or failures > o.max_retries:
                    tries = f"{failures} attempt{'s' if failures > 1 else ''}"
                    raise LiveException(
                        f"{self.protocol.label}: could not connect after {tries}: {err}"
                    ) from err
            delay = o.delay(failures)
            yield Deliver(
                [
                    ConnectionEvent(
                        RECONNECTING, reason=outcome.reason, attempt=failures + 1, delay=delay
                    )
                ]
            )
            yield Sleep(delay)

    def _attempt(self) -> Generator[Op, Any, _Outcome]:
        try:
            urls = yield from self.protocol.prepare()
        except ApiException as e:
            if not _retryable(e):
                raise
            yield Deliver([ConnectionEvent(ERROR, reason="lookup failed", error=e)])
            return _Outcome(False, e, "lookup failed")
        error: BaseException | None = None
        for url in urls:
            try:
                yield Connect(url, self.options.open_timeout, self.protocol.origin)
            except ConnectFailed as e:
                error = e
                yield Deliver([ConnectionEvent(ERROR, url=url, reason="connect failed", error=e)])
                continue
            yield Deliver([ConnectionEvent(CONNECTED, url=url)])
            outcome = yield from self._serve(url)
            yield CloseSocket()
            yield Deliver(
                [ConnectionEvent(DISCONNECTED, url=url, reason=outcome.reason, error=outcome.error)]
            )
            if outcome.authenticated:
                return outcome
            error = outcome.error
        if error is None:
            error = LiveException(f"{self.protocol.label}: no server to connect to")
        return _Outcome(False, error, "no server accepted the connection")

    def _serve(self, url: str) -> Generator[Op, Any, _Outcome]:
        o, p, clock = self.options, self.protocol, self.clock
        try:
            yield Send(p.auth_frame())
        except ConnectionLost as e:
            return _Outcome(False, e, "connection lost before auth")
        deadline = clock() + o.open_timeout
        while True:
            left = deadline - clock()
            if left <= 0:
                err = LiveException(f"{p.label}: no auth reply within {o.open_timeout:g} s")
                return _Outcome(False, err, "auth timeout")
            try:
                frame = yield Recv(left, deadline)
            except ConnectionLost as e:
                return _Outcome(False, e, "connection lost before auth")
            if frame is None:
                continue
            result = p.on_frame(frame)
            if result.auth_reply is not None:
                p.check_auth(result.auth_reply)  # a rejection is final: raise
                yield Deliver([ConnectionEvent(AUTHENTICATED, url=url), *result.events])
                break
            if result.error is not None:
                return _Outcome(False, result.error, "bad frame before auth")
            if result.events:  # not expected before the reply, but never lose them
                yield Deliver(result.events)
        return (yield from self._pump())

    def _pump(self) -> Generator[Op, Any, _Outcome]:
        o, p, clock = self.options, self.protocol, self.clock
        interval = p.heartbeat_interval or o.heartbeat_interval
        timeout = p.heartbeat_timeout or o.heartbeat_timeout
        inf = math.inf
        now = clock()
        next_beat = now  # the first heartbeat goes at once
        reply_by = inf
        web_every = p.web_heartbeat_interval
        web_due = now + web_every if web_every else inf
        bad = 0
        while True:
            now = clock()
            if now >= reply_by:
                return _Outcome(True, None, "heartbeat timeout")
            if now >= next_beat:
                try:
                    yield Send(p.heartbeat_frame())
                except ConnectionLost as e:
                    return _Outcome(True, e, "connection lost")
                next_beat = now + interval
                if reply_by == inf:
                    reply_by = now + timeout
            if now >= web_due and web_every:
                web_due = now + web_every
                try:
                    yield from p.web_heartbeat()
                except ApiException as e:
                    yield Deliver([ConnectionEvent(ERROR, reason="web heartbeat failed", error=e)])
            due = min(next_beat, reply_by, web_due)
            try:
                frame = yield Recv(max(0.0, due - clock()), due)
            except ConnectionLost as e:
                return _Outcome(True, e, "connection lost")
            if frame is None:
                continue
            result = p.on_frame(frame)
            if result.heartbeat_reply:
                reply_by = inf
            if result.error is not None:
                bad += 1
                yield Deliver(
                    [*result.events, ConnectionEvent(ERROR, reason="bad frame", error=result.error)]
                )
                if bad >= o.max_bad_frames:
                    return _Outcome(True, result.error, f"{bad} bad frames in a row")
                continue
            bad = 0
            if result.events:
                yield Deliver(result.events)


# ------------------------------------------------------------------ the live room
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_HOST = "wss://broadcastlv.chat.bilibili.com:443/sub"
HEARTBEAT_BODY = b"[object Object]"


def host_url(host: str, wss_port: int, ws_port: int | None) -> str:
    """`wss://host:wss_port/sub`; plain `ws://` on ws_port for loopback (the mock servers)."""
    if host in _LOOPBACK or host.startswith("127."):
        h = f"[{host}]" if ":" in host else host
        return f"ws://{h}:{ws_port or wss_port}/sub"
    return f"wss://{host}:{wss_port}/sub"


def _uid_of(credential: Credential | None) -> int | None:
    if credential is None or not credential.dedeuserid:
        return None
    try:
        return int(credential.dedeuserid)
    except ValueError:
        return None


def _random_buvid3() -> str:
    # Same shape as the web client's: a UUID, 5 digits, "infoc".
    u = str(uuid.uuid4()).upper()
    return f"{u}{uuid.uuid4().int % 100000:05d}infoc"


class LiveRoomProtocol(StreamProtocol):
    """The live danmaku socket of one room."""

    origin = "https://live.bilibili.com"

    def __init__(
        self,
        room_id: int,
        *,
        credential: Credential | None,
        buvid: Callable[[], str | None],
        protover: int = 3,
        hosts: Sequence[str] | None = None,
        web_heartbeat: float | None = None,
    ) -> None:
        self.display_id = room_id
        self.room_id: int | None = None
        """The real room id, once resolved."""
        self.anchor_uid: int | None = None
        self.credential = credential
        self._buvid_source = buvid
        self._buvid: str | None = None
        self.uid: int | None = _uid_of(credential)
        self.protover = protover
        self.hosts = list(hosts) if hosts else None
        self.token = ""
        self.label = f"live room {room_id}"
        self.web_heartbeat_interval = web_heartbeat

    def prepare(self) -> Generator[Op, Any, list[str]]:
        if self.room_id is None:
            info = yield Fetch("live.get_room_play_info", {"room_id": self.display_id})
            self.room_id = int(info.room_id)
            self.anchor_uid = int(info.uid)
        danmu = yield Fetch("live.get_danmu_info", {"room_id": self.room_id})
        self.token = str(danmu.token or "")
        if self.uid is None:
            self.uid = 0
            if self.credential is not None and self.credential.sessdata:
                try:
                    me = yield Fetch("live.get_self_info", {})
                    self.uid = int(me.uid)
                except ApiException:
                    self.uid = 0  # connect anonymously rather than not at all
        if self.hosts:
            return list(self.hosts)
        urls = [host_url(h.host, h.wss_port, h.ws_port) for h in danmu.host_list or []]
        return urls or [DEFAULT_HOST]

    def buvid(self) -> str:
        if self._buvid is None:
            cred = self.credential
            self._buvid = (
                (cred.buvid3 if cred else None) or self._buvid_source() or _random_buvid3()
            )
        return self._buvid

    def auth_body(self) -> dict[str, Any]:
        return {
            "uid": self.uid or 0,
            "roomid": self.room_id,
            "protover": self.protover,
            "platform": "web",
            "type": 2,
            "buvid": self.buvid(),
            "key": self.token,
        }

    def auth_frame(self) -> bytes:
        return encode_packet(Operation.AUTH, self.auth_body(), protover=1)

    def heartbeat_frame(self) -> bytes:
        return encode_packet(Operation.HEARTBEAT, HEARTBEAT_BODY, protover=1)

    def on_frame(self, frame: Any) -> FrameResult:
        packets: list[Packet] = []
        error: LiveProtocolError | None = None
        try:
            decode_into(frame, packets)
        except LiveProtocolError as e:
            error = e
        room = self.room_id or 0
        events: list[LiveEvent] = []
        beat = False
        auth: dict[str, Any] | None = None
        for op, _ver, _seq, body in packets:
            if op == 5 and isinstance(body, dict):
                events.append(parse_event(body, room))
            elif op == 3 and isinstance(body, int):
                beat = True
                events.append(
                    Popularity(cmd="VIEW", room_id=room, popularity=body, raw={"popularity": body})
                )
            elif op == 8 and isinstance(body, dict):
                auth = body
        return FrameResult(events, beat, auth, error)

    def web_heartbeat(self) -> Generator[Op, Any, None]:
        interval = round(self.web_heartbeat_interval or 60) or 1
        hb = base64.b64encode(f"{interval}|{self.room_id}|1|0".encode()).decode()
        yield Fetch("live.send_web_heartbeat", {"hb": hb})

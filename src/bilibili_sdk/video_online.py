"""A video's live viewer count (and realtime danmaku) over websocket, sync and async.

```python
from bilibili_sdk import Client
from bilibili_sdk.video_online import VideoOnlineCount, VideoOnlineMonitor

with Client() as bili, VideoOnlineMonitor(bili, bvid="BV1uv411q7Mv") as monitor:
    for event in monitor:
        if isinstance(event, VideoOnlineCount):
            print(event.online, event.total)
```

The socket speaks its own framing: an 18-byte big-endian header
(u32 length, u32 0x00120001 = header length 18 << 16 | version 1, u32 type, u32 sequence,
u16 0) and a JSON body; one websocket frame may hold several packets, all decoded. Types:
7 auth, 8 auth reply, 2 heartbeat, 3 heartbeat reply (the viewer count), 1000 realtime
danmaku (`[csv, text]`). Connection handling (heartbeats, reconnect, handlers, iteration,
lifecycle notifications) is the live room's: see `bilibili_sdk.live.LiveConnection`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import Field, ValidationError
from pydantic_core import from_json

from ._exceptions import ArgsException
from ._ids import bvid2aid
from ._models import BiliModel
from .danmaku import Danmaku
from .live._async import AsyncStream
from .live._protocol import LiveProtocolError
from .live._session import (
    Fetch,
    FrameResult,
    Op,
    Options,
    Session,
    StreamProtocol,
    host_url,
)
from .live._setup import check_client, require_live_extra
from .live._sync import SyncStream

if TYPE_CHECKING:
    from ._base_client import BaseClient
    from ._client import AsyncClient, Client

__all__ = [
    "AsyncVideoOnlineMonitor",
    "VideoEvent",
    "VideoMessage",
    "VideoOnlineCount",
    "VideoOnlineEvent",
    "VideoOnlineMonitor",
    "VideoPacket",
    "VideoPacketType",
    "decode_video_frame",
    "encode_video_packet",
]

VIDEO_HEADER = struct.Struct(">IIIIH")
VIDEO_HEADER_SIZE = 18
VIDEO_MAGIC = (VIDEO_HEADER_SIZE << 16) | 1


class VideoPacketType:
    """Packet types of the video socket."""

    HEARTBEAT = 2
    HEARTBEAT_REPLY = 3
    AUTH = 7
    AUTH_REPLY = 8
    DANMAKU = 1000
    ONLINE = 1015


class VideoPacket(NamedTuple):
    """One decoded packet: its type, sequence and JSON body (None when empty; the raw
    bytes for a heartbeat, whose body is not JSON)."""

    type: int
    sequence: int
    body: Any


def encode_video_packet(type_: int, body: Any = b"", *, sequence: int = 1) -> bytes:
    """One packet with its 18-byte header; a non-bytes body is sent as compact JSON."""
    if isinstance(body, (bytes, bytearray)):
        data = bytes(body)
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return VIDEO_HEADER.pack(VIDEO_HEADER_SIZE + len(data), VIDEO_MAGIC, type_, sequence, 0) + data


def decode_video_frame(frame: bytes | bytearray | memoryview) -> list[VideoPacket]:
    """Every packet of one frame (the seed decoded only the first).

    Raises:
        LiveProtocolError: short header, inconsistent lengths, or a body that is not JSON.
    """
    out: list[VideoPacket] = []
    _decode_video_into(frame, out)
    return out


def _decode_video_into(frame: bytes | bytearray | memoryview, out: list[VideoPacket]) -> None:
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise LiveProtocolError(f"expected a binary frame, got {type(frame).__name__}")
    buf = memoryview(frame)
    end = len(buf)
    if end == 0:
        raise LiveProtocolError("empty frame")
    pos = 0
    while pos < end:
        if end - pos < VIDEO_HEADER_SIZE:
            raise LiveProtocolError(
                f"truncated header: {end - pos} bytes at offset {pos}, need {VIDEO_HEADER_SIZE}"
            )
        total, magic, type_, seq, _ = VIDEO_HEADER.unpack_from(buf, pos)
        hlen = magic >> 16
        if hlen < VIDEO_HEADER_SIZE or total < hlen:
            raise LiveProtocolError(
                f"bad lengths at offset {pos}: packet {total}, header {hlen} bytes"
            )
        stop = pos + total
        if stop > end:
            raise LiveProtocolError(
                f"packet at offset {pos} claims {total} bytes, {end - pos} left in the frame"
            )
        body = bytes(buf[pos + hlen : stop])
        pos = stop
        value: Any = None
        if type_ == VideoPacketType.HEARTBEAT:
            value = body  # the client's "[object Object]": not JSON
        elif body:
            try:
                value = from_json(body)
            except ValueError as e:
                raise LiveProtocolError(f"bad JSON body in a type-{type_} packet: {e}") from None
        out.append(VideoPacket(type_, seq, value))


# ------------------------------------------------------------------ events
class VideoEvent(BiliModel):
    """Base of the monitor's own events: `cmd` (ONLINE or MESSAGE) and the raw body."""

    cmd: str
    raw: Any = Field(default=None, repr=False)


class VideoOnlineCount(VideoEvent):
    """ONLINE: the viewer count, from a heartbeat reply (or a type-1015 push)."""

    online: int | None = None
    """People watching on the web, when the server gives a number."""
    total: str | None = None
    """Everyone watching on any device, as displayed (`"1000+"`), when given."""
    count: str | None = None
    """Web viewers as displayed, when given."""


class VideoMessage(VideoEvent):
    """MESSAGE: any other packet type (or a body that did not fit); `raw` holds its JSON."""

    type: int = 0


VideoOnlineEvent = VideoOnlineCount | VideoMessage | Danmaku
"""What the monitor yields. Realtime danmaku come as `bilibili_sdk.danmaku.Danmaku`,
dispatched under DANMAKU."""


def _online(body: Any) -> VideoOnlineCount:
    room: Any = body
    if isinstance(body, dict):
        data = body.get("data")
        room = data.get("room", data) if isinstance(data, dict) else body
    room = room if isinstance(room, dict) else {}
    return VideoOnlineCount(
        cmd="ONLINE",
        raw=body,
        online=room.get("online"),
        total=room.get("total"),
        count=room.get("count"),
    )


def _danmaku(body: Any) -> Danmaku | VideoMessage:
    """A type-1000 body `[csv, text]`.

    csv: time, mode, size, color, send_time, pool, crc32 and, when present, id and weight.
    """
    if not (isinstance(body, list) and len(body) >= 2 and isinstance(body[0], str)):
        return VideoMessage(cmd="MESSAGE", type=VideoPacketType.DANMAKU, raw=body)
    f = body[0].split(",")

    def at(i: int, default: str) -> str:
        return f[i] if i < len(f) and f[i] != "" else default

    dmid = at(7, "")
    pool = int(at(5, "0"))
    return Danmaku(
        text=str(body[1]),
        dm_time=float(at(0, "0")),
        mode=int(at(1, "1")),
        font_size=int(at(2, "25")),
        color=int(at(3, str(0xFFFFFF))),
        send_time=int(at(4, "0")),
        pool=pool,
        is_sub=pool == 1,
        crc32_id=at(6, ""),
        id_=int(dmid) if dmid.isdigit() else -1,
        id_str=dmid if dmid.isdigit() else "",
        weight=int(at(8, "-1")),
    )


def _event(type_: int, body: Any) -> VideoOnlineEvent:
    """The typed event of one packet; a `VideoMessage` when the body does not fit."""
    try:
        if type_ == VideoPacketType.HEARTBEAT_REPLY or (
            type_ == VideoPacketType.ONLINE and isinstance(body, dict)
        ):
            return _online(body)
        if type_ == VideoPacketType.DANMAKU:
            return _danmaku(body)
    except (ValidationError, ValueError, TypeError):
        pass
    return VideoMessage(cmd="MESSAGE", type=type_, raw=body)


# ------------------------------------------------------------------ the protocol
class VideoOnlineProtocol(StreamProtocol):
    """The video socket (sans-IO): lookups, auth, heartbeats with a rising sequence."""

    def __init__(
        self,
        *,
        aid: int,
        bvid: str | None,
        page_index: int,
        cid: int | None,
        heartbeat_interval: float | None,
        heartbeat_timeout: float | None,
        hosts: Sequence[str] | None,
    ) -> None:
        self.aid = aid
        self.bvid = bvid
        self.page_index = page_index
        self.cid = cid
        self.label = f"video {bvid or f'av{aid}'}"
        self._interval = heartbeat_interval
        self._timeout = heartbeat_timeout
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout
        self.hosts = list(hosts) if hosts else None
        self._seq = 1

    def prepare(self) -> Generator[Op, Any, list[str]]:
        if self.cid is None:
            key = {"bvid": self.bvid} if self.bvid else {"aid": self.aid}
            pages = yield Fetch("video.get_pages", key)
            if not 0 <= self.page_index < len(pages):
                raise ArgsException(
                    f"page_index: expected an int from 0 to {len(pages) - 1} (the video has "
                    f"{len(pages)} part(s)), got {self.page_index}",
                    argument="page_index",
                )
            self.cid = int(pages[self.page_index].cid)
        servers = yield Fetch("video.get_broadcast_servers", {})
        if self._interval is None and servers.heartbeat:
            self.heartbeat_interval = float(servers.heartbeat)
            if self._timeout is None:
                self.heartbeat_timeout = float(servers.heartbeat)
        if self.hosts:
            return list(self.hosts)
        return [host_url(servers.domain, servers.wss_port, servers.ws_port)]

    def auth_body(self) -> dict[str, Any]:
        return {
            "room_id": f"video://{self.aid}/{self.cid}",
            "platform": "web",
            "accepts": [VideoPacketType.DANMAKU, VideoPacketType.ONLINE],
        }

    def auth_frame(self) -> bytes:
        self._seq = 1
        return encode_video_packet(VideoPacketType.AUTH, self.auth_body(), sequence=1)

    def heartbeat_frame(self) -> bytes:
        self._seq += 1
        return encode_video_packet(
            VideoPacketType.HEARTBEAT, b"[object Object]", sequence=self._seq
        )

    def on_frame(self, frame: Any) -> FrameResult:
        packets: list[VideoPacket] = []
        error: LiveProtocolError | None = None
        try:
            _decode_video_into(frame, packets)
        except LiveProtocolError as e:
            error = e
        events: list[VideoOnlineEvent] = []
        beat = False
        auth: dict[str, Any] | None = None
        for type_, _seq, body in packets:
            if type_ == VideoPacketType.AUTH_REPLY:
                auth = body if isinstance(body, dict) else {}
                continue
            beat = beat or type_ == VideoPacketType.HEARTBEAT_REPLY
            events.append(_event(type_, body))
        return FrameResult(events, beat, auth, error)


def _monitor_session(
    client: BaseClient,
    *,
    aid: int | None,
    bvid: str | None,
    page_index: int,
    cid: int | None,
    heartbeat_interval: float | None,
    heartbeat_timeout: float | None,
    reconnect: bool,
    max_retries: int,
    backoff: tuple[float, float],
    open_timeout: float,
    max_queue: int,
    hosts: Sequence[str] | None,
    sync: bool,
) -> Session:
    check_client(client, sync)
    if aid is None and bvid is None:
        raise ArgsException(
            "aid or bvid: give the video, as an av number like 170001 (aid=) or a BV id like "
            "'BV1uv411q7Mv' (bvid=)",
            argument="aid",
        )
    if aid is not None and (isinstance(aid, bool) or not isinstance(aid, int) or aid <= 0):
        raise ArgsException(f"aid: expected a positive int, got {aid!r}", argument="aid")
    if bvid is not None:
        from_bvid = bvid2aid(bvid)  # validates the BV id before any I/O
        if aid is not None and aid != from_bvid:
            raise ArgsException(
                f"bvid: expected the same video as aid={aid} (or only one of them), got {bvid!r}",
                argument="bvid",
            )
        aid = from_bvid
    assert aid is not None
    if isinstance(page_index, bool) or not isinstance(page_index, int) or page_index < 0:
        raise ArgsException(
            f"page_index: expected an int >= 0, got {page_index!r}", argument="page_index"
        )
    if cid is not None and (isinstance(cid, bool) or not isinstance(cid, int) or cid <= 0):
        raise ArgsException(f"cid: expected a positive int, got {cid!r}", argument="cid")
    if hosts is not None and (
        isinstance(hosts, str)
        or not hosts
        or not all(isinstance(h, str) and h.startswith(("ws://", "wss://")) for h in hosts)
    ):
        raise ArgsException(
            f"hosts: expected a non-empty list of ws:// or wss:// URLs, or None; got {hosts!r}",
            "hosts",
        )
    opts = Options.build(
        heartbeat_interval=30.0 if heartbeat_interval is None else heartbeat_interval,
        heartbeat_timeout=heartbeat_timeout,
        reconnect=reconnect,
        max_retries=max_retries,
        backoff=backoff,
        open_timeout=open_timeout,
        max_queue=max_queue,
    )
    require_live_extra(sync)
    protocol = VideoOnlineProtocol(
        aid=aid,
        bvid=bvid,
        page_index=page_index,
        cid=cid,
        heartbeat_interval=None if heartbeat_interval is None else opts.heartbeat_interval,
        heartbeat_timeout=None if heartbeat_timeout is None else opts.heartbeat_timeout,
        hosts=hosts,
    )
    return Session(protocol, opts)


class VideoOnlineMonitor(SyncStream[VideoOnlineEvent]):
    """A video's viewer count and realtime danmaku, synchronous.

    Events: `VideoOnlineCount` (ONLINE), `bilibili_sdk.danmaku.Danmaku` (DANMAKU),
    `VideoMessage` (MESSAGE: other packet types); plus the lifecycle `ConnectionEvent`s of
    `bilibili_sdk.live`.

    Args:
        client: the `Client` used for the lookups (pages, broadcast servers).
        aid, bvid: the video (one of them).
        page_index: which part (0-based), when `cid` is not given.
        cid: the part's cid, skipping the page lookup.
        heartbeat_interval: seconds between heartbeats; default: what the server says.
        Others: as for `LiveConnection`.
    """

    def __init__(
        self,
        client: Client,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        page_index: int = 0,
        cid: int | None = None,
        heartbeat_interval: float | None = None,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        hosts: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            client,
            _monitor_session(
                client,
                aid=aid,
                bvid=bvid,
                page_index=page_index,
                cid=cid,
                heartbeat_interval=heartbeat_interval,
                heartbeat_timeout=heartbeat_timeout,
                reconnect=reconnect,
                max_retries=max_retries,
                backoff=backoff,
                open_timeout=open_timeout,
                max_queue=max_queue,
                hosts=hosts,
                sync=True,
            ),
        )


class AsyncVideoOnlineMonitor(AsyncStream[VideoOnlineEvent]):
    """`VideoOnlineMonitor` for asyncio: `async with`, `async for`, `await run()`."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        page_index: int = 0,
        cid: int | None = None,
        heartbeat_interval: float | None = None,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        hosts: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            client,
            _monitor_session(
                client,
                aid=aid,
                bvid=bvid,
                page_index=page_index,
                cid=cid,
                heartbeat_interval=heartbeat_interval,
                heartbeat_timeout=heartbeat_timeout,
                reconnect=reconnect,
                max_retries=max_retries,
                backoff=backoff,
                open_timeout=open_timeout,
                max_queue=max_queue,
                hosts=hosts,
                sync=False,
            ),
        )

"""The video online-count monitor: its 18-byte packet format, events, and both flavours
end to end against MockLiveServer in video mode."""

from __future__ import annotations

import asyncio
import json
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, LiveException
from bilibili_sdk.danmaku import Danmaku
from bilibili_sdk.live import ConnectionEvent, LiveProtocolError
from bilibili_sdk.testing import MockBilibili, MockLiveServer
from bilibili_sdk.video_online import (
    AsyncVideoOnlineMonitor,
    VideoMessage,
    VideoOnlineCount,
    VideoOnlineMonitor,
    VideoPacket,
    decode_video_frame,
    encode_video_packet,
)

BVID = "BV17x411w7KC"  # av170001
FAST: dict[str, Any] = {"heartbeat_interval": 0.2, "backoff": (0.01, 0.05), "open_timeout": 3.0}
WAIT = 5.0
DM_CSV = "12.5,5,36,16711680,1700000000,0,8a0f75dc,1234567890123,7"


def online(n: int) -> dict[str, Any]:
    return {"code": 0, "message": "0", "data": {"room": {"online": n}}}


# ---------------------------------------------------------------- the wire format


def test_packet_layout() -> None:
    pkt = encode_video_packet(7, {"room_id": "video://1/2"}, sequence=1)
    length, magic, type_, seq, zero = struct.unpack(">IIIIH", pkt[:18])
    assert (length, magic, type_, seq, zero) == (len(pkt), 0x00120001, 7, 1, 0)
    assert pkt[18:] == b'{"room_id":"video://1/2"}'


def test_every_packet_of_a_frame_is_decoded() -> None:
    frame = (
        encode_video_packet(3, online(5), sequence=2)
        + encode_video_packet(1000, [DM_CSV, "第一"])
        + encode_video_packet(1000, ["1,1,25,16777215,1700000001,1,ab", "第二"])
        + encode_video_packet(1015, {"total": "1000+", "count": "12"})
    )
    assert decode_video_frame(frame) == [
        VideoPacket(3, 2, online(5)),
        VideoPacket(1000, 1, [DM_CSV, "第一"]),
        VideoPacket(1000, 1, ["1,1,25,16777215,1700000001,1,ab", "第二"]),
        VideoPacket(1015, 1, {"total": "1000+", "count": "12"}),
    ]


def test_heartbeat_body_is_kept_as_bytes() -> None:
    frame = encode_video_packet(2, b"[object Object]", sequence=9)
    assert decode_video_frame(frame) == [VideoPacket(2, 9, b"[object Object]")]
    assert decode_video_frame(encode_video_packet(8, b"")) == [VideoPacket(8, 1, None)]


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x00" * 10,
        struct.pack(">IIIIH", 100, 0x00120001, 3, 1, 0) + b"{}",
        struct.pack(">IIIIH", 10, 0x00120001, 3, 1, 0),
        struct.pack(">IIIIH", 20, 0x00100001, 3, 1, 0) + b"{}",
        encode_video_packet(3, b"{nope"),
        encode_video_packet(3, online(1)) + b"\x00\x01",
        "text",
    ],
    ids=["empty", "short", "past-end", "below-header", "bad-header-length", "json", "tail", "str"],
)
def test_malformed_frames(frame: Any) -> None:
    with pytest.raises(LiveProtocolError):
        decode_video_frame(frame)


def test_events_of_a_frame() -> None:
    from bilibili_sdk.video_online import VideoOnlineProtocol

    proto = VideoOnlineProtocol(
        aid=170001,
        bvid=None,
        page_index=0,
        cid=279786,
        heartbeat_interval=None,
        heartbeat_timeout=None,
        hosts=None,
    )
    frame = (
        encode_video_packet(3, online(42))
        + encode_video_packet(1000, [DM_CSV, "弹幕"])
        + encode_video_packet(1000, ["x,y", "bad numbers"])
        + encode_video_packet(1015, {"total": "1000+", "count": "12"})
        + encode_video_packet(4242, {"what": "new"})
    )
    result = proto.on_frame(frame)
    assert result.heartbeat_reply and result.error is None
    a, b, c, d, e = result.events
    assert isinstance(a, VideoOnlineCount) and a.online == 42 and a.cmd == "ONLINE"
    assert isinstance(b, Danmaku)
    assert (b.text, b.dm_time, b.mode, b.font_size, b.color) == ("弹幕", 12.5, 5, 36, 0xFF0000)
    assert (b.send_time, b.pool, b.crc32_id, b.id_, b.weight) == (
        1700000000,
        0,
        "8a0f75dc",
        1234567890123,
        7,
    )
    assert isinstance(c, VideoMessage) and c.type == 1000  # did not fit: kept raw
    assert isinstance(d, VideoOnlineCount) and (d.total, d.count, d.online) == ("1000+", "12", None)
    assert isinstance(e, VideoMessage) and e.type == 4242 and e.raw == {"what": "new"}
    # auth and heartbeat packets: sequence 1, then rising from 2 on each connection
    assert decode_video_frame(proto.auth_frame())[0].sequence == 1
    assert [decode_video_frame(proto.heartbeat_frame())[0].sequence for _ in range(3)] == [2, 3, 4]
    proto.auth_frame()
    assert decode_video_frame(proto.heartbeat_frame())[0].sequence == 2


# ---------------------------------------------------------------- end to end


@pytest.fixture
def server() -> Iterator[MockLiveServer]:
    with MockLiveServer(mode="video", online=321) as s:
        yield s


@pytest.fixture
def bmock(server: MockLiveServer) -> MockBilibili:
    return server.configure(MockBilibili())


def take(monitor: VideoOnlineMonitor, n: int, skip_online: bool = True) -> list[Any]:
    timer = threading.Timer(WAIT, monitor.close)
    timer.start()
    out: list[Any] = []
    try:
        for ev in monitor:
            if skip_online and isinstance(ev, VideoOnlineCount) and ev.total is None:
                continue
            out.append(ev)
            if len(out) == n:
                break
    finally:
        timer.cancel()
        timer.join()
    assert len(out) == n, out
    return out


def test_sync_monitor_end_to_end(server: MockLiveServer, bmock: MockBilibili) -> None:
    before = {t for t in threading.enumerate() if t.name != "mock-live-server"}
    with Client(transport=bmock.transport()) as bili:
        monitor = VideoOnlineMonitor(bili, bvid=BVID, page_index=1, **FAST)
        counts: list[VideoOnlineCount] = []
        danmaku: list[Danmaku] = []
        monitor.on("ONLINE")(counts.append)
        monitor.on("DANMAKU")(danmaku.append)
        with monitor:
            server.wait_until(lambda: len(counts) >= 1)
            server.push_video(
                (1000, [DM_CSV, "一"]),
                (3, online(7)),
                (1000, ["1,1,25,16777215,1700000001,1,ab", "二"]),
                (1015, {"total": "1000+", "count": "12"}),
            )
            got = take(monitor, 3)
            server.wait_until(lambda: server.clients[0].heartbeats >= 3)
    assert counts[0].online == 321 and any(c.online == 7 for c in counts)
    assert [d.text for d in danmaku] == ["一", "二"] and danmaku[1].is_sub
    assert [type(e) for e in got] == [Danmaku, Danmaku, VideoOnlineCount]
    rec = server.clients[0]
    assert rec.auth == {
        "room_id": "video://170001/279787",  # page_index 1 -> the second part's cid
        "platform": "web",
        "accepts": [1000, 1015],
    }
    seqs = rec.heartbeat_sequences
    assert seqs[:3] == [2, 3, 4]
    assert rec.headers["Origin"] == "https://www.bilibili.com"
    assert {t for t in threading.enumerate() if t.name != "mock-live-server"} == before


def test_sync_monitor_reconnects_after_drop_and_missed_heartbeat(
    server: MockLiveServer, bmock: MockBilibili
) -> None:
    with Client(transport=bmock.transport()) as bili:
        monitor = VideoOnlineMonitor(
            bili, aid=170001, cid=5, heartbeat_interval=0.1, heartbeat_timeout=0.3,
            backoff=(0.01, 0.05),
        )  # fmt: skip
        reasons: list[str | None] = []
        monitor.on("DISCONNECTED")(lambda ev: reasons.append(ev.reason))
        with monitor:
            server.drop()
            server.wait_until(lambda: server.authenticated_count == 2)
            server.stall_heartbeats()
            server.wait_until(lambda: server.authenticated_count >= 3)
            server.stall_heartbeats(False)
            server.wait_until(lambda: server.open_count == 1)
            server.push_video((1000, [DM_CSV, "still here"]))
            got = take(monitor, 1)
    assert reasons[:2] == ["connection lost", "heartbeat timeout"]
    assert isinstance(got[0], Danmaku) and got[0].text == "still here"
    assert bmock.count("video.get_pages") == 0  # cid given: no page lookup
    assert server.clients[0].auth == {
        "room_id": "video://170001/5",
        "platform": "web",
        "accepts": [1000, 1015],
    }


def test_sync_monitor_garbage_and_auth_rejection(
    server: MockLiveServer, bmock: MockBilibili
) -> None:
    with Client(transport=bmock.transport()) as bili:
        monitor = VideoOnlineMonitor(bili, bvid=BVID, **FAST)
        errors: list[ConnectionEvent] = []
        monitor.on("ERROR")(errors.append)
        with monitor:
            server.send_garbage()
            server.push_video((1000, [DM_CSV, "after garbage"]))
            assert take(monitor, 1)[0].text == "after garbage"
        assert [e.reason for e in errors] == ["bad frame"]
        server.reject_auth(-400)
        with pytest.raises(LiveException, match="rejected"):
            VideoOnlineMonitor(bili, bvid=BVID, **FAST).open()


def test_sync_monitor_uses_the_server_heartbeat(server: MockLiveServer) -> None:
    mock = server.configure(MockBilibili(), video_heartbeat=1)
    with Client(transport=mock.transport()) as bili:
        with VideoOnlineMonitor(bili, bvid=BVID, backoff=(0.01, 0.05)) as monitor:
            proto = monitor._session.protocol
            assert proto.heartbeat_interval == 1.0 and proto.heartbeat_timeout == 1.0


def test_sync_monitor_bad_page_index(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        with pytest.raises(ArgsException, match="page_index"):
            VideoOnlineMonitor(bili, bvid=BVID, page_index=5, **FAST).open()
    assert server.connection_count == 0


def test_monitor_arguments_checked_before_io(bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        for kwargs, arg in [
            ({}, "aid"),
            ({"aid": 0}, "aid"),
            ({"bvid": "BVnope"}, "bvid"),
            ({"aid": 1, "bvid": BVID}, "bvid"),
            ({"aid": 1, "page_index": -1}, "page_index"),
            ({"aid": 1, "cid": 0}, "cid"),
            ({"aid": 1, "hosts": ["http://x"]}, "hosts"),
            ({"aid": 1, "heartbeat_interval": -1}, "heartbeat_interval"),
        ]:
            with pytest.raises(ArgsException) as info:
                VideoOnlineMonitor(bili, **kwargs)
            assert info.value.argument == arg, kwargs
    with pytest.raises(ArgsException):
        AsyncVideoOnlineMonitor(Client(), aid=1)  # type: ignore[arg-type]
    assert not bmock.requests


@pytest.mark.anyio
async def test_async_monitor_end_to_end(server: MockLiveServer, bmock: MockBilibili) -> None:
    async with AsyncClient(transport=bmock.transport()) as bili:
        monitor = AsyncVideoOnlineMonitor(bili, bvid=BVID, **FAST)
        danmaku: list[Danmaku] = []

        @monitor.on("DANMAKU")
        async def on_dm(d: Danmaku) -> None:
            await asyncio.sleep(0)
            danmaku.append(d)

        async with monitor:
            server.push_video((1000, [DM_CSV, "一"]), (1000, [DM_CSV, "二"]), (3, online(9)))
            await server.await_until(lambda: len(danmaku) == 2)
            it = monitor.__aiter__()
            seen: list[Any] = []

            async def collect() -> None:
                async for ev in it:
                    seen.append(ev)
                    if isinstance(ev, VideoOnlineCount) and ev.online == 9:
                        return

            await asyncio.wait_for(collect(), WAIT)
            await it.aclose()
            server.drop()
            await server.await_until(lambda: server.authenticated_count == 2)
            server.push_video((1000, [DM_CSV, "三"]))
            await server.await_until(lambda: len(danmaku) == 3)
    assert [d.text for d in danmaku] == ["一", "二", "三"]
    assert [d.text for d in seen if isinstance(d, Danmaku)] == ["一", "二"]
    assert json.dumps(server.clients[0].auth) == (
        '{"room_id": "video://170001/279786", "platform": "web", "accepts": [1000, 1015]}'
    )
    pending = [t for t in asyncio.all_tasks() if t.get_name().startswith("bilibili-sdk")]
    assert not pending


def test_client_video_online_monitor(server: MockLiveServer, bmock: MockBilibili) -> None:
    with Client(transport=bmock.transport()) as bili:
        monitor = bili.video.online_monitor(bvid=BVID, **FAST)
        assert isinstance(monitor, VideoOnlineMonitor) and server.connection_count == 0
        with monitor:
            server.push_video((1000, [DM_CSV, "三"]))
            assert [d.text for d in take(monitor, 1)] == ["三"]


@pytest.mark.anyio
async def test_async_client_video_online_monitor(
    server: MockLiveServer, bmock: MockBilibili
) -> None:
    async with AsyncClient(transport=bmock.transport()) as bili:
        monitor = bili.video.online_monitor(aid=170001, **FAST)
        assert isinstance(monitor, AsyncVideoOnlineMonitor)
        async with monitor:
            await server.await_until(lambda: server.authenticated_count >= 1)
        assert server.clients[0].auth["room_id"].startswith("video://170001/")

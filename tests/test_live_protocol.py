"""The live wire format, the typed events, and the sans-IO session (driven by a fake clock)."""

from __future__ import annotations

import base64
import copy
import json
import struct
import zlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import brotli
import pytest

from bilibili_sdk import ArgsException, Credential, LiveException, NetworkException
from bilibili_sdk._exceptions import NotFoundException
from bilibili_sdk.live import (
    EVENT_TYPES,
    ComboSend,
    ConnectionEvent,
    CutOff,
    DanmakuMessage,
    GuardBuy,
    InteractWord,
    LikeClick,
    LikeUpdate,
    LiveEvent,
    LivePreparing,
    LiveProtocolError,
    LiveStart,
    OnlineRank,
    OnlineRankCount,
    Operation,
    Packet,
    Popularity,
    Protover,
    RawEvent,
    RoomChange,
    RoomRealTimeUpdate,
    RoomWarning,
    SendGift,
    SuperChat,
    UserToast,
    WatchedChange,
    decode_frame,
    decode_interact_word,
    decode_online_rank,
    encode_packet,
    normalize_cmd,
    parse_event,
)
from bilibili_sdk.live._session import (
    CloseSocket,
    Connect,
    ConnectFailed,
    ConnectionLost,
    Deliver,
    Fetch,
    LiveRoomProtocol,
    Options,
    Recv,
    Send,
    Session,
    Sleep,
    host_url,
)

# ---------------------------------------------------------------- a tiny protobuf encoder


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb(*fields: tuple[int, int | str | bytes | bool]) -> bytes:
    """Fields in order; ints/bools as varints, str/bytes length-delimited."""
    out = bytearray()
    for number, value in fields:
        if isinstance(value, (bool, int)):
            out += _varint(number << 3) + _varint(int(value))
        else:
            raw = value.encode() if isinstance(value, str) else value
            out += _varint(number << 3 | 2) + _varint(len(raw)) + raw
    return bytes(out)


# ---------------------------------------------------------------- fixtures (hand-built)

DANMU = {
    "cmd": "DANMU_MSG:4:0:2:2:2:0",
    "dm_v2": "",
    "msg_id": "1234:1000:1000",
    "send_time": 1700000000123,
    "info": [
        [
            0,
            4,
            30,
            16772431,
            1700000000000,
            1234567890,
            0,
            "8a0f75dc",
            0,
            0,
            0,
            "",
            0,
            "{}",
            "{}",
            {
                "mode": 0,
                "show_player_type": 0,
                "extra": json.dumps(
                    {
                        "id_str": "abcdef0123456789",
                        "reply_uname": "someone",
                        "reply_mid": 42,
                        "emots": {"[dog]": {"url": "https://i0.hdslb.com/dog.png"}},
                    }
                ),
                "user": {"uid": 12345678, "base": {"name": "某用户", "face": "https://face/x.jpg"}},
            },
            {"activity_identity": "", "activity_source": 0, "not_show": 0},
            0,
        ],
        "主播好厉害[dog]",
        [12345678, "某用户", 1, 0, 0, 10000, 1, "#00D1F1"],
        [21, "粉丝牌", "主播名", 23058, 1725515, "", 0, 1725515, 1725515, 5414290, 3, 1, 11153765],
        [25, 0, 5805790, ">50000", 0],
        ["old-title", "title-css"],
        0,
        3,
        None,
        {"ts": 1700000000, "ct": "ABCDEF01"},
        0,
        0,
        None,
        None,
        0,
        105,
        [21],
        None,
    ],
}

EMOTICON_DANMU = {
    "cmd": "DANMU_MSG",
    "info": [
        [0, 1, 25, 16777215, 1700000001000, 1, 0, "deadbeef", 0, 0, 0, "", 1,
         {"url": "https://i0.hdslb.com/sticker.png", "emoticon_unique": "official_147",
          "width": 183, "height": 60, "bulge_display": 0}],
        "赞",
        [0, "用***", 0, 0, 0, 10000, 1, ""],
        [],
        [0, 0, 9868950, ">50000", 0],
        ["", ""],
        0,
        0,
    ],
}  # fmt: skip

GIFT = {
    "cmd": "SEND_GIFT",
    "data": {
        "action": "投喂",
        "batch_combo_id": "batch:gift:combo_id:1:2:3",
        "coin_type": "gold",
        "face": "https://face/g.jpg",
        "giftId": "31036",
        "giftName": "小花花",
        "giftType": 0,
        "guard_level": 0,
        "medal_info": {
            "anchor_roomid": 0,
            "anchor_uname": "",
            "guard_level": 0,
            "is_lighted": 0,
            "medal_color": 0,
            "medal_level": 0,
            "medal_name": "",
            "target_id": 0,
        },
        "num": 5,
        "price": "100",
        "rnd": "1700000000",
        "tid": "1700000000120000001",
        "timestamp": 1700000000,
        "total_coin": 500,
        "uid": 1001,
        "uname": "送礼人",
        "new_server_field": {"x": 1},
    },
}


def _fixture(cmd: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"cmd": cmd, "data": data}


SIMPLE_FIXTURES: list[tuple[dict[str, Any], type[LiveEvent], dict[str, Any]]] = [
    (
        _fixture(
            "COMBO_SEND",
            {
                "uid": 1001,
                "uname": "u",
                "gift_id": 31036,
                "gift_name": "小花花",
                "combo_num": 3,
                "total_num": 9,
                "action": "投喂",
                "batch_combo_id": "b",
                "combo_id": "c",
                "combo_total_coin": 900,
                "ruid": 11153765,
                "r_uname": "主播",
                "medal_info": {"medal_name": "牌", "medal_level": 5, "target_id": 11153765},
            },
        ),
        ComboSend,
        {"combo_num": 3, "total_num": 9, "gift_name": "小花花", "ruid": 11153765},
    ),
    (
        _fixture(
            "SUPER_CHAT_MESSAGE",
            {
                "id": 8888,
                "uid": 1002,
                "price": 30,
                "message": "加油",
                "message_trans": "",
                "start_time": 1700000000,
                "end_time": 1700000060,
                "time": 60,
                "background_color": "#EDF5FF",
                "user_info": {
                    "uname": "SC人",
                    "face": "https://f",
                    "guard_level": 3,
                    "user_level": 20,
                },
                "medal_info": {"medal_name": "牌", "medal_level": 12, "anchor_roomid": 23058},
            },
        ),
        SuperChat,
        {"price": 30, "message": "加油", "uname": "SC人", "guard_level": 3, "time": 60},
    ),
    (
        _fixture(
            "GUARD_BUY",
            {
                "uid": 1003,
                "username": "舰长",
                "guard_level": 3,
                "num": 1,
                "price": 198000,
                "gift_id": 10003,
                "gift_name": "舰长",
                "start_time": 1700000000,
                "end_time": 1700000000,
            },
        ),
        GuardBuy,
        {"guard_level": 3, "price": 198000, "username": "舰长"},
    ),
    (
        _fixture(
            "USER_TOAST_MSG",
            {
                "uid": 1003,
                "username": "舰长",
                "guard_level": 3,
                "num": 1,
                "price": 198000,
                "unit": "月",
                "role_name": "舰长",
                "op_type": 1,
                "toast_msg": "<%舰长%> 开通了舰长",
            },
        ),
        UserToast,
        {"unit": "月", "role_name": "舰长", "op_type": 1},
    ),
    (
        _fixture(
            "INTERACT_WORD",
            {
                "uid": 1004,
                "uname": "进场",
                "uname_color": "",
                "identities": [1],
                "msg_type": 1,
                "roomid": 23058,
                "timestamp": 1700000000,
                "trigger_time": 1700000000123456789,
                "score": 1700000000000,
                "fans_medal": {"medal_name": "牌", "medal_level": 7, "target_id": 11153765},
                "privilege_type": 0,
                "uinfo": {"uid": 1004, "base": {"name": "进场", "face": "https://face/i.jpg"}},
            },
        ),
        InteractWord,
        {"uid": 1004, "msg_type": 1, "face": "https://face/i.jpg", "identities": [1]},
    ),
    (
        _fixture(
            "LIKE_INFO_V3_CLICK",
            {"uid": 1005, "uname": "点赞", "like_text": "为主播点赞了", "msg_type": 6},
        ),
        LikeClick,
        {"like_text": "为主播点赞了", "medal": None},
    ),
    (_fixture("LIKE_INFO_V3_UPDATE", {"click_count": "1234"}), LikeUpdate, {"click_count": 1234}),
    (
        _fixture("ONLINE_RANK_COUNT", {"count": 56, "count_text": "56", "online_count": 80}),
        OnlineRankCount,
        {"count": 56, "online_count": 80},
    ),
    (
        _fixture(
            "ONLINE_RANK_V2",
            {
                "rank_type": "gold-rank",
                "list": [
                    {
                        "uid": 1,
                        "uname": "a",
                        "face": "f",
                        "score": "300",
                        "rank": 1,
                        "guard_level": 3,
                    },
                    {"uid": 2, "uname": "b", "face": "f", "score": "", "rank": 2},
                ],
            },
        ),
        OnlineRank,
        {"rank_type": "gold-rank"},
    ),
    (
        _fixture(
            "WATCHED_CHANGE", {"num": 12345, "text_small": "1.2万", "text_large": "1.2万人看过"}
        ),
        WatchedChange,
        {"num": 12345, "text_large": "1.2万人看过"},
    ),
    (
        _fixture(
            "ROOM_CHANGE",
            {"title": "新标题", "area_id": 86, "parent_area_id": 2, "area_name": "英雄联盟"},
        ),
        RoomChange,
        {"title": "新标题", "area_id": 86},
    ),
    (
        _fixture("ROOM_REAL_TIME_MESSAGE_UPDATE", {"roomid": 23058, "fans": 100, "fans_club": 7}),
        RoomRealTimeUpdate,
        {"fans": 100, "fans_club": 7},
    ),
    (
        {"cmd": "LIVE", "live_key": "k", "live_platform": "pc", "roomid": 23058, "live_time": 1},
        LiveStart,
        {"live_key": "k", "live_platform": "pc", "live_time": 1},
    ),
    ({"cmd": "PREPARING", "roomid": "23058", "round": 1}, LivePreparing, {"round": 1}),
    ({"cmd": "WARNING", "msg": "违规", "roomid": 23058}, RoomWarning, {"msg": "违规"}),
    ({"cmd": "CUT_OFF", "msg": "切断", "roomid": 23058}, CutOff, {"msg": "切断"}),
]


# ---------------------------------------------------------------- packets and frames


def _notice_packets(notices: list[dict[str, Any]]) -> bytes:
    return b"".join(encode_packet(Operation.NOTICE, n, protover=0) for n in notices)


def test_encode_packet_layout() -> None:
    pkt = encode_packet(Operation.HEARTBEAT, b"[object Object]")
    assert pkt[:16] == struct.pack(">IHHII", 31, 16, 1, 2, 1)
    assert pkt[16:] == b"[object Object]"
    auth = encode_packet(Operation.AUTH, {"uid": 0, "key": "k"}, sequence=7)
    assert struct.unpack(">IHHII", auth[:16]) == (len(auth), 16, 1, 7, 7)
    assert auth[16:] == b'{"uid":0,"key":"k"}'  # compact JSON


def test_round_trip_each_kind() -> None:
    frame = (
        encode_packet(Operation.NOTICE, {"cmd": "X", "n": 1}, protover=0, sequence=3)
        + encode_packet(Operation.HEARTBEAT_REPLY, struct.pack(">I", 4321))
        + encode_packet(Operation.AUTH_REPLY, {"code": 0})
        + encode_packet(Operation.HEARTBEAT, b"[object Object]")
    )
    assert decode_frame(frame) == [
        Packet(5, 0, 3, {"cmd": "X", "n": 1}),
        Packet(3, 1, 1, 4321),
        Packet(8, 1, 1, {"code": 0}),
        Packet(2, 1, 1, b"[object Object]"),
    ]
    assert Operation(decode_frame(frame)[0].operation) is Operation.NOTICE


@pytest.mark.parametrize("protover", [Protover.ZLIB, Protover.BROTLI])
@pytest.mark.parametrize("count", [1, 7, 20])
def test_multi_packet_compressed_frames(protover: int, count: int) -> None:
    notices = [{"cmd": "DANMU_MSG", "seq": i, "text": "弹幕" * i} for i in range(count)]
    frame = encode_packet(Operation.NOTICE, _notice_packets(notices), protover=protover)
    packets = decode_frame(frame)
    assert [p.body for p in packets] == notices
    assert all(p.operation == 5 and p.protover == 0 for p in packets)
    body = frame[16:]
    raw = zlib.decompress(body) if protover == 2 else brotli.decompress(body)
    assert raw == _notice_packets(notices)


def test_nested_compression_and_mixed_frame() -> None:
    inner = encode_packet(5, _notice_packets([{"cmd": "A"}, {"cmd": "B"}]), protover=2)
    middle = encode_packet(5, inner + _notice_packets([{"cmd": "C"}]), protover=3)
    frame = encode_packet(3, struct.pack(">I", 9)) + middle + _notice_packets([{"cmd": "D"}])
    assert [p.body for p in decode_frame(frame)] == [
        9,
        {"cmd": "A"},
        {"cmd": "B"},
        {"cmd": "C"},
        {"cmd": "D"},
    ]


def test_decode_accepts_bytearray_and_memoryview() -> None:
    frame = encode_packet(5, {"cmd": "X"}, protover=0)
    assert decode_frame(bytearray(frame)) == decode_frame(memoryview(frame)) == decode_frame(frame)


def _header(total: int, hlen: int = 16, ver: int = 0, op: int = 5) -> bytes:
    return struct.pack(">IHHII", total, hlen, ver, op, 1)


MALFORMED: dict[str, Any] = {
    "empty": b"",
    "short header": b"\x00\x00\x00\x10\x00\x10",
    "length past the end": _header(100) + b"{}",
    "length below header": _header(8) + b"{}",
    "header length below 16": _header(18, hlen=8) + b"{}",
    "header length past the packet": _header(18, hlen=20) + b"{}",
    "trailing bytes": encode_packet(5, {"cmd": "X"}, protover=0) + b"\x00\x01",
    "bad zlib": _header(16 + 5, ver=2) + b"nope!",
    "truncated zlib": encode_packet(5, _notice_packets([{"cmd": "X"}]), protover=2)[:-4],
    "bad brotli": _header(16 + 5, ver=3) + b"\xff\xff\xff\xff\xff",
    "compressed garbage": encode_packet(5, b"\x01\x02\x03", protover=3),
    "bad json": _header(16 + 5) + b"{nope",
    "json not an object": _header(16 + 2) + b"[]",
    "bad utf-8": _header(16 + 4) + b'"\xff"x',
    "short heartbeat reply": _header(16 + 2, ver=1, op=3) + b"\x00\x01",
    "text frame": "not bytes",
    "none": None,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_frames_raise_typed_error(name: str) -> None:
    with pytest.raises(LiveProtocolError) as info:
        decode_frame(MALFORMED[name])
    assert isinstance(info.value, ValueError) and isinstance(info.value, LiveException)


def test_nesting_is_bounded() -> None:
    frame = encode_packet(5, {"cmd": "X"}, protover=0)
    for _ in range(12):
        frame = encode_packet(5, frame, protover=2)
    with pytest.raises(LiveProtocolError, match="nested"):
        decode_frame(frame)


def test_decode_is_linear_in_frame_size() -> None:
    # 20k packets in one frame decode in one pass (a quadratic re-slice would take minutes).
    frame = _notice_packets([{"cmd": "X", "i": i} for i in range(20_000)])
    assert len(decode_frame(encode_packet(5, frame, protover=3))) == 20_000


# ---------------------------------------------------------------- events


def test_normalize_cmd() -> None:
    assert normalize_cmd("DANMU_MSG:4:0:2:2:2:0") == "DANMU_MSG"
    assert normalize_cmd("DANMU_MSG") == "DANMU_MSG"
    assert normalize_cmd("RECALL_DANMU_MSG") == "RECALL_DANMU_MSG"
    assert normalize_cmd("RECALL_DANMU_MSG:1") == "RECALL_DANMU_MSG"
    assert normalize_cmd("SEND_GIFT") == "SEND_GIFT"


def test_danmu_msg_positional_info() -> None:
    ev = parse_event(copy.deepcopy(DANMU), room_id=23058)
    assert isinstance(ev, DanmakuMessage)
    assert ev.cmd == "DANMU_MSG" and ev.room_id == 23058
    assert (ev.text, ev.uid, ev.uname) == ("主播好厉害[dog]", 12345678, "某用户")
    assert (ev.mode, ev.font_size, ev.color, ev.timestamp) == (4, 30, 16772431, 1700000000000)
    assert ev.user_hash == "8a0f75dc" and ev.is_admin and not ev.is_vip
    assert ev.uname_color == "#00D1F1" and ev.user_level == 25 and ev.guard_level == 3
    assert ev.medal is not None
    assert (ev.medal.name, ev.medal.level, ev.medal.anchor_room_id) == ("粉丝牌", 21, 23058)
    assert (ev.medal.anchor_uid, ev.medal.guard_level, ev.medal.is_lighted) == (11153765, 3, True)
    assert ev.face == "https://face/x.jpg" and ev.id_str == "abcdef0123456789"
    assert ev.reply_uname == "someone" and ev.reply_uid == 42
    assert ev.emots is not None and "[dog]" in ev.emots
    assert ev.title == "title-css" and ev.wealth_level == 21
    assert ev.dm_type == 0 and ev.emoticon is None
    assert ev.raw["cmd"] == "DANMU_MSG:4:0:2:2:2:0"  # raw keeps the original
    assert ev.model_extra is not None and ev.model_extra["msg_id"] == "1234:1000:1000"


def test_danmu_msg_emoticon_and_anonymous() -> None:
    ev = parse_event(copy.deepcopy(EMOTICON_DANMU))
    assert isinstance(ev, DanmakuMessage)
    assert ev.dm_type == 1 and ev.emoticon is not None
    assert ev.emoticon.url.endswith("sticker.png") and ev.emoticon.width == 183
    assert ev.uid == 0 and ev.uname == "用***" and ev.medal is None and ev.face is None


def test_send_gift_lenient() -> None:
    ev = parse_event(copy.deepcopy(GIFT), room_id=5)
    assert isinstance(ev, SendGift)
    assert (ev.gift_id, ev.gift_name, ev.num, ev.price) == (31036, "小花花", 5, 100)  # str -> int
    assert ev.coin_type == "gold" and ev.total_coin == 500 and ev.uname == "送礼人"
    assert ev.medal is None  # the all-zero medal object means "none"
    assert ev.model_extra is not None and ev.model_extra["new_server_field"] == {"x": 1}


@pytest.mark.parametrize(
    ("notice", "cls", "expected"), SIMPLE_FIXTURES, ids=[f[0]["cmd"] for f in SIMPLE_FIXTURES]
)
def test_typed_events(
    notice: dict[str, Any], cls: type[LiveEvent], expected: dict[str, Any]
) -> None:
    ev = parse_event(copy.deepcopy(notice), room_id=23058)
    assert type(ev) is cls, getattr(ev, "error", None)
    assert ev.cmd == notice["cmd"] and ev.room_id == 23058 and ev.raw == notice
    for k, v in expected.items():
        assert getattr(ev, k) == v, k


def test_online_rank_v2_rows() -> None:
    notice = next(f[0] for f in SIMPLE_FIXTURES if f[0]["cmd"] == "ONLINE_RANK_V2")
    ev = parse_event(copy.deepcopy(notice))
    assert isinstance(ev, OnlineRank)
    assert [(r.uid, r.score, r.rank, r.guard_level) for r in ev.ranks] == [
        (1, 300, 1, 3),
        (2, 0, 2, 0),
    ]


def _interact_pb() -> bytes:
    medal = pb((1, 11153765), (2, 21), (3, "粉丝牌"), (4, 1725515), (9, 3), (12, 23058))
    base = pb((1, "进场人"), (2, "https://face/pb.jpg"))
    user = pb((1, 777), (2, base))
    return pb(
        (1, 777),
        (2, "进场人"),
        (3, "#FF0000"),
        (4, 1),
        (4, 3),
        (5, 2),
        (6, 23058),
        (7, 1700000000),
        (8, 99),
        (9, medal),
        (15, 1700000000123),
        (16, 3),
        (21, True),
        (22, user),
        (99, "a field we do not know"),
    )


def test_interact_word_v2_protobuf() -> None:
    raw = _interact_pb()
    assert decode_interact_word(raw)["uid"] == 777
    notice = {
        "cmd": "INTERACT_WORD_V2",
        "data": {"dmscore": 12, "pb": base64.b64encode(raw).decode()},
    }
    ev = parse_event(notice, room_id=23058)
    assert isinstance(ev, InteractWord) and ev.cmd == "INTERACT_WORD_V2"
    assert (ev.uid, ev.uname, ev.uname_color, ev.msg_type) == (777, "进场人", "#FF0000", 2)
    assert ev.identities == [1, 3] and ev.timestamp == 1700000000 and ev.score == 99
    assert ev.trigger_time == 1700000000123 and ev.privilege_type == 3 and ev.is_mystery
    assert ev.face == "https://face/pb.jpg" and ev.room_id == 23058
    assert ev.medal is not None
    assert (ev.medal.name, ev.medal.level, ev.medal.anchor_uid) == ("粉丝牌", 21, 11153765)
    assert (ev.medal.guard_level, ev.medal.anchor_room_id) == (3, 23058)


def test_interact_word_json_and_v2_give_the_same_model() -> None:
    assert EVENT_TYPES["INTERACT_WORD"] is EVENT_TYPES["INTERACT_WORD_V2"] is InteractWord
    assert EVENT_TYPES["ONLINE_RANK_V2"] is EVENT_TYPES["ONLINE_RANK_V3"] is OnlineRank


def test_online_rank_v3_protobuf() -> None:
    item1 = pb((1, 1), (2, "https://f1"), (3, "1500"), (4, "第一"), (5, 1), (6, 3), (7, False))
    item2 = pb((1, 2), (2, "https://f2"), (3, "700"), (4, "第二"), (5, 2), (7, True))
    online = pb((1, 3), (3, "10"), (4, "在线"), (5, 1))
    raw = pb((1, "online_gold_rank"), (2, item1), (2, item2), (3, online))
    assert decode_online_rank(raw)["rank_type"] == "online_gold_rank"
    ev = parse_event({"cmd": "ONLINE_RANK_V3", "data": {"pb": base64.b64encode(raw).decode()}})
    assert isinstance(ev, OnlineRank) and ev.cmd == "ONLINE_RANK_V3"
    assert [(r.uid, r.uname, r.score, r.rank) for r in ev.ranks] == [
        (1, "第一", 1500, 1),
        (2, "第二", 700, 2),
    ]
    assert ev.ranks[0].guard_level == 3 and ev.ranks[1].is_mystery
    assert [r.uname for r in ev.online_list] == ["在线"]
    # rank_type seen as a number too
    assert decode_online_rank(pb((1, 2)))["rank_type"] == "2"


@pytest.mark.parametrize(
    "notice",
    [
        {"cmd": "INTERACT_WORD_V2", "data": {"pb": "!!!not base64!!!"}},
        {"cmd": "INTERACT_WORD_V2", "data": {"pb": base64.b64encode(b"\x0a\xff").decode()}},
        {"cmd": "ONLINE_RANK_V3", "data": {"pb": base64.b64encode(b"\x12\x05ab").decode()}},
        {"cmd": "DANMU_MSG", "info": "not a list"},
        {"cmd": "SEND_GIFT", "data": {"num": "many"}},
        {"cmd": "WATCHED_CHANGE", "data": {"num": {"nested": True}}},
    ],
    ids=["bad-base64", "bad-pb", "bad-rank-pb", "bad-info", "bad-num", "bad-type"],
)
def test_events_that_do_not_fit_become_raw(notice: dict[str, Any]) -> None:
    ev = parse_event(notice, room_id=9)
    assert isinstance(ev, RawEvent)
    assert ev.cmd == notice["cmd"] and ev.room_id == 9 and ev.raw == notice
    assert ev.error


def test_unknown_and_cmdless_notices() -> None:
    ev = parse_event({"cmd": "STOP_LIVE_ROOM_LIST", "data": {"room_id_list": [1, 2]}}, 3)
    assert isinstance(ev, RawEvent) and ev.error is None
    assert ev.cmd == "STOP_LIVE_ROOM_LIST" and ev.data == {"room_id_list": [1, 2]}
    assert isinstance(parse_event({"no": "cmd"}), RawEvent)
    assert isinstance(parse_event({"cmd": 5}), RawEvent)


def test_event_repr_hides_raw() -> None:
    ev = parse_event(copy.deepcopy(GIFT))
    assert "raw=" not in repr(ev)


# ---------------------------------------------------------------- the sans-IO session


class FakeServer:
    """Drives Session.flow() with a fake clock: answers auth and heartbeats like the server,
    and lets a test script drops, stalls, garbage and failures."""

    def __init__(self, protocol: LiveRoomProtocol, options: Options) -> None:
        self.now = 1000.0
        self.session = Session(protocol, options, clock=lambda: self.now)
        self.protocol = protocol
        self.inbox: list[Any] = []
        self.sent: list[Packet] = []
        self.events: list[Any] = []
        self.sleeps: list[float] = []
        self.connects: list[str] = []
        self.closes = 0
        self.fetches: list[str] = []
        self.refuse: set[str] = set()
        self.stall = False
        self.auth_code = 0
        self.fetch_errors: list[Exception] = []
        self.on_tick: Callable[[FakeServer], None] | None = None
        self.connected = False
        self._flow = self.session.flow()
        self._value: Any = None
        self._exc: BaseException | None = None

    def fetch(self, op: Fetch) -> Any:
        self.fetches.append(op.method)
        if self.fetch_errors:
            raise self.fetch_errors.pop(0)
        if op.method == "live.get_room_play_info":
            return SimpleNamespace(room_id=23058, uid=11153765)
        if op.method == "live.get_danmu_info":
            hosts = [
                SimpleNamespace(host=f"h{i}.chat.bilibili.com", wss_port=443, ws_port=2244)
                for i in (1, 2)
            ]
            return SimpleNamespace(token="tok", host_list=hosts)
        if op.method == "live.get_self_info":
            return SimpleNamespace(uid=31337)
        raise AssertionError(op.method)

    def run(self, until: Callable[[FakeServer], bool], limit: int = 10_000) -> None:
        # The flow and the pending result survive between calls, so a test can run the
        # session up to a point, change the server, and go on.
        for _ in range(limit):
            if until(self):
                return
            flow = self._flow
            op = flow.send(self._value) if self._exc is None else flow.throw(self._exc)
            self._value, self._exc = None, None
            try:
                self._value = self.perform(op)
            except (ConnectFailed, ConnectionLost, NetworkException, NotFoundException) as e:
                self._exc = e
        raise AssertionError("limit reached")

    def perform(self, op: Any) -> Any:
        if self.on_tick:
            self.on_tick(self)
        if isinstance(op, Fetch):
            return self.fetch(op)
        if isinstance(op, Connect):
            if op.url in self.refuse:
                raise ConnectFailed(f"{op.url}: refused")
            self.connects.append(op.url)
            self.connected = True
            self.inbox.clear()
            return None
        if isinstance(op, Send):
            for p in decode_frame(op.data):
                self.sent.append(p)
                if p.operation == 7:
                    self.inbox.append(encode_packet(8, {"code": self.auth_code}))
                elif p.operation == 2 and not self.stall:
                    self.inbox.append(encode_packet(3, struct.pack(">I", 77)))
            return None
        if isinstance(op, Recv):
            if self.inbox:
                item = self.inbox.pop(0)
                if item == "drop":
                    raise ConnectionLost("dropped")
                return item
            self.now += op.timeout
            return None
        if isinstance(op, Sleep):
            self.sleeps.append(op.seconds)
            self.now += op.seconds
            return None
        if isinstance(op, Deliver):
            self.events.extend(op.events)
            return None
        if isinstance(op, CloseSocket):
            self.closes += 1
            self.connected = False
            return None
        raise AssertionError(op)

    def names(self) -> list[str]:
        return [e.cmd for e in self.events]

    def beats(self) -> list[Packet]:
        return [p for p in self.sent if p.operation == 2]


def _options(**kw: Any) -> Options:
    base: dict[str, Any] = dict(
        heartbeat_interval=30.0,
        heartbeat_timeout=None,
        reconnect=True,
        max_retries=3,
        backoff=(1.0, 8.0),
        open_timeout=10.0,
        max_queue=100,
    )
    base.update(kw)
    return Options.build(**base)


def _room(credential: Credential | None = None, **kw: Any) -> LiveRoomProtocol:
    return LiveRoomProtocol(3, credential=credential, buvid=lambda: "STATE-BUVID", **kw)


def _authenticated(s: FakeServer) -> bool:
    return "AUTHENTICATED" in s.names()


def test_session_auth_body_and_first_heartbeat() -> None:
    s = FakeServer(_room(), _options())
    s.run(lambda s: len(s.beats()) >= 1)
    assert s.fetches == ["live.get_room_play_info", "live.get_danmu_info"]
    assert s.connects == ["wss://h1.chat.bilibili.com:443/sub"]
    auth = s.sent[0]
    assert (auth.operation, auth.protover) == (7, 1)
    assert json.loads(auth.body) == {  # type: ignore[arg-type]
        "uid": 0,
        "roomid": 23058,
        "protover": 3,
        "platform": "web",
        "type": 2,
        "buvid": "STATE-BUVID",
        "key": "tok",
    }
    assert s.names()[:2] == ["CONNECTED", "AUTHENTICATED"]
    assert s.beats()[0].body == b"[object Object]" and s.beats()[0].protover == 1


def test_session_heartbeat_every_interval() -> None:
    s = FakeServer(_room(), _options(heartbeat_interval=30.0))
    s.run(_authenticated)
    start = s.now
    times: list[float] = []
    for n in range(1, 5):
        s.run(lambda srv, n=n: len(srv.beats()) >= n)  # type: ignore[misc]
        times.append(s.now - start)
    assert times == pytest.approx([0.0, 30.0, 60.0, 90.0])
    views = [e for e in s.events if isinstance(e, Popularity)]
    assert views and views[0].popularity == 77 and views[0].cmd == "VIEW"
    assert s.connects == ["wss://h1.chat.bilibili.com:443/sub"]  # never reconnected


def test_session_missed_heartbeat_reconnects() -> None:
    s = FakeServer(_room(), _options(heartbeat_interval=30.0, heartbeat_timeout=10.0))
    s.run(_authenticated)
    s.stall = True
    s.run(lambda srv: len(srv.connects) == 2)
    disc = [e for e in s.events if e.cmd == "DISCONNECTED"]
    assert disc[0].reason == "heartbeat timeout"
    rec = [e for e in s.events if e.cmd == "RECONNECTING"]
    assert rec[0].delay == 1.0 and rec[0].attempt == 1
    assert s.fetches.count("live.get_danmu_info") == 2  # token and hosts fetched again
    assert s.fetches.count("live.get_room_play_info") == 1  # the real id is kept
    assert s.closes >= 1


def test_session_drop_then_resume() -> None:
    s = FakeServer(_room(), _options())
    s.run(_authenticated)
    s.inbox += [
        encode_packet(5, _notice_packets([{"cmd": "A"}, {"cmd": "B"}]), protover=3),
        "drop",
    ]
    s.run(lambda srv: srv.names().count("AUTHENTICATED") == 2)
    s.inbox.append(encode_packet(5, _notice_packets([{"cmd": "C"}]), protover=2))
    s.run(lambda srv: "C" in srv.names())
    room = [e.cmd for e in s.events if isinstance(e, LiveEvent) and e.cmd != "VIEW"]
    assert room == ["A", "B", "C"]
    assert [e.reason for e in s.events if e.cmd == "DISCONNECTED"] == ["connection lost"]


def test_session_bad_frames() -> None:
    s = FakeServer(_room(), _options())
    s.run(_authenticated)
    good = _notice_packets([{"cmd": "OK1"}])
    s.inbox += [b"garbage!", good, b"garbage!"]
    s.run(lambda srv: srv.names().count("ERROR") == 2)
    assert "OK1" in s.names() and len(s.connects) == 1
    # a damaged frame still yields the packets before the damage
    s.inbox.append(good + b"\x00\x00\x00\xff")
    s.run(lambda srv: srv.names().count("OK1") == 2)
    # max_bad_frames in a row: the connection is replaced
    s.inbox += [b"x" * 20, b"y" * 20, b"z" * 20]
    s.run(lambda srv: len(srv.connects) == 2)
    assert [e.reason for e in s.events if e.cmd == "DISCONNECTED"] == ["3 bad frames in a row"]


def test_session_host_fallback_and_backoff_until_giving_up() -> None:
    s = FakeServer(_room(), _options(max_retries=3, backoff=(1.0, 3.0)))
    s.refuse = {"wss://h1.chat.bilibili.com:443/sub"}
    s.run(_authenticated)
    assert s.connects == ["wss://h2.chat.bilibili.com:443/sub"]
    errors = [e for e in s.events if e.cmd == "ERROR"]
    assert (
        errors[0].url == "wss://h1.chat.bilibili.com:443/sub"
        and errors[0].reason == "connect failed"
    )
    # now every host refuses: 3 retries with doubling (capped) delays, then LiveException
    s.refuse |= {"wss://h2.chat.bilibili.com:443/sub"}
    s.inbox.append("drop")
    with pytest.raises(LiveException, match="could not connect after 4 attempts"):
        s.run(lambda srv: False)
    assert s.sleeps == [1.0, 1.0, 2.0, 3.0]


def test_session_auth_rejected_is_final() -> None:
    s = FakeServer(_room(), _options())
    s.auth_code = -101
    with pytest.raises(LiveException, match="rejected the auth packet"):
        s.run(lambda srv: False)
    assert len(s.connects) == 1 and not s.sleeps


def test_session_auth_timeout_counts_as_failure() -> None:
    s = FakeServer(_room(), _options(open_timeout=5.0, max_retries=0))
    s.auth_code = 0
    orig = s.perform

    def no_reply(op: Any) -> Any:
        result = orig(op)
        if isinstance(op, Send):
            s.inbox.clear()
        return result

    s.perform = no_reply  # type: ignore[method-assign]
    with pytest.raises(LiveException, match="no auth reply"):
        s.run(lambda srv: False)


def test_session_lookup_errors() -> None:
    s = FakeServer(_room(), _options(max_retries=2))
    s.fetch_errors = [NetworkException("down"), NetworkException("down")]
    s.run(_authenticated)
    assert s.sleeps == [1.0, 2.0]
    assert [e.reason for e in s.events if e.cmd == "ERROR"] == ["lookup failed"] * 2
    s2 = FakeServer(_room(), _options())
    s2.fetch_errors = [NotFoundException(-404, "no such room")]
    with pytest.raises(NotFoundException):  # not retryable: raised as is, at once
        s2.run(lambda srv: False)
    assert not s2.sleeps


def test_session_no_reconnect_ends_quietly() -> None:
    s = FakeServer(_room(), _options(reconnect=False))
    s.run(_authenticated)
    s.inbox.append("drop")
    with pytest.raises(StopIteration):
        s.run(lambda srv: False)
    assert len(s.connects) == 1


def test_session_uid_and_buvid_sources() -> None:
    s = FakeServer(_room(Credential(dedeuserid=2, buvid3="CRED-BUVID")), _options())
    s.run(_authenticated)
    body = json.loads(s.sent[0].body)  # type: ignore[arg-type]
    assert (body["uid"], body["buvid"]) == (2, "CRED-BUVID")
    assert "live.get_self_info" not in s.fetches
    s = FakeServer(_room(Credential(sessdata="x")), _options())
    s.run(_authenticated)
    assert json.loads(s.sent[0].body)["uid"] == 31337  # type: ignore[arg-type]
    room = LiveRoomProtocol(3, credential=None, buvid=lambda: None)
    assert room.buvid().endswith("infoc") and len(room.buvid()) == 36 + 5 + 5


def test_session_explicit_hosts_and_web_heartbeat() -> None:
    room = _room(hosts=["ws://127.0.0.1:9/sub"], web_heartbeat=60.0)
    s = FakeServer(room, _options(heartbeat_interval=30.0))
    fetched: list[dict[str, Any]] = []
    orig = s.fetch

    def fetch(op: Fetch) -> Any:
        if op.method == "live.send_web_heartbeat":
            fetched.append(op.kwargs)
            return None
        return orig(op)

    s.fetch = fetch  # type: ignore[method-assign]
    s.run(lambda srv: len(fetched) == 2)
    assert s.connects == ["ws://127.0.0.1:9/sub"]
    assert base64.b64decode(fetched[0]["hb"]) == b"60|23058|1|0"


def test_host_url() -> None:
    assert host_url("broadcastlv.chat.bilibili.com", 443, 2244) == (
        "wss://broadcastlv.chat.bilibili.com:443/sub"
    )
    assert host_url("127.0.0.1", 443, 2244) == "ws://127.0.0.1:2244/sub"
    assert host_url("localhost", 443, 2244) == "ws://localhost:2244/sub"
    assert host_url("::1", 443, 2244) == "ws://[::1]:2244/sub"


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"heartbeat_interval": 0}, "heartbeat_interval"),
        ({"heartbeat_timeout": -1}, "heartbeat_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"backoff": (5.0, 1.0)}, "backoff"),
        ({"backoff": "fast"}, "backoff"),
        ({"open_timeout": float("inf")}, "open_timeout"),
        ({"max_queue": 0}, "max_queue"),
    ],
)
def test_options_are_checked(kw: dict[str, Any], arg: str) -> None:
    with pytest.raises(ArgsException) as info:
        _options(**kw)
    assert info.value.argument == arg


def test_options_backoff_doubles_and_caps() -> None:
    o = _options(backoff=(0.5, 3.0))
    assert [o.delay(n) for n in range(6)] == [0.5, 0.5, 1.0, 2.0, 3.0, 3.0]
    assert _options(heartbeat_interval=7.0).heartbeat_timeout == 7.0


def test_connection_event_is_named_like_events() -> None:
    ev = ConnectionEvent("ERROR", reason="x")
    assert ev.cmd == "ERROR"

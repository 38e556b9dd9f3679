"""bilibili_sdk.danmaku: protobuf decoders, XML, ASS layout and uid cracking.

Seed parity runs the seed's own decoding code (`Video.get_danmakus` / `get_danmaku_view`)
on the same bytes, with its `Api` class replaced by a stub that returns them.
"""

from __future__ import annotations

import ast
import asyncio
import random
import subprocess
import sys
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilibili_sdk import ArgsException, DanmakuClosedException
from bilibili_sdk._protobuf import DecodeError
from bilibili_sdk.danmaku import (
    VIP_GRADIENT,
    AssLayout,
    CommandDanmaku,
    Danmaku,
    DanmakuFlagConfig,
    DanmakuPlayerSetting,
    DanmakuView,
    DmFontSize,
    DmMode,
    DmSegConfig,
    ImageDanmaku,
    SpecialDanmaku,
    _segment,
    crack_uid,
    crack_uid_candidates,
    layout_ass,
    parse_segment,
    parse_special,
    parse_view,
    parse_xml,
    sort_danmakus,
    to_ass,
    to_xml,
)
from bilibili_sdk.danmaku._encode import encode_segment, encode_special, field, varint

FAST = settings(
    max_examples=60,
    deadline=None,
    # The decoder fixture below is function-scoped but constant across examples.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every parse_segment test runs twice: protobuf's upb parser, and the hand-written one."""
    if metafunc.function.__name__.startswith("test_parse_segment"):
        metafunc.parametrize("segment_decoder", ["upb", "pure"], indirect=True)


@pytest.fixture(autouse=True)
def segment_decoder(request: pytest.FixtureRequest) -> Any:
    mode = getattr(request, "param", None)
    saved = list(_segment._UPB)
    if mode == "pure":
        _segment._UPB[:] = [None]
    elif mode == "upb":
        _segment._UPB[:] = []
        assert _segment._upb_reply() is not None, "protobuf's upb backend is not installed"
    yield mode
    _segment._UPB[:] = saved


def crc(s: str) -> str:
    return f"{zlib.crc32(s.encode()):x}"


def dm(text: str = "x", **kw: Any) -> Danmaku:
    """A danmaku with every field set, as the decoders produce them."""
    base: dict[str, Any] = dict(
        dm_time=1.5,
        send_time=1700000000,
        crc32_id="58a55f17",
        color=0xFFFFFF,
        weight=5,
        id_=1000,
        id_str="1000",
        action="",
        mode=1,
        font_size=25,
        is_sub=False,
        pool=0,
        attr=0,
        uid=0,
        colorful=0,
    )
    base.update(kw)
    return Danmaku(text, **base)


# ---------------------------------------------------------------- seed harness
class _StubApi:
    """Stands in for the seed's `Api`: returns `payload` as the response body."""

    payload = b""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def update_params(self, **kwargs: Any) -> _StubApi:
        return self

    async def request(self, **kwargs: Any) -> bytes:
        return _StubApi.payload


@pytest.fixture
def seed(monkeypatch: pytest.MonkeyPatch) -> Any:
    import bilibili_api.video as seed_video

    monkeypatch.setattr(seed_video, "Api", _StubApi)

    class Seed:
        @staticmethod
        def danmakus(payload: bytes) -> list[Any]:
            _StubApi.payload = payload
            video = seed_video.Video(aid=2)
            return asyncio.run(video.get_danmakus(cid=1, from_seg=0, to_seg=0))

        @staticmethod
        def view(payload: bytes) -> dict[str, Any]:
            _StubApi.payload = payload
            return asyncio.run(seed_video.Video(aid=2).get_danmaku_view(cid=1))

    return Seed


# ---------------------------------------------------------------- enums and model
def test_enums_exact() -> None:
    assert DmMode.__doc__ == "Display mode of a danmaku."
    assert DmFontSize.__doc__ == "Font size of a danmaku, in pixels (25 is the normal size)."
    assert [(m.name, m.value) for m in DmMode] == [
        ("FLY", 1),
        ("BOTTOM", 4),
        ("TOP", 5),
        ("REVERSE", 6),
        ("ADVANCE", 7),
        ("CODE", 8),
        ("SPECIAL", 9),
    ]
    assert [(m.name, m.value) for m in DmFontSize] == [
        ("EXTREME_SMALL", 12),
        ("SUPER_SMALL", 16),
        ("SMALL", 18),
        ("NORMAL", 25),
        ("BIG", 36),
        ("SUPER_BIG", 45),
        ("EXTREME_BIG", 64),
    ]
    assert isinstance(DmMode.TOP, int) and int(DmMode.TOP) == 5


def test_danmaku_model() -> None:
    d = Danmaku("hi")
    assert (d.color, d.mode, d.font_size, d.weight, d.id_, d.pool) == (0xFFFFFF, 1, 25, -1, -1, 0)
    assert isinstance(d.send_time, int) and d.send_time > 1_600_000_000
    assert d.color_hex == "ffffff"
    assert Danmaku("x", color=0x0000FF).color_hex == "0000ff"
    assert d.mode_enum is DmMode.FLY and d.font_size_enum is DmFontSize.NORMAL
    odd = Danmaku("x", mode=42, font_size=30)
    assert odd.mode_enum is None and odd.font_size_enum is None
    assert Danmaku("x", 0, 1, mode=DmMode.TOP) == Danmaku("x", 0, 1, mode=5)
    assert dm(colorful=VIP_GRADIENT).is_vip_colorful and not dm().is_vip_colorful
    assert Danmaku.crack_uid("58a55f17") == 114514
    assert not hasattr(d, "__dict__")  # slotted


def test_danmaku_to_xml_exact() -> None:
    d = dm("a<b>&c\"'", dm_time=12.345, color=0xFE0302, mode=DmMode.TOP, font_size=36)
    assert d.to_xml() == (
        '<d p="12.34500,5,36,16646914,1700000000,0,58a55f17,1000,5">a&lt;b&gt;&amp;c"\'</d>'
    )
    # Characters XML 1.0 forbids are dropped; \r survives as a reference.
    assert dm("a\x00b\x1fc\ud800d\ufffee\rf\tg\nh").to_xml().endswith(">abcde&#13;f\tg\nh</d>")
    # VIP colourful danmaku keep their RGB colour (the seed wrote "special" and crashed here).
    assert ",16777215," in dm(colorful=VIP_GRADIENT).to_xml()
    assert (
        dm(crc32_id='a"&b')
        .to_xml()
        .startswith('<d p="1.50000,1,25,16777215,1700000000,0,a&quot;&amp;b,')
    )


def test_sort_danmakus_stable() -> None:
    a, b = dm("a", dm_time=2, id_=5), dm("b", dm_time=1, id_=9)
    c, d = dm("c", dm_time=2, id_=3), dm("d", dm_time=2, id_=3)
    assert [x.text for x in sort_danmakus([a, b, c, d])] == ["b", "c", "d", "a"]


# ---------------------------------------------------------------- crack_uid
def test_crack_uid_vectors() -> None:
    assert crack_uid("58a55f17") == 114514
    assert crack_uid("b615148d") == 208259
    assert crack_uid("9ae0daaf") == 12345678
    assert crack_uid("0x58A55F17") == 114514 == crack_uid(0x58A55F17)
    assert crack_uid_candidates("58a55f17") == [
        114514,
        2088157834,
        2187358490,
        4996550649,
        5870146218,
        8223903934,
        8395751264,
        8906089180,
        9273347635,
    ]
    assert crack_uid_candidates("9ae0daaf") == [12345678, 7533489035]


def test_crack_uid_matches_the_seed_on_random_uids() -> None:
    from bilibili_api.utils.utils import crack_uid as seed_crack_uid

    rnd = random.Random(20240601)
    # The seed walks prefixes one by one (about 0.5 us each), so keep to <= 9 digits.
    uids = [rnd.randrange(10 ** (n - 1), 10**n) for n in (4, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9)]
    for uid in uids:
        h = crc(str(uid))
        assert crack_uid(h) == int(seed_crack_uid(h)), uid
        assert uid in crack_uid_candidates(h)
    # A 1-digit uid: the seed gives the smallest 4-10 digit collision, and so do we.
    assert crack_uid(crc("5")) == 1146140823
    assert crack_uid_candidates(crc("5")) == [5, 1146140823, 2422059381, 8630450575]


def test_crack_uid_where_the_seed_fails_or_is_wrong() -> None:
    from bilibili_api.utils.utils import crack_uid as seed_crack_uid

    # The seed crashes when no 4-10 digit string matches; we fall back to shorter ones.
    assert crack_uid_candidates(crc("123")) == [123]
    assert crack_uid(crc("123")) == 123
    # The seed tries "0" + 3 digits first and returns e.g. "0123" -> 123, whose CRC differs.
    assert seed_crack_uid(crc("0123")) == "0123"
    assert crack_uid(crc("0123")) == 8930845566
    assert zlib.crc32(b"8930845566") == zlib.crc32(b"0123")


def test_crack_uid_candidates_exhaustive_for_short_uids() -> None:
    preimages: dict[int, list[int]] = {}
    for uid in range(1, 10**5):
        preimages.setdefault(zlib.crc32(str(uid).encode()), []).append(uid)
    for h in random.Random(7).sample(sorted(preimages), 300):
        assert crack_uid_candidates(h, 5) == preimages[h]
    assert crack_uid_candidates(zlib.crc32(b"12345678"), 7) == []  # no 1-7 digit preimage


def test_crack_uid_candidates_long_uids() -> None:
    rnd = random.Random(3)
    for uid in [rnd.randrange(10**9, 10**10) for _ in range(5)] + [rnd.randrange(10**10, 10**11)]:
        h = zlib.crc32(str(uid).encode())
        found = crack_uid_candidates(h, len(str(uid)))
        assert uid in found and found == sorted(found)
        assert all(zlib.crc32(str(x).encode()) == h for x in found)


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (("xyz",), "crc32_id"),
        (("",), "crc32_id"),
        (("123456789",), "crc32_id"),
        ((-1,), "crc32_id"),
        ((1 << 32,), "crc32_id"),
        ((None,), "crc32_id"),
        ((True,), "crc32_id"),
        (("58a55f17", 0), "max_digits"),
        (("58a55f17", 13), "max_digits"),
        (("58a55f17", 2.0), "max_digits"),
    ],
)
def test_crack_uid_bad_arguments(args: tuple[Any, ...], argument: str) -> None:
    with pytest.raises(ArgsException) as e:
        crack_uid_candidates(*args)
    assert e.value.argument == argument


# ---------------------------------------------------------------- parse_segment
# One DanmakuElem written out by hand: id 300, progress 1500, mode 1, fontsize 25,
# color 0xFFFFFF, midHash "58a55f17", content "你好", ctime 1700000000, weight 8,
# idStr "300", attr 4.
ELEM = (
    b"\x08\xac\x02\x10\xdc\x0b\x18\x01\x20\x19\x28\xff\xff\xff\x07\x32\x0858a55f17"
    b"\x3a\x06\xe4\xbd\xa0\xe5\xa5\xbd\x40\x80\xe2\xcf\xaa\x06\x48\x08\x62\x03300\x68\x04"
)
SEGMENT = b"\x0a" + bytes([len(ELEM)]) + ELEM
EXPECTED = Danmaku(
    "你好", 1.5, 1700000000, "58a55f17", 0xFFFFFF, 8, 300, "300", "", 1, 25, False, 0, 4, 0, 0
)


def test_parse_segment_hand_written() -> None:
    assert parse_segment(SEGMENT) == [EXPECTED]
    assert parse_segment(SEGMENT * 3) == [EXPECTED] * 3
    assert parse_segment(bytearray(SEGMENT)) == parse_segment(memoryview(SEGMENT)) == [EXPECTED]
    assert parse_segment(b"") == []
    assert parse_segment(b"\x10\x00") == []  # state 0: open, no danmaku


def test_parse_segment_proto3_defaults() -> None:
    # Only content: everything else is 0 / "" (a black, weight-0 danmaku), unlike the seed.
    (d,) = parse_segment(b"\x0a\x03\x3a\x01a")
    assert d == Danmaku("a", 0.0, 0, "", 0, 0, 0, "", "", 0, 0, False, 0, 0, 0, 0)
    assert parse_segment(b"\x0a\x00") == [
        Danmaku("", 0.0, 0, "", 0, 0, 0, "", "", 0, 0, False, 0, 0, 0)
    ]


def test_parse_segment_all_fields_and_negative_varints() -> None:
    elem = b"".join(
        [
            field(1, -1),  # int64 -1: a 10-byte varint
            field(2, -500),
            field(3, 6),
            field(4, 64),
            field(5, 0xFE0302),
            field(6, "deadbeef"),
            field(7, "VIP 弹幕"),
            field(8, 1700000001),
            field(9, 11),
            field(10, "act"),
            field(11, 1),
            field(12, "-1"),
            field(13, 7),
            field(14, 2),
            field(24, VIP_GRADIENT),
        ]
    )
    assert field(1, -1) == b"\x08" + b"\xff" * 9 + b"\x01"
    (d,) = parse_segment(field(1, elem))
    assert d == Danmaku(
        "VIP 弹幕", -0.5, 1700000001, "deadbeef", 0xFE0302, 11, -1, "-1", "act", 6, 64, True, 1, 7,
        2, VIP_GRADIENT,
    )  # fmt: skip
    assert d.is_vip_colorful


def test_parse_segment_cuts_varints_to_their_field_width() -> None:
    # As protobuf does: int32 fields keep the low 32 bits, int64 ones the low 64 bits.
    too_wide = b"\xff" * 9 + b"\x7f"  # a 10-byte varint carrying 70 bits
    elem = b"\x18" + varint(2**32 + 5) + b"\x48" + varint(2**32 - 1) + b"\x08" + too_wide
    elem += b"\x28" + varint(2**40 + 0xFE0302)
    (d,) = parse_segment(field(1, elem))
    assert (d.mode, d.weight, d.id_, d.color) == (5, -1, -1, 0xFE0302)


def test_parse_segment_skips_unknown_fields_of_every_wire_type() -> None:
    junk = (
        field(15, 123456)  # varint
        + varint(16 << 3 | 1) + b"\x01" * 8  # fixed64
        + field(22, b"\x00\xff{}")  # length-delimited
        + varint(17 << 3 | 5) + b"\x02" * 4  # fixed32
        + varint(18 << 3 | 3) + field(1, 5) + varint(19 << 3 | 3) + field(7, "x")
        + varint(19 << 3 | 4) + varint(18 << 3 | 4)  # nested groups
        + b"\x38\x05"  # content (7) with the wrong wire type: skipped, like protobuf does
        + field(300, "multi-byte key")
    )  # fmt: skip
    elem = junk + ELEM + junk
    top = field(3, b"\x0a\x02\x08\x01") + field(5, b"\x08\x01") + varint(9 << 3 | 1) + b"\0" * 8
    payload = top + field(1, elem) + varint(4 << 3 | 3) + varint(4 << 3 | 4) + SEGMENT
    assert parse_segment(payload) == [EXPECTED, EXPECTED]


def test_parse_segment_repeated_field_last_wins_and_any_order() -> None:
    elem = field(7, "second") + field(2, 2000) + field(7, "third") + field(1, 9)
    (d,) = parse_segment(field(1, field(7, "first") + elem))
    assert (d.text, d.dm_time, d.id_) == ("third", 2.0, 9)


def test_parse_segment_bad_utf8_is_replaced() -> None:
    (d,) = parse_segment(field(1, field(7, b"ok\xff\xfe")))
    assert d.text == "ok\ufffd\ufffd"


def test_parse_segment_danmaku_closed() -> None:
    with pytest.raises(DanmakuClosedException):
        parse_segment(b"\x10\x01")
    with pytest.raises(DanmakuClosedException):
        parse_segment(SEGMENT + b"\x10\x01")


@pytest.mark.parametrize(
    "payload",
    [
        b"\x0a",  # no length
        b"\x0a\x05\x08\x01",  # element longer than the payload
        b"\x0a\x02\x3a\x05",  # string longer than its element
        b"\x0a\x03\x08\xff\xff",  # varint running past its element
        b"\x0a\x0c\x08" + b"\xff" * 11,  # varint longer than 10 bytes
        b"\x0a\x01\x0e",  # wire type 6
        b"\x0a\x01\x0f",  # wire type 7
        b"\x0c",  # end-group without a start
        b"\x0b\x08\x01",  # unterminated group
        b"\x0b\x14",  # end-group of another field
        b"\x02\x00",  # field number 0
        b"\x0a\x02\x00\x00",  # field number 0 inside an element
        b"\x0a\x03\x0d\x00\x00",  # truncated fixed32
        b"\x0a\x05\x09\x00\x00\x00\x00",  # truncated fixed64
        b"\x0a" + b"\xff" * 9 + b"\x01",  # absurd length (negative as int64)
        b"\x0a" + b"\xff" * 10 + b"\x01",  # length varint longer than 10 bytes
    ],
)
def test_parse_segment_malformed(payload: bytes) -> None:
    with pytest.raises(DecodeError):
        parse_segment(payload)


def test_parse_segment_rejects_non_bytes() -> None:
    with pytest.raises(ArgsException) as e:
        parse_segment("not bytes")  # type: ignore[arg-type]
    assert e.value.argument == "payload"


def test_parse_segment_every_truncation_is_a_decode_error_or_a_prefix() -> None:
    payload = SEGMENT + field(1, ELEM + field(22, "anim")) + SEGMENT
    full = parse_segment(payload)
    complete = 0
    for cut in range(len(payload)):
        try:
            got = parse_segment(payload[:cut])
        except DecodeError:
            continue
        assert got == full[: len(got)]
        complete += 1
    assert complete == 3  # cuts at 0 and after the first two elements


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
danmakus = st.builds(
    lambda text, ms, send, h, color, weight, id_, mode, size, pool, attr, uid, colorful: Danmaku(
        text, ms / 1000, send, h, color, weight, id_, str(id_), "", mode, size, pool == 1, pool,
        attr, uid, colorful,
    ),
    texts,
    st.integers(0, 10_000_000),
    st.integers(0, 2**40),
    st.text("0123456789abcdef", max_size=8),
    st.integers(0, 2**32 - 1),
    st.integers(0, 11),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-5, 300),
    st.integers(0, 100),
    st.integers(0, 3),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**60),
    st.sampled_from([0, VIP_GRADIENT]),
)  # fmt: skip


@FAST
@given(st.lists(danmakus, max_size=20))
def test_parse_segment_round_trip(items: list[Danmaku]) -> None:
    assert parse_segment(encode_segment(items)) == items


def test_parse_segment_matches_the_seed(seed: Any) -> None:
    rnd = random.Random(11)
    items = [
        dm(
            "".join(rnd.choice("弹幕abc 草233") for _ in range(rnd.randint(1, 12))),
            dm_time=rnd.randrange(1, 360000) / 1000,
            send_time=rnd.randrange(1_500_000_000, 1_800_000_000),
            crc32_id=f"{rnd.getrandbits(32):x}",
            color=rnd.choice([0xFFFFFF, 0xFE0302, 0x0000FF]),
            weight=rnd.randint(1, 11),
            id_=(i := rnd.randrange(10**17, 2**63)),
            id_str=str(i),
            action="x",
            mode=rnd.choice([1, 4, 5, 6]),
            font_size=rnd.choice([18, 25, 36]),
            pool=1,
            is_sub=True,
            attr=rnd.randint(1, 7),
            uid=rnd.randint(1, 10**9),
        )
        for _ in range(50)
    ]
    ours = parse_segment(encode_segment(items))
    theirs = seed.danmakus(encode_segment(items))
    assert ours == items and len(theirs) == len(ours)
    for o, t in zip(ours, theirs, strict=True):
        assert (t.text, t.dm_time, t.send_time, t.crc32_id, int(t.color, 16)) == (
            o.text, o.dm_time, o.send_time, o.crc32_id, o.color,
        )  # fmt: skip
        assert (t.weight, t.id_, t.id_str, t.action, t.mode, t.font_size) == (
            o.weight, o.id_, o.id_str, o.action, o.mode, o.font_size,
        )  # fmt: skip
        assert (t.pool, t.attr, t.uid) == (o.pool, o.attr, o.uid)
    # Colour 60001 is a colour to us; the seed turned it into "special".
    (theirs_special,) = seed.danmakus(encode_segment([dm(color=60001)]))
    assert theirs_special.color == "special"
    assert parse_segment(encode_segment([dm(color=60001)]))[0].color == 60001


def test_seed_closed_marker(seed: Any) -> None:
    from bilibili_api.exceptions import DanmakuClosedException as SeedClosed

    with pytest.raises(SeedClosed):
        seed.danmakus(b"\x10\x01")


# ---------------------------------------------------------------- parse_special
def test_parse_special() -> None:
    elem = b"\x08\x07\x10\xe8\x07\x18\x09\x3a\x0bdef x = 1;\n\x58\x02\x62\x017" + field(4, 25)
    assert parse_special(field(1, elem) + field(2, 0)) == [
        SpecialDanmaku("def x = 1;\n", 7, "7", 9, 2, 1.0)
    ]
    assert parse_special(b"") == []
    items = [SpecialDanmaku("a", 1, "1"), SpecialDanmaku("脚本", 2, "2", 8, 2, 3.5)]
    assert parse_special(encode_special(items)) == items
    assert SpecialDanmaku("x") == SpecialDanmaku("x", -1, "", 9, 2, 0.0)
    with pytest.raises(DecodeError):
        parse_special(b"\x0a\x05\x08")
    with pytest.raises(DecodeError):
        parse_special(b"\x0a\x02\x3a\x09")
    with pytest.raises(ArgsException):
        parse_special(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- parse_view
def _view_payload(mid: int | str = 501183549, *, seed_safe: bool = False) -> bytes:
    """A DmWebViewReply with every field we decode. `seed_safe` leaves out what the seed's
    reader cannot take (unknown fields, which it does not skip, and Period.start)."""
    command = b"".join(
        [
            field(1, 38469676112019463),
            field(2, 236871317),
            field(3, mid),
            field(4, "#UP#"),
            field(5, "没有恰饭"),
            field(6, 157818),
            field(9, '{"icon":"https://i1.hdslb.com/a.jpg"}'),
            field(10, "38469676112019463"),
        ]
    )
    setting = b"".join(
        [
            field(1, 1),
            field(3, 3),
            field(4, 1),
            field(7, 1),
            varint(11 << 3 | 5) + bytes.fromhex("0000403f"),  # 0.75 as a float
            field(12, 50),
            varint(13 << 3 | 5) + bytes.fromhex("0000803f"),  # 1.0
            varint(14 << 3 | 5) + bytes.fromhex("0000c03f"),  # 1.5
            field(17, "SimHei"),
            field(19, 2),
            field(23, field(1, 1) + field(2, 10)),
            field(23, field(1, 2) + field(2, 20)),
            b"" if seed_safe else field(99, "future field"),
        ]
    )
    expression = field(1, "awsl") + field(1, "草") + field(2, "https://i0.hdslb.com/e.png")
    expression += field(3, (b"" if seed_safe else field(1, 1000)) + field(2, 2000))
    unknown = [field(11, "^ad$"), field(13, b"\x08\x01"), field(14, "meta"), field(42, b"?")]
    return b"".join(
        [
            field(1, 0),
            field(2, "text"),
            field(3, "side"),
            field(4, field(1, 360000) + field(2, 3)),
            field(5, field(1, 1) + field(2, "rec") + field(3, 1)),
            field(6, "https://i0.hdslb.com/bfs/dm/a.bin"),
            field(6, "https://i0.hdslb.com/bfs/dm/b.bin"),
            field(7, 1),
            field(8, 2999),
            field(9, command),
            field(10, setting),
            field(12, field(1, expression)),
            *([] if seed_safe else unknown),  # 13 (post_panel) and 42 are not decoded
        ]
    )


def test_parse_view_exact() -> None:
    view = parse_view(_view_payload())
    command = CommandDanmaku(
        38469676112019463, 236871317, 501183549, "#UP#", "没有恰饭", 157818, "", "",
        '{"icon":"https://i1.hdslb.com/a.jpg"}', "38469676112019463",
    )  # fmt: skip
    setting = DanmakuPlayerSetting(
        dm_switch=True,
        ai_level=3,
        block_top=True,
        block_color=True,
        opacity=0.75,
        dm_area=50,
        speed_plus=1.0,
        font_size=1.5,
        font_family="SimHei",
        font_border=2,
        ai_level_v2_map={1: 10, 2: 20},
    )
    assert view == DanmakuView(
        state=0,
        text="text",
        text_side="side",
        dm_seg=DmSegConfig(360000, 3),
        flag=DanmakuFlagConfig(1, "rec", 1),
        special_dms=["https://i0.hdslb.com/bfs/dm/a.bin", "https://i0.hdslb.com/bfs/dm/b.bin"],
        check_box=True,
        count=2999,
        command_dms=[command],
        dm_setting=setting,
        report_filter=["^ad$"],
        image_dms=[ImageDanmaku(["awsl", "草"], "https://i0.hdslb.com/e.png", [(1000, 2000)])],
        activity_meta=["meta"],
    )
    assert command.dm_time == 157.818
    assert command.extra_data == {"icon": "https://i1.hdslb.com/a.jpg"}
    assert not view.closed


def test_parse_view_mid_as_string_and_defaults() -> None:
    assert parse_view(_view_payload(mid="501183549")).command_dms[0].mid == 501183549
    empty = parse_view(b"")
    assert empty == DanmakuView()
    assert empty.dm_setting is None and empty.dm_seg == DmSegConfig(0, 0)
    assert parse_view(field(1, 1)).closed
    assert CommandDanmaku(extra="not json").extra_data is None
    assert CommandDanmaku().extra_data is None


def test_parse_view_malformed() -> None:
    with pytest.raises(DecodeError):
        parse_view(b"\x22\x05\x08")
    with pytest.raises(DecodeError):
        parse_view(field(9, b"\x0a\x09"))
    # text (2) as a varint: skipped like an unknown field, as protobuf does
    assert parse_view(b"\x10\x01" + field(8, 5)) == DanmakuView(count=5)
    with pytest.raises(ArgsException):
        parse_view("x")  # type: ignore[arg-type]


def test_parse_view_matches_the_seed(seed: Any) -> None:
    # The seed reads field 12 as image danmaku {1 texts, 2 image, 3 {2 id}}.
    payload = _view_payload(seed_safe=True)
    theirs = seed.view(payload)
    ours = parse_view(payload)
    assert theirs.get("state", 0) == ours.state == 0 and theirs["count"] == ours.count
    assert (theirs["text"], theirs["text_side"]) == (ours.text, ours.text_side)
    assert theirs["dm_seg"] == {"page_size": 360000, "total": 3}
    assert theirs["flag"] == {"rec_flag": 1, "rec_text": "rec", "rec_switch": 1}
    assert theirs["special_dms"] == ours.special_dms and theirs["check_box"] is ours.check_box
    (cmd,) = theirs["command_dms"]
    o = ours.command_dms[0]
    assert (cmd["id"], cmd["oid"], cmd["mid"], cmd["commend"], cmd["content"]) == (
        o.id_, o.oid, o.mid, o.command, o.content,
    )  # fmt: skip
    assert (cmd["progress"], cmd["extra"], cmd["id_str"]) == (o.progress, o.extra_data, o.id_str)
    s = theirs["dm_setting"]
    assert ours.dm_setting is not None
    assert (s["dm_switch"], s["ai_level"], s["enable_top"], s["enable_color"]) == (
        ours.dm_setting.dm_switch, ours.dm_setting.ai_level, ours.dm_setting.block_top,
        ours.dm_setting.block_color,
    )  # fmt: skip
    assert (s["opacity"], s["dm_area"], s["speed_plus"], s["font_size"]) == (0.75, 50, 1.0, 1.5)
    assert (s["font_family"], s["font_border"]) == ("SimHei", 2)
    (image,) = theirs["image_dms"]
    assert image == {"texts": ["awsl", "草"], "image": "https://i0.hdslb.com/e.png", "id": 2000}
    assert ours.image_dms[0].periods == [(0, 2000)]


# ---------------------------------------------------------------- XML
def test_to_xml_exact() -> None:
    items = [
        dm("前方高能", dm_time=0.5, id_=1, weight=10),
        dm("a < b && c", dm_time=61.25, mode=5, font_size=18, color=0, pool=1, id_=2),
        dm("vip", dm_time=2, colorful=VIP_GRADIENT, crc32_id="", id_=2**63 - 1, weight=0),
    ]
    assert to_xml(items, cid=144541892) == (
        '<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>'
        "<chatid>144541892</chatid><mission>0</mission><maxlimit>3</maxlimit><state>0</state>"
        "<real_name>0</real_name><source>k-v</source>\n"
        '<d p="0.50000,1,25,16777215,1700000000,0,58a55f17,1,10">前方高能</d>\n'
        '<d p="61.25000,5,18,0,1700000000,1,58a55f17,2,5">a &lt; b &amp;&amp; c</d>\n'
        '<d p="2.00000,1,25,16777215,1700000000,0,,9223372036854775807,0">vip</d>\n'
        "</i>\n"
    )
    assert to_xml([]) == (
        '<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>'
        "<chatid>0</chatid><mission>0</mission><maxlimit>0</maxlimit><state>0</state>"
        "<real_name>0</real_name><source>k-v</source>\n</i>\n"
    )
    # The batch path and the one-by-one path agree, also with NUL in a text and odd hashes.
    odd = [dm("a\x00<b>"), dm("c", crc32_id="x,&y"), dm("\r\n")]
    body = to_xml(odd).split("\n", 1)[1]
    assert body == "".join(d.to_xml() + "\n" for d in odd) + "</i>\n"
    with pytest.raises(ArgsException) as e:
        to_xml([], cid="1")  # type: ignore[arg-type]
    assert e.value.argument == "cid"


# A file as comment.bilibili.com serves it (pretty-printed here): 8-field p from older
# danmaku, 9-field p (with weight) from newer ones.
REAL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<i>
  <chatserver>chat.bilibili.com</chatserver>
  <chatid>144541892</chatid>
  <mission>0</mission>
  <maxlimit>1500</maxlimit>
  <state>0</state>
  <real_name>0</real_name>
  <source>e-r</source>
  <d p="490.19100,1,25,16777215,1584268892,0,a16fe0dd,29950852386521095">从结尾回来看这里，更感动了！</d>
  <d p="18.77300,4,18,16646914,1584268920,1,4fe08d3,29950867226492933,11">A &amp; B &lt;3 &#13;</d>
  <d p="52.884,5,36,0,1584268954,2,e4b18b37,1262578449455370496,0"></d>
</i>
"""


def test_parse_xml_real_file() -> None:
    assert parse_xml(REAL_XML) == [
        Danmaku("从结尾回来看这里，更感动了！", 490.191, 1584268892, "a16fe0dd", 16777215, 0,
                29950852386521095, "29950852386521095", "", 1, 25, False, 0, 0, 0, 0),
        Danmaku("A & B <3 \r", 18.773, 1584268920, "4fe08d3", 16646914, 11,
                29950867226492933, "29950867226492933", "", 4, 18, True, 1, 0, 0, 0),
        Danmaku("", 52.884, 1584268954, "e4b18b37", 0, 0, 1262578449455370496,
                "1262578449455370496", "", 5, 36, False, 2, 0, 0, 0),
    ]  # fmt: skip
    assert parse_xml(REAL_XML.encode()) == parse_xml(REAL_XML)
    assert parse_xml("<i></i>") == []


def test_parse_xml_reads_the_seeds_lines() -> None:
    from bilibili_api.utils.danmaku import Danmaku as SeedDanmaku

    theirs = SeedDanmaku("a&b", dm_time=3.5, send_time=1700000000, crc32_id="58a55f17",
                         color="fe0302", id_=42, mode=5, font_size=36, pool=0)  # fmt: skip
    line = theirs.to_xml()  # type: ignore[no-untyped-call]
    (d,) = parse_xml(f"<i>{line}</i>")
    assert (d.text, d.dm_time, d.mode, d.font_size, d.color, d.id_, d.weight) == (
        "a&b", 3.5, 5, 36, 0xFE0302, 42, 11,
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "<i><d p='1,1,25'>x</d></i>",
        "<i><d>x</d></i>",
        "<i><d p='a,1,25,0,0,0,h,1'>x</d></i>",
        "<i><d p='1,1,25,0,0,0,h,1,w'>x</d></i>",
        "<i><d p='1,1,25,0,0,0,h,1'>x</i>",
        '<!DOCTYPE i [<!ENTITY a "aaaa">]><i><d p="1,1,25,0,0,0,h,1">&a;</d></i>',
        "",
    ],
)
def test_parse_xml_malformed(text: str) -> None:
    with pytest.raises(DecodeError):
        parse_xml(text)


def test_parse_xml_rejects_non_text() -> None:
    with pytest.raises(ArgsException) as e:
        parse_xml(12)  # type: ignore[arg-type]
    assert e.value.argument == "text"


_XML_BAD = {*range(0x20)} - {0x09, 0x0A, 0x0D} | {0xFFFE, 0xFFFF}


@FAST
@given(st.lists(danmakus, max_size=15), st.one_of(st.none(), st.integers(0, 10**12)))
def test_xml_round_trip(items: list[Danmaku], cid: int | None) -> None:
    back = parse_xml(to_xml(items, cid=cid))
    assert len(back) == len(items)
    for b, d in zip(back, items, strict=True):
        text = "".join(c for c in d.text if ord(c) not in _XML_BAD)
        assert b == Danmaku(
            text, d.dm_time, d.send_time, d.crc32_id, d.color, d.weight, d.id_, str(d.id_), "",
            d.mode, d.font_size, d.pool == 1, d.pool, 0, 0, 0,
        )  # fmt: skip


# ---------------------------------------------------------------- ASS
ASS_HEAD = """[Script Info]
; Script generated by bilibili_sdk
Title: Test
ScriptType: v4.00+
WrapStyle: 2
ScaledBorderAndShadow: yes
PlayResX: 400
PlayResY: 100

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Danmaku,SimHei,20,&H33FFFFFF,&H33FFFFFF,&H33000000,&H33000000,0,0,0,0,100,100,0,0,1,1,0,7,0,0,0,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def test_to_ass_exact() -> None:
    # 400x100, lanes of 20 + 5 px: four lanes. Scrolling takes 4 s, fixed 2 s.
    a = dm("abcd", dm_time=0, id_=1)  # 40 px wide: lane 0
    b = dm("你好", dm_time=0.1, id_=2)  # lane 0 still busy (a enters by 0.36 s): lane 1
    c = dm("x", dm_time=0.5, id_=3)  # a has entered and is faster: lane 0
    d = dm("long text here!!", dm_time=0.6, id_=4)  # 160 px: lanes 0-1 too recent: lane 2
    e = dm("大", dm_time=1, id_=5, mode=5, font_size=36)  # 28.8 px: two lanes from the top
    f = dm("底", dm_time=1, id_=6, mode=4, color=0xFF0000)  # red, bottom lane 0
    g = dm("top2", dm_time=1.5, id_=7, mode=5)  # lanes 0-1 busy until 3 s: lane 2
    big = dm("巨", dm_time=1.6, id_=8, mode=5, font_size=64)  # needs 3 lanes: dropped
    h = dm("rev", dm_time=2, id_=9, mode=6)  # against the flow: only lane 3 is empty
    i = dm("黑", dm_time=2, id_=10, color=0)  # black: lane 0 (c is long in)
    n = dm("vip", dm_time=2.5, id_=11, colorful=VIP_GRADIENT)  # drawn in its RGB colour
    m = dm("a\nb{c}\\N", dm_time=5, id_=12)  # two lines: lanes 0-1; escaped
    skipped = [dm("adv", mode=7, id_=20), dm("code", mode=8, id_=21), dm("bas", mode=9, id_=22)]
    skipped.append(dm("unknown", mode=0, id_=23))
    items = [m, n, i, h, big, g, f, e, d, c, b, a, *skipped]  # any order: sorted by time
    layout = layout_ass(
        items,
        width=400,
        height=100,
        font="SimHei",
        font_size=20,
        scroll_duration=4,
        fixed_duration=2,
        lane_spacing=5,
        title="Test",
    )
    assert isinstance(layout, AssLayout)
    assert layout.text == ASS_HEAD + (
        "Dialogue: 0,0:00:00.00,0:00:04.00,Danmaku,,0,0,0,,{\\move(400,0,-40,0)}abcd\n"
        "Dialogue: 0,0:00:00.10,0:00:04.10,Danmaku,,0,0,0,,{\\move(400,25,-40,25)}你好\n"
        "Dialogue: 0,0:00:00.50,0:00:04.50,Danmaku,,0,0,0,,{\\move(400,0,-10,0)}x\n"
        "Dialogue: 0,0:00:00.60,0:00:04.60,Danmaku,,0,0,0,,{\\move(400,50,-160,50)}long text here!!\n"
        "Dialogue: 1,0:00:01.00,0:00:03.00,Danmaku,,0,0,0,,{\\an8\\pos(200,0)\\fs28.8}大\n"
        "Dialogue: 1,0:00:01.00,0:00:03.00,Danmaku,,0,0,0,,{\\an2\\pos(200,100)\\c&H0000FF&}底\n"
        "Dialogue: 1,0:00:01.50,0:00:03.50,Danmaku,,0,0,0,,{\\an8\\pos(200,50)}top2\n"
        "Dialogue: 0,0:00:02.00,0:00:06.00,Danmaku,,0,0,0,,{\\move(-30,75,400,75)}rev\n"
        "Dialogue: 0,0:00:02.00,0:00:06.00,Danmaku,,0,0,0,,"
        "{\\move(400,0,-20,0)\\c&H000000&\\3c&HFFFFFF&}黑\n"
        "Dialogue: 0,0:00:02.50,0:00:06.50,Danmaku,,0,0,0,,{\\move(400,0,-30,0)}vip\n"
        "Dialogue: 0,0:00:05.00,0:00:09.00,Danmaku,,0,0,0,,"
        "{\\move(400,0,-60,0)}a\\Nb\\{c\\}\\\u2060N\n"
    )
    assert layout.dropped == [big]
    assert layout.skipped == skipped
    assert [(ev.kind, ev.lane, ev.lanes) for ev in layout.events] == [
        ("scroll", 0, 1),
        ("scroll", 1, 1),
        ("scroll", 0, 1),
        ("scroll", 2, 1),
        ("top", 0, 2),
        ("bottom", 0, 1),
        ("top", 2, 1),
        ("reverse", 3, 1),
        ("scroll", 0, 1),
        ("scroll", 0, 1),
        ("scroll", 0, 2),
    ]
    assert to_ass(items, width=400, height=100, font="SimHei", font_size=20, scroll_duration=4,
                  fixed_duration=2, lane_spacing=5, title="Test") == layout.text  # fmt: skip


def test_to_ass_defaults_and_empty() -> None:
    text = to_ass([])
    assert text.startswith("[Script Info]\n; Script generated by bilibili_sdk\nTitle: Danmaku\n")
    assert "PlayResX: 1920\nPlayResY: 1080\n" in text
    assert "Style: Danmaku,Microsoft YaHei,25,&H33FFFFFF," in text
    assert text.endswith(
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    # Too small for a single lane: everything is dropped, nothing breaks.
    assert layout_ass([dm("x")], height=10).dropped == [dm("x")]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"width": 0}, "width"),
        ({"height": 1.5}, "height"),
        ({"font_size": -1}, "font_size"),
        ({"font_size": float("nan")}, "font_size"),
        ({"opacity": 1.5}, "opacity"),
        ({"opacity": -0.1}, "opacity"),
        ({"scroll_duration": 0}, "scroll_duration"),
        ({"fixed_duration": True}, "fixed_duration"),
        ({"lane_spacing": -1}, "lane_spacing"),
        ({"reserve_bottom": 1080}, "reserve_bottom"),
        ({"font": "A,B"}, "font"),
        ({"font": ""}, "font"),
        ({"title": "a\nb"}, "title"),
    ],
)
def test_to_ass_bad_arguments(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ArgsException) as e:
        to_ass([], **kwargs)
    assert e.value.argument == argument


ass_items = st.lists(
    st.builds(
        lambda t, mode, size, text, i: dm(text, dm_time=t / 100, mode=mode, font_size=size, id_=i),
        st.integers(0, 3000),
        st.sampled_from([1, 1, 1, 2, 4, 5, 6, 7, 9, 0]),
        st.sampled_from([12, 18, 25, 25, 25, 36, 64, 0]),
        st.text(st.sampled_from("ab 弹幕\n草！"), max_size=15),
        st.integers(0, 10**6),
    ),
    max_size=60,
)


def _box(ev: Any) -> tuple[float, float]:
    top = ev.y1 - ev.height if ev.kind == "bottom" else ev.y1
    return top, top + ev.height


def _x(ev: Any, t: float) -> float:
    return float(ev.x1 + (ev.x2 - ev.x1) * (t - ev.start) / (ev.end - ev.start))


@FAST
@given(
    ass_items,
    st.integers(100, 2000),
    st.integers(40, 1100),
    st.floats(8, 60),
    st.floats(0, 10),
    st.floats(1, 10),
    st.floats(0.5, 5),
    st.floats(0, 0.5),
)
def test_ass_layout_never_overlaps(
    items: list[Danmaku],
    width: int,
    height: int,
    font_size: float,
    spacing: float,
    scroll: float,
    fixed: float,
    reserve: float,
) -> None:
    layout = layout_ass(
        items,
        width=width,
        height=height,
        font_size=font_size,
        lane_spacing=spacing,
        scroll_duration=scroll,
        fixed_duration=fixed,
        reserve_bottom=reserve * height,
    )
    placed = [ev.danmaku for ev in layout.events]
    assert sorted(map(id, placed + layout.dropped + layout.skipped)) == sorted(map(id, items))
    assert all(d.mode in (0, 7, 9) for d in layout.skipped)
    assert layout.text.count("\nDialogue: ") == len(layout.events)
    usable = height - reserve * height
    eps = 1e-6
    for ev in layout.events:
        top, bottom = _box(ev)
        assert -eps <= top and bottom <= usable + eps
    for n, a in enumerate(layout.events):
        for b in layout.events[n + 1 :]:
            (at, ab), (bt, bb) = _box(a), _box(b)
            if not (at < bb - eps and bt < ab - eps):
                continue  # no vertical overlap
            fixed_kinds = {"top", "bottom"}
            if a.kind in fixed_kinds or b.kind in fixed_kinds:
                if a.kind == b.kind:
                    assert a.end <= b.start + eps  # b comes later in the layout order
                continue
            t0, t1 = max(a.start, b.start), min(a.end, b.end)
            if t1 <= t0 + eps:
                continue  # never on screen together
            # Linear motion: if the boxes are apart at both ends of the shared time, in the
            # same order, they never meet in between.
            ahead = _x(a, t0) + a.width <= _x(b, t0) + eps
            for t in (t0, t1):
                if ahead:
                    assert _x(a, t) + a.width <= _x(b, t) + eps
                else:
                    assert _x(b, t) + b.width <= _x(a, t) + eps


# ---------------------------------------------------------------- import cost
def test_import_is_light() -> None:
    code = (
        "import sys, bilibili_sdk; before = set(sys.modules); import bilibili_sdk.danmaku;"
        "print(sorted(set(sys.modules) - before))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    new = ast.literal_eval(out)
    assert all(m.startswith("bilibili_sdk.") or m in sys.stdlib_module_names for m in new), new
    assert not [m for m in new if m.startswith(("pydantic", "httpx", "google", "xml"))]

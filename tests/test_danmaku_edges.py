"""The segment and special-danmaku decoders at their edges: the exact DecodeError each
malformed body raises (the message names the field and the length at fault), the int32 and
int64 edges, lengths and keys of several bytes, and which decoder `parse_segment` uses.

Bodies are built by hand (tests/_pb.py); where protobuf's upb parser can read a body it is
the oracle. Written to kill the mutants tests/MUTATION.md lists for `danmaku_segment`.
"""

from __future__ import annotations

from typing import Any

import pytest

from bilibili_sdk import ArgsException, DanmakuClosedException
from bilibili_sdk._protobuf import DecodeError
from bilibili_sdk.danmaku import Danmaku, SpecialDanmaku, _segment, parse_segment, parse_special
from bilibili_sdk.danmaku._segment import parse_segment_pure

from ._pb import blob, key, uint, varint

REPLY = _segment._upb_reply()
needs_upb = pytest.mark.skipif(REPLY is None, reason="protobuf's upb backend is not installed")


def element(body: bytes) -> bytes:
    """A DmSegMobileReply field 1 (one DanmakuElem) holding `body`."""
    return blob(1, body)


def upb_texts(buf: bytes) -> list[tuple[str, str, str, str]]:
    msg = REPLY.FromString(buf)
    return [(e.content, e.midHash, e.idStr, e.action) for e in msg.elems]


# (body, message of the DecodeError) for both parse_segment_pure and parse_special.
MALFORMED_ANYWHERE = [
    (b"\xff" * 10 + b"\x01", "varint longer than 10 bytes"),  # a key of 11 bytes
    (key(1 << 29, 0) + b"\x01", "invalid field number 536870912"),  # one past the largest
    (varint(-8) + b"\x01", "a field key of 10 bytes (at most 5)"),  # a key of 2**64 - 8
    (b"\x88\x80\x80\x80\x80\x00\x01", "a field key of 6 bytes (at most 5)"),  # field 1, padded
    (key(9, 2) + varint(4) + b"ab", "field 9: length 4 runs past the end"),
    (key(9, 2) + varint(-1) + b"ab", "a length of 10 bytes (at most 5)"),
    (key(9, 4), "field 9: end-group without its start-group"),
    (key(9, 3) + key(10, 4), "field 10: end-group without its start-group"),
    (key(9, 6) + b"\x00", "field 9: invalid wire type 6"),
    (key(9, 1) + b"\x00" * 7, "field 9: value runs past the end"),
    (key(9, 5) + b"\x00" * 3, "field 9: value runs past the end"),
    (key(9, 3) + uint(10, 1), "field 9: unterminated group"),
    (key(9, 3) + key(10, 3) + key(11, 3), "field 11: unterminated group"),
    (key(9, 3) + key(10, 3) + key(11, 3) + key(11, 4), "field 10: unterminated group"),
]

SEGMENT_MALFORMED = [
    (b"\x0a", "truncated DmSegMobileReply"),
    (b"\x0a\x05\x08\x01", "danmaku element of 5 bytes runs past the end"),
    (b"\x0a" + varint(-1), "a length of 10 bytes (at most 5)"),
    (b"\x0a\x81\x80\x80\x80\x80\x00", "a length of 6 bytes (at most 5)"),  # 1, padded
    (b"\x0a" + varint(1 << 63), "a length of 10 bytes (at most 5)"),
    (element(b"\x08" + b"\xff" * 10 + b"\x01"), "varint longer than 10 bytes"),
    (element(b"\x00\x00"), "field number 0"),  # a varint
    (element(b"\x02\x00"), "field number 0"),  # length-delimited
    (element(b"\x3a\x05"), "field 7: length 5 runs past its element"),
    (element(b"\x32" + varint(-1)), "a length of 10 bytes (at most 5)"),
    (b"\x0a\x02\x08\xff\x01", "a danmaku element runs past its declared length"),
    (element(key(20, 4)), "field 20: end-group without its start-group"),
]

SPECIAL_MALFORMED = [
    (b"\x0a", "truncated special-danmaku file"),
    (b"\x0a\x05\x08\x01", "special danmaku of 5 bytes runs past the end"),
    (b"\x0a" + varint(-1), "a length of 10 bytes (at most 5)"),
    (element(b"\x3a\x09"), "field 7: length 9 runs past its element"),
    (element(b"\x62" + varint(-1)), "a length of 10 bytes (at most 5)"),
    (b"\x0a\x02\x08\xff\x01", "a special danmaku runs past its declared length"),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED_ANYWHERE + SEGMENT_MALFORMED)
def test_segment_errors_name_what_is_malformed(body: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as e:
        parse_segment_pure(body)
    assert str(e.value) == message
    with pytest.raises(DecodeError) as e:
        parse_segment(body)  # upb refuses it too; the hand-written decoder names the fault
    assert str(e.value) == message


@pytest.mark.parametrize(("body", "message"), MALFORMED_ANYWHERE + SPECIAL_MALFORMED)
def test_special_errors_name_what_is_malformed(body: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as e:
        parse_special(body)
    assert str(e.value) == message


@needs_upb
@pytest.mark.parametrize(("body", "_"), MALFORMED_ANYWHERE + SEGMENT_MALFORMED)
def test_upb_refuses_the_same_bodies(body: bytes, _: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - upb's own error type
        REPLY.FromString(body)


@pytest.mark.parametrize("decode", [parse_segment, parse_segment_pure, parse_special])
def test_non_bytes_payload_is_named(decode: Any) -> None:
    with pytest.raises(ArgsException) as e:
        decode("not bytes")
    assert str(e.value) == "payload: expected bytes (or bytearray, memoryview), got str"
    assert e.value.argument == "payload"


# ---------------------------------------------------------------- valid edges
@pytest.mark.parametrize(
    "body",
    [
        key(1, 3) + key(1, 4),  # field 1 as a group: a known number with another wire type
        key(9, 3) + uint(0, 5) + key(9, 4),  # field 0 passes inside a skipped group
        key((1 << 29) - 1, 0) + b"\x01",  # the largest field number
        key(9, 3) + key(10, 3) + key(10, 4) + key(9, 4),  # nested groups
    ],
)
def test_bodies_of_skipped_fields_only_are_empty(body: bytes) -> None:
    assert parse_segment_pure(body) == parse_segment(body) == parse_special(body) == []
    if REPLY is not None:
        assert list(REPLY.FromString(body).elems) == []


def test_a_padded_elems_key_is_still_elems() -> None:
    # 0x8a 0x00 is field 1, wire type 2 in two bytes: an element, not an unknown field.
    body = b"\x8a\x00" + varint(3) + blob(7, "a")
    (d,) = parse_segment_pure(body)
    assert (d.text, d.id_, d.dm_time) == ("a", 0, 0.0)
    assert parse_segment(body) == [d]
    assert parse_special(body) == [SpecialDanmaku("a", 0, "", 0, 0, 0.0)]


def test_an_empty_special_element_is_all_defaults() -> None:
    assert parse_special(b"\x0a\x00") == [SpecialDanmaku("", 0, "", 0, 0, 0.0)]
    assert parse_special(b"\x0a\x00" * 2) == [SpecialDanmaku("", 0, "", 0, 0, 0.0)] * 2


@pytest.mark.parametrize(
    ("state", "closed"),
    [
        (1, True),
        ((1 << 32) + 1, True),  # an int32: upb keeps the low 32 bits
        (-(1 << 32) + 1, True),
        (1 << 32, False),
        (-1, False),
        ((1 << 31) + 1, False),
        (0, False),
        (2, False),
    ],
)
def test_state_is_read_as_an_int32(state: int, closed: bool) -> None:
    body = element(blob(7, "x")) + uint(2, state)
    for decode in (parse_segment, parse_segment_pure):
        if closed:
            with pytest.raises(DanmakuClosedException) as e:
                decode(body)
            assert str(e.value) == "the danmaku of this video are closed (state 1)"
        else:
            assert [d.text for d in decode(body)] == ["x"]
    if REPLY is not None:
        assert (REPLY.FromString(body).state == 1) is closed


LONG = "弹" * 43  # 129 bytes: a two-byte length whose first byte is 0x81
TEXTS = {7: "c" * 128, 6: "h" * 300, 12: LONG, 10: "a" * 127}


def test_texts_with_lengths_of_several_bytes() -> None:
    # 128 is the first length of two bytes (0x80 0x01); 127 the last of one.
    body = b"".join(blob(n, t) for n, t in TEXTS.items()) + uint(1, 5) + uint(2, 2500)
    assert varint(128) == b"\x80\x01"
    (d,) = parse_segment_pure(element(body) * 1)
    assert (d.text, d.crc32_id, d.id_str, d.action) == (TEXTS[7], TEXTS[6], LONG, TEXTS[10])
    assert (d.id_, d.dm_time) == (5, 2.5)
    assert parse_segment(element(body)) == [d]
    assert parse_special(element(body)) == [SpecialDanmaku(TEXTS[7], 5, LONG, 0, 0, 2.5)]
    if REPLY is not None:
        assert upb_texts(element(body)) == [(TEXTS[7], TEXTS[6], LONG, TEXTS[10])]


@pytest.mark.parametrize("number", [6, 7, 10, 12])
def test_bad_utf8_in_any_text_is_replaced(number: int) -> None:
    body = element(blob(number, b"ok\xff") + uint(1, 1))
    (d,) = parse_segment_pure(body)
    got = {6: d.crc32_id, 7: d.text, 10: d.action, 12: d.id_str}
    assert got == {n: "ok\ufffd" if n == number else "" for n in (6, 7, 10, 12)}
    assert parse_segment(body) == [d]  # upb refuses it; the fallback replaces
    if number in (7, 12):
        (s,) = parse_special(body)
        assert (s.content, s.id_str) == (got[7], got[12])


# int32 fields keep the low 32 bits; int64 fields (id, ctime, uid) all 64; color is uint32.
WIDTHS = [
    (3, 1 << 31, -(1 << 31)),
    (3, (1 << 31) - 1, (1 << 31) - 1),
    (3, (1 << 32) + 7, 7),
    (3, -1, -1),
    (3, -(1 << 31) - 1, (1 << 31) - 1),
    (9, (1 << 32) - 1, -1),
    (1, 1 << 63, -(1 << 63)),
    (1, (1 << 63) - 1, (1 << 63) - 1),
    (1, 1 << 31, 1 << 31),
    (8, (1 << 32) + 7, (1 << 32) + 7),
    (14, -5, -5),
    (5, -1, 0xFFFFFFFF),
    (11, (1 << 62) + 2, 2),
]
FIELD_OF = {3: "mode", 9: "weight", 1: "id_", 8: "send_time", 14: "uid", 5: "color", 11: "pool"}


@pytest.mark.parametrize(("number", "value", "expected"), WIDTHS)
def test_varints_are_cut_to_their_field_width(number: int, value: int, expected: int) -> None:
    body = element(uint(number, value))
    (d,) = parse_segment_pure(body)
    assert getattr(d, FIELD_OF[number]) == expected
    assert parse_segment(body) == [d]
    if number in (1, 3, 11):
        (s,) = parse_special(body)
        assert getattr(s, {1: "id_", 3: "mode", 11: "pool"}[number]) == expected


def test_varint_of_ten_bytes_is_read() -> None:
    # The longest varint (a 10th byte without its continuation bit) is not an error.
    body = b"\x0a" + varint(11) + b"\x08" + b"\xff" * 9 + b"\x01"
    assert [d.id_ for d in parse_segment_pure(body)] == [-1]
    assert parse_special(body)[0].id_ == -1
    assert parse_segment_pure(key(9, 0) + b"\xff" * 9 + b"\x01") == []


@needs_upb
def test_parse_segment_uses_upb_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(payload: Any) -> list[Danmaku]:
        raise AssertionError("the hand-written decoder was used")

    body = element(blob(7, "upb") + uint(1, 3))
    monkeypatch.setattr(_segment, "parse_segment_pure", refuse)
    monkeypatch.setattr(_segment, "_UPB", [])
    (d,) = parse_segment(body)
    assert (d.text, d.id_) == ("upb", 3)
    with pytest.raises(AssertionError):
        parse_segment(element(blob(7, b"\xff")))  # what upb refuses goes to the fallback


@needs_upb
def test_pure_protobuf_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILIBILI_SDK_PURE_PROTOBUF", "1")
    assert _segment._build_upb_reply() is None
    monkeypatch.setenv("BILIBILI_SDK_PURE_PROTOBUF", "0")
    assert _segment._build_upb_reply() is not None
    monkeypatch.delenv("BILIBILI_SDK_PURE_PROTOBUF")
    assert _segment._build_upb_reply() is not None


# Found while writing the tests above (issue 9, item 8): bodies upb refuses that the
# hand-written decoders accepted, so `parse_segment` (which falls back to them) returned
# danmaku for a malformed body. Now a DecodeError from both, like upb.
ACCEPTED_BUT_MALFORMED = [
    ("segment", element(key(1 << 29, 0) + b"\x01" + blob(7, "x"))),  # field number 2**29
    ("segment", element(key(1 << 29, 2) + b"\x01a" + blob(7, "x"))),
    ("special", element(key(1 << 29, 0) + b"\x01" + blob(7, "x"))),
    ("special", element(b"\x00\x00")),  # field number 0 in an element
    ("special", element(varint(-8) + b"\x01")),  # a key of 10 bytes, past 2**32
]


@needs_upb
@pytest.mark.parametrize(
    ("decoder", "body"),
    ACCEPTED_BUT_MALFORMED,
    ids=["segment-2**29-varint", "segment-2**29-text", "special-2**29", "special-0", "special-key"],
)
def test_what_upb_refuses_is_a_decode_error(decoder: str, body: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - upb's own error type
        REPLY.FromString(body)
    with pytest.raises(DecodeError):
        (parse_segment_pure if decoder == "segment" else parse_special)(body)
    if decoder == "segment":  # upb refuses it, and the fallback now agrees
        with pytest.raises(DecodeError):
            parse_segment(body)

"""The shared protobuf wire reader (`bilibili_sdk._protobuf`)."""

from __future__ import annotations

import struct

import pytest

from bilibili_sdk._protobuf import (
    DecodeError,
    decode_message,
    f32,
    f64,
    iter_fields,
    read_varint,
    signed64,
    zigzag,
)

from . import _pb

EVERY_WIRE_TYPE = (
    _pb.uint(1, 150)  # varint
    + _pb.key(2, 1)
    + struct.pack("<Q", 2**64 - 1)  # fixed64
    + _pb.blob(3, "hi")  # length-delimited
    + _pb.key(4, 3)
    + _pb.uint(1, 9)
    + _pb.key(4, 4)  # a group holding a field: skipped whole
    + _pb.key(5, 5)
    + struct.pack("<I", 7)  # fixed32
)


def test_iter_fields_reads_every_wire_type_and_skips_groups() -> None:
    assert list(iter_fields(EVERY_WIRE_TYPE)) == [
        (1, 0, 150),
        (2, 1, 2**64 - 1),
        (3, 2, b"hi"),
        (5, 5, 7),
    ]


def test_varints() -> None:
    assert read_varint(_pb.varint(300), 0) == (300, 2)
    assert signed64(read_varint(_pb.varint(-2), 0)[0]) == -2
    assert zigzag(3) == -2 and zigzag(4) == 2
    assert f32(struct.unpack("<I", struct.pack("<f", 1.5))[0]) == 1.5
    with pytest.raises(DecodeError, match="10 bytes"):
        read_varint(b"\xff" * 11, 0)


SCHEMA = {
    1: ("n", "uint"),
    2: ("neg", "int"),
    3: ("text", "str"),
    4: ("nums", "uint*"),
    5: ("sub", "msg", {1: ("x", "uint")}),
    6: ("subs", "msg*", {1: ("x", "uint")}),
    7: ("ok", "bool"),
}


def test_decode_message_by_schema() -> None:
    payload = (
        _pb.uint(1, 5)
        + _pb.uint(2, -7)
        + _pb.blob(3, "弹幕")
        + _pb.blob(4, _pb.varint(1) + _pb.varint(300))  # packed
        + _pb.uint(4, 2)  # and unpacked, appended
        + _pb.blob(5, _pb.uint(1, 9))
        + _pb.blob(6, _pb.uint(1, 1))
        + _pb.blob(6, _pb.uint(1, 2))
        + _pb.uint(99, 1)  # unknown: skipped
        + _pb.uint(3, 1)  # known number, other wire type: skipped too
    )
    assert decode_message(payload, SCHEMA) == {
        "n": 5,
        "neg": -7,
        "text": "弹幕",
        "nums": [1, 300, 2],
        "sub": {"x": 9},
        "subs": [{"x": 1}, {"x": 2}],
        "ok": False,
    }


def test_defaults_of_an_empty_message() -> None:
    assert decode_message(b"", SCHEMA) == {
        "n": 0,
        "neg": 0,
        "text": "",
        "nums": [],
        "sub": None,
        "subs": [],
        "ok": False,
    }


@pytest.mark.parametrize(
    "payload",
    [
        b"\x08",  # varint cut short
        b"\x1a\x05ab",  # length past the end
        b"\x11\x00\x00",  # fixed64 cut short
        b"\x15\x00",  # fixed32 cut short
        b"\x0e",  # wire type 6
        b"\x00\x01",  # field number 0
        b"\x24",  # end-group without a start
        b"\x23\x08\x01",  # group never closed
    ],
)
def test_malformed_input_is_a_decode_error(payload: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_message(payload, SCHEMA)


# ---------------------------------------------------------------- edges, exact errors
def test_varint_edges() -> None:
    assert read_varint(b"\x7f", 0) == (127, 1)
    assert read_varint(b"\x80\x01", 0) == (128, 2)  # the first of two bytes
    assert read_varint(b"\x00\x96\x01", 1) == (150, 3)  # from an offset
    assert read_varint(_pb.varint(2**63), 0) == (2**63, 10)
    # A 10th byte may carry bits past 64: protobuf drops them (upb reads 2**64 - 1 here).
    assert read_varint(b"\xff" * 9 + b"\x7f", 0) == (2**64 - 1, 10)
    assert read_varint(b"\xff" * 9 + b"\x01", 0) == (2**64 - 1, 10)
    with pytest.raises(DecodeError) as e:
        read_varint(b"\xff" * 10 + b"\x01", 0)
    assert str(e.value) == "varint longer than 10 bytes"
    for cut in (b"", b"\x80", b"\xff" * 9):
        with pytest.raises(DecodeError) as e:
            read_varint(cut, 0)
        assert str(e.value) == "truncated varint"


def test_number_helpers() -> None:
    assert [signed64(v) for v in (0, 2**63 - 1, 2**63, 2**64 - 1)] == [0, 2**63 - 1, -(2**63), -1]
    assert [zigzag(v) for v in (0, 1, 2, 3, 4, 2**64 - 1)] == [0, -1, 1, -2, 2, -(2**63)]
    assert f32(0x3FC00000) == 1.5 and f32(0xC0200000) == -2.5
    assert f64(0x3FF8000000000000) == 1.5 and f64(0xC004000000000000) == -2.5


def test_iter_fields_window_and_fixed_widths_at_the_end() -> None:
    body = _pb.uint(1, 1) + _pb.key(2, 5) + struct.pack("<I", 2**32 - 1)
    body += _pb.key(3, 1) + struct.pack("<Q", 5)
    assert list(iter_fields(body)) == [(1, 0, 1), (2, 5, 2**32 - 1), (3, 1, 5)]
    # A window: pos and end pick the fields in between, exactly.
    framed = b"\xff" + body + b"\xff"
    assert list(iter_fields(framed, 1, len(framed) - 1)) == list(iter_fields(body))
    assert list(iter_fields(framed, 1, 3)) == [(1, 0, 1)]
    assert list(iter_fields(body, len(body))) == []
    # The largest field number passes; a field 0 inside a skipped group passes.
    last = (1 << 29) - 1
    assert list(iter_fields(_pb.uint(last, 7))) == [(last, 0, 7)]
    grouped = _pb.key(4, 3) + _pb.uint(0, 1) + _pb.key(5, 3) + _pb.key(5, 4) + _pb.key(4, 4)
    assert list(iter_fields(grouped + _pb.uint(1, 2))) == [(1, 0, 2)]


ITER_ERRORS = [
    (b"\x00\x01", "field number 0"),
    (_pb.uint(1 << 29, 1), "invalid field number 536870912"),
    (b"\x1a\x05ab", "field 3: length 5 runs past the end"),
    (_pb.key(9, 5) + b"\x00" * 3, "field 9: truncated fixed32"),
    (_pb.key(9, 1) + b"\x00" * 7, "field 9: truncated fixed64"),
    (_pb.key(9, 6), "field 9: invalid wire type 6"),
    (_pb.key(9, 4), "field 9: end-group without its start-group"),
    (_pb.key(9, 3) + _pb.key(10, 4), "field 10: end-group without its start-group"),
    (_pb.key(9, 3) + _pb.uint(1, 1), "unterminated group"),
    (b"\x08", "truncated varint"),
]


@pytest.mark.parametrize(("payload", "message"), ITER_ERRORS)
def test_iter_fields_errors_name_the_fault(payload: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as e:
        list(iter_fields(payload))
    assert str(e.value) == message


def test_iter_fields_window_errors() -> None:
    with pytest.raises(DecodeError) as e:
        list(iter_fields(b"\x08\x01", 0, 3))
    assert str(e.value) == "message runs past the end of the buffer"
    assert list(iter_fields(b"\x08\x01", 0, 2)) == [(1, 0, 1)]  # end == len(buf) is fine
    for end in (1, 2):  # a value that crosses the window's end
        with pytest.raises(DecodeError) as e:
            list(iter_fields(b"\x08\x96\x01", 0, end))
        assert str(e.value) == "message runs past its declared length"
    with pytest.raises(DecodeError) as e:
        list(iter_fields(_pb.key(9, 5) + b"\x00" * 4, 0, 4))
    assert str(e.value) == "field 9: truncated fixed32"
    with pytest.raises(DecodeError) as e:
        list(iter_fields(_pb.blob(3, "abc"), 0, 4))
    assert str(e.value) == "field 3: length 3 runs past the end"


KINDS = {
    1: ("u", "uint"),
    2: ("i", "int"),
    3: ("s", "sint"),
    4: ("b", "bool"),
    5: ("t", "str"),
    6: ("raw", "bytes"),
    7: ("f", "f32"),
    8: ("d", "f64"),
    9: ("m", "msg"),  # no sub-schema: decodes to {}
    10: ("fs", "f32*"),
    11: ("ds", "f64*"),
    12: ("ss", "sint*"),
    13: ("bs", "bool*"),
    14: ("ts", "str*"),
    15: ("is", "int*"),
    16: ("ms", "msg*", {1: ("x", "uint")}),
}


def test_defaults_of_every_kind() -> None:
    assert decode_message(b"", KINDS) == {
        "u": 0, "i": 0, "s": 0, "b": False, "t": "", "raw": b"", "f": 0.0, "d": 0.0,
        "m": None, "fs": [], "ds": [], "ss": [], "bs": [], "ts": [], "is": [], "ms": [],
    }  # fmt: skip
    out = decode_message(b"", KINDS)
    assert [type(out[k]) for k in ("u", "b", "f", "d")] == [int, bool, float, float]


def test_every_kind_decodes() -> None:
    payload = b"".join(
        [
            _pb.uint(1, 2**64 - 1),
            _pb.uint(2, -3),
            _pb.uint(3, 5),  # zigzag: -3
            _pb.uint(4, 2),  # any non-zero is true
            _pb.blob(5, b"ok\xff"),  # bad UTF-8 is replaced
            _pb.blob(6, b"\x00\xff"),
            _pb.key(7, 5) + struct.pack("<f", -0.25),
            _pb.key(8, 1) + struct.pack("<d", 1e300),
            _pb.blob(9, _pb.uint(1, 1)),
            _pb.blob(10, struct.pack("<2f", 1.5, -2.0)),  # packed
            _pb.key(10, 5) + struct.pack("<f", 3.0),  # and one unpacked
            _pb.blob(11, struct.pack("<2d", 0.5, 7.0)),
            _pb.key(11, 1) + struct.pack("<d", -1.0),
            _pb.blob(12, _pb.varint(1) + _pb.varint(4)),
            _pb.uint(12, 3),
            _pb.blob(13, b"\x00\x01\x05"),
            _pb.blob(14, "a") + _pb.blob(14, "b"),
            _pb.blob(15, _pb.varint(-1) + _pb.varint(2**63)),
            _pb.blob(16, _pb.uint(1, 1)) + _pb.blob(16, b""),
        ]
    )
    assert decode_message(payload, KINDS) == {
        "u": 2**64 - 1, "i": -3, "s": -3, "b": True, "t": "ok\ufffd", "raw": b"\x00\xff",
        "f": -0.25, "d": 1e300, "m": {}, "fs": [1.5, -2.0, 3.0], "ds": [0.5, 7.0, -1.0],
        "ss": [-1, 2, -2], "bs": [False, True, True], "ts": ["a", "b"],
        "is": [-1, -(2**63)], "ms": [{"x": 1}, {"x": 0}],
    }  # fmt: skip


def test_known_numbers_with_another_wire_type_are_skipped() -> None:
    # As protobuf does: each scalar kind has one wire type, a text/message needs length.
    payload = b"".join(
        [
            _pb.uint(1, 4),
            _pb.key(1, 5) + struct.pack("<I", 9),  # uint as fixed32: skipped
            _pb.key(2, 1) + struct.pack("<Q", 9),  # int as fixed64: skipped
            _pb.uint(7, 9),  # f32 as a varint: skipped
            _pb.key(7, 1) + struct.pack("<d", 1.0),  # f32 as fixed64: skipped
            _pb.uint(8, 9),  # f64 as a varint: skipped
            _pb.key(8, 5) + struct.pack("<f", 1.0),  # f64 as fixed32: skipped
            _pb.uint(5, 1),  # str as a varint: skipped
            _pb.uint(6, 1),  # bytes as a varint: skipped
            _pb.uint(9, 1),  # msg as a varint: skipped
            _pb.uint(14, 1),  # repeated str as a varint: skipped
            _pb.uint(16, 1),  # repeated msg as a varint: skipped
            _pb.key(10, 0) + _pb.varint(1),  # repeated f32 as a varint: skipped
            _pb.key(15, 5) + struct.pack("<I", 1),  # repeated int as fixed32: skipped
        ]
    )
    out = decode_message(payload, KINDS)
    assert out == {**decode_message(b"", KINDS), "u": 4}


def test_packed_values_cut_short() -> None:
    for number, data, message in [
        (10, b"\x00" * 5, "truncated packed fixed32"),
        (11, b"\x00" * 9, "truncated packed fixed64"),
        (12, b"\x80", "truncated varint"),
    ]:
        with pytest.raises(DecodeError) as e:
            decode_message(_pb.blob(number, data), KINDS)
        assert str(e.value) == message
    assert decode_message(_pb.blob(10, b"\x00" * 8), KINDS)["fs"] == [0.0, 0.0]
    assert decode_message(_pb.blob(11, b"\x00" * 16), KINDS)["ds"] == [0.0, 0.0]


def test_an_unknown_schema_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as e:
        decode_message(_pb.uint(1, 1), {1: ("x", "nope*")})
    assert str(e.value) == "unknown schema kind 'nope'"
    assert not isinstance(e.value, DecodeError)


def test_a_singular_message_seen_twice_is_merged() -> None:
    # 11 is known so that anything put between the parts (0x58 is its key) would show.
    sub = {1: ("x", "uint"), 2: ("y", "uint"), 3: ("zs", "uint*"), 11: ("z", "uint")}
    schema = {5: ("sub", "msg", sub)}
    first = _pb.uint(1, 1) + _pb.uint(2, 2) + _pb.uint(3, 7)
    second = _pb.uint(1, 10) + _pb.uint(3, 8)
    third = _pb.uint(2, 30)
    got = decode_message(_pb.blob(5, first) + _pb.blob(5, second) + _pb.blob(5, third), schema)
    assert got == {"sub": {"x": 10, "y": 30, "zs": [7, 8], "z": 0}}  # last wins, lists add up
    got = decode_message(_pb.blob(5, first) + _pb.blob(5, second), schema)
    assert got == {"sub": {"x": 10, "y": 2, "zs": [7, 8], "z": 0}}
    got = decode_message(_pb.blob(5, second), schema)
    assert got == {"sub": {"x": 10, "y": 0, "zs": [8], "z": 0}}
    # Each part must be well-formed on its own, even when the parts join into a valid message.
    cut = _pb.key(2, 2) + _pb.varint(2)  # a length with no bytes after it
    for parts in ([cut, _pb.uint(1, 5)], [first, cut, _pb.uint(1, 5)]):
        with pytest.raises(DecodeError) as e:
            decode_message(b"".join(_pb.blob(5, p) for p in parts), {5: ("sub", "msg", {})})
        assert str(e.value) == "field 2: length 2 runs past the end"
    # Without a sub-schema a merged message is {}.
    assert decode_message(_pb.blob(9, b"") + _pb.blob(9, _pb.uint(1, 1)), KINDS)["m"] == {}

"""The shared protobuf wire reader (`bilibili_sdk._protobuf`)."""

from __future__ import annotations

import struct

import pytest

from bilibili_sdk._protobuf import (
    DecodeError,
    decode_message,
    f32,
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

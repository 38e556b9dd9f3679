"""The hand-written danmaku decoders against protobuf's own parser (upb), on random input.

Random DmSegMobileReply bodies (every DanmakuElem field, values at and past the int32/int64
edges, unknown fields of every wire type including nested groups, fields in any order and
repeated) must decode to the same danmaku with `parse_segment_pure` as with upb, and the
special-danmaku decoder must agree with upb on its fields. Corrupted copies (cut, bytes
changed) that upb still accepts must decode the same; what upb rejects must not crash the
hand-written decoder with anything but DecodeError.
"""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest

from bilibili_sdk._protobuf import DecodeError
from bilibili_sdk.danmaku import parse_segment, parse_special
from bilibili_sdk.danmaku._model import SpecialDanmaku
from bilibili_sdk.danmaku._segment import _ELEM_FIELDS, _upb_reply, parse_segment_pure

from . import _pb

REPLY = _upb_reply()
pytestmark = pytest.mark.skipif(REPLY is None, reason="protobuf's upb backend is not installed")

INT_EDGES = [
    0,
    1,
    127,
    128,
    300,
    (1 << 31) - 1,
    1 << 31,
    (1 << 32) - 1,
    1 << 32,
    (1 << 63) - 1,
    -1,
    -(1 << 31),
    -(1 << 31) - 1,
    -(1 << 63),
]
TEXT = "abc 弹幕😀\u3000é<>&\"'"
KNOWN = {number for number, _, _ in _ELEM_FIELDS}


def _int(rng: random.Random) -> int:
    if rng.random() < 0.5:
        return rng.choice(INT_EDGES)
    return rng.randrange(-(1 << 63), 1 << 63)


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(TEXT) for _ in range(rng.randrange(8)))


def _unknown(rng: random.Random, depth: int = 0) -> bytes:
    """One field that no decoder knows, of a random wire type."""
    number = rng.choice([n for n in range(15, 40) if n not in KNOWN] + [536870911])
    wire = rng.choice([0, 1, 2, 5, 3] if depth < 2 else [0, 1, 2, 5])
    if wire == 0:
        return _pb.key(number, 0) + _pb.varint(_int(rng))
    if wire == 1:
        return _pb.key(number, 1) + rng.randbytes(8)
    if wire == 5:
        return _pb.key(number, 5) + rng.randbytes(4)
    if wire == 2:
        return _pb.blob(number, rng.randbytes(rng.randrange(6)))
    inner = b"".join(_unknown(rng, depth + 1) for _ in range(rng.randrange(3)))
    return _pb.key(number, 3) + inner + _pb.key(number, 4)


def _field(rng: random.Random, number: int, type_: str) -> bytes:
    if type_ == "STRING":
        return _pb.blob(number, _text(rng))
    return _pb.key(number, 0) + _pb.varint(_int(rng))


def _elem(rng: random.Random) -> bytes:
    parts = [_field(rng, number, type_) for number, _, type_ in _ELEM_FIELDS if rng.random() < 0.7]
    parts += [_unknown(rng) for _ in range(rng.randrange(3))]
    if parts and rng.random() < 0.3:  # a field given twice: the last one wins
        parts.append(rng.choice(parts))
    rng.shuffle(parts)
    return b"".join(parts)


def _reply(rng: random.Random) -> bytes:
    parts = [_pb.blob(1, _elem(rng)) for _ in range(rng.randrange(4))]
    parts += [_unknown(rng) for _ in range(rng.randrange(2))]
    if rng.random() < 0.2:
        parts.append(_pb.uint(2, 0))  # state 0: open
    rng.shuffle(parts)
    return b"".join(parts)


def _special_by_upb(buf: bytes) -> list[SpecialDanmaku]:
    msg = REPLY.FromString(buf)
    return [
        SpecialDanmaku(e.content, e.id, e.idStr, e.mode, e.pool, e.progress / 1000)
        for e in msg.elems
    ]


def _corrupt(rng: random.Random, buf: bytes) -> bytes:
    if not buf:
        return bytes([rng.randrange(256)])
    b = bytearray(buf)
    kind = rng.randrange(3)
    if kind == 0:
        return bytes(b[: rng.randrange(len(b))])
    if kind == 1:
        b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    i = rng.randrange(len(b) + 1)
    return bytes(b[:i] + bytes([rng.randrange(256)]) + b[i:])


CASES = 1500


def test_segment_decoders_agree_on_random_bodies() -> None:
    rng = random.Random(20240601)
    for _ in range(CASES):
        buf = _reply(rng)
        want: Any = parse_segment(buf)  # upb
        assert parse_segment_pure(buf) == want, buf.hex()
        assert parse_special(buf) == _special_by_upb(buf), buf.hex()


def test_decoders_on_corrupted_bodies() -> None:
    rng = random.Random(7)
    accepted = rejected = 0
    for _ in range(CASES):
        buf = _corrupt(rng, _reply(rng))
        try:
            msg = REPLY.FromString(buf)
        except Exception:
            rejected += 1
            for decode in (parse_segment_pure, parse_special):
                with contextlib.suppress(DecodeError):
                    decode(buf)
            continue
        accepted += 1
        if msg.state == 1:
            continue
        assert parse_segment_pure(buf) == parse_segment(buf), buf.hex()
        assert parse_special(buf) == _special_by_upb(buf), buf.hex()
    assert accepted > 100 and rejected > 100  # both kinds were exercised


@pytest.mark.parametrize(
    "buf",
    [
        _pb.key(1, 2) + _pb.varint(5) + b"\x08",  # an element cut short
        _pb.key(1, 2) + _pb.varint(3) + _pb.key(7, 2) + _pb.varint(9) + b"x",  # text past it
        _pb.key(1, 2) + _pb.varint(2) + _pb.key(20, 3),  # an unterminated group
        _pb.key(1, 2) + _pb.varint(2) + _pb.key(20, 4),  # an end-group alone
        _pb.key(1, 2) + _pb.varint(2) + bytes([0x0F, 0x00]),  # wire type 7
        _pb.key(1, 2) + _pb.varint(2) + bytes([0x07, 0x00]),  # field number 0
        _pb.key(9, 2) + _pb.varint(4) + b"ab",  # an unknown blob past the end
        _pb.key(9, 1) + b"\x00" * 7,  # a fixed64 past the end
        _pb.key(9, 5) + b"\x00" * 3,  # a fixed32 past the end
        b"\x08" + b"\xff" * 10 + b"\x01",  # a varint of 11 bytes
        b"\x08\x80",  # a cut varint
    ],
)
def test_malformed_bodies_are_decode_errors(buf: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - upb's own error type
        REPLY.FromString(buf)
    with pytest.raises(DecodeError):
        parse_segment_pure(buf)
    with pytest.raises(DecodeError):
        parse_special(buf)

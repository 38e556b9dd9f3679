"""A small DmSegMobileReply encoder: the inverse of `parse_segment`, for tests, benchmarks and
mock servers. Zero and empty fields are left out, as proto3 encoders do."""

from __future__ import annotations

from collections.abc import Iterable

from ._model import Danmaku, SpecialDanmaku

__all__ = ["encode_danmaku", "encode_segment", "encode_special", "field", "varint"]


def varint(v: int) -> bytes:
    """`v` as a protobuf varint; negative values as 10-byte two's complement (int64)."""
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field(number: int, value: int | str | bytes) -> bytes:
    """One field: an int as a varint, str/bytes length-delimited; zero or empty gives b""."""
    if not value:
        return b""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def encode_danmaku(d: Danmaku) -> bytes:
    """One DanmakuElem."""
    return b"".join(
        (
            field(1, d.id_),
            field(2, round(d.dm_time * 1000)),
            field(3, int(d.mode)),
            field(4, int(d.font_size)),
            field(5, d.color),
            field(6, d.crc32_id),
            field(7, d.text),
            field(8, d.send_time),
            field(9, d.weight),
            field(10, d.action),
            field(11, d.pool),
            field(12, d.id_str),
            field(13, d.attr),
            field(14, d.uid),
            field(24, d.colorful),
        )
    )


def encode_segment(danmakus: Iterable[Danmaku], *, state: int = 0) -> bytes:
    """A DmSegMobileReply holding `danmakus` (and `state`, 1 = closed)."""
    return b"".join(field(1, encode_danmaku(d)) for d in danmakus) + field(2, state)


def encode_special(items: Iterable[SpecialDanmaku]) -> bytes:
    """A BAS special-danmaku file."""
    return b"".join(
        field(
            1,
            field(1, s.id_)
            + field(2, round(s.dm_time * 1000))
            + field(3, int(s.mode))
            + field(7, s.content)
            + field(11, s.pool)
            + field(12, s.id_str),
        )
        for s in items
    )

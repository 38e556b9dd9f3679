"""A tiny protobuf encoder for building test payloads (the SDK itself only decodes)."""

from __future__ import annotations


def varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def uint(field: int, n: int) -> bytes:
    return key(field, 0) + varint(n)


def blob(field: int, data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return key(field, 2) + varint(len(raw)) + raw


def elem(
    id_: int,
    progress_ms: int,
    text: str,
    *,
    mode: int = 1,
    size: int = 25,
    color: int = 0xFFFFFF,
    mid_hash: str = "6f3d2b1a",
    ctime: int = 1_700_000_000,
    weight: int = 10,
    pool: int = 0,
) -> bytes:
    """One DanmakuElem."""
    return (
        uint(1, id_)
        + uint(2, progress_ms)
        + uint(3, mode)
        + uint(4, size)
        + uint(5, color)
        + blob(6, mid_hash)
        + blob(7, text)
        + uint(8, ctime)
        + uint(9, weight)
        + uint(11, pool)
        + blob(12, str(id_))
    )


def segment(*elems: bytes) -> bytes:
    """A DmSegMobileReply holding these elements."""
    return b"".join(blob(1, e) for e in elems)

"""Decoders for `seg.so` danmaku segments (DmSegMobileReply) and BAS special-danmaku files.

Two decoders, chosen by measurement (benchmarks/README.md): protobuf's C parser (upb, with a
descriptor built at run time) copies 3,000 elements into `Danmaku` at about 0.95 us each,
the hand-written loop below at about 3.4 us. The seed takes about 12 us, so only upb meets
the 10x target; it is a dependency (2.3 MiB, ~12 ms to import on first use), and the
hand-written decoder stays as the fallback when upb is missing and for bodies upb refuses.
The loop reads the buffer once, front to back, by index (the seed re-sliced the rest of it
for every varint), so it is linear in the input. Fields are dispatched on their whole key
(number and wire type), as protobuf does: an unknown field, or a known number with an
unexpected wire type, is skipped by its wire type, groups included.

DmSegMobileReply: 1 elems (repeated DanmakuElem), 2 state (1 = danmaku closed), 3 ai_flag,
5 colorfulSrc. DanmakuElem: 1 id, 2 progress (ms), 3 mode, 4 fontsize, 5 color, 6 midHash,
7 content, 8 ctime, 9 weight, 10 action, 11 pool, 12 idStr, 13 attr, 14 uid, 22 animation,
24 colorful (60001 = VIP gradient).
"""

from __future__ import annotations

import os
from itertools import repeat
from operator import add, attrgetter, truediv
from typing import Any

from .._exceptions import ArgsException, DanmakuClosedException
from .._protobuf import DecodeError
from ._model import Danmaku, SpecialDanmaku

__all__ = ["parse_segment", "parse_segment_pure", "parse_special"]

_PROGRESS = attrgetter("progress")
# The Danmaku fields after dm_time, in tuple order.
_REST = attrgetter(
    "mode",
    "fontsize",
    "color",
    "ctime",
    "pool",
    "midHash",
    "id",
    "weight",
    "content",
    "idStr",
    "action",
    "attr",
    "uid",
    "colorful",
)
# DanmakuElem for upb: (number, name, FieldDescriptorProto type).
_ELEM_FIELDS = (
    (1, "id", "INT64"),
    (2, "progress", "INT32"),
    (3, "mode", "INT32"),
    (4, "fontsize", "INT32"),
    (5, "color", "UINT32"),
    (6, "midHash", "STRING"),
    (7, "content", "STRING"),
    (8, "ctime", "INT64"),
    (9, "weight", "INT32"),
    (10, "action", "STRING"),
    (11, "pool", "INT32"),
    (12, "idStr", "STRING"),
    (13, "attr", "INT32"),
    (14, "uid", "INT64"),
    (24, "colorful", "INT32"),
)
_UPB: list[Any] = []  # [message class or None], filled on first use


def _upb_reply() -> Any:
    """The DmSegMobileReply class of protobuf's upb backend, or None without it.

    Built from a descriptor at run time (no generated _pb2 module to keep in sync). Only
    upb counts: protobuf's pure-Python backend is slower than the hand-written decoder.
    """
    if not _UPB:
        _UPB.append(_build_upb_reply())
    return _UPB[0]


def _build_upb_reply() -> Any:
    if os.environ.get("BILIBILI_SDK_PURE_PROTOBUF") == "1":
        return None
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        from google.protobuf.internal import api_implementation
    except ImportError:
        return None
    if api_implementation.Type() != "upb":
        return None
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="bilibili_sdk/dm_seg.proto", package="bilibili_sdk.dm", syntax="proto3"
    )
    elem = fdp.message_type.add(name="DanmakuElem")
    for number, name, type_ in _ELEM_FIELDS:
        # label: LABEL_OPTIONAL, the enum's first value and so the default.
        elem.field.add(name=name, number=number, type=getattr(f, "TYPE_" + type_))
    reply = fdp.message_type.add(name="DmSegMobileReply")
    # No `type`: a type_name makes it TYPE_MESSAGE (descriptor.proto: "need not be set").
    reply.field.add(
        name="elems", number=1, label=f.LABEL_REPEATED, type_name=".bilibili_sdk.dm.DanmakuElem"
    )
    reply.field.add(name="state", number=2, type=f.TYPE_INT32)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(
        pool.FindMessageTypeByName("bilibili_sdk.dm.DmSegMobileReply")
    )


_new = tuple.__new__
_SIGN = 1 << 63
_WRAP = 1 << 64
_INT64_KEYS = frozenset((0x08, 0x40, 0x70))  # id, ctime, uid; other varints are 32-bit


_MAX_FIELD = 1 << 29
"""Field numbers are below 2**29; upb refuses a key naming a larger one (or past 32 bits)."""


def _fit(v: int, key: int) -> int:
    """A varint cut to its field's width, as protobuf does, in two's complement: int32
    fields keep their low 32 bits, the others 64 (color is masked by its caller)."""
    if key in _INT64_KEYS:
        v &= _WRAP - 1
        return v - _WRAP if v >= _SIGN else v
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _as_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    raise ArgsException(
        f"payload: expected bytes (or bytearray, memoryview), got {type(payload).__name__}",
        "payload",
    )


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """A varint at `pos` (int64 two's complement for 10-byte values); IndexError if cut."""
    b = buf[pos]
    pos += 1
    if b < 0x80:
        return b, pos
    v = b & 0x7F
    shift = 7
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            v &= _WRAP - 1
            return (v - _WRAP if v >= _SIGN else v), pos
        shift += 7
        if shift >= 70:  # a 10th byte that says more follow
            raise DecodeError("varint longer than 10 bytes")


def _key(buf: bytes, pos: int) -> tuple[int, int]:
    """A field key at `pos`: a varint of at most 5 bytes (upb refuses a longer one, even a
    padded small number)."""
    key, stop = _varint(buf, pos)
    if stop - pos > 5:
        raise DecodeError(f"a field key of {stop - pos} bytes (at most 5)")
    return key, stop


def _size(buf: bytes, pos: int) -> tuple[int, int]:
    """A length at `pos`: a varint of at most 5 bytes, like a key (upb refuses longer)."""
    size, stop = _varint(buf, pos)
    if stop - pos > 5:
        raise DecodeError(f"a length of {stop - pos} bytes (at most 5)")
    return size, stop


def _skip(buf: bytes, pos: int, end: int, key: int) -> int:
    """Skip the value of an unneeded field whose key was just read; return the new position."""
    groups: list[int] = []  # open groups, innermost last (iterative: nesting is unbounded)
    while True:
        wire = key & 7
        # Inside a skipped group field 0 passes, as in protobuf's parsers (upb and Python):
        # both decoders must give upb's answer.
        if not (key >> 3 > 0 or groups) or key >> 3 >= _MAX_FIELD or key < 0:
            raise DecodeError(f"invalid field number {key >> 3}")
        if wire == 0:
            pos = _varint(buf, pos)[1]
        elif wire == 2:
            size, pos = _size(buf, pos)
            if size < 0 or pos + size > end:
                raise DecodeError(f"field {key >> 3}: length {size} runs past the end")
            pos += size
        elif wire == 5:
            pos += 4
        elif wire == 1:
            pos += 8
        elif wire == 3:
            groups.append(key >> 3)
        elif wire == 4:
            if not groups or groups.pop() != key >> 3:
                raise DecodeError(f"field {key >> 3}: end-group without its start-group")
        else:
            raise DecodeError(f"field {key >> 3}: invalid wire type {wire}")
        if pos > end:
            raise DecodeError(f"field {key >> 3}: value runs past the end")
        if not groups:
            return pos
        if pos >= end:
            raise DecodeError(f"field {groups[-1]}: unterminated group")
        key, pos = _key(buf, pos)


def parse_segment(payload: bytes | bytearray | memoryview) -> list[Danmaku]:
    """Decode one `seg.so` response body (DmSegMobileReply) into danmaku, in wire order.

    Uses protobuf's C (upb) parser when it is installed, else the hand-written decoder;
    both give the same danmaku (a test decodes every case both ways). Bodies upb refuses
    (invalid UTF-8 in a text, malformed bytes) go to the hand-written decoder, which
    substitutes U+FFFD for bad UTF-8 and names what is malformed.

    An empty body gives []. Absent fields are proto3 defaults (0 / ""), so a black danmaku
    has color 0 and a danmaku without `weight` has weight 0 (the seed used -1, white, FLY).

    Raises:
        DanmakuClosedException: the body says the danmaku are closed (state 1). The seed
            raised it only for the exact body b"\\x10\\x01"; this checks the field wherever
            it is.
        DecodeError: the bytes are not a well-formed DmSegMobileReply.
        ArgsException: `payload` is not bytes-like.
    """
    buf = _as_bytes(payload)
    reply = _upb_reply()
    if reply is not None:
        try:
            msg = reply.FromString(buf)
        except Exception:  # google.protobuf.message.DecodeError, without importing it first
            return parse_segment_pure(buf)
        if msg.state == 1:
            raise DanmakuClosedException("the danmaku of this video are closed (state 1)")
        elems = list(msg.elems)
        # All in C: dm_time (progress / 1000) as 1-tuples, the other 14 fields appended in
        # tuple order, then each tuple becomes a Danmaku.
        times = zip(map(truediv, map(_PROGRESS, elems), repeat(1000)))
        return list(map(_new, repeat(Danmaku), map(add, times, map(_REST, elems))))
    return parse_segment_pure(buf)


def parse_segment_pure(payload: bytes | bytearray | memoryview) -> list[Danmaku]:
    """`parse_segment` by the hand-written decoder alone (no protobuf package)."""
    buf = _as_bytes(payload)
    out: list[Danmaku] = []
    append = out.append
    end = len(buf)
    pos = 0
    state = 0
    try:
        while pos < end:
            key = buf[pos]
            pos += 1
            if key != 0x0A:  # read the rest of the key: a padded 0x8a 0x00 is elems too
                if key >= 0x80:
                    key, pos = _key(buf, pos - 1)
                if key == 0x10:
                    state, pos = _varint(buf, pos)
                    continue
                if key != 0x0A:
                    pos = _skip(buf, pos, end, key)
                    continue
            size = buf[pos]
            pos += 1
            if size >= 0x80:
                size, pos = _size(buf, pos - 1)
            stop = pos + size
            if size < 0 or stop > end:
                raise DecodeError(f"danmaku element of {size} bytes runs past the end")

            id_ = progress = mode = fontsize = color = ctime = weight = pool = 0
            attr = uid = colorful = 0
            mid_hash = content = action = id_str = ""
            while pos < stop:
                key = buf[pos]
                pos += 1
                if key >= 0x80:
                    key, pos = _key(buf, pos - 1)
                wire = key & 7
                if wire == 0:
                    v = buf[pos]
                    pos += 1
                    if v >= 0x80:  # inline multi-byte varint
                        v &= 0x7F
                        shift = 7
                        while True:
                            b = buf[pos]
                            pos += 1
                            v |= (b & 0x7F) << shift
                            if b < 0x80:
                                break
                            shift += 7
                            if shift >= 70:
                                raise DecodeError("varint longer than 10 bytes")
                        # 5+ bytes may not fit the field (int32, or past 64 bits)
                        if v > 0x7FFFFFFF and (v >= _SIGN or key not in _INT64_KEYS):
                            v = _fit(v, key)
                    if key == 0x10:
                        progress = v
                    elif key == 0x08:
                        id_ = v
                    elif key == 0x18:
                        mode = v
                    elif key == 0x20:
                        fontsize = v
                    elif key == 0x28:
                        color = v & 0xFFFFFFFF  # uint32
                    elif key == 0x40:
                        ctime = v
                    elif key == 0x48:
                        weight = v
                    elif key == 0x58:
                        pool = v
                    elif key == 0x68:
                        attr = v
                    elif key == 0x70:
                        uid = v
                    elif key == 0xC0:
                        colorful = v
                    elif key < 8:
                        raise DecodeError("field number 0")
                    elif key >> 3 >= _MAX_FIELD:
                        raise DecodeError(f"invalid field number {key >> 3}")
                elif wire == 2:
                    n = buf[pos]
                    pos += 1
                    if n >= 0x80:
                        n, pos = _size(buf, pos - 1)
                    end_ = pos + n
                    if n < 0 or end_ > stop:
                        raise DecodeError(f"field {key >> 3}: length {n} runs past its element")
                    if key == 0x3A:
                        content = buf[pos:end_].decode(errors="replace")
                    elif key == 0x32:
                        mid_hash = buf[pos:end_].decode(errors="replace")
                    elif key == 0x62:
                        id_str = buf[pos:end_].decode(errors="replace")
                    elif key == 0x52:
                        action = buf[pos:end_].decode(errors="replace")
                    elif key < 8:
                        raise DecodeError("field number 0")
                    elif key >> 3 >= _MAX_FIELD:
                        raise DecodeError(f"invalid field number {key >> 3}")
                    pos = end_
                else:
                    pos = _skip(buf, pos, stop, key)
            if pos != stop:
                raise DecodeError("a danmaku element runs past its declared length")
            append(
                _new(
                    Danmaku,
                    (
                        progress / 1000,
                        mode,
                        fontsize,
                        color,
                        ctime,
                        pool,
                        mid_hash,
                        id_,
                        weight,
                        content,
                        id_str,
                        action,
                        attr,
                        uid,
                        colorful,
                    ),
                )
            )
    except IndexError:
        raise DecodeError("truncated DmSegMobileReply") from None
    if state & 0xFFFFFFFF == 1:  # an int32 (its low 32 bits), as upb reads it
        raise DanmakuClosedException("the danmaku of this video are closed (state 1)")
    return out


def parse_special(payload: bytes | bytearray | memoryview) -> list[SpecialDanmaku]:
    """Decode one BAS special-danmaku file (the URLs in `DanmakuView.special_dms`).

    The file is a DmSegMobileReply whose elements carry 1 id, 2 progress, 3 mode,
    7 content (the BAS script), 11 pool and 12 idStr; other fields are skipped.

    Raises:
        DecodeError: the bytes are not a well-formed message.
        ArgsException: `payload` is not bytes-like.
    """
    buf = _as_bytes(payload)
    out: list[SpecialDanmaku] = []
    end = len(buf)
    pos = 0
    try:
        while pos < end:
            key, pos = _key(buf, pos)
            if key != 0x0A:
                pos = _skip(buf, pos, end, key)
                continue
            size, pos = _size(buf, pos)
            stop = pos + size
            if size < 0 or stop > end:
                raise DecodeError(f"special danmaku of {size} bytes runs past the end")
            id_ = progress = mode = pool = 0
            content = id_str = ""
            while pos < stop:
                key, pos = _key(buf, pos)
                if key & 7 == 0:
                    v, pos = _varint(buf, pos)
                    v = _fit(v, key)
                    if key == 0x08:
                        id_ = v
                    elif key == 0x10:
                        progress = v
                    elif key == 0x18:
                        mode = v
                    elif key == 0x58:
                        pool = v
                    elif key < 8:
                        raise DecodeError("field number 0")
                    elif key >> 3 >= _MAX_FIELD:
                        raise DecodeError(f"invalid field number {key >> 3}")
                elif key == 0x3A or key == 0x62:
                    n, pos = _size(buf, pos)
                    if n < 0 or pos + n > stop:
                        raise DecodeError(f"field {key >> 3}: length {n} runs past its element")
                    text = buf[pos : pos + n].decode(errors="replace")
                    if key == 0x3A:
                        content = text
                    else:
                        id_str = text
                    pos += n
                else:
                    pos = _skip(buf, pos, stop, key)
            if pos != stop:
                raise DecodeError("a special danmaku runs past its declared length")
            out.append(SpecialDanmaku(content, id_, id_str, mode, pool, progress / 1000))
    except IndexError:
        raise DecodeError("truncated special-danmaku file") from None
    return out

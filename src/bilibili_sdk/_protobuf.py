"""A small protobuf wire-format reader: enough for Bilibili's danmaku and live payloads.

Bilibili ships no .proto files with its pages, and we need a handful of messages whose
layout is known from observation. Reading the wire format directly keeps the decoder
linear in the input, free of a heavy dependency, and tolerant: fields we do not know are
skipped by their wire type, so a new server-side field never breaks a decode.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "DecodeError",
    "Schema",
    "decode_message",
    "f32",
    "f64",
    "iter_fields",
    "read_varint",
    "signed64",
    "zigzag",
]

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class DecodeError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode one varint at `pos`; return (value, position after it)."""
    try:
        b = buf[pos]
        if b < 0x80:
            return b, pos + 1
        result = b & 0x7F
        shift = 7
        pos += 1
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                # A 10th byte can carry bits past 64; protobuf drops them, as varints are 64-bit.
                return result & 0xFFFFFFFFFFFFFFFF, pos
            shift += 7
            if shift >= 70:  # a 10th byte that says more follow
                raise DecodeError("varint longer than 10 bytes")
    except IndexError:
        raise DecodeError("truncated varint") from None


def iter_fields(
    buf: bytes, pos: int = 0, end: int | None = None
) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) for each field in buf[pos:end].

    Values: varint -> int (unsigned), 64-bit -> int (unsigned), length-delimited -> bytes,
    32-bit -> int (unsigned). Groups (wire types 3/4, long deprecated) are skipped whole.
    """
    if end is None:
        end = len(buf)
    elif end > len(buf):
        raise DecodeError("message runs past the end of the buffer")
    groups: list[int] = []  # open (skipped) groups, innermost last
    while pos < end:
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0 and not groups:  # inside a skipped group protobuf lets field 0 pass
            raise DecodeError("field number 0")
        if number >= 1 << 29:
            raise DecodeError(f"invalid field number {number}")
        value: int | bytes
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 2:
            size, pos = read_varint(buf, pos)
            stop = pos + size
            if stop > end:
                raise DecodeError(f"field {number}: length {size} runs past the end")
            value = buf[pos:stop]
            pos = stop
        elif wire == 5:
            if pos + 4 > end:
                raise DecodeError(f"field {number}: truncated fixed32")
            value = _U32.unpack_from(buf, pos)[0]
            pos += 4
        elif wire == 1:
            if pos + 8 > end:
                raise DecodeError(f"field {number}: truncated fixed64")
            value = _U64.unpack_from(buf, pos)[0]
            pos += 8
        elif wire == 3:
            groups.append(number)
            continue
        elif wire == 4:
            if not groups or groups.pop() != number:
                raise DecodeError(f"field {number}: end-group without its start-group")
            continue
        else:
            raise DecodeError(f"field {number}: invalid wire type {wire}")
        if not groups:
            yield number, wire, value
    if pos != end:
        raise DecodeError("message runs past its declared length")
    if groups:
        raise DecodeError("unterminated group")


def signed64(v: int) -> int:
    """A varint read as unsigned, reinterpreted as int64/int32 (two's complement)."""
    return v - (1 << 64) if v >= 1 << 63 else v


def zigzag(v: int) -> int:
    """Decode a sint32/sint64 (zigzag) value."""
    return (v >> 1) ^ -(v & 1)


def f32(v: int) -> float:
    return float(_F32.unpack(_U32.pack(v))[0])


def f64(v: int) -> float:
    return float(_F64.unpack(_U64.pack(v))[0])


# A schema maps field number -> (name, kind) or (name, kind, sub-schema). Kinds:
# uint, int (two's complement), sint (zigzag), bool, str, bytes, f32, f64, msg;
# a kind ending in "*" is repeated (a list; packed scalars are accepted too).
Schema = Mapping[int, tuple[str, str] | tuple[str, str, "Schema"]]

_DEFAULTS: dict[str, Any] = {
    "uint": 0,
    "int": 0,
    "sint": 0,
    "bool": False,
    "str": "",
    "bytes": b"",
    "f32": 0.0,
    "f64": 0.0,
    "msg": None,
}
_SCALARS = {"uint", "int", "sint", "bool", "f32", "f64"}


_SKIP = object()  # a known field number with another wire type: treated as unknown


_WIRE = {"f32": 5, "f64": 1}  # every other scalar kind is a varint (wire type 0)


def _convert(kind: str, wire: int, value: int | bytes, sub: Schema | None) -> Any:
    if kind in ("str", "bytes", "msg"):
        if not isinstance(value, bytes):
            return _SKIP
        if kind == "str":
            return value.decode(errors="replace")
        if kind == "msg":
            return decode_message(value, sub or {})
        return value
    if isinstance(value, bytes) or wire != _WIRE.get(kind, 0):
        return _SKIP  # a scalar with another wire type: unknown to protobuf
    if kind == "uint":
        return value
    if kind == "int":
        return signed64(value)
    if kind == "sint":
        return zigzag(value)
    if kind == "bool":
        return value != 0
    if kind == "f32":
        return f32(value)
    if kind == "f64":
        return f64(value)
    raise ValueError(f"unknown schema kind {kind!r}")


def _unpack(kind: str, data: bytes) -> list[Any]:
    # Packed repeated scalars: one length-delimited field holding back-to-back values.
    out: list[Any] = []
    pos, end = 0, len(data)
    while pos < end:
        if kind == "f32":
            if pos + 4 > end:
                raise DecodeError("truncated packed fixed32")
            out.append(_F32.unpack_from(data, pos)[0])
            pos += 4
        elif kind == "f64":
            if pos + 8 > end:
                raise DecodeError("truncated packed fixed64")
            out.append(_F64.unpack_from(data, pos)[0])
            pos += 8
        else:
            v, pos = read_varint(data, pos)
            out.append(_convert(kind, 0, v, None))
    return out


def decode_message(buf: bytes, schema: Schema) -> dict[str, Any]:
    """Decode a message into a dict by `schema`; unknown fields are skipped.

    Absent scalar fields get proto3 defaults, absent repeated fields `[]`, absent messages None.
    A known field number arriving with another wire type is skipped like an unknown field,
    as protobuf does.
    """
    out: dict[str, Any] = {}
    for field in schema.values():
        out[field[0]] = [] if field[1].endswith("*") else _DEFAULTS[field[1]]
    merged: dict[int, list[bytes]] = {}
    for number, wire, value in iter_fields(buf):
        spec = schema.get(number)
        if spec is None:
            continue
        name, kind = spec[0], spec[1]
        if kind.endswith("*"):
            kind = kind[:-1]
            if kind in _SCALARS and isinstance(value, bytes):
                out[name].extend(_unpack(kind, value))
            else:
                item = _convert(kind, wire, value, spec[2] if len(spec) == 3 else None)
                if item is not _SKIP:
                    out[name].append(item)
        elif kind == "msg" and isinstance(value, bytes):
            merged.setdefault(number, []).append(value)
        else:  # a scalar, or a message without length (skipped): no sub-schema needed
            item = _convert(kind, wire, value, None)
            if item is not _SKIP:
                out[name] = item
    # A singular message seen more than once is merged, as protobuf does: decoding the
    # concatenation gives exactly that (last scalar wins, repeated fields add up), once
    # each part is known to be well-formed on its own.
    for number, parts in merged.items():
        spec = schema[number]
        sub = spec[2] if len(spec) == 3 else {}
        decoded = decode_message(parts[0], sub)
        if len(parts) > 1:
            for part in parts[1:]:
                decode_message(part, sub)
            decoded = decode_message(b"".join(parts), sub)
        out[spec[0]] = decoded
    return out

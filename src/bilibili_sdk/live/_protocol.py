"""The live danmaku wire format: 16-byte packet headers, operations, compressed bodies.

One websocket binary frame holds one or more packets back to back. A packet is

    u32 total length (header + body) | u16 header length (16) | u16 protover |
    u32 operation | u32 sequence | body

all big-endian. Protover 2 (zlib) and 3 (brotli) bodies decompress to more packets, which
`decode_frame` unpacks recursively; a body inflating past `MAX_INFLATED` is refused as it
inflates, never held whole. The decoder walks the frame with offsets into one
memoryview, so its cost is linear in the frame size.
"""

from __future__ import annotations

import json
import struct
import zlib
from enum import IntEnum
from typing import Any, NamedTuple

from pydantic_core import from_json

from .._exceptions import LiveException

__all__ = [
    "HEADER_SIZE",
    "LiveFrameTooLargeError",
    "LiveProtocolError",
    "Operation",
    "Packet",
    "Protover",
    "decode_frame",
    "encode_packet",
]

HEADER = struct.Struct(">IHHII")
HEADER_SIZE = 16
_U32 = struct.Struct(">I")
MAX_DEPTH = 8
"""Compressed packets nested deeper than this are rejected (Bilibili nests one level)."""
MAX_INFLATED = 16 * 1024 * 1024
"""A zlib or brotli body inflating past this many bytes is rejected as a decompression bomb."""
MAX_BROTLI_INFLATED = MAX_INFLATED - 1024 * 1024
"""brotli's cap, a MiB lower: its decoder holds a window of up to 16 MiB beside the output,
and a frame's peak must stay under 32 MiB with the largest window too."""
BROTLI_STEP = 64 * 1024
"""Output asked of the brotli decoder per call; the peak for a bomb is MAX_INFLATED + ~2 steps."""


class Operation(IntEnum):
    """Packet operations (the header's u32 at offset 8)."""

    HANDSHAKE = 0
    HANDSHAKE_REPLY = 1
    HEARTBEAT = 2
    HEARTBEAT_REPLY = 3
    """Body: u32 popularity."""
    SEND_MSG = 4
    NOTICE = 5
    """Body: a JSON notice with a `cmd` (possibly compressed, holding several packets)."""
    DISCONNECT_REPLY = 6
    AUTH = 7
    AUTH_REPLY = 8
    """Body: JSON `{"code": 0}` on success."""


class Protover(IntEnum):
    """Body encodings (the header's u16 at offset 6)."""

    JSON = 0
    """Plain JSON."""
    CONTROL = 1
    """Heartbeat, heartbeat reply (u32) and auth packets."""
    ZLIB = 2
    """zlib-compressed concatenation of packets."""
    BROTLI = 3
    """brotli-compressed concatenation of packets."""


class LiveProtocolError(LiveException, ValueError):
    """A frame that does not follow the protocol: bad lengths, compression or JSON."""


class LiveFrameTooLargeError(LiveProtocolError):
    """A compressed body inflating past `MAX_INFLATED` bytes (a decompression bomb).

    Refused before it is held whole; the session reports it as a bad frame and reads on.
    """


class Packet(NamedTuple):
    """One decoded packet.

    `body` is a dict for JSON packets (notices, auth reply), the int popularity for a
    heartbeat reply, and the raw bytes for anything else.
    """

    operation: int
    protover: int
    sequence: int
    body: dict[str, Any] | int | bytes


def encode_packet(
    operation: int,
    body: bytes | str | dict[str, Any] = b"",
    *,
    protover: int = 1,
    sequence: int = 1,
) -> bytes:
    """One packet with its 16-byte header.

    A dict body is sent as compact JSON, a str as UTF-8. With protover 2 or 3 the body
    (normally several packets back to back) is compressed with zlib or brotli.
    """
    if isinstance(body, dict):
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = bytes(body)
    if protover == Protover.ZLIB:
        data = zlib.compress(data)
    elif protover == Protover.BROTLI:
        data = _brotli().compress(data)
    return HEADER.pack(HEADER_SIZE + len(data), HEADER_SIZE, protover, operation, sequence) + data


def decode_frame(frame: bytes | bytearray | memoryview) -> list[Packet]:
    """Every packet of one websocket frame, compressed bodies unpacked recursively.

    Raises:
        LiveProtocolError: a short header, inconsistent lengths, a body that does not
            decompress, or a JSON body that is not a JSON object.
        LiveFrameTooLargeError: a compressed body inflating past `MAX_INFLATED` bytes.
    """
    out: list[Packet] = []
    decode_into(frame, out)
    return out


def decode_into(frame: bytes | bytearray | memoryview, out: list[Packet], depth: int = 0) -> None:
    """Append the packets of `frame` to `out` as they are decoded.

    On an error the packets decoded before it are already in `out`, which lets a reader
    keep the good part of a damaged frame. The frame is walked by offset and each body is
    copied out once, so the work is linear in the frame size.
    """
    if isinstance(frame, memoryview):
        frame = frame.tobytes()
    elif not isinstance(frame, (bytes, bytearray)):
        raise LiveProtocolError(f"expected a binary frame, got {type(frame).__name__}")
    end = len(frame)
    if end == 0:
        raise LiveProtocolError("empty frame")
    pos = 0
    unpack = _unpack_header
    append = out.append
    while pos < end:
        if end - pos < HEADER_SIZE:
            raise LiveProtocolError(
                f"truncated header: {end - pos} bytes at offset {pos}, need {HEADER_SIZE}"
            )
        total, hlen, ver, op, seq = unpack(frame, pos)
        stop = pos + total
        if hlen < HEADER_SIZE or total < hlen or stop > end:
            raise LiveProtocolError(
                f"bad lengths at offset {pos}: packet {total}, header {hlen} bytes, "
                f"{end - pos} left in the frame"
            )
        if ver == 3 or ver == 2:
            if depth >= MAX_DEPTH:
                raise LiveProtocolError("compressed packets nested too deeply")
            body = frame[pos + hlen : stop]
            decode_into(_unbrotli(body) if ver == 3 else _inflate(body), out, depth + 1)
        elif op == 5 or op == 8:
            try:
                value = from_json(frame[pos + hlen : stop])
            except ValueError as e:
                raise LiveProtocolError(f"bad JSON body at offset {pos}: {e}") from None
            if type(value) is not dict:
                raise LiveProtocolError(f"JSON body is a {type(value).__name__}, not an object")
            append(_packet(Packet, (op, ver, seq, value)))
        elif op == 3:
            if total - hlen < 4:
                raise LiveProtocolError(f"heartbeat reply body has {total - hlen} bytes, need 4")
            append(_packet(Packet, (op, ver, seq, _U32.unpack_from(frame, pos + hlen)[0])))
        else:
            append(_packet(Packet, (op, ver, seq, bytes(frame[pos + hlen : stop]))))
        pos = stop


_unpack_header = HEADER.unpack_from
_packet = tuple.__new__  # Packet(...) without its Python-level __new__ (the hot path)


def _inflate(body: bytes | bytearray) -> bytes:
    d = zlib.decompressobj()
    try:
        data = d.decompress(body, MAX_INFLATED)
    except zlib.error as e:
        raise LiveProtocolError(f"bad zlib body: {e}") from None
    if d.unconsumed_tail:
        raise LiveFrameTooLargeError(f"zlib body inflates past {MAX_INFLATED} bytes")
    if not d.eof:
        raise LiveProtocolError("bad zlib body: truncated stream")
    return data


def _unbrotli(body: bytes | bytearray) -> bytes:
    # brotli.decompress() has no output limit: a 48 KB body inflates to 256 MiB (and twice
    # that while its buffer grows) before anyone can look. Decompressor.process with
    # output_buffer_limit (brotli >= 1.2) hands out at most about two steps per call, so a
    # bomb stops one step past MAX_INFLATED. Real frames (a few KB) finish in the first call.
    brotli = _brotli_module or _brotli()
    d = brotli.Decompressor()
    try:
        data: bytes = d.process(body, output_buffer_limit=BROTLI_STEP)
        if d.is_finished():
            return data
        chunks: list[bytes] = []
        size = 0
        while data:
            size += len(data)
            if size > MAX_BROTLI_INFLATED:
                raise LiveFrameTooLargeError(
                    f"brotli body inflates past {MAX_BROTLI_INFLATED} bytes"
                )
            chunks.append(data)
            if d.is_finished():
                return b"".join(chunks)
            data = d.process(b"", output_buffer_limit=BROTLI_STEP)
    except brotli.error as e:
        raise LiveProtocolError(f"bad brotli body: {e}") from None
    # No output and not finished: the decoder wants input the body does not have.
    raise LiveProtocolError("bad brotli body: truncated stream")


_brotli_module: Any = None


def _brotli() -> Any:
    """brotli, imported on first use (the `live` extra)."""
    global _brotli_module
    if _brotli_module is None:
        import brotli  # type: ignore[import-untyped]

        if not hasattr(brotli.Decompressor, "can_accept_more_data"):
            # Older bindings cannot bound their output: refuse them rather than a bomb.
            raise ImportError(
                f"brotli >= 1.2 is needed to decode live frames safely (found "
                f"{getattr(brotli, '__version__', '?')}): pip install 'bilibili_sdk[live]'"
            )
        _brotli_module = brotli
    return _brotli_module

"""Compressed live bodies are inflated with a cap: a decompression bomb is refused with a
typed error, in bounded memory, and the connection goes on."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import brotli
import pytest

from bilibili_sdk.live import (
    LiveFrameTooLargeError,
    LiveProtocolError,
    Operation,
    decode_frame,
    encode_packet,
)
from bilibili_sdk.live._protocol import BROTLI_STEP, MAX_BROTLI_INFLATED, MAX_INFLATED

from .test_live_protocol import FakeServer, _authenticated, _notice_packets, _options, _room

BOMB_SIZE = 256 * 1024 * 1024
PEAK_LIMIT = 32 * 1024 * 1024


def _brotli_bomb(lgwin: int = 22) -> bytes:
    """256 MiB of zeros at quality 1: a 48 KB body (lgwin 24 makes the decoder's window 16 MiB)."""
    c = brotli.Compressor(quality=1, lgwin=lgwin)
    zeros = bytes(1 << 20)
    body = b"".join(c.process(zeros) for _ in range(BOMB_SIZE >> 20)) + c.finish()
    return _raw_packet(body, ver=3)


def _zlib_bomb() -> bytes:
    c = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    body = b"".join(c.compress(zeros) for _ in range(BOMB_SIZE >> 20)) + c.flush()
    return _raw_packet(body, ver=2)


def _raw_packet(body: bytes, ver: int) -> bytes:
    # encode_packet would compress again; these bodies are compressed already.
    return struct.pack(">IHHII", 16 + len(body), 16, ver, Operation.NOTICE, 1) + body


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    return _brotli_bomb()


def test_brotli_bomb_is_small_and_refused_with_a_typed_error(brotli_bomb: bytes) -> None:
    assert len(brotli_bomb) < 64 * 1024
    start = time.perf_counter()
    with pytest.raises(LiveFrameTooLargeError, match="inflates past") as info:
        decode_frame(brotli_bomb)
    # the old decoder inflated all 256 MiB (about 2 s) before the packet walk refused it
    assert time.perf_counter() - start < 1.0
    assert isinstance(info.value, LiveProtocolError)  # what callers already catch


def test_zlib_bomb_raises_the_same_typed_error() -> None:
    with pytest.raises(LiveFrameTooLargeError, match="inflates past"):
        decode_frame(_zlib_bomb())


def test_brotli_bomb_peak_python_memory(brotli_bomb: bytes) -> None:
    decode_frame(encode_packet(5, _notice_packets([{"cmd": "WARM"}]), protover=3))
    tracemalloc.start()
    try:
        with pytest.raises(LiveProtocolError) as info:
            decode_frame(brotli_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"{peak / 2**20:.1f} MiB"
    assert isinstance(info.value, LiveFrameTooLargeError)


_RSS_PROBE = """
import sys
from bilibili_sdk.live._protocol import LiveProtocolError, decode_frame, encode_packet

frame = sys.stdin.buffer.read()
decode_frame(encode_packet(5, encode_packet(5, {"cmd": "WARM"}, protover=0), protover=3))

def rss(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024

try:  # reset the peak (VmHWM) so it measures this frame alone (Linux >= 4.0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = rss("VmRSS:")
except OSError:
    before = rss("VmHWM:")
try:
    decode_frame(frame)
    raise SystemExit("decoded")
except LiveProtocolError as e:
    print(type(e).__name__, rss("VmHWM:") - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    ("lgwin", "limit"),
    [
        (22, PEAK_LIMIT),  # every encoder's default window (4 MiB): the 48 KB bomb
        # brotli's largest window is 16 MiB, which the decoder holds beside what it may
        # inflate: the brotli cap is a MiB lower than zlib's to stay under 32 MiB.
        (24, PEAK_LIMIT),
    ],
)
def test_brotli_bomb_peak_rss(lgwin: int, limit: int) -> None:
    # brotli's own buffers (its window) are C allocations tracemalloc cannot see, so the
    # whole process is measured: a fresh interpreter, peak RSS reset just before the frame.
    bomb = _brotli_bomb(lgwin)
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE],
        input=bomb,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    name, grown = out.split()
    assert int(grown) < limit, f"{int(grown) / 2**20:.1f} MiB"
    assert name == "LiveFrameTooLargeError"


@pytest.mark.parametrize(("ver", "cap"), [(2, MAX_INFLATED), (3, MAX_BROTLI_INFLATED)])
def test_a_frame_just_under_the_cap_decodes_and_one_over_it_does_not(ver: int, cap: int) -> None:
    notice = json.dumps({"cmd": "BIG", "pad": "x" * ((1 << 20) - 64)}).encode()
    packet = encode_packet(5, notice, protover=0)
    n = cap // len(packet)
    assert n * len(packet) <= cap < (n + 1) * len(packet)
    frame = encode_packet(5, packet * n, protover=ver)
    assert [p.body["cmd"] for p in decode_frame(frame)] == ["BIG"] * n  # type: ignore[index]
    with pytest.raises(LiveFrameTooLargeError):
        decode_frame(encode_packet(5, packet * (n + 1), protover=ver))


def test_a_body_of_many_steps_decodes_whole() -> None:
    notices = [{"cmd": "X", "n": i, "pad": f"{i:x}" * 500} for i in range(600)]
    frame = encode_packet(5, _notice_packets(notices), protover=3)
    assert len(brotli.decompress(frame[16:])) > 10 * BROTLI_STEP
    assert [p.body for p in decode_frame(frame)] == notices


@pytest.mark.parametrize("cut", [1, 5, 40, -1])
def test_truncated_or_trailing_brotli_is_a_protocol_error(cut: int) -> None:
    notices = [{"cmd": "X", "n": i, "pad": f"{i:x}" * 500} for i in range(600)]
    body = encode_packet(5, _notice_packets(notices), protover=3)[16:]
    body = body + b"junk" if cut < 0 else body[:-cut]
    with pytest.raises(LiveProtocolError) as info:
        decode_frame(_raw_packet(body, ver=3))
    assert not isinstance(info.value, LiveFrameTooLargeError)


def test_session_drops_a_bomb_and_goes_on(brotli_bomb: bytes) -> None:
    s = FakeServer(_room(), _options())
    s.run(_authenticated)
    s.inbox += [
        encode_packet(5, _notice_packets([{"cmd": "BEFORE"}]), protover=3),
        brotli_bomb,
        encode_packet(5, _notice_packets([{"cmd": "AFTER"}]), protover=3),
    ]
    s.run(lambda srv: "AFTER" in srv.names())
    errors = [e for e in s.events if getattr(e, "cmd", None) == "ERROR"]
    assert len(errors) == 1 and errors[0].reason == "bad frame"
    assert isinstance(errors[0].error, LiveFrameTooLargeError)
    assert len(s.connects) == 1  # neither dropped nor replaced
    assert "DISCONNECTED" not in s.names()


def test_an_old_brotli_without_an_output_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from bilibili_sdk.live import _protocol

    class OldDecompressor:  # brotli 1.1: process(data) only
        def process(self, data: bytes) -> bytes:
            return brotli.decompress(data)

    old = SimpleNamespace(__version__="1.1.0", Decompressor=OldDecompressor, error=brotli.error)
    monkeypatch.setitem(sys.modules, "brotli", old)
    monkeypatch.setattr(_protocol, "_brotli_module", None)
    frame = encode_packet(5, _notice_packets([{"cmd": "X"}]), protover=0)
    with pytest.raises(ImportError, match=r"brotli >= 1\.2 .*found 1\.1\.0"):
        decode_frame(_raw_packet(brotli.compress(frame), ver=3))


def test_the_video_socket_has_no_compressed_bodies(brotli_bomb: bytes) -> None:
    # The online-count socket (video_online) sends plain JSON bodies: a bomb's bytes there
    # are bad JSON, refused without inflating anything.
    from bilibili_sdk.video_online import decode_video_frame, encode_video_packet

    frame = encode_video_packet(1000, brotli_bomb[16:])
    tracemalloc.start()
    try:
        with pytest.raises(LiveProtocolError, match="bad JSON"):
            decode_video_frame(frame)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(frame)

"""The mock's video CDN: playurl answers that point at it, and the stream bytes behind them.

`video.get_play_url` and `bangumi.get_play_url` answer with DASH (or `durl` FLV/MP4 segments)
streams on mock CDN hosts (`upos-sz-mirrorcos.bilivideo.com`, two backups); the CDN serves
deterministic bytes (a function of the URL path, `content(url)` gives them) with Range
support, and can be told to fail: `drop_after`, `truncate`, `fail`. A test's own
`mock.set_response("video.get_play_url", ...)` replaces the generated answer.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._mock import MockBilibili, RecordedRequest

__all__ = ["CdnRequest", "MockCdn"]

PRIMARY_HOST = "upos-sz-mirrorcos.bilivideo.com"
BACKUP_HOSTS = ("upos-sz-mirrorali.bilivideo.com", "upos-hz-mirrorakam.akamaized.net")
_CDN_SUFFIXES = (".bilivideo.com", ".bilivideo.cn", ".akamaized.net")
_PATTERN = 65521  # a prime: a resume at a wrong offset never lines up with the pattern
_CHUNK = 64 * 1024
_STREAM = re.compile(r"/upgcxcode/\d+/\d+/(\d+)/\1-1-(v(\d+)c(\d+)|a(\d+)|q(\d+)s(\d+))\.\w+")
_CODEC_STRINGS = {7: "avc1.640032", 12: "hev1.1.6.L150.90", 13: "av01.0.08M.08"}
_SIZES = {127: (7680, 4320), 120: (3840, 2160), 116: (1920, 1080), 112: (1920, 1080)}
_SIZES.update({80: (1920, 1080), 74: (1280, 720), 64: (1280, 720), 32: (852, 480)})
_SIZES.update({16: (640, 360), 6: (426, 240)})
_AUDIO_CODECS = {30250: "ec-3", 30251: "fLaC"}


@dataclass(frozen=True)
class CdnRequest:
    """One request the CDN saw: method, host, path (no query) and the Range header."""

    method: str
    host: str
    path: str
    range: str | None


@functools.lru_cache(maxsize=64)
def _pattern(path: str) -> bytes:
    return hashlib.shake_256(path.encode()).digest(_PATTERN)


def stream_bytes(path: str, start: int, stop: int) -> bytes:
    """Bytes `start`..`stop` (exclusive) of the stream at `path`."""
    pat = _pattern(path)
    out = bytearray()
    pos = start
    while pos < stop:
        i = pos % _PATTERN
        n = min(_PATTERN - i, stop - pos)
        out += pat[i : i + n]
        pos += n
    return bytes(out)


class MediaBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A CDN body: `length` bytes from `start`, cut after `cut` bytes (a dropped connection
    raises `httpx.ReadError` when `drop`, else the body just ends early)."""

    mock_media = True  # the loopback server streams these (and cuts the socket)

    def __init__(self, path: str, start: int, length: int, cut: int | None, drop: bool) -> None:
        self.path = path
        self.start = start
        self.length = length
        self.cut = cut
        self.drop = drop

    def __iter__(self) -> Iterator[bytes]:
        end = self.start + (self.length if self.cut is None else min(self.cut, self.length))
        pos = self.start
        while pos < end:
            n = min(_CHUNK, end - pos)
            yield stream_bytes(self.path, pos, pos + n)
            pos += n
        if self.cut is not None and self.cut < self.length and self.drop:
            raise httpx.ReadError("mock CDN: connection dropped")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


class MockCdn:
    """Serves media bytes at the stream URLs the mock's playurl answers point at.

    Configure it with `set_size`, `set_durl`, `set_qualities`; break it with `drop_after`,
    `truncate` and `fail`; read `requests` (`CdnRequest`s) to see the Range headers.
    """

    ENDPOINTS = ("video.get_play_url", "bangumi.get_play_url")
    """The catalogue endpoints answered here instead of with their examples."""

    def __init__(self, mock: MockBilibili) -> None:
        self._mock = mock
        self._lock = threading.Lock()
        self.requests: list[CdnRequest] = []
        """Every CDN request, in order."""
        self.size = 64 * 1024
        self.audio_size: int | None = None
        self.durl: bool | None = None
        self.durl_segments = 1
        self.qualities: list[int] = [80, 64, 32, 16]
        self.codecs: dict[int, tuple[int, ...]] = {80: (7, 12, 13), 64: (7, 12, 13)}
        self.codecs.update({32: (7, 12, 13), 16: (7,)})
        self.audio: list[int] = [30280, 30232, 30216]
        self.dolby = False
        self.flac = False
        self.anonymous_max = 32
        self.timelength = 10_000
        """The play answers' `timelength` (milliseconds)."""
        self._cuts: list[tuple[int, bool]] = []
        self._failures: list[list[Any]] = []  # [match, status, times left]
        mock.overrides.setdefault("video.get_play_url", self._video_play_url)
        mock.overrides.setdefault("bangumi.get_play_url", self._bangumi_play_url)

    # -- configuration
    def set_size(self, size: int, *, audio: int | None = None) -> None:
        """Bytes of each video stream (and durl segment); audio streams get `audio`, by
        default a quarter of it plus one (so that the two never have the same length)."""
        self.size = size
        self.audio_size = audio

    def set_durl(self, durl: bool | None = True, *, segments: int = 1) -> None:
        """Answer playurl with `durl` FLV/MP4 segments (True), DASH (False), or the default
        (None): DASH for videos, durl for bangumi episodes (as the recorded example)."""
        self.durl = durl
        self.durl_segments = segments

    def set_qualities(
        self,
        qualities: Sequence[int] | None = None,
        *,
        codecs: dict[int, Sequence[int]] | None = None,
        audio: Sequence[int] | None = None,
        dolby: bool | None = None,
        flac: bool | None = None,
        anonymous_max: int | None = None,
    ) -> None:
        """What the video offers: video qualities (best first; `anonymous_max` and below
        without a login), codec ids per quality (7 AVC, 12 HEVC, 13 AV1; AVC by default),
        audio ids (30280/30232/30216), a Dolby (30250) and a Hi-Res (30251) track."""
        if qualities is not None:
            self.qualities = sorted(qualities, reverse=True)
            self.codecs = {q: self.codecs.get(q, (7,)) for q in self.qualities}
        if codecs is not None:
            self.codecs.update({q: tuple(c) for q, c in codecs.items()})
        if audio is not None:
            self.audio = list(audio)
        if dolby is not None:
            self.dolby = dolby
        if flac is not None:
            self.flac = flac
        if anonymous_max is not None:
            self.anonymous_max = anonymous_max

    def drop_after(self, nbytes: int, times: int = 1) -> None:
        """The next `times` stream GETs send `nbytes` bytes of the body, then the connection
        drops (in-process: `httpx.ReadError`; loopback server: the socket closes)."""
        with self._lock:
            self._cuts.extend([(nbytes, True)] * times)

    def truncate(self, nbytes: int, times: int = 1) -> None:
        """The next `times` stream GETs announce the full Content-Length but end cleanly after
        `nbytes` bytes (loopback server: the socket closes there)."""
        with self._lock:
            self._cuts.extend([(nbytes, False)] * times)

    def fail(self, url_or_host: str, status: int = 404, times: int = 1) -> None:
        """Answer `status` to the next `times` requests for this host (`upos-...com`) or URL
        (query ignored); `times=-1` for every one."""
        match = url_or_host.split("?", 1)[0]
        with self._lock:
            self._failures.append([match, status, times])

    def content(self, url: str) -> bytes:
        """The full bytes of the stream at `url` (what a correct download writes)."""
        path = httpx.URL(url).path
        return stream_bytes(path, 0, self._size_of(path))

    # -- serving
    def handle(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response | None:
        """The answer to a CDN request, or None when `request` is not one."""
        host, path = rec.host, rec.path
        if not (host.endswith(_CDN_SUFFIXES) and path.startswith("/upgcxcode/")):
            return None
        rng = request.headers.get("range")
        with self._lock:
            self.requests.append(CdnRequest(request.method, host, path, rng))
            status = self._failure(host, path)
            cut = self._cuts.pop(0) if (self._cuts and request.method == "GET") else None
        if status is not None:
            return httpx.Response(status, text=f"mock CDN: {status}")
        if not _STREAM.fullmatch(path):
            return httpx.Response(404, text="mock CDN: no such stream")
        size = self._size_of(path)
        start, stop = 0, size
        headers = {"accept-ranges": "bytes", "content-type": "video/mp4"}
        status = 200
        if rng:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if m is None or (not m[1] and not m[2]):
                return httpx.Response(400, text="mock CDN: bad Range")
            if m[1]:
                start = int(m[1])
                stop = min(size, int(m[2]) + 1) if m[2] else size
            else:  # the last N bytes
                start = max(0, size - int(m[2]))
            if start >= size or stop <= start:
                return httpx.Response(416, headers={"content-range": f"bytes */{size}"})
            status = 206
            headers["content-range"] = f"bytes {start}-{stop - 1}/{size}"
        headers["content-length"] = str(stop - start)
        if request.method == "HEAD":
            return httpx.Response(status, headers=headers)
        body = MediaBody(path, start, stop - start, *(cut or (None, False)))
        return httpx.Response(status, headers=headers, stream=body)

    def _failure(self, host: str, path: str) -> int | None:
        for entry in self._failures:
            match, status, left = entry
            if left != 0 and match in (host, f"https://{host}{path}", f"http://{host}{path}"):
                entry[2] = left - 1
                return int(status)
        return None

    def _size_of(self, path: str) -> int:
        m = _STREAM.fullmatch(path)
        if m is not None and m[5] is not None:
            return self.audio_size if self.audio_size is not None else self.size // 4 + 1
        return self.size

    # -- playurl answers
    def _video_play_url(self, rec: RecordedRequest) -> dict[str, Any]:
        cid = int(rec.params.get("cid") or 1)
        data = self.play_data(rec, cid, durl=self.durl is True)
        return {"code": 0, "message": "0", "ttl": 1, "data": data}

    def _bangumi_play_url(self, rec: RecordedRequest) -> dict[str, Any]:
        ep = int(rec.params.get("ep_id") or 1)
        data = self.play_data(rec, ep, durl=self.durl is not False)
        return {
            "code": 0,
            "message": "success",
            "result": {
                "play_check": {"can_play": True, "play_detail": "PLAY_WHOLE"},
                "play_view_business_info": {},
                "video_info": data,
            },
        }

    def play_data(self, rec: RecordedRequest, key: int, *, durl: bool) -> dict[str, Any]:
        """The playurl `data` for the part (or episode) `key`, as the request's login allows."""
        logged = bool(rec.cookies.get("SESSDATA"))
        qn = int(rec.params.get("qn") or 127)
        fnval = int(rec.params.get("fnval") or 4048)
        allowed = [q for q in self.qualities if logged or q <= self.anonymous_max]
        data: dict[str, Any] = {
            "from": "local",
            "result": "suee",
            "message": "",
            "accept_format": ",".join("mp4" if q <= 16 else f"flv{q}" for q in self.qualities),
            "accept_description": [f"{q}" for q in self.qualities],
            "accept_quality": list(self.qualities),
            "video_codecid": 7,
            "seek_param": "start",
            "seek_type": "offset",
            "timelength": self.timelength,
            "support_formats": [
                {
                    "quality": q,
                    "format": f"flv{q}",
                    "description": f"{q}",
                    "new_description": f"{q}",
                    "display_desc": f"{q}",
                    "superscript": "",
                    "codecs": [_CODEC_STRINGS[c] for c in self.codecs.get(q, (7,))],
                }
                for q in self.qualities
            ],
            "fnval": fnval,
            "fnver": 0,
            "high_format": None,
            "last_play_time": 0,
            "last_play_cid": 0,
            "has_paid": False,
            "is_preview": 0,
        }
        if durl or not fnval & 16:
            below = [q for q in allowed if q <= qn]
            chosen = below[0] if below else (allowed[-1] if allowed else 16)
            n = self.durl_segments
            ext = "flv" if n > 1 else "mp4"
            data.update(
                quality=chosen,
                format=f"flv{chosen}" if n > 1 else "mp4",
                durl=[
                    {
                        "order": i + 1,
                        "length": 10000 // n,
                        "size": self.size,
                        "ahead": "",
                        "vhead": "",
                        "url": _url(PRIMARY_HOST, key, f"q{chosen}s{i + 1}", ext),
                        "backup_url": [
                            _url(h, key, f"q{chosen}s{i + 1}", ext) for h in BACKUP_HOSTS
                        ],
                        "md5": "",
                    }
                    for i in range(n)
                ],
            )
            return data
        video = [
            _stream(key, f"v{q}c{c}", q, c, "video/mp4", _CODEC_STRINGS[c])
            for q in allowed
            for c in self.codecs.get(q, (7,))
        ]
        audio = [_stream(key, f"a{a}", a, 0, "audio/mp4", "mp4a.40.2") for a in self.audio]
        dolby = [_stream(key, "a30250", 30250, 0, "audio/mp4", "ec-3")] if self.dolby else None
        flac = _stream(key, "a30251", 30251, 0, "audio/mp4", "fLaC") if self.flac else None
        data.update(
            quality=allowed[0] if allowed else 16,
            format="flv",
            dash={
                "duration": 10,
                "min_buffer_time": 1.5,
                "minBufferTime": 1.5,
                "video": video,
                "audio": audio or None,
                "dolby": {"type": 1 if dolby else 0, "audio": dolby},
                "flac": {"display": True, "audio": flac} if flac else None,
            },
        )
        return data


def _url(host: str, key: int, stream: str, ext: str) -> str:
    return (
        f"https://{host}/upgcxcode/{key % 100:02d}/{key // 100 % 100:02d}/{key}/{key}-1-{stream}"
        f".{ext}?deadline=1700000000&gen=playurlv2&os=mock&upsig=0123456789abcdef"
    )


def _stream(key: int, name: str, id_: int, codecid: int, mime: str, codecs: str) -> dict[str, Any]:
    width, height = _SIZES.get(id_, (0, 0))
    base = _url(PRIMARY_HOST, key, name, "m4s")
    backups = [_url(h, key, name, "m4s") for h in BACKUP_HOSTS]
    return {
        "id": id_,
        "base_url": base,
        "baseUrl": base,
        "backup_url": backups,
        "backupUrl": backups,
        "bandwidth": 1_000_000 if codecid else 128_000,
        "mime_type": mime,
        "mimeType": mime,
        "codecs": codecs,
        "width": width,
        "height": height,
        "frame_rate": "30.000" if codecid else "",
        "sar": "1:1" if codecid else "",
        "start_with_sap": 1,
        "segment_base": {"initialization": "0-999", "index_range": "1000-1999"},
        "codecid": codecid,
    }

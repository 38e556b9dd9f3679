"""Video downloads: stream choice, resumable transfers, merging, batches.

`client.video.download(...)` and `download_batch(...)` are written ONCE, as generators that
yield operations (`_Api`: a client call; `_Fetch`: one file transfer; `_Run`: ffmpeg) and
receive their results; `drive_sync` / `drive_async` carry the operations out. The transfer
itself is a small state machine (`_Transfer`) with a sync and an async loop of a few lines.

Files: every stream goes to `<final name>.<stream>.part` first (named after the stream, so
another quality's leftovers are never mixed in), resumed with an HTTP Range request after a
dropped connection (and across processes: a `.part` left behind is resumed), checked
against the server's Content-Length / Content-Range total, and renamed into place with
`os.replace` only when complete. A failure leaves nothing at the final path.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import (
    ArgsException,
    CredentialNoSessdataException,
    DownloadException,
)
from ._files import write_atomic

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = [
    "AUDIO_QUALITIES",
    "BatchFailure",
    "BatchResult",
    "CODECS",
    "DownloadResult",
    "QUALITIES",
]

log = logging.getLogger("bilibili_sdk.download")

QUALITIES: dict[int, str] = {
    127: "8K",
    126: "Dolby Vision",
    125: "HDR",
    120: "4K",
    116: "1080P60",
    112: "1080P+",
    100: "AI repair",
    80: "1080P",
    74: "720P60",
    64: "720P",
    32: "480P",
    16: "360P",
    6: "240P",
}
"""Bilibili's video quality numbers (qn), best first."""
CODECS: dict[str, int] = {"avc": 7, "hevc": 12, "av1": 13}
"""Codec names `codec=` takes, and their DASH codecid."""
_CODEC_ALIASES = {"h264": "avc", "h265": "hevc", "hev": "hevc", "av01": "av1"}
_CODEC_NAMES = {v: k for k, v in CODECS.items()}
DEFAULT_CODECS = ("avc", "hevc", "av1")
AUDIO_QUALITIES: dict[int, str] = {
    30251: "Hi-Res",
    30250: "Dolby",
    30280: "192K",
    30232: "132K",
    30216: "64K",
}
"""Audio stream ids, best first (Hi-Res and Dolby only when asked for)."""
_AUDIO_ALIASES = {"hires": 30251, "hi-res": 30251, "flac": 30251, "dolby": 30250}
_AAC = (30280, 30232, 30216)


RETRY_BACKOFF = 0.5  # seconds before the first retry of a dropped transfer (doubles, max 8)
_MAX_NAME = 180  # bytes of a file name stem (file systems allow 255 with the suffixes)

Progress = Callable[[int, int], Any]


# ---------------------------------------------------------------------------- results
@dataclass
class DownloadResult:
    """What `download` wrote. Paths are None for what was not kept (streams merged into
    `output_path` are removed)."""

    title: str
    """The video's title (and part name, for a part of a multi-part video)."""
    video_path: Path | None = None
    """The video stream (DASH), or the file of a single FLV/MP4 answer."""
    audio_path: Path | None = None
    """The audio stream (DASH), when kept beside the video."""
    output_path: Path | None = None
    """The playable file: the merged MP4/MKV, or the single FLV/MP4; None when the streams
    could not be merged (no ffmpeg, or `merge=False`)."""
    segment_paths: list[Path] = field(default_factory=list)
    """FLV/MP4 segments kept because they could not be joined (no ffmpeg)."""
    danmaku_path: Path | None = None
    subtitle_path: Path | None = None
    quality: int | None = None
    """The video quality (qn) chosen."""
    codec: str | None = None
    """"avc", "hevc" or "av1" (None for FLV/MP4 answers)."""
    audio_quality: int | None = None
    """The audio stream id chosen (30280...; 30250 Dolby, 30251 Hi-Res)."""
    video_size: int = 0
    """Bytes of the video stream (all segments for FLV/MP4)."""
    audio_size: int = 0
    """Bytes of the audio stream."""
    downloaded: int = 0
    """Bytes transferred by this call (resumed and skipped bytes not counted)."""
    skipped: bool = False
    """True when the output was already there (`overwrite=False`): nothing was fetched."""
    notes: list[str] = field(default_factory=list)
    """What was chosen instead of what was asked, and why (also logged at INFO)."""
    bvid: str | None = None
    cid: int | None = None
    ep_id: int | None = None
    width: int = 0
    """Of the video stream chosen (0 when the answer does not say)."""
    height: int = 0

    @property
    def path(self) -> Path | None:
        """The file to play: `output_path`, else the video stream."""
        return self.output_path or self.video_path


@dataclass
class BatchFailure:
    """An item of a batch that failed: what it was and the exception."""

    item: str
    error: BaseException


@dataclass
class BatchResult:
    """The outcome of `download_batch`: one result per item that worked, one failure per
    item that did not (the batch raises only when every item failed)."""

    results: list[DownloadResult] = field(default_factory=list)
    failures: list[BatchFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------------------- options
@dataclass(frozen=True)
class Options:
    """The stream choice and file options of a download, checked (no I/O done)."""

    dest: Path
    quality: int | None = None
    codecs: tuple[int, ...] = (7, 12, 13)
    codec_given: bool = False
    audio_quality: int | None = None
    merge: bool = True
    danmaku: str | None = None
    subtitles: str | bool | None = None
    overwrite: bool = False


def check_options(
    *,
    dest: Any,
    quality: Any,
    codec: Any,
    audio_quality: Any,
    merge: Any,
    danmaku: Any,
    subtitles: Any,
    overwrite: Any,
    progress: Any,
    logged_in: bool,
) -> Options:
    """Every option checked, before any I/O (ArgsException naming the argument)."""
    if not isinstance(dest, (str, os.PathLike)) or not str(os.fspath(dest)):
        raise ArgsException(f"dest: expected a directory path, got {dest!r}", argument="dest")
    path = Path(os.fspath(dest)).expanduser()
    if path.exists() and not path.is_dir():
        raise ArgsException(f"dest: {str(path)!r} exists and is not a directory", argument="dest")
    if quality is not None and (
        isinstance(quality, bool) or not isinstance(quality, int) or int(quality) not in QUALITIES
    ):
        known = ", ".join(str(q) for q in QUALITIES)
        raise ArgsException(
            f"quality: expected a quality number ({known}) or None, got {quality!r}",
            argument="quality",
        )
    codecs = _codecs(codec)
    aq = _audio_quality(audio_quality)
    for name, value in (("merge", merge), ("overwrite", overwrite)):
        if not isinstance(value, bool):
            raise ArgsException(f"{name}: expected a bool, got {value!r}", argument=name)
    if danmaku is not None and danmaku not in ("ass", "xml"):
        raise ArgsException(
            f"danmaku: expected 'ass', 'xml' or None, got {danmaku!r}", argument="danmaku"
        )
    if (
        subtitles is not None
        and not isinstance(subtitles, bool)
        and (not isinstance(subtitles, str) or not subtitles.strip())
    ):
        raise ArgsException(
            f"subtitles: expected True, a language like 'zh-CN', or None, got {subtitles!r}",
            argument="subtitles",
        )
    if subtitles and not logged_in:
        raise CredentialNoSessdataException(
            "subtitles: Bilibili lists a video's subtitles only to a logged-in credential"
        )
    if progress is not None and not callable(progress):
        raise ArgsException(
            f"progress: expected a callable(done_bytes, total_bytes) or None, got {progress!r}",
            argument="progress",
        )
    return Options(
        dest=path,
        quality=None if quality is None else int(quality),
        codecs=codecs,
        codec_given=codec is not None,
        audio_quality=aq,
        merge=merge,
        danmaku=danmaku,
        subtitles=subtitles or None,
        overwrite=overwrite,
    )


def _codecs(codec: Any) -> tuple[int, ...]:
    if codec is None:
        return tuple(CODECS[c] for c in DEFAULT_CODECS)
    names = [codec] if isinstance(codec, str) else codec
    if not isinstance(names, Sequence) or isinstance(names, (bytes, bytearray)) or not names:
        raise ArgsException(
            f"codec: expected 'avc', 'hevc', 'av1' or a sequence of them, got {codec!r}",
            argument="codec",
        )
    out: list[int] = []
    for name in names:
        key = _CODEC_ALIASES.get(str(name).lower(), str(name).lower())
        if not isinstance(name, str) or key not in CODECS:
            raise ArgsException(
                f"codec: expected 'avc', 'hevc' or 'av1' (or a sequence of them), got {name!r}",
                argument="codec",
            )
        if CODECS[key] not in out:
            out.append(CODECS[key])
    return tuple(out)


def _audio_quality(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in _AUDIO_ALIASES:
        return _AUDIO_ALIASES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and int(value) in AUDIO_QUALITIES:
        return int(value)
    raise ArgsException(
        f"audio_quality: expected 30280, 30232, 30216, 'dolby', 'hires' or None, got {value!r}",
        argument="audio_quality",
    )


def check_page(page: Any) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise ArgsException(
            f"page: expected an int >= 0 (0 is the first part), got {page!r}", "page"
        )
    return int(page)


def check_filename(filename: Any) -> str | None:
    if filename is None:
        return None
    if (
        not isinstance(filename, str)
        or not filename.strip()
        or filename in (".", "..")
        or any(c in filename for c in "/\\\0")
    ):
        raise ArgsException(
            f"filename: expected a file name without a directory, got {filename!r}",
            argument="filename",
        )
    return filename


# ---------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    """One thing to download: a video part (aid/bvid + page or cid) or an episode."""

    aid: int | None = None
    bvid: str | None = None
    page: int | None = None  # 0-based part; None: from the link, else the first
    cid: int | None = None
    ep_id: int | None = None
    short_link: str | None = None  # b23.tv: resolved first
    title: str | None = None  # known already (batch items)
    subdir: str | None = None
    label: str = ""


def video_target(video: Any, page: int) -> Target:
    """What `download(video, page=...)` names, from the argument alone (no I/O)."""
    from . import _validate as _v
    from .links import SHORT_LINK_HOSTS, ResourceType, parse_link

    if isinstance(video, int) and not isinstance(video, bool):
        aid, _ = _v.video(video, None, None)
        return Target(aid=aid, page=page, label=f"av{aid}")
    if isinstance(video, str):
        text = video.strip()
        try:
            host = httpx.URL(text if "://" in text else "https://" + text).host
        except httpx.InvalidURL:
            host = ""
        if host in SHORT_LINK_HOSTS:
            return Target(short_link=text, page=page, label=text)
        link = parse_link(text)
        if link is not None and link.type is ResourceType.VIDEO:
            p = page if page or link.page is None else max(0, link.page - 1)
            return Target(bvid=str(link.id), page=p, label=str(link.id))
        if link is not None and link.type is ResourceType.EPISODE:
            return Target(ep_id=int(link.id), label=f"ep{link.id}")
        if link is not None:
            raise ArgsException(
                f"video: a link to a {link.type.value}, not a video or an episode; "
                "download_batch takes folders, series and seasons",
                argument="video",
            )
    raise ArgsException(
        f"video: expected a BV id, an av number, or a video or episode link, got {video!r}",
        argument="video",
    )


# ---------------------------------------------------------------------------- operations
@dataclass
class _Api:
    """A client call: `client.<ns>.<method>(*args, **kwargs)` (ns None: the client)."""

    ns: str | None
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    collect: bool = False  # an iter_* call: its items as a list


@dataclass
class _Fetch:
    transfer: _Transfer


@dataclass
class _Run:
    argv: list[str]


Op = _Api | _Fetch | _Run
Flow = Generator[Op, Any, Any]


def _target_of(client: Any, op: _Api) -> Any:
    return client if op.ns is None else getattr(client, op.ns)


def drive_sync(client: Client, flow: Flow) -> Any:
    """Run a flow with the sync client."""
    send: Callable[[Any], Op] = flow.send
    value: Any = None
    while True:
        try:
            op = send(value)
        except StopIteration as stop:
            return stop.value
        try:
            if isinstance(op, _Api):
                result = getattr(_target_of(client, op), op.method)(*op.args, **op.kwargs)
                value = list(result) if op.collect else result
            elif isinstance(op, _Fetch):
                value = transfer_sync(client, op.transfer)
            else:
                value = subprocess.run(op.argv, capture_output=True, check=False)
            send = flow.send
        except Exception as e:
            value, send = e, flow.throw


async def drive_async(client: AsyncClient, flow: Flow) -> Any:
    """Run a flow with the async client."""
    send: Callable[[Any], Op] = flow.send
    value: Any = None
    while True:
        try:
            op = send(value)
        except StopIteration as stop:
            return stop.value
        try:
            if isinstance(op, _Api):
                call = getattr(_target_of(client, op), op.method)(*op.args, **op.kwargs)
                if op.collect:
                    value = [x async for x in call]
                else:
                    value = await call
            elif isinstance(op, _Fetch):
                value = await transfer_async(client, op.transfer)
            else:
                argv = op.argv
                value = await asyncio.to_thread(
                    subprocess.run, argv, capture_output=True, check=False
                )
            send = flow.send
        except Exception as e:
            value, send = e, flow.throw


# ---------------------------------------------------------------------------- transfers
class Tally:
    """Sums the progress of several transfers (threads of a batch) for one callback."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self._lock = threading.Lock()
        self._done: dict[int, int] = {}
        self._total: dict[int, int] = {}

    def update(self, key: int, done: int, total: int | None) -> None:
        if self.callback is None:
            return
        with self._lock:
            self._done[key] = done
            self._total[key] = total if total is not None else done
            d, t = sum(self._done.values()), sum(self._total.values())
        self.callback(d, t)


_DONE = "done"
_AGAIN = "again"
_BODY = "body"


class _Transfer:
    """One file from a list of mirror URLs into `final`, through `final.part`."""

    def __init__(
        self,
        urls: Sequence[str],
        final: Path,
        *,
        retries: int,
        tally: Tally,
        fresh: bool = False,
    ) -> None:
        self.urls = [u for u in urls if u]
        self.final = final
        self.part = part_path(final, self.urls[0] if self.urls else "")
        self.retries = retries
        self.tally = tally
        self.key = id(self)
        self.index = 0
        self.failures = 0
        self.problems: list[str] = []
        self.total: int | None = None
        self.expect: int | None = None
        self.downloaded = 0
        if fresh:
            self.part.unlink(missing_ok=True)
        self.pos = self.part.stat().st_size if self.part.exists() else 0
        self._attempt_start = self.pos

    @property
    def url(self) -> str:
        return self.urls[self.index]

    def request(self, client: Any) -> httpx.Request:
        """The next GET: through the client's URL map, with its User-Agent and Referer and
        no cookies (the stream URLs are signed; nothing of the login goes to a CDN)."""
        if self.index >= len(self.urls):
            raise DownloadException(
                f"every URL failed for {self.final.name}: " + "; ".join(self.problems[-4:])
            )
        request: httpx.Request = client._auth_context.request("GET", self.url)
        request.headers["Accept-Encoding"] = "identity"
        request.headers.pop("Cookie", None)
        if self.pos:
            request.headers["Range"] = f"bytes={self.pos}-"
        self._attempt_start = self.pos
        return request

    def response(self, status: int, headers: httpx.Headers) -> str | float:
        """What to do with a response: read the body, try again, or done."""
        length = headers.get("content-length")
        if status == 416 and self.pos:
            total = _range_total(headers.get("content-range"))
            if total == self.pos:
                self.total = total
                return _DONE
            return self._restart(f"HTTP 416 at byte {self.pos}")
        if status in (200, 206):
            if status == 206:
                first, total = _content_range(headers.get("content-range"))
                if first != self.pos:
                    return self._restart(f"Content-Range starts at {first}, not {self.pos}")
            else:
                total = int(length) if length and length.isdigit() else None
                if self.pos:  # the server ignored the Range: start over
                    self.pos = 0
                    self.part.unlink(missing_ok=True)
            if self.total is not None and total is not None and total != self.total:
                return self._restart(f"the size changed from {self.total} to {total}")
            self.total = total
            self.expect = self.pos + int(length) if length and length.isdigit() else self.total
            return _BODY
        self.problems.append(f"{httpx.URL(self.url).host}: HTTP {status}")
        if status >= 500 or status == 429:
            return self._retry(f"HTTP {status}")
        self._next_url()  # 403/404/410...: this mirror will not serve it
        return _AGAIN

    def open(self) -> Any:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        return open(self.part, "ab" if self.pos else "wb")

    def wrote(self, n: int) -> None:
        self.pos += n
        self.downloaded += n
        self.tally.update(self.key, self.pos, self.total)

    def body_ended(self) -> str | float:
        """The body is over: complete, or cut short (retry from the bytes on disk)."""
        if self.total is not None and self.pos > self.total:
            self.part.unlink(missing_ok=True)
            raise DownloadException(
                f"{self.final.name}: the server sent {self.pos} bytes of {self.total}; "
                "the partial file was removed"
            )
        if self.expect is not None and self.pos < self.expect:
            return self._retry(f"the body ended at byte {self.pos} of {self.expect}")
        if self.total is None:
            self.total = self.pos
        return _DONE if self.pos == self.total else self._retry("incomplete")

    def error(self, e: Exception) -> str | float:
        self.problems.append(f"{httpx.URL(self.url).host}: {type(e).__name__}")
        return self._retry(type(e).__name__)

    def _retry(self, why: str) -> str | float:
        if self.pos > self._attempt_start:
            self.failures = 0  # it made progress: only failures in a row count
        self.failures += 1
        if self.failures > self.retries:
            log.info("%s: %s, giving up on %s", self.final.name, why, httpx.URL(self.url).host)
            self._next_url()
            return _AGAIN
        log.info("%s: %s; resuming from byte %d", self.final.name, why, self.pos)
        return float(min(8.0, RETRY_BACKOFF * 2 ** (self.failures - 1)))

    def _restart(self, why: str) -> str | float:
        self.problems.append(why)
        self.pos = 0
        self.total = None
        self.part.unlink(missing_ok=True)
        return self._retry(why)

    def _next_url(self) -> None:
        self.index += 1
        self.failures = 0

    def commit(self) -> int:
        """Rename the complete `.part` into place; the file's size."""
        if not self.part.exists():
            self.part.parent.mkdir(parents=True, exist_ok=True)
            self.part.touch()
        os.replace(self.part, self.final)
        for stale in self.final.parent.glob(f"{glob.escape(self.final.name)}.*.part"):
            stale.unlink(missing_ok=True)  # other streams' partials of this file: obsolete now
        size = self.final.stat().st_size
        self.tally.update(self.key, size, size)
        return size


def part_path(final: Path, url: str) -> Path:
    """Where `final` is downloaded to: `<final>.<stream>.part`, the stream named by a hash of
    its URL's path (the query holds expiring signatures; mirrors share the path). A `.part`
    left by a download of another quality or codec is then never resumed with this one."""
    tag = hashlib.sha1(httpx.URL(url).path.encode()).hexdigest()[:10] if url else "stream"
    return final.with_name(f"{final.name}.{tag}.part")


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", (value or "").strip())
    if m is None:
        return None, None
    return int(m[1]), None if m[3] == "*" else int(m[3])


def _range_total(value: str | None) -> int | None:
    m = re.fullmatch(r"bytes \*/(\d+)", (value or "").strip())
    return int(m[1]) if m else None


def transfer_sync(client: Client, t: _Transfer) -> int:
    """Fetch one file (sync); its size."""
    while True:
        action: str | float
        try:
            response = client._http.send(t.request(client), stream=True)
            try:
                action = t.response(response.status_code, response.headers)
                if action == _BODY:
                    with t.open() as f:
                        for chunk in response.iter_bytes():
                            f.write(chunk)
                            t.wrote(len(chunk))
                    action = t.body_ended()
            finally:
                response.close()
        except httpx.TransportError as e:
            action = t.error(e)
        if action == _DONE:
            return t.commit()
        if isinstance(action, float):
            time.sleep(action)


async def transfer_async(client: AsyncClient, t: _Transfer) -> int:
    """Fetch one file (async); its size."""
    while True:
        action: str | float
        try:
            response = await client._http.send(t.request(client), stream=True)
            try:
                action = t.response(response.status_code, response.headers)
                if action == _BODY:
                    with t.open() as f:
                        async for chunk in response.aiter_bytes():
                            f.write(chunk)
                            t.wrote(len(chunk))
                    action = t.body_ended()
            finally:
                await response.aclose()
        except httpx.TransportError as e:
            action = t.error(e)
        if action == _DONE:
            return t.commit()
        if isinstance(action, float):
            await asyncio.sleep(action)


# ---------------------------------------------------------------------------- stream choice
@dataclass(frozen=True)
class _Stream:
    id: int
    codecid: int
    urls: tuple[str, ...]
    width: int = 0
    height: int = 0


def _streams(items: Iterable[Any]) -> list[_Stream]:
    out = []
    for s in items or ():
        get = s.get if isinstance(s, dict) else lambda k, d=None, s=s: getattr(s, k, d)
        urls = [get("base_url") or get("baseUrl") or ""]
        urls += list(get("backup_url") or get("backupUrl") or [])
        out.append(
            _Stream(
                int(get("id") or 0),
                int(get("codecid") or 0),
                tuple(u for u in urls if u),
                int(get("width") or 0),
                int(get("height") or 0),
            )
        )
    return out


def quality_name(q: int) -> str:
    return f"{QUALITIES.get(q, 'quality')} ({q})"


def choose_video(
    streams: list[_Stream], opts: Options, accept: Sequence[int], notes: list[str]
) -> _Stream:
    """The quality asked (or the best), then the codec by preference; notes say why."""
    if not streams:
        raise DownloadException("the answer lists no video stream")
    have = sorted({s.id for s in streams}, reverse=True)
    want = opts.quality
    if want is None or want in have:
        q = have[0] if want is None else want
    else:
        below = [x for x in have if x < want]
        q = below[0] if below else have[-1]
        why = (
            "not allowed to this account (it needs a login or VIP)"
            if want in accept
            else "not offered by this video"
        )
        notes.append(f"{quality_name(want)} {why}; chose {quality_name(q)}")
    at_q = {s.codecid: s for s in streams if s.id == q}
    for c in opts.codecs:
        if c in at_q:
            return at_q[c]
    fallback = next((at_q[c] for c in (7, 12, 13) if c in at_q), next(iter(at_q.values())))
    asked = ", ".join(_CODEC_NAMES.get(c, str(c)) for c in opts.codecs)
    got = _CODEC_NAMES.get(fallback.codecid, str(fallback.codecid))
    notes.append(f"codec {asked} not offered at {quality_name(q)}; chose {got}")
    return fallback


def choose_audio(
    audio: list[_Stream],
    dolby: list[_Stream],
    flac: list[_Stream],
    want: int | None,
    notes: list[str],
) -> _Stream | None:
    """The audio asked for, else the next best (Hi-Res > Dolby > 192K > 132K > 64K)."""
    by_id = {s.id: s for s in audio}
    for s in dolby:
        by_id.setdefault(30250, s)
    for s in flac:
        by_id.setdefault(30251, s)
    if not by_id:
        return None
    if want is None:
        order = [*_AAC, 30250, 30251]
    elif want in (30251, 30250):
        order = [want, *(x for x in (30251, 30250) if x != want), *_AAC]
    else:
        i = _AAC.index(want)
        order = [*_AAC[i:], *reversed(_AAC[:i]), 30250, 30251]
    for a in order:
        if a in by_id:
            if want is not None and a != want:
                notes.append(
                    f"audio {AUDIO_QUALITIES[want]} ({want}) not offered; "
                    f"chose {AUDIO_QUALITIES.get(a, a)} ({a})"
                )
            return by_id[a]
    return next(iter(by_id.values()))


# ---------------------------------------------------------------------------- names
_BAD_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_name(text: str) -> str:
    """`text` as a file name on any system: no separators or reserved characters, no
    leading dots or trailing spaces, at most `_MAX_NAME` bytes."""
    name = _BAD_CHARS.sub("_", text).strip().strip(".").strip() or "video"
    while len(name.encode()) > _MAX_NAME:
        name = name[:-1]
    return name.rstrip() or "video"


# ---------------------------------------------------------------------------- one download
@dataclass
class Job:
    """One download: what, where, how (the checked arguments of a call)."""

    target: Target
    opts: Options
    filename: str | None
    retries: int
    tally: Tally


def download_flow(job: Job) -> Flow:
    """The whole download of one part or episode, as operations."""
    t, opts = job.target, job.opts
    notes: list[str] = []
    if t.short_link is not None:
        from .links import ResourceType, parse_link

        url = yield _Api(None, "get_real_url", (t.short_link,))
        link = parse_link(str(url))
        if link is None or link.type not in (ResourceType.VIDEO, ResourceType.EPISODE):
            raise ArgsException(f"video: {t.short_link} does not lead to a video", "video")
        t = video_target(str(url), t.page or 0)
    title = t.title
    aid, bvid, cid, ep_id = t.aid, t.bvid, t.cid, t.ep_id
    if ep_id is None:
        info = yield _Api("video", "get_info", (), {"bvid": bvid} if bvid else {"aid": aid})
        aid, bvid = info.aid or aid, info.bvid or bvid
        pages = list(info.pages or [])
        index = t.page or 0
        if cid is None:
            if index >= len(pages):
                raise ArgsException(
                    f"page: expected an int from 0 to {len(pages) - 1} "
                    f"({bvid} has {len(pages)} part(s)), got {index}",
                    argument="page",
                )
            cid = pages[index].cid
        if title is None:
            title = info.title
            if len(pages) > 1:
                title = f"{info.title} - P{index + 1} {pages[index].part}"
        ids = {"aid": aid} if aid else {"bvid": bvid}
        play = yield _Api(
            "video", "get_play_url", (), {**ids, "cid": cid, "quality": opts.quality or 127}
        )
        answer = play
    else:
        if title is None:
            season = yield _Api("bangumi", "get_season", (), {"ep_id": ep_id})
            ep = next((e for e in season.episodes or [] if e.id == ep_id), None)
            title = season.title if ep is None else _episode_title(season.title, ep)
            if ep is not None:
                aid, bvid, cid = ep.aid, ep.bvid, ep.cid
        play = yield _Api("bangumi", "get_play_url", (ep_id,), {"qn": opts.quality or 127})
        answer = play.video_info
    stem = job.filename or safe_name(title or "video")
    folder = opts.dest / safe_name(t.subdir) if t.subdir else opts.dest
    result = DownloadResult(title=title or "", bvid=bvid, cid=cid, ep_id=ep_id, notes=notes)
    dash = _dash(answer)
    if dash is not None:
        yield from _dash_flow(job, dash, answer, folder, stem, result)
    else:
        yield from _durl_flow(job, answer, folder, stem, result)
    if opts.danmaku and cid is not None:
        length = getattr(answer, "timelength", 0) or 0
        yield from _danmaku_flow(job, aid, bvid, cid, length, folder, stem, result)
    if opts.subtitles and cid is not None and (aid or bvid):
        yield from _subtitle_flow(job, aid, bvid, cid, folder, stem, result)
    for note in notes:
        log.info("%s: %s", stem, note)
    return result


def _episode_title(season: str, ep: Any) -> str:
    name = " ".join(x for x in (str(ep.title or ""), str(ep.long_title or "")) if x)
    return f"{season} - {name}" if name else season


def _dash(answer: Any) -> Any:
    dash = getattr(answer, "dash", None)
    if dash is None:
        return None
    if isinstance(dash, dict):
        from .models.video import VideoDash

        return VideoDash.model_validate(dash)
    return dash


def _dash_flow(
    job: Job, dash: Any, answer: Any, folder: Path, stem: str, result: DownloadResult
) -> Flow:
    opts = job.opts
    notes = result.notes
    video = choose_video(_streams(dash.video), opts, list(answer.accept_quality or []), notes)
    dolby = _streams((dash.dolby.audio or []) if dash.dolby else [])
    flac = _streams([dash.flac.audio] if dash.flac and dash.flac.audio else [])
    audio = choose_audio(_streams(dash.audio or []), dolby, flac, opts.audio_quality, notes)
    result.quality, result.codec = video.id, _CODEC_NAMES.get(video.codecid)
    result.audio_quality = audio.id if audio else None
    result.width, result.height = video.width, video.height
    container = "mkv" if audio is not None and audio.id == 30251 else "mp4"
    output = folder / f"{stem}.{container}"
    vpath = folder / f"{stem}.video.m4s"
    apath = folder / f"{stem}.audio.m4s"
    if output.exists() and not opts.overwrite and opts.merge:
        result.output_path, result.skipped = output, True
        result.video_size = output.stat().st_size
        notes.append(f"{output.name} exists; skipped (overwrite=True to fetch it again)")
        return
    wanted = [(video.urls, vpath, "video")]
    if audio is not None:
        wanted.append((audio.urls, apath, "audio"))
    else:
        notes.append("the video has no audio stream")
    for urls, path, kind in wanted:
        if path.exists() and not opts.overwrite:
            size = path.stat().st_size
        else:
            tr = _Transfer(urls, path, retries=job.retries, tally=job.tally, fresh=opts.overwrite)
            size = yield _Fetch(tr)
            result.downloaded += tr.downloaded
        if kind == "video":
            result.video_path, result.video_size = path, size
        else:
            result.audio_path, result.audio_size = path, size
    if not opts.merge:
        return
    inputs = [vpath] + ([apath] if audio is not None else [])
    argv_tail = [a for p in inputs for a in ("-i", str(p))]
    ok = yield from _ffmpeg(argv_tail, output, container, notes, keep=inputs)
    if ok:
        result.output_path = output
        result.video_path = result.audio_path = None


def _ffmpeg(
    inputs: list[str], output: Path, container: str, notes: list[str], keep: list[Path]
) -> Generator[Op, Any, bool]:
    """Join with `ffmpeg -c copy` into `output` (through `.part`); False when it cannot."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        notes.append(
            "ffmpeg is not on PATH: the streams are kept as downloaded "
            f"({', '.join(p.name for p in keep)})"
        )
        return False
    part = output.with_name(output.name + ".part")
    fmt = "matroska" if container == "mkv" else "mp4"
    argv = [ffmpeg, "-y", "-hide_banner", "-loglevel", "error", *inputs, "-c", "copy"]
    argv += ["-f", fmt, str(part)]
    done = yield _Run(argv)
    if done.returncode != 0 or not part.exists():
        part.unlink(missing_ok=True)
        err = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        notes.append(
            f"ffmpeg failed (exit {done.returncode}{': ' + err[0] if err else ''}); "
            "the streams are kept"
        )
        log.warning("%s: %s", output.name, notes[-1])
        return False
    os.replace(part, output)
    for p in keep:
        p.unlink(missing_ok=True)
    return True


def _durl_flow(job: Job, answer: Any, folder: Path, stem: str, result: DownloadResult) -> Flow:
    opts = job.opts
    segments = sorted(answer.durl or [], key=lambda d: d.order)
    if not segments:
        raise DownloadException("the answer lists neither DASH streams nor durl segments")
    got = int(answer.quality or 0)
    result.quality = got
    if opts.quality is not None and got != opts.quality:
        result.notes.append(f"{quality_name(opts.quality)} not served; got {quality_name(got)}")
    if opts.codec_given:
        result.notes.append("an FLV/MP4 answer has one codec: codec= was not applied")
    ext = _extension(segments[0].url)
    output = folder / f"{stem}.{ext if len(segments) == 1 else 'mp4'}"
    if output.exists() and not opts.overwrite:
        result.output_path = result.video_path = output
        result.skipped, result.video_size = True, output.stat().st_size
        result.notes.append(f"{output.name} exists; skipped (overwrite=True to fetch it again)")
        return
    paths = []
    for i, seg in enumerate(segments):
        path = output if len(segments) == 1 else folder / f"{stem}.part{i + 1}.{ext}"
        if path.exists() and not opts.overwrite and len(segments) > 1:
            size = path.stat().st_size
        else:
            tr = _Transfer(
                [seg.url, *(seg.backup_url or [])],
                path,
                retries=job.retries,
                tally=job.tally,
                fresh=opts.overwrite,
            )
            size = yield _Fetch(tr)
            result.downloaded += tr.downloaded
        result.video_size += size
        paths.append(path)
    if len(segments) == 1:
        result.output_path = result.video_path = output
        return
    if not opts.merge:
        result.segment_paths = paths
        return
    listing = folder / f"{stem}.concat.txt"
    listing.write_text(
        "".join("file '" + str(p.resolve()).replace("'", "'\\''") + "'\n" for p in paths),
        "utf-8",
    )
    try:
        ok = yield from _ffmpeg(
            ["-f", "concat", "-safe", "0", "-i", str(listing)],
            output,
            "mp4",
            result.notes,
            keep=paths,
        )
    finally:
        listing.unlink(missing_ok=True)
    if ok:
        result.output_path = output
    else:
        result.segment_paths = paths


def _extension(url: str) -> str:
    suffix = Path(httpx.URL(url).path).suffix.lstrip(".").lower()
    return suffix if suffix in ("flv", "mp4") else "mp4"


def _danmaku_flow(
    job: Job,
    aid: Any,
    bvid: Any,
    cid: int,
    length_ms: int,
    folder: Path,
    stem: str,
    result: DownloadResult,
) -> Flow:
    from .danmaku import to_ass, to_xml

    kind = job.opts.danmaku
    ids: dict[str, Any] = {"aid": aid} if aid else {"bvid": bvid}
    if length_ms > 0:  # the play answer's length bounds the 6-minute segments to read
        ids["to_seg"] = max(0, -(-length_ms // 360_000) - 1)
    danmakus = yield _Api("video", "get_danmakus", (), {**ids, "cid": cid})
    if kind == "ass":
        text = to_ass(
            danmakus, width=result.width or 1920, height=result.height or 1080, title=stem
        )
    else:
        text = to_xml(danmakus, cid=cid)
    path = folder / f"{stem}.{kind}"
    _write_text(path, text)
    result.danmaku_path = path


def _subtitle_flow(
    job: Job, aid: Any, bvid: Any, cid: int, folder: Path, stem: str, result: DownloadResult
) -> Flow:
    from .subtitle import to_srt

    lan = job.opts.subtitles if isinstance(job.opts.subtitles, str) else None
    try:
        doc = yield _Api(
            "video",
            "get_subtitle",
            (),
            {"aid": aid, "bvid": None if aid else bvid, "cid": cid, "lan": lan},
        )
    except ArgsException as e:  # no subtitles, or not in that language
        result.notes.append(f"no subtitles written: {e}")
        return
    path = folder / f"{stem}.{lan or 'subtitle'}.srt"
    _write_text(path, to_srt(doc))
    result.subtitle_path = path


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))


# ---------------------------------------------------------------------------- batches
@dataclass(frozen=True)
class Source:
    """What a batch names, from the argument alone."""

    kind: str  # video, favorite, season, series, bangumi
    id: Any
    mid: int | None = None
    ep: bool = False  # a bangumi source named by an episode
    media: bool = False  # a bangumi source named by its media (md): its current season


def batch_source(
    source: Any, media_id: Any, season_id: Any, series_id: Any, ep_id: Any, mid: Any
) -> Source:
    """The batch's source from `source` or one of the keyword forms (no I/O)."""
    from . import _validate as _v
    from .links import ResourceType, parse_link

    given = {
        k: v
        for k, v in (
            ("source", source),
            ("media_id", media_id),
            ("season_id", season_id),
            ("series_id", series_id),
            ("ep_id", ep_id),
        )
        if v is not None
    }
    if len(given) != 1:
        raise ArgsException(
            "source: give exactly one of source (a video, or a favourite folder, series, "
            f"season or bangumi link), media_id=, season_id=, series_id=, ep_id=; got {sorted(given)}",
            argument="source",
        )
    owner = None if mid is None else _v.positive_int("mid", mid)
    if media_id is not None:
        return Source("favorite", _v.positive_int("media_id", media_id))
    if series_id is not None:
        if owner is None:
            raise ArgsException("mid: a series is listed by its owner: give mid=", "mid")
        return Source("series", _v.positive_int("series_id", series_id), owner)
    if season_id is not None:
        # A bangumi season (ss) unless an owner says it is an uploader's collection.
        kind = "bangumi" if owner is None else "season"
        return Source(kind, _v.positive_int("season_id", season_id), owner)
    if ep_id is not None:
        return Source("bangumi", _v.positive_int("ep_id", ep_id), ep=True)
    if isinstance(source, int) and not isinstance(source, bool):
        return Source("video", _v.positive_int("source", source))
    link = parse_link(source) if isinstance(source, str) else None
    if link is None:
        raise ArgsException(
            f"source: expected a video, favourite folder, series, season or bangumi link or "
            f"id, got {source!r}",
            argument="source",
        )
    if link.type is ResourceType.VIDEO:
        return Source("video", str(link.id))
    if link.type is ResourceType.FAVORITE_LIST:
        return Source("favorite", int(link.id))
    if link.type is ResourceType.CHANNEL_SERIES:
        if link.id_name == "season_id":
            return Source("season", int(link.id), link.mid)
        if link.mid is None:
            raise ArgsException("mid: a series link without its owner: give mid=", "mid")
        return Source("series", int(link.id), link.mid)
    if link.type is ResourceType.EPISODE:
        return Source("bangumi", int(link.id), ep=True)
    if link.type is ResourceType.BANGUMI:
        return Source("bangumi", int(link.id), media=link.id_name == "media_id")
    raise ArgsException(
        f"source: a {link.type.value} link ({link.id_name}) is not something to download",
        argument="source",
    )


def check_pages(pages: Any) -> tuple[int, ...] | None:
    if pages is None:
        return None
    if isinstance(pages, (str, bytes)) or not isinstance(pages, Iterable):
        raise ArgsException(f"pages: expected a list of part indexes, got {pages!r}", "pages")
    out = tuple(pages)
    for p in out:
        if isinstance(p, bool) or not isinstance(p, int) or p < 0:
            raise ArgsException(f"pages: expected ints >= 0, got {p!r}", argument="pages")
    return out


def check_concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32:
        raise ArgsException(
            f"concurrency: expected an int from 1 to 32, got {value!r}", argument="concurrency"
        )
    return int(value)


def items_flow(src: Source, pages: tuple[int, ...] | None) -> Flow:
    """The batch's items (Targets), as operations."""
    items: list[Target] = []
    if src.kind == "video":
        kw = {"aid": src.id} if isinstance(src.id, int) else {"bvid": src.id}
        info = yield _Api("video", "get_info", (), kw)
        parts = list(info.pages or [])
        wanted = range(len(parts)) if pages is None else pages
        for i in wanted:
            if i >= len(parts):
                raise ArgsException(
                    f"pages: {i} is out of range ({info.bvid} has {len(parts)} part(s))",
                    argument="pages",
                )
            title = info.title if len(parts) == 1 else f"P{i + 1} {parts[i].part}"
            items.append(
                Target(
                    aid=info.aid,
                    bvid=info.bvid,
                    cid=parts[i].cid,
                    page=i,
                    title=title,
                    subdir=info.title if len(parts) > 1 else None,
                    label=f"{info.bvid} P{i + 1}",
                )
            )
        return items
    if src.kind == "bangumi":
        kw = {"ep_id": src.id} if src.ep else {"season_id": src.id}
        if src.media:
            media = yield _Api("bangumi", "get_media_info", (src.id,))
            kw = {"season_id": media.media.season_id}
        season = yield _Api("bangumi", "get_season", (), kw)
        for ep in season.episodes or []:
            items.append(
                Target(
                    aid=ep.aid,
                    bvid=ep.bvid,
                    cid=ep.cid,
                    ep_id=ep.id,
                    title=_episode_title(season.title, ep),
                    subdir=season.title,
                    label=f"ep{ep.id}",
                )
            )
        return items
    # The subdirectory is named after the folder, season or series (its id when unnamed).
    if src.kind == "favorite":
        meta = yield _Api("favorite", "get_folder_info", (src.id,))
        folder = getattr(meta, "title", "") or f"favorite {src.id}"
        medias = yield _Api("favorite", "iter_folder_content", (src.id,), collect=True)
        videos = [m.bvid for m in medias if getattr(m, "type", 2) == 2 and m.bvid]
    elif src.kind == "season":
        meta = yield _Api("user", "get_channel_season_info", (src.id,), {"page_size": 1})
        folder = getattr(getattr(meta, "info", None), "title", "") or f"season {src.id}"
        medias = yield _Api("user", "iter_season_medias", (src.id,), collect=True)
        videos = [m.bvid for m in medias if m.bvid]
    else:
        meta = yield _Api("user", "get_channel_series_info", (src.id,))
        folder = getattr(getattr(meta, "meta", None), "name", "") or f"series {src.id}"
        arcs = yield _Api(
            "user", "iter_series_videos", (src.mid,), {"series_id": src.id}, collect=True
        )
        videos = [a.bvid for a in arcs if a.bvid]
    seen: set[str] = set()
    for bvid in videos:
        if bvid in seen:
            continue
        seen.add(bvid)
        # Every part of each video: the parts are listed when the item runs.
        items.append(Target(bvid=bvid, page=None, subdir=folder, label=bvid))
    return items


def expand_flow(target: Target) -> Flow:
    """A folder item (a video) as one Target per part."""
    if target.cid is not None or target.ep_id is not None:
        return [target]
    info = yield _Api("video", "get_info", (), {"bvid": target.bvid})
    parts = list(info.pages or [])
    if len(parts) <= 1:
        return [
            Target(
                bvid=info.bvid,
                aid=info.aid,
                page=0,
                title=info.title,
                subdir=target.subdir,
                label=target.label,
            )
        ]
    return [
        Target(
            bvid=info.bvid,
            aid=info.aid,
            cid=p.cid,
            page=i,
            title=f"{info.title} - P{i + 1} {p.part}",
            subdir=target.subdir,
            label=f"{info.bvid} P{i + 1}",
        )
        for i, p in enumerate(parts)
    ]


def unique_names(targets: list[Target]) -> list[Target]:
    """Targets whose file names cannot collide (a repeated title gets its id appended)."""
    seen: dict[tuple[str | None, str], int] = {}
    out = []
    for t in targets:
        key = (t.subdir, safe_name(t.title or t.label))
        if key in seen:
            suffix = t.bvid or (f"ep{t.ep_id}" if t.ep_id else str(len(seen)))
            if t.page:
                suffix += f" P{t.page + 1}"
            t = Target(**{**t.__dict__, "title": f"{t.title or t.label} [{suffix}]"})
        seen[key] = 1
        out.append(t)
    return out


def finish_batch(result: BatchResult) -> BatchResult:
    """Raise when every item failed (the first error, with the count); else the result."""
    if result.failures and not result.results:
        first = result.failures[0].error
        raise DownloadException(
            f"every item of the batch failed ({len(result.failures)}); the first: "
            f"{first.__class__.__name__}: {first}"
        ) from first
    return result


def _item_error(t: Target, e: Exception, result: BatchResult) -> None:
    log.warning("%s: %s: %s", t.label, type(e).__name__, e)
    result.failures.append(BatchFailure(t.label, e))


def batch_sync(
    client: Client, src: Source, pages: tuple[int, ...] | None, job: Job, concurrency: int
) -> BatchResult:
    """Every item of `src`, `concurrency` at a time on a thread pool."""
    from concurrent.futures import ThreadPoolExecutor

    result = BatchResult()
    listed = drive_sync(client, items_flow(src, pages))
    with ThreadPoolExecutor(concurrency, thread_name_prefix="bili-download") as pool:
        expanded: list[Target] = []
        for t, fut in [(t, pool.submit(drive_sync, client, expand_flow(t))) for t in listed]:
            try:
                expanded.extend(fut.result())
            except Exception as e:
                _item_error(t, e, result)
        targets = unique_names(expanded)

        def one(t: Target) -> DownloadResult:
            return drive_sync(client, download_flow(_item_job(job, t)))  # type: ignore[no-any-return]

        for t, fut in [(t, pool.submit(one, t)) for t in targets]:
            try:
                result.results.append(fut.result())
            except Exception as e:
                _item_error(t, e, result)
    return finish_batch(result)


async def batch_async(
    client: AsyncClient, src: Source, pages: tuple[int, ...] | None, job: Job, concurrency: int
) -> BatchResult:
    """Every item of `src`, at most `concurrency` at a time."""
    result = BatchResult()
    listed = await drive_async(client, items_flow(src, pages))
    gate = asyncio.Semaphore(concurrency)

    async def gated(flow: Flow) -> Any:
        async with gate:
            return await drive_async(client, flow)

    expanded: list[Target] = []
    found = await asyncio.gather(*(gated(expand_flow(t)) for t in listed), return_exceptions=True)
    for t, got in zip(listed, found, strict=False):
        if isinstance(got, Exception):
            _item_error(t, got, result)
        elif isinstance(got, BaseException):
            raise got
        else:
            expanded.extend(got)
    targets = unique_names(expanded)
    done = await asyncio.gather(
        *(gated(download_flow(_item_job(job, t))) for t in targets), return_exceptions=True
    )
    for t, got in zip(targets, done, strict=False):
        if isinstance(got, Exception):
            _item_error(t, got, result)
        elif isinstance(got, BaseException):
            raise got
        else:
            result.results.append(got)
    return finish_batch(result)


def _item_job(job: Job, t: Target) -> Job:
    return Job(t, job.opts, None, job.retries, job.tally)

"""Uploads: the types `bili.upload` returns and takes, and the pieces of the upos protocol.

The upos protocol (shared/reference/seed-features.md §2.7): probe the lines, ask `preupload`
where to put the file, `init` an upload id, PUT the chunks, `complete` with every part's etag,
then submit the meta. This module holds what both client flavours share and what involves no
network: argument checks, the chunk plan, the requests of each step and the resume state
file. `_extras/upload.py` drives them (threads for `Client`, tasks for `AsyncClient`).

Resume state: `<file>.bili-upload` beside the uploaded file, JSON, mode 0600, written
atomically (temp file + `os.replace`) after every finished part and after `complete`, removed
once the video is submitted: a submit that fails (a refused tag, a zone closed to new
uploads) is retried by calling again, without uploading the file a second time. It holds the upload URL, upload id, chunk size, the parts done with their etags,
and the file's size and mtime (a changed file starts over). It holds no cookie; it does hold
the upos `auth` token, which lets whoever has it write to this one upload until it expires:
it is treated as a secret (never logged, never in reprs), hence the 0600 mode.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from . import _validate as _v
from ._exceptions import ArgsException, VideoUploadException
from ._files import write_atomic

__all__ = [
    "LINES",
    "AudioUploadResult",
    "ImageUploadResult",
    "UploadResult",
    "VideoPart",
]

log = logging.getLogger("bilibili_sdk.upload")

LINES = ("bda2", "qn", "ws", "bldsa")
"""The upload lines (CDNs) the web client can probe."""
PROBE_VERSION = 20221109
PROBE_BYTES = int(0.1 * 1024 * 1024)  # the web client POSTs 0.1 MiB of zeros per line
STATE_SUFFIX = ".bili-upload"
STATE_VERSION = 1
MAX_TITLE = 80  # creativecenter/upload#5: "最多 80 字"
MAX_DESC = 2000
MAX_TAGS = 10  # "最多 10 个"
MAX_TAG_LEN = 20  # the creator centre refuses longer tags
DTIME_MIN, DTIME_MAX = 2 * 3600, 15 * 24 * 3600  # scheduled publication window
RETRY_BACKOFF = 0.5
"""Seconds before the first retry of a failed chunk; doubles each time, at most 8 s."""
RETRIES = 5

ProgressCallback = Callable[[int, int], Any]


@dataclass(frozen=True)
class Profile:
    """What preupload is told about the uploading client."""

    profile: str
    version: str
    build: int


VIDEO_PROFILE = Profile("ugcfx/bup", "2.14.0", 2100400)
AUDIO_PROFILE = Profile("uga/bup", "2.6.0", 2060400)


@dataclass(frozen=True)
class UploadResult:
    """A submitted (or edited) video."""

    aid: int
    """Its av number."""
    bvid: str
    """Its BV id."""


@dataclass(frozen=True)
class AudioUploadResult:
    """A submitted song."""

    song_id: int
    """The song (the upload's biz_id): au<song_id> once it passes review."""
    lyrics_url: str | None
    """Where the lyrics went, when given."""
    cover_url: str | None
    """Where the cover went, when given."""


@dataclass(frozen=True)
class ImageUploadResult:
    """An uploaded image."""

    url: str
    """Its URL (https)."""
    kind: str
    """The endpoint family it went to: dynamic, article, note, cover or audio."""
    width: int | None = None
    """Width in pixels (the server's when it says, else the uploaded picture's)."""
    height: int | None = None
    """Height in pixels."""


@dataclass(frozen=True)
class VideoPart:
    """One part (P) of a multi-part video: a file, its title and description."""

    path: str | os.PathLike[str]
    """The video file."""
    title: str = ""
    """The part's title (the file name without extension when empty)."""
    desc: str = ""
    """The part's description."""


# ---------------------------------------------------------------- checks (no network)
@dataclass(frozen=True)
class Source:
    """A file about to be uploaded, checked."""

    path: str
    name: str
    size: int
    mtime_ns: int
    title: str = ""
    desc: str = ""


def check_file(argument: str, path: Any, title: str = "", desc: str = "") -> Source:
    """The file at `path`, which must be a non-empty regular file."""
    if isinstance(path, VideoPart):
        return check_file(argument, path.path, path.title, path.desc)
    if not isinstance(path, (str, os.PathLike)):
        raise _v._bad(argument, "a file path", path)
    full = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(full)
    except OSError as e:
        raise ArgsException(f"{argument}: no such file: {full!r} ({e.strerror})", argument) from e
    import stat

    if not stat.S_ISREG(st.st_mode):
        raise ArgsException(f"{argument}: not a regular file: {full!r}", argument)
    if st.st_size <= 0:
        raise ArgsException(f"{argument}: the file is empty: {full!r}", argument)
    name = os.path.basename(full)
    if not title:
        title = os.path.splitext(name)[0]
    return Source(full, name, int(st.st_size), int(st.st_mtime_ns), title[:MAX_TITLE], desc)


def check_title(value: Any, argument: str = "title") -> str:
    title = _v.string(argument, value).strip()
    if not title:
        raise ArgsException(f"{argument}: must not be empty", argument)
    if len(title) > MAX_TITLE:
        raise ArgsException(
            f"{argument}: at most {MAX_TITLE} characters, got {len(title)}", argument
        )
    return title


def check_desc(value: Any, argument: str = "desc") -> str:
    desc = _v.string(argument, value)
    if len(desc) > MAX_DESC:
        raise ArgsException(f"{argument}: at most {MAX_DESC} characters, got {len(desc)}", argument)
    return desc


def check_tid(value: Any) -> int:
    from . import zones

    tid = _v.positive_int("tid", value)
    zone = zones.get(tid)
    if zone is None:
        raise ArgsException(f"tid: {tid} is not a known zone (see bilibili_sdk.zones)", "tid")
    subzones = zones.children(tid) if zone.is_main else []
    if subzones:  # videos go into a subzone, as the creator centre's list offers
        some = ", ".join(f"{z.tid} {z.name}" for z in subzones[:4])
        raise ArgsException(
            f"tid: {tid} is a main zone; pick one of its subzones ({some}...)", "tid"
        )
    return tid


def check_tags(value: Any, *, required: bool = True) -> str:
    """Tags as the comma-separated text the server takes."""
    if isinstance(value, str):
        tags = [t.strip() for t in value.split(",")]
    elif isinstance(value, Sequence) and all(isinstance(t, str) for t in value):
        tags = [t.strip() for t in value]
    else:
        raise _v._bad("tags", "a list of strings (or one comma-separated string)", value)
    tags = [t for t in tags if t]
    if required and not tags:
        raise ArgsException("tags: give at least one tag", "tags")
    if len(tags) > MAX_TAGS:
        raise ArgsException(f"tags: at most {MAX_TAGS} tags, got {len(tags)}", "tags")
    for t in tags:
        if len(t) > MAX_TAG_LEN:
            raise ArgsException(
                f"tags: each tag at most {MAX_TAG_LEN} characters, got {t!r} ({len(t)})", "tags"
            )
        if "," in t:
            raise ArgsException(f"tags: a tag may not contain ',': {t!r}", "tags")
    if len(set(tags)) != len(tags):
        raise ArgsException("tags: a tag is given twice", "tags")
    return ",".join(tags)


def check_copyright(copyright: Any, source: Any) -> tuple[int, str | None]:
    c = _v.choice("copyright", copyright, (1, 2))
    if source is not None:
        source = _v.string("source", source).strip() or None
    if c == 2 and not source:
        raise ArgsException("source: a repost (copyright=2) needs its source", "source")
    return int(c), source if c == 2 else None


def check_threads(value: Any) -> int:
    return _v.integer("threads", value, 1, 32)


def check_line(value: Any) -> str | None:
    if value is None:
        return None
    if value not in LINES:
        raise ArgsException(f"line: expected one of {', '.join(LINES)}, got {value!r}", "line")
    return str(value)


def check_dtime(value: Any) -> int | None:
    """A scheduled publication time: Unix seconds or a datetime, 2 hours to 15 days ahead."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        ts = int(value.timestamp())
    else:
        ts = _v.positive_int("dtime", value)
    now = datetime.datetime.now().timestamp()
    if not now + DTIME_MIN <= ts <= now + DTIME_MAX:
        raise ArgsException(
            "dtime: a scheduled publication must be 2 hours to 15 days ahead", "dtime"
        )
    return ts


def check_progress(value: Any) -> ProgressCallback | None:
    if value is not None and not callable(value):
        raise _v._bad("progress", "a callable (done_bytes, total_bytes)", value)
    return cast("ProgressCallback | None", value)


def load_picture(argument: str, value: Any) -> Any:
    """A Picture from a Picture, image bytes or a file path (read now, before any request)."""
    from .picture import Picture

    if isinstance(value, Picture):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return Picture.from_bytes(value)
        except ArgsException as e:
            raise ArgsException(f"{argument}: {e}", argument) from e
    if isinstance(value, (str, os.PathLike)):
        if not os.path.isfile(value):
            raise ArgsException(f"{argument}: no such file: {os.fspath(value)!r}", argument)
        try:
            return Picture.from_file(value)
        except ArgsException as e:
            raise ArgsException(f"{argument}: {e}", argument) from e
    raise _v._bad(argument, "a Picture, image bytes or a file path", value)


def png_data_url(picture: Any) -> str:
    """The picture as the `data:image/png;base64,...` text cover upload takes."""
    import base64

    png = picture.convert_format("png")
    return "data:image/png;base64," + base64.b64encode(png.content).decode("ascii")


# ---------------------------------------------------------------- the upload's state
@dataclass
class UposState:
    """One file's upload on an upos server (what the state file holds)."""

    name: str
    size: int
    mtime_ns: int
    profile: str
    upload_url: str
    auth: str = field(repr=False)  # a per-upload write token: kept out of reprs and logs
    biz_id: int
    upload_id: str
    chunk_size: int
    parts: dict[int, str] = field(default_factory=dict)  # part number (1-based) -> etag
    timeout: float = 300.0
    filename: str | None = None  # set once complete answered: the file is on Bilibili

    @property
    def chunks(self) -> int:
        return -(-self.size // self.chunk_size)

    def chunk_range(self, part: int) -> tuple[int, int]:
        start = (part - 1) * self.chunk_size
        return start, min(start + self.chunk_size, self.size)

    def missing(self) -> list[int]:
        return [n for n in range(1, self.chunks + 1) if n not in self.parts]

    def bytes_done(self) -> int:
        return sum(e - s for s, e in (self.chunk_range(n) for n in self.parts))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "name": self.name,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "profile": self.profile,
            "upload_url": self.upload_url,
            "auth": self.auth,
            "biz_id": self.biz_id,
            "upload_id": self.upload_id,
            "chunk_size": self.chunk_size,
            "timeout": self.timeout,
            "parts": {str(k): v for k, v in sorted(self.parts.items())},
            "filename": self.filename,
        }


def state_path(src: Source) -> str:
    return src.path + STATE_SUFFIX


def load_state(src: Source, profile: Profile) -> UposState | None:
    """The saved state of an earlier upload of this very file, or None (and why, logged)."""
    path = state_path(src)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        state = UposState(
            name=str(data["name"]),
            size=int(data["size"]),
            mtime_ns=int(data["mtime_ns"]),
            profile=str(data["profile"]),
            upload_url=str(data["upload_url"]),
            auth=str(data["auth"]),
            biz_id=int(data["biz_id"]),
            upload_id=str(data["upload_id"]),
            chunk_size=int(data["chunk_size"]),
            timeout=float(data.get("timeout", 300.0)),
            parts={int(k): str(v) for k, v in dict(data["parts"]).items()},
            filename=None if data.get("filename") is None else str(data["filename"]),
        )
        if data.get("version") != STATE_VERSION or state.chunk_size <= 0:
            raise ValueError("unknown version")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("upload state %s is unreadable (%s): starting over", path, type(e).__name__)
        return None
    if (state.size, state.mtime_ns, state.profile) != (src.size, src.mtime_ns, profile.profile):
        log.info("%s changed since its interrupted upload: starting over", src.name)
        return None
    state.parts = {n: e for n, e in state.parts.items() if 1 <= n <= state.chunks}
    return state


def save_state(src: Source, state: UposState) -> None:
    """Write the state atomically with mode 0600 (it holds the upload's auth token)."""
    write_atomic(state_path(src), json.dumps(state.to_json()).encode(), mode=0o600)


def remove_state(src: Source) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(state_path(src))


# ---------------------------------------------------------------- the protocol's requests
_LINE_HOST = re.compile(r"^//upos-(sz|cs)-upcdn(bda2|qn|ws|bldsa)\.bilivideo\.com")


def upload_url(preupload: Any, line: str | None) -> str:
    """`https:{endpoint}/{upos_uri without upos://}`, on the chosen line when the server
    answered with one of the probed lines (it may pick another CDN: kept as is)."""
    endpoint = str(preupload.endpoint)
    if line is not None and _LINE_HOST.match(endpoint):
        endpoint = re.sub(r"upcdn(bda2|qn|ws|bldsa)", f"upcdn{line}", endpoint, count=1)
    uri = str(preupload.upos_uri).removeprefix("upos://")
    return f"https:{endpoint}/{uri}"


def probe_url(line: str) -> str:
    return f"https://upos-cs-upcdn{line}.bilivideo.com/OK"


def init_params(state: UposState) -> dict[str, Any]:
    return {
        "uploads": "",
        "output": "json",
        "profile": state.profile,
        "filesize": state.size,
        "partsize": state.chunk_size,
        "biz_id": state.biz_id,
    }


def part_params(state: UposState, part: int) -> dict[str, Any]:
    start, end = state.chunk_range(part)
    return {
        "partNumber": part,
        "uploadId": state.upload_id,
        "chunk": part - 1,
        "chunks": state.chunks,
        "size": end - start,
        "start": start,
        "end": end,
        "total": state.size,
    }


def complete_params(state: UposState) -> dict[str, Any]:
    return {
        "output": "json",
        "name": state.name,
        "profile": state.profile,
        "uploadId": state.upload_id,
        "biz_id": state.biz_id,
    }


def complete_body(state: UposState) -> dict[str, Any]:
    return {
        "parts": [{"partNumber": n, "eTag": state.parts[n]} for n in range(1, state.chunks + 1)]
    }


def read_chunk(state: UposState, path: str, part: int) -> bytes:
    start, end = state.chunk_range(part)
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    if len(data) != end - start:
        raise VideoUploadException(f"{state.name} changed while uploading (short read)")
    return data


class UploadGone(VideoUploadException):
    """The upos server no longer knows the upload id (expired, or forgotten)."""


def json_answer(response: httpx.Response, step: str, name: str) -> dict[str, Any]:
    """An upos JSON answer with OK == 1, else VideoUploadException naming the step."""
    if response.status_code == 404:
        raise UploadGone(f"{step} of {name}: the upload is unknown to the server (HTTP 404)")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or not isinstance(body, dict) or body.get("OK") != 1:
        message = body.get("message") if isinstance(body, dict) else None
        raise VideoUploadException(
            f"{step} of {name} failed: HTTP {response.status_code}"
            + (f" ({message})" if message else "")
        )
    return body


def part_ok(response: httpx.Response) -> bool:
    """A PUT succeeded: status < 400 and the body says so (or says nothing)."""
    if response.status_code == 404:
        raise UploadGone(f"the upload is unknown to the server (HTTP {response.status_code})")
    return response.status_code < 400 and response.text.strip() in ("", "MULTIPART_PUT_SUCCESS")


def etag_of(response: httpx.Response) -> str:
    """The part's etag: the server's ETag header, else the literal the web client sends."""
    return response.headers.get("etag", "").strip('"') or "etag"


def retryable(response: httpx.Response) -> bool:
    return response.status_code >= 500 or response.status_code in (408, 429)


def backoff(attempt: int) -> float:
    return float(min(RETRY_BACKOFF * (2**attempt), 8.0))


def filename_of(key: str) -> str:
    """The submit's `filename`: complete's key without its leading / and extension."""
    return os.path.splitext(key.removeprefix("/"))[0]


class Progress:
    """Byte counts reported to the caller's callback, in order, from any thread."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0
        self.reported = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        """Count `n` bytes (negative when an upload starts over); the callback only ever
        sees growing counts."""
        with self._lock:
            self.done += n
            if self.done > self.reported:
                self.reported = self.done
                if self.callback is not None:
                    self.callback(self.done, self.total)


def redact_url(url: str) -> str:
    """A URL without its query (upload ids and tokens stay out of logs)."""
    return url.split("?", 1)[0]

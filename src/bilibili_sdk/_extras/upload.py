"""Hand-written methods of the `upload` namespace: video, audio and image uploads, edits.

The generated `Upload` / `AsyncUpload` classes extend these mixins (see `extras:` in
api_spec/upload.yaml). Checks, the chunk plan, each request and the resume state live in
`bilibili_sdk.upload`; these mixins only send. The upos steps are not Bilibili-JSON
endpoints: they are sent by hand through the client's pool and URL map (`base_urls`), with
no cookies (upos authenticates each upload with its own `X-Upos-Auth` token).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, cast

import httpx

from .. import upload as u
from .._exceptions import (
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    VideoUploadException,
)
from ..upload import (
    AudioUploadResult,
    ImageUploadResult,
    Profile,
    ProgressCallback,
    Source,
    UploadResult,
    UposState,
    VideoPart,
    log,
)

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._client import AsyncClient, Client
    from ..resources.upload._async import AsyncUpload
    from ..resources.upload._sync import Upload

__all__ = ["AsyncUploadExtras", "UploadExtras"]

IMAGE_KINDS = ("dynamic", "article", "note", "cover", "audio")
_KEPT = ("recreate", "no_reprint", "interactive", "act_reserve_create", "web_os")


# ---------------------------------------------------------------- checks shared by both
def _need_login(client: BaseClient, what: str) -> None:
    cred = client.options.credential
    if cred is None or not cred.sessdata:
        raise CredentialNoSessdataException(f"{what} needs a logged-in credential (SESSDATA)")
    if not cred.bili_jct:
        raise CredentialNoBiliJctException(f"{what} needs bili_jct (csrf) in the credential")


class _VideoPlan:
    """Every argument of `video()`, checked before any I/O."""

    def __init__(self, client: BaseClient, path: Any, kw: dict[str, Any]) -> None:
        self.title = u.check_title(kw["title"])
        self.tid = u.check_tid(kw["tid"])
        self.tag = u.check_tags(kw["tags"])
        self.desc = u.check_desc(kw["desc"])
        self.copyright, self.source = u.check_copyright(kw["copyright"], kw["source"])
        self.dynamic = u.check_desc(kw["dynamic"], "dynamic")
        self.dtime = u.check_dtime(kw["dtime"])
        self.line = u.check_line(kw["line"])
        self.threads = u.check_threads(kw["threads"])
        self.retries = _retries(kw["retries"])
        self.progress = u.check_progress(kw["progress"])
        first = u.check_file("path", path, self.title if not kw["pages"] else "", self.desc)
        self.sources = [first, *_pages(kw["pages"])]
        self.cover = None if kw["cover"] is None else u.load_picture("cover", kw["cover"])
        _need_login(client, "upload.video")


def _retries(value: Any) -> int:
    from .. import _validate as _v

    return _v.integer("retries", value, 0, 100)


def _pages(pages: Any, argument: str = "pages") -> list[Source]:
    if pages is None:
        return []
    if isinstance(pages, (str, bytes)) or not isinstance(pages, Sequence):
        raise ArgsException(f"{argument}: expected a list of VideoPart", argument)
    out = []
    for i, p in enumerate(pages):
        if not isinstance(p, VideoPart):
            raise ArgsException(
                f"{argument}[{i}]: expected a VideoPart, got {type(p).__name__}", argument
            )
        if p.title:
            u.check_title(p.title, argument)
        out.append(u.check_file(argument, p))
    if len(out) > 100:
        raise ArgsException(f"{argument}: at most 100 parts, got {len(out)}", argument)
    return out


class _EditPlan:
    def __init__(self, client: BaseClient, bvid: Any, kw: dict[str, Any]) -> None:
        from .. import _validate as _v

        self.bvid = _v.bvid("bvid", bvid)
        self.title = None if kw["title"] is None else u.check_title(kw["title"])
        self.desc = None if kw["desc"] is None else u.check_desc(kw["desc"])
        self.tag = None if kw["tags"] is None else u.check_tags(kw["tags"])
        self.tid = None if kw["tid"] is None else u.check_tid(kw["tid"])
        self.dynamic = None if kw["dynamic"] is None else u.check_desc(kw["dynamic"], "dynamic")
        self.copyright = kw["copyright"]
        self.source = kw["source"]
        if self.copyright is not None:
            self.copyright, self.source = u.check_copyright(self.copyright, self.source)
        self.line = u.check_line(kw["line"])
        self.threads = u.check_threads(kw["threads"])
        self.retries = _retries(kw["retries"])
        self.progress = u.check_progress(kw["progress"])
        self.sources = _pages(kw["pages"])
        self.cover = None if kw["cover"] is None else u.load_picture("cover", kw["cover"])
        _need_login(client, "upload.edit")

    def body(self, archive: Any, videos: list[dict[str, Any]], cover: str | None) -> dict[str, Any]:
        a = archive.archive
        copyright = self.copyright if self.copyright is not None else (a.copyright or 1)
        source = self.source if self.copyright is not None else (a.source or None)
        return {
            "aid": a.aid,
            "title": self.title if self.title is not None else a.title,
            "tid": self.tid if self.tid is not None else a.tid,
            "tag": self.tag if self.tag is not None else a.tag,
            "copyright": copyright,
            "source": source if copyright == 2 else None,
            "cover": cover if cover is not None else a.cover,
            "desc": self.desc if self.desc is not None else a.desc,
            "dynamic": self.dynamic if self.dynamic is not None else (a.dynamic or ""),
            "desc_format_id": a.desc_format_id or 9999,
            "t": int(time.time()),
            # settings this method does not change go back as the archive holds them
            **{k: v for k, v in (a.model_extra or {}).items() if k in _KEPT and v is not None},
        }


class _AudioPlan:
    def __init__(self, client: BaseClient, path: Any, kw: dict[str, Any]) -> None:
        from .. import _validate as _v

        self.title = u.check_title(kw["title"])
        self.intro = u.check_desc(kw["intro"], "intro")
        self.lyrics = None if kw["lyrics"] is None else _v.string("lyrics", kw["lyrics"])
        self.tags = u.check_tags(kw["tags"], required=False)
        self.music_type = _v.integer("music_type", kw["music_type"], 1)
        self.creation_type = _v.choice("creation_type", kw["creation_type"], (1, 2, 48))
        self.content_type = _v.choice("content_type", kw["content_type"], (1, 2))
        self.is_bgm = bool(_v.boolean("is_bgm", kw["is_bgm"]))
        self.threads = u.check_threads(kw["threads"])
        self.retries = _retries(kw["retries"])
        self.progress = u.check_progress(kw["progress"])
        self.source = u.check_file("path", path)
        self.cover = None
        if kw["cover"] is not None:
            self.cover = u.load_picture("cover", kw["cover"])
            if self.cover.width != self.cover.height:
                raise ArgsException("cover: a song cover must be square", "cover")
            if self.cover.size >= 3 * 1024 * 1024:
                raise ArgsException("cover: a song cover must be under 3 MB", "cover")
        _need_login(client, "upload.audio")

    def body(self, song_id: int, me: Any, lyric_url: str, cover_url: str) -> dict[str, Any]:
        return {
            "song_id": song_id,
            "mid": me.mid,
            "title": self.title,
            "intro": self.intro,
            "lyric_url": lyric_url,
            "cover_url": cover_url,
            "cr_type": self.content_type,
            "creation_type_id": self.creation_type,
            "music_type_id": self.music_type,
            "create_time": f"{time.time():.3f}",
            "is_bgm": 1 if self.is_bgm else 0,
        }

    def extra_json(self, me: Any) -> dict[str, Any]:
        tags = [{"tagName": t} for t in self.tags.split(",") if t]
        members = [{"m_type": 127, "members": [{"name": me.name, "mid": me.mid}]}]
        return {"member_with_type": members, "song_tags": tags}


def _forget(sources: list[Source]) -> None:
    """Submitted: the uploads' state files have nothing left to resume."""
    for src in sources:
        u.remove_state(src)


def _image_kind(kind: Any) -> str:
    if kind not in IMAGE_KINDS:
        raise ArgsException(f"kind: expected one of {', '.join(IMAGE_KINDS)}, got {kind!r}", "kind")
    return str(kind)


def _https(url: str) -> str:
    return "https:" + url if url.startswith("//") else url


def _videos(sources: list[Source], done: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [
        {"title": s.title, "desc": s.desc, "filename": f, "cid": cid}
        for s, (f, cid) in zip(sources, done, strict=True)
    ]


# ---------------------------------------------------------------- upos requests
# A chunk goes as a one-item stream, not as `content=bytes`: httpx keeps a request's bytes
# until the garbage collector breaks a reference cycle (request <-> response), so with
# bytes every sent chunk would stay in memory for a while; a drained stream holds nothing.
def _sync_body(data: bytes) -> Iterator[bytes]:
    yield data


async def _async_body(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _request(
    client: BaseClient,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    auth: str | None = None,
    content: bytes | Iterator[bytes] | AsyncIterator[bytes] | None = None,
    length: int | None = None,
    json: Any = None,
    timeout: float | None = None,
) -> httpx.Request:
    """An upos request: the client's URL map and headers, no cookies, the upload's token."""
    headers = dict(client.options.default_headers)
    if auth is not None:
        headers["X-Upos-Auth"] = auth
    if length is not None:  # a streamed body of known size: sent with Content-Length
        headers["Content-Length"] = str(length)
    t = client.timeout
    if timeout is not None:
        t = httpx.Timeout(timeout, connect=t.connect)
    return httpx.Request(
        method,
        client._auth_context.url(url),
        params=params,
        content=content,
        json=json,
        headers=headers,
        extensions={"timeout": t.as_dict()},
    )


def _new_state(src: Source, profile: Profile, pre: Any, line: str | None) -> UposState:
    return UposState(
        name=src.name,
        size=src.size,
        mtime_ns=src.mtime_ns,
        profile=profile.profile,
        upload_url=u.upload_url(pre, line),
        auth=pre.auth,
        biz_id=pre.biz_id,
        upload_id="",
        chunk_size=pre.chunk_size,
        timeout=float(pre.timeout or 300),
    )


def _preupload_kwargs(src: Source, profile: Profile, line: str | None) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "name": src.name,
        "size": src.size,
        "profile": profile.profile,
        "version": profile.version,
        "build": profile.build,
    }
    if line is not None:
        kw.update(upcdn=line, probe_version=u.PROBE_VERSION)
    return kw


def _fastest(timings: dict[str, float | None]) -> str:
    ok = {k: v for k, v in timings.items() if v is not None}
    if not ok:
        raise VideoUploadException("no upload line answered the probe (bda2, qn, ws, bldsa)")
    best = min(ok, key=lambda k: ok[k])
    log.info("upload line %s (probe %.0f ms)", best, ok[best] * 1000)
    return best


# ---------------------------------------------------------------- sync
class UploadExtras:
    """Methods of `Client.upload` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Upload:
        return cast("Upload", self)

    @property
    def _c(self) -> Client:
        return self._api._client

    def video(
        self,
        path: str | os.PathLike[str],
        *,
        title: str,
        tid: int,
        tags: Sequence[str] | str,
        desc: str = "",
        cover: Any = None,
        copyright: int = 1,
        source: str | None = None,
        dynamic: str = "",
        dtime: int | Any = None,
        line: str | None = None,
        threads: int = 3,
        pages: Sequence[VideoPart] | None = None,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> UploadResult:
        """Upload a video file (and further parts) and submit it.

        Probes the upload lines (unless `line`), uploads each file in chunks with `threads`
        PUTs in flight, resumes an interrupted upload of the same file from its state file
        (`<file>.bili-upload`), uploads the cover, then submits.

        Args:
            path: The video file (the first part).
            title: Title, 1 to 80 characters.
            tid: Zone id (a known zone of `bilibili_sdk.zones`).
            tags: 1 to 10 tags of at most 20 characters (a list, or comma-separated text).
            desc: Description, at most 2000 characters.
            cover: The cover: a Picture, image bytes or a path (sent as PNG); None lets
                Bilibili pick a frame.
            copyright: 1 original, 2 repost (then `source` is required).
            source: Where a repost comes from.
            dynamic: Text of the dynamic announcing the video.
            dtime: Scheduled publication: Unix seconds or a datetime, in the future.
            line: Upload line (bda2, qn, ws, bldsa); None probes them and takes the fastest.
            threads: Chunk PUTs in flight (1-32); memory holds at most this many chunks.
            pages: Further parts after `path`, in order.
            progress: Called as `progress(done_bytes, total_bytes)` after each chunk, with
                growing counts, never twice at once (from upload threads in `Client`); an
                exception it raises stops the upload, which a later call resumes.
            retries: Retries of a failed chunk (with backoff) before giving up.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: no login.
            VideoUploadException: the upload failed (the state file stays for a resume).
        """
        p = _VideoPlan(
            self._c,
            path,
            dict(
                title=title, tid=tid, tags=tags, desc=desc, cover=cover, copyright=copyright,
                source=source, dynamic=dynamic, dtime=dtime, line=line, threads=threads,
                pages=pages, progress=progress, retries=retries,
            ),
        )  # fmt: skip
        # the cover first: it fails fast, before minutes of uploading
        cover_url = self._cover_url(p.cover) if p.cover is not None else ""
        chosen = p.line or self._probe_lines()
        done = self._upload_files(
            p.sources, u.VIDEO_PROFILE, chosen, p.threads, p.retries, p.progress
        )
        call = self._calls().prepare__submit(
            title=p.title, tid=p.tid, tag=p.tag, copyright=p.copyright, source=p.source,
            cover=cover_url, desc=p.desc, dynamic=p.dynamic, dtime=p.dtime,
            t=int(time.time() * 1000),
        )  # fmt: skip
        assert call.json is not None
        call.json["videos"] = _videos(p.sources, done)
        result = self._c._request(call)
        _forget(p.sources)
        return UploadResult(aid=result.aid, bvid=result.bvid)

    def edit(
        self,
        bvid: str,
        *,
        title: str | None = None,
        desc: str | None = None,
        tags: Sequence[str] | str | None = None,
        cover: Any = None,
        tid: int | None = None,
        copyright: int | None = None,
        source: str | None = None,
        dynamic: str | None = None,
        pages: Sequence[VideoPart] | None = None,
        line: str | None = None,
        threads: int = 3,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> UploadResult:
        """Edit your video: fetch its meta (`get_archive`), change what is given, save.

        Args:
            bvid: Your video (BV...).
            title: New title (None keeps it).
            desc: New description.
            tags: New tags (replace the old ones).
            cover: New cover (Picture, bytes or path).
            tid: New zone.
            copyright: 1 original, 2 repost (with `source`).
            source: Where a repost comes from.
            dynamic: New dynamic text.
            pages: New parts to upload and append after the existing ones.
            line: Upload line for new parts (bda2, qn, ws, bldsa); None probes them.
            threads: Chunk PUTs in flight for new parts.
            progress: Progress callback for new parts.
            retries: Retries of a failed chunk.
        """
        p = _EditPlan(
            self._c,
            bvid,
            dict(
                title=title, desc=desc, tags=tags, cover=cover, tid=tid, copyright=copyright,
                source=source, dynamic=dynamic, pages=pages, line=line, threads=threads,
                progress=progress, retries=retries,
            ),
        )  # fmt: skip
        archive = self._api.get_archive(bvid=p.bvid)
        videos = [
            {"title": v.title, "desc": v.desc, "filename": v.filename, "cid": v.cid}
            for v in archive.videos
        ]
        if p.sources:
            done = self._upload_files(
                p.sources,
                u.VIDEO_PROFILE,
                p.line or self._probe_lines(),
                p.threads,
                p.retries,
                p.progress,
            )
            videos += _videos(p.sources, done)
        cover_url = self._cover_url(p.cover) if p.cover is not None else None
        call = self._calls().prepare__edit(**p.body(archive, videos, cover_url))
        assert call.json is not None
        call.json["videos"] = videos
        self._c._request(call)
        _forget(p.sources)
        return UploadResult(aid=archive.archive.aid, bvid=archive.archive.bvid or p.bvid)

    def audio(
        self,
        path: str | os.PathLike[str],
        *,
        title: str,
        lyrics: str | None = None,
        cover: Any = None,
        intro: str = "",
        tags: Sequence[str] | str = (),
        music_type: int = 3,
        creation_type: int = 1,
        content_type: int = 1,
        is_bgm: bool = True,
        threads: int = 3,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> AudioUploadResult:
        """Upload a song (upos profile uga/bup), its lyrics and cover, and submit it.

        Args:
            path: The audio file.
            title: The song's title, 1 to 80 characters.
            lyrics: LRC lyrics text, uploaded after the song.
            cover: A square cover under 3 MB (Picture, bytes or path).
            intro: Introduction, at most 2000 characters.
            tags: Up to 10 tags.
            music_type: Song type id (3 singing, 4 VOCALOID, 5 人力鬼畜, 6 pure music...).
            creation_type: 1 original, 2 cover, 48 remix.
            content_type: 1 music, 2 audio programme.
            is_bgm: Whether others may use it as background music.
            threads: Chunk PUTs in flight.
            progress: Called as `progress(done_bytes, total_bytes)` after each chunk.
            retries: Retries of a failed chunk.
        """
        p = _AudioPlan(
            self._c,
            path,
            dict(
                title=title, lyrics=lyrics, cover=cover, intro=intro, tags=tags,
                music_type=music_type, creation_type=creation_type, content_type=content_type,
                is_bgm=is_bgm, threads=threads, progress=progress, retries=retries,
            ),
        )  # fmt: skip
        ((_, song_id),) = self._upload_files(
            [p.source], u.AUDIO_PROFILE, None, p.threads, p.retries, p.progress
        )
        lyric_url = self._api._upload_lyrics(song_id, lrc=p.lyrics) if p.lyrics else ""
        cover_url = self._api._upload_audio_cover(p.cover) if p.cover is not None else ""
        me = self._c.user.get_my_info()
        call = self._calls().prepare__submit_song(**p.body(song_id, me, lyric_url, cover_url))
        assert call.json is not None
        call.json.update(p.extra_json(me))
        self._c._request(call)
        u.remove_state(p.source)  # submitted: nothing left to resume
        return AudioUploadResult(song_id, lyric_url or None, cover_url or None)

    def image(self, picture_or_path: Any, *, kind: str = "dynamic") -> ImageUploadResult:
        """Upload an image where dynamics, articles/notes, video covers or song covers use it.

        Args:
            picture_or_path: A Picture, image bytes or a file path.
            kind: "dynamic" (upload_bfs), "article" or "note" (the note editor's upload),
                "cover" (video cover, sent as PNG), "audio" (song cover).
        """
        kind = _image_kind(kind)
        pic = u.load_picture("picture_or_path", picture_or_path)
        _need_login(self._c, "upload.image")
        if kind == "dynamic":
            d = self._c.dynamic.upload_image(image=pic)
            return ImageUploadResult(
                _https(d.image_url), kind, d.image_width or pic.width, d.image_height or pic.height
            )
        if kind in ("article", "note"):
            n = self._c.note.upload_image(image=pic)
            return ImageUploadResult(_https(n.location), kind, pic.width, pic.height)
        if kind == "cover":
            return ImageUploadResult(self._cover_url(pic), kind, pic.width, pic.height)
        return ImageUploadResult(
            _https(self._api._upload_audio_cover(pic)), kind, pic.width, pic.height
        )

    # -- steps
    @staticmethod
    def _calls() -> Any:
        from ..resources.upload import _calls

        return _calls

    def _cover_url(self, pic: Any) -> str:
        return self._api._upload_cover(cover=u.png_data_url(pic), ts=int(time.time() * 1000)).url

    def _send(self, request: httpx.Request) -> httpx.Response:
        return cast("httpx.Response", self._c._http.send(request))

    def _probe_lines(self) -> str:
        timings: dict[str, float | None] = {}
        for line in u.LINES:
            req = _request(
                self._c, "POST", u.probe_url(line), content=bytes(u.PROBE_BYTES), timeout=10
            )
            started = time.perf_counter()
            try:
                ok = self._send(req).status_code < 400
            except httpx.HTTPError:
                ok = False
            timings[line] = time.perf_counter() - started if ok else None
        return _fastest(timings)

    def _upload_files(
        self,
        sources: list[Source],
        profile: Profile,
        line: str | None,
        threads: int,
        retries: int,
        progress: ProgressCallback | None,
    ) -> list[tuple[str, int]]:
        tracker = u.Progress(progress, sum(s.size for s in sources))
        return [self._upload_file(s, profile, line, threads, retries, tracker) for s in sources]

    def _upload_file(
        self, src: Source, profile: Profile, line: str | None, threads: int, retries: int,
        tracker: u.Progress,
    ) -> tuple[str, int]:  # fmt: skip
        state = u.load_state(src, profile)
        if state is not None and state.filename is not None:
            log.info("%s is already uploaded: submitting it again", src.name)
            tracker.add(state.size)
            return state.filename, state.biz_id
        if state is not None:
            log.info(
                "resuming the upload of %s: %d of %d parts done",
                src.name,
                len(state.parts),
                state.chunks,
            )
            try:
                return self._finish(src, state, threads, retries, tracker)
            except u.UploadGone:
                log.warning("the server no longer knows the upload of %s: starting over", src.name)
                u.remove_state(src)
                tracker.add(-state.bytes_done())
        pre = self._api._preupload(**_preupload_kwargs(src, profile, line))
        state = _new_state(src, profile, pre, line)
        init = self._send(
            _request(
                self._c, "POST", state.upload_url, params=u.init_params(state), auth=state.auth
            )
        )
        state.upload_id = str(u.json_answer(init, "init", src.name)["upload_id"])
        u.save_state(src, state)
        return self._finish(src, state, threads, retries, tracker, fresh=True)

    def _finish(
        self, src: Source, state: UposState, threads: int, retries: int, tracker: u.Progress,
        fresh: bool = False,
    ) -> tuple[str, int]:  # fmt: skip
        if not fresh and state.parts:
            tracker.add(state.bytes_done())
        missing = state.missing()
        if missing:
            pool = ThreadPoolExecutor(
                max_workers=min(threads, len(missing)), thread_name_prefix="bili-upload"
            )
            try:
                stop = threading.Event()  # a failure stops the parts not yet started

                def job(n: int) -> None:
                    if stop.is_set():
                        return
                    try:
                        self._put(src, state, n, retries, tracker)
                    except BaseException:
                        stop.set()
                        raise

                futures = [pool.submit(job, n) for n in missing]
                finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for f in finished:
                    f.result()  # re-raise the first failure (the state file keeps the rest)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        req = _request(
            self._c, "POST", state.upload_url, params=u.complete_params(state),
            auth=state.auth, json=u.complete_body(state),
        )  # fmt: skip
        key = str(u.json_answer(self._send(req), "complete", src.name).get("key", ""))
        state.filename = u.filename_of(key)
        u.save_state(src, state)  # removed once submitted
        return state.filename, state.biz_id

    def _put(
        self, src: Source, state: UposState, n: int, retries: int, tracker: u.Progress
    ) -> None:
        data = u.read_chunk(state, src.path, n)
        attempt = 0
        while True:
            req = _request(
                self._c, "PUT", state.upload_url, params=u.part_params(state, n),
                auth=state.auth, content=_sync_body(data), length=len(data),
                timeout=state.timeout,
            )  # fmt: skip
            why: str
            try:
                response = self._send(req)
                if u.part_ok(response):
                    break
                why = f"HTTP {response.status_code}"
                if not u.retryable(response) and response.status_code < 500:
                    raise VideoUploadException(f"part {n} of {src.name} refused: {why}")
            except httpx.TransportError as e:
                why = type(e).__name__
            if attempt >= retries:
                raise VideoUploadException(
                    f"part {n} of {src.name} failed {attempt + 1} times: {why}"
                )
            log.info(
                "part %d of %s failed (%s): retry %d of %d", n, src.name, why, attempt + 1, retries
            )
            time.sleep(u.backoff(attempt))
            attempt += 1
        with tracker._lock:
            state.parts[n] = u.etag_of(response)
            u.save_state(src, state)
        tracker.add(len(data))


# ---------------------------------------------------------------- async
class AsyncUploadExtras:
    """Methods of `AsyncClient.upload` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncUpload:
        return cast("AsyncUpload", self)

    @property
    def _c(self) -> AsyncClient:
        return self._api._client

    async def video(
        self,
        path: str | os.PathLike[str],
        *,
        title: str,
        tid: int,
        tags: Sequence[str] | str,
        desc: str = "",
        cover: Any = None,
        copyright: int = 1,
        source: str | None = None,
        dynamic: str = "",
        dtime: int | Any = None,
        line: str | None = None,
        threads: int = 3,
        pages: Sequence[VideoPart] | None = None,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> UploadResult:
        """Upload a video file (and further parts) and submit it.

        Probes the upload lines (unless `line`), uploads each file in chunks with `threads`
        PUTs in flight, resumes an interrupted upload of the same file from its state file
        (`<file>.bili-upload`), uploads the cover, then submits.

        Args:
            path: The video file (the first part).
            title: Title, 1 to 80 characters.
            tid: Zone id (a known zone of `bilibili_sdk.zones`).
            tags: 1 to 10 tags of at most 20 characters (a list, or comma-separated text).
            desc: Description, at most 2000 characters.
            cover: The cover: a Picture, image bytes or a path (sent as PNG); None lets
                Bilibili pick a frame.
            copyright: 1 original, 2 repost (then `source` is required).
            source: Where a repost comes from.
            dynamic: Text of the dynamic announcing the video.
            dtime: Scheduled publication: Unix seconds or a datetime, in the future.
            line: Upload line (bda2, qn, ws, bldsa); None probes them and takes the fastest.
            threads: Chunk PUTs in flight (1-32); memory holds at most this many chunks.
            pages: Further parts after `path`, in order.
            progress: Called as `progress(done_bytes, total_bytes)` after each chunk, with
                growing counts, never twice at once (from upload threads in `Client`); an
                exception it raises stops the upload, which a later call resumes.
            retries: Retries of a failed chunk (with backoff) before giving up.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: no login.
            VideoUploadException: the upload failed (the state file stays for a resume).
        """
        p = _VideoPlan(
            self._c,
            path,
            dict(
                title=title, tid=tid, tags=tags, desc=desc, cover=cover, copyright=copyright,
                source=source, dynamic=dynamic, dtime=dtime, line=line, threads=threads,
                pages=pages, progress=progress, retries=retries,
            ),
        )  # fmt: skip
        # the cover first: it fails fast, before minutes of uploading
        cover_url = await self._cover_url(p.cover) if p.cover is not None else ""
        chosen = p.line or await self._probe_lines()
        done = await self._upload_files(
            p.sources, u.VIDEO_PROFILE, chosen, p.threads, p.retries, p.progress
        )
        call = UploadExtras._calls().prepare__submit(
            title=p.title, tid=p.tid, tag=p.tag, copyright=p.copyright, source=p.source,
            cover=cover_url, desc=p.desc, dynamic=p.dynamic, dtime=p.dtime,
            t=int(time.time() * 1000),
        )  # fmt: skip
        assert call.json is not None
        call.json["videos"] = _videos(p.sources, done)
        result = await self._c._request(call)
        _forget(p.sources)
        return UploadResult(aid=result.aid, bvid=result.bvid)

    async def edit(
        self,
        bvid: str,
        *,
        title: str | None = None,
        desc: str | None = None,
        tags: Sequence[str] | str | None = None,
        cover: Any = None,
        tid: int | None = None,
        copyright: int | None = None,
        source: str | None = None,
        dynamic: str | None = None,
        pages: Sequence[VideoPart] | None = None,
        line: str | None = None,
        threads: int = 3,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> UploadResult:
        """Edit your video: fetch its meta (`get_archive`), change what is given, save.

        Args:
            bvid: Your video (BV...).
            title: New title (None keeps it).
            desc: New description.
            tags: New tags (replace the old ones).
            cover: New cover (Picture, bytes or path).
            tid: New zone.
            copyright: 1 original, 2 repost (with `source`).
            source: Where a repost comes from.
            dynamic: New dynamic text.
            pages: New parts to upload and append after the existing ones.
            line: Upload line for new parts (bda2, qn, ws, bldsa); None probes them.
            threads: Chunk PUTs in flight for new parts.
            progress: Progress callback for new parts.
            retries: Retries of a failed chunk.
        """
        p = _EditPlan(
            self._c,
            bvid,
            dict(
                title=title, desc=desc, tags=tags, cover=cover, tid=tid, copyright=copyright,
                source=source, dynamic=dynamic, pages=pages, line=line, threads=threads,
                progress=progress, retries=retries,
            ),
        )  # fmt: skip
        archive = await self._api.get_archive(bvid=p.bvid)
        videos = [
            {"title": v.title, "desc": v.desc, "filename": v.filename, "cid": v.cid}
            for v in archive.videos
        ]
        if p.sources:
            line = p.line or await self._probe_lines()
            done = await self._upload_files(
                p.sources, u.VIDEO_PROFILE, line, p.threads, p.retries, p.progress
            )
            videos += _videos(p.sources, done)
        cover_url = await self._cover_url(p.cover) if p.cover is not None else None
        call = UploadExtras._calls().prepare__edit(**p.body(archive, videos, cover_url))
        assert call.json is not None
        call.json["videos"] = videos
        await self._c._request(call)
        _forget(p.sources)
        return UploadResult(aid=archive.archive.aid, bvid=archive.archive.bvid or p.bvid)

    async def audio(
        self,
        path: str | os.PathLike[str],
        *,
        title: str,
        lyrics: str | None = None,
        cover: Any = None,
        intro: str = "",
        tags: Sequence[str] | str = (),
        music_type: int = 3,
        creation_type: int = 1,
        content_type: int = 1,
        is_bgm: bool = True,
        threads: int = 3,
        progress: ProgressCallback | None = None,
        retries: int = u.RETRIES,
    ) -> AudioUploadResult:
        """Upload a song (upos profile uga/bup), its lyrics and cover, and submit it.

        Args:
            path: The audio file.
            title: The song's title, 1 to 80 characters.
            lyrics: LRC lyrics text, uploaded after the song.
            cover: A square cover under 3 MB (Picture, bytes or path).
            intro: Introduction, at most 2000 characters.
            tags: Up to 10 tags.
            music_type: Song type id (3 singing, 4 VOCALOID, 5 人力鬼畜, 6 pure music...).
            creation_type: 1 original, 2 cover, 48 remix.
            content_type: 1 music, 2 audio programme.
            is_bgm: Whether others may use it as background music.
            threads: Chunk PUTs in flight.
            progress: Called as `progress(done_bytes, total_bytes)` after each chunk.
            retries: Retries of a failed chunk.
        """
        p = _AudioPlan(
            self._c,
            path,
            dict(
                title=title, lyrics=lyrics, cover=cover, intro=intro, tags=tags,
                music_type=music_type, creation_type=creation_type, content_type=content_type,
                is_bgm=is_bgm, threads=threads, progress=progress, retries=retries,
            ),
        )  # fmt: skip
        ((_, song_id),) = await self._upload_files(
            [p.source], u.AUDIO_PROFILE, None, p.threads, p.retries, p.progress
        )
        lyric_url = await self._api._upload_lyrics(song_id, lrc=p.lyrics) if p.lyrics else ""
        cover_url = await self._api._upload_audio_cover(p.cover) if p.cover is not None else ""
        me = await self._c.user.get_my_info()
        call = UploadExtras._calls().prepare__submit_song(
            **p.body(song_id, me, lyric_url, cover_url)
        )
        assert call.json is not None
        call.json.update(p.extra_json(me))
        await self._c._request(call)
        u.remove_state(p.source)  # submitted: nothing left to resume
        return AudioUploadResult(song_id, lyric_url or None, cover_url or None)

    async def image(self, picture_or_path: Any, *, kind: str = "dynamic") -> ImageUploadResult:
        """Upload an image where dynamics, articles/notes, video covers or song covers use it.

        Args:
            picture_or_path: A Picture, image bytes or a file path.
            kind: "dynamic" (upload_bfs), "article" or "note" (the note editor's upload),
                "cover" (video cover, sent as PNG), "audio" (song cover).
        """
        kind = _image_kind(kind)
        pic = u.load_picture("picture_or_path", picture_or_path)
        _need_login(self._c, "upload.image")
        if kind == "dynamic":
            d = await self._c.dynamic.upload_image(image=pic)
            return ImageUploadResult(
                _https(d.image_url), kind, d.image_width or pic.width, d.image_height or pic.height
            )
        if kind in ("article", "note"):
            n = await self._c.note.upload_image(image=pic)
            return ImageUploadResult(_https(n.location), kind, pic.width, pic.height)
        if kind == "cover":
            return ImageUploadResult(await self._cover_url(pic), kind, pic.width, pic.height)
        url = await self._api._upload_audio_cover(pic)
        return ImageUploadResult(_https(url), kind, pic.width, pic.height)

    # -- steps
    async def _cover_url(self, pic: Any) -> str:
        r = await self._api._upload_cover(cover=u.png_data_url(pic), ts=int(time.time() * 1000))
        return r.url

    async def _send(self, request: httpx.Request) -> httpx.Response:
        return cast("httpx.Response", await self._c._http.send(request))

    async def _probe_lines(self) -> str:
        timings: dict[str, float | None] = {}
        for line in u.LINES:
            req = _request(
                self._c, "POST", u.probe_url(line), content=bytes(u.PROBE_BYTES), timeout=10
            )
            started = time.perf_counter()
            try:
                ok = (await self._send(req)).status_code < 400
            except httpx.HTTPError:
                ok = False
            timings[line] = time.perf_counter() - started if ok else None
        return _fastest(timings)

    async def _upload_files(
        self,
        sources: list[Source],
        profile: Profile,
        line: str | None,
        threads: int,
        retries: int,
        progress: ProgressCallback | None,
    ) -> list[tuple[str, int]]:
        tracker = u.Progress(progress, sum(s.size for s in sources))
        return [
            await self._upload_file(s, profile, line, threads, retries, tracker) for s in sources
        ]

    async def _upload_file(
        self, src: Source, profile: Profile, line: str | None, threads: int, retries: int,
        tracker: u.Progress,
    ) -> tuple[str, int]:  # fmt: skip
        state = u.load_state(src, profile)
        if state is not None and state.filename is not None:
            log.info("%s is already uploaded: submitting it again", src.name)
            tracker.add(state.size)
            return state.filename, state.biz_id
        if state is not None:
            log.info(
                "resuming the upload of %s: %d of %d parts done",
                src.name,
                len(state.parts),
                state.chunks,
            )
            try:
                return await self._finish(src, state, threads, retries, tracker)
            except u.UploadGone:
                log.warning("the server no longer knows the upload of %s: starting over", src.name)
                u.remove_state(src)
                tracker.add(-state.bytes_done())
        pre = await self._api._preupload(**_preupload_kwargs(src, profile, line))
        state = _new_state(src, profile, pre, line)
        init = await self._send(
            _request(
                self._c, "POST", state.upload_url, params=u.init_params(state), auth=state.auth
            )
        )
        state.upload_id = str(u.json_answer(init, "init", src.name)["upload_id"])
        u.save_state(src, state)
        return await self._finish(src, state, threads, retries, tracker, fresh=True)

    async def _finish(
        self, src: Source, state: UposState, threads: int, retries: int, tracker: u.Progress,
        fresh: bool = False,
    ) -> tuple[str, int]:  # fmt: skip
        if not fresh and state.parts:
            tracker.add(state.bytes_done())
        missing = state.missing()
        if missing:
            queue = iter(missing)

            async def worker() -> None:
                for n in queue:  # each worker takes the next missing part: `threads` in flight
                    await self._put(src, state, n, retries, tracker)

            tasks = [asyncio.ensure_future(worker()) for _ in range(min(threads, len(missing)))]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        req = _request(
            self._c, "POST", state.upload_url, params=u.complete_params(state),
            auth=state.auth, json=u.complete_body(state),
        )  # fmt: skip
        key = str(u.json_answer(await self._send(req), "complete", src.name).get("key", ""))
        state.filename = u.filename_of(key)
        u.save_state(src, state)  # removed once submitted
        return state.filename, state.biz_id

    async def _put(
        self, src: Source, state: UposState, n: int, retries: int, tracker: u.Progress
    ) -> None:
        data = await asyncio.to_thread(u.read_chunk, state, src.path, n)
        attempt = 0
        while True:
            req = _request(
                self._c, "PUT", state.upload_url, params=u.part_params(state, n),
                auth=state.auth, content=_async_body(data), length=len(data),
                timeout=state.timeout,
            )  # fmt: skip
            why: str
            try:
                response = await self._send(req)
                if u.part_ok(response):
                    break
                why = f"HTTP {response.status_code}"
                if not u.retryable(response) and response.status_code < 500:
                    raise VideoUploadException(f"part {n} of {src.name} refused: {why}")
            except httpx.TransportError as e:
                why = type(e).__name__
            if attempt >= retries:
                raise VideoUploadException(
                    f"part {n} of {src.name} failed {attempt + 1} times: {why}"
                )
            log.info(
                "part %d of %s failed (%s): retry %d of %d", n, src.name, why, attempt + 1, retries
            )
            await asyncio.sleep(u.backoff(attempt))
            attempt += 1
        with tracker._lock:
            state.parts[n] = u.etag_of(response)
            u.save_state(src, state)
        tracker.add(len(data))

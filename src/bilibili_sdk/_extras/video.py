"""Hand-written methods of the `video` namespace: the ones that combine several endpoints.

The generated `Video` / `AsyncVideo` classes extend these mixins (see `extras:` in
api_spec/video.more.yaml). What to fetch is decided by pure functions below, shared by both
flavours; the sync and async methods only differ in how they wait (the async one fetches
danmaku segments concurrently).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from .. import _validate as _v
from .._endpoint import Call, Endpoint
from .._exceptions import ArgsException, CredentialNoSessdataException

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._download import BatchResult, DownloadResult
    from ..danmaku import Danmaku, SpecialDanmaku
    from ..models.video import VideoPage, VideoPlayerInfo
    from ..resources.video._async import AsyncVideo
    from ..resources.video._sync import Video
    from ..video_online import AsyncVideoOnlineMonitor, VideoOnlineMonitor

__all__ = ["AsyncVideoExtras", "VideoExtras"]

SEGMENT_SECONDS = 360  # seg.so serves danmaku in 6-minute segments
CONCURRENT_SEGMENTS = 8  # async fetches at most this many segments at once


class _Target(NamedTuple):
    """Which part, after checking the arguments (before any I/O)."""

    aid: int | None
    bvid: str | None
    cid: int | None
    page_index: int

    @property
    def needs_pages(self) -> bool:
        return self.aid is not None or self.bvid is not None


def _video(video: Any, aid: Any, bvid: Any) -> tuple[Any, Any]:
    """aid/bvid from the positional video slot; a cid alone (no video at all) is allowed."""
    if video is None:
        return aid, bvid
    return _v.video(video, aid, bvid)


def _target(video: Any, aid: Any, bvid: Any, cid: Any, page_index: Any) -> _Target:
    aid, bvid = _video(video, aid, bvid)
    if aid is not None and bvid is not None:
        raise ArgsException(
            "aid or bvid: give at most one of aid=, bvid= (or the video positionally); got both",
            argument="aid",
        )
    if aid is None and bvid is None and cid is None:
        raise ArgsException(
            f"video: give the video, as {_v.VIDEO_FORMS} (or aid= / bvid=), or a cid=",
            argument="video",
        )
    return _Target(
        aid=None if aid is None else _v.positive_int("aid", aid),
        bvid=None if bvid is None else _v.bvid("bvid", bvid),
        cid=None if cid is None else _v.positive_int("cid", cid),
        page_index=_v.integer("page_index", page_index, 0),
    )


def _logged_in(client: BaseClient) -> bool:
    cred = client.options.credential
    return cred is not None and bool(cred.sessdata)


def _need_login(client: BaseClient, what: str) -> None:
    cred = client.options.credential
    if cred is None or not cred.sessdata:
        raise CredentialNoSessdataException(f"{what} needs a logged-in credential (SESSDATA)")


def _segment_range(from_seg: Any, to_seg: Any) -> tuple[int, int | None]:
    """0-based, inclusive segment bounds; `to_seg` None means "to the end"."""
    lo = 0 if from_seg is None else _v.integer("from_seg", from_seg, 0)
    hi = None if to_seg is None else _v.integer("to_seg", to_seg, 0)
    if hi is not None and hi < lo:
        raise ArgsException(
            f"to_seg: expected an int >= from_seg ({lo}), got {hi}", argument="to_seg"
        )
    return lo, hi


def _pick_page(pages: list[VideoPage], t: _Target) -> tuple[int | None, int, int | None]:
    """(aid, cid, duration in seconds or None) of the part the caller means."""
    aid = t.aid
    if aid is None and t.bvid is not None:
        from .._ids import bvid2aid

        aid = bvid2aid(t.bvid)
    if t.cid is not None:
        match = next((p for p in pages if p.cid == t.cid), None)
        return aid, t.cid, (match.duration if match else None)
    if t.page_index >= len(pages):
        raise ArgsException(
            f"page_index: expected {_page_indexes(len(pages))}, got {t.page_index}",
            argument="page_index",
        )
    page = pages[t.page_index]
    return aid, page.cid, page.duration


def _page_indexes(parts: int) -> str:
    """What `page_index` accepts for a video of `parts` parts."""
    if parts <= 0:
        return "a part, but the video lists none"
    return f"an int from 0 to {parts - 1} (the video has {parts} part(s))"


def _segments(duration: int | None, lo: int, hi: int | None) -> range | None:
    """Segment numbers (0-based) to fetch, or None when the length is unknown."""
    if duration is None:
        return None
    last = duration // SEGMENT_SECONDS
    return range(lo, min(last, hi) + 1 if hi is not None else last + 1)


def _merge(chunks: Iterable[list[Danmaku]]) -> list[Danmaku]:
    """One list in a stable order (time, then id), without repeats across segments."""
    seen: set[int] = set()
    out: list[Danmaku] = []
    for chunk in chunks:
        for d in chunk:
            if d.id_ and d.id_ in seen:
                continue
            seen.add(d.id_)
            out.append(d)
    from ..danmaku import sort_danmakus

    return sort_danmakus(out)


def _https(url: str) -> str:
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("http://"):
        return "https://" + url[7:]
    return url


def _file_call(url: str, name: str, decoder: str) -> Call[Any]:
    """A GET of a file Bilibili links to (BAS danmaku, subtitle JSON), through the client."""
    return Call(Endpoint(f"video.{name}", "GET", _https(url), decoder=decoder))


def _json_file(content: bytes) -> Any:
    import json

    return json.loads(content)


def _subtitle_url(info: VideoPlayerInfo, lan: str | None) -> str:
    tracks = info.subtitle.subtitles if info.subtitle else []
    if not tracks:
        raise ArgsException("the part has no subtitles (or the credential cannot see them)")
    if lan is None:
        return tracks[0].subtitle_url
    for track in tracks:
        if track.lan == lan:
            return track.subtitle_url
    have = ", ".join(repr(t.lan) for t in tracks)
    raise ArgsException(
        f"lan: expected one of the part's subtitle languages ({have}) or None, got {lan!r}",
        argument="lan",
    )


class VideoExtras:
    """Methods of `Client.video` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Video:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Video", self)

    def _locate_part(self, t: _Target) -> tuple[int | None, int, int | None]:
        if not t.needs_pages:
            assert t.cid is not None
            return None, t.cid, None
        return _pick_page(self._api.get_pages(aid=t.aid, bvid=t.bvid), t)

    def get_danmakus(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
        date: str | datetime.date | None = None,
        from_seg: int | None = None,
        to_seg: int | None = None,
    ) -> list[Danmaku]:
        """Get every danmaku of one part, ordered by time then id.

        Give the video (a BV id or an av number, or `aid=` / `bvid=`) with `page_index`
        (0-based), or a `cid`. Without `date` the current danmaku come from the 6-minute
        protobuf segments `from_seg`..`to_seg` (0-based, inclusive; all by default), which an
        `AsyncClient` fetches concurrently. With `date` (YYYY-MM-DD, login required) the
        danmaku of that day come from the history endpoint.
        """
        t = _target(video, aid, bvid, cid, page_index)
        lo, hi = _segment_range(from_seg, to_seg)
        day = None if date is None else _v.date("date", date)
        if day is not None:
            _need_login(self._api._client, "history danmaku (date=...)")
        aid_, cid_, duration = self._locate_part(t)
        if day is not None:
            return _merge([self._api.get_history_danmaku_segment(cid=cid_, date=day, aid=aid_)])
        wanted = _segments(duration, lo, hi)
        if wanted is not None:
            return _merge(
                self._api.get_danmaku_segment(cid=cid_, segment_index=i + 1, aid=aid_)
                for i in wanted
            )
        # Length unknown (only a cid): read segments until the first empty one.
        chunks: list[list[Danmaku]] = []
        i = lo
        while hi is None or i <= hi:
            chunk = self._api.get_danmaku_segment(cid=cid_, segment_index=i + 1, aid=aid_)
            if not chunk:
                break
            chunks.append(chunk)
            i += 1
        return _merge(chunks)

    def get_special_danmakus(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
    ) -> list[SpecialDanmaku]:
        """Get a part's special (BAS / code) danmaku, from the files the danmaku view lists."""
        t = _target(video, aid, bvid, cid, page_index)
        aid_, cid_, _ = self._locate_part(t)
        view = self._api.get_danmaku_view(cid=cid_, aid=aid_)
        out: list[SpecialDanmaku] = []
        for url in view.special_dms:
            call = _file_call(url, "special_danmaku_file", "bilibili_sdk.danmaku:parse_special")
            out.extend(self._api._client._request(call))
        return out

    def get_subtitle(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
        lan: str | None = None,
    ) -> dict[str, Any]:
        """Get one CC subtitle track of a part as its JSON document (login required).

        `lan` picks the language (`zh-CN`, `ai-zh`...); the first track by default. Convert
        the result with `bilibili_sdk.subtitle` (`to_srt`, `to_ass`, `to_lrc`).
        """
        t = _target(video, aid, bvid, cid, page_index)
        if not t.needs_pages:
            raise ArgsException(
                f"video: give the video, as {_v.VIDEO_FORMS} (or aid= / bvid=); "
                "a cid alone is not enough for subtitles",
                argument="video",
            )
        _, cid_, _ = self._locate_part(t)
        info = self._api.get_player_info(cid=cid_, aid=t.aid, bvid=t.bvid)
        call = _file_call(_subtitle_url(info, lan), "subtitle_file", _JSON_DECODER)
        result: dict[str, Any] = self._api._client._request(call)
        return result

    def online_monitor(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        page_index: int = 0,
        cid: int | None = None,
        heartbeat_interval: float | None = None,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        hosts: Sequence[str] | None = None,
    ) -> VideoOnlineMonitor:
        """Open a connection that reports a part's live viewer count and realtime danmaku.

        Nothing connects until it is entered, run or iterated. The arguments are those of
        `bilibili_sdk.video_online.VideoOnlineMonitor` (`AsyncVideoOnlineMonitor` for an
        `AsyncClient`).
        """
        from ..video_online import VideoOnlineMonitor

        aid, bvid = _video(video, aid, bvid)
        if aid is None and bvid is None:  # a cid alone does not name the video's room
            _v.video(None, None, None)
        return VideoOnlineMonitor(
            self._api._client,
            aid=aid,
            bvid=bvid,
            page_index=page_index,
            cid=cid,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            reconnect=reconnect,
            max_retries=max_retries,
            backoff=backoff,
            open_timeout=open_timeout,
            max_queue=max_queue,
            hosts=hosts,
        )

    def download(
        self,
        video: str | int,
        dest: str | os.PathLike[str],
        *,
        page: int = 0,
        quality: int | None = None,
        codec: str | Sequence[str] | None = None,
        audio_quality: int | str | None = None,
        merge: bool = True,
        danmaku: str | None = None,
        subtitles: bool | str | None = None,
        filename: str | None = None,
        overwrite: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> DownloadResult:
        """Download one part of a video (or a bangumi episode) into the directory `dest`.

        Args:
            video: a BV id, an av number (int), or any video or episode link `parse_link`
                understands (a b23.tv share link is resolved first). A link's `?p=` picks
                the part when `page` is left at 0.
            dest: the directory to write into (created when missing).
            page: the part, 0-based.
            quality: a quality number (127 8K, 120 4K, 116 1080P60, 112 1080P+, 80 1080P,
                64 720P, 32 480P, 16 360P); the best below it when not offered, the best
                allowed by the login when None.
            codec: "avc", "hevc" or "av1", or a sequence of them in order of preference;
                another codec of the chosen quality when none is offered (default order
                avc, hevc, av1: the most playable first).
            audio_quality: 30280 (192K), 30232, 30216, "dolby" or "hires"; the next best
                when not offered; the best AAC stream when None.
            merge: join video and audio with `ffmpeg -c copy` (when ffmpeg is on PATH) into
                `<name>.mp4` (`.mkv` for Hi-Res FLAC) and remove the two streams; without
                ffmpeg, or with False, the streams are kept as `<name>.video.m4s` and
                `<name>.audio.m4s`.
            danmaku: "ass" or "xml" to write the part's danmaku beside the video.
            subtitles: True (the first track) or a language ("zh-CN") to write an SRT
                beside the video (needs a logged-in credential).
            filename: the file name without extension; the title (and part) by default.
            overwrite: fetch again and replace files that exist; by default a finished
                output is kept and the download skipped.
            progress: called as `progress(done_bytes, total_bytes)` while bytes arrive; the
                total grows when the audio stream starts.

        Every stream goes to `<file>.part`, is resumed with HTTP Range after a dropped
        connection (also by a later call: a `.part` left behind is resumed), is checked
        against the server's length and renamed into place only when complete; mirror URLs
        (`backup_url`) are tried in order. What was chosen instead of what was asked is in
        `result.notes`. Raises `DownloadException` when every URL of a stream fails.
        """
        from .. import _download as _d

        client = self._api._client
        page_ = _d.check_page(page)
        name = _d.check_filename(filename)
        opts = _d.check_options(
            dest=dest,
            quality=quality,
            codec=codec,
            audio_quality=audio_quality,
            merge=merge,
            danmaku=danmaku,
            subtitles=subtitles,
            overwrite=overwrite,
            progress=progress,
            logged_in=_logged_in(client),
        )
        target = _d.video_target(video, page_)
        job = _d.Job(target, opts, name, client.max_retries, _d.Tally(progress))
        return _d.drive_sync(client, _d.download_flow(job))  # type: ignore[no-any-return]

    def download_batch(
        self,
        source: str | int | None,
        dest: str | os.PathLike[str],
        *,
        pages: Sequence[int] | None = None,
        concurrency: int = 3,
        quality: int | None = None,
        codec: str | Sequence[str] | None = None,
        audio_quality: int | str | None = None,
        merge: bool = True,
        danmaku: str | None = None,
        subtitles: bool | str | None = None,
        overwrite: bool = False,
        progress: Callable[[int, int], object] | None = None,
        media_id: int | None = None,
        season_id: int | None = None,
        series_id: int | None = None,
        ep_id: int | None = None,
        mid: int | None = None,
    ) -> BatchResult:
        """Download many parts: every part of a video (or `pages`), a favourite folder, an
        uploader's season or series, or a bangumi season, `concurrency` at a time.

        Args:
            source: a video (BV id, av number, link), a favourite folder (`ml123` or its
                link), a season or series link (`space.bilibili.com/<mid>/channel/...`), a
                bangumi season or episode (`ss123`, `ep123` or their links); or None with
                one of the keyword forms below.
            dest: the directory; a folder, season or bangumi goes into a subdirectory
                named after it, a multi-part video into one named after its title.
            pages: for a video, the parts to fetch (0-based); all by default.
            concurrency: items downloaded at the same time (1 to 32).
            media_id, season_id, series_id, ep_id, mid: the keyword forms: a favourite
                folder; a bangumi season (or, with `mid`, an uploader's season); an
                uploader's series (with `mid`, its owner); a bangumi episode's season.
            progress: `progress(done_bytes, total_bytes)` over the whole batch.

        The other arguments are those of `download`. A failed item does not stop the
        others: it is in `result.failures`; the batch raises `DownloadException` only when
        every item failed.
        """
        from .. import _download as _d

        client = self._api._client
        opts = _d.check_options(
            dest=dest,
            quality=quality,
            codec=codec,
            audio_quality=audio_quality,
            merge=merge,
            danmaku=danmaku,
            subtitles=subtitles,
            overwrite=overwrite,
            progress=progress,
            logged_in=_logged_in(client),
        )
        src = _d.batch_source(source, media_id, season_id, series_id, ep_id, mid)
        wanted = _d.check_pages(pages)
        limit = _d.check_concurrency(concurrency)
        job = _d.Job(_d.Target(), opts, None, client.max_retries, _d.Tally(progress))
        return _d.batch_sync(client, src, wanted, job, limit)


class AsyncVideoExtras:
    """Methods of `AsyncClient.video` written by hand (see `VideoExtras` for the docs)."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncVideo:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncVideo", self)

    async def _locate_part(self, t: _Target) -> tuple[int | None, int, int | None]:
        if not t.needs_pages:
            assert t.cid is not None
            return None, t.cid, None
        return _pick_page(await self._api.get_pages(aid=t.aid, bvid=t.bvid), t)

    async def get_danmakus(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
        date: str | datetime.date | None = None,
        from_seg: int | None = None,
        to_seg: int | None = None,
    ) -> list[Danmaku]:
        """Get every danmaku of one part, ordered by time then id.

        Give the video (a BV id or an av number, or `aid=` / `bvid=`) with `page_index`
        (0-based), or a `cid`. Without `date` the current danmaku come from the 6-minute
        protobuf segments `from_seg`..`to_seg` (0-based, inclusive; all by default), which an
        `AsyncClient` fetches concurrently. With `date` (YYYY-MM-DD, login required) the
        danmaku of that day come from the history endpoint.
        """
        t = _target(video, aid, bvid, cid, page_index)
        lo, hi = _segment_range(from_seg, to_seg)
        day = None if date is None else _v.date("date", date)
        if day is not None:
            _need_login(self._api._client, "history danmaku (date=...)")
        aid_, cid_, duration = await self._locate_part(t)
        if day is not None:
            return _merge(
                [await self._api.get_history_danmaku_segment(cid=cid_, date=day, aid=aid_)]
            )
        wanted = _segments(duration, lo, hi)
        import asyncio  # here: sync programs never load asyncio

        gate = asyncio.Semaphore(CONCURRENT_SEGMENTS)

        async def one(i: int) -> list[Danmaku]:
            async with gate:
                return await self._api.get_danmaku_segment(cid=cid_, segment_index=i + 1, aid=aid_)

        if wanted is not None:
            return _merge(await asyncio.gather(*(one(i) for i in wanted)))
        # Length unknown: fetch a window at a time until a window holds an empty segment.
        chunks: list[list[Danmaku]] = []
        i = lo
        while hi is None or i <= hi:
            stop = i + CONCURRENT_SEGMENTS if hi is None else min(i + CONCURRENT_SEGMENTS, hi + 1)
            window = await asyncio.gather(*(one(n) for n in range(i, stop)))
            for chunk in window:
                if not chunk:
                    return _merge(chunks)
                chunks.append(chunk)
            i = stop
        return _merge(chunks)

    async def get_special_danmakus(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
    ) -> list[SpecialDanmaku]:
        """Get a part's special (BAS / code) danmaku, from the files the danmaku view lists."""
        t = _target(video, aid, bvid, cid, page_index)
        aid_, cid_, _ = await self._locate_part(t)
        view = await self._api.get_danmaku_view(cid=cid_, aid=aid_)
        calls = [
            _file_call(url, "special_danmaku_file", "bilibili_sdk.danmaku:parse_special")
            for url in view.special_dms
        ]
        import asyncio

        files = await asyncio.gather(*(self._api._client._request(c) for c in calls))
        return [d for f in files for d in f]

    async def get_subtitle(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        cid: int | None = None,
        page_index: int = 0,
        lan: str | None = None,
    ) -> dict[str, Any]:
        """Get one CC subtitle track of a part as its JSON document (login required).

        `lan` picks the language (`zh-CN`, `ai-zh`...); the first track by default. Convert
        the result with `bilibili_sdk.subtitle` (`to_srt`, `to_ass`, `to_lrc`).
        """
        t = _target(video, aid, bvid, cid, page_index)
        if not t.needs_pages:
            raise ArgsException(
                f"video: give the video, as {_v.VIDEO_FORMS} (or aid= / bvid=); "
                "a cid alone is not enough for subtitles",
                argument="video",
            )
        _, cid_, _ = await self._locate_part(t)
        info = await self._api.get_player_info(cid=cid_, aid=t.aid, bvid=t.bvid)
        call = _file_call(_subtitle_url(info, lan), "subtitle_file", _JSON_DECODER)
        result: dict[str, Any] = await self._api._client._request(call)
        return result

    def online_monitor(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        page_index: int = 0,
        cid: int | None = None,
        heartbeat_interval: float | None = None,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        hosts: Sequence[str] | None = None,
    ) -> AsyncVideoOnlineMonitor:
        """Open a connection that reports a part's live viewer count and realtime danmaku.

        Nothing connects until it is entered, run or iterated. The arguments are those of
        `bilibili_sdk.video_online.VideoOnlineMonitor` (`AsyncVideoOnlineMonitor` for an
        `AsyncClient`).
        """
        from ..video_online import AsyncVideoOnlineMonitor

        aid, bvid = _video(video, aid, bvid)
        if aid is None and bvid is None:  # a cid alone does not name the video's room
            _v.video(None, None, None)
        return AsyncVideoOnlineMonitor(
            self._api._client,
            aid=aid,
            bvid=bvid,
            page_index=page_index,
            cid=cid,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            reconnect=reconnect,
            max_retries=max_retries,
            backoff=backoff,
            open_timeout=open_timeout,
            max_queue=max_queue,
            hosts=hosts,
        )

    async def download(
        self,
        video: str | int,
        dest: str | os.PathLike[str],
        *,
        page: int = 0,
        quality: int | None = None,
        codec: str | Sequence[str] | None = None,
        audio_quality: int | str | None = None,
        merge: bool = True,
        danmaku: str | None = None,
        subtitles: bool | str | None = None,
        filename: str | None = None,
        overwrite: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> DownloadResult:
        """Download one part of a video (or a bangumi episode) into the directory `dest`.

        Args:
            video: a BV id, an av number (int), or any video or episode link `parse_link`
                understands (a b23.tv share link is resolved first). A link's `?p=` picks
                the part when `page` is left at 0.
            dest: the directory to write into (created when missing).
            page: the part, 0-based.
            quality: a quality number (127 8K, 120 4K, 116 1080P60, 112 1080P+, 80 1080P,
                64 720P, 32 480P, 16 360P); the best below it when not offered, the best
                allowed by the login when None.
            codec: "avc", "hevc" or "av1", or a sequence of them in order of preference;
                another codec of the chosen quality when none is offered (default order
                avc, hevc, av1: the most playable first).
            audio_quality: 30280 (192K), 30232, 30216, "dolby" or "hires"; the next best
                when not offered; the best AAC stream when None.
            merge: join video and audio with `ffmpeg -c copy` (when ffmpeg is on PATH) into
                `<name>.mp4` (`.mkv` for Hi-Res FLAC) and remove the two streams; without
                ffmpeg, or with False, the streams are kept as `<name>.video.m4s` and
                `<name>.audio.m4s`.
            danmaku: "ass" or "xml" to write the part's danmaku beside the video.
            subtitles: True (the first track) or a language ("zh-CN") to write an SRT
                beside the video (needs a logged-in credential).
            filename: the file name without extension; the title (and part) by default.
            overwrite: fetch again and replace files that exist; by default a finished
                output is kept and the download skipped.
            progress: called as `progress(done_bytes, total_bytes)` while bytes arrive; the
                total grows when the audio stream starts.

        Every stream goes to `<file>.part`, is resumed with HTTP Range after a dropped
        connection (also by a later call: a `.part` left behind is resumed), is checked
        against the server's length and renamed into place only when complete; mirror URLs
        (`backup_url`) are tried in order. What was chosen instead of what was asked is in
        `result.notes`. Raises `DownloadException` when every URL of a stream fails.
        """
        from .. import _download as _d

        client = self._api._client
        page_ = _d.check_page(page)
        name = _d.check_filename(filename)
        opts = _d.check_options(
            dest=dest,
            quality=quality,
            codec=codec,
            audio_quality=audio_quality,
            merge=merge,
            danmaku=danmaku,
            subtitles=subtitles,
            overwrite=overwrite,
            progress=progress,
            logged_in=_logged_in(client),
        )
        target = _d.video_target(video, page_)
        job = _d.Job(target, opts, name, client.max_retries, _d.Tally(progress))
        return await _d.drive_async(client, _d.download_flow(job))  # type: ignore[no-any-return]

    async def download_batch(
        self,
        source: str | int | None,
        dest: str | os.PathLike[str],
        *,
        pages: Sequence[int] | None = None,
        concurrency: int = 3,
        quality: int | None = None,
        codec: str | Sequence[str] | None = None,
        audio_quality: int | str | None = None,
        merge: bool = True,
        danmaku: str | None = None,
        subtitles: bool | str | None = None,
        overwrite: bool = False,
        progress: Callable[[int, int], object] | None = None,
        media_id: int | None = None,
        season_id: int | None = None,
        series_id: int | None = None,
        ep_id: int | None = None,
        mid: int | None = None,
    ) -> BatchResult:
        """Download many parts: every part of a video (or `pages`), a favourite folder, an
        uploader's season or series, or a bangumi season, `concurrency` at a time.

        Args:
            source: a video (BV id, av number, link), a favourite folder (`ml123` or its
                link), a season or series link (`space.bilibili.com/<mid>/channel/...`), a
                bangumi season or episode (`ss123`, `ep123` or their links); or None with
                one of the keyword forms below.
            dest: the directory; a folder, season or bangumi goes into a subdirectory
                named after it, a multi-part video into one named after its title.
            pages: for a video, the parts to fetch (0-based); all by default.
            concurrency: items downloaded at the same time (1 to 32).
            media_id, season_id, series_id, ep_id, mid: the keyword forms: a favourite
                folder; a bangumi season (or, with `mid`, an uploader's season); an
                uploader's series (with `mid`, its owner); a bangumi episode's season.
            progress: `progress(done_bytes, total_bytes)` over the whole batch.

        The other arguments are those of `download`. A failed item does not stop the
        others: it is in `result.failures`; the batch raises `DownloadException` only when
        every item failed.
        """
        from .. import _download as _d

        client = self._api._client
        opts = _d.check_options(
            dest=dest,
            quality=quality,
            codec=codec,
            audio_quality=audio_quality,
            merge=merge,
            danmaku=danmaku,
            subtitles=subtitles,
            overwrite=overwrite,
            progress=progress,
            logged_in=_logged_in(client),
        )
        src = _d.batch_source(source, media_id, season_id, series_id, ep_id, mid)
        wanted = _d.check_pages(pages)
        limit = _d.check_concurrency(concurrency)
        job = _d.Job(_d.Target(), opts, None, client.max_retries, _d.Tally(progress))
        return await _d.batch_async(client, src, wanted, job, limit)


_JSON_DECODER = "bilibili_sdk._extras.video:_json_file"

"""The `bili` commands (typer). `bilibili_sdk.cli` documents them and the exit codes."""

from __future__ import annotations

import contextlib
import datetime
import enum
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from ..links import SHORT_LINK_HOSTS, ParsedLink, ResourceType, parse_link
from . import _env
from ._errors import CliError, ExitCode, exit_code_for, message_for
from ._output import Output

EPILOG = (
    "Exit codes: 0 ok · 1 unexpected error · 2 bad usage or argument · "
    "3 network error or timeout · 4 Bilibili refused (not found, risk control...) · "
    "5 login required or expired (bili login) · 6 optional dependency missing · "
    "7 local file error · 8 transfer failed (run again to resume) · 130 interrupted."
)

app = typer.Typer(
    name="bili",
    help="Bilibili from the command line: info, search, danmaku, download, upload, live, login.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON on stdout (same as bili --json).")
]


@app.callback()
def _global(
    ctx: typer.Context,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Use the built-in mock Bilibili on a loopback port (no network)."
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    cookies: Annotated[
        Path | None,
        typer.Option(
            "--cookies",
            envvar=_env.COOKIES_ENV,
            help="Netscape cookies.txt to log in with (default: the file `bili login` saved, "
            "~/.config/bilibili_sdk/cookies.txt or under $XDG_CONFIG_HOME).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="Seconds to wait for each request."),
    ] = None,
) -> None:
    ctx.obj = _env.Settings(offline=offline, json=json_, cookies=cookies, timeout=timeout)


# ---------------------------------------------------------------- plumbing


def _settings(ctx: typer.Context) -> _env.Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, _env.Settings) else _env.Settings()


@contextlib.contextmanager
def _command(ctx: typer.Context, json_flag: bool = False) -> Iterator[tuple[Output, _env.Settings]]:
    """Run a command's body: every exception leaves through `exit_code_for` (one place),
    with one line on stderr. BILI_DEBUG=1 shows the traceback of unexpected errors."""
    settings = _settings(ctx)
    if json_flag:
        settings.json = True
    out = Output(json_mode=settings.json)
    try:
        yield out, settings
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        out.error("interrupted")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except Exception as e:
        code = exit_code_for(e)
        if code == ExitCode.UNEXPECTED and os.environ.get("BILI_DEBUG"):
            raise
        out.error(message_for(e))
        raise typer.Exit(code) from None


@contextlib.contextmanager
def _open(out: Output, settings: _env.Settings) -> Iterator[_env.Env]:
    """The command's client; offline, a note on stderr that the answers are the mock's."""
    with _env.open_env(settings) as env:
        if env.offline:
            out.say(f"offline: the mock Bilibili at {env.base_url} answers (example data)")
        yield env


def _is_short_link(text: str) -> bool:
    url = text if "://" in text else f"https://{text}"
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host in SHORT_LINK_HOSTS


def _parse(text: str) -> ParsedLink | None:
    """What `text` points at without the network, or None (also for b23.tv links)."""
    try:
        return parse_link(text.strip())
    except ValueError:
        return None


def _precheck(text: str) -> ParsedLink | None:
    """The pure parse, before any client is made: None only for share links (b23.tv),
    which need the network; anything else unknown is a usage error."""
    link = _parse(text)
    if link is None and not _is_short_link(text.strip()):
        raise CliError(f"not a Bilibili link or id: {text!r}")
    return link


def _resolve(client: Any, text: str) -> ParsedLink:
    """Any link or bare id parse_link knows; share links (b23.tv) through the client."""
    link = _parse(text)
    if link is None and _is_short_link(text.strip()):
        link = client.parse_link(text.strip())
    if link is None:
        raise CliError(f"not a Bilibili link or id: {text!r}")
    return link


def _plain(text: object) -> str:
    """Search titles carry <em class="keyword"> highlights; show plain text."""
    return re.sub(r"<[^>]+>", "", str(text or ""))


def _duration(seconds: float | int) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _when(ts: int | None) -> str:
    if not ts:
        return ""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def _page_index(option: int | None, link: ParsedLink | None) -> int:
    """The 0-based part: --page (1-based, like the site's P1, P2) over the link's ?p=."""
    page = option if option is not None else (link.page if link and link.page else 1)
    if page < 1:
        raise CliError(f"--page: expected 1 or more, got {page}")
    return page - 1


# ---------------------------------------------------------------- info

_INFO_KINDS = "videos, users, live rooms, articles, bangumi seasons and episodes"


def _info_video(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    v = client.video.get_info(str(link.id))
    pairs: list[tuple[str, Any]] = [
        ("bvid", v.bvid),
        ("aid", v.aid),
        ("title", v.title),
        ("owner", f"{v.owner.name} (uid {v.owner.mid})"),
        ("duration", _duration(v.duration)),
        ("published", _when(v.pubdate)),
        ("views", v.stat.view),
        ("likes", v.stat.like),
        ("coins", v.stat.coin),
        ("favorites", v.stat.favorite),
        ("danmaku", v.stat.danmaku),
        ("replies", v.stat.reply),
        ("pages", len(v.pages or [])),
    ]
    for p in v.pages or []:
        pairs.append((f"P{p.page}", f"{p.part} ({_duration(p.duration)}, cid {p.cid})"))
    return f"video {v.bvid}", pairs, v


def _info_user(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    u = client.user.get_card(int(link.id))
    card = u.card
    pairs = [
        ("mid", card.mid),
        ("name", card.name),
        ("sign", card.sign),
        ("fans", u.follower or card.fans),
        ("following", card.attention),
        ("videos", u.archive_count),
        ("articles", u.article_count),
        ("likes", u.like_num),
    ]
    return f"user {card.mid}", pairs, u


_LIVE_STATUS = {0: "offline", 1: "live", 2: "replaying videos"}


def _info_live(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    r = client.live.get_room_info(int(link.id))
    room = r.room_info
    anchor = r.anchor_info.base_info
    pairs = [
        ("room_id", room.room_id),
        ("short_id", room.short_id),
        ("title", room.title),
        ("streamer", f"{anchor.uname} (uid {room.uid})"),
        ("status", _LIVE_STATUS.get(room.live_status, room.live_status)),
        ("area", f"{room.parent_area_name} / {room.area_name}"),
        ("online", room.online),
        ("live since", _when(room.live_start_time) if room.live_status == 1 else ""),
    ]
    return f"live room {room.room_id}", pairs, r


def _info_article(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    a = client.article.get_info(int(link.id))
    pairs = [
        ("cvid", link.id),
        ("title", a.title.strip()),
        ("author", f"{a.author_name} (uid {a.mid})"),
        ("views", a.stats.view),
        ("likes", a.stats.like),
        ("coins", a.stats.coin),
        ("favorites", a.stats.favorite),
        ("replies", a.stats.reply),
    ]
    return f"article cv{link.id}", pairs, a


def _season_pairs(s: Any) -> list[tuple[str, Any]]:
    return [
        ("season_id", s.season_id),
        ("media_id", s.media_id),
        ("title", s.title),
        ("season", s.season_title),
        ("episodes", len(s.episodes or [])),
        ("rating", f"{s.rating.score} ({s.rating.count} votes)" if s.rating.count else ""),
        ("views", s.stat.views),
        ("link", s.share_url or s.link),
    ]


def _info_bangumi(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    season_id = int(link.id)
    if link.id_name == "media_id":
        season_id = client.bangumi.get_media_info(int(link.id)).media.season_id
    s = client.bangumi.get_season(season_id)
    return f"bangumi season {s.season_id}", _season_pairs(s), s


def _info_episode(client: Any, link: ParsedLink) -> tuple[str, list[tuple[str, Any]], Any]:
    e = client.bangumi.get_episode(int(link.id))
    pairs = [
        ("ep_id", e.id),
        ("title", f"{e.title} {e.long_title}".strip()),
        ("bvid", e.bvid),
        ("aid", e.aid),
        ("cid", e.cid),
        ("duration", _duration(e.duration / 1000)),  # milliseconds here
        ("published", _when(e.pub_time)),
        ("link", e.share_url or e.link),
    ]
    return f"episode ep{e.id}", pairs, e


_INFO = {
    ResourceType.VIDEO: _info_video,
    ResourceType.INTERACTIVE_VIDEO: _info_video,
    ResourceType.USER: _info_user,
    ResourceType.LIVE: _info_live,
    ResourceType.ARTICLE: _info_article,
    ResourceType.BANGUMI: _info_bangumi,
    ResourceType.EPISODE: _info_episode,
}


@app.command()
def info(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(help="BV id, av number, or any Bilibili link (user, live, ss/ep, cv...)."),
    ],
    json_: JsonOpt = False,
) -> None:
    """Show what a link or id points at: a video (title, owner, stats, parts, duration),
    a user, a live room, an article, a bangumi season or episode."""
    with _command(ctx, json_) as (out, settings):
        link = _precheck(target)
        if link is not None and link.type not in _INFO:
            raise CliError(_unsupported("bili info", link))
        with _open(out, settings) as env:
            link = _resolve(env.client, target)
            show = _INFO.get(link.type)
            if show is None:
                raise CliError(_unsupported("bili info", link))
            title, pairs, model = show(env.client, link)
        if out.json:
            out.emit_json({"type": link.type.value, "id": link.id, "data": _dump(model)})
        else:
            out.fields(title, pairs)


def _unsupported(command: str, link: ParsedLink) -> str:
    return (
        f"{command} does not support {link.type.value.replace('_', ' ')} links "
        f"(it takes {_INFO_KINDS})"
    )


# ---------------------------------------------------------------- search


class SearchKind(str, enum.Enum):
    video = "video"
    user = "user"
    live = "live"
    article = "article"
    bangumi = "bangumi"


# kind -> (search_type of search_by_type, column headers, attribute per column)
_SEARCH: dict[SearchKind, tuple[str, list[str], list[str]]] = {
    SearchKind.video: (
        "video",
        ["bvid", "title", "author", "plays", "duration"],
        ["bvid", "title", "author", "play", "duration"],
    ),
    SearchKind.user: (
        "bili_user",
        ["mid", "name", "fans", "videos", "sign"],
        ["mid", "uname", "fans", "videos", "usign"],
    ),
    SearchKind.article: (
        "article",
        ["cvid", "title", "uid", "views", "likes"],
        ["id", "title", "mid", "view", "like"],
    ),
    SearchKind.bangumi: (
        "media_bangumi",
        ["season_id", "title", "kind", "episodes", "score"],
        ["season_id", "title", "season_type_name", "ep_size", "media_score.score"],
    ),
    SearchKind.live: (
        "live_room",
        ["room_id", "title", "streamer", "online", "area"],
        ["roomid", "title", "uname", "online", "cate_name"],
    ),
}


def _attr(item: Any, path: str) -> Any:
    for part in path.split("."):
        item = getattr(item, part, None)
        if item is None:
            return None
    return item


@app.command()
def search(
    ctx: typer.Context,
    keyword: Annotated[str, typer.Argument(help="Words to search for.")],
    type_: Annotated[
        SearchKind, typer.Option("--type", "-t", help="Kind of result.", case_sensitive=False)
    ] = SearchKind.video,
    page: Annotated[int, typer.Option("--page", min=1, max=50, help="Result page.")] = 1,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most N hits.")] = 20,
    json_: JsonOpt = False,
) -> None:
    """Search Bilibili: one table row per hit."""
    with _command(ctx, json_) as (out, settings):
        if not keyword.strip():
            raise CliError("keyword: expected some words to search for")
        search_type, headers, attrs = _SEARCH[type_]
        with _open(out, settings) as env:
            if type_ is SearchKind.live:
                result = env.client.search.search_live(keyword, page=page)
                hits: list[Any] = list(result.result.live_room or [])
            else:
                result = env.client.search.search_by_type(
                    keyword, search_type=search_type, page=page
                )
                hits = list(result.result or [])
        hits = hits[:limit]
        if out.json:
            out.emit_json(
                {
                    "keyword": keyword,
                    "type": type_.value,
                    "page": page,
                    "num_results": result.num_results,
                    "num_pages": result.num_pages,
                    "results": [_dump(h) for h in hits],
                }
            )
            return
        rows = [
            [_plain(v) if a == "title" else v for a, v in ((a, _attr(h, a)) for a in attrs)]
            for h in hits
        ]
        out.table(
            f"{type_.value} results for {keyword!r}: page {page} of {result.num_pages}, "
            f"{result.num_results} in all",
            headers,
            rows,
        )
        if not hits:
            out.say("no results")


# ---------------------------------------------------------------- danmaku


class DanmakuFormat(str, enum.Enum):
    xml = "xml"
    ass = "ass"
    json = "json"


def _check_video(link: ParsedLink) -> ParsedLink:
    if link.type not in (ResourceType.VIDEO, ResourceType.INTERACTIVE_VIDEO):
        kind = link.type.value.replace("_", " ")
        article = "an" if kind[0] in "aeiou" else "a"
        raise CliError(
            f"expected a video (BV id, av number or video link), got {article} {kind} link"
        )
    return link


def _video_link(client: Any, text: str) -> ParsedLink:
    return _check_video(_resolve(client, text))


@app.command()
def danmaku(
    ctx: typer.Context,
    video: Annotated[str, typer.Argument(help="BV id, av number or video link.")],
    page: Annotated[
        int | None,
        typer.Option("--page", "-p", help="Part, from 1 (default: the link's ?p= or 1)."),
    ] = None,
    format_: Annotated[
        DanmakuFormat | None,
        typer.Option(
            "--format", "-f", help="xml (Bilibili's), ass (subtitles) or json.", show_default="xml"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of stdout."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Get a part's danmaku as XML, ASS subtitles or JSON."""
    with _command(ctx, json_) as (out, settings):
        if out.json and format_ not in (None, DanmakuFormat.json) and output is None:
            raise CliError("--json prints JSON: give -o FILE for the xml or ass file")
        # --json: the danmaku as JSON on stdout; with -o, the file (xml unless --format)
        # and a JSON summary on stdout.
        to_stdout_json = out.json and output is None
        fmt = format_ or (DanmakuFormat.json if to_stdout_json else DanmakuFormat.xml)
        link = _precheck(video)
        if link is not None:  # bad input fails before any client is made
            _check_video(link)
        _page_index(page, link)
        with _open(out, settings) as env:
            link = _video_link(env.client, video)
            index = _page_index(page, link)
            items = env.client.video.get_danmakus(str(link.id), page_index=index)
        from ..danmaku import to_ass, to_xml

        if fmt is DanmakuFormat.xml:
            text = to_xml(items)
        elif fmt is DanmakuFormat.ass:
            text = to_ass(items, title=f"{link.id} P{index + 1}")
        else:
            import json as _json

            text = _json.dumps([d._asdict() for d in items], ensure_ascii=False) + "\n"
        if output is None:
            out.stdout.write(text if text.endswith("\n") else text + "\n")
            out.stdout.flush()
            return
        _env.atomic_write(output, text.encode("utf-8"))
        if out.json:
            out.emit_json({"output": str(output), "format": fmt.value, "count": len(items)})
        else:
            out.say(
                f"{len(items)} danmaku of {link.id} P{index + 1} written to {output} ({fmt.value})"
            )


# ---------------------------------------------------------------- download

_CODECS = ("avc", "hevc", "av1")
_BATCH_TYPES = {
    ResourceType.FAVORITE_LIST,
    ResourceType.CHANNEL_SERIES,
    ResourceType.BANGUMI,
    ResourceType.EPISODE,
}
_DOWNLOAD_TYPES = {ResourceType.VIDEO, ResourceType.INTERACTIVE_VIDEO} | _BATCH_TYPES


def _codecs(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [c.strip().lower() for c in text.split(",") if c.strip()]
    bad = [c for c in names if c not in _CODECS]
    if not names or bad:
        raise CliError(
            f"--codec: expected a comma-separated list of {', '.join(_CODECS)}, got {text!r}"
        )
    return names


def _batch_source(link: ParsedLink) -> str:
    """What to hand download_batch: the link in a canonical form parse_link reads back
    (a b23.tv share link has been resolved by then; the batch need not resolve it again)."""
    if link.type in (ResourceType.VIDEO, ResourceType.INTERACTIVE_VIDEO):
        return str(link.id)
    if link.type is ResourceType.FAVORITE_LIST:
        return f"ml{link.id}"
    if link.type is ResourceType.EPISODE:
        return f"ep{link.id}"
    if link.type is ResourceType.BANGUMI:
        return f"{'md' if link.id_name == 'media_id' else 'ss'}{link.id}"
    if link.type is ResourceType.CHANNEL_SERIES:
        page = "seriesdetail" if link.id_name == "series_id" else "collectiondetail"
        return f"https://space.bilibili.com/{link.mid}/channel/{page}?sid={link.id}"
    raise CliError(f"bili download does not support {link.type.value.replace('_', ' ')} links")


def _failure(failure: Any) -> tuple[Any, BaseException]:
    """A batch failure: an `(item, exception)` pair or an object with `.item`/`.error`."""
    if isinstance(failure, tuple):
        item, error = failure
        return item, error
    return failure.item, failure.error


def _result_json(r: Any) -> dict[str, Any]:
    def path(p: Any) -> str | None:
        return None if p is None else str(p)

    return {
        "title": getattr(r, "title", None),
        "video_path": path(getattr(r, "video_path", None)),
        "audio_path": path(getattr(r, "audio_path", None)),
        "output_path": path(getattr(r, "output_path", None)),
        "quality": getattr(r, "quality", None),
        "codec": getattr(r, "codec", None),
        "audio_quality": getattr(r, "audio_quality", None),
        "danmaku_path": path(getattr(r, "danmaku_path", None)),
        "subtitle_path": path(getattr(r, "subtitle_path", None)),
        "skipped": bool(getattr(r, "skipped", False)),
        "notes": [str(n) for n in (getattr(r, "notes", None) or [])],
    }


def _result_rows(r: Any) -> list[tuple[str, Any]]:
    d = _result_json(r)
    rows: list[tuple[str, Any]] = [("title", d["title"])] if d["title"] else []
    if d["output_path"]:
        rows.append(("output", d["output_path"]))
    else:
        rows += [("video", d["video_path"]), ("audio", d["audio_path"])]
    rows += [
        ("quality", d["quality"]),
        ("codec", d["codec"]),
        ("audio quality", d["audio_quality"]),
    ]
    rows += [(k, d[f"{k}_path"]) for k in ("danmaku", "subtitle") if d[f"{k}_path"]]
    if d["skipped"]:
        rows.append(("skipped", "already there (--overwrite fetches it again)"))
    rows += [("note", n) for n in d["notes"]]
    return rows


class DanmakuFile(str, enum.Enum):
    ass = "ass"
    xml = "xml"


@app.command()
def download(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(help="BV id, av number, video link, favourite folder, series, ss/ep link."),
    ],
    page: Annotated[
        int | None,
        typer.Option("--page", "-p", help="Part, from 1 (default: the link's ?p= or 1)."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every part of the video.")] = False,
    quality: Annotated[
        int | None,
        typer.Option(
            "--quality",
            "-q",
            help="Quality number: 127 8K, 120 4K, 116 1080P60, 80 1080P, 64 720P, 32 480P, 16 360P (default: the best allowed).",
        ),
    ] = None,
    codec: Annotated[
        str | None,
        typer.Option("--codec", "-c", help="Codec preference, e.g. hevc,avc (avc, hevc, av1)."),
    ] = None,
    audio_quality: Annotated[
        int | None,
        typer.Option(
            "--audio-quality", help="30280 192K, 30232 132K, 30216 64K, 30250 Dolby, 30251 Hi-Res."
        ),
    ] = None,
    dest: Annotated[Path, typer.Option("--dir", "-d", help="Directory to save into.")] = Path("."),
    no_merge: Annotated[
        bool, typer.Option("--no-merge", help="Keep video and audio apart (no ffmpeg).")
    ] = False,
    danmaku_: Annotated[
        DanmakuFile | None, typer.Option("--danmaku", help="Also save the danmaku (ass or xml).")
    ] = None,
    subtitles: Annotated[
        bool, typer.Option("--subtitles", help="Also save subtitles (SRT).")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=16, help="Downloads at once in batches.")
    ] = 3,
    json_: JsonOpt = False,
) -> None:
    """Download a video (or a batch: --all parts, a favourite folder, a series, a bangumi
    season) with the chosen quality and codec; resumes where an earlier run stopped."""
    with _command(ctx, json_) as (out, settings):
        if page is not None and all_:
            raise CliError("--page and --all exclude each other")
        codecs = _codecs(codec)
        link = _precheck(target)
        if link is not None and link.type not in _DOWNLOAD_TYPES:
            raise CliError(
                f"bili download does not support {link.type.value.replace('_', ' ')} links"
            )
        if link is not None and link.type in _BATCH_TYPES and page is not None:
            raise CliError("--page applies to a video, not to a batch")
        if link is not None:
            _page_index(page, link)
        common: dict[str, Any] = {
            "quality": quality,
            "codec": codecs,
            "audio_quality": audio_quality,
            "merge": not no_merge,
            "danmaku": danmaku_.value if danmaku_ else None,
            "subtitles": True if subtitles else None,
        }
        # download_batch takes `overwrite` too (not in the signature first agreed on):
        # passed only when asked for.
        batch_extra: dict[str, Any] = {"overwrite": True} if overwrite else {}
        with _open(out, settings) as env:
            link = _resolve(env.client, target)
            if link.type not in _DOWNLOAD_TYPES:
                raise CliError(
                    f"bili download does not support {link.type.value.replace('_', ' ')} links"
                )
            batch = all_ or link.type in _BATCH_TYPES
            label = str(link.id) if not batch else f"{link.type.value} {link.id}"
            with out.progress(label) as progress:
                if batch:
                    outcome = env.client.video.download_batch(
                        _batch_source(link),
                        dest,
                        pages=None,
                        concurrency=concurrency,
                        progress=progress,
                        **common,
                        **batch_extra,
                    )
                    results = list(outcome.results)
                    failures = [_failure(f) for f in outcome.failures]
                else:
                    result = env.client.video.download(
                        str(link.id),
                        dest,
                        page=_page_index(page, link),
                        progress=progress,
                        overwrite=overwrite,
                        **common,
                    )
                    results, failures = [result], []
        if out.json:
            out.emit_json(
                {
                    "results": [_result_json(r) for r in results],
                    "failures": [
                        {
                            "item": str(item),
                            "error": message_for(e),
                            "exit_code": int(exit_code_for(e)),
                        }
                        for item, e in failures
                    ],
                }
            )
        else:
            for r in results:
                out.fields(f"downloaded {label}", _result_rows(r))
            for item, e in failures:
                out.error(f"{item}: {message_for(e)}")
        if failures:
            raise typer.Exit(exit_code_for(failures[0][1]))


# ---------------------------------------------------------------- upload


@app.command()
def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The video file.")],
    title: Annotated[str, typer.Option("--title", help="Title (at most 80 characters).")],
    tid: Annotated[int, typer.Option("--tid", help="Zone id (bilibili_sdk.zones).")],
    tags: Annotated[
        list[str] | None, typer.Option("--tag", help="A tag; repeat for several.")
    ] = None,
    desc: Annotated[str, typer.Option("--desc", help="Description.")] = "",
    cover: Annotated[Path | None, typer.Option("--cover", help="Cover image (jpg/png).")] = None,
    copyright_: Annotated[
        int,
        typer.Option("--copyright", min=1, max=2, help="1 original, 2 repost (needs --source)."),
    ] = 1,
    source: Annotated[
        str | None, typer.Option("--source", help="Where a repost comes from.")
    ] = None,
    threads: Annotated[
        int, typer.Option("--threads", min=1, max=16, help="Chunks uploaded at once.")
    ] = 3,
    line: Annotated[
        str | None, typer.Option("--line", help="Upload line, e.g. bda2 (default: probe).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Upload a video (login needed): chunked, resumable, with a progress bar."""
    with _command(ctx, json_) as (out, settings):
        if copyright_ == 2 and not source:
            raise CliError("--copyright 2 (repost) needs --source URL")
        if not file.is_file():
            raise CliError(f"no such file: {file}")
        if cover is not None and not cover.is_file():
            raise CliError(f"no such cover file: {cover}")
        with _open(out, settings) as env, out.progress(f"uploading {file.name}") as progress:
            result = env.client.upload.video(
                file,
                title=title,
                tid=tid,
                tags=list(tags or []),
                desc=desc,
                cover=cover,
                copyright=copyright_,
                source=source,
                line=line,
                threads=threads,
                progress=progress,
            )
        url = f"https://www.bilibili.com/video/{result.bvid}"
        if out.json:
            out.emit_json({"aid": result.aid, "bvid": result.bvid, "url": url})
        else:
            out.fields("uploaded", [("aid", result.aid), ("bvid", result.bvid), ("url", url)])


# ---------------------------------------------------------------- live


def _room(text: str) -> int:
    if text.isdigit():
        return int(text)
    link = _parse(text)
    if link is None or link.type is not ResourceType.LIVE:
        raise CliError(f"expected a live room id or live.bilibili.com link, got {text!r}")
    return int(link.id)


def _describe(event: Any) -> str:
    from ..live import DanmakuMessage, Popularity, SendGift, SuperChat

    if isinstance(event, DanmakuMessage):
        return f"{event.uname}: {event.text}"
    if isinstance(event, SendGift):
        return f"{event.uname} sent {event.num} x {event.gift_name}"
    if isinstance(event, SuperChat):
        return f"{event.uname} (SC ¥{event.price}): {event.message}"
    if isinstance(event, Popularity):
        return f"popularity {event.popularity}"
    return ""


@app.command()
def live(
    ctx: typer.Context,
    room: Annotated[str, typer.Argument(help="Room id (short ids work) or live room link.")],
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="Stop after N events.")
    ] = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", "-s", min=0.1, help="Stop after S seconds.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Print a live room's events (danmaku, gifts, super chats...) one per line."""
    with _command(ctx, json_) as (out, settings):
        room_id = _room(room)
        from ..live._setup import require_live_extra

        require_live_extra(sync=True, need_brotli=True)
        with _open(out, settings) as env, env.client.live.connect(room_id) as conn:
            out.say(f"connected to live room {room_id}; Ctrl-C stops")
            if env.on_live_open is not None:
                env.on_live_open()
            timer = threading.Timer(seconds, conn.close) if seconds else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            seen = 0
            try:
                for event in conn:
                    if out.json:
                        body = event.model_dump(mode="json", exclude={"raw"})
                        out.emit_json({"type": type(event).__name__, **body})
                    else:
                        out.line(f"{event.cmd}\t{_describe(event)}".rstrip("\t"))
                    seen += 1
                    if count is not None and seen >= count:
                        break
            finally:
                if timer is not None:
                    timer.cancel()


# ---------------------------------------------------------------- login


@app.command()
def login(
    ctx: typer.Context,
    tv: Annotated[bool, typer.Option("--tv", help="Log in as the TV client.")] = False,
    cookies: Annotated[
        Path | None,
        typer.Option(
            "--cookies",
            help="Where to save (default: the file other commands load).",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Log in by scanning a QR code with the Bilibili app; saves the cookies (mode 0600)."""
    with _command(ctx, json_) as (out, settings):
        if cookies is not None:
            settings.cookies = cookies
        path, _named = _env.cookie_path(settings)
        settings.use_cookies = False  # a new login, whatever the file holds
        from ..login import QrState

        with _open(out, settings) as env:
            qr = env.client.login.start_qr(tv=tv)
            out.say(
                f"Scan this QR code with the Bilibili app ({'TV' if tv else 'web'} login; it expires in about 3 minutes):"
            )
            try:
                # Written as is: rich would escape the ANSI colours (black on white, so
                # the code scans on dark and light themes alike); plain when piped.
                out.stderr.write(qr.terminal(ansi=out.err_tty) + "\n")
                out.stderr.flush()
            except ImportError as e:  # segno is in the login extra
                out.say(f"({e})\nOr encode this URL as a QR code yourself: {qr.url}")
            messages = {
                "SCANNED": "Scanned: confirm the login in the app.",
                "WAITING": "Waiting for a scan...",
            }

            def on_change(state: QrState) -> None:
                if state.name in messages:
                    out.say(messages[state.name])

            credential = qr.wait(interval=env.qr_interval, on_change=on_change)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        credential.to_cookies_txt(path)  # atomic, readable by the owner only
        mid = credential.dedeuserid
        if out.json:
            out.emit_json({"mid": int(mid) if str(mid).isdigit() else mid, "cookies": str(path)})
        else:
            out.say(
                f"Logged in as user {mid}. Cookies saved to {path} (readable by you only; keep it secret)."
            )

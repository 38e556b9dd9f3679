"""What a Bilibili link points at, without the network: `parse_link(url) -> ParsedLink | None`.

Pure: page URLs of every kind, mobile pages, and bare ids (`BV1...`, `av170001`, `ml...`,
`cv...`, `au...`, `am...`, `rl...`, `uid...`, `ep...`, `ss...`, `md...`). What needs the
network is `client.parse_link(url)`: b23.tv short links, and videos that turn out to be
interactive or bangumi episodes.

Only Bilibili's own hosts count: `https://www.bilibili.com.evil.org/video/BV...`,
`https://evil.org/?u=www.bilibili.com`, `javascript:` and friends give None.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ._exceptions import ArgsException
from ._ids import aid2bvid, bvid2aid

__all__ = ["ParsedLink", "ResourceType", "parse_link", "SHORT_LINK_HOSTS"]

MAX_URL_LENGTH = 4096
"""Longer input is not a link anyone shares; it gives None without being parsed."""

SHORT_LINK_HOSTS = frozenset({"b23.tv", "www.b23.tv", "bili2233.cn", "www.bili2233.cn"})
"""Hosts of share links that only the network can resolve (`client.get_real_url`)."""


class ResourceType(str, enum.Enum):
    """The kinds of things a link points at (named as in bilibili-api-python)."""

    VIDEO = "video"
    INTERACTIVE_VIDEO = "interactive_video"
    BANGUMI = "bangumi"
    EPISODE = "episode"
    FAVORITE_LIST = "favorite_list"
    CHEESE_VIDEO = "cheese_video"
    AUDIO = "audio"
    AUDIO_LIST = "audio_list"
    ARTICLE = "article"
    USER = "user"
    LIVE = "live"
    CHANNEL_SERIES = "channel_series"
    ARTICLE_LIST = "article_list"
    DYNAMIC = "dynamic"
    BLACK_ROOM = "black_room"
    GAME = "game"
    TOPIC = "topic"
    MANGA = "manga"
    NOTE = "note"
    OPUS = "opus"
    DLC = "dlc"


@dataclass(frozen=True)
class ParsedLink:
    """What a link points at.

    `id` is the identifier to pass to the matching namespace: the BV id for videos, an int
    elsewhere; `id_name` says which identifier it is where a type has several (a bangumi
    link names a `season_id` or a `media_id`, a course link an `epid` or a `season_id`, a
    channel series link a `season_id` or a `series_id`).
    """

    type: ResourceType
    id: str | int
    id_name: str
    page: int | None = None
    """`?p=` of a video link: the 1-based part."""
    time: float | None = None
    """`?t=` of a video link: where to start, in seconds."""
    mid: int | None = None
    """The owner, for links that carry one (channel series, a user's favourite folder)."""

    @property
    def aid(self) -> int | None:
        """The av number of a video link."""
        return bvid2aid(self.id) if isinstance(self.id, str) else None


_BVID = re.compile(r"BV1[1-9A-HJ-NP-Za-km-z]{9}", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
_BARE = re.compile(r"(?P<prefix>uid|ml|cv|au|am|rl|ep|ss|md)(?P<num>[0-9]{1,19})", re.I | re.A)
_BARE_TYPES: dict[str, tuple[ResourceType, str]] = {
    "ml": (ResourceType.FAVORITE_LIST, "media_id"),
    "cv": (ResourceType.ARTICLE, "cvid"),
    "au": (ResourceType.AUDIO, "auid"),
    "am": (ResourceType.AUDIO_LIST, "amid"),
    "rl": (ResourceType.ARTICLE_LIST, "rlid"),
    "uid": (ResourceType.USER, "mid"),
    "ep": (ResourceType.EPISODE, "epid"),
    "ss": (ResourceType.BANGUMI, "season_id"),
    "md": (ResourceType.BANGUMI, "media_id"),
}
_MAX_ID = 2**63 - 1


def _int(text: str | None, prefix: str = "") -> int | None:
    """A positive int64 from `text` after `prefix` (case-insensitive), else None."""
    if text is None or not text.lower().startswith(prefix):
        return None
    rest = text[len(prefix) :]
    if not _DIGITS.fullmatch(rest):
        return None
    value = int(rest)
    return value if 0 < value <= _MAX_ID else None


def _video(token: str) -> str | None:
    """A BV id or an av number (`av170001`) as a BV id."""
    if _BVID.fullmatch(token):
        return token
    if token[:2].upper() == "BV" and _BVID.fullmatch("BV" + token[2:]):
        return "BV" + token[2:]  # `bv1...`: the prefix's case does not matter, the rest does
    aid = _int(token, "av")
    if aid is not None and aid < 2**51:
        return aid2bvid(aid)
    return None


def _bare(text: str) -> ParsedLink | None:
    bvid = _video(text)
    if bvid is not None:
        return ParsedLink(ResourceType.VIDEO, bvid, "bvid")
    m = _BARE.fullmatch(text)
    if m is None:
        return None
    number = _int(m["num"])
    if number is None:
        return None
    kind, name = _BARE_TYPES[m["prefix"].lower()]
    return ParsedLink(kind, number, name)


def _query_int(query: dict[str, list[str]], key: str) -> int | None:
    values = query.get(key)
    return _int(values[0]) if values else None


def _video_link(bvid: str, query: dict[str, list[str]]) -> ParsedLink:
    page = _query_int(query, "p")
    time: float | None = None
    raw = (query.get("t") or [""])[0]
    if re.fullmatch(r"[0-9]{1,9}(?:\.[0-9]{1,3})?", raw, re.A):
        time = float(raw)
        time = time if math.isfinite(time) else None
    return ParsedLink(ResourceType.VIDEO, bvid, "bvid", page=page, time=time)


def _www(parts: list[str], query: dict[str, list[str]]) -> ParsedLink | None:
    """www.bilibili.com (and m.bilibili.com, which uses the same paths for most pages)."""
    head = parts[0] if parts else ""
    second = parts[1] if len(parts) > 1 else ""
    third = parts[2] if len(parts) > 2 else ""
    if head in ("video", "s") and (head == "video" or second == "video"):
        token = second if head == "video" else third
        bvid = _video(token)
        return _video_link(bvid, query) if bvid else None
    if head == "bangumi" and second == "media":
        n = _int(third, "md")
        return ParsedLink(ResourceType.BANGUMI, n, "media_id") if n else None
    if head == "bangumi" and second == "play":
        if (n := _int(third, "ep")) is not None:
            return ParsedLink(ResourceType.EPISODE, n, "epid")
        if (n := _int(third, "ss")) is not None:
            return ParsedLink(ResourceType.BANGUMI, n, "season_id")
        return None
    if head == "cheese" and second == "play":
        if (n := _int(third, "ep")) is not None:
            return ParsedLink(ResourceType.CHEESE_VIDEO, n, "epid")
        if (n := _int(third, "ss")) is not None:
            return ParsedLink(ResourceType.CHEESE_VIDEO, n, "season_id")
        return None
    if head == "medialist" and second == "detail":
        n = _int(third, "ml")
        return ParsedLink(ResourceType.FAVORITE_LIST, n, "media_id") if n else None
    if head == "medialist" and second == "play":
        mid, sid = _int(third), _query_int(query, "business_id")
        if mid and sid:
            return ParsedLink(ResourceType.CHANNEL_SERIES, sid, "series_id", mid=mid)
        return None
    if head == "list" and (mid := _int(second)) is not None:
        sid = _query_int(query, "sid")
        return ParsedLink(ResourceType.CHANNEL_SERIES, sid, "series_id", mid=mid) if sid else None
    if head == "audio":
        if (n := _int(second, "au")) is not None:
            return ParsedLink(ResourceType.AUDIO, n, "auid")
        if (n := _int(second, "am")) is not None:
            return ParsedLink(ResourceType.AUDIO_LIST, n, "amid")
        return None
    if head == "read":
        if (n := _int(second, "cv")) is not None:
            return ParsedLink(ResourceType.ARTICLE, n, "cvid")
        if second == "readlist" and (n := _int(third, "rl")) is not None:
            return ParsedLink(ResourceType.ARTICLE_LIST, n, "rlid")
        if second == "mobile" and (n := _int(third) or _query_int(query, "id")) is not None:
            return ParsedLink(ResourceType.ARTICLE, n, "cvid")
        return None
    if head == "blackroom" and second == "ban" and (n := _int(third)) is not None:
        return ParsedLink(ResourceType.BLACK_ROOM, n, "id")
    if parts[:3] == ["v", "topic", "detail"]:
        n = _query_int(query, "topic_id")
        return ParsedLink(ResourceType.TOPIC, n, "topic_id") if n else None
    if parts[:3] == ["h5", "note-app", "view"]:
        n = _query_int(query, "cvid")
        return ParsedLink(ResourceType.NOTE, n, "cvid") if n else None
    if head == "opus" and (n := _int(second)) is not None:
        return ParsedLink(ResourceType.OPUS, n, "opus_id")
    if head == "dynamic" and (n := _int(second)) is not None:  # m.bilibili.com/dynamic/<id>
        return ParsedLink(ResourceType.DYNAMIC, n, "dynamic_id")
    if head == "space" and (n := _int(second)) is not None:  # m.bilibili.com/space/<mid>
        return ParsedLink(ResourceType.USER, n, "mid")
    if head == "blackboard" and second.startswith("activity-Mz9T5bO5Q3"):
        n = _query_int(query, "id")
        return ParsedLink(ResourceType.DLC, n, "act_id") if n else None
    if head == "festival":
        bvid = _video((query.get("bvid") or [""])[0])
        return _video_link(bvid, query) if bvid else None
    return None


def _space(parts: list[str], query: dict[str, list[str]]) -> ParsedLink | None:
    mid = _int(parts[0]) if parts else None
    if mid is None:
        return None
    rest = parts[1:]
    sid = _query_int(query, "sid")
    if rest[:2] == ["channel", "collectiondetail"] and sid:
        return ParsedLink(ResourceType.CHANNEL_SERIES, sid, "season_id", mid=mid)
    if rest[:2] == ["channel", "seriesdetail"] and sid:
        return ParsedLink(ResourceType.CHANNEL_SERIES, sid, "series_id", mid=mid)
    if rest[:1] == ["lists"] and len(rest) > 1 and (n := _int(rest[1])) is not None:
        kind = (query.get("type") or ["season"])[0]
        name = "series_id" if kind == "series" else "season_id"
        return ParsedLink(ResourceType.CHANNEL_SERIES, n, name, mid=mid)
    if rest[:1] == ["favlist"]:
        fid = _query_int(query, "fid")
        if fid is None:
            return None  # the default folder, or a non-video list: needs the network
        if (query.get("ctype") or ["11"])[0] == "21":
            return ParsedLink(ResourceType.CHANNEL_SERIES, fid, "season_id", mid=mid)
        return ParsedLink(ResourceType.FAVORITE_LIST, fid, "media_id", mid=mid)
    return ParsedLink(ResourceType.USER, mid, "mid")


def _split(text: str) -> tuple[str, list[str], dict[str, list[str]]] | None:
    """(host, path parts, query) of an http(s) URL with Bilibili's default ports, else None."""
    if "://" not in text:
        text = "https:" + text if text.startswith("//") else "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or port not in (None, 80, 443):
        return None
    if parts.username is not None or parts.password is not None:
        return None  # `https://www.bilibili.com@evil.org/`: the host is evil.org
    host = (parts.hostname or "").rstrip(".").lower()
    path = [p for p in parts.path.split("/") if p]
    return host, path, parse_qs(parts.query, max_num_fields=64)


def parse_link(url: str) -> ParsedLink | None:
    """What a Bilibili link or bare id points at, without the network; None when unknown.

    Args:
        url: a page URL (`https://www.bilibili.com/video/BV1uv411q7Mv?p=2&t=30`, with or
            without the scheme, mobile pages too) or a bare id (`BV1...`, `av170001`,
            `ml...`, `cv...`, `au...`, `am...`, `rl...`, `uid...`, `ep...`, `ss...`,
            `md...`). b23.tv short links need `client.parse_link(url)`.

    Raises:
        ArgsException: `url` is not a string.
    """
    if not isinstance(url, str):
        raise ArgsException(
            f"url: expected a link or id as str, got {type(url).__name__}", argument="url"
        )
    text = url.strip().replace("\\", "/")
    if not text or len(text) > MAX_URL_LENGTH or any(ord(c) < 32 for c in text):
        return None
    if "/" not in text and "." not in text:
        return _bare(text)
    split = _split(text)
    if split is None:
        return None
    host, parts, query = split
    if host in ("www.bilibili.com", "bilibili.com", "m.bilibili.com"):
        return _www(parts, query)
    if host in ("space.bilibili.com",):
        return _space(parts, query)
    if host == "live.bilibili.com":
        room = parts[1] if parts[:1] == ["h5"] and len(parts) > 1 else (parts or [""])[0]
        n = _int(room)
        return ParsedLink(ResourceType.LIVE, n, "room_id") if n else None
    if host in ("t.bilibili.com", "m.t.bilibili.com"):
        n = _int((parts or [""])[0])
        return ParsedLink(ResourceType.DYNAMIC, n, "dynamic_id") if n else None
    if host == "manga.bilibili.com":
        if parts[:1] == ["detail"] and len(parts) > 1 and (n := _int(parts[1], "mc")):
            return ParsedLink(ResourceType.MANGA, n, "manga_id")
        return None
    if host in ("www.biligame.com", "biligame.com"):
        n = _query_int(query, "id")
        return (
            ParsedLink(ResourceType.GAME, n, "game_id") if parts[:1] == ["detail"] and n else None
        )
    return None

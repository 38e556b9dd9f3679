"""ArgsException messages say what is accepted, not only that something was wrong.

Each case calls a real public entry point with a bad value and checks the argument it names
and that the text shows the accepted form or values (as the BV id message does:
`video: expected a BV id like 'BV1uv411q7Mv' or an av number like 170001, got 'BV123'`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    ArgsException,
    Client,
    aid2bvid,
    bvid2aid,
    danmaku,
    request_settings,
    subtitle,
)
from bilibili_sdk.testing import MockBilibili

BVID = "BV1uv411q7Mv"

Case = tuple[str, Callable[[Client], Any], str, str]

CASES: list[Case] = [
    # the video slot and other generated checks (_validate)
    ("video form", lambda b: b.video.get_info("BV123"), "video", "a BV id like 'BV1uv411q7Mv'"),
    ("video av", lambda b: b.video.get_info(0), "video", "an av number like 170001"),
    ("video missing", lambda b: b.video.get_info(), "video", "as a BV id like"),
    ("aid and bvid", lambda b: b.video.get_info(aid=1, bvid=BVID), "aid", "one of aid=, bvid="),
    ("positive int", lambda b: b.user.get_info(0), "mid", "a positive int (>= 1)"),
    ("int lower bound", lambda b: b.user.get_videos(2, page=0), "page", "an int >= 1"),
    (
        "int bounds",
        lambda b: b.user.get_followers(2, page_size=51),
        "page_size",
        "an int from 1 to 50",
    ),
    (
        "int type with bounds",
        lambda b: b.user.get_followers(2, page_size="10"),  # type: ignore[arg-type]
        "page_size",
        "an int from 1 to 50",
    ),
    (
        "enum",
        lambda b: b.user.get_videos(2, order="newest"),
        "order",
        "one of 'pubdate', 'click', 'stow'",
    ),
    ("choice", lambda b: b.user.get_followers(2, order="up"), "order", "one of 'desc', 'asc'"),
    ("bool", lambda b: b.user.get_card(2, photo="yes"), "photo", "True or False"),  # type: ignore[arg-type]
    ("int list", lambda b: b.live.get_status_by_mids(mids=[]), "mids", "non-empty list of ints"),
    ("str list", lambda b: b.user.get_uids_by_names("bishi"), "names", "non-empty list of str"),
    ("limit", lambda b: list(b.user.iter_videos(2, limit=0)), "limit", "a positive int or None"),
    # hand-written video methods (_extras)
    (
        "date",
        lambda b: b.video.get_danmakus(cid=1, date="2024/01/02"),
        "date",
        "'YYYY-MM-DD' string like '2024-01-02'",
    ),
    ("video or cid", lambda b: b.video.get_danmakus(), "video", "or a cid="),
    (
        "segments",
        lambda b: b.video.get_danmakus(cid=1, from_seg=2, to_seg=1),
        "to_seg",
        "an int >= from_seg (2)",
    ),
    (
        "page index",
        lambda b: b.video.get_danmakus(BVID, page_index=5),
        "page_index",
        "an int from 0 to 1 (the video has 2 part(s))",
    ),
    ("subtitle needs the video", lambda b: b.video.get_subtitle(cid=1), "video", "a BV id like"),
    ("online monitor", lambda b: b.video.online_monitor(cid=1), "video", "or an av number"),
    # client options (_settings, _base_client)
    ("timeout", lambda b: Client(timeout=0), "timeout", "seconds > 0 or an httpx.Timeout"),
    ("max_retries", lambda b: Client(max_retries=-1), "max_retries", "an int >= 0"),
    ("strict", lambda b: Client(strict="yes"), "strict", "True or False"),  # type: ignore[arg-type]
    ("credential", lambda b: Client("SESSDATA=x"), "credential", "a bilibili_sdk.Credential"),  # type: ignore[arg-type]
    ("proxy", lambda b: Client(proxy=3128), "proxy", "'http://127.0.0.1:7890'"),  # type: ignore[arg-type]
    ("headers", lambda b: Client(default_headers=["x"]), "default_headers", "header name"),  # type: ignore[arg-type]
    (
        "base_urls",
        lambda b: Client(base_urls={"api": "ftp://x"}),
        "base_urls",
        "'http://...' or 'https://...'",
    ),
    (
        "http_client",
        lambda b: Client(http_client=httpx.AsyncBaseTransport()),  # type: ignore[arg-type]
        "http_client",
        "an httpx.Client",
    ),
    ("pool option", lambda b: b.with_options(verify=False), "verify", "give it to a new client"),  # type: ignore[arg-type]
    ("setting", lambda b: request_settings.get("retries"), "name", "'max_retries'"),
    # live connections
    ("room id", lambda b: b.live.connect(0), "room_id", "a positive int"),
    ("protover", lambda b: b.live.connect(3, protover=1), "protover", "3 (brotli) or 2 (zlib)"),
    ("hosts", lambda b: b.live.connect(3, hosts=["http://x"]), "hosts", "ws:// or wss:// URLs"),
    ("no hosts", lambda b: b.live.connect(3, hosts=[]), "hosts", "at least one ws:// or wss://"),
    (
        "seconds",
        lambda b: b.live.connect(3, heartbeat_interval=float("inf")),
        "heartbeat_interval",
        "finite number of seconds > 0",
    ),
    ("backoff", lambda b: b.live.connect(3, backoff=(5, 1)), "backoff", "0 <= initial <= max"),
    ("queue", lambda b: b.live.connect(3, max_queue=0), "max_queue", "an int >= 1"),
    # danmaku, subtitle and id helpers
    ("crc32 hex", lambda b: danmaku.crack_uid("xyz"), "crc32_id", "up to 8 hex digits"),
    ("crc32 range", lambda b: danmaku.crack_uid(1 << 32), "crc32_id", "from 0 to 2**32 - 1"),
    (
        "max digits",
        lambda b: danmaku.crack_uid_candidates("58a55f17", 13),
        "max_digits",
        "an int from 1 to 12",
    ),
    ("ass size", lambda b: danmaku.to_ass([], width=0), "width", "an int > 0"),
    ("ass opacity", lambda b: danmaku.to_ass([], opacity=1.5), "opacity", "a number from 0 to 1"),
    (
        "ass reserve",
        lambda b: danmaku.to_ass([], reserve_bottom=1080),
        "reserve_bottom",
        "< height",
    ),
    ("ass font", lambda b: danmaku.to_ass([], font="A,B"), "font", "without commas"),
    ("xml cid", lambda b: danmaku.to_xml([], cid="1"), "cid", "an int or None"),  # type: ignore[arg-type]
    ("xml text", lambda b: danmaku.parse_xml(1), "text", "str or bytes"),  # type: ignore[arg-type]
    ("segment", lambda b: danmaku.parse_segment("x"), "payload", "expected bytes"),  # type: ignore[arg-type]
    ("subtitle", lambda b: subtitle.to_srt({"x": 1}), "subtitle", "a 'body' list of cues"),
    ("srt size", lambda b: subtitle.to_ass([], width=0), "width", "a positive int"),
    ("aid2bvid", lambda b: aid2bvid(0), "aid", "an int in [1, 2**51)"),
    ("bvid alphabet", lambda b: bvid2aid("BV10xx411c7m"), "bvid", "a BV id like"),
]


@pytest.fixture
def bili() -> Iterator[Client]:
    with Client(transport=MockBilibili().transport()) as client:
        yield client


@pytest.mark.parametrize(
    ("call", "argument", "accepted"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_message_says_what_is_accepted(
    bili: Client, call: Callable[[Client], Any], argument: str, accepted: str
) -> None:
    with pytest.raises(ArgsException) as ei:
        call(bili)
    message = str(ei.value)
    assert ei.value.argument == argument
    assert accepted in message, message
    assert "expected" in message or "give" in message, message
    assert argument in message.split(":")[0], message  # the message starts with the argument

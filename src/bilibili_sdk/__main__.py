"""`python -m bilibili_sdk demo [--offline]`: fetch a video, a user card and a search page.

Online when Bilibili answers; otherwise (or with --offline) against the built-in mock
Bilibili served on a loopback port, and it says so.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from typing import Any

from . import Client
from ._exceptions import ApiException

DEMO_BVID = "BV1uv411q7Mv"
DEMO_MID = 2
DEMO_KEYWORD = "原神"


def _online(timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection(("api.bilibili.com", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _plain(text: object) -> str:
    """Search titles carry <em class="keyword"> highlights; show plain text."""
    return re.sub(r"<[^>]+>", "", str(text))[:70]


def _show(title: str, rows: list[tuple[str, Any]]) -> None:
    print(f"\n== {title}")
    for k, v in rows:
        print(f"   {k:<10} {v}")


def run_demo(client: Client) -> None:
    video = client.video.get_info(bvid=DEMO_BVID)
    _show(
        f"video {video.bvid}",
        [
            ("title", video.title),
            ("uploader", video.owner.name),
            ("views", video.stat.view),
            ("likes", video.stat.like),
            ("pages", len(video.pages or [])),
        ],
    )
    danmakus = client.video.get_danmakus(bvid=DEMO_BVID)
    _show(
        f"danmaku of {DEMO_BVID} part 1: {len(danmakus)}",
        [(f"{d.dm_time:8.2f}s", d.text[:60]) for d in danmakus[:5]],
    )
    card = client.user.get_card(mid=DEMO_MID)
    _show(
        f"user {card.card.mid}",
        [("name", card.card.name), ("fans", card.card.fans), ("videos", card.archive_count)],
    )
    page = client.search.search(keyword=DEMO_KEYWORD)
    videos = [group for group in page.result or [] if group.result_type == "video"]
    items = videos[0].data if videos else []
    _show(
        f"search {DEMO_KEYWORD!r}: {page.num_results} results",
        [(f"#{i + 1}", _plain(getattr(item, "title", item))) for i, item in enumerate(items[:5])],
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bilibili_sdk")
    sub = ap.add_subparsers(dest="cmd", required=True)
    dp = sub.add_parser("demo", help="fetch a video, a user card and a search page")
    dp.add_argument("--offline", action="store_true", help="use the built-in mock Bilibili")
    args = ap.parse_args(argv)

    offline = args.offline or not _online()
    try:
        if offline:
            from .testing import MockBilibili

            with MockBilibili().serve() as server:
                why = "--offline" if args.offline else "Bilibili cannot be reached"
                print(f"Offline ({why}): using the mock Bilibili at {server.base_url}")
                with Client(base_urls=server.base_urls) as client:
                    run_demo(client)
        else:
            print("Online: talking to Bilibili")
            with Client() as client:
                run_demo(client)
    except ApiException as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

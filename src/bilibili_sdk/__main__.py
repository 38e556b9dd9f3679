"""`python -m bilibili_sdk demo [--offline]`: a video, its danmaku, a user card, a search
page, and the first events of a live room's danmaku websocket.
`python -m bilibili_sdk login [--tv] [--offline]`: log in by QR code, save cookies.txt.

Online when Bilibili answers; otherwise (or with --offline) against the built-in mock
Bilibili served on a loopback port, and it says so.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import sys
from typing import Any

from . import Client
from ._exceptions import ApiException

# The ids are those of the mock's recorded examples, so online and offline show the same
# video, user and room: offline, the mock answers video.get_info with its recording of this
# video, and the mock live server is room 3 (real id 23058). test_package pins them together.
DEMO_BVID = "BV117411r7R1"
DEMO_MID = 2
DEMO_KEYWORD = "原神"
DEMO_ROOM = 3  # short id of room 23058; any room works
DEMO_CVID = 4815593  # an article (专栏)
DEMO_SEASON = 41410  # a bangumi season
LIVE_EVENTS = 5
LIVE_SECONDS = 15.0


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
    video = client.video.get_info(DEMO_BVID)
    served = "" if video.bvid == DEMO_BVID else f" (asked for {DEMO_BVID}, got another video)"
    _show(
        f"video {video.bvid}{served}",
        [
            ("title", video.title),
            ("uploader", video.owner.name),
            ("views", video.stat.view),
            ("likes", video.stat.like),
            ("pages", len(video.pages or [])),
        ],
    )
    danmakus = client.video.get_danmakus(DEMO_BVID)
    _show(
        f"danmaku of {DEMO_BVID} part 1: {len(danmakus)}",
        [(f"{d.dm_time:8.2f}s", d.text[:60]) for d in danmakus[:5]],
    )
    card = client.user.get_card(DEMO_MID)
    _show(
        f"user {card.card.mid}",
        [("name", card.card.name), ("fans", card.card.fans), ("videos", card.archive_count)],
    )
    from .models import CommentResourceType

    comments = client.comment.get_comments(video.aid, type=CommentResourceType.VIDEO)
    _show(
        f"comments of av{video.aid}: {comments.page.count}",
        [(c.member.uname[:10], _plain(c.content.message)[:60]) for c in comments.replies[:3]],
    )
    markdown = client.article.get_markdown(DEMO_CVID)
    lines = [line for line in markdown.splitlines() if line.strip()]
    _show(
        f"article cv{DEMO_CVID} as Markdown",
        [(f"line {i + 1}", line[:60]) for i, line in enumerate(lines[:3])],
    )
    season = client.bangumi.get_season(DEMO_SEASON)
    _show(
        f"bangumi season {season.season_id}",
        [("title", season.title), ("episodes", len(season.episodes))],
    )
    page = client.search.search(DEMO_KEYWORD)
    videos = [group for group in page.result or [] if group.result_type == "video"]
    items = videos[0].data if videos else []
    _show(
        f"search {DEMO_KEYWORD!r}: {page.num_results} results",
        [(f"#{i + 1}", _plain(getattr(item, "title", item))) for i, item in enumerate(items[:5])],
    )


def _describe(event: Any) -> str:
    from .live import DanmakuMessage, Popularity, SendGift, SuperChat

    if isinstance(event, DanmakuMessage):
        return f"{event.uname}: {event.text}"
    if isinstance(event, SendGift):
        return f"{event.uname} sent {event.num} x {event.gift_name}"
    if isinstance(event, SuperChat):
        return f"{event.uname} (SC ¥{event.price}): {event.message}"
    if isinstance(event, Popularity):
        return f"popularity {event.popularity}"
    return type(event).__name__


def run_live_demo(client: Client, room_id: int, on_open: Any = None) -> None:
    """Print the first few typed events of a live room, for at most LIVE_SECONDS."""
    import threading

    rows: list[tuple[str, Any]] = []
    with client.live.connect(room_id) as conn:
        if on_open is not None:
            on_open()
        timer = threading.Timer(LIVE_SECONDS, conn.close)
        timer.start()
        try:
            for event in conn:
                rows.append((event.cmd, _describe(event)))
                if len(rows) == LIVE_EVENTS:
                    break
        finally:
            timer.cancel()
        room = f"{room_id}" if conn.room_id == room_id else f"{room_id} (id {conn.room_id})"
        _show(f"live room {room}: first {len(rows)} events", rows)


def _mock_live_events() -> list[dict[str, Any]]:
    user = [2, "碧诗", 0, 0, 0, 10000, 1, ""]
    return [
        {"cmd": "DANMU_MSG", "info": [[0, 1, 25, 16777215, 1700000000000, 0], "晚上好", user]},
        {"cmd": "SEND_GIFT", "data": {"uid": 2, "uname": "碧诗", "giftName": "小花花", "num": 3}},
        {
            "cmd": "SUPER_CHAT_MESSAGE",
            "data": {
                "id": 1,
                "uid": 2,
                "price": 30,
                "message": "加油",
                "user_info": {"uname": "碧诗"},
            },
        },
        {"cmd": "DANMU_MSG:4:0:2:2:2:0", "info": [[0, 1, 25, 65280], "来了来了", user]},
    ]


def _no_live(error: Exception | None) -> None:
    print(f"\n== live room {DEMO_ROOM}: skipped ({error})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bilibili_sdk")
    sub = ap.add_subparsers(dest="cmd", required=True)
    dp = sub.add_parser("demo", help="a video, its danmaku, a user, a search, a live room")
    dp.add_argument("--offline", action="store_true", help="use the built-in mock Bilibili")
    from . import _login_demo

    _login_demo.add_parser(sub)
    args = ap.parse_args(argv)
    if args.cmd == "login":
        return _login_demo.run(args, _online)

    offline = args.offline or not _online()
    # Without the `live` extra the HTTP part still runs; the live part says what to install.
    from .live._setup import live_extra_error

    missing = live_extra_error(sync=True, need_brotli=True)
    try:
        if offline:
            from .testing import MockBilibili, MockLiveServer

            with contextlib.ExitStack() as stack:
                mock = MockBilibili()
                live = None if missing else stack.enter_context(MockLiveServer())
                if live is not None:
                    live.configure(mock)
                server = stack.enter_context(mock.serve())
                why = "--offline" if args.offline else "Bilibili cannot be reached"
                print(f"Offline ({why}): using the mock Bilibili at {server.base_url}")
                print("(it answers with the catalogue's recorded or made-up example responses)")
                if live is not None:
                    print(f"and the mock live danmaku server at {live.url}")
                with Client(base_urls=server.base_urls) as client:
                    run_demo(client)
                    if live is None:
                        _no_live(missing)
                    else:
                        push = live.push
                        run_live_demo(client, DEMO_ROOM, on_open=lambda: push(*_mock_live_events()))
        else:
            print("Online: talking to Bilibili")
            with Client() as client:
                run_demo(client)
                if missing is not None:
                    _no_live(missing)
                else:
                    try:
                        run_live_demo(client, DEMO_ROOM)
                    except (ApiException, OSError) as e:  # the HTTP part worked; say why
                        print(
                            f"\n== live room {DEMO_ROOM}: no connection ({type(e).__name__}: {e})"
                        )
    except ApiException as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

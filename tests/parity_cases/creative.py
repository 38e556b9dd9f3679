"""Parity cases of the `creative` namespace (the seed's creative_center module), and of the
common.json rows placed elsewhere (`user.check_nickname`)."""

from __future__ import annotations

import datetime

import bilibili_api
from bilibili_api import creative_center as seed_cc
from bilibili_api import user as seed_user
from bilibili_api import video as seed_video

from .._parity_base import AID, BVID, CID, MID, Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("creative",)

CTIME = datetime.datetime(2024, 1, 2, 3, 4, 5)
# the seed writes a datetime as day-month-year; the case passes ours the same text
CTIME_TEXT = CTIME.strftime("%d-%m-%Y %H:%M:%S")


def _video(c: bilibili_api.Credential) -> seed_video.Video:
    return seed_video.Video(aid=AID, credential=c)


CASES: list[Case] = [
    ("creative", "get_compare", {}, lambda c: seed_cc.get_compare(c)),
    (
        "creative",
        "get_graph",
        {"period": 1, "graph_type": "fan"},
        lambda c: seed_cc.get_graph(c, seed_cc.GraphPeriod.MONTH, seed_cc.GraphType.FAN),
    ),
    (
        "creative",
        "get_overview",
        {"period": 2},
        lambda c: seed_cc.get_overview(c, seed_cc.GraphPeriod.THREE_MONTH),
    ),
    ("creative", "get_video_survey", {}, lambda c: seed_cc.get_video_survey(c)),
    (
        "creative",
        "get_video_play_analysis",
        {"copyright": 1},
        lambda c: seed_cc.get_video_playanalysis(c, seed_cc.Copyright.ORIGINAL),
    ),
    ("creative", "get_video_source", {}, lambda c: seed_cc.get_video_source(c)),
    (
        "creative",
        "get_fan_overview",
        {"period": -1},
        lambda c: seed_cc.get_fan_overview(c, seed_cc.FanGraphPeriod.YESTERDAY),
    ),
    (
        "creative",
        "get_fan_graph",
        {"period": 1, "graph_type": "follow"},
        lambda c: seed_cc.get_fan_graph(
            c, seed_cc.FanGraphPeriod.MONTH, seed_cc.FanGraphType.FOLLOW
        ),
    ),
    ("creative", "get_article_overview", {}, lambda c: seed_cc.get_article_overview(c)),
    (
        "creative",
        "get_article_graph",
        {"stat_type": 3},
        lambda c: seed_cc.get_article_graph(c, seed_cc.ArticleInfoType.SHARE),
    ),
    (
        "creative",
        "get_article_rank",
        {"stat_type": 2},
        lambda c: seed_cc.get_article_rank(c, seed_cc.ArticleInfoType.COMMENT),
    ),
    ("creative", "get_article_source", {}, lambda c: seed_cc.get_article_source(c)),
    (
        "creative",
        "get_video_drafts",
        {},
        lambda c: seed_cc.get_video_draft_upload_manager_info(c),
    ),
    (
        "creative",
        "get_videos",
        {
            "status": "pubed",
            "order": "senddate",
            "interactive": 2,
            "tid": 17,
            "page": 2,
            "page_size": 20,
        },
        lambda c: seed_cc.get_video_upload_manager_info(
            c,
            is_interative=True,
            pn=2,
            ps=20,
            order=seed_cc.UploadManagerOrder.SENDDATE,
            tid=17,
            status=seed_cc.UploadManagerStatus.PUBED,
        ),
    ),
    (
        "creative",
        "get_articles",
        {"status": 2, "sort": 3, "page": 2},
        lambda c: seed_cc.get_article_upload_manager_info(
            c,
            status=seed_cc.UploadManagerArticleStatus.PUBED,
            sort=seed_cc.UploadManagerSort.COMMENT,
            pn=2,
        ),
    ),
    (
        "creative",
        "get_comments",
        {"oid": AID, "keyword": "好", "order": 2, "page": 2, "page_size": 20},
        lambda c: seed_cc.get_comments(
            c, oid=AID, keyword="好", order=seed_cc.CommentManagerOrder.LIKE, pn=2, ps=20
        ),
    ),
    (
        "creative",
        "delete_comments",
        {"oid": [AID], "rpid": [5], "archive_type": 12},
        lambda c: seed_cc.del_comments(c, AID, 5, seed_cc.ArchiveType.ARTICLE),
    ),
    (
        "creative",
        "get_danmakus",
        {
            "cid": CID,
            "select_type": 2,
            "mids": [MID],
            "keyword": "x",
            "progress_from": 1000,
            "progress_to": 9000,
            "ctime_from": CTIME_TEXT,
            "ctime_to": CTIME_TEXT,
            "modes": [4],
            "pools": [1],
            "order": "like_count",
            "sort": "asc",
            "page": 2,
            "page_size": 30,
        },
        lambda c: seed_cc.get_danmakus(
            c,
            CID,
            select_type=seed_cc.DanmakuType.PROTECT,
            mids=MID,
            keyword="x",
            progress_from=1000,
            progress_to=9000,
            ctime_from=CTIME,
            ctime_to=CTIME,
            modes=seed_cc.DanmakuMode.BOTTOM,
            pools=seed_cc.DanmakuPool.SUBTITLE,
            order=seed_cc.DanmakuOrder.LIKE_COUNT,
            sort=seed_cc.DanmakuSort.ASC,
            pn=2,
            ps=30,
        ),
    ),
    (
        "creative",
        "get_recent_danmakus",
        {"page": 2, "page_size": 30},
        lambda c: seed_cc.get_recently_danmakus(c, pn=2, ps=30),
    ),
    (
        "creative",
        "edit_danmaku_pool",
        {"cid": CID, "dmids": [7], "pool": 1},
        lambda c: seed_cc.edit_danmaku_pool(c, CID, 7, is_subtitle=True),
    ),
    (
        "creative",
        "get_archive_edits",
        {"bvid": BVID},
        lambda c: seed_cc.get_archive_edits(_video(c)),
    ),
    (
        "creative",
        "get_archive_parts",
        {"aid": AID},
        lambda c: seed_cc.get_archive_parts(_video(c)),
    ),
    # ---- common.json rows placed in other namespaces
    (
        "user",
        "check_nickname",
        {"nick_name": "测试昵称"},
        lambda c: seed_user.check_nickname("测试昵称"),
    ),
]

WEB_BOOL = "the seed sends Python's False as 0; the creator centre's web client sends false"
DELIBERATE: dict[tuple[str, str], Diff] = {
    ("creative", "get_comments"): _d(WEB_BOOL, values="charge_plus_filter"),
    ("creative", "get_danmakus"): _d(WEB_BOOL, values="cp_filter"),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {
    ("creative", "get_article_lists"): (
        "seed's catalogue gives the collection list the article-list URL (a copy of the row "
        "above), so it asks for articles; ours asks x/article/creative/list/all, no common URL"
    ),
}

"""Parity cases of the `bangumi` and `cheese` namespaces (seed: bangumi, cheese)."""

from __future__ import annotations

import bilibili_api
from bilibili_api import bangumi as seed_bangumi
from bilibili_api import cheese as seed_cheese

from .._parity_base import AID, CID, EP_ID, SEASON_ID, Case, Diff

NAMESPACES = ("bangumi", "cheese")
MEDIA_ID = 28237119
EXAMPLE_SEASON_ID = 41410  # the season_id of the mock's get_season example (the seed reads it)


def _season(c: bilibili_api.Credential, **kw: object) -> seed_bangumi.Bangumi:
    # media_id and ssid together: the seed then needs no lookup request first
    return seed_bangumi.Bangumi(media_id=MEDIA_ID, ssid=SEASON_ID, credential=c, **kw)  # type: ignore[arg-type]


def _cheese_video(c: bilibili_api.Credential) -> seed_cheese.CheeseVideo:
    # prime the seed's meta cache so that it takes aid/cid from there, not from a lookup request
    seed_cheese.cheese_video_meta_cache[EP_ID] = {"ssid": 1, "aid": AID, "cid": CID, "id": EP_ID}
    return seed_cheese.CheeseVideo(EP_ID, credential=c)


_INDEX = seed_bangumi.IndexFilterMeta.Anime(
    area=seed_bangumi.IndexFilter.Area.JAPAN,
    style=seed_bangumi.IndexFilter.Style.Anime.FUNNY,
    year="[2019,2020)",
    finish_status=seed_bangumi.IndexFilter.Finish_Status.FINISHED,
    payment=seed_bangumi.IndexFilter.Payment.VIP,
)

CASES: list[Case] = [
    ("bangumi", "get_season", {"season_id": SEASON_ID}, lambda c: _season(c).get_overview()),
    (
        "bangumi",
        "get_season_oversea",
        {"season_id": SEASON_ID},
        lambda c: _season(c, oversea=True).get_overview(),
    ),
    ("bangumi", "get_media_info", {"media_id": MEDIA_ID}, lambda c: _season(c).get_meta()),
    # the seed first loads the season page (a helper request) and reads its season_id there
    (
        "bangumi",
        "get_sections",
        {"season_id": EXAMPLE_SEASON_ID},
        lambda c: _season(c).get_episode_list(),
    ),
    ("bangumi", "get_stat", {"season_id": SEASON_ID}, lambda c: _season(c).get_stat()),
    (
        "bangumi",
        "get_play_url",
        {"ep_id": EP_ID},
        lambda c: seed_bangumi.Episode(EP_ID, credential=c).get_download_url(),
    ),
    (
        "bangumi",
        "list_short_reviews",
        {"media_id": MEDIA_ID, "sort": 1, "cursor": 78847823590520},
        lambda c: _season(c).get_short_comment_list(
            order=seed_bangumi.BangumiCommentOrder.CTIME, next="78847823590520"
        ),
    ),
    (
        "bangumi",
        "list_long_reviews",
        {"media_id": MEDIA_ID},
        lambda c: _season(c).get_long_comment_list(),
    ),
    (
        "bangumi",
        "get_index",
        {
            "season_type": 1,
            "order": 2,
            "sort": 1,
            "page": 2,
            "page_size": 30,
            "season_version": -1,
            "spoken_language_type": -1,
            "area": "2",
            "is_finish": 1,
            "copyright": "-1",
            "season_status": "4,6",
            "season_month": -1,
            "year": "[2019,2020)",
            "style_id": "10021",
        },
        lambda c: seed_bangumi.get_index_info(
            _INDEX,
            order=seed_bangumi.IndexFilter.Order.PLAY,
            sort=seed_bangumi.IndexFilter.Sort.ASC,
            pn=2,
            ps=30,
        ),
    ),
    (
        "bangumi",
        "get_timeline",
        {"types": 4, "before": 3, "after": 2},
        lambda c: seed_bangumi.get_timeline(seed_bangumi.BangumiType.GUOCHUANG, 3, 2),
    ),
    (
        "bangumi",
        "follow",
        {"season_id": SEASON_ID},
        lambda c: seed_bangumi.set_follow(_season(c), True, c),
    ),
    (
        "bangumi",
        "unfollow",
        {"season_id": SEASON_ID},
        lambda c: seed_bangumi.set_follow(_season(c), False, c),
    ),
    (
        "bangumi",
        "update_follow_status",
        {"season_id": SEASON_ID, "status": 2},
        lambda c: seed_bangumi.update_follow_status(_season(c), 2, c),
    ),
    (
        "cheese",
        "get_season",
        {"season_id": SEASON_ID},
        lambda c: seed_cheese.CheeseList(season_id=SEASON_ID, credential=c).get_meta(),
    ),
    (
        "cheese",
        "list_episodes",
        {"season_id": SEASON_ID, "page": 1, "page_size": 1000},
        lambda c: seed_cheese.CheeseList(season_id=SEASON_ID, credential=c).get_list_raw(),
    ),
    (
        "cheese",
        "get_play_url",
        {"ep_id": EP_ID, "aid": AID, "cid": CID},
        lambda c: _cheese_video(c).get_download_url(),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

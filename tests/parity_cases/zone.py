"""Parity cases of the zone feeds and tag calls of the `video` namespace (see `__init__.py`).

They live in `video.zone.yaml` / `video.tag.yaml`; the seed has them in `video_zone` and
`video_tag`.
"""

from __future__ import annotations

from bilibili_api import video_tag as seed_video_tag
from bilibili_api import video_zone as seed_video_zone

from .._parity_base import Case, Diff

NAMESPACES = ("video",)

TID = 17  # 单机游戏
TAG_ID = 600

CASES: list[Case] = [
    (
        "video",
        "get_zone_top10",
        {"tid": TID, "day": 3},
        lambda c: seed_video_zone.get_zone_top10(TID, day=3, credential=c),
    ),
    (
        "video",
        "get_zone_new_videos",
        {"tid": TID, "page_num": 2, "page_size": 20},
        lambda c: seed_video_zone.get_zone_new_videos(TID, page_num=2, page_size=20),
    ),
    (
        "video",
        "get_zone_upload_counts",
        {},
        lambda c: seed_video_zone.get_zone_videos_count_today(credential=c),
    ),
    ("video", "get_zone_hot_tags", {"tid": TID}, lambda c: seed_video_zone.get_zone_hot_tags(TID)),
    (
        "video",
        "get_tag_info",
        {"tag_id": TAG_ID},
        lambda c: seed_video_tag.Tag(tag_id=TAG_ID, credential=c).get_tag_info(),
    ),
    (
        "video",
        "get_similar_tags",
        {"tag_id": TAG_ID},
        lambda c: seed_video_tag.Tag(tag_id=TAG_ID, credential=c).get_similar_tags(),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

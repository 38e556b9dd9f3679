"""Parity cases of the favorite, toview, history and channel_series namespaces.

`history` has no case: none of its endpoints has a seed method (the seed lists the history
through `user`, catalogued in user.more.yaml).
"""

from __future__ import annotations

import bilibili_api
from bilibili_api import channel_series as seed_channel_series
from bilibili_api import favorite_list as seed_fav
from bilibili_api import user as seed_user
from bilibili_api import video as seed_video

from .._parity_base import AID, KW, MID, MYINFO_MID, SEASON_ID, Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("favorite", "toview", "history", "channel_series")

MEDIA_ID = 1052622027  # a folder id (the recorded get_folder_info example)
TARGET_ID = 44233921  # another folder
AID2 = 170002


def _folder(c: bilibili_api.Credential) -> seed_fav.FavoriteList:
    return seed_fav.FavoriteList(media_id=MEDIA_ID, credential=c)


def _video(c: bilibili_api.Credential) -> seed_video.Video:
    return seed_video.Video(aid=AID, credential=c)


RESOURCES = [f"{AID}:2", f"{AID2}:2"]  # the seed builds "<aid>:2" from its aids argument

CASES: list[Case] = [
    # ---- favorite: folders
    (
        "favorite",
        "list_folders",
        {"mid": MID},
        lambda c: seed_fav.get_video_favorite_list(MID, credential=c),
    ),
    ("favorite", "get_folder_info", {"media_id": MEDIA_ID}, lambda c: _folder(c).get_info()),
    (
        "favorite",
        "create_folder",
        {"title": KW, "intro": "about", "private": True},
        lambda c: seed_fav.create_video_favorite_list(KW, "about", True, c),
    ),
    (
        "favorite",
        "edit_folder",
        {"media_id": MEDIA_ID, "title": KW, "intro": "about", "private": False},
        lambda c: seed_fav.modify_video_favorite_list(MEDIA_ID, KW, "about", False, c),
    ),
    (
        "favorite",
        "delete_folders",
        {"media_ids": [MEDIA_ID, TARGET_ID]},
        lambda c: seed_fav.delete_video_favorite_list([MEDIA_ID, TARGET_ID], c),
    ),
    # ---- favorite: content
    (
        "favorite",
        "get_folder_content",
        {
            "media_id": MEDIA_ID,
            "page": 2,
            "keyword": KW,
            "order": "view",
            "search_all": True,
            "tid": 17,
        },
        lambda c: seed_fav.get_video_favorite_list_content(
            MEDIA_ID,
            page=2,
            keyword=KW,
            order=seed_fav.FavoriteListContentOrder.VIEW,
            tid=17,
            mode=seed_fav.SearchFavoriteListMode.ALL,
            credential=c,
        ),
    ),
    (
        "favorite",
        "get_folder_content_ids",
        {"media_id": MEDIA_ID},
        lambda c: _folder(c).get_content_ids_info(),
    ),
    (
        "favorite",
        "copy_resources",
        # the seed looks the caller's mid up (the mock's myinfo example); ours takes it
        {
            "src_media_id": MEDIA_ID,
            "tar_media_id": TARGET_ID,
            "mid": MYINFO_MID,
            "resources": RESOURCES,
        },
        lambda c: seed_fav.copy_video_favorite_list_content(MEDIA_ID, TARGET_ID, [AID, AID2], c),
    ),
    (
        "favorite",
        "move_resources",
        {"src_media_id": MEDIA_ID, "tar_media_id": TARGET_ID, "resources": RESOURCES},
        lambda c: seed_fav.move_video_favorite_list_content(MEDIA_ID, TARGET_ID, [AID, AID2], c),
    ),
    (
        "favorite",
        "delete_resources",
        {"media_id": MEDIA_ID, "resources": RESOURCES},
        lambda c: seed_fav.delete_video_favorite_list_content(MEDIA_ID, [AID, AID2], c),
    ),
    (
        "favorite",
        "clean_folder",
        {"media_id": MEDIA_ID},
        lambda c: seed_fav.clean_video_favorite_list_content(MEDIA_ID, c),
    ),
    (
        "favorite",
        "list_collected_folders",
        {"mid": MID, "page": 2, "page_size": 20},
        lambda c: seed_fav.get_favorite_collected(MID, 2, 20, c),
    ),
    # ---- favorite: your other lists
    ("favorite", "get_my_topics", {"page": 2}, lambda c: seed_fav.get_topic_favorite_list(2, c)),
    (
        "favorite",
        "get_my_articles",
        {"page": 2},
        lambda c: seed_fav.get_article_favorite_list(2, c),
    ),
    (
        "favorite",
        "get_my_courses",
        {"mid": MYINFO_MID, "page": 2},
        lambda c: seed_fav.get_course_favorite_list(2, c),
    ),
    # ---- toview
    ("toview", "get_list", {}, lambda c: seed_user.get_toview_list(c)),
    ("toview", "add", {"aid": AID}, lambda c: _video(c).add_to_toview()),
    ("toview", "delete", {"aid": AID}, lambda c: _video(c).delete_from_toview()),
    ("toview", "delete_viewed", {}, lambda c: seed_user.delete_viewed_videos_from_toview(c)),
    ("toview", "clear", {}, lambda c: seed_user.clear_toview_list(c)),
    # ---- channel_series
    (
        "channel_series",
        "follow_season",
        {"season_id": SEASON_ID},
        lambda c: seed_channel_series.set_follow_channel_season(SEASON_ID, True, c),
    ),
    (
        "channel_series",
        "unfollow_season",
        {"season_id": SEASON_ID},
        lambda c: seed_channel_series.set_follow_channel_season(SEASON_ID, False, c),
    ),
]

SEASON_KEY = (
    "seed's catalogue names a `season` key, sent as an empty placeholder; its code (and ours) "
    "send the id as season_id"
)
WEB_PLATFORM = "the web client sends platform=web (the recorded docs list it); the seed does not"

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("favorite", "copy_resources"): _d(WEB_PLATFORM, extra="platform"),
    ("favorite", "move_resources"): _d(WEB_PLATFORM, extra="platform"),
    ("favorite", "delete_resources"): _d(WEB_PLATFORM, extra="platform"),
    ("channel_series", "follow_season"): _d(SEASON_KEY, missing="season"),
    ("channel_series", "unfollow_season"): _d(SEASON_KEY, missing="season"),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

"""Parity cases of the rank and homepage namespaces (the seed's rank, hot and homepage modules)."""

from __future__ import annotations

from bilibili_api import homepage as seed_home
from bilibili_api import hot as seed_hot
from bilibili_api import rank as seed_rank

from .._parity_base import Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("rank", "homepage")

MEDIA_ID = 1052622027

CASES: list[Case] = [
    # ---- popular (seed: hot)
    ("rank", "get_popular", {"page": 2, "page_size": 30}, lambda c: seed_hot.get_hot_videos(2, 30)),
    ("rank", "get_weekly_series", {}, lambda c: seed_hot.get_weekly_hot_videos_list()),
    ("rank", "get_weekly", {"number": 5}, lambda c: seed_hot.get_weekly_hot_videos(5)),
    ("rank", "get_precious", {}, lambda c: seed_hot.get_history_popular_videos()),
    (
        "rank",
        "get_buzzwords",
        {"page": 3, "page_size": 10},
        lambda c: seed_hot.get_hot_buzzwords(3, 10),
    ),
    # ---- rankings
    (
        "rank",
        "get_ranking",
        {"rid": 1003},
        lambda c: seed_rank.get_rank(seed_rank.RankType.Music),
    ),
    (
        "rank",
        "get_pgc_ranking",
        {"season_type": 2, "day": 7},
        lambda c: seed_rank.get_rank(seed_rank.RankType.Movie, seed_rank.RankDayType.WEEK),
    ),
    (
        "rank",
        "get_vip_rank",
        {"rank_id": 174},
        lambda c: seed_rank.get_vip_rank(seed_rank.VIPRankType.MOVIE),
    ),
    ("rank", "get_music_rank_list", {}, lambda c: seed_rank.get_music_rank_list()),
    (
        "rank",
        "get_music_rank_detail",
        {"list_id": 76},
        lambda c: seed_rank.get_music_rank_weekly_detail(76),
    ),
    (
        "rank",
        "get_music_rank_musics",
        {"list_id": 76},
        lambda c: seed_rank.get_music_rank_weekly_musics(76),
    ),
    (
        "rank",
        "subscribe_music_rank",
        {"state": 2},
        lambda c: seed_rank.subscribe_music_rank(False, c),
    ),
    (
        "rank",
        "get_manga_rank",
        {"id": 11},
        lambda c: seed_rank.get_manga_rank(seed_rank.MangeRankType.BOY, c),
    ),
    ("rank", "get_live_hot_rank", {}, lambda c: seed_rank.get_live_hot_rank()),
    ("rank", "get_live_sailing_rank", {}, lambda c: seed_rank.get_live_sailing_rank()),
    (
        "rank",
        "get_live_energy_user_rank",
        {"date": "pre_month", "page": 2, "page_size": 10},
        lambda c: seed_rank.get_live_energy_user_rank(
            seed_rank.LiveEnergyRankType.PRE_MONTH, 2, 10
        ),
    ),
    (
        "rank",
        "get_live_rank",
        {"type": "master_level", "page": 2, "page_size": 10},
        lambda c: seed_rank.get_live_rank(seed_rank.LiveRankType.MASTER_LEVEL, 2, 10),
    ),
    (
        "rank",
        "get_live_medal_rank",
        {"page": 2, "page_size": 10},
        lambda c: seed_rank.get_live_user_medal_rank(2, 10),
    ),
    ("rank", "get_playlet_phases", {}, lambda c: seed_rank.get_playlet_rank_phases()),
    ("rank", "get_playlet_rank", {"phase_id": 12}, lambda c: seed_rank.get_playlet_rank_info(12)),
    # ---- homepage
    ("homepage", "get_header", {}, lambda c: seed_home.get_top_photo()),
    ("homepage", "get_links", {}, lambda c: seed_home.get_links(c)),
    ("homepage", "get_popularize", {}, lambda c: seed_home.get_popularize(c)),
    ("homepage", "get_feed", {}, lambda c: seed_home.get_videos(c)),
    ("homepage", "get_favorite_folders", {}, lambda c: seed_home.get_favorite_list_and_toview(c)),
    (
        "homepage",
        "get_favorite_folder_content",
        {"media_id": MEDIA_ID},
        lambda c: seed_home.get_favorite_list_content(MEDIA_ID, c),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("rank", "get_ranking"): _d(
        "the web client sends type=all|origin|rookie; the seed's RankType holds it but never "
        "sends it, so its Original and Rookie rankings are the All one",
        extra="type",
    ),
    ("rank", "get_live_sailing_rank"): _d(
        "the seed writes type=guard into its URL string; we send the same value as a parameter",
        extra="type",
    ),
    ("homepage", "get_feed"): _d(
        "the refresh count is sent so that iter_feed can ask for the next refresh",
        extra="fresh_idx",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

"""Parity cases of the `manga` and `album` namespaces (see `__init__.py`).

The seed has methods for five manga endpoints only (its comic detail, episode and image
methods are commented out, and its album catalogue is unused).
"""

from __future__ import annotations

import datetime

from bilibili_api import manga as seed_manga

from .._parity_base import Case, Diff, _d

NAMESPACES = ("manga", "album")

COMIC_ID = 28500
DAY = "2024-01-02"

CASES: list[Case] = [
    (
        "manga",
        "get_daily_updates",
        {"date": DAY, "page": 2, "page_size": 8},
        lambda c: seed_manga.get_manga_update(
            datetime.datetime(2024, 1, 2), pn=2, ps=8, credential=c
        ),
    ),
    (
        "manga",
        "get_home_recommend",
        {"page": 2},
        lambda c: seed_manga.get_manga_home_recommend(pn=2, credential=c),
    ),
    (
        "manga",
        "get_followed",
        {"page": 2, "page_size": 15},
        lambda c: seed_manga.get_followed_manga(pn=2, ps=15, credential=c),
    ),
    (
        "manga",
        "follow",
        {"comic_ids": [COMIC_ID]},
        lambda c: seed_manga.set_follow_manga(seed_manga.Manga(COMIC_ID, c), True, c),
    ),
    (
        "manga",
        "unfollow",
        {"comic_ids": [COMIC_ID]},
        lambda c: seed_manga.set_follow_manga(seed_manga.Manga(COMIC_ID, c), False, c),
    ),
]

_JSON = "Bilibili Comics' web client posts JSON bodies (Twirp); the seed posts forms"

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("manga", "get_daily_updates"): _d(
        _JSON, moved="date:form>json page_num:form>json page_size:form>json"
    ),
    ("manga", "get_home_recommend"): _d(_JSON, moved="page_num:form>json seed:form>json"),
    ("manga", "get_followed"): _d(
        _JSON, moved="page_num:form>json page_size:form>json order:form>json wait_free:form>json"
    ),
    ("manga", "follow"): _d(_JSON, moved="comic_ids:form>json"),
    ("manga", "unfollow"): _d(_JSON, moved="comic_ids:form>json"),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

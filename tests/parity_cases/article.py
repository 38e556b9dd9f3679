"""Parity cases of the `article`, `note` and `opus` namespaces (see the package docstring)."""

from __future__ import annotations

from typing import Any

from bilibili_api import article as seed_article
from bilibili_api import article_category as seed_article_category
from bilibili_api import note as seed_note
from bilibili_api import opus as seed_opus

from .._parity_base import AID, Case, Diff

NAMESPACES: tuple[str, ...] = ("article", "note", "opus")

CVID = 4815593
RLID = 207146
NOTE_ID = 24508729145690110
OPUS_ID = 387392618812542549
ARTICLE_AUTHOR = 144900660  # the author in the mock's article.get_info example (the seed reads it)


def _seed_article(c: Any) -> seed_article.Article:
    return seed_article.Article(CVID, credential=c)


CASES: list[Case] = [
    ("article", "get_info", {"cvid": CVID}, lambda c: _seed_article(c).get_info()),
    ("article", "get_detail", {"cvid": CVID}, lambda c: _seed_article(c).get_detail()),
    (
        "article",
        "get_readlist",
        {"rlid": RLID},
        lambda c: seed_article.ArticleList(RLID, credential=c).get_content(),
    ),
    (
        "article",
        "get_rank",
        {"rank_type": 2},
        lambda c: seed_article.get_article_rank(seed_article.ArticleRankingType.WEEK),
    ),
    (
        "article",
        "get_category_recommends",
        {"category_id": 3, "order": 2, "page": 2, "page_size": 10},
        lambda c: seed_article_category.get_category_recommend_articles(
            category_id=3,
            order=seed_article_category.ArticleOrder.LIKE,
            page_num=2,
            page_size=10,
        ),
    ),
    ("article", "like", {"cvid": CVID, "like": 2}, lambda c: _seed_article(c).set_like(False)),
    ("article", "add_favorite", {"cvid": CVID}, lambda c: _seed_article(c).set_favorite(True)),
    (
        "article",
        "delete_favorite",
        {"cvid": CVID},
        lambda c: _seed_article(c).set_favorite(False),
    ),
    (
        "article",
        "add_coin",
        {"cvid": CVID, "up_mid": ARTICLE_AUTHOR},
        lambda c: _seed_article(c).add_coins(),
    ),
    (
        "note",
        "get_private_info",
        {"oid": AID, "note_id": NOTE_ID},
        lambda c: seed_note.Note(
            aid=AID, note_id=NOTE_ID, note_type=seed_note.NoteType.PRIVATE, credential=c
        ).get_private_note_info(),
    ),
    (
        "note",
        "get_public_info",
        {"cvid": CVID},
        lambda c: seed_note.Note(cvid=CVID, credential=c).get_public_note_info(),
    ),
    (
        "opus",
        "get_info",
        {"opus_id": OPUS_ID},
        lambda c: seed_opus.Opus(OPUS_ID, credential=c).get_info(),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {}

NO_SEED_CALL: dict[tuple[str, str], str] = {
    ("article", "get_page_state"): (
        "the page's path holds the cvid (/read/cv{cvid}) and the comparison matches literal "
        "paths; the seed's Note.get_all fetches the same https://www.bilibili.com/read/cv<id>"
    ),
    ("note", "upload_image"): (
        "seed broken on its httpx backend: note.upload_image hands httpx a BiliAPIFile, which has "
        "no read() (AttributeError before any request), as dynamic.upload_image"
    ),
}

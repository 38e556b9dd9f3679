"""Parity cases of the `comment`, `emoji` and `vote` namespaces (see the package docstring)."""

from __future__ import annotations

import bilibili_api
from bilibili_api import comment as seed_comment
from bilibili_api import emoji as seed_emoji
from bilibili_api import vote as seed_vote

from .._parity_base import AID, Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("comment", "emoji", "vote")

VIDEO = seed_comment.CommentResourceType.VIDEO
RPID = 5
VOTE_ID = 4947171
OFFSET = '{"type":3,"direction":1,"Data":{"cursor":104192624480}}'


def _seed_comment(c: bilibili_api.Credential) -> seed_comment.Comment:
    return seed_comment.Comment(AID, VIDEO, RPID, credential=c)


def _choices() -> seed_vote.VoteChoices:
    return seed_vote.VoteChoices().add_choice("爬山").add_choice("宅家")


OPTIONS_BY_HAND = (
    "the option keys (info[options][n][desc]) are added by the hand-written "
    "create/update, compared with the seed in tests/test_emoji_vote.py"
)

CASES: list[Case] = [
    # ------------------------------------------------------------------ comment
    (
        "comment",
        "get_comments",
        {"oid": AID, "type": 1, "page": 2, "sort": 2},
        lambda c: seed_comment.get_comments(
            AID, VIDEO, page_index=2, order=seed_comment.OrderType.LIKE, credential=c
        ),
    ),
    (
        "comment",
        "get_comments_lazy",
        {"oid": AID, "type": 1, "mode": 3, "pagination_str": {"offset": OFFSET}},
        lambda c: seed_comment.get_comments_lazy(
            AID, VIDEO, offset=OFFSET, order=seed_comment.OrderType.LIKE, credential=c
        ),
    ),
    (
        "comment",
        "get_replies",
        {"oid": AID, "type": 1, "root": RPID, "page": 2, "page_size": 20},
        lambda c: _seed_comment(c).get_sub_comments(page_index=2, page_size=20),
    ),
    (
        "comment",
        "_send",
        {"oid": AID, "type": 1, "message": "hi [doge]", "root": 11, "parent": 22},
        lambda c: seed_comment.send_comment(
            "hi [doge]", AID, VIDEO, root=11, parent=22, credential=c
        ),
    ),
    (
        "comment",
        "like",
        {"oid": AID, "type": 1, "rpid": RPID, "status": False},
        lambda c: _seed_comment(c).like(False),
    ),
    (
        "comment",
        "hate",
        {"oid": AID, "type": 1, "rpid": RPID},
        lambda c: _seed_comment(c).hate(),
    ),
    (
        "comment",
        "pin",
        {"oid": AID, "type": 1, "rpid": RPID, "status": True},
        lambda c: _seed_comment(c).pin(True),
    ),
    (
        "comment",
        "delete",
        {"oid": AID, "type": 1, "rpid": RPID},
        lambda c: _seed_comment(c).delete(),
    ),
    (
        "comment",
        "report",
        {"oid": AID, "type": 1, "rpid": RPID, "reason": 0, "content": "灌水"},
        lambda c: _seed_comment(c).report(seed_comment.ReportReason.OTHER, "灌水"),
    ),
    # ------------------------------------------------------------------ emoji
    (
        "emoji",
        "get_list",
        {"business": "dynamic"},
        lambda c: seed_emoji.get_emoji_list("dynamic", credential=c),
    ),
    (
        "emoji",
        "get_detail",
        {"ids": [93, 94], "business": "reply"},
        lambda c: seed_emoji.get_emoji_detail([93, 94], business="reply"),
    ),
    ("emoji", "get_all", {}, lambda c: seed_emoji.get_all_emoji(credential=c)),
    ("emoji", "add", {"package_id": 93}, lambda c: seed_emoji.add_emoji(93, credential=c)),
    # ------------------------------------------------------------------ vote
    (
        "vote",
        "get_info",
        {"vote_id": VOTE_ID},
        lambda c: seed_vote.Vote(VOTE_ID, credential=c).get_info(),
    ),
    (
        "vote",
        "_create",
        {"title": "周末去哪儿", "duration": 259200, "choice_cnt": 1, "desc": "投一票"},
        lambda c: seed_vote.create_vote(
            "周末去哪儿", seed_vote.VoteType.TEXT, 1, 259200, _choices(), c, desc="投一票"
        ),
    ),
    (
        "vote",
        "_update",
        {"vote_id": VOTE_ID, "title": "周末去哪儿", "duration": 604800, "type": 0},
        lambda c: seed_vote.Vote(VOTE_ID, credential=c).update_vote(
            "周末去哪儿", seed_vote.VoteType.TEXT, 1, 604800, _choices()
        ),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("comment", "_send"): _d(
        "the seed form-encodes its statistics dict as a Python repr ({'appId': 100, ...}); "
        "ours sends the JSON the web client sends",
        values="statistics",
    ),
    ("emoji", "add"): _d(
        "the seed puts package_id and business in the query of its POST; ours posts them in "
        "the form, as the web client does",
        moved="package_id:query>form business:query>form",
    ),
    ("vote", "_create"): _d(
        OPTIONS_BY_HAND, missing="info[options][0][desc] info[options][1][desc]"
    ),
    ("vote", "_update"): _d(
        OPTIONS_BY_HAND, missing="info[options][0][desc] info[options][1][desc]"
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

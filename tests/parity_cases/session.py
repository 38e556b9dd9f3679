"""Parity cases of the `session`, `black_room` and `topic` namespaces (see `__init__.py`)."""

from __future__ import annotations

import json
import types
from collections.abc import Awaitable
from typing import Any

import bilibili_api
from bilibili_api import black_room as seed_black_room
from bilibili_api import session as seed_session
from bilibili_api import topic as seed_topic

from .._parity_base import MID, MYINFO_MID, RND, SELF_MID, Case, Diff, _d

NAMESPACES = ("session", "black_room", "topic")

DEV_ID = "A6716E9A-7CE3-47AF-994B-F0B34178D28D"  # the seed's fixed msg[dev_id]
TOPIC_ID = 1050671
CASE_ID = "AC2SiaD8jlrL"
TALKER_TS = RND * 1_000_000  # microseconds, the unit of session_ts


async def _at_rnd(call: Awaitable[Any]) -> Any:
    """Run a seed call with `time.time()` of its session module pinned to RND (msg[timestamp])."""
    real = seed_session.time
    seed_session.time = types.SimpleNamespace(time=lambda: float(RND))  # type: ignore[assignment]
    try:
        return await call
    finally:
        seed_session.time = real


def _send_text(c: bilibili_api.Credential) -> Awaitable[Any]:
    return _at_rnd(seed_session.send_msg(c, MID, seed_session.EventType.TEXT, "hello"))


CASES: list[Case] = [
    # ---- session
    ("session", "get_sessions", {}, lambda c: seed_session.get_sessions(c)),
    (
        "session",
        "get_new_sessions",
        {"begin_ts": TALKER_TS},
        lambda c: seed_session.new_sessions(c, begin_ts=TALKER_TS),
    ),
    (
        "session",
        "get_session_detail",
        {"talker_id": MID, "session_type": 2},
        lambda c: seed_session.get_session_detail(c, MID, session_type=2),
    ),
    (
        "session",
        "fetch_session_msgs",
        {"talker_id": MID, "session_type": 1, "begin_seqno": 5},
        lambda c: seed_session.fetch_session_msgs(MID, c, 1, 5),
    ),
    (
        "session",
        "send_msg",
        {
            "receiver_id": MID,
            "sender_uid": SELF_MID,
            "content": json.dumps({"content": "hello"}),
            "dev_id": DEV_ID,
            "timestamp": RND,
            "w_sender_uid": SELF_MID,
            "w_receiver_id": MID,
        },
        _send_text,
    ),
    ("session", "get_unread", {}, lambda c: seed_session.get_unread_messages(c)),
    ("session", "get_settings", {}, lambda c: seed_session.get_session_settings(c)),
    (
        "session",
        "get_replies",
        {"last_id": 5, "reply_time": RND},
        lambda c: seed_session.get_replies(c, last_reply_id=5, reply_time=RND),
    ),
    (
        "session",
        "get_likes",
        {"last_id": 5, "like_time": RND},
        lambda c: seed_session.get_likes(c, last_id=5, like_time=RND),
    ),
    (
        "session",
        "get_ats",
        {"last_id": 5, "at_time": RND},
        lambda c: seed_session.get_at(c, last_id=5, at_time=RND),
    ),
    (
        "session",
        "get_system_messages",
        {},
        lambda c: seed_session.get_system_messages(c),
    ),
    # ---- black_room
    (
        "black_room",
        "get_blocked_list",
        {"blocked_type": 1, "origin_type": 1, "page": 2},
        lambda c: seed_black_room.get_blocked_list(
            seed_black_room.BlackFrom.ADMIN, seed_black_room.BlackType.COMMENT, 2, c
        ),
    ),
    (
        "black_room",
        "get_blocked_info",
        {"id": 1091621},
        lambda c: seed_black_room.BlackRoom(1091621, c).get_details(),
    ),
    (
        "black_room",
        "get_case",
        {"case_id": CASE_ID},
        lambda c: seed_black_room.JuryCase(CASE_ID, c).get_details(),
    ),
    (
        "black_room",
        "get_case_opinions",
        {"case_id": CASE_ID, "page": 2, "page_size": 10},
        lambda c: seed_black_room.JuryCase(CASE_ID, c).get_opinions(pn=2, ps=10),
    ),
    ("black_room", "get_next_case", {}, lambda c: seed_black_room.get_next_jury_case(c)),
    (
        "black_room",
        "vote",
        {
            "case_id": CASE_ID,
            "vote": 3,
            "insiders": True,
            "anonymous": False,
            "content": "理由",
        },
        lambda c: seed_black_room.JuryCase(CASE_ID, c).vote(
            seed_black_room.JuryVoteOpinion.UNSUITABLE, True, False, "理由"
        ),
    ),
    (
        "black_room",
        "get_case_list",
        {"page": 2, "page_size": 10},
        lambda c: seed_black_room.get_jury_case_raw(c, pn=2, ps=10),
    ),
    # ---- topic
    (
        "topic",
        "get_info",
        {"topic_id": TOPIC_ID},
        lambda c: seed_topic.Topic(TOPIC_ID, c).get_info(),
    ),
    (
        "topic",
        "get_cards",
        {"topic_id": TOPIC_ID, "page_size": 10, "offset": "2_40", "sort_by": 3},
        lambda c: seed_topic.Topic(TOPIC_ID, c).get_cards(
            ps=10, offset="2_40", sort_by=seed_topic.TopicCardsSortBy.NEW
        ),
    ),
    (
        "topic",
        "get_hot_topics",
        {"page_size": 10},
        lambda c: seed_topic.get_hot_topics(numbers=10),
    ),
    (
        "topic",
        "search",
        {"keyword": "2233", "page_size": 10, "page": 2},
        lambda c: seed_topic.search_topic("2233", ps=10, pn=2),
    ),
    (
        "topic",
        "like",
        {"topic_id": TOPIC_ID, "up_mid": MYINFO_MID},
        lambda c: seed_topic.Topic(TOPIC_ID, c).like(True),
    ),
    (
        "topic",
        "add_favorite",
        {"topic_id": TOPIC_ID},
        lambda c: seed_topic.Topic(TOPIC_ID, c).set_favorite(True),
    ),
    (
        "topic",
        "cancel_favorite",
        {"topic_id": TOPIC_ID},
        lambda c: seed_topic.Topic(TOPIC_ID, c).set_favorite(False),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("session", "get_system_messages"): _d(
        "seed never sets page_size (its catalogue placeholder goes out empty); ours sends 20",
        values="page_size",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

"""The `black_room` and `topic` namespaces: their iterators, both flavours, and the requests
whose values the catalogue shapes (bools as 0/1, an enum vote, constant fields)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bilibili_sdk import AsyncClient, Client, Credential
from bilibili_sdk.exceptions import ArgsException
from bilibili_sdk.models.black_room import JuryVote
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

FLAVOURS = ["sync", "async"]


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "0", "ttl": 1, "data": data}


def _cred() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)


def _iterate(
    flavour: str, mock: MockBilibili, ns: str, method: str, *a: Any, **kw: Any
) -> list[Any]:
    if flavour == "sync":
        with Client(credential=_cred(), transport=mock.transport(), max_retries=0) as bili:
            return list(getattr(getattr(bili, ns), method)(*a, **kw))

    async def main() -> list[Any]:
        async with AsyncClient(
            credential=_cred(), transport=mock.transport(), max_retries=0
        ) as bili:
            return [x async for x in getattr(getattr(bili, ns), method)(*a, **kw)]

    return asyncio.run(main())


def _call(flavour: str, mock: MockBilibili, ns: str, method: str, *a: Any, **kw: Any) -> Any:
    if flavour == "sync":
        with Client(credential=_cred(), transport=mock.transport(), max_retries=0) as bili:
            return getattr(getattr(bili, ns), method)(*a, **kw)

    async def main() -> Any:
        async with AsyncClient(
            credential=_cred(), transport=mock.transport(), max_retries=0
        ) as bili:
            return await getattr(getattr(bili, ns), method)(*a, **kw)

    return asyncio.run(main())


def _sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == endpoint]


# ---------------------------------------------------------------------------- black_room


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_blocked_list_reads_pages_until_an_empty_one(flavour: str) -> None:
    pages = {"1": [1, 2], "2": [3], "3": []}

    def answer(rec: RecordedRequest) -> Any:
        return _ok([{"id": i, "uname": f"u{i}"} for i in pages[rec.query["pn"]]] or None)

    mock = MockBilibili()
    mock.set_response("black_room.get_blocked_list", answer)
    got = _iterate(flavour, mock, "black_room", "iter_blocked_list", origin_type=1)
    assert [b.id for b in got] == [1, 2, 3]
    reqs = _sent(mock, "black_room.get_blocked_list")
    assert [r.query["pn"] for r in reqs] == ["1", "2", "3"]
    # otype on every page; btype left out when not given (both sources)
    assert {r.query["otype"] for r in reqs} == {"1"}
    assert all("btype" not in r.query for r in reqs)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("method", "endpoint", "args"),
    [
        ("iter_case_opinions", "get_case_opinions", ("AC1",)),
        ("iter_case_list", "get_case_list", ()),
    ],
)
def test_jury_iterators_stop_at_the_total(
    flavour: str, method: str, endpoint: str, args: tuple[Any, ...]
) -> None:
    def answer(rec: RecordedRequest) -> Any:
        pn, ps = int(rec.query["pn"]), int(rec.query["ps"])
        ids = range((pn - 1) * ps + 1, min(pn * ps, 5) + 1)
        return _ok({"total": 5, "list": [{"case_id": f"AC{i}", "opid": i} for i in ids]})

    mock = MockBilibili()
    mock.set_response(f"black_room.{endpoint}", answer)
    got = _iterate(flavour, mock, "black_room", method, *args, page_size=2)
    assert [x.case_id if method == "iter_case_list" else x.opid for x in got] == (
        ["AC1", "AC2", "AC3", "AC4", "AC5"] if method == "iter_case_list" else [1, 2, 3, 4, 5]
    )
    # three pages of two cover the total of five: no fourth request
    reqs = _sent(mock, f"black_room.{endpoint}")
    assert [(r.query["pn"], r.query["ps"]) for r in reqs] == [("1", "2"), ("2", "2"), ("3", "2")]
    if args:
        assert {r.query["case_id"] for r in reqs} == {"AC1"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_vote_sends_the_vote_and_the_flags_as_numbers(flavour: str) -> None:
    mock = MockBilibili()
    result = _call(
        flavour,
        mock,
        "black_room",
        "vote",
        "AC2SiaD8jlrL",
        vote=JuryVote.UNSUITABLE,
        insiders=True,
        content="理由",
    )
    assert result is None
    (req,) = _sent(mock, "black_room.vote")
    assert req.method == "POST"
    assert req.form == {
        "case_id": "AC2SiaD8jlrL",
        "vote": "3",
        "insiders": "1",
        "anonymous": "0",
        "content": "理由",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }


def test_vote_rejects_a_vote_outside_the_enum_before_io() -> None:
    mock = MockBilibili()
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as info:
            bili.black_room.vote("AC1", vote=7)
    assert info.value.argument == "vote"
    assert mock.requests == []


def test_case_details_come_back_typed() -> None:
    mock = MockBilibili()
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        case = bili.black_room.get_case("AC2SiaD8jlrL")
        info = bili.black_room.get_blocked_info(1091621)
    assert case.case_id == "AC2SiaD8jlrL"
    assert [v.vote_text for v in case.vote_items] == ["合适", "一般", "不合适"]
    assert case.vote_info.counts[:2] == [90, 33]
    assert case.my_point.insiders is True
    assert (info.id, info.blocked_days, info.blocked_forever) == (1091621, 15, False)


# ---------------------------------------------------------------------------- topic


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_cards_follows_the_offset_until_has_more_is_false(flavour: str) -> None:
    pages = {None: ([1, 2], "1_2", True), "1_2": ([3, 4], "2_4", True), "2_4": ([5], "", False)}

    def answer(rec: RecordedRequest) -> Any:
        ids, nxt, more = pages[rec.query.get("offset")]
        items = [{"topic_type": "DYNAMIC", "dynamic_card_item": {"id_str": str(i)}} for i in ids]
        return _ok({"topic_card_list": {"items": items, "offset": nxt, "has_more": more}})

    mock = MockBilibili()
    mock.set_response("topic.get_cards", answer)
    got = _iterate(flavour, mock, "topic", "iter_cards", 1050671, page_size=2, sort_by=3)
    assert [c.dynamic_card_item["id_str"] for c in got] == ["1", "2", "3", "4", "5"]
    reqs = _sent(mock, "topic.get_cards")
    assert [r.query.get("offset") for r in reqs] == [None, "1_2", "2_4"]
    assert {(r.query["topic_id"], r.query["page_size"], r.query["sort_by"]) for r in reqs} == {
        ("1050671", "2", "3")
    }
    assert {r.query["source"] for r in reqs} == {"Web"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_search_pages_until_has_more_is_false(flavour: str) -> None:
    def answer(rec: RecordedRequest) -> Any:
        page = int(rec.query["page_num"])
        items = [{"id": page * 10 + i, "name": f"t{page}{i}"} for i in range(2)]
        return _ok({"topic_items": items, "page_info": {"offset": page, "has_more": page < 2}})

    mock = MockBilibili()
    mock.set_response("topic.search", answer)
    got = _iterate(flavour, mock, "topic", "iter_search", "2233", page_size=2)
    assert [t.id for t in got] == [10, 11, 20, 21]
    reqs = _sent(mock, "topic.search")
    assert [(r.query["keywords"], r.query["page_num"]) for r in reqs] == [
        ("2233", "1"),
        ("2233", "2"),
    ]
    # limit: no second page
    mock.requests.clear()
    assert len(_iterate(flavour, mock, "topic", "iter_search", "2233", page_size=2, limit=2)) == 2
    assert len(_sent(mock, "topic.search")) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_like_and_favourite_requests(flavour: str) -> None:
    mock = MockBilibili()
    _call(flavour, mock, "topic", "like", 1050671, up_mid=293793435, action="cancel_like")
    _call(flavour, mock, "topic", "add_favorite", 1050671)
    _call(flavour, mock, "topic", "cancel_favorite", 1050671)
    (like,) = _sent(mock, "topic.like")
    assert like.form == {
        "topic_id": "1050671",
        "up_mid": "293793435",
        "action": "cancel_like",
        "business": "topic",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }
    for name in ("add_favorite", "cancel_favorite"):
        (req,) = _sent(mock, f"topic.{name}")
        assert (req.method, req.form["topic_id"], req.query) == ("POST", "1050671", {})


def test_like_rejects_an_unknown_action_before_io() -> None:
    mock = MockBilibili()
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as info:
            bili.topic.like(1, up_mid=2, action="unlike")
    assert info.value.argument == "action"
    assert mock.requests == []

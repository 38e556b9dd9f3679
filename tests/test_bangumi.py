"""The `bangumi` and `cheese` namespaces against the mock: the paged walks (iter_*), the
follow bodies, the index filters on the wire, one_of with a positional season id, and the
typed examples."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NotFoundException,
)
from bilibili_sdk._extras.bangumi import AsyncBangumiExtras
from bilibili_sdk.models.bangumi import (
    BangumiArea,
    BangumiFollowStatus,
    BangumiIndexOrder,
    BangumiIndexType,
    BangumiPayment,
    BangumiReviewOrder,
    BangumiStyle,
)
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from ._hardening import FLAVOURS
from .conftest import BILI_JCT, SESSDATA

CRED = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def _call(
    aio: bool, mock: MockBilibili, ns: str, name: str, *args: Any, cred: Any = None, **kw: Any
) -> Any:
    """`client.<ns>.<name>(*args, **kw)` in either flavour; an iter_* is drained to a list."""
    if not aio:
        with Client(transport=mock.transport(), credential=cred, max_retries=0) as bili:
            got = getattr(getattr(bili, ns), name)(*args, **kw)
            return list(got) if name.startswith("iter_") else got

    async def main() -> Any:
        async with AsyncClient(transport=mock.transport(), credential=cred, max_retries=0) as bili:
            got = getattr(getattr(bili, ns), name)(*args, **kw)
            if name.startswith("iter_"):
                return [x async for x in got]
            return await got

    return asyncio.run(main())


def _sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == endpoint]


# ---------------------------------------------------------------------- reviews (cursor)


def _review(i: int) -> dict[str, Any]:
    return {"review_id": i, "media_id": 7, "mid": 100 + i, "content": f"r{i}", "score": 10}


# cursor sent -> (review ids, next cursor)
REVIEW_PAGES: dict[str | None, tuple[list[int], int]] = {
    None: ([1, 2], 500),
    "500": ([3, 4], 400),
    "400": ([5], 0),  # next 0: the last page
}


def _reviews(req: RecordedRequest) -> dict[str, Any]:
    ids, nxt = REVIEW_PAGES[req.query.get("cursor")]
    page = {"list": [_review(i) for i in ids], "next": nxt, "total": 5}
    return {"code": 0, "message": "success", "data": page}


@FLAVOURS
@pytest.mark.parametrize("kind", ["short", "long"])
def test_iter_reviews_follows_the_cursor_and_stops_at_next_0(aio: bool, kind: str) -> None:
    mock = MockBilibili()
    mock.set_response(f"bangumi.list_{kind}_reviews", _reviews)
    got = _call(aio, mock, "bangumi", f"iter_{kind}_reviews", 7, sort=BangumiReviewOrder.CTIME)
    assert [r.review_id for r in got] == [1, 2, 3, 4, 5]
    sent = _sent(mock, f"bangumi.list_{kind}_reviews")
    assert [r.query.get("cursor") for r in sent] == [None, "500", "400"]  # then stops
    assert {(r.query["media_id"], r.query["sort"], r.query["ps"]) for r in sent} == {
        ("7", "1", "20")
    }


@FLAVOURS
def test_iter_reviews_limit_stops_early(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("bangumi.list_short_reviews", _reviews)
    got = _call(aio, mock, "bangumi", "iter_short_reviews", 7, limit=3)
    assert [r.review_id for r in got] == [1, 2, 3]
    assert len(_sent(mock, "bangumi.list_short_reviews")) == 2


# ---------------------------------------------------------------------- index (pages)


def _index(has_next_at_2: int, total: int) -> Any:
    layout = {1: [11, 12], 2: [13, 14], 3: [15]}

    def answer(req: RecordedRequest) -> dict[str, Any]:
        page = int(req.query["page"])
        items = [{"season_id": s, "title": f"s{s}"} for s in layout.get(page, [])]
        has_next = {1: 1, 2: has_next_at_2, 3: 0}.get(page, 0)
        data = {"list": items, "has_next": has_next, "num": page, "size": 2, "total": total}
        return {"code": 0, "message": "success", "data": data}

    return answer


@FLAVOURS
def test_iter_index_walks_the_pages_in_order(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("bangumi.get_index", _index(has_next_at_2=1, total=5))
    got = _call(
        aio,
        mock,
        "bangumi",
        "iter_index",
        season_type=BangumiIndexType.MOVIE,
        area=BangumiArea.CHINA_HONGKONG_TAIWAN,
        page_size=2,
    )
    assert [s.season_id for s in got] == [11, 12, 13, 14, 15]
    sent = _sent(mock, "bangumi.get_index")
    assert [r.query["page"] for r in sent] == ["1", "2", "3"]
    assert {(r.query["season_type"], r.query["area"], r.query["pagesize"]) for r in sent} == {
        ("2", "6,7", "2")
    }


@FLAVOURS
def test_iter_index_stops_when_has_next_is_0(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("bangumi.get_index", _index(has_next_at_2=0, total=100))
    got = _call(aio, mock, "bangumi", "iter_index", page_size=2)
    assert [s.season_id for s in got] == [11, 12, 13, 14]
    assert len(_sent(mock, "bangumi.get_index")) == 2


@FLAVOURS
def test_index_filters_go_on_the_wire_as_the_web_page_sends_them(aio: bool) -> None:
    mock = MockBilibili()
    _call(
        aio,
        mock,
        "bangumi",
        "get_index",
        order=BangumiIndexOrder.FOLLOWER,
        season_status=BangumiPayment.VIP,
        style_id=BangumiStyle.TV_OTHER,
        year="[2019,2020)",
        page=3,
    )
    (req,) = _sent(mock, "bangumi.get_index")
    assert req.query == {
        "season_type": "1",
        "order": "3",
        "sort": "0",
        "page": "3",
        "pagesize": "20",
        "season_status": "4,6",
        "year": "[2019,2020)",
        "style_id": "10086,10088,10089,10017,10083,10082,10087,10085",
        "type": "1",
    }


def test_index_filter_values_are_checked_before_io() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as e:
            bili.bangumi.get_index(area="Japan")
        assert e.value.argument == "area"
        with pytest.raises(ArgsException) as e:
            bili.bangumi.get_index(style_id=10010)  # the enum's values are strings
        assert e.value.argument == "style_id"
    assert mock.requests == []


# ---------------------------------------------------------------------- cheese episodes (pages)


def _episodes(req: RecordedRequest) -> dict[str, Any]:
    layout = {1: [101, 102], 2: [103]}
    page = int(req.query["pn"])
    items = [{"id": e, "aid": e * 10, "cid": e * 100, "title": f"e{e}"} for e in layout[page]]
    info = {"next": page < 2, "num": page, "size": 2, "total": 3}
    return {"code": 0, "message": "success", "data": {"items": items, "page": info}}


@FLAVOURS
def test_cheese_iter_episodes_walks_pages_until_page_next_is_false(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("cheese.list_episodes", _episodes)
    got = _call(aio, mock, "cheese", "iter_episodes", 212, page_size=2)
    assert [(e.id, e.aid, e.cid) for e in got] == [
        (101, 1010, 10100),
        (102, 1020, 10200),
        (103, 1030, 10300),
    ]
    sent = _sent(mock, "cheese.list_episodes")
    assert [(r.query["season_id"], r.query["pn"], r.query["ps"]) for r in sent] == [
        ("212", "1", "2"),
        ("212", "2", "2"),
    ]


# ---------------------------------------------------------------------- follow (POST bodies)


@FLAVOURS
@pytest.mark.parametrize(
    ("name", "kwargs", "body"),
    [
        ("follow", {}, {"season_id": "41410"}),
        ("unfollow", {}, {"season_id": "41410"}),
        (
            "update_follow_status",
            {"status": BangumiFollowStatus.WATCHED},
            {"season_id": "41410", "status": "3"},
        ),
    ],
)
def test_follow_posts_exactly_the_season_and_csrf(
    aio: bool, name: str, kwargs: dict[str, Any], body: dict[str, str]
) -> None:
    mock = MockBilibili()
    result = _call(aio, mock, "bangumi", name, 41410, cred=CRED, **kwargs)
    (req,) = _sent(mock, f"bangumi.{name}")
    assert req.method == "POST"
    assert req.form == {**body, "csrf": BILI_JCT, "csrf_token": BILI_JCT}
    assert req.query == {}
    assert req.cookies.get("SESSDATA") == SESSDATA
    assert isinstance(result.toast, str) and result.toast  # the example's result envelope


@FLAVOURS
@pytest.mark.parametrize("name", ["follow", "unfollow", "update_follow_status"])
def test_follow_needs_a_login_before_any_io(aio: bool, name: str) -> None:
    kwargs = {"status": 1} if name == "update_follow_status" else {}
    mock = MockBilibili()
    with pytest.raises(CredentialNoSessdataException):
        _call(aio, mock, "bangumi", name, 41410, **kwargs)
    with pytest.raises(CredentialNoBiliJctException):
        _call(aio, mock, "bangumi", name, 41410, cred=Credential(sessdata=SESSDATA), **kwargs)
    assert mock.requests == []


# ---------------------------------------------------------------------- season: one_of


@FLAVOURS
@pytest.mark.parametrize(("ns", "name"), [("bangumi", "get_season"), ("cheese", "get_season")])
def test_get_season_takes_the_season_positionally_or_an_episode(
    aio: bool, ns: str, name: str
) -> None:
    mock = MockBilibili()
    _call(aio, mock, ns, name, 41410)
    _call(aio, mock, ns, name, ep_id=508404)
    sent = _sent(mock, f"{ns}.{name}")
    assert [r.query for r in sent] == [{"season_id": "41410"}, {"ep_id": "508404"}]
    for args, kw in [((), {}), ((41410,), {"ep_id": 508404})]:
        with pytest.raises(ArgsException):
            _call(aio, mock, ns, name, *args, **kw)
    assert len(_sent(mock, f"{ns}.{name}")) == 2  # the bad calls sent nothing


# ---------------------------------------------------------------------- typed answers


@FLAVOURS
def test_season_and_sections_come_back_typed(aio: bool) -> None:
    mock = MockBilibili()
    season = _call(aio, mock, "bangumi", "get_season", 41410)
    assert (season.season_id, season.media_id, season.title) == (41410, 28237119, "间谍过家家")
    assert [e.id for e in season.episodes] == [508404, 508405]
    assert season.rating is not None and season.rating.score == 9.6
    sections = _call(aio, mock, "bangumi", "get_sections", 41410)
    assert sections.main_section.title == "正片"
    assert [e.id for e in sections.main_section.episodes] == [606591, 606592, 606596]
    assert sections.section[0].episodes[0].title == "PV"
    timeline = _call(aio, mock, "bangumi", "get_timeline", before=1, after=1)
    assert [d.date for d in timeline] == ["5-15", "5-16"]
    assert timeline[0].episodes[0].title == "式守同学不只可爱而已"
    (req,) = _sent(mock, "bangumi.get_timeline")
    assert req.query == {"types": "1", "before": "1", "after": "1"}


@FLAVOURS
def test_play_urls_send_the_episode_and_the_player_constants(aio: bool) -> None:
    mock = MockBilibili()
    bangumi = _call(aio, mock, "bangumi", "get_play_url", 508404, qn=80)
    assert bangumi.video_info.quality == 32 and bangumi.video_info.durl[0].order == 1
    (req,) = _sent(mock, "bangumi.get_play_url")
    assert req.query["ep_id"] == "508404" and req.query["qn"] == "80"
    assert req.query["fnval"] == "4048" and req.query["from_client"] == "BROWSER"
    course = _call(aio, mock, "cheese", "get_play_url", 11001, aid=500001, cid=800001)
    assert course.quality == 116 and course.support_formats[0].quality == 116
    (req,) = _sent(mock, "cheese.get_play_url")
    assert {k: req.query[k] for k in ("ep_id", "avid", "cid", "qn", "fourk")} == {
        "ep_id": "11001",
        "avid": "500001",
        "cid": "800001",
        "qn": "127",
        "fourk": "1",
    }


# ---------------------------------------------------------------------- hand-written: extras


@FLAVOURS
def test_get_episode_finds_main_episodes_and_extras(aio: bool) -> None:
    mock = MockBilibili()
    ep = _call(aio, mock, "bangumi", "get_episode", 508405)
    assert (ep.id, ep.aid, ep.cid, ep.long_title) == (508405, 300876248, 772096114, "第2话")
    extra = _call(aio, mock, "bangumi", "get_episode", 576387)  # listed in a section (PV)
    assert (extra.id, extra.aid) == (576387, 898153042)
    assert [r.query for r in _sent(mock, "bangumi.get_season")] == [
        {"ep_id": "508405"},
        {"ep_id": "576387"},
    ]


@FLAVOURS
def test_get_episode_raises_not_found_and_checks_its_argument_first(aio: bool) -> None:
    mock = MockBilibili()
    with pytest.raises(NotFoundException) as e:
        _call(aio, mock, "bangumi", "get_episode", 999)
    assert e.value.endpoint == "bangumi.get_episode" and "999" in str(e.value)
    for bad in (0, "508404", True):
        with pytest.raises(ArgsException) as a:
            _call(aio, mock, "bangumi", "get_episode", bad)
        assert a.value.argument == "ep_id"
    assert len(_sent(mock, "bangumi.get_season")) == 1


def _course(req: RecordedRequest) -> dict[str, Any]:
    """A course of 3 episodes whose page data lists only the first."""
    first = {"id": 101, "aid": 1010, "cid": 10100, "title": "e101"}
    info = {"next": True, "num": 1, "size": 1, "total": 3}
    data = {"season_id": 212, "title": "course", "episodes": [first], "episode_page": info}
    return {"code": 0, "message": "success", "data": data}


@FLAVOURS
def test_cheese_get_episode_looks_past_the_first_page(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("cheese.get_season", _course)
    mock.set_response("cheese.list_episodes", _episodes)
    first = _call(aio, mock, "cheese", "get_episode", 101)
    assert (first.id, first.cid) == (101, 10100)
    assert _sent(mock, "cheese.list_episodes") == []  # found in the page data
    third = _call(aio, mock, "cheese", "get_episode", 103)
    assert (third.id, third.aid, third.cid) == (103, 1030, 10300)
    assert [r.query["pn"] for r in _sent(mock, "cheese.list_episodes")] == ["1", "2"]
    with pytest.raises(NotFoundException):
        _call(aio, mock, "cheese", "get_episode", 104)
    with pytest.raises(ArgsException):
        _call(aio, mock, "cheese", "get_episode", -1)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((2019, 2020), {}, "[2019,2020)"),
        ((), {"end": 1980}, "[,1980)"),
        ((2010,), {"include_start": False, "include_end": True}, "(2010,]"),
        (
            (datetime.date(2019, 1, 1), datetime.datetime(2020, 1, 1, 12, 30)),
            {},
            "[2019-01-01 00:00:00,2020-01-01 12:30:00)",
        ),
    ],
)
def test_index_range_builds_the_filter_intervals(
    args: tuple[Any, ...], kwargs: dict[str, Any], expected: str
) -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        assert bili.bangumi.index_range(*args, **kwargs) == expected
    assert AsyncBangumiExtras.index_range(*args, **kwargs) == expected  # the same helper


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ((), "start"),
        ((2020, 2019), "end"),
        ((2019, datetime.date(2020, 1, 1)), "end"),
        (("2019",), "start"),
        ((True,), "start"),
        ((19,), "start"),
    ],
)
def test_index_range_rejects_bad_bounds(args: tuple[Any, ...], argument: str) -> None:
    with Client() as bili, pytest.raises(ArgsException) as e:
        bili.bangumi.index_range(*args)
    assert e.value.argument == argument

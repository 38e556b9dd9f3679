"""The `creative` namespace (creator centre), and the common.json rows placed in `user` and
`video` (`user.check_nickname`, `video.get_zone_upload_counts`), against MockBilibili."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from codegen.loader import load

from bilibili_sdk import (
    AsyncClient,
    Client,
    Credential,
    CredentialNoSessdataException,
    ResponseCodeException,
)
from bilibili_sdk.models.creative import (
    ArchiveType,
    ArticleSort,
    ArticleStatType,
    ArticleStatus,
    CommentManagerOrder,
    CopyrightFilter,
    CreativeArticleList,
    CreativeVideoList,
    DanmakuOrder,
    DanmakuSelectType,
    DanmakuSort,
    FanGraphPeriod,
    FanGraphType,
    GraphPeriod,
    GraphType,
    SurveyType,
    UploadOrder,
    UploadStatus,
)
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

CREATIVE = next(ns for ns in load().namespaces if ns.name == "creative")
CRED = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def _client(mock: MockBilibili, credential: Credential | None = CRED) -> Client:
    return Client(transport=mock.transport(), credential=credential, max_retries=0)


def _aclient(mock: MockBilibili, credential: Credential | None = CRED) -> AsyncClient:
    return AsyncClient(transport=mock.transport(), credential=credential, max_retries=0)


def _only(mock: MockBilibili, endpoint: str) -> RecordedRequest:
    reqs = [r for r in mock.requests if r.endpoint == endpoint]
    assert len(reqs) == 1, [r.endpoint for r in mock.requests]
    return reqs[0]


# ---------------------------------------------------------------- the catalogue rows


def test_every_seed_row_is_in_the_namespace() -> None:
    """24 rows of creative_center.json: 23 here, the danmaku-state row is video.operate_danmaku."""
    seeds = {ep.seed for ep in CREATIVE.endpoints}
    assert len(CREATIVE.endpoints) == 23
    assert all(ep.auth == "required" for ep in CREATIVE.endpoints)
    assert "creative_center.edit_danmaku_state" not in seeds
    assert len(seeds) == 23 and None not in seeds


def test_enum_numbers() -> None:
    assert [m.value for m in GraphPeriod] == [-1, 0, 1, 2, 3]
    assert [m.value for m in FanGraphPeriod] == [-1, 0, 1, 2]
    assert GraphType.DANMAKU.value == "dm" and GraphType.ELEC.value == "elec"
    assert FanGraphType.NEW_FANS.value == "fan" and FanGraphType.ALL_FANS.value == "all_fans"
    assert [m.value for m in SurveyType] == list(range(1, 9))
    assert [m.value for m in ArticleStatType] == list(range(1, 7))
    assert [m.value for m in CopyrightFilter] == [0, 1, 2]
    assert UploadOrder.COMMENT_COUNT.value == "scores"
    assert UploadStatus.ALL.value == "is_pubing,pubed,not_pubed"
    assert (ArticleStatus.IS_PUBING.value, ArticleStatus.PUBED.value) == (1, 2)
    assert [m.value for m in ArticleSort] == [1, 2, 3, 5, 6]
    assert [m.value for m in ArchiveType] == [1, 12, 14]
    assert [m.value for m in CommentManagerOrder] == [1, 2, 3]
    assert DanmakuSelectType.PROTECTED.value == 2
    assert (DanmakuOrder.LIKE_COUNT.value, DanmakuSort.ASC.value) == ("like_count", "asc")


# ---------------------------------------------------------------- login before any request

ARGS: dict[str, dict[str, Any]] = {
    "edit_danmaku_pool": {"cid": 279786, "dmids": [1], "pool": 1},
    "get_danmakus": {"cid": 279786},
    "delete_comments": {"oid": [1], "rpid": [2]},
    "get_archive_edits": {"bvid": "BV17x411w7KC"},
    "get_archive_parts": {"aid": 170001},
}


@pytest.mark.parametrize("name", [ep.name for ep in CREATIVE.endpoints])
def test_login_required_before_any_request(name: str) -> None:
    mock = MockBilibili()
    kwargs = ARGS.get(name, {})
    with _client(mock, None) as bili, pytest.raises(CredentialNoSessdataException):
        getattr(bili.creative, name)(**kwargs)
    assert mock.requests == []


@pytest.mark.anyio
async def test_login_required_before_any_request_async() -> None:
    mock = MockBilibili()
    async with _aclient(mock, Credential(bili_jct=BILI_JCT)) as bili:
        with pytest.raises(CredentialNoSessdataException):
            await bili.creative.delete_comments(oid=[1], rpid=[2])
        with pytest.raises(CredentialNoSessdataException):
            await bili.creative.get_overview()
    assert mock.requests == []


# ---------------------------------------------------------------- request shapes


def test_post_bodies_exact() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.creative.delete_comments([11, 12], oid=[170001, 170002], archive_type=12)
        bili.creative.edit_danmaku_pool(279786, dmids=[5, 6, 7], pool=0)
    delete = _only(mock, "creative.delete_comments")
    assert delete.method == "POST" and delete.query == {}
    assert delete.form == {
        "oid": "170001,170002",
        "rpid": "11,12",
        "type": "12",
        "jsonp": "jsonp",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }
    pool = _only(mock, "creative.edit_danmaku_pool")
    assert pool.method == "POST" and pool.query == {}
    assert pool.form == {
        "oid": "279786",
        "dmids": "5,6,7",
        "pool": "0",
        "type": "1",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }


@pytest.mark.anyio
async def test_post_bodies_exact_async() -> None:
    mock = MockBilibili()
    async with _aclient(mock) as bili:
        await bili.creative.delete_comments([4], oid=[3])
    assert _only(mock, "creative.delete_comments").form == {
        "oid": "3",
        "rpid": "4",
        "type": "1",
        "jsonp": "jsonp",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }


def test_batch_delete_and_single_delete_share_a_url_but_not_an_endpoint() -> None:
    """The mock tells `delete_comments` apart by its constant jsonp=jsonp."""
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.creative.delete_comments(oid=[3], rpid=[4])
    assert mock.requests[-1].endpoint == "creative.delete_comments"
    assert mock.requests[-1].path == "/x/v2/reply/del"


def test_query_shapes_with_defaults() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.creative.get_graph()
        bili.creative.get_overview(period=GraphPeriod.TOTAL)
        bili.creative.get_fan_graph(period=FanGraphPeriod.YESTERDAY, graph_type="unfollow")
        bili.creative.get_video_survey(survey_type=SurveyType.LIKE)
        bili.creative.get_videos()
        bili.creative.get_articles(sort=ArticleSort.COIN)
        bili.creative.get_comments()
        bili.creative.get_recent_danmakus()
    q = {r.endpoint: r.query for r in mock.requests if r.endpoint}
    assert q["creative.get_graph"] == {"period": "0", "type": "play", "s_locale": "zh_CN"}
    assert q["creative.get_overview"] == {"period": "3", "s_locale": "zh_CN", "tab": "0"}
    assert q["creative.get_fan_graph"] == {"period": "-1", "type": "unfollow"}
    assert q["creative.get_video_survey"] == {"type": "8"}
    assert q["creative.get_videos"] == {
        "status": "is_pubing,pubed,not_pubed",
        "order": "click",
        "interactive": "1",
        "pn": "1",
        "ps": "10",
        "coop": "1",
    }
    assert q["creative.get_articles"] == {"group": "0", "sort": "6", "pn": "1", "mobi_app": "pc"}
    assert q["creative.get_comments"] == {
        "type": "1",
        "order": "1",
        "filter": "-1",
        "pn": "1",
        "ps": "10",
        "charge_plus_filter": "false",
    }
    assert q["creative.get_recent_danmakus"] == {"pn": "1", "ps": "50"}


def test_danmaku_search_filters() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.creative.get_danmakus(
            279786,
            mids=[1, 2],
            modes=[1, 4],
            pools=[0, 1],
            progress_from=0,
            cp_filter=True,
            order=DanmakuOrder.LIKE_COUNT,
        )
    assert _only(mock, "creative.get_danmakus").query == {
        "oid": "279786",
        "select_type": "0",
        "type": "1",
        "mids": "1,2",
        "progress_from": "0",
        "modes": "1,4",
        "pool": "0,1",
        "order": "like_count",
        "sort": "desc",
        "pn": "1",
        "ps": "50",
        "cp_filter": "true",
    }


def test_archive_calls_take_either_video_id() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.creative.get_archive_edits(170001)  # an av number, sent as its BV id
        parts = bili.creative.get_archive_parts("BV17x411w7KC")  # a BV id, sent as its aid
    assert _only(mock, "creative.get_archive_edits").query == {"bvid": "BV17x411w7KC"}
    assert _only(mock, "creative.get_archive_parts").query == {"aid": "170001"}
    assert [p.cid for p in parts.part_list] == [1350000001]


# ---------------------------------------------------------------- responses


def test_article_list_has_no_data_envelope() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        got = bili.creative.get_articles()
    assert isinstance(got, CreativeArticleList)
    assert [a.id for a in got.artlist.articles] == [28000001]
    assert got.artlist.articles[0].stats.view == 290


def test_video_list_nested_wire_names() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        got = bili.creative.get_videos()
    assert isinstance(got, CreativeVideoList)
    assert [a.archive.bvid for a in got.arc_audits] == ["BV1nq4y1X7a3", "BV1Xq4y1X7b4"]
    assert got.arc_audits[0].stat.view == 1520
    assert got.arc_audits[0].videos[0].cid == 1350000001
    assert got.class_ == {"is_pubing": 0, "pubed": 2, "not_pubed": 0}
    assert got.page.count == 2


def test_article_graph_is_a_list_of_days() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        got = bili.creative.get_article_graph(stat_type=ArticleStatType.LIKE)
    assert [(p.date_key, p.total_inc) for p in got] == [(1699920000, 12), (1700006400, 6)]
    assert mock.requests[-1].query == {"type": "6"}


def test_check_nickname_free_and_taken() -> None:
    mock = MockBilibili()
    with _client(mock, None) as bili:
        assert bili.user.check_nickname("新名字") is None
        mock.set_response("user.check_nickname", {"code": 40014, "message": "昵称已存在"})
        with pytest.raises(ResponseCodeException) as ei:
            bili.user.check_nickname("老名字")
    assert ei.value.code == 40014 and "昵称已存在" in str(ei.value)
    sent = [r for r in mock.requests if r.endpoint == "user.check_nickname"]
    assert [r.query for r in sent] == [{"nickName": "新名字"}, {"nickName": "老名字"}]
    assert sent[0].host == "passport.bilibili.com" and "SESSDATA" not in sent[0].cookies


@pytest.mark.anyio
async def test_zone_upload_counts_async() -> None:
    mock = MockBilibili()
    async with _aclient(mock, None) as bili:
        got = await bili.video.get_zone_upload_counts()
    assert got.region_count["4"] == 235 and got.region_count["160"] == 215
    assert len(got.region_count) == 22


# ---------------------------------------------------------------- pagination

# (method, iterator, kwargs, wire path of the item list, wire path of the total, id of an item)
PAGED: list[tuple[str, str, dict[str, Any], list[str], list[str] | None, Callable[[Any], int]]] = [
    ("get_videos", "iter_videos", {"page_size": 2}, ["data", "arc_audits"], ["data", "page", "count"],
     lambda i: i.archive.aid),
    ("get_articles", "iter_articles", {}, ["artlist", "articles"], None, lambda i: i.id),
    ("get_comments", "iter_comments", {"page_size": 2}, ["data", "list"], ["data", "page", "total"],
     lambda i: i.rpid),
    ("get_danmakus", "iter_danmakus", {"cid": 279786, "page_size": 2}, ["data", "result"],
     ["data", "page", "total"], lambda i: i.id),
    ("get_recent_danmakus", "iter_recent_danmakus", {"page_size": 2}, ["data", "result"],
     ["data", "page", "total"], lambda i: i.id),
]  # fmt: skip


def _item(template: dict[str, Any], n: int) -> dict[str, Any]:
    item = copy.deepcopy(template)
    if "Archive" in item:
        item["Archive"]["aid"] = n
    elif "rpid" in item:
        item["rpid"] = n
    else:
        item["id"] = n
    return item


def _handler(
    mock: MockBilibili, name: str, items_path: list[str], total_path: list[str] | None
) -> Callable[[RecordedRequest], Any]:
    """Pages of 2, 2 and 1 items numbered 1..5, then empty pages; the total says 5."""
    example = mock.examples[f"creative.{name}"]
    node = example
    for k in items_path:
        node = node[k]
    template = node[0]
    layout = {1: [1, 2], 2: [3, 4], 3: [5]}

    def handle(req: RecordedRequest) -> Any:
        body = copy.deepcopy(example)
        where = body
        for k in items_path[:-1]:
            where = where[k]
        where[items_path[-1]] = [_item(template, n) for n in layout.get(int(req.query["pn"]), [])]
        if total_path:
            where = body
            for k in total_path[:-1]:
                where = where[k]
            where[total_path[-1]] = 5
        return body

    return handle


@pytest.mark.parametrize(
    ("name", "iterator", "kwargs", "items", "total", "key"), PAGED, ids=[p[1] for p in PAGED]
)
def test_iterators_yield_every_item_in_order(
    name: str,
    iterator: str,
    kwargs: dict[str, Any],
    items: list[str],
    total: list[str] | None,
    key: Callable[[Any], int],
) -> None:
    mock = MockBilibili()
    mock.set_response(f"creative.{name}", _handler(mock, name, items, total))
    with _client(mock) as bili:
        got = [key(i) for i in getattr(bili.creative, iterator)(**kwargs)]
    assert got == [1, 2, 3, 4, 5]
    pages = [r.query["pn"] for r in mock.requests if r.endpoint == f"creative.{name}"]
    # with a total the walk stops after the page that reaches it; without, at the empty page
    assert pages == (["1", "2", "3"] if total else ["1", "2", "3", "4"])


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "iterator", "kwargs", "items", "total", "key"), PAGED, ids=[p[1] for p in PAGED]
)
async def test_async_iterators_yield_every_item_in_order(
    name: str,
    iterator: str,
    kwargs: dict[str, Any],
    items: list[str],
    total: list[str] | None,
    key: Callable[[Any], int],
) -> None:
    mock = MockBilibili()
    mock.set_response(f"creative.{name}", _handler(mock, name, items, total))
    async with _aclient(mock) as bili:
        got = [key(i) async for i in getattr(bili.creative, iterator)(**kwargs)]
    assert got == [1, 2, 3, 4, 5]


def test_iterator_keeps_the_filters_on_every_page() -> None:
    mock = MockBilibili()
    mock.set_response(
        "creative.get_comments",
        _handler(mock, "get_comments", ["data", "list"], ["data", "page", "total"]),
    )
    with _client(mock) as bili:
        got = list(bili.creative.iter_comments(oid=170001, keyword="好", page_size=2, limit=3))
    assert [c.rpid for c in got] == [1, 2, 3]
    reqs = [r for r in mock.requests if r.endpoint == "creative.get_comments"]
    assert [(r.query["pn"], r.query["ps"], r.query["oid"], r.query["keyword"]) for r in reqs] == [
        ("1", "2", "170001", "好"),
        ("2", "2", "170001", "好"),
    ]

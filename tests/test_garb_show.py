"""The small namespaces of batch 12: garb, show, activity, app, ip. Paging (garb.iter_search,
garb.iter_items, activity.iter_activities) walks pages in order and stops; show keeps buyers'
identity numbers out of reprs; app signs the brand list and stamps ts."""

from __future__ import annotations

import copy
import hashlib
import time
import urllib.parse
from typing import Any

import pytest

from bilibili_sdk import ArgsException
from bilibili_sdk.models.garb import GarbSortType
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .test_comment import FLAVOURS, call, sent


def _pages(
    mock: MockBilibili, endpoint: str, ids: list[int], size: int, *, total: str, page: str
) -> None:
    """Answer `endpoint` with items `ids`, `size` a page, by the page number (pn)."""
    base = mock.examples[endpoint]

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        if len(sent(mock, endpoint)) > 10:
            return {"code": -500, "message": "test: the walk did not stop", "ttl": 1}
        n = int(rec.query["pn"])
        body = copy.deepcopy(base)
        item = body["data"]["list"][0]
        body["data"]["list"] = [
            {**item, "id": i, "item_id": i} for i in ids[(n - 1) * size : n * size]
        ]
        body["data"][total] = len(ids)
        body["data"][page] = n
        return body

    mock.set_response(endpoint, answer)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_garb_iter_search_walks_pages_in_order_and_stops_at_total(flavour: str) -> None:
    mock = MockBilibili()
    _pages(mock, "garb.search", [11, 12, 13, 14, 15], 2, total="total", page="pn")
    got = call(flavour, mock, "garb", "iter_search", "原神", page_size=2)
    assert [g.item_id for g in got] == [11, 12, 13, 14, 15]
    reqs = sent(mock, "garb.search")
    assert [r.query["pn"] for r in reqs] == ["1", "2", "3"]
    assert {r.query["key_word"] for r in reqs} == {"原神"} and "csrf" not in reqs[0].query


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_garb_iter_items_sends_the_partition_and_sort(flavour: str) -> None:
    mock = MockBilibili()
    _pages(mock, "garb.get_items", [1, 2, 3], 3, total="total", page="pn")
    got = call(
        flavour, mock, "garb", "iter_items", group_id=22, part_id=1, sort_type=GarbSortType.SELL,
        page_size=3,
    )  # fmt: skip
    assert [g.item_id for g in got] == [1, 2, 3]
    (req,) = sent(mock, "garb.get_items")  # 3 of 3 seen: no second page asked
    assert (req.query["group_id"], req.query["part_id"], req.query["sort_type"]) == ("22", "1", "1")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_activity_iter_activities_stops_on_an_empty_page_and_at_limit(flavour: str) -> None:
    mock = MockBilibili()
    _pages(mock, "activity.get_list", [207, 210, 199], 2, total="total", page="num")
    got = call(flavour, mock, "activity", "iter_activities", page_size=2)
    assert [a.id for a in got] == [207, 210, 199]
    reqs = sent(mock, "activity.get_list")
    assert [r.query["pn"] for r in reqs] == ["1", "2"]
    assert (reqs[0].query["plat"], reqs[0].query["mold"], reqs[0].query["http"]) == (
        "1,3",
        "0",
        "3",
    )
    mock2 = MockBilibili()
    _pages(mock2, "activity.get_list", [1, 2, 3, 4, 5], 2, total="total", page="num")
    assert [
        a.id for a in call(flavour, mock2, "activity", "iter_activities", page_size=2, limit=3)
    ] == [1, 2, 3]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_garb_dlc_detail_reads_the_recorded_pool(flavour: str) -> None:
    mock = MockBilibili()
    detail = call(flavour, mock, "garb", "get_dlc_detail", 102, lottery_id=15)
    (req,) = sent(mock, "garb.get_dlc_detail")
    assert req.query == {"act_id": "102", "lottery_id": "15"}
    assert detail.lottery_id == 15 and detail.name == "夏日萌菜"
    assert detail.item_list[0].card_info.card_name == "水中嬉戏·隐藏"
    call(flavour, mock, "garb", "get_dlc_detail", 102)
    assert "lottery_id" not in sent(mock, "garb.get_dlc_detail")[1].query


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_show_project_and_buyers(flavour: str) -> None:
    mock = MockBilibili()
    project = call(flavour, mock, "show", "get_project", 85939)
    assert sent(mock, "show.get_project")[0].query == {"id": "85939"}
    assert [s.id for s in project.screen_list] == [155, 156]
    assert [(t.id, t.price) for t in project.screen_list[0].ticket_list] == [
        (1001, 15000),
        (1002, 48000),
    ]
    buyers = call(flavour, mock, "show", "get_buyers")
    (buyer,) = buyers.list_
    assert buyer.personal_id == "3101**********0011" and buyer.tel == "138****0000"
    # identity numbers and phone numbers stay out of reprs and logs
    assert "3101" not in repr(buyer) and "138" not in repr(buyers)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_show_create_order_puts_project_id_in_the_query_and_the_rest_in_the_form(
    flavour: str,
) -> None:
    mock = MockBilibili()
    order = call(
        flavour, mock, "show", "create_order", 85939, screen_id=155, sku_id=1001,
        token="tok", pay_money=15000, timestamp=1720000000000, buyer="张三", tel="13800000000",
    )  # fmt: skip
    (req,) = sent(mock, "show.create_order")
    assert req.query == {"project_id": "85939"}
    assert req.form == {
        "screen_id": "155", "sku_id": "1001", "token": "tok", "pay_money": "15000",
        "count": "1", "order_type": "1", "timestamp": "1720000000000", "buyer": "张三",
        "tel": "13800000000",
    }  # fmt: skip
    assert order.order_id == 10086000123
    with pytest.raises(ArgsException) as info:
        call(flavour, mock, "show", "prepare_order", 85939, screen_id=155, sku_id=1001, count=0)
    assert info.value.argument == "count"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_app_brand_list_is_app_signed_with_the_current_ts(flavour: str) -> None:
    mock = MockBilibili()
    before = int(time.time())
    got = call(flavour, mock, "app", "get_brand_splash_list", mobi_app="iphone", platform="ios")
    (req,) = sent(mock, "app.get_brand_splash_list")
    assert before <= int(req.query["ts"]) <= int(time.time())
    assert (req.query["mobi_app"], req.query["screen_height"]) == ("iphone", "1920")
    assert "appkey" in req.query and len(req.query["sign"]) == 32
    unsigned = sorted((k, v) for k, v in req.query_items if k != "sign")
    from bilibili_sdk._auth import APP_SEC

    want = hashlib.md5((urllib.parse.urlencode(unsigned) + APP_SEC).encode()).hexdigest()
    assert req.query["sign"] == want
    assert [s.id for s in got.list_] == [10, 11, 12, 13, 14] and got.show[0].duration == 700
    with pytest.raises(ArgsException):
        call(flavour, mock, "app", "get_splash_list", platform="windows")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ip_location_from_both_sites(flavour: str) -> None:
    mock = MockBilibili()
    web = call(flavour, mock, "ip", "get_location")
    live = call(flavour, mock, "ip", "get_location_live")
    assert (web.city, web.isp, web.country_code) == ("渭南", "电信", 86)
    assert live.addr == "36.40.120.145" and live.latitude == pytest.approx(34.4995)
    assert sent(mock, "ip.get_location_live")[0].host == "api.live.bilibili.com"

"""Parity cases of the small namespaces of batch 12: watchroom, garb, show, activity, app, ip
(seed modules watchroom, garb, show, activity, app, client)."""

from __future__ import annotations

from typing import Any

import bilibili_api
from bilibili_api import activity as seed_activity
from bilibili_api import app as seed_app
from bilibili_api import client as seed_client
from bilibili_api import garb as seed_garb
from bilibili_api import show as seed_show
from bilibili_api import watchroom as seed_wr

from .._parity_base import KW, MID, Case, Diff, _d

NAMESPACES = ("watchroom", "garb", "show", "activity", "app", "ip")

ROOM = 5003045
# the season and episode of the mock's watchroom.get_info example (the seed reads them there)
WR_SEASON, WR_EPISODE = 33802, 330798
SUIT_ID = 34364
ACT_ID = 102
LOTTERY_ID = 15  # lottery_list[0] of the mock's garb.get_dlc_info example (the seed reads it)
PROJECT_ID = 85939
SCREEN_ID, SKU_ID, PRICE = 155, 1001, 15000  # a session and ticket of the mock's project
ORDER_TOKEN = "mock-order-token-85939"  # the token of the mock's show.prepare_order example
BUYER, TEL = "张三", "138****0000"


def _room(c: bilibili_api.Credential) -> seed_wr.WatchRoom:
    return seed_wr.WatchRoom(ROOM, credential=c)


def _order(c: bilibili_api.Credential) -> seed_show.OrderTicket:
    buyer = seed_show.BuyerInfo(
        id=3051,
        uid=2,
        account_channel="",
        personal_id="3101**********0011",
        name=BUYER,
        id_card_front="",
        id_card_back="",
        is_default=1,
        tel=TEL,
        error_code="",
        id_type=0,
        verify_status=1,
        accountId=2,
    )
    session = seed_show.Session(id=SCREEN_ID, start_time=1720742400, formatted_time="")
    ticket = seed_show.Ticket(id=SKU_ID, price=PRICE, desc="普通票", sale_start="", sale_end="")
    return seed_show.OrderTicket(c, buyer, PROJECT_ID, session, ticket)


def _send(c: bilibili_api.Credential) -> Any:
    return _room(c).send(seed_wr.Message("hi 你好 ", seed_wr.MessageSegment("doge", True)))


CASES: list[Case] = [
    # ---- watchroom
    ("watchroom", "get_info", {"room_id": ROOM}, lambda c: _room(c).get_info()),
    (
        "watchroom",
        "get_season",
        {"room_id": ROOM, "season_id": WR_SEASON, "ep_id": WR_EPISODE},
        lambda c: _room(c).share(),
    ),
    (
        "watchroom",
        "match",
        {"season_id": WR_SEASON},
        lambda c: seed_wr.match(WR_SEASON, credential=c),
    ),
    (
        "watchroom",
        "create",
        {"season_id": WR_SEASON, "episode_id": WR_EPISODE},
        lambda c: seed_wr.create(WR_SEASON, WR_EPISODE, credential=c),
    ),
    (
        "watchroom",
        "join",
        {"room_id": ROOM, "token": "c0ffee42"},
        lambda c: _room(c).join("c0ffee42"),
    ),
    ("watchroom", "set_open", {"room_id": ROOM, "is_open": True}, lambda c: _room(c).open()),
    (
        "watchroom",
        "set_progress",
        {"room_id": ROOM, "progress": 125, "status": 0},
        lambda c: _room(c).progress(125, 0),
    ),
    ("watchroom", "kickout", {"room_id": ROOM, "mid": MID}, lambda c: _room(c).kickout(MID)),
    (
        "watchroom",
        "_send",
        {"room_id": ROOM, "content": '{"text":"hi 你好 [doge]"}', "req_id": 1700000000000},
        _send,
    ),
    # ---- garb
    ("garb", "search", {"keyword": KW}, lambda c: seed_garb.search_garb_dlc_raw(KW, credential=c)),
    ("garb", "get_items", {}, lambda c: seed_garb.get_garb_dlc_items_raw(credential=c)),
    (
        "garb",
        "get_suit_detail",
        {"item_id": SUIT_ID},
        lambda c: seed_garb.Garb(SUIT_ID, credential=c).get_detail(),
    ),
    (
        "garb",
        "get_dlc_info",
        {"act_id": ACT_ID},
        lambda c: seed_garb.DLC(ACT_ID, credential=c).get_info(),
    ),
    (
        "garb",
        "get_dlc_detail",
        {"act_id": ACT_ID, "lottery_id": LOTTERY_ID},
        lambda c: seed_garb.DLC(ACT_ID, credential=c).get_detail(),
    ),
    # ---- show
    (
        "show",
        "get_project",
        {"project_id": PROJECT_ID},
        lambda c: seed_show.get_project_info(PROJECT_ID),
    ),
    ("show", "get_buyers", {}, lambda c: seed_show.get_all_buyer_info(c)),
    (
        "show",
        "prepare_order",
        {"project_id": PROJECT_ID, "screen_id": SCREEN_ID, "sku_id": SKU_ID},
        lambda c: _order(c).get_token(),
    ),
    (
        "show",
        "create_order",
        {
            "project_id": PROJECT_ID,
            "screen_id": SCREEN_ID,
            "sku_id": SKU_ID,
            "token": ORDER_TOKEN,
            "pay_money": PRICE,
            "timestamp": 1720000000000,
            "buyer": BUYER,
            "tel": TEL,
            "device_id": "0123456789abcdef",
            "click_position": '{"x": 1325, "y": 885, "origin": 1720000000000, "now": 1720000006000}',
        },
        lambda c: _order(c).create_order(),
    ),
    # ---- activity, app, ip
    ("activity", "get_list", {}, lambda c: seed_activity.get_activity_list()),
    ("app", "get_splash_list", {}, lambda c: seed_app.get_loading_images(credential=c)),
    (
        "app",
        "get_brand_splash_list",
        {"ts": 1700000000},  # fixed: the seed sends its clock
        lambda c: seed_app.get_loading_images_special(credential=c),
    ),
    ("ip", "get_location", {}, lambda c: seed_client.get_zone()),
    ("ip", "get_location_live", {}, lambda c: seed_client.get_zone_live()),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("watchroom", "_send"): _d(
        "req_id is the time of sending: the seed's clock, and the case's fixed value",
        values="req_id",
    ),
    ("show", "create_order"): _d(
        "timestamp, deviceId and clickPosition are made up at call time (the seed invents a "
        "random click and device); the case gives fixed ones",
        values="timestamp deviceId clickPosition",
    ),
    ("app", "get_brand_splash_list"): _d(
        "ts is the time of the request (the case fixes ours), and sign covers it", values="ts sign"
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

"""`bilibili_sdk.live_areas`: the bundled table, lookups, and load()/aload() from the mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, live_areas
from bilibili_sdk.live_areas import LiveArea
from bilibili_sdk.testing import MockBilibili

COLLECT = Path(__file__).parent / "fixtures" / "collect"

# Two parents, three sub-areas, in the shape of room/v1/Area/getList (ids of sub-areas as text)
ANSWER: dict[str, Any] = {
    "code": 0,
    "msg": "success",
    "message": "success",
    "data": [
        {
            "id": 2,
            "name": "网游",
            "list": [
                {"id": "86", "parent_id": "2", "name": "英雄联盟", "parent_name": "网游"},
                {"id": "82", "parent_id": "2", "name": "剑网3", "parent_name": "网游"},
            ],
        },
        {
            "id": 6,
            "name": "单机游戏",
            "list": [
                {"id": "283", "parent_id": "6", "name": "独立游戏", "parent_name": "单机游戏"}
            ],
        },
    ],
}
LOADED = [
    LiveArea(2, "网游", None, None),
    LiveArea(86, "英雄联盟", 2, "网游"),
    LiveArea(82, "剑网3", 2, "网游"),
    LiveArea(6, "单机游戏", None, None),
    LiveArea(283, "独立游戏", 6, "单机游戏"),
]


@pytest.fixture(autouse=True)
def _bundled_table() -> Iterator[None]:
    live_areas.reset()
    yield
    live_areas.reset()


def _recorded_areas() -> set[tuple[int, str, int, str]]:
    """(area id, name, parent id, parent name) of every live room in the recorded responses."""
    keys = [
        ("area_id", "area_name", "parent_area_id", "parent_area_name"),
        ("area_v2_id", "area_v2_name", "area_v2_parent_id", "area_v2_parent_name"),
    ]
    found: set[tuple[int, str, int, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k in keys:
                if all(x in node for x in k) and int(node[k[0]]) > 0:
                    found.add((int(node[k[0]]), node[k[1]], int(node[k[2]]), node[k[3]]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for line in (COLLECT / "live.jsonl").read_text("utf-8").splitlines():
        walk(json.loads(line).get("examples") or [])
    return found


def test_bundled_table_holds_exactly_the_recorded_facts() -> None:
    recorded = _recorded_areas()
    assert recorded, "the recorded live responses name some areas"
    subs = {
        (a.id, a.name, a.parent_id, a.parent_name)
        for a in live_areas.all_areas()
        if not a.is_parent
    }
    assert subs == recorded
    parents = {(a.id, a.name) for a in live_areas.all_areas() if a.is_parent}
    assert parents == {(pid, pname) for _, _, pid, pname in recorded}


def test_lookups_on_the_bundled_table() -> None:
    assert live_areas.get(190) == LiveArea(190, "唱见电台", 5, "电台")
    assert live_areas.get(5) == LiveArea(5, "电台", None, None)
    assert live_areas.get(999_999) is None
    assert live_areas.find("唱见电台") == live_areas.get(190)
    assert live_areas.find("电台") == live_areas.get(5)  # exact name, parent first
    assert live_areas.find("唱见") == live_areas.get(190)  # a part of a name
    assert live_areas.find("虚拟主播") == live_areas.get(9)  # parent and sub share the name
    assert live_areas.find("科技") == live_areas.get(701)
    assert live_areas.find("no such area") is None
    assert live_areas.children(5) == [live_areas.get(190)]
    assert live_areas.children(190) == [] and live_areas.children(999) == []
    order = live_areas.all_areas()
    for i, area in enumerate(order):  # each parent is followed by its sub-areas
        if not area.is_parent:
            assert order[i - 1].id == area.parent_id or order[i - 1].parent_id == area.parent_id


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: live_areas.get("190"), "area_id"),  # type: ignore[arg-type]
        (lambda: live_areas.get(True), "area_id"),
        (lambda: live_areas.children(None), "parent_id"),  # type: ignore[arg-type]
        (lambda: live_areas.find(""), "name"),
        (lambda: live_areas.find(5), "name"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_naming_the_argument(call: Any, argument: str) -> None:
    with pytest.raises(ArgsException) as ei:
        call()
    assert ei.value.argument == argument


def test_load_replaces_the_table_for_the_process() -> None:
    mock = MockBilibili()
    mock.set_response("live.get_area_list", ANSWER)
    with Client(transport=mock.transport()) as bili:
        assert live_areas.load(bili) == LOADED
    assert mock.count("live.get_area_list") == 1
    assert live_areas.all_areas() == LOADED
    assert live_areas.get(86) == LiveArea(86, "英雄联盟", 2, "网游")
    assert live_areas.get(190) is None  # the bundled table is gone
    assert live_areas.children(2) == LOADED[1:3]
    assert live_areas.find("独立") == LOADED[4]
    live_areas.reset()
    assert live_areas.get(190) is not None and live_areas.get(86) is None


@pytest.mark.anyio
async def test_aload_replaces_the_table_for_the_process() -> None:
    mock = MockBilibili()
    mock.set_response("live.get_area_list", ANSWER)
    async with AsyncClient(transport=mock.transport()) as bili:
        assert await live_areas.aload(bili) == LOADED
    assert mock.count("live.get_area_list") == 1
    assert live_areas.all_areas() == LOADED
    assert live_areas.children(6) == [LOADED[4]]


def test_an_empty_answer_keeps_the_current_table() -> None:
    mock = MockBilibili()
    mock.set_response("live.get_area_list", {**ANSWER, "data": []})
    before = live_areas.all_areas()
    with Client(transport=mock.transport()) as bili:
        assert live_areas.load(bili) == before
    assert live_areas.all_areas() == before


@pytest.mark.anyio
async def test_load_checks_the_client_flavour_before_any_io() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport()) as abili:
        with pytest.raises(ArgsException) as ei:
            live_areas.load(abili)  # type: ignore[arg-type]
        assert ei.value.argument == "client"
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as ei:
            await live_areas.aload(bili)  # type: ignore[arg-type]
        assert ei.value.argument == "client"
    assert mock.requests == []

"""Walking an interactive video's story graph (`bili.interactive.get_graph / iter_nodes`)
against a scripted graph served by the mock: order, variables, conditions, bounds."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client
from bilibili_sdk._extras.interactive import GraphNode
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from ._hardening import FLAVOURS

BV = "BV1UE411y7Wy"
VERSION = 215426

# start(1) --A--> 2 (always; $n=$n+1)      2 --> 4 when $n>=1 (yes: n is 1 there)
#          --B--> 3 ($r>=50: no, r is 40)  2 --> 3 when $n>=5 (no)
#          --C--> 4 (always)               4: an ending; 3 is never reached
GRAPH: dict[int, dict[str, Any]] = {
    1: {
        "title": "start",
        "cid": 101,
        "choices": [
            (2, "A", "", "$n=$n+1"),
            (3, "B", "$r>=50", ""),
            (4, "C", "", ""),
        ],
    },
    2: {
        "title": "middle",
        "cid": 102,
        "choices": [
            (4, "to the end", "$n>=1", "$n=$n*10"),
            (3, "secret", "$n>=5", ""),
        ],
    },
    3: {"title": "secret", "cid": 103, "choices": []},
    4: {"title": "end", "cid": 104, "choices": []},
}


def _edge(edge_id: int) -> dict[str, Any]:
    node = GRAPH[edge_id]
    return {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "title": node["title"],
            "edge_id": edge_id,
            "story_list": [
                {
                    "node_id": edge_id,
                    "edge_id": edge_id,
                    "title": node["title"],
                    "cid": node["cid"],
                    "start_pos": 0,
                    "cover": "",
                    "cursor": 0,
                }
            ],
            "edges": {
                "questions": [
                    {
                        "id": 0,
                        "type": 2,
                        "start_time_r": 300,
                        "duration": -1,
                        "pause_video": 1,
                        "title": "",
                        "choices": [
                            {
                                "id": to,
                                "platform_action": f"JUMP {to} {GRAPH[to]['cid']}",
                                "native_action": act,
                                "condition": cond,
                                "cid": GRAPH[to]["cid"],
                                "option": opt,
                            }
                            for to, opt, cond, act in node["choices"]
                        ],
                    }
                ]
                if node["choices"]
                else []
            },
            "hidden_vars": [
                {"value": 0, "id": "v-n", "id_v2": "$n", "type": 1, "is_show": 1, "name": "n"},
                {"value": 40, "id": "v-r", "id_v2": "$r", "type": 2, "is_show": 0, "name": "r"},
            ],
            "is_leaf": 0 if node["choices"] else 1,
        },
    }


def _mock() -> MockBilibili:
    mock = MockBilibili()

    def edge(rec: RecordedRequest) -> dict[str, Any]:
        assert rec.query["graph_version"] == str(VERSION)
        return _edge(int(rec.query.get("edge_id") or 1))

    mock.set_response("interactive.get_edge_info", edge)
    player = mock.examples["interactive.get_graph_version"]
    mock.set_response(
        "interactive.get_graph_version",
        {**player, "data": {**player["data"], "interaction": {"graph_version": VERSION}}},
    )
    return mock


def _run(aio: bool, mock: MockBilibili, method: str, *args: Any, **kw: Any) -> Any:
    if aio:

        async def go() -> Any:
            async with AsyncClient(transport=mock.transport()) as bili:
                result = getattr(bili.interactive, method)(*args, **kw)
                if method == "iter_nodes":
                    return [n async for n in result]
                return await result

        return asyncio.run(go())
    with Client(transport=mock.transport()) as bili:
        result = getattr(bili.interactive, method)(*args, **kw)
        return list(result) if method == "iter_nodes" else result


@FLAVOURS
def test_iter_nodes_walks_breadth_first_with_variables(aio: bool) -> None:
    mock = _mock()
    nodes: list[GraphNode] = _run(aio, mock, "iter_nodes", BV)
    assert [n.edge_id for n in nodes] == [1, 2, 4]  # 3 is behind false conditions
    assert [n.depth for n in nodes] == [0, 1, 1]  # 4 first reached straight from the start
    assert nodes[0].variables == {"$n": 0, "$r": 40}
    assert nodes[1].variables == {"$n": 1, "$r": 40}  # A ran $n=$n+1
    assert nodes[2].variables == {"$n": 0, "$r": 40}  # C: no action
    start = nodes[0]
    assert [(c.to, c.available) for c in start.choices] == [(2, True), (3, False), (4, True)]
    assert [(c.to, c.available) for c in nodes[1].choices] == [(4, True), (3, False)]
    assert nodes[2].is_leaf and nodes[2].choices == () and nodes[2].cid == 104
    # the version lookup: the first part's cid from get_pages, then the player data
    version = [r for r in mock.requests if r.endpoint == "interactive.get_graph_version"]
    assert len(version) == 1 and version[0].query["bvid"] == BV
    edges = [r for r in mock.requests if r.endpoint == "interactive.get_edge_info"]
    assert [r.query.get("edge_id") for r in edges] == [None, "2", "4"]
    assert all(r.query["platform"] == "pc" and r.query["bvid"] == BV for r in edges)


@FLAVOURS
def test_get_graph(aio: bool) -> None:
    graph = _run(aio, _mock(), "get_graph", BV, graph_version=VERSION)
    assert graph.graph_version == VERSION and graph.start == 1 and graph.complete
    assert sorted(graph.nodes) == [1, 2, 4]
    assert [v.id_v2 for v in graph.variables] == ["$n", "$r"]
    assert sorted((a, b) for a, b, _ in graph.edges) == [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)]


@FLAVOURS
def test_max_nodes_bounds_the_walk(aio: bool) -> None:
    mock = _mock()
    graph = _run(aio, mock, "get_graph", BV, graph_version=VERSION, max_nodes=2)
    assert sorted(graph.nodes) == [1, 2] and not graph.complete
    assert len([r for r in mock.requests if r.endpoint == "interactive.get_edge_info"]) == 2


@FLAVOURS
def test_a_hostile_condition_is_never_run(aio: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        GRAPH,
        1,
        {**GRAPH[1], "choices": [(2, "A", '__import__("os").system("x")', ""), (4, "C", "", "")]},
    )
    nodes = _run(aio, _mock(), "iter_nodes", BV, graph_version=VERSION)
    assert [n.edge_id for n in nodes] == [1, 4]
    assert [c.available for c in nodes[0].choices] == [False, True]


@FLAVOURS
@pytest.mark.parametrize(
    ("args", "kw", "argument"),
    [((), {}, "video"), (("BV123",), {}, "video"), ((BV,), {"max_nodes": 0}, "max_nodes")],
)
def test_bad_input_raises_before_any_request(
    aio: bool, args: tuple[Any, ...], kw: dict[str, Any], argument: str
) -> None:
    mock = _mock()
    with pytest.raises(ArgsException) as ei:
        _run(aio, mock, "get_graph", *args, **kw)
    assert ei.value.argument == argument and mock.requests == []

"""The `game` namespace against the mock: the game page calls, the ranking and the beta-test
calendar, with their page walks (sync and async)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bilibili_sdk import ArgsException
from bilibili_sdk.models.game import GameRankType
from bilibili_sdk.testing import MockBilibili

from .test_audio import _pages
from .test_comment import FLAVOURS, call, sent

GAME = 102216


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "name", ["get_info", "get_up_info", "get_detail", "get_wiki", "get_videos", "get_score",
             "get_comments"],
)  # fmt: skip
def test_game_page_calls_send_game_base_id_to_the_game_host(flavour: str, name: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "game", name, GAME)
    (req,) = sent(mock, f"game.{name}")
    assert req.host == "line1-h5-pc-api.biligame.com" and req.query == {"game_base_id": "102216"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_game_info_reads_the_page_head(flavour: str) -> None:
    mock = MockBilibili()
    info = call(flavour, mock, "game", "get_info", GAME)
    assert info.game_base_id == GAME and info.title == "原神" and info.grade == 8.6
    assert [t.name for t in info.tag_list] == ["角色扮演", "二次元"]


def test_game_id_must_be_positive() -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException, match="game_base_id"):
        call("sync", mock, "game", "get_info", 0)
    assert mock.requests == []


def _ranked(mock: MockBilibili, endpoint: str, layout: tuple[int, ...], total: int) -> None:
    base = mock.examples[endpoint]["data"]["list"][0]

    def make(page: int, ids: list[int]) -> dict[str, Any]:
        items = [dict(copy.deepcopy(base), game_base_id=i) for i in ids]
        return {"code": 0, "message": "ok", "data": {"total_count": total, "list": items}}

    _pages(mock, endpoint, make, layout, "page_num")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_rank_sends_the_type_and_stops_at_the_total(flavour: str) -> None:
    mock = MockBilibili()
    _ranked(mock, "game.get_rank", (2, 2, 1), 5)
    got = call(flavour, mock, "game", "iter_rank", GameRankType.REPUTATION, page_size=2)
    assert [g.game_base_id for g in got] == [1, 2, 3, 4, 5]
    reqs = sent(mock, "game.get_rank")
    assert [r.query for r in reqs] == [
        {"ranking_type": "2", "page_num": str(p), "page_size": "2"} for p in (1, 2, 3)
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_start_test_list_sends_the_fixed_flag(flavour: str) -> None:
    mock = MockBilibili()
    _ranked(mock, "game.get_start_test_list", (2, 1), 3)
    got = call(flavour, mock, "game", "iter_start_test_list", page_size=2, limit=3)
    assert [g.game_base_id for g in got] == [1, 2, 3]
    first, second = sent(mock, "game.get_start_test_list")
    assert first.query == {"x-fix-page-num": "1", "page_num": "1", "page_size": "2"}
    assert second.query["page_num"] == "2"


def test_rank_rejects_an_unknown_type_before_any_request() -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException, match="ranking_type"):
        call("sync", mock, "game", "get_rank", 3)
    assert mock.requests == []

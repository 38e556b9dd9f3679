"""The rank and homepage namespaces against the mock Bilibili, both flavours.

What each call sends (enum values, fixed web_location, the manga query/form split, the JSON
bodies of the short-drama ranking), what comes back (recorded answers, the PGC `result`
envelope), the iterators walking their pages in order and stopping, bad input failing first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bilibili_sdk import ArgsException, CredentialNoSessdataException
from bilibili_sdk.models.rank import LiveRankType, PgcRankDay, PgcRankSeasonType, RankType
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT
from .test_favorite import FLAVOURS, call, envelope, sent, walk

CSRF = {"csrf": BILI_JCT, "csrf_token": BILI_JCT}
PAGES = {1: [1, 2, 3], 2: [4, 5, 6], 3: [7]}


# ---------------------------------------------------------------------- answers


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_popular_reads_the_recorded_page(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_popular", page=2, page_size=3)
    assert len(got.list_) == 2  # the recorded page holds two videos
    first = got.list_[0]
    assert first.aid > 0 and first.bvid.startswith("BV") and first.owner.mid > 0
    assert first.stat.view > 0
    (req,) = sent(mock, "rank.get_popular")
    assert req.params == {"pn": "2", "ps": "3", "web_location": "333.934"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_weekly_issue_by_number(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_weekly", 5)
    assert got.config.number > 0 and got.list_ and got.list_[0].aid > 0
    (req,) = sent(mock, "rank.get_weekly")
    assert req.params == {"number": "5", "web_location": "333.934"}


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kwargs", "want"),
    [
        ({}, {"rid": "0", "type": "all"}),
        ({"type": RankType.ROOKIE}, {"rid": "0", "type": "rookie"}),
        ({"type": "origin"}, {"rid": "0", "type": "origin"}),
    ],
)
def test_ranking_sends_zone_and_type(flavour: str, kwargs: dict[str, Any], want: Any) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_ranking", **kwargs)
    assert [v.aid for v in got.list_] == [170001, 170002]
    (req,) = sent(mock, "rank.get_ranking")
    assert req.params == {**want, "web_location": "333.934"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ranking_zone_is_positional(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "rank.get_ranking", 1003)
    assert sent(mock, "rank.get_ranking")[0].params["rid"] == "1003"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_pgc_ranking_reads_the_result_envelope(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_pgc_ranking", PgcRankSeasonType.MOVIE, day=PgcRankDay.WEEK)
    assert got.season_type == 1 and [s.season_id for s in got.list_] == [28747]
    (req,) = sent(mock, "rank.get_pgc_ranking")
    assert req.params == {"season_type": "2", "day": "7", "web_location": "333.934"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_music_ranking_songs(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_music_rank_musics", 76)
    assert [s.rank for s in got.list_] == [1, 2, 3]
    assert all(s.music_id.startswith("MA") for s in got.list_)
    periods = call(flavour, mock, "rank.get_music_rank_list")
    assert [p.id for p in periods["2023"]] == [160, 159]
    assert sent(mock, "rank.get_music_rank_list")[0].params == {"list_type": "1"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_subscribe_music_rank_posts_a_form_with_csrf(flavour: str) -> None:
    mock = MockBilibili()
    assert call(flavour, mock, "rank.subscribe_music_rank", state=2) is None
    (req,) = sent(mock, "rank.subscribe_music_rank")
    assert req.method == "POST" and req.form == {"state": "2", "list_id": "1", **CSRF}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_manga_rank_puts_device_in_query_and_id_in_form(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "rank.get_manga_rank", 11)
    assert [c.comic_id for c in got.list_] == [26009]
    (req,) = sent(mock, "rank.get_manga_rank")
    assert req.query == {"device": "pc", "platform": "web"}
    assert req.form == {"id": "11"}  # no csrf: the manga site does not want it
    types = call(flavour, mock, "rank.list_manga_rank_types")
    assert [(t.id, t.name) for t in types] == [(7, "新作榜"), (11, "男生榜")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_playlet_calls_send_json_bodies(flavour: str) -> None:
    mock = MockBilibili()
    phases = call(flavour, mock, "rank.get_playlet_phases")
    assert [p.phase_id for p in phases.list_] == [12]
    got = call(flavour, mock, "rank.get_playlet_rank", 12)
    assert [d.season_id for d in got.list_] == [1]
    (empty,) = sent(mock, "rank.get_playlet_phases")
    (one,) = sent(mock, "rank.get_playlet_rank")
    assert empty.json == {} and "application/json" in empty.headers["content-type"]
    assert one.json == {"phaseID": 12}  # a number, as the web client sends it


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_live_rank_enum_and_fixed_trend(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "rank.get_live_rank", LiveRankType.USER_LEVEL, page=2)
    (req,) = sent(mock, "rank.get_live_rank")
    assert req.params == {"type": "user_level", "page": "2", "page_size": "20", "is_trend": "1"}
    call(flavour, mock, "rank.get_live_sailing_rank")
    assert sent(mock, "rank.get_live_sailing_rank")[0].params == {"type": "guard"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_homepage_links_and_popularize_differ_by_slot(flavour: str) -> None:
    mock = MockBilibili()
    links = call(flavour, mock, "homepage.get_links")
    promos = call(flavour, mock, "homepage.get_popularize")
    assert [x.id for x in links["4694"]] == [4694]
    assert [x.id for x in promos["34"]] == [34]
    assert sent(mock, "homepage.get_links")[0].params == {"pf": "0", "ids": "4694"}
    assert sent(mock, "homepage.get_popularize")[0].params == {"pf": "0", "ids": "34"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_homepage_header_and_favourites(flavour: str) -> None:
    mock = MockBilibili()
    header = call(flavour, mock, "homepage.get_header")
    assert header.pic.startswith("http") and header.is_split_layer == 1
    assert sent(mock, "homepage.get_header")[0].params == {"resource_id": "142"}
    groups = call(flavour, mock, "homepage.get_favorite_folders")
    assert [f.id for f in groups[0].media_list_response.list_] == [1052622027]
    videos = call(flavour, mock, "homepage.get_favorite_folder_content", 1052622027)
    assert [v.id for v in videos] == [170001]
    assert sent(mock, "homepage.get_favorite_folder_content")[0].params == {
        "media_id": "1052622027",
        "web_location": "333.1007",
        "platform": "web",
    }


# ---------------------------------------------------------------------- iterators


def _video(n: int) -> dict[str, Any]:
    return {"aid": n, "bvid": f"BV{n}", "title": f"video {n}"}


def popular(page: int, ids: list[int]) -> Any:
    return envelope({"list": [_video(n) for n in ids], "no_more": page >= 3})


def buzzwords(page: int, ids: list[int]) -> Any:
    return envelope({"list": [{"id": n, "word": f"w{n}"} for n in ids], "total": 7})


def live_users(page: int, ids: list[int]) -> Any:
    return envelope({"list": [{"uid": n, "rank": n} for n in ids]})


def feed(page: int, ids: list[int]) -> Any:
    return envelope({"item": [{"id": n, "goto": "av"} for n in ids]})


Builder = Callable[[int, list[int]], Any]
# (endpoint, iterator, page wire, page size wire or None, builder, item id attribute)
ITERATORS: list[tuple[str, str, str, str | None, Builder, str]] = [
    ("rank.get_popular", "rank.iter_popular", "pn", "ps", popular, "aid"),
    ("rank.get_buzzwords", "rank.iter_buzzwords", "pn", "ps", buzzwords, "id"),
    ("rank.get_live_rank", "rank.iter_live_rank", "page", "page_size", live_users, "uid"),
    (
        "rank.get_live_energy_user_rank",
        "rank.iter_live_energy_user_rank",
        "page",
        "page_size",
        live_users,
        "uid",
    ),
    (
        "rank.get_live_medal_rank",
        "rank.iter_live_medal_rank",
        "page",
        "page_size",
        live_users,
        "uid",
    ),
    ("homepage.get_feed", "homepage.iter_feed", "fresh_idx", "ps", feed, "id"),
]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("getter", "it", "wire", "size_wire", "build", "key"), ITERATORS, ids=[i[1] for i in ITERATORS]
)
def test_iterator_yields_every_item_in_order_and_stops(
    flavour: str, getter: str, it: str, wire: str, size_wire: str, build: Builder, key: str
) -> None:
    mock = MockBilibili()

    def answer(rec: RecordedRequest) -> Any:
        page = int(rec.params[wire])
        return build(page, PAGES.get(page, []))

    mock.set_response(getter, answer)
    kwargs = {"page_size": 3}
    items = walk(flavour, mock, it, **kwargs)
    assert [getattr(x, key) for x in items] == [1, 2, 3, 4, 5, 6, 7]
    reqs = sent(mock, getter)
    pages = [int(r.params[wire]) for r in reqs]
    # buzzwords stop on the total (7 seen after page 3); the others on the empty page 4
    assert pages == ([1, 2, 3] if it == "rank.iter_buzzwords" else [1, 2, 3, 4])
    assert {r.params[size_wire] for r in reqs} == {"3"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_feed_iterator_honours_limit(flavour: str) -> None:
    mock = MockBilibili()
    mock.set_response(
        "homepage.get_feed",
        lambda rec: feed(0, [int(rec.params["fresh_idx"]) * 10 + i for i in range(3)]),
    )
    items = walk(flavour, mock, "homepage.iter_feed", limit=4)
    assert [x.id for x in items] == [10, 11, 12, 20]
    assert [r.params["fresh_idx"] for r in sent(mock, "homepage.get_feed")] == ["1", "2"]


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("method", "args", "kwargs", "name"),
    [
        ("rank.get_ranking", (), {"type": "weekly"}, "type"),
        ("rank.get_ranking", (-1,), {}, "rid"),
        ("rank.get_pgc_ranking", (6,), {}, "season_type"),
        ("rank.get_vip_rank", (1,), {}, "rank_id"),
        ("rank.subscribe_music_rank", (), {"state": 3}, "state"),
        ("rank.get_popular", (), {"page": 0}, "page"),
        ("homepage.get_feed", (), {"page_size": 31}, "page_size"),
        ("homepage.get_favorite_folder_content", (0,), {}, "media_id"),
    ],
)
def test_bad_input_raises_before_any_request(
    flavour: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], name: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException, match=name):
        call(flavour, mock, method, *args, **kwargs)
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_manga_rank_needs_a_login(flavour: str) -> None:
    from bilibili_sdk import Credential

    mock = MockBilibili()
    with pytest.raises(CredentialNoSessdataException):
        call(flavour, mock, "rank.get_manga_rank", credential=Credential())
    assert mock.requests == []

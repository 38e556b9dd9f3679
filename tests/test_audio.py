"""The `audio` and `music` namespaces against the mock: where each parameter goes, what comes
back, and the page walks of menus, hot menus and the music-video index (sync and async)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bilibili_sdk import ArgsException, Client, CredentialNoSessdataException
from bilibili_sdk.models.music import MusicVideoOrder
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT
from .test_comment import FLAVOURS, call, sent

CSRF = {"csrf": BILI_JCT, "csrf_token": BILI_JCT}


def _pages(
    mock: MockBilibili, endpoint: str, make: Any, layout: tuple[int, ...], page_key: str
) -> list[list[int]]:
    """Serve `layout[i]` numbered items on page i+1 (via `make(page, ids)`); returns the ids."""
    pages: list[list[int]] = []
    n = 0
    for size in layout:
        pages.append(list(range(n + 1, n + size + 1)))
        n += size

    def handler(req: RecordedRequest) -> dict[str, Any]:
        page = int(req.query[page_key])
        ids = pages[page - 1] if page <= len(pages) else []
        return make(page, ids)

    mock.set_response(endpoint, handler)
    return pages


# ---------------------------------------------------------------------- audio


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_info_sends_the_auid_as_sid_and_reads_the_song(flavour: str) -> None:
    mock = MockBilibili()
    song = call(flavour, mock, "audio", "get_info", 13598)
    (req,) = sent(mock, "audio.get_info")
    assert req.host == "www.bilibili.com" and req.query == {"sid": "13598"}
    assert song.id == 13598 and song.title == "牵丝戏" and song.bvid == "BV1us411S7E6"
    assert song.statistic.play == 1028516 and song.vip_info.type == 2
    assert song.collect_ids == [15967839]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tags_of_a_song_come_back_in_order(flavour: str) -> None:
    mock = MockBilibili()
    tags = call(flavour, mock, "audio", "get_tags", 15664)
    assert [t.info for t in tags] == ["音乐", "人声", "翻唱", "日语", "网络歌曲", "流行"]
    assert sent(mock, "audio.get_tags")[0].query == {"sid": "15664"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_download_url_sends_privilege_and_quality(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "audio", "get_download_url", 13598, quality=1)
    (req,) = sent(mock, "audio.get_download_url")
    assert req.query == {"sid": "13598", "privilege": "2", "quality": "1"}
    assert got.cdns[0].startswith("https://") and [q.type for q in got.qualities] == [0, 1, 2]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_add_coin_posts_sid_multiply_and_csrf_in_the_form(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "audio", "add_coin", 15664, multiply=2)
    (req,) = sent(mock, "audio.add_coin")
    assert req.method == "POST" and req.form == {
        "sid": "15664", "multiply": "2", "csrf": BILI_JCT, "csrf_token": BILI_JCT,
    }  # fmt: skip
    assert req.query == {} and got == 1


@pytest.mark.parametrize("multiply", [0, 3])
def test_add_coin_rejects_a_bad_count_before_any_request(multiply: int) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException, match="multiply"):
        call("sync", mock, "audio", "add_coin", 15664, multiply=multiply)
    assert mock.requests == []


def test_add_coin_needs_a_login() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport(), max_retries=0) as c:
        with pytest.raises(CredentialNoSessdataException):
            c.audio.add_coin(15664)
    assert sent(mock, "audio.add_coin") == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_menu_favourite_add_posts_and_delete_keeps_sid_in_the_query(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "audio", "add_menu_favorite", 10624)
    call(flavour, mock, "audio", "delete_menu_favorite", 10624)
    (add,) = sent(mock, "audio.add_menu_favorite")
    (delete,) = sent(mock, "audio.delete_menu_favorite")
    assert add.method == "POST" and add.form == {"sid": "10624", **CSRF}
    assert delete.method == "DELETE" and delete.query == {"sid": "10624"}
    assert delete.form == CSRF


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_user_stat_sends_uid(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "audio", "get_user_stat", 486183)
    assert sent(mock, "audio.get_user_stat")[0].query == {"uid": "486183"}
    assert got.uid == 486183 and got.song_num == 132


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_menu_songs_walks_every_page_in_order(flavour: str) -> None:
    mock = MockBilibili()
    base = mock.examples["audio.get_menu_songs"]["data"]["data"][0]

    def make(page: int, ids: list[int]) -> dict[str, Any]:
        songs = [dict(copy.deepcopy(base), id=i) for i in ids]
        data = {"curPage": page, "pageSize": 2, "totalSize": 5, "data": songs}
        return {"code": 0, "msg": "success", "data": data}

    _pages(mock, "audio.get_menu_songs", make, (2, 2, 1), "pn")
    got = call(flavour, mock, "audio", "iter_menu_songs", 10624, page_size=2)
    assert [s.id for s in got] == [1, 2, 3, 4, 5]
    reqs = sent(mock, "audio.get_menu_songs")
    assert [(r.query["sid"], r.query["pn"], r.query["ps"]) for r in reqs] == [
        ("10624", "1", "2"),
        ("10624", "2", "2"),
        ("10624", "3", "2"),
    ]  # stops at the total: no fourth page


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_hot_menus_stops_on_an_empty_page(flavour: str) -> None:
    mock = MockBilibili()
    base = mock.examples["audio.get_hot_menus"]["data"]["data"][0]

    def make(page: int, ids: list[int]) -> dict[str, Any]:
        menus = [dict(copy.deepcopy(base), menuId=i) for i in ids]
        data = {"curPage": page, "pageSize": 3, "totalSize": 100, "data": menus}
        return {"code": 0, "msg": "success", "data": data}

    _pages(mock, "audio.get_hot_menus", make, (3, 3), "pn")
    got = call(flavour, mock, "audio", "iter_hot_menus", page_size=3)
    assert [m.menu_id for m in got] == [1, 2, 3, 4, 5, 6]
    assert [r.query["pn"] for r in sent(mock, "audio.get_hot_menus")] == ["1", "2", "3"]


# ---------------------------------------------------------------------- music


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_music_info_and_videos_send_the_music_id(flavour: str) -> None:
    mock = MockBilibili()
    info = call(flavour, mock, "music", "get_info", "MA436038343856245020")
    videos = call(flavour, mock, "music", "get_videos", "MA436038343856245020")
    assert info.music_id == "MA436038343856245020" and info.mv_bvid == "BV1eW411E7Jr"
    assert [v.aid for v in videos] == [21305286, 25817446]
    for name in ("music.get_info", "music.get_videos"):
        assert sent(mock, name)[0].query == {"music_id": "MA436038343856245020"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_index_videos_send_order_as_type_and_walk_pages(flavour: str) -> None:
    mock = MockBilibili()
    base = mock.examples["music.list_index_videos"]["data"]["list"][0]

    def make(page: int, ids: list[int]) -> dict[str, Any]:
        items = [dict(copy.deepcopy(base), aid=i) for i in ids]
        return {"code": 0, "message": "0", "data": {"total": 3, "list": items}}

    _pages(mock, "music.list_index_videos", make, (2, 1), "pn")
    got = call(
        flavour, mock, "music", "iter_index_videos", order=MusicVideoOrder.HOT, lang="3",
        keyword="lemon", page_size=2,
    )  # fmt: skip
    assert [v.aid for v in got] == [1, 2, 3]
    first, second = sent(mock, "music.list_index_videos")
    assert first.query == {
        "type": "2", "genre": "", "lang": "3", "keyword": "lemon", "pn": "1", "ps": "2",
    }  # fmt: skip
    assert second.query["pn"] == "2"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_homepage_recommend_sends_the_slot_ids(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "music", "get_homepage_recommend")
    (req,) = sent(mock, "music.get_homepage_recommend")
    assert req.query["pf"] == "0" and req.query["ids"].split(",")[:2] == ["3715", "3721"]
    assert sorted(got) == ["3715", "3721"] and got["3721"][0].title == "Lemon 钢琴版"


# ---------------------------------------------------------------------- beyond the seed


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_members_stat_and_lyric_of_a_song(flavour: str) -> None:
    mock = MockBilibili()
    members = call(flavour, mock, "audio", "get_members", 815861)
    stat = call(flavour, mock, "audio", "get_stat", 15664)
    lyric = call(flavour, mock, "audio", "get_lyric", 13598)
    assert [g.type for g in members] == [1, 2, 3, 4, 5, 127]
    assert members[0].list_[0].name == "匀子Cyrena"
    assert stat.sid == 15664 and stat.play == 1377390
    assert lyric.startswith("[ti:牵丝戏]")
    for name, sid in (("get_members", "815861"), ("get_stat", "15664"), ("get_lyric", "13598")):
        assert sent(mock, f"audio.{name}")[0].query == {"sid": sid}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_my_coin_and_favourite_state_need_and_send_the_login(flavour: str) -> None:
    mock = MockBilibili()
    assert call(flavour, mock, "audio", "get_coin_count", 15664) == 1
    assert call(flavour, mock, "audio", "is_favorite", 13598) is True
    for name in ("audio.get_coin_count", "audio.is_favorite"):
        (req,) = sent(mock, name)
        assert req.cookies.get("SESSDATA")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_user_songs_sends_uid_and_order(flavour: str) -> None:
    mock = MockBilibili()
    base = mock.examples["audio.get_user_songs"]["data"]["data"][0]

    def make(page: int, ids: list[int]) -> dict[str, Any]:
        songs = [dict(copy.deepcopy(base), id=i) for i in ids]
        data = {"curPage": page, "pageSize": 2, "totalSize": 3, "data": songs}
        return {"code": 0, "msg": "success", "data": data}

    _pages(mock, "audio.get_user_songs", make, (2, 1), "pn")
    got = call(flavour, mock, "audio", "iter_user_songs", 486183, order=2, page_size=2)
    assert [s.id for s in got] == [1, 2, 3]
    first, second = sent(mock, "audio.get_user_songs")
    assert first.query == {"uid": "486183", "order": "2", "pn": "1", "ps": "2"}
    assert second.query["pn"] == "2"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_my_favourite_lists_and_one_list(flavour: str) -> None:
    mock = MockBilibili()
    lists = call(flavour, mock, "audio", "iter_my_favorite_lists", page_size=2)
    one = call(flavour, mock, "audio", "get_favorite_list_info", 15967839)
    assert [x.title for x in lists] == ["默认歌单", "test"]
    assert sent(mock, "audio.get_my_favorite_lists")[0].query == {"pn": "1", "ps": "2"}
    assert one.id == 15967839 and one.sids[:2] == [11673, 276404] and one.menu_id == 15958713
    assert sent(mock, "audio.get_favorite_list_info")[0].query == {"sid": "15967839"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ranked_menus_preview_their_songs(flavour: str) -> None:
    mock = MockBilibili()
    page = call(flavour, mock, "audio", "get_ranked_menus")
    assert page.data[0].menu_id == 10624 and page.data[0].audios[0].id == 1572281
    assert sent(mock, "audio.get_ranked_menus")[0].query == {"pn": "1", "ps": "6"}

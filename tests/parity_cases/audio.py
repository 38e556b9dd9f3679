"""Parity cases of the `audio`, `music` and `game` namespaces (see the package docstring)."""

from __future__ import annotations

from typing import Any

from bilibili_api import audio as seed_audio
from bilibili_api import game as seed_game
from bilibili_api import music as seed_music

from .._parity_base import Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("audio", "music", "game")

AUID = 13598
AMID = 10624
UID = 486183
MUSIC_ID = "MA436038343856245020"
GAME = 102216


def _song(c: Any) -> seed_audio.Audio:
    return seed_audio.Audio(AUID, credential=c)


def _menu(c: Any) -> seed_audio.AudioList:
    return seed_audio.AudioList(AMID, credential=c)


def _game(c: Any) -> seed_game.Game:
    return seed_game.Game(GAME, credential=c)


CASES: list[Case] = [
    ("audio", "get_info", {"auid": AUID}, lambda c: _song(c).get_info()),
    ("audio", "get_tags", {"auid": AUID}, lambda c: _song(c).get_tags()),
    ("audio", "get_download_url", {"auid": AUID}, lambda c: _song(c).get_download_url()),
    ("audio", "add_coin", {"auid": AUID, "multiply": 2}, lambda c: _song(c).add_coins(2)),
    (
        "audio",
        "get_user_stat",
        {"uid": UID},
        lambda c: seed_audio.get_user_stat(UID, credential=c),
    ),
    ("audio", "get_menu_info", {"amid": AMID}, lambda c: _menu(c).get_info()),
    ("audio", "get_menu_tags", {"amid": AMID}, lambda c: _menu(c).get_tags()),
    ("audio", "get_menu_songs", {"amid": AMID, "page": 2}, lambda c: _menu(c).get_song_list(2)),
    ("audio", "get_hot_menus", {"page": 2}, lambda c: seed_audio.get_hot_song_list(2, c)),
    (
        "music",
        "get_info",
        {"music_id": MUSIC_ID},
        lambda c: seed_music.Music(MUSIC_ID).get_info(),
    ),
    (
        "music",
        "get_videos",
        {"music_id": MUSIC_ID},
        lambda c: seed_music.Music(MUSIC_ID).get_music_videos(),
    ),
    (
        "music",
        "list_index_videos",
        {"order": 2, "lang": "3", "genre": "1", "keyword": "lemon", "page": 2, "page_size": 10},
        lambda c: seed_music.get_music_index_info(
            keyword="lemon",
            lang=seed_music.MusicIndexTags.Lang.CHINESE,
            genre=seed_music.MusicIndexTags.Genre.POPULAR,
            order=seed_music.MusicOrder.HOT,
            page_num=2,
            page_size=10,
        ),
    ),
    ("music", "get_homepage_recommend", {}, lambda c: seed_music.get_homepage_recommend(c)),
    ("game", "get_info", {"game_base_id": GAME}, lambda c: _game(c).get_info()),
    ("game", "get_up_info", {"game_base_id": GAME}, lambda c: _game(c).get_up_info()),
    ("game", "get_detail", {"game_base_id": GAME}, lambda c: _game(c).get_detail()),
    ("game", "get_wiki", {"game_base_id": GAME}, lambda c: _game(c).get_wiki()),
    ("game", "get_videos", {"game_base_id": GAME}, lambda c: _game(c).get_videos()),
    (
        "game",
        "get_rank",
        {"ranking_type": 2, "page": 2, "page_size": 10},
        lambda c: seed_game.get_game_rank(seed_game.GameRankType.REPUTATION, 2, 10),
    ),
    (
        "game",
        "get_start_test_list",
        {"page": 2, "page_size": 10},
        lambda c: seed_game.get_start_test_list(2, 10),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("music", "get_homepage_recommend"): _d(
        "the seed's catalogue URL carries pf=0&ids=... but its request drops that query; "
        "we send them as fixed values, as the music home page does",
        extra="ids pf",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {}

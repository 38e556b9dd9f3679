"""The `watchroom` namespace: `send` (hand-written: content and req_id built from the text),
and what the declared calls put on the wire (platform, csrf, enums as numbers)."""

from __future__ import annotations

import json
import time

import pytest

from bilibili_sdk import ArgsException, Client, CredentialNoSessdataException
from bilibili_sdk.models.watchroom import WatchRoomPlayStatus, WatchRoomSeasonType
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT
from .test_comment import FLAVOURS, call, sent

SEND = "watchroom._send"
ROOM = 5003045


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_wraps_the_text_in_a_json_object_and_stamps_req_id(flavour: str) -> None:
    mock = MockBilibili()
    before = int(time.time() * 1000)
    call(flavour, mock, "watchroom", "send", ROOM, 'hi "你好" [doge]')
    after = int(time.time() * 1000)
    (req,) = sent(mock, SEND)
    assert req.method == "POST" and not req.query
    # compact JSON, not ASCII-escaped, quotes escaped (the seed's %-formatting would break here)
    assert req.form["content"] == '{"text":"hi \\"你好\\" [doge]"}'
    assert json.loads(req.form["content"]) == {"text": 'hi "你好" [doge]'}
    assert before <= int(req.form["req_id"]) <= after  # milliseconds, not seconds
    assert req.form["room_id"] == str(ROOM)
    assert req.form["content_type"] == "0" and req.form["platform"] == "web"
    assert req.form["csrf"] == BILI_JCT


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_keeps_a_given_req_id(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "watchroom", "send", ROOM, "ok", req_id=1700000000123)
    (req,) = sent(mock, SEND)
    assert req.form["req_id"] == "1700000000123"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("args", "kwargs", "argument"),
    [
        ((ROOM, ""), {}, "text"),
        ((ROOM, "   "), {}, "text"),
        ((ROOM, b"hi"), {}, "text"),
        ((0, "hi"), {}, "room_id"),
        ((ROOM, "hi"), {"req_id": 0}, "req_id"),
    ],
)
def test_send_rejects_bad_input_before_any_request(
    flavour: str, args: tuple[object, ...], kwargs: dict[str, object], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        call(flavour, mock, "watchroom", "send", *args, **kwargs)
    assert info.value.argument == argument
    assert mock.requests == []


def test_send_needs_a_login() -> None:
    mock = MockBilibili()
    with (
        Client(transport=mock.transport(), max_retries=0) as c,
        pytest.raises(CredentialNoSessdataException),
    ):
        c.watchroom.send(ROOM, "hi")
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_progress_and_match_send_enum_values_and_platform(flavour: str) -> None:
    mock = MockBilibili()
    call(
        flavour, mock, "watchroom", "set_progress", ROOM, progress=125,
        status=WatchRoomPlayStatus.PAUSED,
    )  # fmt: skip
    (req,) = sent(mock, "watchroom.set_progress")
    assert (req.form["progress"], req.form["status"], req.form["platform"]) == ("125", "0", "web")
    joined = call(
        flavour, mock, "watchroom", "match", 33802, season_type=WatchRoomSeasonType.VARIETY
    )
    (req,) = sent(mock, "watchroom.match")
    assert req.form["season_type"] == "7" and req.form["season_id"] == "33802"
    assert joined.room_id == ROOM and joined.episode_id == 330798


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_set_open_sends_a_bool_as_0_or_1(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "watchroom", "set_open", ROOM, is_open=False)
    call(flavour, mock, "watchroom", "set_open", ROOM, is_open=True)
    assert [r.form["is_open"] for r in sent(mock, "watchroom.set_open")] == ["0", "1"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_season_puts_csrf_in_the_query_and_gives_the_invitation(flavour: str) -> None:
    mock = MockBilibili()
    season = call(flavour, mock, "watchroom", "get_season", ROOM, season_id=33802, ep_id=330798)
    (req,) = sent(mock, "watchroom.get_season")
    assert req.method == "GET" and req.query["csrf"] == BILI_JCT
    assert req.query["platform"] == "web" and req.query["ep_id"] == "330798"
    assert season.room_info.share_url.endswith("&token=c0ffee42")
    info = call(flavour, mock, "watchroom", "get_info", ROOM)
    assert (info.status.season_id, info.status.episode_id, info.status.progress) == (
        33802,
        330798,
        125,
    )
    assert [m.is_owner for m in info.members] == [True, False]

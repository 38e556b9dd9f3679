"""The toview, history and channel_series namespaces against the mock Bilibili, both flavours.

Checks what each call sends (exact form bodies with csrf, the video slot turning a BV id into
the aid the server wants) and what comes back; bad input fails before any request.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoSessdataException,
)
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA
from .test_favorite import FLAVOURS, _credential, call, sent, walk

CSRF = {"csrf": BILI_JCT, "csrf_token": BILI_JCT}  # the runtime sends both names
AID, BVID = 170001, "BV17x411w7KC"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_toview_list(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "toview.get_list")
    assert got.count == 2
    videos = got.list_ or []
    assert [(v.aid, v.bvid, v.viewed, v.progress) for v in videos] == [
        (170001, BVID, False, 0),
        (583785685, "BV1Dz4y1C7oB", True, -1),
    ]
    assert videos[0].owner.mid == 66606350 and videos[0].stat.view == 12345
    (req,) = sent(mock, "toview.get_list")
    assert (req.method, req.query) == ("GET", {})
    assert req.cookies.get("SESSDATA") == SESSDATA


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_toview_empty_list_is_null(flavour: str) -> None:
    mock = MockBilibili()
    mock.set_response("toview.get_list", {"code": 0, "message": "0", "data": {"count": 0}})
    got = call(flavour, mock, "toview.get_list")
    assert got.count == 0 and not got.list_


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("video", "form"),
    [(BVID, {"bvid": BVID}), (AID, {"aid": str(AID)}), (f"av{AID}", {"aid": str(AID)})],
)
def test_toview_add_sends_the_id_given(flavour: str, video: Any, form: dict[str, str]) -> None:
    mock = MockBilibili()
    assert call(flavour, mock, "toview.add", video) is None
    (req,) = sent(mock, "toview.add")
    assert (req.method, req.query, req.form) == ("POST", {}, {**form, **CSRF})


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("video", [BVID, AID])
def test_toview_delete_sends_the_aid(flavour: str, video: Any) -> None:
    mock = MockBilibili()
    call(flavour, mock, "toview.delete", video)
    (req,) = sent(mock, "toview.delete")
    # the server takes an aid only: a BV id is converted locally
    assert req.form == {"aid": str(AID), "viewed": "false", **CSRF}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_toview_delete_viewed_and_clear(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "toview.delete_viewed")
    call(flavour, mock, "toview.clear")
    (viewed,) = sent(mock, "toview.delete_viewed")
    assert viewed.path == "/x/v2/history/toview/del"
    assert viewed.form == {"viewed": "true", **CSRF}
    (clear,) = sent(mock, "toview.clear")
    assert (clear.path, clear.form) == ("/x/v2/history/toview/clear", CSRF)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_history_writes(flavour: str) -> None:
    mock = MockBilibili()
    call(flavour, mock, "history.delete", f"archive_{AID}")
    call(flavour, mock, "history.clear")
    call(flavour, mock, "history.set_paused", True)
    call(flavour, mock, "history.set_paused", False)
    assert sent(mock, "history.delete")[0].form == {"kid": f"archive_{AID}", **CSRF}
    assert sent(mock, "history.clear")[0].form == CSRF
    assert [r.form for r in sent(mock, "history.set_paused")] == [
        {"switch": "true", **CSRF},
        {"switch": "false", **CSRF},
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("paused", [False, True])
def test_history_get_paused(flavour: str, paused: bool) -> None:
    mock = MockBilibili()
    mock.set_response("history.get_paused", {"code": 0, "message": "0", "data": paused})
    assert call(flavour, mock, "history.get_paused") is paused


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("name", "path"),
    [("follow_season", "/x/v3/fav/season/fav"), ("unfollow_season", "/x/v3/fav/season/unfav")],
)
def test_channel_series_follow(flavour: str, name: str, path: str) -> None:
    mock = MockBilibili()
    assert call(flavour, mock, f"channel_series.{name}", 88) is None
    (req,) = sent(mock, f"channel_series.{name}")
    assert (req.method, req.path, req.form) == ("POST", path, {"season_id": "88", **CSRF})


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("method", "args", "kwargs", "argument"),
    [
        ("toview.add", (), {}, "video"),
        ("toview.add", (BVID,), {"aid": AID}, "video"),
        ("toview.add", ("BVnotabvid",), {}, "video"),
        ("toview.delete", (0,), {}, "video"),
        ("history.delete", (170001,), {}, "kid"),
        ("history.set_paused", (1,), {}, "paused"),
        ("channel_series.follow_season", (-1,), {}, "season_id"),
    ],
)
def test_bad_arguments_fail_before_io(
    flavour: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        call(flavour, mock, method, *args, **kwargs)
    assert info.value.argument == argument
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("method", ["toview.get_list", "toview.clear", "history.clear"])
def test_login_required(flavour: str, method: str) -> None:
    mock = MockBilibili()
    with pytest.raises(CredentialNoSessdataException):
        call(flavour, mock, method, credential=Credential())
    assert mock.requests == []


# ---------------------------------------------------------------------- history.iter_history

HISTORY = "user.get_my_history_new"
# Three pages of entries 1-3, 4-6, 7 and the cursor each page ends with (max, view_at,
# business); the last cursor is empty: the end. "cheese" is a business our enum does not list.
HISTORY_PAGES: dict[tuple[str | None, str | None, str | None], tuple[list[int], Any]] = {
    (None, None, None): ([1, 2, 3], (103, 1700000300, "archive")),
    ("103", "1700000300", "archive"): ([4, 5, 6], (206, 1700000300, "cheese")),
    ("206", "1700000300", "cheese"): ([7], (0, 0, "")),
}


def _history_entry(n: int) -> dict[str, Any]:
    return {
        "title": f"entry {n}",
        "history": {"oid": 100 + n, "business": "archive", "bvid": f"BV{n}"},
        "view_at": 1700000400 - n,
        "kid": n,
    }


def _history_server(
    mock: MockBilibili, pages: dict[tuple[str | None, str | None, str | None], Any]
) -> None:
    def answer(rec: Any) -> Any:
        key = (rec.query.get("max"), rec.query.get("view_at"), rec.query.get("business"))
        numbers, (mx, view_at, business) = pages.get(key, ([], (0, 0, "")))
        cursor = {"max": mx, "view_at": view_at, "business": business, "ps": 3}
        data = {"cursor": cursor, "tab": [], "list": [_history_entry(n) for n in numbers]}
        return {"code": 0, "message": "0", "ttl": 1, "data": data}

    mock.set_response(HISTORY, answer)


def walk_history(flavour: str, mock: MockBilibili, **kwargs: Any) -> list[Any]:
    return walk(flavour, mock, "history.iter_history", **kwargs)


def _cursors(mock: MockBilibili) -> list[tuple[str | None, ...]]:
    return [
        (r.query.get("max"), r.query.get("view_at"), r.query.get("business"))
        for r in sent(mock, HISTORY)
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_history_sends_the_whole_cursor(flavour: str) -> None:
    mock = MockBilibili()
    _history_server(mock, HISTORY_PAGES)
    items = walk_history(flavour, mock, type="archive", page_size=3)
    assert [i.kid for i in items] == [1, 2, 3, 4, 5, 6, 7]
    assert [i.history.oid for i in items][:2] == [101, 102]
    # every page after the first carries max, view_at and business of the previous one
    assert _cursors(mock) == list(HISTORY_PAGES)
    assert {(r.query["type"], r.query["ps"]) for r in sent(mock, HISTORY)} == {("archive", "3")}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_history_stops_on_an_empty_page(flavour: str) -> None:
    mock = MockBilibili()
    pages = dict(HISTORY_PAGES)
    pages[("206", "1700000300", "cheese")] = ([7], (309, 1700000100, "archive"))
    _history_server(mock, pages)  # the fourth page (309, ...) is empty
    assert [i.kid for i in walk_history(flavour, mock)] == [1, 2, 3, 4, 5, 6, 7]
    assert _cursors(mock)[-1] == ("309", "1700000100", "archive")
    assert len(_cursors(mock)) == 4


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_history_stops_when_the_cursor_repeats(flavour: str) -> None:
    mock = MockBilibili()
    pages = dict(HISTORY_PAGES)
    pages[("103", "1700000300", "archive")] = ([4], (103, 1700000300, "archive"))
    _history_server(mock, pages)
    assert [i.kid for i in walk_history(flavour, mock)] == [1, 2, 3, 4]
    assert len(_cursors(mock)) == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_history_limit_fetches_no_further_page(flavour: str) -> None:
    mock = MockBilibili()
    _history_server(mock, HISTORY_PAGES)
    assert [i.kid for i in walk_history(flavour, mock, limit=3)] == [1, 2, 3]
    assert len(_cursors(mock)) == 1
    assert [i.kid for i in walk_history(flavour, mock, limit=5)] == [1, 2, 3, 4, 5]
    assert len(_cursors(mock)) == 3


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": True}, "limit"),
        ({"page_size": 31}, "page_size"),
        ({"type": "video"}, "type"),
    ],
)
def test_iter_history_bad_arguments_fail_at_the_call(
    flavour: str, kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        if flavour == "sync":
            with Client(transport=mock.transport(), credential=_credential()) as bili:
                bili.history.iter_history(**kwargs)  # raises before iterating

        else:

            async def main() -> None:
                async with AsyncClient(
                    transport=mock.transport(), credential=_credential()
                ) as bili:
                    bili.history.iter_history(**kwargs)

            asyncio.run(main())
    assert info.value.argument == argument
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_history_needs_a_login(flavour: str) -> None:
    mock = MockBilibili()
    with pytest.raises(CredentialNoSessdataException):
        _walk_anonymous(flavour, mock)
    assert mock.requests == []


def _walk_anonymous(flavour: str, mock: MockBilibili) -> list[Any]:
    if flavour == "sync":
        with Client(transport=mock.transport()) as bili:
            return list(bili.history.iter_history())

    async def main() -> list[Any]:
        async with AsyncClient(transport=mock.transport()) as bili:
            return [x async for x in bili.history.iter_history()]

    return asyncio.run(main())


def test_history_extras_pair_identical() -> None:
    from bilibili_sdk._extras.history import AsyncHistoryExtras, HistoryExtras

    s, a = HistoryExtras.iter_history, AsyncHistoryExtras.iter_history
    assert s.__doc__ == a.__doc__
    sig_s, sig_a = inspect.signature(s), inspect.signature(a)
    assert (
        list(sig_s.parameters) == list(sig_a.parameters) == ["self", "type", "page_size", "limit"]
    )
    assert [p.default for p in sig_s.parameters.values()] == [
        p.default for p in sig_a.parameters.values()
    ]

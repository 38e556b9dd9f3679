"""The hand-written methods of `article` and `opus` (get_markdown, opus.set_favorite) and the
category feed's pager, in both flavours against the mock Bilibili."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NotLoggedInException,
    ResponseException,
)
from bilibili_sdk._extras.article import parse_initial_state
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

CVID = 4815593
OPUS_ID = 387392618812542549
SIMPLE_ACTION = "https://api.bilibili.com/x/community/cosmo/interface/simple_action"

ARTICLE_MD = (
    "# 【B站API】api研究笔记ep1-视频基本信息\n\n"
    "各位小可爱们大家好啊，我们以**av2075941**为例。\n\n"
    "# 视频基本信息\n\n"
    "接口地址如下~~旧地址~~：\n\n"
    "![F12 network 面板](https://i0.hdslb.com/bfs/article/"
    "00497c8df7130f22e5b953694b8931a22d32f133.jpg)\n\n"
    "*F12 network 面板*\n\n"
    "> 所有接口仅供学习\n\n"
    "1. 打开视频页\n2. 刷新并筛选 XHR\n\n"
    "```python\nimport requests\nprint(requests.get(url).json())\n```\n\n"
    "---\n\n"
    "[av2075941](https://www.bilibili.com/video/av2075941)\n\n"
    "详见 [ep2](https://www.bilibili.com/read/cv4820548)"
)

OPUS_MD = (
    "# 【B站API】api研究笔记ep1\n\n"
    "## 开场\n\n"
    "好家伙 **加粗**，[@柴刀娘木木](https://space.bilibili.com/9)[呆]"
    "[#金秋音乐季#](https://search.bilibili.com/all?keyword="
    "%23%E9%87%91%E7%A7%8B%E9%9F%B3%E4%B9%90%E5%AD%A3%23)\n\n"
    "![](https://i0.hdslb.com/bfs/new_dyn/4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d293793435.jpg)\n\n"
    "---\n\n"
    "> 引用一句\n\n"
    "- 甲\n- 乙\n\n"
    '```python\nprint("hi")\n```\n\n'
    "[【示例】视频标题](https://www.bilibili.com/video/av2075941/)"
)


def _credential(**kw: Any) -> Credential:
    return Credential(**{"sessdata": SESSDATA, "bili_jct": BILI_JCT, "dedeuserid": 2, **kw})


def _hits(mock: MockBilibili, path: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.path == path]


# ------------------------------------------------------------------ article.get_markdown


def test_article_markdown_sync(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        assert bili.article.get_markdown(CVID) == ARTICLE_MD
        body_only = bili.article.get_markdown(CVID, with_title=False)
    assert body_only == ARTICLE_MD.split("\n\n", 1)[1]
    reqs = _hits(mock, "/x/article/view")
    assert [r.query["id"] for r in reqs] == [str(CVID), str(CVID)]


@pytest.mark.anyio
async def test_article_markdown_async(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        assert await bili.article.get_markdown(CVID) == ARTICLE_MD
    assert [r.query["id"] for r in _hits(mock, "/x/article/view")] == [str(CVID)]


def _new_editor_article() -> dict[str, Any]:
    """The detail example as a new-editor article: no HTML body, paragraphs under `opus`."""
    body: dict[str, Any] = copy.deepcopy(MockBilibili().examples["article.get_detail"])
    body["data"]["content"] = ""
    body["data"]["title"] = "T*"
    body["data"]["opus"] = {
        "content": {
            "paragraphs": [
                {"para_type": 1, "text": {"nodes": [{"word": {"words": "from opus"}}]}},
            ]
        }
    }
    return body


def test_article_markdown_falls_back_to_opus_paragraphs(mock: MockBilibili) -> None:
    mock.set_response("article.get_detail", _new_editor_article())
    with Client(transport=mock.transport()) as bili:
        assert bili.article.get_markdown(CVID) == "# T\\*\n\nfrom opus"


@pytest.mark.anyio
async def test_article_markdown_falls_back_to_opus_paragraphs_async(mock: MockBilibili) -> None:
    mock.set_response("article.get_detail", _new_editor_article())
    async with AsyncClient(transport=mock.transport()) as bili:
        assert await bili.article.get_markdown(CVID, with_title=False) == "from opus"


@pytest.mark.parametrize(
    ("args", "kwargs", "argument"),
    [((0,), {}, "cvid"), (("cv1",), {}, "cvid"), ((CVID,), {"with_title": 1}, "with_title")],
)
def test_article_markdown_bad_input_before_io(
    mock: MockBilibili, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as err:
            bili.article.get_markdown(*args, **kwargs)
    assert err.value.argument == argument
    assert mock.requests == []


@pytest.mark.anyio
async def test_article_markdown_bad_input_before_io_async(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as err:
            await bili.article.get_markdown(-5)
    assert err.value.argument == "cvid"
    assert mock.requests == []


# ------------------------------------------------------------------ opus.get_markdown


def test_opus_markdown_sync(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        assert bili.opus.get_markdown(OPUS_ID) == OPUS_MD
        assert bili.opus.get_markdown(OPUS_ID, with_title=False) == OPUS_MD.split("\n\n", 1)[1]
    reqs = _hits(mock, "/x/polymer/web-dynamic/v1/opus/detail")
    assert [r.query["id"] for r in reqs] == [str(OPUS_ID)] * 2
    assert reqs[0].query["timezone_offset"] == "-480"


@pytest.mark.anyio
async def test_opus_markdown_async(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        assert await bili.opus.get_markdown(OPUS_ID) == OPUS_MD


def _fallback() -> dict[str, Any]:
    return {
        "code": 0,
        "message": "0",
        "data": {"fallback": {"id": "99", "type": 2}},
    }


def test_opus_markdown_not_an_opus(mock: MockBilibili) -> None:
    mock.set_response("opus.get_info", _fallback())
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException, match="not an opus") as err:
            bili.opus.get_markdown(12)
    assert err.value.argument == "opus_id"


@pytest.mark.anyio
async def test_opus_markdown_not_an_opus_async(mock: MockBilibili) -> None:
    mock.set_response("opus.get_info", _fallback())
    async with AsyncClient(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException, match="'99'"):
            await bili.opus.get_markdown(12)


def test_opus_markdown_no_item_no_fallback(mock: MockBilibili) -> None:
    mock.set_response("opus.get_info", {"code": 0, "message": "0", "data": None})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException, match=r"^opus_id: 12 is not an opus$"):
            bili.opus.get_markdown(12)


def test_opus_markdown_without_title_module(mock: MockBilibili) -> None:
    body = copy.deepcopy(mock.examples["opus.get_info"])
    body["data"]["item"]["modules"] = body["data"]["item"]["modules"][1:]
    mock.set_response("opus.get_info", body)
    with Client(transport=mock.transport()) as bili:
        assert bili.opus.get_markdown(OPUS_ID) == OPUS_MD.split("\n\n", 1)[1]


def test_opus_markdown_bad_input_before_io(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as err:
            bili.opus.get_markdown("abc")
    assert err.value.argument == "opus_id"
    assert mock.requests == []


# ------------------------------------------------------------------ opus.set_favorite


def _serve_action(mock: MockBilibili, body: dict[str, Any] | None = None) -> None:
    answer = body or {"code": 0, "message": "0", "ttl": 1, "data": None}
    mock.set_file(SIMPLE_ACTION, json.dumps(answer).encode(), "application/json")


def _expected_body(action: int) -> dict[str, Any]:
    return {
        "meta": {"spmid": "444.42.0.0", "from_spmid": "333.1365.0.0", "from": "unknown"},
        "entity": {"object_id_str": str(OPUS_ID), "type": {"biz": 2}},
        "action": action,
    }


def test_set_favorite_sync(mock: MockBilibili) -> None:
    _serve_action(mock)
    with Client(credential=_credential(), transport=mock.transport()) as bili:
        assert bili.opus.set_favorite(OPUS_ID) is None
        bili.opus.set_favorite(OPUS_ID, favorite=False)
    reqs = _hits(mock, "/x/community/cosmo/interface/simple_action")
    assert [r.method for r in reqs] == ["POST", "POST"]
    assert [r.json for r in reqs] == [_expected_body(3), _expected_body(4)]
    assert all(r.query == {"csrf": BILI_JCT} for r in reqs)  # csrf in the query, not the body
    assert reqs[0].cookies["SESSDATA"] == SESSDATA


@pytest.mark.anyio
async def test_set_favorite_async(mock: MockBilibili) -> None:
    _serve_action(mock)
    async with AsyncClient(credential=_credential(), transport=mock.transport()) as bili:
        await bili.opus.set_favorite(OPUS_ID, favorite=False)
    (req,) = _hits(mock, "/x/community/cosmo/interface/simple_action")
    assert req.json == _expected_body(4)
    assert req.query == {"csrf": BILI_JCT}


def test_set_favorite_error_code(mock: MockBilibili) -> None:
    _serve_action(mock, {"code": -101, "message": "账号未登录", "ttl": 1})
    with Client(credential=_credential(), transport=mock.transport()) as bili:
        with pytest.raises(NotLoggedInException):
            bili.opus.set_favorite(OPUS_ID)


def test_set_favorite_needs_login_before_io(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(CredentialNoSessdataException):
            bili.opus.set_favorite(OPUS_ID)
    with Client(credential=_credential(bili_jct=None), transport=mock.transport()) as bili:
        with pytest.raises(CredentialNoBiliJctException):
            bili.opus.set_favorite(OPUS_ID)
    assert _hits(mock, "/x/community/cosmo/interface/simple_action") == []


@pytest.mark.anyio
async def test_set_favorite_bad_input_before_io_async(mock: MockBilibili) -> None:
    async with AsyncClient(credential=_credential(), transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as err:
            await bili.opus.set_favorite(0)
        assert err.value.argument == "opus_id"
        with pytest.raises(ArgsException) as err:
            await bili.opus.set_favorite(OPUS_ID, favorite="yes")  # type: ignore[arg-type]
        assert err.value.argument == "favorite"
    assert mock.requests == []


# ------------------------------------------------------------------ iter_category_recommends


def _feed(mock: MockBilibili, sizes: tuple[int, ...]) -> None:
    """Pages of numbered articles: page n holds sizes[n-1] of them, then empty pages."""
    card = mock.examples["article.get_category_recommends"]["data"][0]
    start = [sum(sizes[:i]) for i in range(len(sizes))]

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        n = int(rec.query["pn"])
        count = sizes[n - 1] if n <= len(sizes) else 0
        items = [dict(card, id=1000 + start[n - 1] + i) for i in range(count)]
        return {"code": 0, "message": "0", "ttl": 1, "data": items or None}

    mock.set_response("article.get_category_recommends", answer)


def _pages(mock: MockBilibili) -> list[tuple[str, str, str, str]]:
    return [
        (r.query["cid"], r.query["sort"], r.query["pn"], r.query["ps"])
        for r in _hits(mock, "/x/article/recommends")
    ]


def test_iter_category_recommends_sync(mock: MockBilibili) -> None:
    _feed(mock, (2, 2, 1))
    with Client(transport=mock.transport()) as bili:
        ids = [a.id for a in bili.article.iter_category_recommends(3, order=2, page_size=2)]
    assert ids == [1000, 1001, 1002, 1003, 1004]
    assert _pages(mock) == [("3", "2", str(n), "2") for n in (1, 2, 3, 4)]


@pytest.mark.anyio
async def test_iter_category_recommends_async(mock: MockBilibili) -> None:
    _feed(mock, (2, 2, 1))
    async with AsyncClient(transport=mock.transport()) as bili:
        ids = [a.id async for a in bili.article.iter_category_recommends(page_size=2, limit=3)]
    assert ids == [1000, 1001, 1002]
    assert _pages(mock) == [("0", "0", "1", "2"), ("0", "0", "2", "2")]


def test_iter_category_recommends_from_a_later_page(mock: MockBilibili) -> None:
    _feed(mock, (2, 2, 1))
    with Client(transport=mock.transport()) as bili:
        ids = [a.id for a in bili.article.iter_category_recommends(page=3, page_size=2)]
    assert ids == [1004]
    assert [p[2] for p in _pages(mock)] == ["3", "4"]


def test_generated_calls_place_their_parameters(mock: MockBilibili) -> None:
    # spot checks of names the seed does not use: up_mid -> upid, rlid -> id, like -> type
    with Client(credential=_credential(), transport=mock.transport()) as bili:
        assert bili.article.add_coin(CVID, up_mid=144900660).like is False
        bili.article.like(CVID, like=2)
        assert bili.article.get_readlist(207146).list_.id == 207146
        info = bili.note.get_private_info(170001, 3809605586518023)
    coin = _hits(mock, "/x/web-interface/coin/add")[0]
    assert coin.form == {
        "aid": str(CVID),
        "upid": "144900660",
        "multiply": "1",
        "avtype": "2",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }
    assert _hits(mock, "/x/article/like")[0].form["type"] == "2"
    assert _hits(mock, "/x/article/list/web/articles")[0].query == {"id": "207146"}
    assert _hits(mock, "/x/note/info")[0].query == {
        "oid": "170001",
        "note_id": "3809605586518023",
        "oid_type": "0",
    }
    assert info.arc is not None and info.arc.bvid == "BV1fR4y1T7aV"


# ------------------------------------------------------------------ article.get_page_state


def test_page_state_sync(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        state = bili.article.get_page_state(CVID)
    assert state["cvid"] == CVID
    assert state["readInfo"]["id"] == CVID
    assert state["readInfo"]["content"].startswith("<p>各位小可爱们")
    (req,) = _hits(mock, f"/read/cv{CVID}")
    assert (req.method, req.host) == ("GET", "www.bilibili.com")


@pytest.mark.anyio
async def test_page_state_async(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        state = await bili.article.get_page_state(CVID)
    assert state["readViewInfo"]["stats"] == {"view": 578, "like": 26}
    assert len(_hits(mock, f"/read/cv{CVID}")) == 1


def test_page_without_state_raises(mock: MockBilibili) -> None:
    page = httpx.Response(
        200, text="<html><body>404</body></html>", headers={"content-type": "text/html"}
    )
    mock.set_response("article.get_page_state", lambda rec: page)
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseException, match="__INITIAL_STATE__"):
            bili.article.get_page_state(CVID)


@pytest.mark.parametrize(
    ("page", "state"),
    [
        (
            b'<script>window.__INITIAL_STATE__={"a":[1,"};"]};(function(){})()</script>',
            {"a": [1, "};"]},
        ),
        (b"<script>window.__INITIAL_STATE__ = %7B%22a%22%3A1%7D;</script>", {"a": 1}),
    ],
    ids=["plain-followed-by-script", "percent-encoded"],
)
def test_parse_initial_state(page: bytes, state: dict[str, Any]) -> None:
    assert parse_initial_state(page) == state


@pytest.mark.parametrize(
    "page",
    [
        b"<html></html>",
        b"<script>window.__INITIAL_STATE__=[1];</script>",
        b"window.__INITIAL_STATE__={oops",
    ],
)
def test_parse_initial_state_rejects(page: bytes) -> None:
    with pytest.raises(ValueError, match="__INITIAL_STATE__"):
        parse_initial_state(page)


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_note_upload_image_sends_the_file_as_multipart(aio: bool, tmp_path: Any) -> None:
    import asyncio

    from bilibili_sdk import AsyncClient, Client, Credential
    from bilibili_sdk.testing import MockBilibili

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    path = tmp_path / "a.png"
    path.write_bytes(png)
    mock = MockBilibili()
    cred = Credential(sessdata="S", bili_jct="J")
    if aio:

        async def go() -> Any:
            async with AsyncClient(credential=cred, transport=mock.transport()) as bili:
                return await bili.note.upload_image(path)

        got = asyncio.run(go())
    else:
        with Client(credential=cred, transport=mock.transport()) as bili:
            got = bili.note.upload_image(path)
    assert got.location.startswith("//api.bilibili.com/x/note/image")
    (req,) = [r for r in mock.requests if r.endpoint == "note.upload_image"]
    assert req.method == "POST" and req.form.get("csrf") == "J"
    assert set(req.files) == {"file"}
    name, content, mime = req.files["file"]
    assert content == png and name == "a.png" and mime == "image/png"

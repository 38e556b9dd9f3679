"""The manga namespace: JSON bodies with the web query, episode images (index then tokens),
the followed-comics iterator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, Credential
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._mock import RecordedRequest

CRED = Credential(sessdata="s", bili_jct="j")
HOST = "https://manga.hdslb.com"


def _index(paths: list[str]) -> dict[str, Any]:
    images = [{"path": p, "x": 100 + i, "y": 200 + i} for i, p in enumerate(paths)]
    return {"code": 0, "msg": "", "data": {"host": HOST, "images": images}}


def _tokens(rec: RecordedRequest) -> dict[str, Any]:
    urls = json.loads(rec.json["urls"])
    data = [{"url": u, "token": f"tok{i}&ts=1"} for i, u in enumerate(urls)]
    return {"code": 0, "msg": "", "data": data}


def _mock(paths: list[str]) -> MockBilibili:
    mock = MockBilibili()
    mock.set_response("manga.get_image_index", _index(paths))
    mock.set_response("manga.get_image_tokens", _tokens)
    return mock


PATHS = ["/bfs/manga/a.jpg", "/bfs/manga/b.jpg", "/bfs/manga/c.jpg"]


def _check_images(mock: MockBilibili, images: Any) -> None:
    assert [i.url for i in images] == [HOST + p for p in PATHS]
    assert [i.download_url for i in images] == [
        f"{HOST}{p}?token=tok{n}&ts=1" for n, p in enumerate(PATHS)
    ]
    assert [(i.width, i.height) for i in images] == [(100, 200), (101, 201), (102, 202)]
    assert "tok0" not in repr(images[0])  # the token stays out of logs
    index_req, token_req = [r for r in mock.requests if r.endpoint]
    assert index_req.endpoint == "manga.get_image_index"
    assert index_req.json == {"ep_id": 321912}
    assert index_req.query == {"device": "pc", "platform": "web", "nov": "25"}
    assert token_req.endpoint == "manga.get_image_tokens"
    assert json.loads(token_req.json["urls"]) == [HOST + p for p in PATHS]  # one request


def test_episode_images_sync() -> None:
    mock = _mock(PATHS)
    with Client(transport=mock.transport()) as bili:
        _check_images(mock, bili.manga.get_episode_images(321912))


@pytest.mark.anyio
async def test_episode_images_async() -> None:
    mock = _mock(PATHS)
    async with AsyncClient(transport=mock.transport()) as bili:
        _check_images(mock, await bili.manga.get_episode_images(321912))


def test_episode_without_images_asks_no_tokens() -> None:
    mock = _mock([])
    with Client(transport=mock.transport()) as bili:
        assert bili.manga.get_episode_images(5) == []
    assert [r.endpoint for r in mock.requests if r.endpoint] == ["manga.get_image_index"]


@pytest.mark.anyio
async def test_token_count_mismatch_is_reported() -> None:
    from bilibili_sdk import ResponseException

    mock = _mock(PATHS)
    mock.set_response(
        "manga.get_image_tokens",
        {"code": 0, "msg": "", "data": [{"url": HOST + PATHS[0], "token": "t"}]},
    )
    async with AsyncClient(transport=mock.transport()) as bili:
        with pytest.raises(ResponseException, match="1 tokens for 3 images"):
            await bili.manga.get_episode_images(321912)


@pytest.mark.anyio
@pytest.mark.parametrize("bad", [0, -3, "12", True, None])
async def test_bad_ep_id_raises_before_io(bad: Any) -> None:
    mock = _mock(PATHS)
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException) as e:
            bili.manga.get_episode_images(bad)
        assert e.value.argument == "ep_id"
    async with AsyncClient(transport=mock.transport()) as abili:
        with pytest.raises(ArgsException):
            await abili.manga.get_episode_images(bad)
    assert mock.requests == []


def test_detail_posts_json_with_web_query() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        detail = bili.manga.get_detail(28500)
    assert detail.id == 28500 and detail.title == "夏日重现"
    assert detail.ep_list[0].id == 779804
    (req,) = [r for r in mock.requests if r.endpoint == "manga.get_detail"]
    assert req.method == "POST"
    assert req.json == {"comic_id": 28500}
    assert req.query == {"device": "pc", "platform": "web", "nov": "25"}


def test_follow_joins_ids() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport(), credential=CRED) as bili:
        assert bili.manga.follow([1, 2]) is None
    (req,) = [r for r in mock.requests if r.endpoint == "manga.follow"]
    assert req.json == {"comic_ids": "1,2"}
    assert req.query["csrf"] == "j"


def _followed_pages(rec: RecordedRequest) -> dict[str, Any]:
    page = rec.json["page_num"]
    items = [{"comic_id": page * 10 + i, "title": f"c{page}-{i}"} for i in range(2)]
    return {"code": 0, "msg": "", "data": items if page <= 2 else []}


def test_iter_followed_sync() -> None:
    mock = MockBilibili()
    mock.set_response("manga.get_followed", _followed_pages)
    with Client(transport=mock.transport(), credential=CRED) as bili:
        ids = [c.comic_id for c in bili.manga.iter_followed(page_size=2)]
    assert ids == [10, 11, 20, 21]
    pages = [r.json["page_num"] for r in mock.requests if r.endpoint == "manga.get_followed"]
    assert pages == [1, 2, 3]


@pytest.mark.anyio
async def test_iter_followed_async() -> None:
    mock = MockBilibili()
    mock.set_response("manga.get_followed", _followed_pages)
    async with AsyncClient(transport=mock.transport(), credential=CRED) as bili:
        ids = [c.comic_id async for c in bili.manga.iter_followed(page_size=2, limit=3)]
    assert ids == [10, 11, 20]

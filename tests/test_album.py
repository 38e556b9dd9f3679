"""The album namespace: models from recorded answers, a user's albums paged in order."""

from __future__ import annotations

from typing import Any

import pytest

from bilibili_sdk import AsyncClient, Client
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._mock import RecordedRequest


def test_detail_and_query() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        detail = bili.album.get_detail(99184721)
    assert detail.item.doc_id == 99184721
    assert detail.user.uid == 813818 and detail.user.upload_count == 171
    assert detail.item.pictures[0].img_src.startswith("https://")
    (req,) = [r for r in mock.requests if r.endpoint == "album.get_detail"]
    assert req.method == "GET" and req.query == {"doc_id": "99184721"}


def _item(doc_id: int, rec: RecordedRequest) -> dict[str, Any]:
    if rec.path.endswith("/list"):  # a board entry: the album under `item`
        return {"user": {"uid": 5}, "item": {"doc_id": doc_id}}
    return {"doc_id": doc_id, "poster_uid": 5}


def _pages(rec: RecordedRequest) -> dict[str, Any]:
    page = int(rec.query["page_num"])
    items = [_item(page * 10 + i, rec) for i in range(2)] if page <= 2 else []
    return {"code": 0, "msg": "success", "data": {"total_count": 4, "items": items}}


def test_iter_user_albums_sync() -> None:
    mock = MockBilibili()
    mock.set_response("album.get_user_albums", _pages)
    with Client(transport=mock.transport()) as bili:
        ids = [a.doc_id for a in bili.album.iter_user_albums(5, page_size=2)]
    assert ids == [10, 11, 20, 21]
    reqs = [r for r in mock.requests if r.endpoint == "album.get_user_albums"]
    assert [r.query["page_num"] for r in reqs] == ["1", "2", "3"]
    assert reqs[0].query["poster_uid"] == "5" and reqs[0].query["biz"] == "0"


@pytest.mark.anyio
async def test_iter_user_albums_async() -> None:
    mock = MockBilibili()
    mock.set_response("album.get_user_albums", _pages)
    async with AsyncClient(transport=mock.transport()) as bili:
        ids = [a.doc_id async for a in bili.album.iter_user_albums(5, page_size=2, limit=3)]
    assert ids == [10, 11, 20]


def test_painter_list_stops_at_total() -> None:
    mock = MockBilibili()
    mock.set_response("album.get_painter_list", _pages)
    with Client(transport=mock.transport()) as bili:
        ids = [a.item.doc_id for a in bili.album.iter_painter_list(page_size=2)]
    assert ids == [10, 11, 20, 21]
    assert mock.count("album.get_painter_list") == 2  # total_count 4 reached: no third page

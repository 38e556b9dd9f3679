"""client.video's danmaku methods end to end against the mock Bilibili, both flavours."""

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
    CredentialNoSessdataException,
    ResponseException,
)
from bilibili_sdk.danmaku import Danmaku, parse_xml
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._mock import RecordedRequest

from . import _pb
from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"  # aid 2
CID = 279786


def pages(duration: int) -> dict[str, Any]:
    page = {"cid": CID, "page": 1, "from": "vupload", "part": "P1", "duration": duration}
    return {"code": 0, "message": "0", "ttl": 1, "data": [page]}


def by_segment(table: dict[int, bytes]) -> Any:
    """A seg.so responder: segment n answers table[n] (empty past the end)."""

    def answer(rec: RecordedRequest) -> httpx.Response:
        n = int(rec.query["segment_index"])
        return httpx.Response(200, content=table.get(n, b""))

    return answer


# Segment 2 starts at 360 s; ids chosen so that time order differs from id order.
TABLE = {
    1: _pb.segment(_pb.elem(30, 5_000, "b"), _pb.elem(10, 5_000, "a"), _pb.elem(5, 200_000, "c")),
    2: _pb.segment(_pb.elem(4, 400_000, "d"), _pb.elem(3, 719_000, "e")),
    3: _pb.segment(_pb.elem(2, 725_000, "f")),
}
ORDER = ["a", "b", "c", "d", "e", "f"]


def seg_requests(mock: MockBilibili) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == "video.get_danmaku_segment"]


@pytest.fixture
def dm_mock() -> MockBilibili:
    mock = MockBilibili()
    mock.set_response("video.get_pages", pages(725))  # 725 // 360 + 1 = 3 segments
    mock.set_response("video.get_danmaku_segment", by_segment(TABLE))
    return mock


def test_sync_all_segments_in_time_then_id_order(dm_mock: MockBilibili) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        dms = bili.video.get_danmakus(bvid=BVID)
    assert [d.text for d in dms] == ORDER
    assert all(isinstance(d, Danmaku) for d in dms)
    assert [d.dm_time for d in dms][:2] == [5.0, 5.0]
    reqs = seg_requests(dm_mock)
    assert sorted(r.query["segment_index"] for r in reqs) == ["1", "2", "3"]
    for r in reqs:
        assert r.query["oid"] == str(CID) and r.query["pid"] == "2" and r.query["type"] == "1"
        assert "w_rid" in r.query  # WBI-signed, and the mock checked the signature


@pytest.mark.anyio
async def test_async_segments_concurrently_same_result(dm_mock: MockBilibili) -> None:
    async with AsyncClient(transport=dm_mock.transport()) as bili:
        dms = await bili.video.get_danmakus(bvid=BVID)
    assert [d.text for d in dms] == ORDER
    assert len(seg_requests(dm_mock)) == 3


def test_segment_window(dm_mock: MockBilibili) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        dms = bili.video.get_danmakus(aid=2, from_seg=1, to_seg=1)
    assert [d.text for d in dms] == ["d", "e"]
    assert [r.query["segment_index"] for r in seg_requests(dm_mock)] == ["2"]


def test_cid_only_reads_until_an_empty_segment(dm_mock: MockBilibili) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        dms = bili.video.get_danmakus(cid=CID)
    assert [d.text for d in dms] == ORDER
    assert [r.query["segment_index"] for r in seg_requests(dm_mock)] == ["1", "2", "3", "4"]
    assert dm_mock.count("video.get_pages") == 0
    assert all("pid" not in r.query for r in seg_requests(dm_mock))


@pytest.mark.anyio
async def test_async_cid_only_stops_at_the_first_empty_window(dm_mock: MockBilibili) -> None:
    async with AsyncClient(transport=dm_mock.transport()) as bili:
        dms = await bili.video.get_danmakus(cid=CID)
        bounded = await bili.video.get_danmakus(cid=CID, from_seg=1, to_seg=2)
    assert [d.text for d in dms] == ORDER
    assert [d.text for d in bounded] == ["d", "e", "f"]


def test_history_needs_login_before_any_request(dm_mock: MockBilibili) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        with pytest.raises(CredentialNoSessdataException):
            bili.video.get_danmakus(bvid=BVID, date="2024-01-02")
    assert dm_mock.requests == []


def test_history_by_date(dm_mock: MockBilibili) -> None:
    dm_mock.set_response(
        "video.get_history_danmaku_segment",
        lambda rec: httpx.Response(200, content=_pb.segment(_pb.elem(9, 1_000, "old"))),
    )
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=dm_mock.transport(), credential=cred) as bili:
        dms = bili.video.get_danmakus(bvid=BVID, date="2024-01-02")
    assert [d.text for d in dms] == ["old"]
    (req,) = [r for r in dm_mock.requests if r.endpoint == "video.get_history_danmaku_segment"]
    assert req.query == {"type": "1", "oid": str(CID), "date": "2024-01-02", "pid": "2"}


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({}, "video"),
        ({"aid": 2, "bvid": BVID}, "aid"),
        ({"bvid": "BV123"}, "bvid"),
        ({"cid": 0}, "cid"),
        ({"cid": 1, "page_index": -1}, "page_index"),
        ({"cid": 1, "from_seg": 2, "to_seg": 1}, "to_seg"),
        ({"cid": 1, "date": "2024/01/02"}, "date"),
    ],
)
def test_bad_arguments_fail_before_io(
    dm_mock: MockBilibili, kwargs: dict[str, Any], argument: str
) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        with pytest.raises(ArgsException) as info:
            bili.video.get_danmakus(**kwargs)
    assert info.value.argument == argument
    assert dm_mock.requests == []


def test_page_index_past_the_last_part(dm_mock: MockBilibili) -> None:
    with Client(transport=dm_mock.transport()) as bili:
        with pytest.raises(ArgsException, match="1 part"):
            bili.video.get_danmakus(bvid=BVID, page_index=1)


def test_json_error_from_a_protobuf_endpoint_is_a_typed_error(dm_mock: MockBilibili) -> None:
    dm_mock.set_response(
        "video.get_danmaku_segment", {"code": -404, "message": "啥都木有", "ttl": 1}
    )
    with Client(transport=dm_mock.transport()) as bili:
        with pytest.raises(Exception) as info:
            bili.video.get_danmaku_segment(cid=CID)
    assert getattr(info.value, "code", None) == -404


def test_garbage_protobuf_is_a_response_exception(dm_mock: MockBilibili) -> None:
    dm_mock.set_response(
        "video.get_danmaku_segment", lambda rec: httpx.Response(200, content=b"\x0a\xff\xff")
    )
    with Client(transport=dm_mock.transport(), max_retries=0) as bili:
        with pytest.raises(ResponseException, match="malformed body"):
            bili.video.get_danmaku_segment(cid=CID)


def test_catalogue_examples_decode() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        seg = bili.video.get_danmaku_segment(cid=CID)
        view = bili.video.get_danmaku_view(cid=CID, aid=2)
        xml = bili.video.get_danmaku_xml(cid=CID)
    assert [d.text for d in seg] == ["前方高能", "hello 世界", "bottom & <tags>"]
    assert view.special_dms == ["https://i0.hdslb.com/bfs/dm/mock-special.bin"]
    assert [d.text for d in parse_xml(xml)] == ["前方高能", "hello 世界"]


def test_special_danmakus_follow_the_view(dm_mock: MockBilibili) -> None:
    bas = _pb.blob(
        1, _pb.uint(1, 77) + _pb.uint(3, 9) + _pb.blob(7, "def text = 1") + _pb.uint(11, 2)
    )
    dm_mock.set_file("https://i0.hdslb.com/bfs/dm/mock-special.bin", bas)
    with Client(transport=dm_mock.transport()) as bili:
        specials = bili.video.get_special_danmakus(bvid=BVID)
    assert [(s.id_, s.content) for s in specials] == [(77, "def text = 1")]


@pytest.mark.anyio
async def test_async_special_danmakus(dm_mock: MockBilibili) -> None:
    bas = _pb.blob(1, _pb.uint(1, 78) + _pb.blob(7, "x"))
    dm_mock.set_file("https://i0.hdslb.com/bfs/dm/mock-special.bin", bas)
    async with AsyncClient(transport=dm_mock.transport()) as bili:
        specials = await bili.video.get_special_danmakus(cid=CID)
    assert [s.id_ for s in specials] == [78]


SUBTITLE = {"body": [{"from": 0.5, "to": 1.5, "location": 2, "content": "你好"}]}


def player_info() -> dict[str, Any]:
    track = {
        "id": 1,
        "lan": "zh-CN",
        "lan_doc": "中文",
        "is_lock": False,
        "subtitle_url": "//aisubtitle.hdslb.com/bfs/subtitle/mock.json",
    }
    body = copy.deepcopy(MockBilibili().examples["video.get_player_info"])
    body["data"]["subtitle"] = {"allow_submit": False, "subtitles": [track]}
    return body


@pytest.mark.anyio
async def test_subtitle_both_flavours(dm_mock: MockBilibili) -> None:
    dm_mock.set_response("video.get_player_info", player_info())
    dm_mock.set_file(
        "https://aisubtitle.hdslb.com/bfs/subtitle/mock.json", json.dumps(SUBTITLE).encode()
    )
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=dm_mock.transport(), credential=cred) as bili:
        assert bili.video.get_subtitle(bvid=BVID) == SUBTITLE
        with pytest.raises(ArgsException, match="zh-CN") as info:
            bili.video.get_subtitle(bvid=BVID, lan="en")
        assert info.value.argument == "lan"
    async with AsyncClient(transport=dm_mock.transport(), credential=cred) as abili:
        assert await abili.video.get_subtitle(bvid=BVID, lan="zh-CN") == SUBTITLE

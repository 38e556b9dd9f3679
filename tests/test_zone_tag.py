"""Zone feeds and tag calls of `bili.video` (video.zone.yaml, video.tag.yaml) against the mock."""

from __future__ import annotations

from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, zones
from bilibili_sdk.testing import MockBilibili, RecordedRequest


def _asked(mock: MockBilibili, endpoint: str) -> list[dict[str, str]]:
    """The queries of the requests to `endpoint` (not the spi/ticket ones around them)."""
    return [r.query for r in mock.requests if r.endpoint == endpoint]


def _archive(aid: int) -> dict[str, Any]:
    return {"aid": aid, "bvid": f"BV{aid}", "title": f"video {aid}", "tid": 17}


def _zone_page(rec: RecordedRequest) -> dict[str, Any]:
    """Five videos in all, pages of two: 1,2 / 3,4 / 5; then (never asked) nothing."""
    pn, ps = int(rec.query["pn"]), int(rec.query["ps"])
    aids = list(range(1, 6))[(pn - 1) * ps : pn * ps]
    return {
        "code": 0,
        "message": "0",
        "data": {
            "archives": [_archive(a) for a in aids],
            "page": {"count": 5, "num": pn, "size": ps},
        },
    }


def _card(dyn: int) -> dict[str, Any]:
    return {"desc": {"dynamic_id": dyn, "dynamic_id_str": str(dyn)}, "card": "{}"}


FEED = [900, 800, 700, 600, 500]  # newest first


def _tag_feed(rec: RecordedRequest) -> dict[str, Any]:
    """Pages of two after `offset_dynamic_id`; has_more until the last dynamic."""
    after = int(rec.query["offset_dynamic_id"])
    rest = [d for d in FEED if after == 0 or d < after][:2]
    return {
        "code": 0,
        "msg": "",
        "data": {
            "cards": [_card(d) for d in rest],
            "offset": str(rest[-1]),
            "has_more": int(rest[-1] != FEED[-1]),
        },
    }


def test_iter_zone_new_videos_walks_every_page_in_order() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_zone_new_videos", _zone_page)
    with Client(transport=mock.transport()) as bili:
        got = [v.aid for v in bili.video.iter_zone_new_videos(17, page_size=2)]
    assert got == [1, 2, 3, 4, 5]
    asked = [(q["rid"], q["pn"], q["ps"]) for q in _asked(mock, "video.get_zone_new_videos")]
    assert asked == [("17", "1", "2"), ("17", "2", "2"), ("17", "3", "2")]  # stops at count


@pytest.mark.anyio
async def test_iter_zone_new_videos_async() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_zone_new_videos", _zone_page)
    async with AsyncClient(transport=mock.transport()) as bili:
        got = [v.aid async for v in bili.video.iter_zone_new_videos(17, page_size=2, limit=3)]
    assert got == [1, 2, 3]
    assert [q["pn"] for q in _asked(mock, "video.get_zone_new_videos")] == ["1", "2"]


def test_iter_tag_dynamics_follows_the_offset() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_tag_history_dynamics", _tag_feed)
    with Client(transport=mock.transport()) as bili:
        got = [c.desc.dynamic_id for c in bili.video.iter_tag_dynamics(tag_id=600)]
    assert got == FEED
    asked = _asked(mock, "video.get_tag_history_dynamics")
    assert [q["offset_dynamic_id"] for q in asked] == ["0", "800", "600"]
    assert {q["topic_id"] for q in asked} == {"600"}


@pytest.mark.anyio
async def test_iter_tag_dynamics_async() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_tag_history_dynamics", _tag_feed)
    async with AsyncClient(transport=mock.transport()) as bili:
        got = [c.desc.dynamic_id async for c in bili.video.iter_tag_dynamics(tag_id=600)]
    assert got == FEED
    assert mock.count("video.get_tag_history_dynamics") == 3


def test_zone_calls_send_the_zone_as_rid() -> None:
    mock = MockBilibili()
    tid = zones.find("单机游戏").tid  # type: ignore[union-attr]
    with Client(transport=mock.transport()) as bili:
        top = bili.video.get_zone_top10(tid, day=3)
        tags = bili.video.get_zone_hot_tags(tid)
        counts = bili.video.get_zone_upload_counts()
    assert _asked(mock, "video.get_zone_top10") == [{"rid": "17", "day": "3"}]
    assert _asked(mock, "video.get_zone_hot_tags") == [{"rid": "17"}]
    assert top[0].aid == 56998612 and top[0].bvid == "BV1Wx411d7jX"  # aid comes as text
    assert tags[0].rid == 17 and [t.tag_name for t in tags[0].tags][:2] == ["单机游戏", "独立游戏"]
    assert tags[0].tags[2].is_atten is True
    assert counts.region_count["17"] == 86


@pytest.mark.anyio
async def test_tag_calls_async() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport()) as bili:
        info = await bili.video.get_tag_info(tag_name="鬼畜")
        similar = await bili.video.get_similar_tags(600)
        first = await bili.video.get_tag_dynamics(600)
    assert _asked(mock, "video.get_tag_info") == [{"tag_name": "鬼畜"}]
    assert _asked(mock, "video.get_similar_tags") == [{"tag_id": "600"}]
    assert _asked(mock, "video.get_tag_dynamics") == [{"topic_id": "600"}]
    assert (info.tag_id, info.tag_name, info.count.atten) == (600, "鬼畜", 216520)
    assert [(s.tid, s.tname) for s in similar] == [(22, "鬼畜调教"), (26, "音MAD")]
    assert first.offset == first.cards[-1].desc.dynamic_id_str


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda b: b.video.get_tag_info(), "tag_id"),
        (lambda b: b.video.get_tag_info(tag_id=1, tag_name="x"), "tag_id"),
        (lambda b: b.video.get_zone_top10(17, day=5), "day"),
        (lambda b: b.video.get_zone_top10(0), "tid"),
        (lambda b: b.video.get_zone_new_videos(17, page_size=0), "page_size"),
        (
            lambda b: b.video.get_tag_history_dynamics(tag_id=1, offset_dynamic_id=5),
            "offset_dynamic_id",
        ),
    ],
)
def test_bad_arguments_raise_before_any_io(call: Any, argument: str) -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili, pytest.raises(ArgsException) as ei:
        call(bili)
    assert argument in str(ei.value)
    assert mock.requests == []

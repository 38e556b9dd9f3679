"""parse_link (pure) and Client.parse_link / get_real_url (share links, video probes)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    ParsedLink,
    ResourceType,
    ResponseException,
    aid2bvid,
    parse_link,
)
from bilibili_sdk.testing import MockBilibili

from ._hardening import FLAVOURS

BV = "BV1uv411q7Mv"
T = ResourceType

# (link, type, id, id_name, extra fields)
CASES: list[tuple[str, ResourceType, Any, str, dict[str, Any]]] = [
    (BV, T.VIDEO, BV, "bvid", {}),
    ("bv1uv411q7Mv", T.VIDEO, BV, "bvid", {}),
    ("av170001", T.VIDEO, aid2bvid(170001), "bvid", {}),
    ("AV170001", T.VIDEO, "BV17x411w7KC", "bvid", {}),
    (f"https://www.bilibili.com/video/{BV}", T.VIDEO, BV, "bvid", {}),
    (
        f"https://www.bilibili.com/video/{BV}/?p=3&t=95.5",
        T.VIDEO,
        BV,
        "bvid",
        {"page": 3, "time": 95.5},
    ),
    (f"http://www.bilibili.com/video/{BV}?t=abc", T.VIDEO, BV, "bvid", {"time": None}),
    (f"www.bilibili.com/video/{BV}", T.VIDEO, BV, "bvid", {}),
    (f"//www.bilibili.com/video/{BV}", T.VIDEO, BV, "bvid", {}),
    (f"  https://WWW.Bilibili.COM/video/{BV}  ", T.VIDEO, BV, "bvid", {}),
    ("https://m.bilibili.com/video/av170001", T.VIDEO, "BV17x411w7KC", "bvid", {}),
    (f"https://www.bilibili.com/s/video/{BV}", T.VIDEO, BV, "bvid", {}),
    (f"https://www.bilibili.com/festival/2023bnj?bvid={BV}", T.VIDEO, BV, "bvid", {}),
    (f"https:\\\\www.bilibili.com\\video\\{BV}", T.VIDEO, BV, "bvid", {}),
    ("https://www.bilibili.com/bangumi/media/md28229233", T.BANGUMI, 28229233, "media_id", {}),
    ("https://www.bilibili.com/bangumi/play/ss39431", T.BANGUMI, 39431, "season_id", {}),
    ("md28229233", T.BANGUMI, 28229233, "media_id", {}),
    ("ss39431", T.BANGUMI, 39431, "season_id", {}),
    ("https://www.bilibili.com/bangumi/play/ep691614", T.EPISODE, 691614, "epid", {}),
    ("ep691614", T.EPISODE, 691614, "epid", {}),
    ("https://www.bilibili.com/medialist/detail/ml1234", T.FAVORITE_LIST, 1234, "media_id", {}),
    ("ml1234", T.FAVORITE_LIST, 1234, "media_id", {}),
    ("https://space.bilibili.com/2/favlist?fid=77", T.FAVORITE_LIST, 77, "media_id", {"mid": 2}),
    (
        "https://space.bilibili.com/2/favlist?fid=88&ctype=21",
        T.CHANNEL_SERIES,
        88,
        "season_id",
        {"mid": 2},
    ),
    ("https://www.bilibili.com/cheese/play/ep1234", T.CHEESE_VIDEO, 1234, "epid", {}),
    ("https://www.bilibili.com/cheese/play/ss55", T.CHEESE_VIDEO, 55, "season_id", {}),
    ("https://www.bilibili.com/audio/au1234", T.AUDIO, 1234, "auid", {}),
    ("au1234", T.AUDIO, 1234, "auid", {}),
    ("https://www.bilibili.com/audio/am5678", T.AUDIO_LIST, 5678, "amid", {}),
    ("am5678", T.AUDIO_LIST, 5678, "amid", {}),
    ("https://www.bilibili.com/read/cv9762979", T.ARTICLE, 9762979, "cvid", {}),
    ("https://www.bilibili.com/read/mobile/9762979", T.ARTICLE, 9762979, "cvid", {}),
    ("cv9762979", T.ARTICLE, 9762979, "cvid", {}),
    ("https://space.bilibili.com/660303135", T.USER, 660303135, "mid", {}),
    ("https://space.bilibili.com/660303135/dynamic", T.USER, 660303135, "mid", {}),
    ("https://m.bilibili.com/space/660303135", T.USER, 660303135, "mid", {}),
    ("uid660303135", T.USER, 660303135, "mid", {}),
    ("https://live.bilibili.com/22544798", T.LIVE, 22544798, "room_id", {}),
    ("https://live.bilibili.com/h5/22544798?x=1", T.LIVE, 22544798, "room_id", {}),
    (
        "https://space.bilibili.com/2/channel/collectiondetail?sid=3",
        T.CHANNEL_SERIES,
        3,
        "season_id",
        {"mid": 2},
    ),
    (
        "https://space.bilibili.com/2/channel/seriesdetail?sid=4",
        T.CHANNEL_SERIES,
        4,
        "series_id",
        {"mid": 2},
    ),
    (
        "https://space.bilibili.com/2/lists/5?type=series",
        T.CHANNEL_SERIES,
        5,
        "series_id",
        {"mid": 2},
    ),
    (
        "https://space.bilibili.com/2/lists/6?type=season",
        T.CHANNEL_SERIES,
        6,
        "season_id",
        {"mid": 2},
    ),
    ("https://www.bilibili.com/list/2?sid=7", T.CHANNEL_SERIES, 7, "series_id", {"mid": 2}),
    (
        "https://www.bilibili.com/medialist/play/2?business=space_series&business_id=8",
        T.CHANNEL_SERIES,
        8,
        "series_id",
        {"mid": 2},
    ),
    ("https://www.bilibili.com/read/readlist/rl321", T.ARTICLE_LIST, 321, "rlid", {}),
    ("rl321", T.ARTICLE_LIST, 321, "rlid", {}),
    ("https://t.bilibili.com/760000000000000001", T.DYNAMIC, 760000000000000001, "dynamic_id", {}),
    (
        "https://m.bilibili.com/dynamic/760000000000000001",
        T.DYNAMIC,
        760000000000000001,
        "dynamic_id",
        {},
    ),
    ("https://www.bilibili.com/blackroom/ban/1234", T.BLACK_ROOM, 1234, "id", {}),
    ("https://www.biligame.com/detail/?id=105", T.GAME, 105, "game_id", {}),
    ("https://www.bilibili.com/v/topic/detail/?topic_id=1090", T.TOPIC, 1090, "topic_id", {}),
    ("https://manga.bilibili.com/detail/mc26742", T.MANGA, 26742, "manga_id", {}),
    (
        "https://www.bilibili.com/h5/note-app/view?cvid=2197&pagefrom=comment",
        T.NOTE,
        2197,
        "cvid",
        {},
    ),
    ("https://www.bilibili.com/opus/760000000000000002", T.OPUS, 760000000000000002, "opus_id", {}),
    (
        "https://www.bilibili.com/blackboard/activity-Mz9T5bO5Q3.html?id=102",
        T.DLC,
        102,
        "act_id",
        {},
    ),
]


@pytest.mark.parametrize(
    ("link", "kind", "ident", "name", "extra"), CASES, ids=[c[0][:60] for c in CASES]
)
def test_parse_link(
    link: str, kind: ResourceType, ident: Any, name: str, extra: dict[str, Any]
) -> None:
    got = parse_link(link)
    assert got == ParsedLink(kind, ident, name, **extra)


def test_every_type_but_interactive_is_reachable_offline() -> None:
    seen = {c[1] for c in CASES}
    assert set(ResourceType) - seen == {ResourceType.INTERACTIVE_VIDEO}  # that one needs a probe


def test_video_link_gives_its_aid() -> None:
    link = parse_link("av170001")
    assert link is not None and link.aid == 170001
    assert parse_link("cv1") is not None and parse_link("cv1").aid is None  # type: ignore[union-attr]


HOSTILE = [
    "",
    "   ",
    "https://www.bilibili.com.evil.org/video/" + BV,
    "https://evilbilibili.com/video/" + BV,
    "https://www.bilibili.com@evil.org/video/" + BV,
    "https://user:pw@www.bilibili.com/video/" + BV,
    "https://evil.org/?u=https://www.bilibili.com/video/" + BV,
    "https://evil.org/www.bilibili.com/video/" + BV,
    "https://www.bilibili.com:8080/video/" + BV,
    "https://www.bilibili.com:99999/video/" + BV,
    "javascript:alert(1)//www.bilibili.com/video/" + BV,
    "data:text/html,www.bilibili.com/video/" + BV,
    "file:///www.bilibili.com/video/" + BV,
    "ftp://www.bilibili.com/video/" + BV,
    "https://www.bilibili.com/video/BV1uv411q7M0",  # 0 is not base-58
    "https://www.bilibili.com/video/BV1uv411q7M",  # too short
    "https://www.bilibili.com/video/av0",
    "https://www.bilibili.com/video/av-1",
    "https://www.bilibili.com/video/av" + "9" * 30,
    "av2251799813685248",  # past 2**51: no BV id exists
    "cv" + "9" * 20,  # past int64
    "cv１２３",  # full-width digits
    "uid",
    "https://space.bilibili.com/abc",
    "https://live.bilibili.com/",
    "https://live.bilibili.com/abc",
    "https://t.bilibili.com/",
    "https://www.bilibili.com/",
    "https://www.bilibili.com/bangumi/play/xx1",
    "https://www.bilibili.com/v/topic/detail/?topic_id=abc",
    "https://www.bilibili.com/video/" + BV + "\n",  # stripped: fine? no: control chars inside
    "https://www.bilibili.com/vi\x00deo/" + BV,
    "https://b23.tv/abc",  # needs the network
    "https://www.bilibili.com/video/" + "x" * 5000,
    "https://" + "a." * 3000 + "bilibili.com/video/" + BV,
    "http://[::1/video/" + BV,
]


@pytest.mark.parametrize("link", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_or_foreign_links_give_none(link: str) -> None:
    if link.endswith("\n"):  # surrounding whitespace is stripped, as users paste links
        assert parse_link(link) is not None
        return
    assert parse_link(link) is None


def test_not_a_string_raises() -> None:
    for bad in (None, 170001, b"BV1uv411q7Mv"):
        with pytest.raises(ArgsException) as ei:
            parse_link(bad)  # type: ignore[arg-type]
        assert ei.value.argument == "url"


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(
        st.text(max_size=120),
        st.builds(
            lambda host, path, q: f"https://{host}/{path}?{q}",
            st.sampled_from(
                [
                    "www.bilibili.com",
                    "space.bilibili.com",
                    "live.bilibili.com",
                    "t.bilibili.com",
                    "manga.bilibili.com",
                    "www.biligame.com",
                    "m.bilibili.com",
                    "bilibili.com.evil",
                ]
            ),
            st.text(alphabet="/abcdefghijklmnopqrstuvwxyzBV0123456789._-%", max_size=60),
            st.text(alphabet="=&abcdefgpt0123456789%", max_size=40),
        ),
    )
)
def test_any_text_gives_a_link_or_none(text: str) -> None:
    got = parse_link(text)
    assert got is None or isinstance(got, ParsedLink)
    if got is not None and got.type is ResourceType.VIDEO:
        assert isinstance(got.id, str) and got.id.startswith("BV1") and len(got.id) == 12


# ------------------------------------------------------------------ with the network (mock)

SHORT = "https://b23.tv/Ab12Cd"


def _client(aio: bool, mock: MockBilibili, **kw: Any) -> Any:
    return (AsyncClient if aio else Client)(transport=mock.transport(), **kw)


def _do(aio: bool, client: Any, method: str, *args: Any, **kw: Any) -> Any:
    import asyncio

    if aio:

        async def go() -> Any:
            async with client:
                return await getattr(client, method)(*args, **kw)

        return asyncio.run(go())
    with client:
        return getattr(client, method)(*args, **kw)


def _info(mock: MockBilibili, **changes: Any) -> None:
    base = mock.examples["video.get_info"]
    data = {**base["data"], **changes}
    mock.set_response("video.get_info", {**base, "data": data})


@FLAVOURS
def test_short_link_to_a_plain_video(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_redirect(SHORT, f"https://www.bilibili.com/video/{BV}?p=2&share_source=copy")
    _info(mock, rights={**mock.examples["video.get_info"]["data"]["rights"], "is_stein_gate": 0})
    got = _do(
        aio,
        _client(aio, mock, credential=Credential(sessdata="S", bili_jct="J")),
        "parse_link",
        SHORT,
    )
    assert got == ParsedLink(ResourceType.VIDEO, BV, "bvid", page=2)
    short = [r for r in mock.requests if r.host == "b23.tv"]
    assert len(short) == 1 and short[0].cookies == {}  # no credential to the share host
    # the page itself is never fetched: the redirect's URL is enough
    assert not [r for r in mock.requests if r.host == "www.bilibili.com"]
    probe = [r for r in mock.requests if r.endpoint == "video.get_info"]
    assert len(probe) == 1 and probe[0].query == {"bvid": BV}


@FLAVOURS
def test_interactive_video_is_found_by_probing(aio: bool) -> None:
    mock = MockBilibili()
    _info(mock, rights={**mock.examples["video.get_info"]["data"]["rights"], "is_stein_gate": 1})
    got = _do(aio, _client(aio, mock), "parse_link", f"https://www.bilibili.com/video/{BV}?t=5")
    assert got == ParsedLink(ResourceType.INTERACTIVE_VIDEO, BV, "bvid", time=5.0)


@FLAVOURS
def test_a_video_that_is_an_episode(aio: bool) -> None:
    mock = MockBilibili()
    _info(mock, redirect_url="https://www.bilibili.com/bangumi/play/ep691614")
    got = _do(aio, _client(aio, mock), "parse_link", BV)
    assert got == ParsedLink(ResourceType.EPISODE, 691614, "epid")


@FLAVOURS
def test_a_deleted_video_stays_a_video_link(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", {"code": -404, "message": "啥都木有"})
    assert _do(aio, _client(aio, mock), "parse_link", BV) == ParsedLink(
        ResourceType.VIDEO, BV, "bvid"
    )


@FLAVOURS
def test_non_video_links_need_no_request(aio: bool) -> None:
    mock = MockBilibili()
    got = _do(aio, _client(aio, mock), "parse_link", "https://live.bilibili.com/22544798")
    assert got == ParsedLink(ResourceType.LIVE, 22544798, "room_id") and mock.requests == []


@FLAVOURS
def test_share_link_leading_off_bilibili_is_not_followed(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_redirect(SHORT, "https://evil.example.org/steal")
    with pytest.raises(ResponseException, match="leads off Bilibili"):
        _do(aio, _client(aio, mock), "get_real_url", SHORT)
    assert [r.host for r in mock.requests] == ["b23.tv"]


@FLAVOURS
def test_redirect_loops_are_bounded(aio: bool) -> None:
    mock = MockBilibili()
    mock.set_redirect("https://b23.tv/a", "https://b23.tv/b")
    mock.set_redirect("https://b23.tv/b", "/a")  # relative, back to the first
    with pytest.raises(ResponseException, match="after 3 redirects"):
        _do(aio, _client(aio, mock), "get_real_url", "b23.tv/a", max_hops=3)
    assert len(mock.requests) == 3


@FLAVOURS
def test_unknown_share_link(aio: bool) -> None:
    mock = MockBilibili()
    with pytest.raises(ResponseException, match="HTTP 404 instead of a redirect") as ei:
        _do(aio, _client(aio, mock), "get_real_url", "https://b23.tv/nothing")
    assert ei.value.status == 404


@FLAVOURS
@pytest.mark.parametrize(
    ("url", "kw", "argument"),
    [
        ("https://evil.org/x", {}, "url"),
        ("javascript:alert(1)", {}, "url"),
        (SHORT, {"max_hops": 0}, "max_hops"),
        (SHORT, {"max_hops": True}, "max_hops"),
    ],
)
def test_bad_input_raises_before_any_request(
    aio: bool, url: str, kw: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as ei:
        _do(aio, _client(aio, mock), "get_real_url", url, **kw)
    assert ei.value.argument == argument and mock.requests == []


@FLAVOURS
def test_a_bilibili_page_comes_back_unchanged(aio: bool) -> None:
    mock = MockBilibili()
    url = f"https://www.bilibili.com/video/{BV}"
    assert _do(aio, _client(aio, mock), "get_real_url", url) == url and mock.requests == []

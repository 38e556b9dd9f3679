"""The `dynamic` namespace: the text tokeniser, `post` end to end (both flavours, exact request
bodies), bad input failing before any request, the feed's tagged union and its iterators."""

from __future__ import annotations

import copy
import datetime
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    DynamicExceedImagesException,
)
from bilibili_sdk._extras.dynamic import DynamicPostResult, TextToken, content_nodes, tokenize
from bilibili_sdk.models.dynamic import (
    DynamicDrawPost,
    DynamicFeedPage,
    DynamicForwardPost,
    DynamicPost,
    DynamicVideoPost,
    DynamicWordPost,
)
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 12
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 20
NEW_ID = "1014851722311909432"  # the create example's dyn_id_str
UPLOADED = "http://i0.hdslb.com/bfs/album/13f9523efe186a8066b2d72e80283cea2437eb62.png"
META = {"app_meta": {"from": "create.dynamic.web", "mobi_app": "web"}}


def _client(mock: MockBilibili, credential: Credential | None = None) -> Client:
    cred = credential or Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    return Client(credential=cred, transport=mock.transport(), max_retries=0)


def _aclient(mock: MockBilibili, credential: Credential | None = None) -> AsyncClient:
    cred = credential or Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    return AsyncClient(credential=cred, transport=mock.transport(), max_retries=0)


def _to(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == endpoint]


def _names(mock: MockBilibili, *names: tuple[str, int]) -> None:
    """The name lookup answers these (name, uid) pairs, plus a near match and a name without
    a user (uid 0), which must not count."""
    found = [{"name": n, "uid": str(u)} for n, u in names]
    found += [{"name": "碧诗2", "uid": "99"}, {"name": "碧", "uid": "0"}]
    mock.set_response(
        "user.get_uids_by_names",
        {"code": 0, "message": "0", "ttl": 1, "data": {"uid_list": found}},
    )


async def _post(flavour: str, mock: MockBilibili, *args: Any, **kwargs: Any) -> Any:
    if flavour == "sync":
        with _client(mock) as bili:
            return bili.dynamic.post(*args, **kwargs)
    async with _aclient(mock) as abili:
        return await abili.dynamic.post(*args, **kwargs)


FLAVOURS = pytest.mark.parametrize("flavour", ["sync", "async"])


# ---------------------------------------------------------------- the tokeniser


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("纯文本，没有别的", [("text", "纯文本，没有别的")]),
        ("@碧诗 你好", [("at", "@碧诗"), ("text", " 你好")]),
        ("你好 @碧诗", [("text", "你好 "), ("at", "@碧诗")]),  # a mention at the very end
        (
            "@a_b-1 @c\n@d",
            [("at", "@a_b-1"), ("text", " "), ("at", "@c"), ("text", "\n"), ("at", "@d")],
        ),
        ("[doge][笑哭]", [("emoji", "[doge]"), ("emoji", "[笑哭]")]),
        ("#原神# 开服啦", [("topic", "#原神#"), ("text", " 开服啦")]),
        (
            "今天 @bishi [doge] #日常# 🎉 end",
            [
                ("text", "今天 "),
                ("at", "@bishi"),
                ("text", " "),
                ("emoji", "[doge]"),
                ("text", " "),
                ("topic", "#日常#"),
                ("text", " 🎉 end"),
            ],
        ),
        # a mention ends where an emoji or a hashtag starts
        ("@碧诗[doge]", [("at", "@碧诗"), ("emoji", "[doge]")]),
        ("@碧诗#话题#", [("at", "@碧诗"), ("topic", "#话题#")]),
        # not tokens: a lone @, brackets with spaces, an unclosed hashtag, an e-mail-like @
        ("@ [a b] #未闭合", [("text", "@ [a b] #未闭合")]),
        ("mail a@b", [("text", "mail a"), ("at", "@b")]),
    ],
)
def test_tokenize_real_shapes(text: str, want: list[tuple[str, str]]) -> None:
    assert _kinds(text) == want
    assert "".join(t.text for t in tokenize(text)) == text  # nothing lost, nothing added


def test_token_name_is_the_mention_without_at() -> None:
    tokens = tokenize("@碧诗 [doge]")
    assert [t.name for t in tokens] == ["碧诗", "", ""]


def test_content_nodes_map_kinds_and_leave_unknown_mentions_as_text() -> None:
    tokens = tokenize("hi @碧诗 @nobody [doge] #日常#")
    nodes = content_nodes(tokens, {"碧诗": 2})
    assert nodes == [
        {"raw_text": "hi ", "biz_id": "", "type": 1},
        {"raw_text": "@碧诗", "biz_id": "2", "type": 2},
        {"raw_text": " ", "biz_id": "", "type": 1},
        {"raw_text": "@nobody", "biz_id": "", "type": 1},
        {"raw_text": " ", "biz_id": "", "type": 1},
        {"raw_text": "[doge]", "biz_id": "", "type": 9},
        {"raw_text": " ", "biz_id": "", "type": 1},
        {"raw_text": "#日常#", "biz_id": "", "type": 1},
    ]


def test_text_token_is_a_value() -> None:
    assert TextToken("at", "@x") == TextToken("at", "@x")
    assert TextToken("at", "@x").name == "x"


# ---------------------------------------------------------------- post, end to end


@pytest.mark.anyio
@FLAVOURS
async def test_post_text_with_mentions_emoji_topic(flavour: str, mock: MockBilibili) -> None:
    _names(mock, ("碧诗", 2), ("bishi", 1))
    result = await _post(flavour, mock, "@碧诗 看 [doge] #日常# @bishi @碧诗 @碧 ~", topic=1234)

    assert result == DynamicPostResult(int(NEW_ID), None, None, [])
    # one lookup, each name once, in order of first appearance
    lookups = _to(mock, "user.get_uids_by_names")
    assert [r.query["names"] for r in lookups] == ["碧诗,bishi,碧"]
    assert _to(mock, "dynamic.upload_image") == []
    (create,) = _to(mock, "dynamic.create")
    assert create.method == "POST"
    # csrf in the URL (`csrf: query`), as the web client sends it with a JSON body
    assert create.query["csrf"] == create.query["csrf_token"] == BILI_JCT
    assert create.json["dyn_req"] == {
        "content": {
            "contents": [
                {"raw_text": "@碧诗", "biz_id": "2", "type": 2},
                {"raw_text": " 看 ", "biz_id": "", "type": 1},
                {"raw_text": "[doge]", "biz_id": "", "type": 9},
                {"raw_text": " ", "biz_id": "", "type": 1},
                {"raw_text": "#日常#", "biz_id": "", "type": 1},
                {"raw_text": " ", "biz_id": "", "type": 1},
                {"raw_text": "@bishi", "biz_id": "1", "type": 2},
                {"raw_text": " ", "biz_id": "", "type": 1},
                {"raw_text": "@碧诗", "biz_id": "2", "type": 2},
                {"raw_text": " ", "biz_id": "", "type": 1},
                {"raw_text": "@碧", "biz_id": "", "type": 1},  # uid 0: no such user
                {"raw_text": " ~", "biz_id": "", "type": 1},
            ]
        },
        "scene": 1,
        "attach_card": None,
        "meta": META,
        "topic": {"id": 1234},
    }
    assert set(create.json) == {"dyn_req"}
    assert "w_rid" in create.query  # WBI-signed (the mock checked the signature)


@pytest.mark.anyio
@FLAVOURS
async def test_post_without_mentions_asks_no_lookup(flavour: str, mock: MockBilibili) -> None:
    await _post(flavour, mock, "just text")
    assert _to(mock, "user.get_uids_by_names") == []
    (create,) = _to(mock, "dynamic.create")
    assert create.json["dyn_req"]["content"]["contents"] == [
        {"raw_text": "just text", "biz_id": "", "type": 1}
    ]
    assert "topic" not in create.json["dyn_req"] and "pics" not in create.json["dyn_req"]


@pytest.mark.anyio
@FLAVOURS
async def test_post_with_images_uploads_each_in_order(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    from bilibili_sdk import Picture

    pytest.importorskip("PIL")
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (1, 2, 3)).save(buf, "JPEG")
    picture = Picture.from_bytes(buf.getvalue())
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    sizes = iter([(640, 480), (320, 200), (10, 20)])

    def upload(rec: RecordedRequest) -> dict[str, Any]:
        w, h = next(sizes)
        url = f"https://i0.hdslb.com/bfs/new_dyn/{w}x{h}.png"
        return {
            "code": 0,
            "message": "0",
            "data": {"image_url": url, "image_width": w, "image_height": h},
        }

    mock.set_response("dynamic.upload_image", upload)
    result = await _post(flavour, mock, "", images=[PNG, picture, str(path)])

    uploads = _to(mock, "dynamic.upload_image")
    assert [r.files["file_up"] for r in uploads] == [
        ("images.png", PNG, "image/png"),
        ("images.jpg", picture.content, "image/jpeg"),
        ("cat.png", PNG, "image/png"),
    ]
    for r in uploads:
        assert r.form == {
            "biz": "new_dyn",
            "category": "daily",
            "csrf": BILI_JCT,
            "csrf_token": BILI_JCT,
        }
        assert "multipart/form-data" in r.headers["content-type"]
    (create,) = _to(mock, "dynamic.create")
    assert create.json["dyn_req"]["scene"] == 2
    assert create.json["dyn_req"]["pics"] == [
        {
            "img_src": "https://i0.hdslb.com/bfs/new_dyn/640x480.png",
            "img_width": 640,
            "img_height": 480,
        },
        {
            "img_src": "https://i0.hdslb.com/bfs/new_dyn/320x200.png",
            "img_width": 320,
            "img_height": 200,
        },
        {
            "img_src": "https://i0.hdslb.com/bfs/new_dyn/10x20.png",
            "img_width": 10,
            "img_height": 20,
        },
    ]
    assert create.json["dyn_req"]["content"]["contents"] == []  # no text: no nodes
    assert [p.image_width for p in result.images] == [640, 320, 10]
    # uploads come before the dynamic
    order = [r.endpoint for r in mock.requests if r.endpoint and r.endpoint.startswith("dynamic.")]
    assert order == ["dynamic.upload_image"] * 3 + ["dynamic.create"]


@pytest.mark.anyio
@FLAVOURS
async def test_post_one_image_given_alone(flavour: str, mock: MockBilibili) -> None:
    await _post(flavour, mock, "pic", images=JPEG)  # type: ignore[arg-type]
    (up,) = _to(mock, "dynamic.upload_image")
    assert up.files["file_up"] == ("images.jpg", JPEG, "image/jpeg")


@pytest.mark.anyio
@FLAVOURS
async def test_post_scheduled_text(flavour: str, mock: MockBilibili) -> None:
    _names(mock, ("碧诗", 2))
    when = int(time.time()) + 3600
    result = await _post(flavour, mock, "定时 @碧诗 [doge]", schedule=when)

    assert result == DynamicPostResult(None, 1014851722311909500, when, [])
    assert _to(mock, "dynamic.create") == []
    (req,) = _to(mock, "dynamic.create_schedule")
    assert req.method == "POST"
    assert req.form["type"] == "2"
    assert req.form["publish_time"] == str(when)
    assert req.form["csrf"] == BILI_JCT
    assert json.loads(req.form["request"]) == {
        "dynamic_id": 0,
        "type": 4,
        "rid": 0,
        "content": "定时 @碧诗 [doge]",
        "extension": '{"emoji_type":1}',
        "at_uids": "2",
        # "@碧诗" starts at 3; its length counts @, the name and the space after it
        "ctrl": '[{"location":3,"type":1,"length":4,"data":2}]',
    }


@pytest.mark.anyio
@FLAVOURS
async def test_post_scheduled_with_images_and_datetime(flavour: str, mock: MockBilibili) -> None:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    result = await _post(flavour, mock, "图", images=[PNG], schedule=when)

    assert result.publish_time == int(when.timestamp())
    assert result.draft_id == 1014851722311909500 and result.dynamic_id is None
    (req,) = _to(mock, "dynamic.create_schedule")
    assert req.form["type"] == "4"
    request = json.loads(req.form["request"])
    assert request["pictures"] == [{"img_src": UPLOADED, "img_width": 1225, "img_height": 850}]
    assert request["content"] == request["description"] == "图"
    assert request["at_uids"] == "" and request["at_control"] == "[]"
    assert request["biz"] == 3 and request["category"] == 3 and request["type"] == 0


# ---------------------------------------------------------------- bad input, before any request


def _bad_cases(tmp_path: Path) -> list[tuple[dict[str, Any], type[Exception], str]]:
    past = datetime.datetime.now() - datetime.timedelta(minutes=1)
    return [
        ({"text": ""}, ArgsException, "text"),
        ({"text": "   \n"}, ArgsException, "text"),
        ({"text": "x", "images": [PNG] * 10}, DynamicExceedImagesException, "images"),
        ({"text": "", "images": [PNG] * 10}, DynamicExceedImagesException, "images"),
        ({"text": "x", "schedule": past}, ArgsException, "schedule"),
        ({"text": "x", "schedule": int(time.time()) - 5}, ArgsException, "schedule"),
        ({"text": "x", "schedule": True}, ArgsException, "schedule"),
        ({"text": "x", "schedule": "tomorrow"}, ArgsException, "schedule"),
        ({"text": "x", "images": [str(tmp_path / "missing.png")]}, ArgsException, "images"),
        ({"text": "x", "images": [b""]}, ArgsException, "images"),
        ({"text": "x", "images": [1.5]}, ArgsException, "images"),
        ({"text": "x", "topic": 0}, ArgsException, "topic"),
        ({"text": 12}, ArgsException, "text"),
    ]


@pytest.mark.anyio
@FLAVOURS
@pytest.mark.parametrize("index", range(13))
async def test_bad_input_raises_before_any_request(
    flavour: str, index: int, mock: MockBilibili, tmp_path: Path
) -> None:
    kwargs, exc, argument = _bad_cases(tmp_path)[index]
    text = kwargs.pop("text")
    with pytest.raises(exc) as info:
        await _post(flavour, mock, text, **kwargs)
    assert isinstance(info.value, ArgsException)
    assert info.value.argument == argument
    assert argument in str(info.value)
    assert mock.requests == []


def test_exceed_images_is_an_args_exception() -> None:
    assert issubclass(DynamicExceedImagesException, ArgsException)
    assert issubclass(DynamicExceedImagesException, ValueError)


@pytest.mark.anyio
@FLAVOURS
async def test_nine_images_are_fine(flavour: str, mock: MockBilibili) -> None:
    await _post(flavour, mock, "", images=[PNG] * 9)
    assert len(_to(mock, "dynamic.upload_image")) == 9


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("credential", "exc"),
    [
        (Credential(), CredentialNoSessdataException),
        (Credential(sessdata=SESSDATA), CredentialNoBiliJctException),
    ],
)
async def test_post_needs_login_and_csrf_before_any_request(
    credential: Credential, exc: type[Exception], mock: MockBilibili
) -> None:
    with _client(mock, credential) as bili, pytest.raises(exc):
        bili.dynamic.post("@碧诗 hi", images=[PNG])
    async with _aclient(mock, credential) as abili:
        with pytest.raises(exc):
            await abili.dynamic.post("@碧诗 hi", images=[PNG])
    assert mock.requests == []


# ---------------------------------------------------------------- generated calls


def test_create_takes_an_object(mock: MockBilibili) -> None:
    with _client(mock) as bili:
        with pytest.raises(ArgsException) as info:
            bili.dynamic.create(dyn_req="{}")  # type: ignore[arg-type]
        assert info.value.argument == "dyn_req"
        assert mock.requests == []
        got = bili.dynamic.create(dyn_req={"scene": 1, "content": {"contents": []}})
    assert got.dyn_id_str == NEW_ID
    (req,) = _to(mock, "dynamic.create")
    assert req.json["dyn_req"] == {"scene": 1, "content": {"contents": []}}  # nested, not a string


def test_detail_and_pin(mock: MockBilibili) -> None:
    with _client(mock) as bili:
        detail = bili.dynamic.get_detail(1014851722311909432)
        bili.dynamic.pin("1014851722311909432")
    assert isinstance(detail.item, DynamicForwardPost)
    assert isinstance(detail.item.orig, DynamicVideoPost)
    assert detail.item.orig.modules.module_dynamic.major is not None
    assert detail.item.orig.modules.module_dynamic.major.archive is not None
    assert detail.item.orig.modules.module_dynamic.major.archive.bvid == "BV12p4y167Kq"
    (get,) = _to(mock, "dynamic.get_detail")
    assert get.query["id"] == "1014851722311909432" and "w_rid" in get.query
    (pin,) = _to(mock, "dynamic.pin")
    assert pin.json == {"dyn_str": "1014851722311909432"}
    assert pin.query == {"csrf": BILI_JCT, "csrf_token": BILI_JCT}


# ---------------------------------------------------------------- the feed


def _feed_example() -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "api_spec/examples/dynamic/get_feed.json"
    body: dict[str, Any] = json.loads(path.read_text("utf-8"))[0]["body"]
    return body


def test_feed_items_are_typed_by_kind(mock: MockBilibili) -> None:
    with _client(mock) as bili:
        page = bili.dynamic.get_feed(type="video")
    assert isinstance(page, DynamicFeedPage)
    kinds = [type(i) for i in page.items]
    assert kinds == [
        DynamicForwardPost,
        DynamicDrawPost,
        DynamicVideoPost,
        DynamicWordPost,
        DynamicPost,
    ]
    fwd, draw, _video, word, other = page.items
    assert isinstance(fwd, DynamicForwardPost) and isinstance(fwd.orig, DynamicVideoPost)
    assert isinstance(draw, DynamicDrawPost)
    assert draw.modules.module_dynamic.major is not None
    assert draw.modules.module_dynamic.major.draw is not None
    assert len(draw.modules.module_dynamic.major.draw.items) >= 1
    assert isinstance(word, DynamicWordPost) and word.modules.module_dynamic.desc is not None
    nodes = word.modules.module_dynamic.desc.rich_text_nodes
    assert [n.type for n in nodes][1] == "RICH_TEXT_NODE_TYPE_AT" and nodes[1].rid == "1"
    assert nodes[3].emoji is not None and nodes[3].emoji.text == "[doge]"
    # an unknown kind keeps its type and its unknown fields
    assert other.type == "DYNAMIC_TYPE_LIVE_RCMD"
    assert other.modules.module_dynamic.major is not None
    assert other.modules.module_dynamic.major.live_rcmd == {
        "content": '{"type":1}',
        "reserve_type": 0,
    }
    (req,) = _to(mock, "dynamic.get_feed")
    assert req.query == {
        "type": "video",
        "page": "1",
        "timezone_offset": "-480",
        "features": "itemOpusStyle",
    }


def _feed_pages(mock: MockBilibili) -> Callable[[RecordedRequest], dict[str, Any]]:
    """Three pages chained by offset: ids 1-2, 3-4, 5; the last says has_more false."""
    base = _feed_example()
    word = copy.deepcopy(base["data"]["items"][3])
    pages = {"": (["1", "2"], "o1"), "o1": (["3", "4"], "o2"), "o2": (["5"], "o3")}

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        ids, nxt = pages[rec.query.get("offset", "")]
        items = []
        for i in ids:
            item = copy.deepcopy(word)
            item["id_str"] = i
            items.append(item)
        data = {
            "has_more": nxt != "o3",
            "items": items,
            "offset": nxt,
            "update_baseline": "",
            "update_num": 0,
        }
        return {"code": 0, "message": "0", "ttl": 1, "data": data}

    return answer


def test_iter_feed_follows_the_offset(mock: MockBilibili) -> None:
    mock.set_response("dynamic.get_feed", _feed_pages(mock))
    with _client(mock) as bili:
        got = [i.id_str for i in bili.dynamic.iter_feed(host_mid=2)]
    assert got == ["1", "2", "3", "4", "5"]
    reqs = _to(mock, "dynamic.get_feed")
    assert [r.query.get("offset") for r in reqs] == [None, "o1", "o2"]
    assert all(r.query["host_mid"] == "2" for r in reqs)


@pytest.mark.anyio
async def test_iter_feed_async_follows_the_offset_and_limit(mock: MockBilibili) -> None:
    mock.set_response("dynamic.get_feed", _feed_pages(mock))
    async with _aclient(mock) as abili:
        got = [i.id_str async for i in abili.dynamic.iter_feed()]
        assert got == ["1", "2", "3", "4", "5"]
        mock.requests.clear()
        few = [i.id_str async for i in abili.dynamic.iter_feed(limit=3)]
    assert few == ["1", "2", "3"]
    assert [r.query.get("offset") for r in _to(mock, "dynamic.get_feed")] == [None, "o1"]


def _likes(rec: RecordedRequest) -> dict[str, Any]:
    page = int(rec.query["pn"])
    uids = {1: [11, 12], 2: [13, 14], 3: [15]}[page]
    items = [{"uid": u, "uname": f"u{u}", "face": ""} for u in uids]
    data = {"item_likes": items, "has_more": int(page < 3), "total_count": 5}
    return {"code": 0, "msg": "", "message": "", "data": data}


def test_iter_likes_pages_until_the_end(mock: MockBilibili) -> None:
    mock.set_response("dynamic.get_likes", _likes)
    with _client(mock) as bili:
        got = [u.uid for u in bili.dynamic.iter_likes(7, page_size=2)]
    assert got == [11, 12, 13, 14, 15]
    reqs = _to(mock, "dynamic.get_likes")
    assert [(r.query["pn"], r.query["ps"], r.query["dynamic_id"]) for r in reqs] == [
        ("1", "2", "7"),
        ("2", "2", "7"),
        ("3", "2", "7"),
    ]


@pytest.mark.anyio
async def test_iter_likes_async(mock: MockBilibili) -> None:
    mock.set_response("dynamic.get_likes", _likes)
    async with _aclient(mock) as abili:
        got = [u.uid async for u in abili.dynamic.iter_likes(7, page_size=2)]
    assert got == [11, 12, 13, 14, 15]
    assert len(_to(mock, "dynamic.get_likes")) == 3


def _reactions(rec: RecordedRequest) -> dict[str, Any]:
    chain = {"": (["1", "2"], "r1", True), "r1": (["3"], "r2", False)}
    mids, nxt, more = chain[rec.query["offset"]]
    items = [
        {"action": "赞了", "attend": 0, "desc": "", "face": "", "mid": m, "name": m} for m in mids
    ]
    data = {"has_more": more, "items": items, "offset": nxt, "total": 3}
    return {"code": 0, "message": "0", "ttl": 1, "data": data}


@pytest.mark.anyio
@FLAVOURS
async def test_iter_reactions(flavour: str, mock: MockBilibili) -> None:
    mock.set_response("dynamic.get_reactions", _reactions)
    if flavour == "sync":
        with _client(mock) as bili:
            got = [r.mid for r in bili.dynamic.iter_reactions(9)]
    else:
        async with _aclient(mock) as abili:
            got = [r.mid async for r in abili.dynamic.iter_reactions(9)]
    assert got == [1, 2, 3]
    assert [r.query["offset"] for r in _to(mock, "dynamic.get_reactions")] == ["", "r1"]


# ---------------------------------------------------------------- the object and file types


def test_file_part_forms(tmp_path: Path) -> None:
    from bilibili_sdk import _validate as _v

    path = tmp_path / "a.gif"
    path.write_bytes(b"GIF89a" + b"\x00" * 8)
    assert _v.file_part("image", path) == ("a.gif", path.read_bytes(), "image/gif")
    assert _v.file_part("image", str(path))[0] == "a.gif"
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 "
    assert _v.file_part("image", webp) == ("image.webp", webp, "image/webp")
    assert _v.file_part("image", bytearray(b"xyz")) == (
        "image.bin",
        b"xyz",
        "application/octet-stream",
    )
    for bad in (None, 3, b"", [PNG]):
        with pytest.raises(ArgsException) as info:
            _v.file_part("image", bad)
        assert info.value.argument == "image"
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ArgsException, match="empty"):
        _v.file_part("image", tmp_path / "empty.png")
    with pytest.raises(ArgsException, match="cannot read"):
        _v.file_part("image", tmp_path)  # a directory


def test_json_object_checks() -> None:
    from bilibili_sdk import _validate as _v

    value = {"a": [1, {"b": "值"}]}
    assert _v.json_object("dyn_req", value) is value
    for bad in ("{}", [1], None, {"a": object()}):
        with pytest.raises(ArgsException) as info:
            _v.json_object("dyn_req", bad)
        assert info.value.argument == "dyn_req"


def test_upload_image_sends_multipart_with_the_form(mock: MockBilibili, tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(PNG)
    with _client(mock) as bili:
        got = bili.dynamic.upload_image(path, category="draw")
        with pytest.raises(ArgsException):
            bili.dynamic.upload_image(tmp_path / "nope.png")
    assert got.image_url == UPLOADED and got.image_width == 1225
    (req,) = _to(mock, "dynamic.upload_image")
    assert req.files == {"file_up": ("x.png", PNG, "image/png")}
    assert req.form == {
        "biz": "new_dyn",
        "category": "draw",
        "csrf": BILI_JCT,
        "csrf_token": BILI_JCT,
    }


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("{type: object, in: query}", "type object goes in a JSON body"),
        ("{type: object}", "type object goes in a JSON body"),  # a GET: the query
        ("{type: file}", "type file goes in the form of a POST"),  # a GET
    ],
)
def test_loader_places_object_and_file(tmp_path: Path, param: str, message: str) -> None:
    from codegen.loader import SpecError, load

    d = tmp_path / "api_spec"
    (d / "examples" / "demo").mkdir(parents=True)
    (d / "demo.yaml").write_text(
        "namespace: demo\ndoc: Demo.\nendpoints:\n  get_thing:\n    doc: Get.\n"
        "    url: https://api.bilibili.com/x/thing\n    response: null\n"
        f"    params:\n      thing: {param}\n",
        encoding="utf-8",
    )
    (d / "examples" / "demo" / "get_thing.json").write_text(
        json.dumps([{"source": "synthetic", "body": {"code": 0, "data": None}}]), encoding="utf-8"
    )
    with pytest.raises(SpecError) as info:
        load(d)
    assert any(message in e for e in info.value.errors), info.value.errors


@pytest.mark.parametrize(("value", "ok"), [("query", True), ("true", True), ("body", False)])
def test_loader_csrf_query_option(tmp_path: Path, value: str, ok: bool) -> None:
    from codegen.loader import SpecError, load

    d = tmp_path / "api_spec"
    (d / "examples" / "demo").mkdir(parents=True)
    (d / "demo.yaml").write_text(
        "namespace: demo\ndoc: Demo.\nendpoints:\n  set_thing:\n    doc: Set.\n    method: POST\n"
        f"    url: https://api.bilibili.com/x/thing\n    auth: required\n    body: json\n"
        f"    csrf: {value}\n    response: null\n",
        encoding="utf-8",
    )
    (d / "examples" / "demo" / "set_thing.json").write_text(
        json.dumps([{"source": "synthetic", "body": {"code": 0, "data": None}}]), encoding="utf-8"
    )
    if ok:
        (ep,) = load(d).endpoints()
        assert ep.csrf == ("query" if value == "query" else True)
    else:
        with pytest.raises(SpecError) as info:
            load(d)
        assert any("csrf" in e for e in info.value.errors), info.value.errors

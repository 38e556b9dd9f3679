"""The call surface: positional identifiers, lenient and strict models, raw responses."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from codegen.loader import load

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    NotFoundException,
    ResponseValidationException,
    aid2bvid,
    bvid2aid,
)
from bilibili_sdk._response import RawResponse
from bilibili_sdk.models.video import VideoInfo
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1uv411q7Mv"
AID = bvid2aid(BVID)
EXAMPLES = Path(__file__).resolve().parent.parent / "api_spec" / "examples"
CATALOGUE = load()


def _recorded(ns: str, name: str) -> dict[str, Any]:
    """The first example recorded from Bilibili (not a synthetic one) of an endpoint."""
    items = json.loads((EXAMPLES / ns / f"{name}.json").read_text(encoding="utf-8"))
    body = next(i["body"] for i in items if i["source"].startswith("collect:"))
    return copy.deepcopy(body)


def _client(mock: MockBilibili, **kw: Any) -> Client:
    return Client(transport=mock.transport(), **kw)


# ---------------------------------------------------------------- positional identifiers


@pytest.mark.parametrize(
    ("args", "kwargs", "query"),
    [
        ((BVID,), {}, {"bvid": BVID}),
        ((AID,), {}, {"aid": str(AID)}),
        ((f"av{AID}",), {}, {"aid": str(AID)}),
        ((), {"bvid": BVID}, {"bvid": BVID}),
        ((), {"aid": AID}, {"aid": str(AID)}),
    ],
)
def test_video_slot_takes_bv_or_av(
    args: tuple[Any, ...], kwargs: dict[str, Any], query: dict[str, str]
) -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        info = bili.video.get_info(*args, **kwargs)
    assert isinstance(info, VideoInfo)
    sent = mock.requests[-1]
    assert {k: sent.query[k] for k in ("aid", "bvid") if k in sent.query} == query


@pytest.mark.anyio
async def test_video_slot_async() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport()) as bili:
        await bili.video.get_info(BVID)
        assert mock.requests[-1].query["bvid"] == BVID
        await bili.video.get_info(AID)
        assert mock.requests[-1].query["aid"] == str(AID)
        with pytest.raises(ArgsException):
            await bili.video.get_info(BVID, aid=AID)


@pytest.mark.parametrize(
    ("args", "kwargs", "needle"),
    [
        ((), {}, "give the video"),
        ((BVID,), {"aid": AID}, "given twice"),
        ((AID,), {"bvid": BVID}, "given twice"),
        (("BV123",), {}, "BV id"),
        ((0,), {}, "av number"),
        ((True,), {}, "av number"),
        ((1.5,), {}, "av number"),
        (("170001",), {}, "av number"),
    ],
)
def test_video_slot_bad_input_before_io(
    args: tuple[Any, ...], kwargs: dict[str, Any], needle: str
) -> None:
    mock = MockBilibili()
    with _client(mock) as bili, pytest.raises(ArgsException) as ei:
        bili.video.get_info(*args, **kwargs)
    assert ei.value.argument == "video"
    assert needle in str(ei.value)
    assert mock.requests == []


def test_aid_only_endpoint_converts_a_bv_id() -> None:
    # get_danmaku_snapshot only takes `aid` on the wire: a BV id is converted locally.
    mock = MockBilibili()
    with _client(mock) as bili:
        bili.video.get_danmaku_snapshot(BVID)
        assert mock.requests[-1].query["aid"] == str(AID)
        bili.video.get_danmaku_snapshot(aid=AID)
        assert mock.requests[-1].query["aid"] == str(AID)
        with pytest.raises(ArgsException) as ei:
            bili.video.get_danmaku_snapshot()
        assert ei.value.argument == "video"


def test_bvid_only_endpoint_converts_an_av_number(credential: Credential) -> None:
    mock = MockBilibili()
    with Client(credential, transport=mock.transport()) as bili:
        bili.video.submit_subtitle(AID, cid=1, lan="zh-CN", data={"body": []})
        assert mock.requests[-1].params["bvid"] == aid2bvid(AID)


def test_other_identifiers_are_positional() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        assert bili.user.get_info(2).mid > 0
        assert mock.requests[-1].query["mid"] == "2"
        bili.search.search("原神")
        assert mock.requests[-1].query["keyword"] == "原神"
        videos = list(bili.user.iter_videos(2, limit=1))
        assert len(videos) == 1 and mock.requests[-1].query["mid"] == "2"
        # keyword calls keep working
        bili.user.get_info(mid=2)
        assert mock.requests[-1].query["mid"] == "2"
        with pytest.raises(TypeError):
            bili.user.get_info(2, 3)  # type: ignore[misc]


def _generated_classes() -> list[type]:
    out = []
    for ns in CATALOGUE.namespaces:
        if ns.endpoints:
            mod = importlib.import_module(f"bilibili_sdk.resources.{ns.name}._sync")
            out.append(getattr(mod, "".join(p.capitalize() for p in ns.name.split("_"))))
    return out


def test_most_identified_methods_take_the_identifier_positionally() -> None:
    """At least 95% of the methods that need an identifier take it positionally."""
    by_name = {(e.namespace, e.name): e for e in CATALOGUE.endpoints()}
    need = positional = 0
    not_positional = []
    for cls in _generated_classes():
        ns = cls.__module__.split(".")[-2]
        for name, fn in vars(cls).items():
            if name.startswith("_") or not callable(fn):
                continue
            ep = by_name.get((ns, name)) or next(
                e
                for e in CATALOGUE.endpoints()
                if e.paginate and e.paginate.name == name and e.namespace == ns
            )
            if not (ep.one_of or any(p.required for p in ep.params)):
                continue
            need += 1
            params = list(inspect.signature(fn).parameters.values())[1:]
            if params and params[0].kind in (
                params[0].POSITIONAL_ONLY,
                params[0].POSITIONAL_OR_KEYWORD,
            ):
                positional += 1
            else:
                not_positional.append(f"{ns}.{name}")
    assert need > 100
    assert positional / need >= 0.95, not_positional
    # the documented exceptions (`positional: []` in the spec, with a `# why:`)
    assert not_positional == ["login.refresh_cookies", "user.edit_my_info", "video.get_tag_info"]


# ---------------------------------------------------------------- lenient and strict models


def _serve(mock: MockBilibili, body: dict[str, Any]) -> None:
    mock.set_response("video.get_info", body)


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda d: d.pop("title"), lambda i: i.title == ""),
        (lambda d: d.pop("owner"), lambda i: i.owner.mid == 0 and i.owner.name == ""),
        (lambda d: d.update(pages=None), lambda i: i.pages == []),
        (lambda d: d.update(owner=None), lambda i: i.owner.mid == 0),
        (lambda d: d["stat"].pop("view"), lambda i: i.stat.view == 0),
        (lambda d: d.update(desc_v2=None), lambda i: i.desc_v2 is None),
    ],
    ids=["drop-str", "drop-object", "null-list", "null-object", "drop-nested-int", "optional-null"],
)
def test_lenient_models_survive_drift(change: Any, check: Any) -> None:
    body = _recorded("video", "get_info")
    change(body["data"])
    mock = MockBilibili()
    _serve(mock, body)
    with _client(mock) as bili:
        info = bili.video.get_info(BVID)
    assert check(info)
    # present values keep their exact types
    assert isinstance(info.aid, int) and isinstance(info.pages, list)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.pop("owner"), "owner"),
        (lambda d: d.update(pages=None), "pages"),
        (lambda d: d["stat"].pop("view"), "stat.view"),
    ],
)
def test_strict_client_reports_drift(change: Any, field: str) -> None:
    body = _recorded("video", "get_info")
    change(body["data"])
    mock = MockBilibili()
    _serve(mock, body)
    with _client(mock, strict=True) as bili, pytest.raises(ResponseValidationException) as ei:
        bili.video.get_info(BVID)
    msg = str(ei.value)
    assert field in msg and "video.get_info" in msg
    assert "with_raw_response.get_info" in msg
    assert ei.value.data["bvid"] == body["data"]["bvid"]


def test_strict_client_accepts_a_complete_real_response() -> None:
    mock = MockBilibili()
    real = _recorded("video", "get_info")
    _serve(mock, real)
    with _client(mock, strict=True) as bili:
        assert bili.video.get_info(BVID).bvid == real["data"]["bvid"]
        # with_options can turn it off again, sharing the pool
        body = _recorded("video", "get_info")
        del body["data"]["title"]
        _serve(mock, body)
        assert bili.with_options(strict=False).video.get_info(BVID).title == ""
    with pytest.raises(ArgsException) as ei:
        Client(strict="yes")  # type: ignore[arg-type]
    assert ei.value.argument == "strict"


def test_pinned_field_is_never_defaulted() -> None:
    body = _recorded("video", "get_info")
    del body["data"]["bvid"]
    mock = MockBilibili()
    _serve(mock, body)
    with _client(mock) as bili, pytest.raises(ResponseValidationException) as ei:
        bili.video.get_info(BVID)
    assert "bvid" in str(ei.value)


# ---------------------------------------------------------------- raw responses


def test_raw_response_sync() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        raw = bili.video.with_raw_response.get_info(BVID)
        plain = bili.video.get_info(BVID)
    assert isinstance(raw, RawResponse)
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.status_code == 200
    assert "json" in raw.headers["content-type"]
    body = raw.json()
    assert body["code"] == 0 and body["data"]["bvid"] == plain.bvid
    parsed = raw.parse()
    assert isinstance(parsed, VideoInfo) and parsed == plain
    assert raw.parse() is parsed  # parsed once
    assert raw.endpoint == "video.get_info"


@pytest.mark.anyio
async def test_raw_response_async() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport()) as bili:
        raw = await bili.video.with_raw_response.get_info(BVID)
        assert raw.parse().bvid == (await bili.video.get_info(BVID)).bvid
        card = await bili.user.with_raw_response.get_card(2)
        assert card.json()["code"] == 0
        assert card.parse().card.mid


def test_raw_response_keeps_error_answers() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", {"code": -404, "message": "啥都木有", "data": None})
    with _client(mock) as bili:
        raw = bili.video.with_raw_response.get_info(BVID)
        assert raw.json()["code"] == -404
        with pytest.raises(NotFoundException):
            raw.parse()
        with pytest.raises(NotFoundException):
            bili.video.get_info(BVID)


def test_raw_response_keeps_bodies_the_model_refuses() -> None:
    body = _recorded("video", "get_info")
    body["data"]["stat"] = "not an object"
    mock = MockBilibili()
    _serve(mock, body)
    with _client(mock) as bili:
        raw = bili.video.with_raw_response.get_info(BVID)
        assert raw.json()["data"]["stat"] == "not an object"
        with pytest.raises(ResponseValidationException) as ei:
            raw.parse()
    assert "stat" in str(ei.value)


def test_raw_response_of_a_non_json_endpoint() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        raw = bili.video.with_raw_response.get_danmaku_xml(cid=1)
        assert isinstance(raw.parse(), str)
        assert raw.parse() == raw.text


def test_raw_response_needs_login_like_the_plain_call() -> None:
    from bilibili_sdk import CredentialNoSessdataException

    mock = MockBilibili()
    with _client(mock) as bili, pytest.raises(CredentialNoSessdataException):
        bili.video.with_raw_response.like(BVID)
    assert mock.requests == []
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(cred, transport=mock.transport()) as bili:
        assert bili.video.with_raw_response.like(BVID).parse() is None


def _raw_pairs() -> list[tuple[type, type, type]]:
    out = []
    for ns in CATALOGUE.namespaces:
        if not ns.endpoints:
            continue
        cls = "".join(p.capitalize() for p in ns.name.split("_"))
        main = getattr(importlib.import_module(f"bilibili_sdk.resources.{ns.name}._sync"), cls)
        s = getattr(
            importlib.import_module(f"bilibili_sdk.resources.{ns.name}._raw_sync"),
            f"{cls}WithRawResponse",
        )
        a = getattr(
            importlib.import_module(f"bilibili_sdk.resources.{ns.name}._raw_async"),
            f"Async{cls}WithRawResponse",
        )
        out.append((main, s, a))
    return out


@pytest.mark.parametrize(("main", "sync_raw", "async_raw"), _raw_pairs(), ids=lambda c: c.__name__)
def test_raw_classes_mirror_the_namespace(main: type, sync_raw: type, async_raw: type) -> None:
    def public(cls: type) -> dict[str, Any]:
        return {k: v for k, v in vars(cls).items() if callable(v) and not k.startswith("_")}

    m, s, a = public(main), public(sync_raw), public(async_raw)
    assert set(s) == set(a) == {k for k in m if not k.startswith("iter_")}
    for name in s:
        ps = list(inspect.signature(s[name]).parameters.values())
        assert (
            ps
            == list(inspect.signature(a[name]).parameters.values())
            == list(inspect.signature(m[name]).parameters.values())
        ), name
        assert s[name].__doc__ == a[name].__doc__
        assert inspect.iscoroutinefunction(a[name]) and not inspect.iscoroutinefunction(s[name])


# ---------------------------------------------------------------- every parameter explained


def test_every_parameter_is_explained_in_help() -> None:
    """`help(bili.user.get_info)` shows an `Args:` line for each parameter (>= 99%)."""
    total = documented = 0
    missing = []
    for cls in _generated_classes():
        for name, fn in vars(cls).items():
            if name.startswith("_") or not callable(fn):
                continue
            doc = inspect.getdoc(fn) or ""
            args = doc.split("Args:", 1)[1] if "Args:" in doc else ""
            for p in list(inspect.signature(fn).parameters)[1:]:
                total += 1
                line = next((x for x in args.splitlines() if x.strip().startswith(f"{p}:")), "")
                if len(line.split(":", 1)[1].strip()) > 5 if line else False:
                    documented += 1
                else:
                    missing.append(f"{cls.__name__}.{name}({p})")
    assert total > 500
    assert documented / total >= 0.99, missing[:20]


def test_loader_warns_on_a_parameter_without_doc(tmp_path: Path) -> None:
    import shutil

    from codegen.__main__ import main

    spec = tmp_path / "api_spec"
    shutil.copytree(Path(__file__).resolve().parent.parent / "api_spec", spec)
    text = (spec / "search.yaml").read_text(encoding="utf-8")
    old = 'keyword: {type: str, required: true, doc: "Words to search for."}'
    text = text.replace(old, "keyword: {type: str, required: true}", 1)
    (spec / "search.yaml").write_text(text, encoding="utf-8")
    cat = load(spec)
    assert len(cat.warnings) == 1 and "param keyword has no doc" in cat.warnings[0]
    assert cat.warnings[0].startswith("api_spec/search.yaml:")
    assert main(["--spec-dir", str(spec), "validate"]) == 0


def test_hand_written_video_methods_take_the_video_positionally() -> None:
    mock = MockBilibili()
    with _client(mock) as bili:
        by_slot = bili.video.get_danmakus(BVID, to_seg=0)
        by_kw = bili.video.get_danmakus(bvid=BVID, to_seg=0)
        assert by_slot == by_kw and len(by_slot) > 0
        mock.set_file("https://i0.hdslb.com/bfs/dm/mock-special.bin", b"")
        mock.requests.clear()
        bili.video.get_special_danmakus(AID)
        assert mock.requests[0].query["aid"] == str(AID)
        with pytest.raises(ArgsException) as ei:
            bili.video.get_danmakus(BVID, aid=AID)
        assert ei.value.argument == "video"
        monitor = bili.video.online_monitor(f"av{AID}")
        assert monitor is not None


def test_null_payload_is_an_empty_result_unless_strict() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_pages", {"code": 0, "message": "0", "data": None})
    mock.set_response("user.get_card", {"code": 0, "message": "0", "data": None})
    with _client(mock) as bili:
        assert bili.video.get_pages(BVID) == []
        card = bili.user.get_card(2)
        assert card.card.mid == 0 and card.card.name == ""
        with pytest.raises(ResponseValidationException):
            bili.with_options(strict=True).video.get_pages(BVID)

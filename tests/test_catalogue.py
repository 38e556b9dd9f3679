"""Data-driven over api_spec/: every endpoint, both flavours, against the mock Bilibili."""

from __future__ import annotations

import base64
import datetime
import importlib
import inspect
import re
from typing import Any

import pytest
from codegen.loader import Catalogue, Param, load
from codegen.loader import Endpoint as SpecEndpoint
from pydantic import TypeAdapter

from bilibili_sdk import AsyncClient, Client, Credential, NotLoggedInException
from bilibili_sdk._endpoint import Endpoint
from bilibili_sdk.testing import MockBilibili

from ._corpus import belongs, expected_type, payload_of, recorded
from .conftest import BILI_JCT, SESSDATA

CATALOGUE: Catalogue = load()
ENDPOINTS = CATALOGUE.endpoints()
IDS = [f"{ep.namespace}.{ep.name}" for ep in ENDPOINTS]
DM_EXTRAS = {"dm_img_list", "dm_img_str", "dm_cover_img_str", "dm_img_inter"}


def runtime_added(ep: SpecEndpoint) -> set[str]:
    """Parameter names the runtime adds around the declared ones, exactly when it must."""
    out: set[str] = set()
    if ep.sign in ("wbi", "wbi+dm"):
        out |= {"wts", "w_rid", "web_location"}
    if ep.sign == "wbi+dm":
        out |= DM_EXTRAS
    if ep.sign in ("app", "app-tv"):
        out |= {"appkey", "sign"}
    if ep.csrf:
        out |= {"csrf", "csrf_token"}
    return out


def sample(p: Param) -> Any:
    """A valid value for a parameter, by its declared type."""
    if p.choices:
        return p.choices[0]
    if p.enum:
        enum = getattr(importlib.import_module("bilibili_sdk.models"), p.enum)
        return next(iter(enum))
    if p.default is not None:
        return p.default
    return {
        "str": "x",
        "int": max(p.min or 1, 1),
        "float": 1.5,
        "bool": True,
        "bvid": "BV1xx411c7mD",
        "aid": 170001,
        "mid": 2,
        "cid": 62131,
        "id": 7,
        "date": datetime.date(2024, 1, 2),
        "json": {"k": [1, 2]},
        "list[int]": [1, 2],
        "list[str]": ["a", "b"],
    }[p.type]


def kwargs_for(ep: SpecEndpoint) -> dict[str, Any]:
    skip = {grp[i] for grp in ep.one_of for i in range(1, len(grp))}
    out = {}
    for p in ep.params:
        if p.name in skip:
            continue
        if p.required or any(p.name == grp[0] for grp in ep.one_of) or p.default is None:
            out[p.name] = sample(p)
    return out


def wire_names(ep: SpecEndpoint, kwargs: dict[str, Any]) -> set[str]:
    names = {p.wire for p in ep.params if p.name in kwargs or p.default is not None}
    names |= {k for loc in ep.fixed.values() for k in loc}
    return {n for n in names if not any(p.wire == n and p.location == "path" for p in ep.params)}


def method_of(client: Any, ep: SpecEndpoint) -> Any:
    return getattr(getattr(client, ep.namespace), ep.name)


def check_request(ep: SpecEndpoint, mock: MockBilibili, kwargs: dict[str, Any]) -> None:
    reqs = [r for r in mock.requests if r.endpoint == f"{ep.namespace}.{ep.name}"]
    assert len(reqs) == 1, f"expected one request, saw {len(reqs)}"
    req = reqs[0]
    host = re.sub(r"^https?://", "", ep.url).split("/", 1)[0]
    assert req.method == ep.method
    assert req.host == host
    if "{" not in ep.url:
        assert req.path == "/" + ep.url.split("/", 3)[3]
    sent = set(req.query) | set(req.form) | (set(req.json) if isinstance(req.json, dict) else set())
    assert sent == wire_names(ep, kwargs) | runtime_added(ep)
    signed = ep.sign in ("wbi", "wbi+dm")
    assert ("w_rid" in req.query and "wts" in req.query) == signed
    assert ("dm_img_list" in req.query) == (ep.sign == "wbi+dm")
    if ep.sign in ("app", "app-tv"):
        assert "sign" in req.params and req.params.get("appkey")
    if ep.auth == "none":
        assert "SESSDATA" not in req.cookies
    else:
        assert req.cookies.get("SESSDATA") == SESSDATA
    assert (req.params.get("csrf") == BILI_JCT) == ep.csrf
    if ep.body == "json" and ep.method != "GET" and any(p.location == "json" for p in ep.params):
        assert isinstance(req.json, dict)


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_sync_request_shape(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    kwargs = kwargs_for(ep)
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    with Client(transport=mock.transport(), credential=cred) as bili:
        result = method_of(bili, ep)(**kwargs)
    check_request(ep, mock, kwargs)
    endpoint: Endpoint[Any] = expected_type(ep)
    if endpoint.model is None:
        assert result is None
    elif endpoint.model is Any:
        assert result is not None or mock.examples[f"{ep.namespace}.{ep.name}"].get("data") is None
    elif isinstance(endpoint.model, type):
        assert isinstance(result, endpoint.model)
    else:  # a list / alias / scalar: the result must survive re-validation unchanged
        TypeAdapter(endpoint.model).validate_python(result)


@pytest.mark.anyio
@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
async def test_async_request_shape(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    kwargs = kwargs_for(ep)
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    async with AsyncClient(transport=mock.transport(), credential=cred) as bili:
        await method_of(bili, ep)(**kwargs)
    check_request(ep, mock, kwargs)


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_not_logged_in_code_raises(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    mock.set_response(
        f"{ep.namespace}.{ep.name}", {"code": -101, "message": "账号未登录", "ttl": 1}
    )
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=mock.transport(), credential=cred) as bili:
        with pytest.raises(NotLoggedInException) as ei:
            method_of(bili, ep)(**kwargs_for(ep))
    assert ei.value.code == -101
    assert f"{ep.namespace}.{ep.name}" in str(ei.value)


@pytest.mark.parametrize(
    "ep", [e for e in ENDPOINTS if e.auth == "required"], ids=lambda e: f"{e.namespace}.{e.name}"
)
def test_login_required_checked_before_io(ep: SpecEndpoint) -> None:
    from bilibili_sdk import CredentialNoSessdataException

    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(CredentialNoSessdataException):
            method_of(bili, ep)(**kwargs_for(ep))
    assert mock.requests == []


PAGED = [e for e in ENDPOINTS if e.paginate]


@pytest.mark.parametrize("ep", PAGED, ids=lambda e: f"{e.namespace}.{e.paginate.name}")
def test_iter_helpers_walk_pages(ep: SpecEndpoint) -> None:
    assert ep.paginate is not None
    mock = MockBilibili()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=mock.transport(), credential=cred) as bili:
        it = getattr(getattr(bili, ep.namespace), ep.paginate.name)(**kwargs_for(ep), limit=3)
        items = list(it)
    first_page = mock.examples[f"{ep.namespace}.{ep.name}"]
    assert 0 < len(items) <= 3 or first_page is not None
    calls = [r for r in mock.requests if r.endpoint == f"{ep.namespace}.{ep.name}"]
    assert 1 <= len(calls) <= 3
    if ep.paginate.style == "page" and ep.paginate.page and len(calls) > 1:
        wire = next(p.wire for p in ep.params if p.name == ep.paginate.page)
        pages = [int(r.params[wire]) for r in calls]
        assert pages == list(range(pages[0], pages[0] + len(pages)))


@pytest.mark.anyio
@pytest.mark.parametrize("ep", PAGED, ids=lambda e: f"{e.namespace}.{e.paginate.name}")
async def test_async_iter_helpers(ep: SpecEndpoint) -> None:
    assert ep.paginate is not None
    mock = MockBilibili()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    async with AsyncClient(transport=mock.transport(), credential=cred) as bili:
        it = getattr(getattr(bili, ep.namespace), ep.paginate.name)(**kwargs_for(ep), limit=2)
        items = [x async for x in it]
    assert len(items) <= 2


def test_every_namespace_has_endpoints() -> None:
    counts = {ns.name: len(ns.endpoints) for ns in CATALOGUE.namespaces}
    assert counts["video"] >= 40 and counts["user"] >= 60 and counts["search"] >= 10


# ---------------------------------------------------------------- the examples


EXAMPLES = [
    (ep, ex)
    for ep in ENDPOINTS
    for ex in ep.examples
    if not isinstance(ex["body"], dict) or ex["body"].get("code", 0) in (0, "0")
]


@pytest.mark.parametrize(
    ("ep", "example"), EXAMPLES, ids=[f"{e.namespace}.{e.name}[{x['source']}]" for e, x in EXAMPLES]
)
def test_examples_validate(ep: SpecEndpoint, example: dict[str, Any]) -> None:
    endpoint: Endpoint[Any] = expected_type(ep)
    if endpoint.model is None:
        return
    body = example["body"]
    if ep.decode:  # a raw body: decode it as the client would, then check the result's type
        raw = body.encode() if example["encoding"] == "text" else base64.b64decode(body)
        result = endpoint.decode_body(raw, raw.decode("utf-8", "replace"))
        assert result, f"{ep.namespace}.{ep.name}: the example decodes to nothing"
        TypeAdapter(endpoint.model).validate_python(result)
        return
    TypeAdapter(endpoint.model).validate_python(payload_of(ep, body))


def test_recorded_examples_exist() -> None:
    recorded = [x for _, x in EXAMPLES if x["source"].startswith("collect:")]
    assert len(recorded) >= 40
    for ep in ENDPOINTS:
        assert ep.examples, f"{ep.namespace}.{ep.name} has no example"
        first = ep.examples[0]["body"]
        assert not isinstance(first, dict) or first.get("code", 0) in (0, "0"), (
            f"{ep.namespace}.{ep.name}: the first example must be a success (the mock serves it)"
        )


# ---------------------------------------------------------------- sync/async pairs


PAIRS = []
for ns in CATALOGUE.namespaces:
    if not ns.endpoints:
        continue
    mod = importlib.import_module(f"bilibili_sdk.resources.{ns.name}")
    cls_name = "".join(p.capitalize() for p in ns.name.split("_"))
    PAIRS.append((getattr(mod, cls_name), getattr(mod, "Async" + cls_name)))


def _public(cls: type) -> dict[str, Any]:
    return {k: v for k, v in vars(cls).items() if callable(v) and not k.startswith("_")}


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_sync_async_pairs_identical(sync_cls: type, async_cls: type) -> None:
    s, a = _public(sync_cls), _public(async_cls)
    assert set(s) == set(a)
    for name, fn in s.items():
        afn = a[name]
        ss, sa = inspect.signature(fn), inspect.signature(afn)
        assert list(ss.parameters.values()) == list(sa.parameters.values()), name
        assert fn.__doc__ == afn.__doc__, name
        if name.startswith("iter_"):
            assert str(ss.return_annotation).replace("Iterator", "AsyncIterator") == str(
                sa.return_annotation
            )
            assert not inspect.iscoroutinefunction(afn)
        else:
            assert ss.return_annotation == sa.return_annotation, name
            assert inspect.iscoroutinefunction(afn) and not inspect.iscoroutinefunction(fn), name
    spec_ns = next(
        n for n in CATALOGUE.namespaces if sync_cls.__module__.endswith(f".{n.name}._sync")
    )
    expected = {e.name for e in spec_ns.endpoints} | {
        e.paginate.name for e in spec_ns.endpoints if e.paginate
    }
    assert set(s) == expected


# The hand-written pairs follow the same rule: the extras the generated classes extend, and
# the websocket clients.
def _hand_written_pairs() -> list[tuple[type, type]]:
    from bilibili_sdk._extras.live import AsyncLiveExtras, LiveExtras
    from bilibili_sdk._extras.login import AsyncLoginExtras, LoginExtras
    from bilibili_sdk._extras.video import AsyncVideoExtras, VideoExtras
    from bilibili_sdk.live import AsyncLiveConnection, LiveConnection
    from bilibili_sdk.login import AsyncQrLogin, QrLogin
    from bilibili_sdk.video_online import AsyncVideoOnlineMonitor, VideoOnlineMonitor

    return [
        (VideoExtras, AsyncVideoExtras),
        (LiveExtras, AsyncLiveExtras),
        (LoginExtras, AsyncLoginExtras),
        (QrLogin, AsyncQrLogin),
        (LiveConnection, AsyncLiveConnection),
        (VideoOnlineMonitor, AsyncVideoOnlineMonitor),
    ]


HAND_WRITTEN_PAIRS = _hand_written_pairs()
# Protocol methods: the sync name and its async counterpart.
DUNDER_PAIRS = {
    "__init__": "__init__",
    "__iter__": "__aiter__",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
}


def _params(fn: Any) -> list[tuple[str, Any, Any, Any]]:
    """Name, kind, default and annotation of each parameter; the client's type differs."""
    return [
        (p.name, p.kind, p.default, None if p.name == "client" else p.annotation)
        for p in inspect.signature(fn).parameters.values()
    ]


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    HAND_WRITTEN_PAIRS,
    ids=[p[0].__name__ for p in HAND_WRITTEN_PAIRS],
)
def test_hand_written_pairs_identical(sync_cls: type, async_cls: type) -> None:
    s = {n: inspect.getattr_static(sync_cls, n) for n in dir(sync_cls) if not n.startswith("_")}
    a = {n: inspect.getattr_static(async_cls, n) for n in dir(async_cls) if not n.startswith("_")}
    assert s and set(s) == set(a)
    pairs = [(name, s[name], a[name]) for name in sorted(s)]
    pairs += [
        (name, getattr(sync_cls, name), getattr(async_cls, aname))
        for name, aname in DUNDER_PAIRS.items()
        if hasattr(sync_cls, name)
    ]
    for name, fn, afn in pairs:
        assert fn.__doc__ == afn.__doc__, name
        if inspect.isfunction(fn):
            assert _params(fn) == _params(afn), name


def test_extras_take_the_connection_options() -> None:
    """`client.live.connect(...)` and `client.video.online_monitor(...)` spell out the
    options of the connection they create, typed, with the same defaults (no `**options`)."""
    from bilibili_sdk._extras.live import AsyncLiveExtras, LiveExtras
    from bilibili_sdk._extras.video import AsyncVideoExtras, VideoExtras
    from bilibili_sdk.live import AsyncLiveConnection, LiveConnection
    from bilibili_sdk.video_online import AsyncVideoOnlineMonitor, VideoOnlineMonitor

    for method, cls in [
        (LiveExtras.connect, LiveConnection),
        (AsyncLiveExtras.connect, AsyncLiveConnection),
        (VideoExtras.online_monitor, VideoOnlineMonitor),
        (AsyncVideoExtras.online_monitor, AsyncVideoOnlineMonitor),
    ]:
        got = list(inspect.signature(method).parameters.values())[1:]
        if got[0].name == "video":  # the positional video slot, resolved to aid/bvid
            assert got[0].kind is inspect.Parameter.POSITIONAL_ONLY
            got = got[1:]
        want = list(inspect.signature(cls.__init__).parameters.values())[2:]  # self, client
        assert got == want, method.__qualname__
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in got)


# ---------------------------------------------------------------- the recorded corpus

RECORDED = recorded(ENDPOINTS)


@pytest.mark.skipif(not RECORDED, reason="shared/reference/collect is not beside the checkout")
@pytest.mark.parametrize(
    ("ep", "rid", "body"), RECORDED, ids=[f"{e.namespace}.{e.name}[{r}]" for e, r, _ in RECORDED]
)
def test_every_recorded_response_validates(ep: SpecEndpoint, rid: str, body: Any) -> None:
    """Every successful response recorded for a URL we implement fits our model."""
    # Endpoints that share a URL (told apart by constant parameters) share its recordings.
    sources = {x["source"] for e in ENDPOINTS if e.url == ep.url for x in e.examples}
    assert f"collect:{rid}" in sources, f"recorded example {rid} is not in an example file"
    if not belongs(ep, rid):
        return
    test_examples_validate(ep, {"source": f"collect:{rid}", "body": body})


def test_hand_written_enums_match_the_catalogue() -> None:
    """An enum declared with `from:` lists the values its hand-written class must have."""
    shared = [e for ns in CATALOGUE.namespaces for e in ns.enums if e.module]
    assert shared, "expected DmMode/DmFontSize to come from bilibili_sdk.danmaku"
    models = importlib.import_module("bilibili_sdk.models")
    for spec in shared:
        cls = getattr(importlib.import_module(spec.module or ""), spec.name)
        assert getattr(models, spec.name) is cls
        assert {m.name: m.value for m in cls} == spec.values

"""Data-driven over api_spec/: every endpoint, both flavours, against the mock Bilibili."""

from __future__ import annotations

import base64
import datetime
import enum
import importlib
import inspect
import json
import re
import time
from hashlib import md5
from typing import Any
from urllib.parse import urlencode

import pytest
from codegen.loader import Catalogue, Param, load
from codegen.loader import Endpoint as SpecEndpoint
from pydantic import TypeAdapter

from bilibili_sdk import AsyncClient, Client, Credential, NotLoggedInException
from bilibili_sdk._endpoint import Endpoint
from bilibili_sdk.testing import MockBilibili

from ._corpus import belongs, expected_type, payload_of, recorded
from .conftest import BILI_JCT, SESSDATA

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16  # a `file` parameter's sample (magic bytes only)

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
        "object": {"k": [1, {"n": "值"}]},
        "file": PNG,
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


def wire_value(p: Param, value: Any) -> str | list[str]:
    """How a parameter value goes on the wire, written from the catalogue's rules (not from
    the generated encoder): enums by value, bools as 1/0 or true/false, dates ISO, JSON
    compact, lists joined by `sep` (or one key per item for `sep: repeat`)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        if p.bool_as == "str":
            return "true" if value else "false"
        return "1" if value else "0"
    if p.type == "date":
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if p.type == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if p.type in ("object", "file"):  # a nested JSON object; the bytes of a multipart file
        return value
    if p.type in ("list[int]", "list[str]"):
        items = [str(i) for i in value]
        return items if p.sep == "repeat" else p.sep.join(items)
    return str(value)


def expected_request(ep: SpecEndpoint, kwargs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """location -> {wire name: value as sent} for the declared and fixed parameters."""
    out: dict[str, dict[str, Any]] = {"query": {}, "form": {}, "json": {}, "path": {}, "files": {}}
    for p in ep.params:
        if p.name in kwargs:
            value = kwargs[p.name]
        elif p.default is not None:
            value = p.default
        else:
            continue
        if p.location == "json" and p.type == "int":
            out["json"][p.wire] = value  # a JSON body keeps numbers as numbers
            continue
        out["files" if p.type == "file" else p.location][p.wire] = wire_value(p, value)
    for loc, fixed in ep.fixed.items():
        for k, v in fixed.items():
            out[loc][k] = wire_value(Param(k, k, "str", loc), v)
    return out


def runtime_locations(ep: SpecEndpoint) -> dict[str, str]:
    """Where each name the runtime adds goes: signatures in the query (APP: in the form of a
    form POST), csrf in the query of a GET, else in the JSON or form body."""
    out = dict.fromkeys(runtime_added(ep) - {"csrf", "csrf_token", "appkey", "sign"}, "query")
    if ep.sign in ("app", "app-tv"):
        out["appkey"] = out["sign"] = (
            "form" if ep.method != "GET" and ep.body == "form" else "query"
        )
    if ep.csrf:
        loc = (
            "query"
            if ep.method == "GET" or ep.csrf == "query"
            else ("json" if ep.body == "json" else "form")
        )
        out["csrf"] = out["csrf_token"] = loc
    return out


APP_KEY = "4409e2ce8ffd12b8"  # seed-features.md §2.2 (APP sign)
APP_SEC = "59b43e04ad6965f34319062b478f83dd"


def method_of(client: Any, ep: SpecEndpoint) -> Any:
    return getattr(getattr(client, ep.namespace), ep.name)


def check_request(ep: SpecEndpoint, mock: MockBilibili, kwargs: dict[str, Any]) -> None:
    """One request, to the right method, host and path, with every parameter in its place
    (query, form or JSON body) and with its value; the runtime's additions exactly where and
    when they belong."""
    reqs = [r for r in mock.requests if r.endpoint == f"{ep.namespace}.{ep.name}"]
    assert len(reqs) == 1, f"expected one request, saw {len(reqs)}"
    req = reqs[0]
    want = expected_request(ep, kwargs)
    host = re.sub(r"^https?://", "", ep.url).split("/", 1)[0]
    assert req.method == ep.method
    assert req.host == host
    path = "/" + ep.url.split("/", 3)[3]
    assert req.path == path.format(**want["path"])
    added = runtime_locations(ep)
    got = {"query": dict(req.query), "form": dict(req.form), "json": dict(req.json or {})}
    for loc in ("query", "form", "json"):
        runtime = {
            k: got[loc].pop(k) for k in list(got[loc]) if added.get(k) == loc and k not in want[loc]
        }
        assert set(runtime) == {k for k, v in added.items() if v == loc} - set(want[loc]), loc
        for k, v in want[loc].items():
            if isinstance(v, list):  # repeated key
                assert [x for n, x in req.query_items if n == k] == v, k
                got[loc][k] = v
        assert got[loc] == want[loc], f"{loc} parameters"
    if ep.method == "GET":
        assert not req.form and req.json is None, "a GET carries no body"
    assert {k: v[1] for k, v in req.files.items()} == want["files"], "multipart files"
    if ep.body == "json" and ep.method != "GET":
        assert "application/json" in req.headers.get("content-type", "")
    elif want["files"]:
        assert "multipart/form-data" in req.headers.get("content-type", "")
    elif req.form:
        assert "application/x-www-form-urlencoded" in req.headers.get("content-type", "")
    # the values the runtime adds
    if ep.sign in ("wbi", "wbi+dm"):
        assert abs(int(req.query["wts"]) - time.time()) < 300
        assert re.fullmatch(r"[0-9a-f]{32}", req.query["w_rid"])
        assert req.query["web_location"] == str(want["query"].get("web_location", 1550101))
    if ep.sign == "wbi+dm":
        assert req.query["dm_img_list"] == "[]"
        assert req.query["dm_img_inter"] == '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}'
        for k in ("dm_img_str", "dm_cover_img_str"):
            assert re.fullmatch("[A-K]{2}", req.query[k]), k
    if ep.sign in ("app", "app-tv"):  # the TV pair has the same values today
        loc = added["sign"]
        pairs = req.query_items if loc == "query" else list(req.form.items())
        assert dict(pairs)["appkey"] == APP_KEY
        unsigned = sorted((k, v) for k, v in pairs if k != "sign")
        assert dict(pairs)["sign"] == md5((urlencode(unsigned) + APP_SEC).encode()).hexdigest()
    if ep.csrf:
        sent = {**req.query, **req.form, **(req.json or {})}
        assert sent["csrf"] == sent["csrf_token"] == BILI_JCT
    if ep.auth == "none":
        assert "SESSDATA" not in req.cookies
    else:
        assert req.cookies.get("SESSDATA") == SESSDATA


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_sync_request_shape(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    kwargs = kwargs_for(ep)
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    with Client(transport=mock.transport(), credential=cred) as bili:
        method_of(bili, ep)(**kwargs)
    check_request(ep, mock, kwargs)


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


# The iter_* helpers: tests/test_pagination.py. What calls return: tests/test_responses.py.


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
# A response typed `Any` validates anything: such examples are checked where they are served,
# returned unchanged (tests/test_responses.py), not here.
VALIDATED = [(ep, ex) for ep, ex in EXAMPLES if expected_type(ep).model is not Any]
EMPTY_PAYLOADS = (None, {}, [], "")


@pytest.mark.parametrize(
    ("ep", "example"),
    VALIDATED,
    ids=[f"{e.namespace}.{e.name}[{x['source']}]" for e, x in VALIDATED],
)
def test_examples_validate(ep: SpecEndpoint, example: dict[str, Any]) -> None:
    endpoint: Endpoint[Any] = expected_type(ep)
    body = example["body"]
    if ep.decode:  # a raw body: decode it as the client would, then check the result's type
        raw = body.encode() if example["encoding"] == "text" else base64.b64decode(body)
        result = endpoint.decode_body(raw, raw.decode("utf-8", "replace"))
        assert result, f"{ep.namespace}.{ep.name}: the example decodes to nothing"
        TypeAdapter(endpoint.model).validate_python(result)
        return
    payload = payload_of(ep, body)
    if endpoint.model is None:
        # the call returns None: the answer must carry nothing that would be thrown away
        assert payload in EMPTY_PAYLOADS, f"{ep.namespace}.{ep.name} drops {payload!r:.80}"
        return
    TypeAdapter(endpoint.model).validate_python(payload)


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
    # An endpoint named `_x` is private: a hand-written public method wraps it (comment.send).
    expected = {e.name for e in spec_ns.endpoints if not e.name.startswith("_")} | {
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

# Endpoints that share a URL (told apart by constant parameters) validate only the recordings
# their spec lists as examples; `Any` validates everything (see VALIDATED).
RECORDED = [
    (ep, rid, body)
    for ep, rid, body in recorded(ENDPOINTS)
    if belongs(ep, rid) and expected_type(ep).model is not Any
]


def test_every_recording_is_an_example() -> None:
    """Every successful response recorded for a URL we implement is in an example file."""
    for ep, rid, _ in recorded(ENDPOINTS):
        sources = {x["source"] for e in ENDPOINTS if e.url == ep.url for x in e.examples}
        assert f"collect:{rid}" in sources, f"recorded example {rid} is not in an example file"
    assert len(RECORDED) >= 80


@pytest.mark.parametrize(
    ("ep", "rid", "body"), RECORDED, ids=[f"{e.namespace}.{e.name}[{r}]" for e, r, _ in RECORDED]
)
def test_every_recorded_response_validates(ep: SpecEndpoint, rid: str, body: Any) -> None:
    """Every successful response recorded for a URL we implement fits our model."""
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

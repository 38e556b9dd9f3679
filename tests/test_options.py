"""Client options (`ClientOptions`, `with_options`) and the auth context the client hands to
the request flow (`_auth.AuthContext`)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, Credential
from bilibili_sdk._auth import AuthContext, SharedState
from bilibili_sdk._settings import DEFAULT_HEADERS, ClientOptions, request_settings
from bilibili_sdk.resources.video import _calls as video_calls
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"
FIELDS = [f.name for f in dataclasses.fields(ClientOptions)]
POOL = ["proxy", "verify", "trust_env", "http_client", "transport"]


# ---------------------------------------------------------------- one declaration


def test_options_fields() -> None:
    assert FIELDS == [
        "credential",
        "timeout",
        "deadline",
        "max_retries",
        "proxy",
        "verify",
        "trust_env",
        "default_headers",
        "base_urls",
        "trusted_hosts",
        "wbi_retry_times",
        "strict",
        "auto_refresh",
    ]


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_constructor_keywords_are_the_options(cls: type[Client | AsyncClient]) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [
        "credential",
        "timeout",
        "deadline",
        "max_retries",
        "proxy",
        "verify",
        "trust_env",
        "default_headers",
        "http_client",
        "transport",
        "base_urls",
        "trusted_hosts",
        "wbi_retry_times",
        "strict",
        "auto_refresh",
    ]
    assert {p.name for p in params} == {*FIELDS, "http_client", "transport"}
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    build = list(inspect.signature(ClientOptions.build).parameters)
    assert build == FIELDS
    with_options = inspect.signature(cls.with_options).parameters
    assert set(with_options) == {"self", *FIELDS, "http_client", "transport"}
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY for n, p in with_options.items() if n != "self"
    )


def test_options_defaults_from_request_settings() -> None:
    request_settings.set("timeout", 3.5)
    request_settings.set("max_retries", 0)
    request_settings.set("wbi_retry_times", 7)
    request_settings.set("proxy", "http://127.0.0.1:3128")
    request_settings.set("verify_ssl", False)
    request_settings.set("trust_env", False)
    for o in (ClientOptions(), ClientOptions.build(), Client().options, AsyncClient().options):
        assert o.timeout == httpx.Timeout(3.5, connect=3.5)
        assert (o.max_retries, o.wbi_retry_times) == (0, 7)
        assert o.proxy == "http://127.0.0.1:3128"
        assert (o.verify, o.trust_env, o.strict) == (False, False, False)
        assert o.credential is None and dict(o.base_urls) == {}
        assert dict(o.default_headers) == DEFAULT_HEADERS
    client = Client(timeout=20)
    request_settings.reset()  # an existing client keeps what it was given
    assert client.options.max_retries == 0 and client.timeout.read == 20.0
    assert client.timeout.connect == 5.0
    # with_options: None means "the default" (now), as in the constructor
    assert client.with_options(max_retries=None).max_retries == 2
    assert client.with_options(timeout=None).timeout == httpx.Timeout(10.0, connect=5.0)


BAD = [
    ("credential", {"SESSDATA": "x"}),
    ("timeout", 0),
    ("timeout", -1.5),
    ("timeout", "10"),
    ("timeout", True),
    ("deadline", 0),
    ("deadline", -2.5),
    ("deadline", "30"),
    ("deadline", True),
    ("max_retries", -1),
    ("max_retries", 1.5),
    ("max_retries", True),
    ("wbi_retry_times", -1),
    ("wbi_retry_times", "3"),
    ("proxy", 3128),
    ("default_headers", ["User-Agent"]),
    ("base_urls", {"api": "ftp://x"}),
    ("base_urls", "http://x"),
    ("trusted_hosts", "api.example.org"),
    ("trusted_hosts", ["https://api.example.org"]),
    ("trusted_hosts", ["api.example.org:8443"]),
    ("strict", "yes"),
    ("strict", 1),
]


@pytest.mark.parametrize(("name", "value"), BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_bad_option_names_the_argument(name: str, value: Any) -> None:
    makers: list[Any] = [
        lambda: ClientOptions.build(**{name: value}),
        lambda: Client(**{name: value}),
        lambda: AsyncClient(**{name: value}),
        lambda: dataclasses.replace(ClientOptions(), **{name: value}),
    ]
    if name not in ("proxy", "verify", "trust_env"):
        makers.append(lambda: Client().with_options(**{name: value}))
    for make in makers:
        with pytest.raises(ArgsException) as ei:
            make()
        assert ei.value.argument == name
        assert str(ei.value).startswith(f"{name}:")


def test_options_are_normalised_and_frozen() -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    o = ClientOptions.build(
        cred,
        timeout=2,
        default_headers={"X-Test": "1", "User-Agent": "mine"},
        base_urls={"api": "http://127.0.0.1:9"},
        proxy="http://user:pw@proxy:1",
    )
    assert o.timeout == httpx.Timeout(2.0, connect=2.0)
    assert dict(o.default_headers) == {**DEFAULT_HEADERS, "X-Test": "1", "User-Agent": "mine"}
    assert dataclasses.replace(o) == o  # checking again changes nothing
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.timeout = httpx.Timeout(1.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        o.default_headers["X"] = "y"  # type: ignore[index]
    with pytest.raises(TypeError):
        o.base_urls["x"] = "http://y"  # type: ignore[index]
    # secrets stay out of the repr: the credential hides its cookies; proxy, headers not shown
    text = repr(o)
    assert SESSDATA not in text and BILI_JCT not in text and "pw" not in text
    assert "X-Test" not in text


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_client_attributes_are_the_options(cls: type[Client | AsyncClient]) -> None:
    cred = Credential(sessdata=SESSDATA)
    c = cls(cred, timeout=4, max_retries=1, strict=True, base_urls={"api": "http://127.0.0.1:9"})
    o = c.options
    assert c.credential is cred is o.credential
    assert c.timeout is o.timeout and c.max_retries == 1 and c.strict is True
    assert (c.proxy, c.verify, c.trust_env) == (o.proxy, o.verify, o.trust_env)
    assert c.default_headers is o.default_headers and c.base_urls is o.base_urls
    assert c.wbi_retry_times == o.wbi_retry_times
    assert cls().strict is False


# ---------------------------------------------------------------- with_options


def test_with_options_shares_pool_and_state() -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(cred, timeout=7, default_headers={"X-A": "1"}) as bili:
        same = bili.with_options()
        assert same.options == bili.options
        new = bili.with_options(credential=None, max_retries=0, strict=True)
        assert type(new) is Client
        assert new._http is bili._http and not new._owns_http
        assert new._auth_context.state is bili._auth_context.state
        assert new._auth_context.options is new.options
        assert new.credential is None and new.max_retries == 0 and new.strict is True
        assert new.options == dataclasses.replace(
            bili.options, credential=None, max_retries=0, strict=True
        )
        assert bili.credential is cred and bili.strict is False  # the original is unchanged
        assert bili.with_options(auto_refresh=True).options.auto_refresh is True
        assert bili.options.auto_refresh is False
        # default_headers: the given ones over the built-in ones (not over the old ones)
        hdr = bili.with_options(default_headers={"X-B": "2"}).default_headers
        assert dict(hdr) == {**DEFAULT_HEADERS, "X-B": "2"}


@pytest.mark.anyio
async def test_async_with_options_shares_pool_and_state() -> None:
    async with AsyncClient() as bili:
        new = bili.with_options(wbi_retry_times=1, strict=True)
        assert type(new) is AsyncClient
        assert new._http is bili._http
        assert new._auth_context.state is bili._auth_context.state
        assert (new.wbi_retry_times, new.strict) == (1, True)
        await new.aclose()  # a copy never closes the shared pool
        assert not bili._http.is_closed


@pytest.mark.parametrize("cls", [Client, AsyncClient])
@pytest.mark.parametrize("name", POOL)
def test_with_options_refuses_pool_options(cls: type[Client | AsyncClient], name: str) -> None:
    value: Any = {
        "proxy": "http://127.0.0.1:3128",
        "verify": False,
        "trust_env": False,
        "http_client": httpx.Client(),
        "transport": httpx.MockTransport(lambda r: httpx.Response(200)),
    }[name]
    with pytest.raises(ArgsException) as ei:
        cls().with_options(**{name: value})
    assert ei.value.argument == name
    assert "connection pool" in str(ei.value)
    if isinstance(value, httpx.Client):
        value.close()


# ---------------------------------------------------------------- the auth context


AUTH_PY = Path(__file__).resolve().parents[1] / "src" / "bilibili_sdk" / "_auth.py"


def test_auth_module_reads_no_client_internals() -> None:
    """`_auth.py` only touches private members of its own objects (`self._x`)."""
    tree = ast.parse(AUTH_PY.read_text("utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("_client", "_base_client"):
            offenders.append(f"line {node.lineno}: imports {node.module}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        ):
            offenders.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def _context(**options: Any) -> AuthContext:
    return AuthContext(ClientOptions.build(**options))


def test_auth_flow_needs_only_the_context(mock: MockBilibili) -> None:
    ctx = _context(credential=Credential(sessdata=SESSDATA, bili_jct=BILI_JCT))
    with httpx.Client(transport=mock.transport()) as http:
        for call in (
            video_calls.prepare_get_detail(bvid=BVID),  # WBI: nav, then signed
            video_calls.prepare_get_detail(bvid=BVID),  # keys cached: signed when built
            video_calls.prepare_like(bvid=BVID),  # csrf + login cookies
        ):
            request, flow = ctx.build(call)
            response = http.send(request, auth=flow)
            assert json.loads(response.content)["code"] == 0, response.content
    assert mock.count("/x/web-interface/nav") == 1
    assert mock.count("/x/frontend/finger/spi") == 1
    assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 1
    detail = [r for r in mock.requests if r.endpoint == "video.get_detail"]
    assert len(detail) == 2 and all("w_rid" in r.query for r in detail)
    like = next(r for r in mock.requests if r.endpoint == "video.like")
    assert like.form["csrf"] == BILI_JCT and like.cookies["SESSDATA"] == SESSDATA
    assert like.cookies["buvid3"].startswith("MOCK-BUVID3") and "bili_ticket" in like.cookies


@pytest.mark.anyio
async def test_async_auth_flow_needs_only_the_context(mock: MockBilibili) -> None:
    ctx = _context()
    async with httpx.AsyncClient(transport=mock.transport()) as http:
        request, flow = ctx.build(video_calls.prepare_get_detail(bvid=BVID))
        response = await http.send(request, auth=flow)
    assert json.loads(response.content)["code"] == 0
    assert ctx.state.mixin_key is not None and ctx.state.buvid3 is not None


def test_auth_context_cookie_policy_and_routing() -> None:
    ctx = _context(
        credential=Credential(sessdata=SESSDATA), base_urls={"api": "http://127.0.0.1:9/"}
    )
    assert ctx.sends_cookies("api.bilibili.com") and ctx.sends_cookies("127.0.0.1")
    assert not ctx.sends_cookies("hd.biliplus.com") and not ctx.sends_cookies("bilibili.com.evil")
    assert ctx.url("https://api.bilibili.com/x/nav?a=1") == "http://127.0.0.1:9/x/nav?a=1"
    assert ctx.url("https://hd.biliplus.com/x") == "https://hd.biliplus.com/x"
    plain = ctx.request("GET", "https://api.bilibili.com/x/web-interface/nav")
    assert "cookie" not in plain.headers and plain.headers["referer"] == DEFAULT_HEADERS["Referer"]
    assert plain.extensions["timeout"] == ctx.options.timeout.as_dict()
    # derive: other options, the same state and policy (what with_options copies get)
    request_settings.set("enable_bili_ticket", False)
    other = ctx.derive(ClientOptions.build())
    assert other.state is ctx.state and other.bili_ticket is True and other.credential is None
    assert not AuthContext(ClientOptions(), SharedState()).bili_ticket


@pytest.mark.anyio
async def test_an_http_client_of_the_wrong_flavour_is_refused() -> None:
    async with httpx.AsyncClient() as aio:
        with pytest.raises(ArgsException) as ei:
            Client(http_client=aio)  # type: ignore[arg-type]
    assert str(ei.value) == "http_client: expected an httpx.Client, got AsyncClient"
    assert ei.value.argument == "http_client"
    with httpx.Client() as sync:
        with pytest.raises(ArgsException) as ei:
            AsyncClient(http_client=sync)  # type: ignore[arg-type]
    assert str(ei.value) == "http_client: expected an httpx.AsyncClient, got Client"


def test_http_client_and_transport_together_are_refused() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client() as given:
        with pytest.raises(ArgsException) as ei:
            Client(http_client=given, transport=transport)
    assert str(ei.value) == (
        "transport: give http_client or transport, not both (a transport belongs in the "
        "httpx client you pass)"
    )
    assert ei.value.argument == "transport"


def test_the_pool_gets_proxy_and_verify() -> None:
    import ssl

    with Client(proxy="http://127.0.0.1:3128", verify=False, trust_env=False) as bili:
        mounts = bili._http._mounts
        assert [p.pattern for p in mounts] == ["all://"]
        proxied = next(iter(mounts.values()))
        assert proxied._pool._proxy_url.port == 3128
        assert bili._http._transport._pool._ssl_context.verify_mode == ssl.CERT_NONE
    with Client(trust_env=False) as bili:
        assert bili._http._mounts == {}
        assert bili._http._transport._pool._ssl_context.verify_mode == ssl.CERT_REQUIRED


def test_only_the_original_closes_the_shared_lookup_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[str] = []
    with Client() as bili:
        monkeypatch.setattr(bili._auth_context.state, "close", lambda: closed.append("state"))
        bili.with_options(max_retries=0).close()
        assert closed == []
    assert closed == ["state"]

"""The one place where a request gets what Bilibili wants around it.

`AuthContext` is what a client hands over: its options, the shared state, the cookie policy,
csrf and the APP/WBI signatures; it builds a call's request and the plain prerequisite
requests. `BiliAuth` is an `httpx.Auth` flow over a context (it never sees the client):
before the real request it may yield the prerequisite requests (spi for buvid3/buvid4, the
bili_ticket, nav for the WBI keys), then it sets the cookies and the WBI signature and
yields the real request. httpx drives the same flow in sync and async mode; only lock
handling differs between the two drivers below. Shared state lives in `SharedState`, one
per client family (copies from `with_options` share it), so 50 concurrent first calls cause
one nav request, not 50.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import AsyncGenerator, Generator, Mapping
from hashlib import md5
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx

from . import wbi
from ._endpoint import Call, Endpoint, is_bilibili_host
from ._exceptions import (
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    ResponseCodeException,
    ResponseException,
)
from ._settings import request_settings

if TYPE_CHECKING:
    import asyncio

    from ._credential import Credential
    from ._settings import ClientOptions

NAV_URL = "https://api.bilibili.com/x/web-interface/nav"
SPI_URL = "https://api.bilibili.com/x/frontend/finger/spi"
TICKET_URL = "https://api.bilibili.com/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket"
TICKET_HMAC_KEY = b"XgwSnGZ1p"
WBI_KEY_TTL = 6 * 3600.0  # keys rotate daily; refresh well before
RETRY_PREREQ_AFTER = 300.0  # a failed spi/ticket fetch is not retried sooner than this
DEFAULT_WEB_LOCATION = 1550101
DM_INTER = '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}'
APP_KEY = "4409e2ce8ffd12b8"
APP_SEC = "59b43e04ad6965f34319062b478f83dd"
# The TV client's pair (`sign: app-tv`): TV QR login accepts no other. It is also today's
# APP_KEY (the seed signs everything with it); the name keeps TV login on it if that changes.
TV_APP_KEY = "4409e2ce8ffd12b8"
TV_APP_SEC = "59b43e04ad6965f34319062b478f83dd"
APP_KEYS = {"app": (APP_KEY, APP_SEC), "app-tv": (TV_APP_KEY, TV_APP_SEC)}


def ticket_hexsign(ts: int) -> str:
    """HMAC-SHA256 of `ts<unix seconds>` with the web client's key, hex."""
    return hmac.new(TICKET_HMAC_KEY, f"ts{ts}".encode(), hashlib.sha256).hexdigest()


def dm_extras() -> dict[str, str]:
    """The four `dm_*` values the web client adds to some WBI-signed queries."""
    letters = random.sample("ABCDEFGHIJK", 2)
    return {
        "dm_img_list": "[]",
        "dm_img_str": letters[0] + letters[1],
        "dm_cover_img_str": random.choice("ABCDEFGHIJK") + random.choice("ABCDEFGHIJK"),
        "dm_img_inter": DM_INTER,
    }


def app_sign(
    params: Mapping[str, Any], key: str = APP_KEY, secret: str = APP_SEC
) -> dict[str, Any]:
    """Add `appkey` and the APP `sign` (md5 of the sorted query + app secret)."""
    out = dict(params)
    out["appkey"] = key
    query = urlencode(sorted((k, str(v)) for k, v in out.items()))
    out["sign"] = md5((query + secret).encode()).hexdigest()
    return out


def wbi_query(state: SharedState, sign: str, query: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The signed query and the key generation it used (keys must be cached)."""
    params = dict(query)
    if sign == "wbi+dm":
        params.update(dm_extras())
    params.setdefault("web_location", DEFAULT_WEB_LOCATION)
    key = state.mixin_key
    assert key is not None
    return wbi.sign(params, key), state.wbi_generation


class SharedState:
    """Anti-risk-control state shared by a client and its `with_options` copies."""

    def __init__(self) -> None:
        self.mixin_key: str | None = None
        self.mixin_at = 0.0
        self.wbi_generation = 0
        self.buvid3: str | None = None
        self.buvid4: str | None = None
        self.buvid_failed_at = -RETRY_PREREQ_AFTER
        self.ticket: str | None = None
        self.ticket_expires = 0
        self.ticket_failed_at = -RETRY_PREREQ_AFTER
        self.locks = {k: threading.Lock() for k in ("buvid", "ticket", "wbi")}
        self._alocks: dict[str, asyncio.Lock] = {}  # made on first async use

    def wbi_fresh(self) -> bool:
        return self.mixin_key is not None and time.monotonic() - self.mixin_at <= WBI_KEY_TTL

    def alock(self, name: str) -> asyncio.Lock:
        lock = self._alocks.get(name)
        if lock is None:
            import asyncio  # here, so that sync-only programs never import asyncio

            lock = self._alocks[name] = asyncio.Lock()
        return lock

    def invalidate_wbi(self, generation: int) -> None:
        """Drop the keys that produced a rejected signature (once per generation)."""
        if self.wbi_generation == generation:
            self.mixin_key = None
            self.wbi_generation += 1


class AuthContext:
    """Everything Bilibili wants around a client's requests; the client hands this over.

    It owns the options (credential, headers, timeout, `base_urls`), the `SharedState`, the
    cookie policy (cookies go to Bilibili's hosts and to the hosts `base_urls` points at,
    nowhere else), csrf, the APP and WBI signatures, and it builds the requests: a call's
    (`build`) and the plain prerequisite ones (`request`). A `with_options` copy gets
    `derive(options)`: new options, the same state and policy.
    """

    def __init__(
        self,
        options: ClientOptions,
        state: SharedState | None = None,
        *,
        auto_buvid: bool | None = None,
        bili_ticket: bool | None = None,
    ) -> None:
        self.options = options
        self.state = SharedState() if state is None else state
        self.auto_buvid = bool(
            request_settings.get("enable_auto_buvid") if auto_buvid is None else auto_buvid
        )
        """Fetch buvid3/buvid4 (spi) when the credential has none."""
        self.bili_ticket = bool(
            request_settings.get("enable_bili_ticket") if bili_ticket is None else bili_ticket
        )
        """Fetch and send the bili_ticket cookie."""
        self._override_hosts = frozenset(urlsplit(u).hostname for u in options.base_urls.values())
        self._timeout = options.timeout.as_dict()

    def derive(self, options: ClientOptions) -> AuthContext:
        """The context of a copy with other options: the same state and policy."""
        return AuthContext(
            options, self.state, auto_buvid=self.auto_buvid, bili_ticket=self.bili_ticket
        )

    @property
    def credential(self) -> Credential | None:
        return self.options.credential

    # ------------------------------------------------------------ requests
    def url(self, url: str) -> str:
        """Where `url` goes with the options' `base_urls` (the mock, a proxy...)."""
        base_urls = self.options.base_urls
        if not base_urls:
            return url
        parts = urlsplit(url)
        host = parts.hostname or ""
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        base = base_urls.get(host)
        if base is None and host.endswith(".bilibili.com"):
            base = base_urls.get(host[: -len(".bilibili.com")])
        if base is not None:
            return base.rstrip("/") + rest
        star = base_urls.get("*")
        if star is not None:
            return f"{star.rstrip('/')}/{host}{rest}"
        return url

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Request:
        """A request with the options' URL map, headers and timeout; no cookies, no signing."""
        return httpx.Request(
            method,
            self.url(url),
            params=params,
            data=data,
            json=json,
            headers=self.options.default_headers,
            extensions={"timeout": self._timeout},
        )

    # ------------------------------------------------------------ cookies
    def sends_cookies(self, host: str) -> bool:
        """Cookies go to Bilibili's own hosts and to the hosts `base_urls` redirect to."""
        return is_bilibili_host(host) or host in self._override_hosts

    def cookies_for(self, ep: Endpoint[Any]) -> dict[str, str]:
        """The cookies an endpoint gets: the login only where it takes one; buvid, ticket."""
        cookies: dict[str, str] = {}
        cred = self.credential
        if ep.auth != "none" and cred is not None:
            cookies.update(cred.get_cookies())
        elif cred is not None:
            for k in ("buvid3", "buvid4"):
                v = getattr(cred, k)
                if v:
                    cookies[k] = v
        st = self.state
        if "buvid3" not in cookies and st.buvid3:
            cookies["buvid3"] = st.buvid3
        if "buvid4" not in cookies and st.buvid4:
            cookies["buvid4"] = st.buvid4
        if st.ticket and self.bili_ticket:
            cookies["bili_ticket"] = st.ticket
            cookies["bili_ticket_expires"] = str(st.ticket_expires)
        return cookies

    # ------------------------------------------------------------ a call's request
    def build(self, call: Call[Any]) -> tuple[httpx.Request, BiliAuth]:
        """The call's request (login checked, csrf added, APP-signed; WBI-signed when the
        keys are cached) and the flow that completes it when httpx sends it."""
        ep = call.endpoint
        cred = self.credential
        if ep.auth == "required" and (cred is None or not cred.sessdata):
            raise CredentialNoSessdataException(
                f"{ep.name} needs a logged-in credential (SESSDATA)"
            )
        query = dict(call.query)
        form = dict(call.form) if call.form is not None else None
        body = dict(call.json) if call.json is not None else None
        if ep.csrf:
            if cred is None or not cred.bili_jct:
                raise CredentialNoBiliJctException(
                    f"{ep.name} needs bili_jct (csrf) in the credential"
                )
            if ep.method == "GET":
                target = query
            elif body is not None:
                target = body
            else:
                form = form if form is not None else {}
                target = form
            target["csrf"] = cred.bili_jct
            target["csrf_token"] = cred.bili_jct
        if ep.sign in APP_KEYS:
            if form is not None and ep.method != "GET":
                form = app_sign(form, *APP_KEYS[ep.sign])
            else:
                query = app_sign(query, *APP_KEYS[ep.sign])
        url = ep.url
        if call.path:
            url = url.format(**{k: str(v) for k, v in call.path.items()})
        flow = BiliAuth(self, call, query)
        if ep.sign in ("wbi", "wbi+dm") and self.state.wbi_fresh():
            # Fast path: keys are cached, so the URL is built once, already signed.
            query, flow.generation = self.sign_wbi(ep.sign, query)
        request = self.request(ep.method, url, params=query or None, data=form, json=body)
        return request, flow

    def sign_wbi(self, sign: str, query: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The WBI-signed query and the key generation it used (keys must be cached)."""
        return wbi_query(self.state, sign, query)


class _Need:
    """One prerequisite: is it missing, the request that fetches it, and storing the answer."""

    name = ""

    def __init__(self, context: AuthContext) -> None:
        self.context = context
        self.state = context.state

    def missing(self) -> bool:
        raise NotImplementedError

    def request(self) -> httpx.Request:
        raise NotImplementedError

    def store(self, response: httpx.Response) -> None:
        raise NotImplementedError


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ResponseException(
            f"{what}: HTTP {response.status_code}, body is not JSON", response.status_code
        ) from None
    if not isinstance(body, dict):
        raise ResponseException(f"{what}: unexpected body", response.status_code)
    return body


class _Buvid(_Need):
    name = "buvid"

    def missing(self) -> bool:
        s = self.state
        return s.buvid3 is None and time.monotonic() - s.buvid_failed_at > RETRY_PREREQ_AFTER

    def request(self) -> httpx.Request:
        return self.context.request("GET", SPI_URL)

    def store(self, response: httpx.Response) -> None:
        try:
            data = _json(response, "spi").get("data") or {}
            self.state.buvid3 = str(data["b_3"])
            self.state.buvid4 = str(data.get("b_4") or "") or None
        except (ResponseException, KeyError, TypeError):
            # Without buvid most endpoints still answer; try again later, never fail the call.
            self.state.buvid_failed_at = time.monotonic()


class _Ticket(_Need):
    name = "ticket"

    def missing(self) -> bool:
        s = self.state
        fresh = s.ticket is not None and s.ticket_expires > time.time() + 60
        return not fresh and time.monotonic() - s.ticket_failed_at > RETRY_PREREQ_AFTER

    def request(self) -> httpx.Request:
        ts = int(time.time())
        # csrf stays empty: the ticket does not depend on the login, and a bili_jct in this
        # URL would reach httpx's own INFO log line ("HTTP Request: POST ...").
        params = {
            "key_id": "ec02",
            "hexsign": ticket_hexsign(ts),
            "context[ts]": ts,
            "csrf": "",
        }
        return self.context.request("POST", TICKET_URL, params=params)

    def store(self, response: httpx.Response) -> None:
        try:
            body = _json(response, "ticket")
            data = body.get("data") or {}
            self.state.ticket = str(data["ticket"])
            self.state.ticket_expires = int(data.get("created_at", time.time())) + int(
                data.get("ttl", 259200)
            )
        except (ResponseException, KeyError, TypeError, ValueError):
            self.state.ticket_failed_at = time.monotonic()


class _WbiKeys(_Need):
    name = "wbi"

    def missing(self) -> bool:
        return not self.state.wbi_fresh()

    def request(self) -> httpx.Request:
        return self.context.request("GET", NAV_URL)

    def store(self, response: httpx.Response) -> None:
        body = _json(response, "nav (WBI keys)")
        try:
            img = body["data"]["wbi_img"]
            key = wbi.mixin_key(wbi.key_from_url(img["img_url"]), wbi.key_from_url(img["sub_url"]))
        except (KeyError, TypeError, ValueError):
            code = body.get("code", 0)
            raise ResponseCodeException(
                int(code) if str(code).lstrip("-").isdigit() else -1,
                "nav did not return WBI keys",
                endpoint="GET api.bilibili.com/x/web-interface/nav",
            ) from None
        s = self.state
        s.mixin_key = key
        s.mixin_at = time.monotonic()
        s.wbi_generation += 1


class BiliAuth(httpx.Auth):
    """Per-call flow: prerequisites, then cookies and signature, then the request."""

    def __init__(self, context: AuthContext, call: Call[Any], query: dict[str, Any]) -> None:
        self.context = context
        self.call = call
        self.query = query
        # WBI key generation the query was signed with (0: not signed yet); read on -352.
        self.generation = 0

    def _needs(self, request: httpx.Request) -> list[_Need]:
        ctx = self.context
        needs: list[_Need] = []
        if ctx.sends_cookies(request.url.host):
            if ctx.auto_buvid and not (ctx.credential and ctx.credential.buvid3):
                needs.append(_Buvid(ctx))
            if ctx.bili_ticket and is_bilibili_host(self.call.endpoint.host):
                needs.append(_Ticket(ctx))
        if self.call.endpoint.sign in ("wbi", "wbi+dm") and self.generation == 0:
            needs.append(_WbiKeys(ctx))
        return needs

    def _finish(self, request: httpx.Request) -> None:
        ctx = self.context
        ep = self.call.endpoint
        if ctx.sends_cookies(request.url.host):
            cookies = ctx.cookies_for(ep)
            if cookies:
                request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if ep.sign in ("wbi", "wbi+dm") and self.generation == 0:
            # Keys were not cached when the request was built: sign now that they are.
            signed, self.generation = ctx.sign_wbi(ep.sign, self.query)
            request.url = request.url.copy_with(params=signed)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        for need in self._needs(request):
            if need.missing():
                with self.context.state.locks[need.name]:
                    if need.missing():
                        response = yield need.request()
                        response.read()
                        need.store(response)
        self._finish(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for need in self._needs(request):
            if need.missing():
                async with self.context.state.alock(need.name):
                    if need.missing():
                        response = yield need.request()
                        await response.aread()
                        need.store(response)
        self._finish(request)
        yield request

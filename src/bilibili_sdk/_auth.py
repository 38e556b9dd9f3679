"""The one place where a request gets what Bilibili wants around it.

`BiliAuth` is an `httpx.Auth` flow: before the real request it may yield the prerequisite
requests (spi for buvid3/buvid4, the bili_ticket, nav for the WBI keys), then it sets the
cookies and the WBI signature and yields the real request. httpx drives the same flow in
sync and async mode; only lock handling differs between the two drivers below.
Shared state lives in `SharedState`, one per client family (copies from `with_options`
share it), so 50 concurrent first calls cause one nav request, not 50.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

import httpx

from . import wbi
from ._endpoint import Call, is_bilibili_host
from ._exceptions import ResponseCodeException, ResponseException

if TYPE_CHECKING:
    from ._base_client import BaseClient

NAV_URL = "https://api.bilibili.com/x/web-interface/nav"
SPI_URL = "https://api.bilibili.com/x/frontend/finger/spi"
TICKET_URL = "https://api.bilibili.com/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket"
TICKET_HMAC_KEY = b"XgwSnGZ1p"
WBI_KEY_TTL = 6 * 3600.0  # keys rotate daily; refresh well before
RETRY_PREREQ_AFTER = 300.0  # a failed spi/ticket fetch is not retried sooner than this
DEFAULT_WEB_LOCATION = 1550101
DM_INTER = '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}'


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
        self._alocks: dict[str, asyncio.Lock] = {}

    def wbi_fresh(self) -> bool:
        return self.mixin_key is not None and time.monotonic() - self.mixin_at <= WBI_KEY_TTL

    def alock(self, name: str) -> asyncio.Lock:
        lock = self._alocks.get(name)
        if lock is None:
            lock = self._alocks[name] = asyncio.Lock()
        return lock

    def invalidate_wbi(self, generation: int) -> None:
        """Drop the keys that produced a rejected signature (once per generation)."""
        if self.wbi_generation == generation:
            self.mixin_key = None
            self.wbi_generation += 1


class _Need:
    """One prerequisite: is it missing, the request that fetches it, and storing the answer."""

    name = ""

    def __init__(self, client: BaseClient) -> None:
        self.client = client
        self.state = client._state

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
        return self.client._plain_request("GET", SPI_URL)

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
        return self.client._plain_request("POST", TICKET_URL, params=params)

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
        return self.client._plain_request("GET", NAV_URL)

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

    def __init__(self, client: BaseClient, call: Call[Any], query: dict[str, Any]) -> None:
        self.client = client
        self.call = call
        self.query = query
        # WBI key generation the query was signed with (0: not signed yet); read on -352.
        self.generation = 0

    def _needs(self, request: httpx.Request) -> list[_Need]:
        c = self.client
        needs: list[_Need] = []
        if c._sends_cookies(request.url.host):
            if c._auto_buvid and not (c.credential and c.credential.buvid3):
                needs.append(_Buvid(c))
            if c._bili_ticket and is_bilibili_host(self.call.endpoint.host):
                needs.append(_Ticket(c))
        if self.call.endpoint.sign in ("wbi", "wbi+dm") and self.generation == 0:
            needs.append(_WbiKeys(c))
        return needs

    def _finish(self, request: httpx.Request) -> None:
        c = self.client
        ep = self.call.endpoint
        if c._sends_cookies(request.url.host):
            cookies = c._cookies_for(ep)
            if cookies:
                request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if ep.sign in ("wbi", "wbi+dm") and self.generation == 0:
            # Keys were not cached when the request was built: sign now that they are.
            signed, self.generation = wbi_query(c._state, ep.sign, self.query)
            request.url = request.url.copy_with(params=signed)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        for need in self._needs(request):
            if need.missing():
                with self.client._state.locks[need.name]:
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
                async with self.client._state.alock(need.name):
                    if need.missing():
                        response = yield need.request()
                        await response.aread()
                        need.store(response)
        self._finish(request)
        yield request

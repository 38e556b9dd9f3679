"""The one place where a request gets what Bilibili wants around it.

`AuthContext` is what a client hands over: its options, the shared state, the cookie policy
(the credential goes only to Bilibili's hosts, loopback and `trusted_hosts`), csrf and the
APP/WBI signatures; it builds a call's request and the plain lookup requests. `BiliAuth` is
an `httpx.Auth` flow over a context (it never sees the client). The lookups (spi for
buvid3/buvid4, the bili_ticket, nav for the WBI keys) are `Lookup`s: the clients fetch the
missing ones side by side before a call (`BiliAuth.pending`, then `Lookup.complete` or
`Lookup.failed`; they own only sending and locks), then `BiliAuth.finish` sets the cookies
and the WBI signature. Driven alone by httpx, the flow yields the missing lookups itself.
Shared state lives in `SharedState`, one per client family (copies from `with_options`
share it), so 50 concurrent first calls cause one nav request, not 50.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import random
import threading
import time
from collections.abc import AsyncGenerator, Generator, Mapping
from hashlib import md5
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx

from . import _redact, wbi
from ._endpoint import Call, Endpoint, is_bilibili_host, is_loopback_host
from ._exceptions import (
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NetworkException,
    NetworkTimeoutException,
    ResponseCodeException,
    ResponseException,
    UntrustedHostException,
)
from ._settings import request_settings

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from ._credential import Credential
    from ._settings import ClientOptions

NAV_URL = "https://api.bilibili.com/x/web-interface/nav"
SPI_URL = "https://api.bilibili.com/x/frontend/finger/spi"
TICKET_URL = "https://api.bilibili.com/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket"
ACTIVATE_URL = "https://api.bilibili.com/x/internal/gaia-gateway/ExClimbWuzhi"
TICKET_HMAC_KEY = b"XgwSnGZ1p"
WBI_KEY_TTL = 6 * 3600.0  # keys rotate daily; refresh well before
PREREQ_RETRY_AFTER = 60.0  # a failed spi/ticket lookup is not tried again sooner than this
PREREQ_RETRY_MAX = 3600.0  # ...doubling with each failure in a row, up to this
WBI_SIGNS = ("wbi", "wbi+dm")
DEFAULT_WEB_LOCATION = 1550101
DM_INTER = '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}'
APP_KEY = "4409e2ce8ffd12b8"
APP_SEC = "59b43e04ad6965f34319062b478f83dd"
# The TV client's pair (`sign: app-tv`): TV QR login accepts no other. It is also today's
# APP_KEY (the seed signs everything with it); the name keeps TV login on it if that changes.
TV_APP_KEY = "4409e2ce8ffd12b8"
TV_APP_SEC = "59b43e04ad6965f34319062b478f83dd"
APP_KEYS = {"app": (APP_KEY, APP_SEC), "app-tv": (TV_APP_KEY, TV_APP_SEC)}

monotonic = time.monotonic  # the clock of the lookup back-off (a module name, so tests move it)
log = logging.getLogger("bilibili_sdk.auth")


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
        self.ticket: str | None = None
        self.ticket_expires = 0
        # Best-effort lookups: failures in a row, and when the next try may happen (monotonic).
        self.failures: dict[str, int] = {}
        self.retry_at: dict[str, float] = {}
        self.locks = {k: threading.Lock() for k in ("buvid", "ticket", "wbi", "activate")}
        # The spi buvid3 whose activation was claimed by this state (None: not yet / failed).
        self.activated: str | None = None
        self._alocks: dict[str, asyncio.Lock] = {}  # made on first async use
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self.withheld_from: set[str] = set()  # hosts already warned about (once each)

    def wbi_fresh(self) -> bool:
        return self.mixin_key is not None and time.monotonic() - self.mixin_at <= WBI_KEY_TTL

    def alock(self, name: str) -> asyncio.Lock:
        lock = self._alocks.get(name)
        if lock is None:
            import asyncio  # here, so that sync-only programs never import asyncio

            lock = self._alocks[name] = asyncio.Lock()
        return lock

    def executor(self) -> ThreadPoolExecutor:
        """Threads for the sync client's side-by-side lookups (made on first need)."""
        with self._executor_lock:
            if self._executor is None:
                from concurrent.futures import ThreadPoolExecutor

                # The caller fetches one lookup itself; at most two others run here, and the
                # buvid activation, which goes beside a call.
                self._executor = ThreadPoolExecutor(3, thread_name_prefix="bilibili_sdk-lookup")
            return self._executor

    def close(self) -> None:
        """End the lookup threads (idle once the pool is closed); a later lookup makes new ones."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def invalidate_wbi(self, generation: int) -> None:
        """Drop the keys that produced a rejected signature (once per generation)."""
        if self.wbi_generation == generation:
            self.mixin_key = None
            self.wbi_generation += 1


class AuthContext:
    """Everything Bilibili wants around a client's requests; the client hands this over.

    It owns the options (credential, headers, timeout, `base_urls`), the `SharedState`, the
    cookie policy (cookies and csrf go to Bilibili's hosts, loopback and `trusted_hosts`,
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
        self._trusted: dict[str, bool] = {}  # host -> sends_cookies(host)
        self._timeout = options.timeout.as_dict()
        self.buvid = _Buvid(self)
        self.ticket = _Ticket(self)
        self.wbi_keys = _WbiKeys(self)
        self.activation = _Activation(self)
        _redact.watch(self)  # log records never show this credential's values

    def derive(self, options: ClientOptions) -> AuthContext:
        """The context of a copy with other options: the same state and policy."""
        return AuthContext(
            options, self.state, auto_buvid=self.auto_buvid, bili_ticket=self.bili_ticket
        )

    @property
    def credential(self) -> Credential | None:
        return self.options.credential

    def activation_due(self) -> bool:
        """Cheap check before each call: an spi buvid3 not yet activated by this state."""
        s = self.state
        return s.buvid3 is not None and s.activated != s.buvid3

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
        files: dict[str, tuple[str, bytes, str]] | None = None,
        mapped: bool = False,
    ) -> httpx.Request:
        """A request with the options' URL map (unless `mapped` already), headers and
        timeout; no cookies, no signing."""
        return httpx.Request(
            method,
            url if mapped else self.url(url),
            params=params,
            data=data,
            json=json,
            files=files or None,
            headers=self.options.default_headers,
            extensions={"timeout": self._timeout},
        )

    # ------------------------------------------------------------ cookies
    def sends_cookies(self, host: str) -> bool:
        """The credential (and any cookie) goes to Bilibili's own hosts, to loopback (the
        mock) and to the hosts the user trusts by name; `base_urls` alone trusts nothing."""
        trusted = self._trusted.get(host)
        if trusted is None:
            trusted = self._trusted[host] = (
                is_bilibili_host(host)
                or is_loopback_host(host)
                or host.lower().rstrip(".") in self.options.trusted_hosts
            )
        return trusted

    def _withhold(self, ep: Endpoint[Any], host: str) -> None:
        """The credential stays home: a call that cannot work without it raises before I/O;
        any other goes without it, with a warning once per client family and host."""
        if ep.auth == "required" or ep.csrf:
            need = "csrf (bili_jct)" if ep.csrf else "the login (SESSDATA)"
            raise UntrustedHostException(
                f"{ep.name} needs {need}, but it would go to {host}, which is not a Bilibili "
                f"host; add {host!r} to trusted_hosts if it is yours"
            )
        if ep.auth != "none" and host not in self.state.withheld_from:
            self.state.withheld_from.add(host)
            log.warning(
                "the credential is not sent to %s (not a Bilibili host): calls there go "
                "without a login; add %r to trusted_hosts if it is yours",
                host,
                host,
            )

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
        url = ep.url
        if call.path:
            url = url.format(**{k: str(v) for k, v in call.path.items()})
        mapped = self.url(url)
        if cred is not None:
            host = ep.host if mapped is url else (urlsplit(mapped).hostname or "")
            if not self.sends_cookies(host):
                self._withhold(ep, host)
        query = dict(call.query)
        form = dict(call.form) if call.form is not None else None
        body = dict(call.json) if call.json is not None else None
        if ep.csrf:
            if cred is None or not cred.bili_jct:
                raise CredentialNoBiliJctException(
                    f"{ep.name} needs bili_jct (csrf) in the credential"
                )
            if ep.method == "GET" or ep.csrf == "query":
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
        flow = BiliAuth(self, call, query)
        if ep.sign in WBI_SIGNS and self.state.wbi_fresh():
            # Fast path: keys are cached, so the URL is built once, already signed.
            query, flow.generation = self.sign_wbi(ep.sign, query)
        request = self.request(
            ep.method,
            mapped,
            params=query or None,
            data=form,
            json=body,
            files=call.files,
            mapped=True,
        )
        return request, flow

    def sign_wbi(self, sign: str, query: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The WBI-signed query and the key generation it used (keys must be cached)."""
        return wbi_query(self.state, sign, query)


class _Bad(Exception):
    """A prerequisite answer we cannot use: why, the HTTP status, the envelope code if any."""

    def __init__(self, reason: str, status: int, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.code = code


def _json(response: httpx.Response, accept: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """The JSON envelope of a lookup's answer; `_Bad` unless its code is in `accept`."""
    status = response.status_code
    if status >= 400:
        raise _Bad(f"HTTP {status}", status)
    try:
        body = json.loads(response.content)
    except ValueError:
        raise _Bad(f"HTTP {status}, the body is not JSON", status) from None
    if not isinstance(body, dict):
        raise _Bad(f"HTTP {status}, the body is not a JSON object", status)
    code = body.get("code", 0)
    icode = int(code) if str(code).lstrip("-").isdigit() else -1
    if code is not None and icode not in accept:
        raise _Bad(f"code {code}: {body.get('message') or body.get('msg') or ''}", status, icode)
    return body


def _reason(error: BaseException) -> str:
    """What went wrong, without the URL (its query may carry values)."""
    if isinstance(error, _Bad):
        return error.reason
    if isinstance(error, httpx.HTTPError):
        return type(error).__name__
    return f"{type(error).__name__}: {error}"


class Lookup:
    """One prerequisite: is it missing, the request that fetches it, and storing the answer.

    The client fetches the missing ones side by side before sending a call (`BiliAuth.pending`,
    then `complete` or `failed`); the `httpx.Auth` flow fetches them itself when driven alone.
    Best-effort ones (buvid, ticket) never fail a call: a failure is logged once and the
    lookup waits `PREREQ_RETRY_AFTER` seconds, doubling up to `PREREQ_RETRY_MAX`, before the
    next try. The WBI keys are needed: a failure raises an error naming nav and the cause.
    """

    name = ""
    what = ""
    method = "GET"
    url = ""
    best_effort = True

    def __init__(self, context: AuthContext) -> None:
        self.context = context
        self.state = context.state
        parts = urlsplit(self.url)
        self.label = f"{self.method} {parts.hostname}{parts.path}"

    @property
    def lock(self) -> threading.Lock:
        return self.state.locks[self.name]

    def alock(self) -> asyncio.Lock:
        return self.state.alock(self.name)

    def missing(self) -> bool:
        raise NotImplementedError

    def request(self) -> httpx.Request:
        return self.context.request(self.method, self.url)

    def store(self, response: httpx.Response) -> None:
        """Keep what the answer carries; raise `_Bad` (or KeyError, TypeError, ValueError)."""
        raise NotImplementedError

    def complete(self, response: httpx.Response, call: Call[Any]) -> None:
        """Store the answer, or handle it as a failure."""
        try:
            self.store(response)
        except (_Bad, KeyError, TypeError, ValueError) as e:
            self.failed(e, call)
            return
        s = self.state
        if s.failures.get(self.name):
            log.info("%s lookup (%s) works again", self.what, self.label)
            s.failures[self.name] = 0

    def failed(self, error: BaseException, call: Call[Any]) -> None:
        """Remember a failure and when to try again; log the first of a streak as a warning."""
        s = self.state
        n = s.failures[self.name] = s.failures.get(self.name, 0) + 1
        wait = min(PREREQ_RETRY_MAX, PREREQ_RETRY_AFTER * 2 ** (n - 1))
        s.retry_at[self.name] = monotonic() + wait
        log.log(
            logging.WARNING if n == 1 else logging.DEBUG,
            "%s lookup (%s) failed: %s; calls go on without it, next try in %.0f s",
            self.what,
            self.label,
            _reason(error),
            wait,
        )

    def due(self) -> bool:
        """True when no failure holds the next lookup back."""
        return monotonic() >= self.state.retry_at.get(self.name, -math.inf)


class _Buvid(Lookup):
    name = "buvid"
    what = "spi (buvid3/buvid4)"
    url = SPI_URL

    def missing(self) -> bool:
        return self.state.buvid3 is None and self.due()

    def store(self, response: httpx.Response) -> None:
        data = _json(response).get("data") or {}
        b3 = str(data["b_3"])
        if not b3:
            raise ValueError("empty b_3")
        self.state.buvid4 = str(data.get("b_4") or "") or None
        self.state.buvid3 = b3


class _Ticket(Lookup):
    name = "ticket"
    what = "bili_ticket"
    method = "POST"
    url = TICKET_URL

    def missing(self) -> bool:
        s = self.state
        fresh = s.ticket is not None and s.ticket_expires > time.time() + 60
        return not fresh and self.due()

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
        return self.context.request(self.method, self.url, params=params)

    def store(self, response: httpx.Response) -> None:
        data = _json(response).get("data") or {}
        ticket = str(data["ticket"])
        if not ticket:
            raise ValueError("empty ticket")
        now = int(time.time())
        ttl = int(data.get("ttl", 259200))
        expires = int(data.get("created_at", now)) + ttl
        if expires <= now + 60:  # a server clock far behind ours: count from now instead
            expires = now + ttl
        self.state.ticket_expires = expires
        self.state.ticket = ticket


# buvid3 values activated (or being activated) in this process: each is activated once,
# whichever client fetched it.
_ACTIVATED: set[str] = set()
_ACTIVATED_LOCK = threading.Lock()


class _Activation(Lookup):
    """ExClimbWuzhi: tells Bilibili that a fresh spi buvid pair belongs to a browser, as the
    web page does (seed-features §2.3); unactivated pairs meet more risk control (-352).

    Best-effort and never waited for: the client sends it beside the call that fetched the
    pair (no extra round trip), once per process for each buvid3. A failure releases the
    claim, so a later call tries again after the usual back-off.
    """

    name = "activate"
    what = "buvid activation (ExClimbWuzhi)"
    method = "POST"
    url = ACTIVATE_URL

    def missing(self) -> bool:
        s = self.state
        return s.buvid3 is not None and s.activated != s.buvid3 and self.due()

    def claim(self) -> httpx.Request | None:
        """The activation request if this state's spi pair still needs one; claims it."""
        if not self.missing():
            return None
        b3 = self.state.buvid3
        assert b3 is not None
        with _ACTIVATED_LOCK:
            self.state.activated = b3
            if b3 in _ACTIVATED:
                return None
            _ACTIVATED.add(b3)
        from ._buvid import activation_payload

        body, cookies = activation_payload(b3, self.state.buvid4 or "")
        request = httpx.Request(
            "POST",
            self.context.url(self.url),
            content=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
            headers={
                **self.context.options.default_headers,
                "Content-Type": "application/json",
                # buvid_fp hashes this exact body; only sent where cookies may go
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
            extensions={"timeout": self.context.options.timeout.as_dict()},
        )
        if not self.context.sends_cookies(request.url.host):
            self.release()
            return None
        return request

    def release(self) -> None:
        with _ACTIVATED_LOCK:
            b3 = self.state.activated
            if b3 is not None:
                _ACTIVATED.discard(b3)
            self.state.activated = None

    def store(self, response: httpx.Response) -> None:
        _json(response)  # a non-zero code is a failure (the seed's ExClimbWuzhiException)
        log.debug("%s done", self.what)

    def failed(self, error: BaseException, call: Call[Any]) -> None:
        self.release()
        super().failed(error, call)


class _WbiKeys(Lookup):
    name = "wbi"
    what = "nav (WBI keys)"
    url = NAV_URL
    best_effort = False

    def missing(self) -> bool:
        return not self.state.wbi_fresh()

    def store(self, response: httpx.Response) -> None:
        body = _json(response, accept=(0, -101))  # -101 (not logged in) carries the keys too
        try:
            img = body["data"]["wbi_img"]
            key = wbi.mixin_key(wbi.key_from_url(img["img_url"]), wbi.key_from_url(img["sub_url"]))
        except (KeyError, TypeError, ValueError):
            raise _Bad("no WBI keys in the answer", response.status_code, -1) from None
        s = self.state
        s.mixin_key = key
        s.mixin_at = time.monotonic()
        s.wbi_generation += 1

    def failed(self, error: BaseException, call: Call[Any]) -> None:
        """The call cannot be signed: raise, naming nav and the cause."""
        where = f"{self.label}, needed by {call.endpoint.name}"
        if isinstance(error, httpx.TimeoutException):
            raise NetworkTimeoutException(f"WBI keys: {_reason(error)} [{where}]") from error
        if isinstance(error, httpx.HTTPError):
            raise NetworkException(f"WBI keys: {_reason(error)} [{where}]") from error
        if isinstance(error, _Bad) and error.code is not None:
            raise ResponseCodeException(
                error.code, f"nav did not return WBI keys ({error.reason})", endpoint=where
            ) from None
        status = error.status if isinstance(error, _Bad) else None
        raise ResponseException(
            f"WBI keys: {_reason(error)} [{where}]", status=status, endpoint=where
        ) from None


class BiliAuth(httpx.Auth):
    """Per-call flow: prerequisites, then cookies and signature, then the request.

    The clients fetch the prerequisites themselves, side by side (`pending`), and call
    `finish` before logging and sending; the flow then only yields the request. Driven
    alone by httpx, it fetches what is missing one after another.
    """

    def __init__(self, context: AuthContext, call: Call[Any], query: dict[str, Any]) -> None:
        self.context = context
        self.call = call
        self.query = query
        # WBI key generation the query was signed with (0: not signed yet); read on -352.
        self.generation = 0
        self._finished = False

    def pending(self, request: httpx.Request) -> list[Lookup]:
        """The prerequisites this request still lacks (cheap when none)."""
        ctx = self.context
        ep = self.call.endpoint
        needs: list[Lookup] = []
        if ctx.sends_cookies(request.url.host):
            cred = ctx.credential
            if ctx.auto_buvid and not (cred and cred.buvid3) and ctx.buvid.missing():
                needs.append(ctx.buvid)
            if ctx.bili_ticket and is_bilibili_host(ep.host) and ctx.ticket.missing():
                needs.append(ctx.ticket)
        if ep.sign in WBI_SIGNS and self.generation == 0 and ctx.wbi_keys.missing():
            needs.append(ctx.wbi_keys)
        return needs

    def finish(self, request: httpx.Request) -> None:
        """Attach the cookies and sign (once the keys are there); idempotent."""
        if self._finished:
            return
        self._finished = True
        ctx = self.context
        ep = self.call.endpoint
        if ctx.sends_cookies(request.url.host):
            cookies = ctx.cookies_for(ep)
            if cookies:
                request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if ep.sign in WBI_SIGNS and self.generation == 0 and ctx.state.mixin_key is not None:
            # Keys were not cached when the request was built: sign now that they are. (Keys
            # dropped meanwhile: the unsigned call gets -352 and is signed on the retry.)
            signed, self.generation = ctx.sign_wbi(ep.sign, self.query)
            request.url = request.url.copy_with(params=signed)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        for need in () if self._finished else self.pending(request):
            with need.lock:
                if need.missing():
                    response = yield need.request()
                    response.read()
                    need.complete(response, self.call)
        self.finish(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for need in () if self._finished else self.pending(request):
            async with need.alock():
                if need.missing():
                    response = yield need.request()
                    await response.aread()
                    need.complete(response, self.call)
        self.finish(request)
        yield request

"""Cookie refresh (`Credential.refresh` / `arefresh`) and the clients' `auto_refresh` hook.

A refresh, as Bilibili's web page does it:

1. `correspond_path()`: hex of RSA-OAEP(SHA-256) of `refresh_<ms>` with Bilibili's public key;
2. GET `www.bilibili.com/correspond/1/{path}`, read `refresh_csrf` from `<div id="1-name">`;
3. POST cookie/refresh with the old bili_jct and refresh token (`ac_time_value`): the new
   SESSDATA, bili_jct and DedeUserID come as Set-Cookie, the new refresh token in the body;
4. POST confirm/refresh with the NEW cookies and the OLD refresh token, retiring it.

The credential changes in place and all at once. A failure in steps 1-3 leaves it as it was
and raises `CookiesRefreshException`. Once step 3 succeeded the old cookies are dead, so a
failing confirmation still installs the new ones before raising (`.cookies_updated` is True):
the session works, only the old token was not retired.

Secrets (cookies, tokens, refresh_csrf) never reach an exception message or a log record.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._credential import Credential
from ._exceptions import ApiException, CookiesRefreshException

if TYPE_CHECKING:
    import asyncio

    from ._client import AsyncClient, Client
    from ._endpoint import Call

__all__ = ["CHECK_INTERVAL", "correspond_path", "parse_refresh_csrf"]

PUBLIC_KEY = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDLgd2OAkcGVtoE3ThUREbio0EgUc/prcajMKXvkCKFCWhJYJcLkcM2"
    "DKKcSeFpD/j6Boy538YXnR6VhcuUJOhH2x71nzPjfdTcqMz7djHum0qSZA0AyCBDABUqCrfNgCiJ00Ra7GmRj+YCK1N"
    "JEuewlb40JNrRuoEUXpabUzGB8QIDAQAB"
)
"""Bilibili's cookie-refresh key (SubjectPublicKeyInfo, base64)."""

CHECK_INTERVAL = 86400.0
"""`auto_refresh` asks `cookie/info` at most this often per credential (seconds)."""

clock: Callable[[], float] = time.monotonic
"""The clock of `auto_refresh` (tests replace it)."""

_CSRF_RE = re.compile(r'<div\s+id="1-name"\s*>\s*([^<\s]+)\s*</div>')
_NEW_COOKIES = ("SESSDATA", "bili_jct", "DedeUserID")


def correspond_path(ms: int | None = None) -> str:
    """hex(RSA-OAEP(SHA-256)(`refresh_<ms>`)) with Bilibili's key (randomised; 256 hex
    digits). Needs the `login` extra (pycryptodomex)."""
    from .login._flows import require_extra

    require_extra("cookie refresh", "Cryptodome.Cipher.PKCS1_OAEP", "pycryptodomex")
    import base64

    from Cryptodome.Cipher import PKCS1_OAEP
    from Cryptodome.Hash import SHA256
    from Cryptodome.PublicKey import RSA

    if ms is None:
        ms = int(time.time() * 1000)
    key = RSA.import_key(base64.b64decode(PUBLIC_KEY))
    return PKCS1_OAEP.new(key, SHA256).encrypt(f"refresh_{ms}".encode()).hex()


def parse_refresh_csrf(html: str) -> str:
    """The refresh_csrf of the correspond page, or CookiesRefreshException."""
    m = _CSRF_RE.search(html)
    if m is None:
        raise CookiesRefreshException("cookie refresh: the correspond page has no refresh_csrf")
    return m.group(1)


def _require(cred: Credential) -> None:
    cred.raise_for_no_sessdata()
    cred.raise_for_no_bili_jct()
    cred.raise_for_no_ac_time_value()


def _fail(
    step: str, e: BaseException | None = None, updated: bool = False
) -> CookiesRefreshException:
    # Only the step and the exception's type/code: messages of our exceptions hold no secret,
    # but an httpx error's could hold a URL, so it stays as __cause__.
    detail = ""
    if e is not None:
        code = getattr(e, "code", None)
        detail = f" ({type(e).__name__}{f' {code}' if code is not None else ''})"
    return CookiesRefreshException(
        f"cookie refresh failed at {step}{detail}", cookies_updated=updated
    )


def _new_values(raw: Any) -> dict[str, str]:
    """The new cookies (Set-Cookie) and refresh token (body) of cookie/refresh's answer."""
    try:
        result = raw.parse()
    except ApiException as e:
        raise _fail("cookie/refresh", e) from e
    if getattr(result, "status", 0) not in (0, None):
        raise _fail("cookie/refresh (status)")
    got: dict[str, str] = {}
    for header in raw.http_response.headers.get_list("set-cookie"):
        name, _, value = header.split(";", 1)[0].strip().partition("=")
        if name in _NEW_COOKIES and value:
            got[name] = value
    missing = [n for n in ("SESSDATA", "bili_jct") if n not in got]
    if missing or not result.refresh_token:
        what = ", ".join(missing + ([] if result.refresh_token else ["refresh_token"]))
        raise CookiesRefreshException(f"cookie refresh: the answer lacks {what}")
    return {**got, "refresh_token": result.refresh_token}


def _updated(cred: Credential, new: dict[str, str]) -> Credential:
    """A copy of `cred` with the new values (the original is untouched until `_install`)."""
    copy = Credential.from_cookies(cred.get_cookies())
    fresh = Credential(sessdata=new["SESSDATA"], bili_jct=new["bili_jct"])
    copy.sessdata, copy.bili_jct = fresh.sessdata, fresh.bili_jct
    copy.dedeuserid = new.get("DedeUserID") or cred.dedeuserid
    copy.ac_time_value = new["refresh_token"]
    return copy


def _install(cred: Credential, new: Credential) -> None:
    # Plain attribute stores, no I/O in between: nothing can fail half-way.
    cred.sessdata, cred.bili_jct = new.sessdata, new.bili_jct
    cred.dedeuserid, cred.ac_time_value = new.dedeuserid, new.ac_time_value


def _correspond_credential(cred: Credential) -> Credential:
    """The cookies for the correspond page: buvid3 replaced by a fresh uuid1, as the web
    page's own request has it (seed-features §2.4). Its node is random (multicast bit set,
    RFC 4122 §4.5), so no MAC address leaves the machine."""
    copy = Credential.from_cookies(cred.get_cookies())
    copy.buvid3 = str(uuid.uuid1(random.getrandbits(48) | 1 << 40))
    return copy


def _for(client: Any, cred: Credential) -> Any:
    opts: dict[str, Any] = {"credential": cred}
    if getattr(client.options, "auto_refresh", False):
        opts["auto_refresh"] = False  # the refresh's own calls must not re-enter it
    return client.with_options(**opts)


# ------------------------------------------------------------------ sync


def check_refresh(cred: Credential, client: Client | None = None) -> bool:
    """True when `cookie/info` says the cookies should be refreshed."""
    from ._client import Client

    if client is None:
        with Client(credential=cred) as c:
            return check_refresh(cred, c)
    return bool(_for(client, cred).login.get_cookie_info().refresh)


def refresh(cred: Credential, client: Client | None = None) -> None:
    """Refresh the cookies in place (module docstring)."""
    from ._client import Client

    if client is None:
        with Client(credential=cred) as c:
            return refresh(cred, c)
    _require(cred)
    old_token = cred.ac_time_value or ""
    path = correspond_path()
    try:
        html = _for(client, _correspond_credential(cred)).login.get_refresh_csrf(path)
    except ApiException as e:
        raise _fail("correspond", e) from e
    refresh_csrf = parse_refresh_csrf(html)
    try:
        raw = _for(client, cred).login.with_raw_response.refresh_cookies(
            refresh_csrf=refresh_csrf, refresh_token=old_token
        )
    except ApiException as e:
        raise _fail("cookie/refresh", e) from e
    new = _updated(cred, _new_values(raw))
    try:
        _for(client, new).login.confirm_refresh(old_token)
    except ApiException as e:
        _install(cred, new)
        raise _fail("confirm/refresh (the new cookies are installed)", e, True) from e
    _install(cred, new)
    return None


# ------------------------------------------------------------------ async


async def acheck_refresh(cred: Credential, client: AsyncClient | None = None) -> bool:
    """`check_refresh` for async code."""
    from ._client import AsyncClient

    if client is None:
        async with AsyncClient(credential=cred) as c:
            return await acheck_refresh(cred, c)
    return bool((await _for(client, cred).login.get_cookie_info()).refresh)


async def arefresh(cred: Credential, client: AsyncClient | None = None) -> None:
    """`refresh` for async code."""
    from ._client import AsyncClient

    if client is None:
        async with AsyncClient(credential=cred) as c:
            return await arefresh(cred, c)
    _require(cred)
    old_token = cred.ac_time_value or ""
    path = correspond_path()
    try:
        html = await _for(client, _correspond_credential(cred)).login.get_refresh_csrf(path)
    except ApiException as e:
        raise _fail("correspond", e) from e
    refresh_csrf = parse_refresh_csrf(html)
    try:
        raw = await _for(client, cred).login.with_raw_response.refresh_cookies(
            refresh_csrf=refresh_csrf, refresh_token=old_token
        )
    except ApiException as e:
        raise _fail("cookie/refresh", e) from e
    new = _updated(cred, _new_values(raw))
    try:
        await _for(client, new).login.confirm_refresh(old_token)
    except ApiException as e:
        _install(cred, new)
        raise _fail("confirm/refresh (the new cookies are installed)", e, True) from e
    _install(cred, new)
    return None


# ------------------------------------------------------------------ auto_refresh


class _State:
    """Per credential: when cookie/info was last asked, and the single-flight locks."""

    __slots__ = ("alock", "aloop", "checked_at", "lock")

    def __init__(self) -> None:
        self.checked_at: float | None = None
        self.lock = threading.Lock()
        self.alock: asyncio.Lock | None = None
        self.aloop: object = None


_states: dict[int, tuple[Credential, _State]] = {}
_states_lock = threading.Lock()


def _state(cred: Credential) -> _State:
    # Keyed by identity (a Credential is mutable and unhashable); the entry keeps the
    # credential alive, which is what a client holding it does anyway.
    with _states_lock:
        entry = _states.get(id(cred))
        if entry is None or entry[0] is not cred:
            entry = _states[id(cred)] = (cred, _State())
        return entry[1]


def _wants(client: Any, call: Call[Any]) -> Credential | None:
    """The credential to keep fresh before this call, or None."""
    cred: Credential | None = client.options.credential
    ep = call.endpoint
    if cred is None or not cred.ac_time_value or not cred.sessdata or not cred.bili_jct:
        return None
    if ep.auth not in ("required", "optional") or ep.name.startswith("login."):
        return None
    return cred


def _due(st: _State) -> bool:
    return st.checked_at is None or clock() - st.checked_at >= CHECK_INTERVAL


def maybe_refresh(client: Client, call: Call[Any]) -> None:
    """Before a logged-in call of an `auto_refresh` client: at most once per CHECK_INTERVAL
    per credential ask cookie/info, and refresh when it says so. One thread does it; the
    others wait for it. A failed check or refresh is retried at the next interval, and the
    call goes on (with the old cookies, or the new ones after a late confirm failure)."""
    cred = _wants(client, call)
    if cred is None:
        return
    st = _state(cred)
    if not _due(st):
        return
    with st.lock:
        if not _due(st):
            return
        try:
            if check_refresh(cred, client):
                refresh(cred, client)
        except ApiException:
            pass  # the call goes on; the next check is due in CHECK_INTERVAL
        finally:
            st.checked_at = clock()  # set last: the waiting callers see the outcome


async def amaybe_refresh(client: AsyncClient, call: Call[Any]) -> None:
    """`maybe_refresh` for the async client (one task does it, the others wait)."""
    cred = _wants(client, call)
    if cred is None:
        return
    st = _state(cred)
    if not _due(st):
        return
    import asyncio

    loop = asyncio.get_running_loop()
    if st.alock is None or st.aloop is not loop:  # an asyncio.Lock belongs to one loop
        st.alock, st.aloop = asyncio.Lock(), loop
    async with st.alock:
        if not _due(st):
            return
        try:
            if await acheck_refresh(cred, client):
                await arefresh(cred, client)
        except ApiException:
            pass  # the call goes on; the next check is due in CHECK_INTERVAL
        finally:
            st.checked_at = clock()  # set last: the waiting callers see the outcome

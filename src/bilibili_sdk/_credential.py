"""Login cookies. Values never appear in reprs, logs or exception messages."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from ._exceptions import (
    ArgsException,
    CredentialNoAcTimeValueException,
    CredentialNoBiliJctException,
    CredentialNoBuvid3Exception,
    CredentialNoBuvid4Exception,
    CredentialNoDedeUserIDException,
    CredentialNoSessdataException,
)

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = ["Credential"]

# attribute -> cookie name
_COOKIES = {
    "sessdata": "SESSDATA",
    "bili_jct": "bili_jct",
    "buvid3": "buvid3",
    "buvid4": "buvid4",
    "dedeuserid": "DedeUserID",
    "ac_time_value": "ac_time_value",
}
SECRET_COOKIES = frozenset({"SESSDATA", "bili_jct", "ac_time_value", "sessdata"})
COOKIE_DOMAIN = ".bilibili.com"


class Credential:
    """Cookies of a logged-in (or anonymous) Bilibili session.

    `sessdata` is URL-quoted unless it already contains `%`, as browsers store it.
    Extra cookies may be passed as keyword arguments and are sent as they are.
    """

    __slots__ = (
        "_extra",
        "ac_time_value",
        "bili_jct",
        "buvid3",
        "buvid4",
        "dedeuserid",
        "sessdata",
    )

    def __init__(
        self,
        sessdata: str | None = None,
        bili_jct: str | None = None,
        buvid3: str | None = None,
        buvid4: str | None = None,
        dedeuserid: str | int | None = None,
        ac_time_value: str | None = None,
        **extra_cookies: str,
    ) -> None:
        if sessdata and "%" not in sessdata:
            sessdata = quote(sessdata)
        self.sessdata = sessdata or None
        self.bili_jct = bili_jct or None
        self.buvid3 = buvid3 or None
        self.buvid4 = buvid4 or None
        self.dedeuserid = str(dedeuserid) if dedeuserid not in (None, "") else None
        self.ac_time_value = ac_time_value or None
        self._extra = {k: str(v) for k, v in extra_cookies.items() if v is not None}

    # -- cookies
    def get_cookies(self) -> dict[str, str]:
        """The cookies to send: only the ones that are set."""
        out = {name: getattr(self, attr) for attr, name in _COOKIES.items() if getattr(self, attr)}
        out.update(self._extra)
        return out

    @classmethod
    def from_cookies(cls, cookies: Mapping[str, str] | str | os.PathLike[str]) -> Credential:
        """Build from cookies in any of the forms users have them in.

        Args:
            cookies: a mapping of cookie name -> value (a browser export, a login result);
                a browser `document.cookie` / `Cookie` header string
                (`"SESSDATA=...; bili_jct=..."`: a `str` containing `=`); or the path of a
                Netscape cookies.txt file (a `str` without `=`, or any `os.PathLike`; a file
                name containing `=` must be given as a `Path`), read as `from_cookies_txt`.
        """
        if isinstance(cookies, os.PathLike) or (isinstance(cookies, str) and "=" not in cookies):
            return cls.from_cookies_txt(cookies)
        if isinstance(cookies, str):
            cookies = _parse_cookie_string(cookies)
        elif not isinstance(cookies, Mapping):
            raise ArgsException(
                "cookies: expected a mapping, a 'name=value; ...' string or a cookies.txt "
                f"path, got {type(cookies).__name__}",
                "cookies",
            )
        by_name = {name.lower(): attr for attr, name in _COOKIES.items()}
        known: dict[str, str] = {}
        extra: dict[str, str] = {}
        for k, v in cookies.items():
            attr = by_name.get(k.lower())
            if attr:
                known[attr] = v
            else:
                extra[k] = v
        return cls(**known, **extra)

    # -- cookies.txt (Netscape format: curl, wget, yt-dlp, http.cookiejar.MozillaCookieJar)
    def to_cookies_txt(self, path: str | os.PathLike[str], *, expires: int = 0) -> None:
        """Write the cookies to a Netscape cookies.txt file, readable by its owner only (0600),
        all or nothing (a temporary file renamed over `path`).

        Args:
            path: the file; created or replaced.
            expires: the cookies' expiry (seconds since epoch); 0 writes session cookies
                (`MozillaCookieJar.load` keeps those with `ignore_discard=True`).
        """
        if not isinstance(expires, int) or isinstance(expires, bool) or expires < 0:
            raise ArgsException(f"expires: expected an int >= 0, got {expires!r}", "expires")
        lines = ["# Netscape HTTP Cookie File", "# Bilibili login cookies: keep this file secret."]
        for name, value in self.get_cookies().items():
            lines.append(f"{COOKIE_DOMAIN}\tTRUE\t/\tFALSE\t{expires}\t{name}\t{value}")
        from ._files import write_atomic

        write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"), mode=0o600)

    @classmethod
    def from_cookies_txt(cls, path: str | os.PathLike[str]) -> Credential:
        """Read the Bilibili cookies of a Netscape cookies.txt file (expired ones included)."""
        from http.cookiejar import MozillaCookieJar

        jar = MozillaCookieJar()
        jar.load(os.fspath(path), ignore_discard=True, ignore_expires=True)
        cookies = {
            c.name: c.value or ""
            for c in jar
            if c.domain.lstrip(".") == "bilibili.com" or c.domain.endswith(".bilibili.com")
        }
        return cls.from_cookies(cookies)

    # -- checks
    def has_sessdata(self) -> bool:
        return bool(self.sessdata)

    def has_bili_jct(self) -> bool:
        return bool(self.bili_jct)

    def has_buvid3(self) -> bool:
        return bool(self.buvid3)

    def has_buvid4(self) -> bool:
        return bool(self.buvid4)

    def has_dedeuserid(self) -> bool:
        return bool(self.dedeuserid)

    def has_ac_time_value(self) -> bool:
        return bool(self.ac_time_value)

    def raise_for_no_sessdata(self) -> None:
        if not self.sessdata:
            raise CredentialNoSessdataException()

    def raise_for_no_bili_jct(self) -> None:
        if not self.bili_jct:
            raise CredentialNoBiliJctException()

    def raise_for_no_buvid3(self) -> None:
        if not self.buvid3:
            raise CredentialNoBuvid3Exception()

    def raise_for_no_buvid4(self) -> None:
        if not self.buvid4:
            raise CredentialNoBuvid4Exception()

    def raise_for_no_dedeuserid(self) -> None:
        if not self.dedeuserid:
            raise CredentialNoDedeUserIDException()

    def raise_for_no_ac_time_value(self) -> None:
        if not self.ac_time_value:
            raise CredentialNoAcTimeValueException()

    # -- validity (network)
    def check_valid(self, client: Client | None = None) -> bool:
        """True when Bilibili accepts the cookies as logged in (asks `nav`)."""
        from ._client import Client

        if client is not None:
            return client.with_options(credential=self)._nav_is_login()
        with Client(credential=self) as c:
            return c._nav_is_login()

    async def acheck_valid(self, client: AsyncClient | None = None) -> bool:
        """`check_valid` for async code."""
        from ._client import AsyncClient

        if client is not None:
            return await client.with_options(credential=self)._nav_is_login()
        async with AsyncClient(credential=self) as c:
            return await c._nav_is_login()

    # -- refresh (network; see _refresh.py)
    def check_refresh(self, client: Client | None = None) -> bool:
        """True when Bilibili says the cookies should be refreshed (asks `cookie/info`)."""
        from ._refresh import check_refresh

        return check_refresh(self, client)

    async def acheck_refresh(self, client: AsyncClient | None = None) -> bool:
        """`check_refresh` for async code."""
        from ._refresh import acheck_refresh

        return await acheck_refresh(self, client)

    def refresh(self, client: Client | None = None) -> None:
        """Refresh the cookies in place: new SESSDATA, bili_jct, DedeUserID and
        `ac_time_value` (refresh token). Needs sessdata, bili_jct, ac_time_value and the
        `login` extra.

        All or nothing: on failure the credential keeps its old values, except when only the
        final confirmation failed: Bilibili had already issued new cookies and killed the old
        ones, so the new ones are installed (`CookiesRefreshException.cookies_updated`).

        Raises:
            CookiesRefreshException: a step failed (the original error is `__cause__`).
            CredentialNoAcTimeValueException: no refresh token (and likewise for the cookies).
            MissingExtraException: pycryptodomex is not installed.
        """
        from ._refresh import refresh

        refresh(self, client)

    async def arefresh(self, client: AsyncClient | None = None) -> None:
        """`refresh` for async code."""
        from ._refresh import arefresh

        await arefresh(self, client)

    def __repr__(self) -> str:
        shown = [
            f"{attr}={'<hidden>' if name in SECRET_COOKIES else repr(getattr(self, attr))}"
            for attr, name in _COOKIES.items()
            if getattr(self, attr)
        ]
        if self._extra:
            shown.append(f"extra={sorted(self._extra)}")
        return f"Credential({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Credential) and self.get_cookies() == other.get_cookies()

    __hash__ = None  # type: ignore[assignment]


def _parse_cookie_string(text: str) -> dict[str, str]:
    """`"a=1; b=2"` (document.cookie, a Cookie header) -> {"a": "1", "b": "2"}."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip():
            out[name.strip()] = value.strip()
    return out

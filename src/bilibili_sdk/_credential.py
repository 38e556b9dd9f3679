"""Login cookies. Values never appear in reprs, logs or exception messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from ._exceptions import (
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
    def from_cookies(cls, cookies: Mapping[str, str]) -> Credential:
        """Build from a cookie mapping (browser export, login result)."""
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

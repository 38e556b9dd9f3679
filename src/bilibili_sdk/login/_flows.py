"""What the login flows share between the sync and async clients: no I/O here.

Turning a login answer into a `Credential` (cookies from a cross-domain URL's query or from
the TV login's cookie list), the password encryption, the verification Bilibili may ask for
(`LoginCheck`), the SMS ticket, the checks on arguments, and the `login` extra.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .._credential import Credential
from .._exceptions import ArgsException, LoginCheckRequired, LoginError, MissingExtraException

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from ..models.login import LoginResult
    from . import GeetestResult, GeetestType

__all__ = [
    "LOGIN_COOKIES",
    "LoginCheck",
    "SmsTicket",
    "credential_from_cookies",
    "credential_from_url",
    "encrypt_password",
    "finish_login",
    "require_extra",
]

INSTALL_HINT = 'pip install "bilibili_sdk[login]"'
LOGIN_COOKIES = ("SESSDATA", "bili_jct", "DedeUserID", "DedeUserID__ckMd5", "sid")
"""The cookies a login hands out that a `Credential` keeps (the rest of a cross-domain URL's
query, `Expires` or `gourl`, is no cookie)."""


def require_extra(what: str, module: str, package: str) -> Any:
    """Import `module` of the `login` extra, or raise MissingExtraException naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        error = MissingExtraException(
            f'{what} needs the "login" extra: {INSTALL_HINT} ({package} could not be imported)',
            extra="login",
            name=package,
        )
        raise error from e


# ------------------------------------------------------------------ credentials


def credential_from_cookies(
    cookies: Iterable[tuple[str, str]] | Mapping[str, str],
    refresh_token: str,
    client: BaseClient | None = None,
) -> Credential:
    """A full Credential from a login's cookies and refresh token.

    The client's buvid3/buvid4 (the device the login was made from) come along, so that the
    logged-in session keeps the same device identity.
    """
    pairs = cookies.items() if isinstance(cookies, Mapping) else cookies
    kept = {k: v for k, v in pairs if k in LOGIN_COOKIES and v}
    if not kept.get("SESSDATA") or not kept.get("bili_jct"):
        raise LoginError("the login answer carries no SESSDATA / bili_jct cookies")
    if refresh_token:
        kept["ac_time_value"] = refresh_token
    if client is not None:
        state = client._auth_context.state
        if state.buvid3:
            kept["buvid3"] = state.buvid3
        if state.buvid4:
            kept["buvid4"] = state.buvid4
    return Credential.from_cookies(kept)


def credential_from_url(
    url: str, refresh_token: str, client: BaseClient | None = None
) -> Credential:
    """A Credential from the cross-domain URL of a web login (its query carries the cookies)."""
    return credential_from_cookies(parse_qsl(urlsplit(url).query), refresh_token, client)


def encrypt_password(hash: str, key: str, password: str) -> str:
    """base64(RSA PKCS#1 v1.5(hash + password)) with the PEM `key` of `get_password_key`."""
    import base64

    rsa = require_extra("password login", "Cryptodome.PublicKey.RSA", "pycryptodomex")
    pkcs1 = require_extra("password login", "Cryptodome.Cipher.PKCS1_v1_5", "pycryptodomex")
    try:
        public = rsa.import_key(key)
    except (ValueError, IndexError, TypeError) as e:
        raise LoginError("the password key Bilibili sent is not an RSA public key") from e
    cipher = pkcs1.new(public)
    return base64.b64encode(cipher.encrypt((hash + password).encode("utf-8"))).decode("ascii")


# ------------------------------------------------------------------ login verification


@dataclass(eq=False)
class LoginCheck:
    """Bilibili wants this login verified (a code sent to the bound phone) before it hands
    out cookies; `LoginCheckRequired.check`.

    With the client that raised it: `client.login.check_info(check)` shows the masked phone,
    `client.login.geetest(GeetestType.VERIFY)` gets the captcha to solve,
    `client.login.send_check_sms(check, geetest=result)` sends the code, and
    `client.login.complete_check(check, code)` returns the Credential. No secret is in its repr.
    """

    url: str = field(repr=False)
    """The verification page Bilibili named (`tmp_token`, `request_id`, `source` in its query)."""
    tmp_code: str = field(repr=False)
    """The verification's temporary token (`tmp_token` of the URL)."""
    request_id: str | None = field(default=None, repr=False)
    """Present for the phone check (tel/verify); absent for the secure-login one (sec/verify)."""
    source: str = "risk"
    status: int = 0
    """The login answer's status (password: 1 or 2, SMS: 5)."""
    captcha_key: str | None = field(default=None, repr=False)
    """Set by `send_check_sms`: the sent code's key."""

    @property
    def sms_type(self) -> str:
        """`loginTelCheck` with a request_id, else `secLogin`: which verification this is."""
        return "loginTelCheck" if self.request_id else "secLogin"

    @classmethod
    def from_url(cls, url: str, status: int = 0) -> LoginCheck:
        """The verification a login answer's `url` asks for; LoginError without a tmp_token."""
        query = dict(parse_qsl(urlsplit(url).query))
        tmp = query.get("tmp_token")
        if not tmp:
            raise LoginError(f"login refused (status {status}) without a verification to do")
        return cls(
            url=url,
            tmp_code=tmp,
            request_id=query.get("request_id") or None,
            source=query.get("source") or "risk",
            status=status,
        )


def finish_login(result: LoginResult, what: str, client: BaseClient) -> Credential:
    """The Credential of a password/SMS login answer, or LoginCheckRequired / LoginError."""
    if result.status == 0 and result.url:
        return credential_from_url(result.url, result.refresh_token, client)
    if result.url and "tmp_token=" in result.url:
        check = LoginCheck.from_url(result.url, result.status)
        raise LoginCheckRequired(
            f"{what}: Bilibili asks to verify this login (status {result.status}): send the "
            "code with client.login.send_check_sms(e.check, ...), then complete_check",
            check,
        )
    message = f" {result.message}" if result.message else ""
    raise LoginError(f"{what} refused: status {result.status}{message}")


# ------------------------------------------------------------------ SMS login


@dataclass(frozen=True)
class SmsTicket:
    """A login code sent by SMS: pass it to `client.login.sms(ticket, code)`."""

    phone: str
    country_code: int
    captcha_key: str = field(repr=False)


# ------------------------------------------------------------------ arguments


def check_text(argument: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ArgsException(
            f"{argument}: expected a non-empty str, got {type(value).__name__}", argument=argument
        )
    return value


def check_geetest(value: object, argument: str = "geetest") -> GeetestResult:
    from . import GeetestResult

    if not isinstance(value, GeetestResult):
        raise ArgsException(
            f"{argument}: expected the GeetestResult of a solved captcha "
            f"(client.login.geetest(...) then .wait()), got {type(value).__name__}",
            argument=argument,
        )
    return value


def check_phone(value: object) -> str:
    """Digits of a phone number; spaces and dashes are dropped."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str):
        digits = text.replace(" ", "").replace("-", "")
        if digits.isdigit() and 5 <= len(digits) <= 15:
            return digits
    raise ArgsException(
        f"phone: expected the phone number's digits (without the country code), got {value!r}",
        argument="phone",
    )


def check_code(value: object) -> str:
    """An SMS code: its digits, as a str (an int would lose leading zeros)."""
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    raise ArgsException(
        f"code: expected the received code as a str of digits like '012345', got {value!r}",
        argument="code",
    )


def check_login_check(value: object) -> LoginCheck:
    if not isinstance(value, LoginCheck):
        raise ArgsException(
            f"check: expected the LoginCheck of a LoginCheckRequired (e.check), "
            f"got {type(value).__name__}",
            argument="check",
        )
    return value


def check_geetest_type(value: object) -> GeetestType:
    from . import GeetestType

    if not isinstance(value, GeetestType):
        raise ArgsException(
            f"type: expected GeetestType.LOGIN or GeetestType.VERIFY, got {value!r}",
            argument="type",
        )
    return value


def check_ticket(value: object) -> SmsTicket:
    if not isinstance(value, SmsTicket):
        raise ArgsException(
            f"ticket: expected the SmsTicket of send_sms(), got {type(value).__name__}",
            argument="ticket",
        )
    return value


def check_sent(value: object) -> LoginCheck:
    """A LoginCheck whose code was sent (`send_check_sms` first)."""
    check = check_login_check(value)
    if not check.captcha_key:
        raise LoginError(
            "send the verification code first: client.login.send_check_sms(check, ...)"
        )
    return check


def safecenter_sms_args(check: LoginCheck, result: GeetestResult) -> dict[str, Any]:
    """The keyword arguments of `send_safecenter_sms` for a check and a solved VERIFY captcha."""
    from ..models.login import SafecenterSmsType

    return {
        "sms_type": SafecenterSmsType(check.sms_type),
        "recaptcha_token": result.token,
        "gee_challenge": result.challenge,
        "gee_gt": result.gt,
        "gee_validate": result.validate,
        "gee_seccode": result.seccode,
    }

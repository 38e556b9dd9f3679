"""Every exception the SDK raises. All derive from ApiException.

Messages never contain credential values or query values: only codes, server messages
and the endpoint (`video.like POST api.bilibili.com/x/web-interface/archive/like`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .login._flows import LoginCheck

__all__ = [
    "ApiException",
    "ArgsException",
    "CookiesRefreshException",
    "CredentialNoAcTimeValueException",
    "CredentialNoBiliJctException",
    "CredentialNoBuvid3Exception",
    "CredentialNoBuvid4Exception",
    "CredentialNoDedeUserIDException",
    "CredentialNoSessdataException",
    "CsrfException",
    "DanmakuClosedException",
    "DownloadException",
    "DynamicExceedImagesException",
    "ExClimbWuzhiException",
    "GeetestException",
    "LiveException",
    "LoginCheckRequired",
    "LoginError",
    "MissingExtraException",
    "NetworkException",
    "NetworkTimeoutException",
    "NotFoundException",
    "NotLoggedInException",
    "PermissionDeniedException",
    "RateLimitedException",
    "RequestErrorException",
    "ResponseCodeException",
    "ResponseException",
    "ResponseValidationException",
    "RiskControlException",
    "StatementException",
    "UntrustedHostException",
    "VideoUploadException",
    "WbiRetryTimesExceedException",
]


class ApiException(Exception):
    """Root of everything the SDK raises."""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg)
        self.msg = msg

    def __str__(self) -> str:
        return self.msg


class ArgsException(ApiException, ValueError):
    """A bad argument, detected before any network I/O. `.argument` names it."""

    def __init__(self, msg: str, argument: str | None = None) -> None:
        super().__init__(msg)
        self.argument = argument


class UntrustedHostException(ArgsException):
    """A call that needs the credential (login or csrf) would go to a host that is not
    Bilibili's; raised before any I/O. Name the host in `trusted_hosts` if it is yours."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg, argument="trusted_hosts")


class _CredentialMissing(ApiException):
    field = ""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg or f"the credential has no {self.field}; this call needs it")


class CredentialNoSessdataException(_CredentialMissing):
    """The call needs a logged-in credential (SESSDATA)."""

    field = "SESSDATA"


class CredentialNoBiliJctException(_CredentialMissing):
    """The call needs bili_jct (the csrf token)."""

    field = "bili_jct"


class CredentialNoBuvid3Exception(_CredentialMissing):
    field = "buvid3"


class CredentialNoBuvid4Exception(_CredentialMissing):
    field = "buvid4"


class CredentialNoDedeUserIDException(_CredentialMissing):
    field = "DedeUserID"


class CredentialNoAcTimeValueException(_CredentialMissing):
    """Cookie refresh needs ac_time_value (the refresh token)."""

    field = "ac_time_value"


class NetworkException(ApiException):
    """The request failed in transport (DNS, connect, TLS, reset...); `__cause__` is httpx's error."""

    def __init__(self, msg: str, status: int | None = None) -> None:
        super().__init__(msg)
        self.status = status


class NetworkTimeoutException(NetworkException):
    """The request timed out."""


class ResponseException(ApiException):
    """A response that is not a usable envelope: bad status, not JSON, malformed."""

    def __init__(self, msg: str, status: int | None = None, endpoint: str | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.endpoint = endpoint


class ResponseValidationException(ResponseException):
    """The payload does not fit the endpoint's model; `.data` keeps the raw JSON."""

    def __init__(self, msg: str, data: Any, endpoint: str | None = None) -> None:
        super().__init__(msg, status=200, endpoint=endpoint)
        self.data = data


class ResponseCodeException(ApiException):
    """The envelope's `code` is not 0. `.code`, `.message`, `.data` and `.endpoint` tell more."""

    def __init__(
        self,
        code: int,
        message: str,
        data: Any = None,
        endpoint: str | None = None,
        raw: Any = None,
    ) -> None:
        where = f" [{endpoint}]" if endpoint else ""
        super().__init__(f"{code} {message}{where}")
        self.code = code
        self.message = message
        self.data = data
        self.endpoint = endpoint
        self.raw = raw


class NotLoggedInException(ResponseCodeException):
    """-101: not logged in, or SESSDATA expired."""


class CsrfException(ResponseCodeException):
    """-111: csrf check failed (wrong or missing bili_jct)."""


class RequestErrorException(ResponseCodeException):
    """-400: the server rejected the arguments."""


class PermissionDeniedException(ResponseCodeException):
    """-403: access denied."""


class NotFoundException(ResponseCodeException):
    """-404 and per-endpoint "does not exist" codes."""


class RateLimitedException(ResponseCodeException):
    """-509 / -799: too many requests."""


class RiskControlException(ResponseCodeException):
    """-352 / -412 / HTTP 412: the request was blocked by risk control."""


class WbiRetryTimesExceedException(RiskControlException):
    """The server kept rejecting the WBI signature after fresh keys and re-signing."""


class CookiesRefreshException(ApiException):
    """Refreshing the cookies failed. `cookies_updated` is True when it failed only at the
    confirmation: Bilibili had issued new cookies (the old ones are dead), and the credential
    holds them."""

    def __init__(self, msg: str, *, cookies_updated: bool = False) -> None:
        super().__init__(msg)
        self.cookies_updated = cookies_updated


class DanmakuClosedException(ApiException):
    """The video's danmaku are closed."""


class DynamicExceedImagesException(ArgsException):
    """Too many images for one dynamic (at most 9); raised before any upload. Also an
    ArgsException, with `.argument` "images"."""


class ExClimbWuzhiException(ApiException):
    """Activating buvid (ExClimbWuzhi) failed."""


class GeetestException(ApiException):
    """The geetest captcha failed or is not done yet."""


class LiveException(ApiException):
    """A live-room error."""


class LoginError(ApiException):
    """Login failed: a QR code expired or timed out, or Bilibili refused the login."""


class LoginCheckRequired(LoginError):
    """Bilibili wants the login verified (a code sent to the bound phone) before it hands out
    cookies. `.check` is the `LoginCheck` to go on with: `client.login.send_check_sms(e.check,
    geetest=...)`, then `client.login.complete_check(e.check, code)`."""

    def __init__(self, msg: str, check: LoginCheck) -> None:
        super().__init__(msg)
        self.check = check


class MissingExtraException(ApiException, ImportError):
    """An optional feature's packages are not installed; the message says which extra to
    install. Also an ImportError, so `except ImportError` guards catch it."""

    def __init__(self, msg: str, extra: str, name: str | None = None) -> None:
        super().__init__(msg)
        self.extra = extra
        """The extra that brings the packages (`"live"`)."""
        self.name = name


class StatementException(ApiException):
    """A statement of the interactive-video language is wrong."""


class VideoUploadException(ApiException):
    """Uploading a video failed."""


def exception_for_code(name: str) -> type[ResponseCodeException]:
    """The exception class named in api_spec/errors.yaml or an endpoint's `raises:`."""
    cls = globals().get(name)
    if isinstance(cls, type) and issubclass(cls, ResponseCodeException):
        return cls
    return ResponseCodeException


class DownloadException(ApiException):
    """A download failed: every CDN URL of a stream failed, or the bytes did not add up. The
    final file is never left half-written (a resumable `.part` may stay beside it)."""

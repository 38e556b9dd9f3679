"""Everything about a call that does not depend on sync or async: options, request
building, envelope decoding, models, retry decisions and pagination state."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from ._auth import BiliAuth, SharedState, wbi_query
from ._credential import SECRET_COOKIES, Credential
from ._endpoint import Call, Endpoint, Pager, dig, is_bilibili_host
from ._events import request_log
from ._exceptions import (
    ApiException,
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NetworkException,
    NetworkTimeoutException,
    RateLimitedException,
    ResponseCodeException,
    ResponseException,
    ResponseValidationException,
    RiskControlException,
    WbiRetryTimesExceedException,
    exception_for_code,
)
from ._settings import request_settings

T = TypeVar("T")
B = TypeVar("B", bound="BaseClient")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)

USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Referer": "https://www.bilibili.com"}
APP_KEY = "4409e2ce8ffd12b8"
APP_SEC = "59b43e04ad6965f34319062b478f83dd"
# Codes that say "the WBI signature was not accepted".
WBI_REJECT_CODES = frozenset({-352, -403})
RATE_LIMIT_CODES = frozenset({-509, -799})
# Transport errors raised before a byte of the request could have reached the server.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
MAX_BACKOFF = 8.0

_error_table: dict[int, type[ResponseCodeException]] | None = None


def _errors() -> dict[int, type[ResponseCodeException]]:
    global _error_table
    if _error_table is None:
        from .resources._error_codes import ERROR_CODES

        _error_table = {code: exception_for_code(name) for code, name in ERROR_CODES.items()}
    return _error_table


def app_sign(params: Mapping[str, Any]) -> dict[str, Any]:
    """Add `appkey` and the APP `sign` (md5 of the sorted query + app secret)."""
    from hashlib import md5
    from urllib.parse import urlencode

    out = dict(params)
    out["appkey"] = APP_KEY
    query = urlencode(sorted((k, str(v)) for k, v in out.items()))
    out["sign"] = md5((query + APP_SEC).encode()).hexdigest()
    return out


class BaseClient:
    """Options and the request/response logic shared by Client and AsyncClient."""

    _http: Any
    _closed: bool

    def __init__(
        self,
        credential: Credential | None,
        *,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        proxy: str | None,
        verify: bool | None,
        trust_env: bool | None,
        default_headers: Mapping[str, str] | None,
        base_urls: Mapping[str, str] | None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
    ) -> None:
        s = request_settings.get_all()
        if not isinstance(strict, bool):
            raise ArgsException(f"strict: expected a bool, got {strict!r}", argument="strict")
        # Validate responses without the lenient defaults (missing fields and nulls raise).
        self.strict = strict
        if credential is not None and not isinstance(credential, Credential):
            raise ArgsException("credential: expected a Credential or None", argument="credential")
        self.credential = credential
        self.timeout = _check_timeout(s["timeout"] if timeout is None else timeout)
        self.max_retries = _check_count(
            "max_retries", s["max_retries"] if max_retries is None else max_retries
        )
        self.wbi_retry_times = _check_count(
            "wbi_retry_times", s["wbi_retry_times"] if wbi_retry_times is None else wbi_retry_times
        )
        self.proxy = s["proxy"] if proxy is None else proxy
        self.verify = bool(s["verify_ssl"] if verify is None else verify)
        self.trust_env = bool(s["trust_env"] if trust_env is None else trust_env)
        if default_headers is not None and not isinstance(default_headers, Mapping):
            raise ArgsException("default_headers: expected a mapping", argument="default_headers")
        self.default_headers = {**DEFAULT_HEADERS, **dict(default_headers or {})}
        self.base_urls = _check_base_urls(base_urls)
        self._auto_buvid = bool(s["enable_auto_buvid"])
        self._bili_ticket = bool(s["enable_bili_ticket"])
        self._state = SharedState()
        self._owns_http = True
        self._timeout_ext = self.timeout.as_dict()
        self._override_hosts = {urlsplit(u).hostname for u in self.base_urls.values()}

    def _init_http(self, cls: type[H], given: Any, transport: Any) -> H:
        """The httpx client to send with: the caller's as is, or one we create and own."""
        self._closed = False
        if given is not None:
            if not isinstance(given, cls):
                raise ArgsException(
                    f"http_client: expected an httpx.{cls.__name__}", argument="http_client"
                )
            if transport is not None:
                raise ArgsException(
                    "transport: give either http_client or transport", argument="transport"
                )
            self._owns_http = False
            return given
        return cls(
            transport=transport,
            proxy=self.proxy or None,
            verify=self.verify,
            trust_env=self.trust_env,
            timeout=self.timeout,
        )

    # ------------------------------------------------------------ copies
    def _derive(self: B, overrides: dict[str, Any]) -> B:
        """A copy of this client with some options changed, sharing pool and key caches."""
        allowed = {
            "credential",
            "timeout",
            "max_retries",
            "default_headers",
            "base_urls",
            "wbi_retry_times",
            "strict",
        }
        for k in overrides:
            if k not in allowed:
                raise ArgsException(
                    f"{k}: cannot be changed by with_options (it needs a new connection pool)",
                    argument=k,
                )
        new = type(self).__new__(type(self))
        BaseClient.__init__(
            new,
            overrides.get("credential", self.credential),
            timeout=overrides.get("timeout", self.timeout),
            max_retries=overrides.get("max_retries", self.max_retries),
            proxy=self.proxy,
            verify=self.verify,
            trust_env=self.trust_env,
            default_headers=overrides.get("default_headers", self.default_headers),
            base_urls=overrides.get("base_urls", self.base_urls),
            wbi_retry_times=overrides.get("wbi_retry_times", self.wbi_retry_times),
            strict=overrides.get("strict", self.strict),
        )
        new._auto_buvid, new._bili_ticket = self._auto_buvid, self._bili_ticket
        new._http = self._http
        new._closed = False
        new._state = self._state
        new._owns_http = False
        return new

    # ------------------------------------------------------------ hosts and cookies
    def _url(self, url: str) -> str:
        if not self.base_urls:
            return url
        parts = urlsplit(url)
        host = parts.hostname or ""
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        base = self.base_urls.get(host)
        if base is None and host.endswith(".bilibili.com"):
            base = self.base_urls.get(host[: -len(".bilibili.com")])
        if base is not None:
            return base.rstrip("/") + rest
        star = self.base_urls.get("*")
        if star is not None:
            return f"{star.rstrip('/')}/{host}{rest}"
        return url

    def _sends_cookies(self, host: str) -> bool:
        return is_bilibili_host(host) or host in self._override_hosts

    def _cookies_for(self, ep: Endpoint[Any]) -> dict[str, str]:
        cookies: dict[str, str] = {}
        cred = self.credential
        if ep.auth != "none" and cred is not None:
            cookies.update(cred.get_cookies())
        elif cred is not None:
            for k in ("buvid3", "buvid4"):
                v = getattr(cred, k)
                if v:
                    cookies[k] = v
        st = self._state
        if "buvid3" not in cookies and st.buvid3:
            cookies["buvid3"] = st.buvid3
        if "buvid4" not in cookies and st.buvid4:
            cookies["buvid4"] = st.buvid4
        if st.ticket and self._bili_ticket:
            cookies["bili_ticket"] = st.ticket
            cookies["bili_ticket_expires"] = str(st.ticket_expires)
        return cookies

    def _plain_request(
        self, method: str, url: str, params: dict[str, Any] | None = None
    ) -> httpx.Request:
        return httpx.Request(
            method,
            self._url(url),
            params=params,
            headers=self.default_headers,
            extensions={"timeout": self._timeout_ext},
        )

    # ------------------------------------------------------------ building
    def _build(self, call: Call[Any]) -> tuple[httpx.Request, BiliAuth]:
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
        if ep.sign == "app":
            if form is not None and ep.method != "GET":
                form = app_sign(form)
            else:
                query = app_sign(query)
        url = ep.url
        if call.path:
            url = url.format(**{k: str(v) for k, v in call.path.items()})
        auth = BiliAuth(self, call, query)
        if ep.sign in ("wbi", "wbi+dm") and self._state.wbi_fresh():
            # Fast path: keys are cached, so the URL is built once, already signed.
            query, auth.generation = wbi_query(self._state, ep.sign, query)
        request = httpx.Request(
            ep.method,
            self._url(url),
            params=query or None,
            data=form,
            json=body,
            headers=self.default_headers,
            extensions={"timeout": self._timeout_ext},
        )
        return request, auth

    # ------------------------------------------------------------ decoding
    def _decode(self, call: Call[T], response: httpx.Response, validate: bool = True) -> Any:
        """The result of a response, or its payload unvalidated (`validate=False`, raw calls);
        raises on transport-level and envelope errors."""
        ep = call.endpoint
        status = response.status_code
        content = response.content
        if ep.decoder is not None and status < 400 and not _looks_like_json(response, content):
            return self._decode_raw(ep, response)
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = _NOT_JSON
        if body is _NOT_JSON or (status >= 400 and not (isinstance(body, dict) and "code" in body)):
            if status == 412:
                raise RiskControlException(
                    -412, "HTTP 412: blocked by risk control", endpoint=ep.label
                )
            if status >= 500 or status == 429:
                raise ResponseException(
                    f"HTTP {status} [{ep.label}]", status=status, endpoint=ep.label
                )
            kind = "the body is not JSON" if body is _NOT_JSON else "unexpected error body"
            raise ResponseException(
                f"HTTP {status}: {kind} [{ep.label}]", status=status, endpoint=ep.label
            )
        if isinstance(body, dict):
            code = body.get("code", 0)
            if code not in (0, "0", None):
                raise self._code_error(ep, code, body)
            if "OK" in body and body["OK"] != 1:
                raise ResponseCodeException(-1, "OK != 1", endpoint=ep.label, raw=body)
        if ep.decoder is not None:  # a JSON answer without an error code: decode it as bytes
            return self._decode_raw(ep, response)
        if ep.envelope == "none":
            payload = body
        elif isinstance(body, dict):
            payload = body.get(ep.envelope)
            if payload is None and ep.envelope == "data":
                payload = body.get("result")
        else:
            raise ResponseException(
                f"malformed envelope [{ep.label}]", status=status, endpoint=ep.label
            )
        return self._validate(ep, payload) if validate else payload

    def _decode_raw(self, ep: Endpoint[T], response: httpx.Response) -> T:
        try:
            return ep.decode_body(response.content, response.text)  # type: ignore[no-any-return]
        except (ValueError, SyntaxError) as e:  # DecodeError and UnicodeError; XML ParseError
            raise ResponseException(
                f"malformed body: {e} [{ep.label}]", status=response.status_code, endpoint=ep.label
            ) from e

    def _code_error(
        self, ep: Endpoint[Any], code: Any, body: dict[str, Any]
    ) -> ResponseCodeException:
        try:
            icode = int(code)
        except (TypeError, ValueError):
            icode = -1
        message = str(body.get("message") or body.get("msg") or code)
        name = ep.raises.get(icode)
        cls = exception_for_code(name) if name else _errors().get(icode, ResponseCodeException)
        return cls(icode, message, data=body.get("data"), endpoint=ep.label, raw=body)

    def _validate(self, ep: Endpoint[T], payload: Any) -> T:
        validate = ep._adapter
        if validate is None:
            if ep.model is None:
                return None  # type: ignore[return-value]
            validate = ep._adapter = _validator(ep.model)
        from pydantic import ValidationError

        try:
            if not self.strict:
                return validate(payload)  # type: ignore[no-any-return]
            result = validate(payload, context=_STRICT_CONTEXT)
        except ValidationError as e:
            problems = [
                f"{'.'.join(str(x) for x in err['loc']) or '<root>'}: {err['msg']}"
                for err in e.errors()
            ]
            raise _invalid(ep, payload, problems) from e
        from ._response import missing_fields

        missing = missing_fields(result)
        if missing:
            raise _invalid(ep, payload, [f"{m}: missing (strict)" for m in missing])
        return result  # type: ignore[no-any-return]

    # ------------------------------------------------------------ retries
    def _retry_delay(
        self, call: Call[Any], error: Exception, attempt: int, response: httpx.Response | None
    ) -> float | None:
        """Seconds to wait before retrying, or None when it is not safe or not worth it."""
        if attempt >= self.max_retries:
            return None
        idempotent = call.endpoint.method == "GET"
        if isinstance(error, httpx.TransportError):
            if not (idempotent or isinstance(error, NOT_SENT_ERRORS)):
                return None
        elif (
            isinstance(error, RateLimitedException)
            or (
                isinstance(error, ResponseException)
                and not isinstance(error, ResponseValidationException)
                and (error.status or 0) >= 500
            )
            or (isinstance(error, ResponseException) and error.status == 429)
        ):
            if not idempotent:
                return None
        else:
            return None
        delay: float = min(MAX_BACKOFF, 0.5 * (2**attempt)) * (0.75 + random.random() / 2)
        if response is not None:
            ra = str(response.headers.get("Retry-After") or "")
            if ra and ra.isdigit():
                delay = min(MAX_BACKOFF * 4, float(ra))
        return delay

    def _network_error(self, call: Call[Any], e: httpx.TransportError) -> NetworkException:
        cls = NetworkTimeoutException if isinstance(e, httpx.TimeoutException) else NetworkException
        return cls(f"{type(e).__name__} [{call.endpoint.label}]")

    def _wbi_rejected(
        self, call: Call[Any], error: ApiException, auth: BiliAuth, wbi_attempt: int
    ) -> bool:
        """True when the keys were refreshed and the call should be signed and sent again."""
        if call.endpoint.sign not in ("wbi", "wbi+dm") or not isinstance(
            error, ResponseCodeException
        ):
            return False
        if error.code not in WBI_REJECT_CODES:
            return False
        if wbi_attempt >= self.wbi_retry_times:
            raise WbiRetryTimesExceedException(
                error.code,
                f"{error.message} (WBI signature still rejected after {wbi_attempt} refreshes)",
                data=error.data,
                endpoint=error.endpoint,
                raw=error.raw,
            ) from error
        self._state.invalidate_wbi(auth.generation)
        return True

    # ------------------------------------------------------------ logging
    def _log_request(self, call: Call[Any], request: httpx.Request) -> None:
        if request_log.enabled_for("API_REQUEST"):
            request_log.emit("API_REQUEST", _redact_request(call, request))

    def _log_response(self, call: Call[Any], response: httpx.Response, started: float) -> None:
        if request_log.enabled_for("API_RESPONSE"):
            request_log.emit(
                "API_RESPONSE",
                {
                    "endpoint": call.endpoint.name,
                    "status": response.status_code,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    def _nav_request(self) -> Call[Any]:
        return Call(_NAV)


_NOT_JSON = object()
_STRICT_CONTEXT = {"bilibili_sdk.strict": True}


def _invalid(ep: Endpoint[Any], payload: Any, problems: list[str]) -> ResponseValidationException:
    """Which fields failed, where, and how to get at the raw body."""
    shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
    name = getattr(ep.model, "__name__", str(ep.model))
    ns, _, method = ep.name.partition(".")
    hint = (
        f"the raw body is in this exception's .data, or call "
        f"client.{ns}.with_raw_response.{method}(...)"
        if method
        else "the raw body is in this exception's .data"
    )
    return ResponseValidationException(
        f"the response does not fit {name}: {shown} [{ep.label}]; {hint}",
        data=payload,
        endpoint=ep.label,
    )


_NAV: Endpoint[Any] = Endpoint(
    "credential.check_valid",
    "GET",
    "https://api.bilibili.com/x/web-interface/nav",
    auth="optional",
    envelope="data",
    model=Any,
)
REDACTED = "<hidden>"
_SECRET_PARAMS = frozenset(
    {"csrf", "csrf_token", "access_key", "refresh_token", "w_rid"}
    | {c.lower() for c in SECRET_COOKIES}
)


def _redact_request(call: Call[Any], request: httpx.Request) -> dict[str, Any]:
    params = {k: (REDACTED if k.lower() in _SECRET_PARAMS else v) for k, v in call.query.items()}
    form: dict[str, Any] = dict(call.form or {})
    if "form-urlencoded" in request.headers.get("content-type", ""):
        form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
    return {
        "endpoint": call.endpoint.name,
        "method": request.method,
        "url": f"{request.url.scheme}://{request.url.host}{request.url.path}",
        "params": params,
        "form": {k: (REDACTED if k.lower() in _SECRET_PARAMS else v) for k, v in form.items()},
        "cookies": REDACTED if "cookie" in request.headers else None,
    }


class PageState:
    """Walks the pages of an `iter_*` call; shared by the sync and async loops."""

    def __init__(self, pager: Pager, start: Any, limit: int | None) -> None:
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0
        ):
            raise ArgsException(
                f"limit: expected a positive int or None, got {limit!r}", argument="limit"
            )
        self.pager = pager
        self.position = start if (start is not None or pager.style == "cursor") else 1
        self.start = self.position
        self.limit = limit
        self.count = 0
        self.per_page = 0
        self.done = False
        self._prev: Any = None

    def feed(self, result: Any) -> list[Any]:
        """Items of this page to yield; sets `done` and moves `position`."""
        p = self.pager
        items = list(dig(result, p.items) or [])
        if not items or items == self._prev:
            self.done = True
            return []
        self._prev = items
        if self.limit is not None and self.count + len(items) >= self.limit:
            items = items[: self.limit - self.count]
            self.done = True
        self.count += len(items)
        if dig(result, p.has_more) is False or dig(result, p.has_more) == 0:
            self.done = True
        if p.style == "page":
            self.per_page = self.per_page or len(items)
            total = dig(result, p.total)
            if isinstance(total, int) and self.position * self.per_page >= total:
                self.done = True
            self.position += 1
        else:
            nxt = dig(result, p.next)
            if nxt in (None, "", 0, self.position):
                self.done = True
            self.position = nxt
        return items


def _looks_like_json(response: httpx.Response, content: bytes) -> bool:
    """Endpoints with a binary body still answer errors as JSON envelopes."""
    if "json" in response.headers.get("content-type", ""):
        return True
    return content[:1] == b"{" and content.rstrip()[-1:] == b"}"


def _validator(model: Any) -> Callable[[Any], Any]:
    """The fastest validating callable for a response type (pydantic is imported here, late)."""
    from pydantic import BaseModel, TypeAdapter

    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate
    if model is Any:
        return lambda payload: payload
    return TypeAdapter(model).validate_python


def _check_timeout(value: Any) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ArgsException(
            f"timeout: expected seconds > 0 or an httpx.Timeout, got {value!r}", argument="timeout"
        )
    return httpx.Timeout(float(value), connect=min(5.0, float(value)))


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgsException(f"{name}: expected an int >= 0, got {value!r}", argument=name)
    return value


def _check_base_urls(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgsException(
            "base_urls: expected a mapping of host -> base URL", argument="base_urls"
        )
    out = {}
    for k, v in value.items():
        if (
            not isinstance(k, str)
            or not isinstance(v, str)
            or not v.startswith(("http://", "https://"))
        ):
            raise ArgsException(
                f"base_urls: {k!r} must map to an http(s) URL, got {v!r}", argument="base_urls"
            )
        out[k] = v
    return out

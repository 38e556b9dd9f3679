"""Everything about a call that does not depend on sync or async: options, request
building, envelope decoding, models, retry decisions and pagination state."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

from . import _redact
from ._auth import AuthContext, BiliAuth, Lookup
from ._credential import Credential
from ._endpoint import Call, Endpoint, Pager, dig
from ._events import request_log
from ._exceptions import (
    ApiException,
    ArgsException,
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
from ._redact import REDACTED, SECRET_PARAMS, credential_secrets
from ._settings import NOT_GIVEN, ClientOptions, NotGiven

T = TypeVar("T")
B = TypeVar("B", bound="BaseClient")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)

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


class BaseClient:
    """Options and the request/response logic shared by Client and AsyncClient."""

    _http: Any
    _closed: bool

    def __init__(self, options: ClientOptions, auth_context: AuthContext | None = None) -> None:
        self.options = options
        """Everything the client was configured with (validated, read-only)."""
        # What the auth flow gets instead of the client: cookies, signing, shared key caches.
        self._auth_context = AuthContext(options) if auth_context is None else auth_context
        self._owns_state = auth_context is None  # copies share the state: the original closes it
        self._owns_http = True
        self._deadline_limit = options.effective_deadline
        self._background: set[Any] = set()  # the async client's buvid activation tasks
        _redact.install()  # httpx logs request URLs, and some carry csrf

    # The options, as attributes of the client.
    @property
    def credential(self) -> Credential | None:
        return self.options.credential

    @property
    def timeout(self) -> httpx.Timeout:
        return self.options.timeout

    @property
    def max_retries(self) -> int:
        return self.options.max_retries

    @property
    def proxy(self) -> str | None:
        return self.options.proxy

    @property
    def verify(self) -> bool:
        return self.options.verify

    @property
    def trust_env(self) -> bool:
        return self.options.trust_env

    @property
    def default_headers(self) -> Mapping[str, str]:
        return self.options.default_headers

    @property
    def base_urls(self) -> Mapping[str, str]:
        return self.options.base_urls

    @property
    def trusted_hosts(self) -> frozenset[str]:
        return self.options.trusted_hosts

    @property
    def wbi_retry_times(self) -> int:
        return self.options.wbi_retry_times

    @property
    def strict(self) -> bool:
        """Validate responses without lenient defaults."""
        return self.options.strict

    def _init_http(self, cls: type[H], given: Any, transport: Any) -> H:
        """The httpx client to send with: the caller's as is, or one we create and own."""
        self._closed = False
        if given is not None:
            if not isinstance(given, cls):
                raise ArgsException(
                    f"http_client: expected an httpx.{cls.__name__}, got {type(given).__name__}",
                    argument="http_client",
                )
            if transport is not None:
                raise ArgsException(
                    "transport: give http_client or transport, not both (a transport belongs "
                    "in the httpx client you pass)",
                    argument="transport",
                )
            self._owns_http = False
            return given
        o = self.options
        return cls(
            transport=transport,
            proxy=o.proxy or None,
            verify=o.verify,
            trust_env=o.trust_env,
            timeout=o.timeout,
        )

    # ------------------------------------------------------------ copies
    def with_options(
        self: B,
        *,
        credential: Credential | NotGiven | None = NOT_GIVEN,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven | None = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        base_urls: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        trusted_hosts: Iterable[str] | NotGiven | None = NOT_GIVEN,
        wbi_retry_times: int | NotGiven | None = NOT_GIVEN,
        strict: bool | NotGiven = NOT_GIVEN,
        auto_refresh: bool | NotGiven = NOT_GIVEN,
        proxy: NotGiven = NOT_GIVEN,
        verify: NotGiven = NOT_GIVEN,
        trust_env: NotGiven = NOT_GIVEN,
        http_client: NotGiven = NOT_GIVEN,
        transport: NotGiven = NOT_GIVEN,
    ) -> B:
        """A copy with some options changed, sharing the connection pool and key caches.

        An option left out stays as it is; None means its default, as in the constructor.
        `proxy`, `verify`, `trust_env`, `http_client` and `transport` belong to the connection
        pool: they raise `ArgsException` here (create another client instead).
        """
        pool = {
            "proxy": proxy,
            "verify": verify,
            "trust_env": trust_env,
            "http_client": http_client,
            "transport": transport,
        }
        for name, value in pool.items():
            if value is not NOT_GIVEN:
                raise ArgsException(
                    f"{name}: cannot be changed by with_options (it needs a new connection "
                    "pool); give it to a new client instead",
                    argument=name,
                )
        given: dict[str, Any] = {
            "credential": credential,
            "timeout": timeout,
            "deadline": deadline,
            "max_retries": max_retries,
            "default_headers": default_headers,
            "base_urls": base_urls,
            "trusted_hosts": trusted_hosts,
            "wbi_retry_times": wbi_retry_times,
            "strict": strict,
            "auto_refresh": auto_refresh,
        }
        changes = {
            k: ClientOptions.default(k) if v is None else v
            for k, v in given.items()
            if v is not NOT_GIVEN
        }
        options = dataclasses.replace(self.options, **changes)
        new = type(self).__new__(type(self))
        BaseClient.__init__(new, options, self._auth_context.derive(options))
        new._http = self._http
        new._closed = False
        new._owns_http = False
        return new

    # ------------------------------------------------------------ building
    def _build(self, call: Call[Any]) -> tuple[httpx.Request, BiliAuth]:
        # Cookies, csrf, signatures and prerequisites are the auth context's business.
        return self._auth_context.build(call)

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
                if payload is None:  # Bilibili's way of saying "empty"
                    payload = _empty(ep.model)
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
        self,
        call: Call[Any],
        error: Exception,
        attempt: int,
        response: httpx.Response | None,
        deadline: float | None = None,
    ) -> float | None:
        """Seconds to wait before retrying, or None when it is not safe or not worth it (or
        when the call's deadline would pass before the retry starts)."""
        if attempt >= self.max_retries:
            return None
        idempotent = call.endpoint.method == "GET"
        if isinstance(error, NetworkException):
            # Raised by a lookup (the WBI keys) before the call was sent: safe to repeat.
            pass
        elif isinstance(error, httpx.TransportError):
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
        if deadline is not None and time.monotonic() + delay >= deadline:
            return None  # no time left for another attempt: report this failure now
        return delay

    # ------------------------------------------------------------ the call's deadline
    def _deadline_at(self) -> float | None:
        """When a call starting now must be over (`time.monotonic()`), or None."""
        limit = self._deadline_limit
        return None if limit is None else time.monotonic() + limit

    @staticmethod
    def _past(deadline: float | None) -> bool:
        # A timeout capped to the time left may fire a hair early.
        return deadline is not None and time.monotonic() >= deadline - 0.005

    def _deadline_error(self, call: Call[Any]) -> NetworkTimeoutException:
        return NetworkTimeoutException(
            f"the call took longer than its deadline ({self.options.effective_deadline:g} s) "
            f"[{call.endpoint.label}]"
        )

    def _lookup_budget(self, need: Lookup, deadline: float | None) -> float | None:
        """When a lookup must be over: the call's deadline, and one read timeout at most for
        a best-effort one (the call goes on without it)."""
        read = self.options.timeout.read
        if not need.best_effort or read is None:
            return deadline
        own = time.monotonic() + read
        return own if deadline is None else min(deadline, own)

    def _cap_timeouts(self, request: httpx.Request, deadline: float, call: Call[Any]) -> None:
        """No httpx timeout of this request longer than the time left."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._deadline_error(call)
        given = request.extensions.get("timeout") or self.options.timeout.as_dict()
        request.extensions["timeout"] = {
            k: left if v is None else min(v, left) for k, v in given.items()
        }

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
        self._auth_context.state.invalidate_wbi(auth.generation)
        return True

    # ------------------------------------------------------------ logging
    def _log_request(self, call: Call[Any], request: httpx.Request) -> None:
        """Emit API_REQUEST; called once the cookies are on the request, so that the event
        says whether some were sent (never their values)."""
        if request_log.enabled_for("API_REQUEST"):
            secrets = credential_secrets(self.credential)
            request_log.emit("API_REQUEST", _redact_request(call, request, secrets))

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
# Hidden in request_log events: the secrets, and the signature (noise, and tied to the keys).
_HIDDEN_PARAMS = SECRET_PARAMS | {"w_rid"}


def _redact_request(call: Call[Any], request: httpx.Request, secrets: list[str]) -> dict[str, Any]:
    """The request_log payload: no secret by name, and no credential value in any parameter."""

    def clean(params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: REDACTED if k.lower() in _HIDDEN_PARAMS or any(s in str(v) for s in secrets) else v
            for k, v in params.items()
        }

    # The call's parameters (lists kept), plus what the runtime added: csrf, signatures.
    query: dict[str, Any] = dict(call.query)
    for k, v in request.url.params.items():
        query.setdefault(k, v)
    form: Mapping[str, Any] = call.form or {}
    if "form-urlencoded" in request.headers.get("content-type", ""):
        form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
    return {
        "endpoint": call.endpoint.name,
        "method": request.method,
        "url": f"{request.url.scheme}://{request.url.host}{request.url.path}",
        "params": clean(query),
        "form": clean(form),
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


def _empty(model: Any) -> Any:
    """What a `null` payload stands for in lenient mode: an empty model, list or mapping."""
    import types
    import typing

    from pydantic import BaseModel

    if isinstance(model, type) and issubclass(model, BaseModel):
        return {}
    origin = typing.get_origin(model)
    if origin is typing.Union or origin is types.UnionType:  # the first member's empty value
        return _empty(typing.get_args(model)[0])
    if origin is list:
        return []
    if origin is dict:
        return {}
    return None


def _validator(model: Any) -> Callable[[Any], Any]:
    """The fastest validating callable for a response type (pydantic is imported here, late)."""
    from pydantic import BaseModel, TypeAdapter

    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate
    if model is Any:
        return lambda payload: payload
    return TypeAdapter(model).validate_python

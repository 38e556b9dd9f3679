"""Client options, declared once (`ClientOptions`), and the process-wide defaults they start
from (`request_settings`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import httpx

from ._credential import Credential
from ._exceptions import ArgsException

__all__ = ["NOT_GIVEN", "ClientOptions", "NotGiven", "RequestSettings", "request_settings"]

USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Referer": "https://www.bilibili.com"}

_DEFAULTS: dict[str, Any] = {
    "proxy": None,
    "timeout": 10.0,
    "verify_ssl": True,
    "trust_env": True,
    "max_retries": 2,
    "wbi_retry_times": 3,
    "enable_auto_buvid": True,
    "enable_bili_ticket": True,
}


class RequestSettings:
    """Defaults for clients created afterwards; an existing client keeps what it was given."""

    def __init__(self) -> None:
        self._values = dict(_DEFAULTS)

    def get(self, name: str) -> Any:
        self._check(name)
        return self._values[name]

    def set(self, name: str, value: Any) -> None:
        self._check(name)
        self._values[name] = value

    def get_all(self) -> dict[str, Any]:
        return dict(self._values)

    def reset(self) -> None:
        self._values = dict(_DEFAULTS)

    def _check(self, name: str) -> None:
        if name not in _DEFAULTS:
            raise ArgsException(
                f"name: expected one of {', '.join(map(repr, _DEFAULTS))}, got {name!r}",
                argument="name",
            )


request_settings = RequestSettings()


class NotGiven:
    """The default of `with_options` arguments: leave that option as it is."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _setting(name: str) -> Callable[[], Any]:
    """A field default read from `request_settings` when the options are created."""
    return lambda: request_settings.get(name)


@dataclass(frozen=True)
class ClientOptions:
    """What a client is configured with (`client.options`): declared and checked here, once,
    for `Client`, `AsyncClient`, `with_options` and the live connections.

    `ClientOptions.build(...)` takes the clients' constructor arguments (None: the default,
    mostly from `request_settings`); `dataclasses.replace()` derives a copy. Either way
    `__post_init__` checks and normalises every field and raises `ArgsException` naming a
    bad one, so no instance holds an unchecked value.
    """

    credential: Credential | None = None
    """Login cookies; without them only public data is reachable."""
    _: KW_ONLY
    timeout: httpx.Timeout = field(default_factory=_setting("timeout"))
    """Per request; seconds `s` become `httpx.Timeout(s, connect=min(5, s))`."""
    deadline: float | None = None
    """Seconds a whole call may take, retries and lookups included (httpx's timeouts are per
    socket operation: a server sending a byte at a time never trips them). None: 3 times the
    read timeout (`effective_deadline`); `math.inf`: no deadline."""
    max_retries: int = field(default_factory=_setting("max_retries"))
    """Retries of failures that are safe to repeat (never a non-GET that may have arrived)."""
    proxy: str | None = field(default_factory=_setting("proxy"), repr=False)
    """Proxy URL for the connection pool and the websockets (not shown: it may hold a login)."""
    verify: bool = field(default_factory=_setting("verify_ssl"))
    """Verify TLS certificates."""
    trust_env: bool = field(default_factory=_setting("trust_env"))
    """Read proxies and certificates from the environment."""
    default_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Sent with every request: given headers merged over the built-in User-Agent and
    Referer (the merged result is stored)."""
    base_urls: Mapping[str, str] = field(default_factory=dict)
    """host -> base URL overrides (`{"api": "http://127.0.0.1:8000"}`, `{"*": ...}`)."""
    trusted_hosts: frozenset[str] = frozenset()
    """Hosts besides Bilibili's own and loopback that get the credential (cookies, csrf): a
    proxy or mirror of yours that `base_urls` points at. Lower case, no port."""
    wbi_retry_times: int = field(default_factory=_setting("wbi_retry_times"))
    """Key refreshes and re-signs after a rejected WBI signature before giving up."""
    strict: bool = False
    """Validate responses without the lenient defaults (missing or null fields raise)."""
    auto_refresh: bool = False
    """Before a logged-in call, at most once a day per credential, ask whether the cookies
    need refreshing and refresh them in place (needs `ac_time_value` and the `login` extra)."""

    DEADLINE_FACTOR: ClassVar[float] = 3.0
    """The default deadline, in read timeouts."""
    POOL_OPTIONS: ClassVar[tuple[str, ...]] = ("proxy", "verify", "trust_env")
    """Options of the connection pool: `with_options` cannot change them."""

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: normalise here, once, before anyone can read it
        if self.credential is not None and not isinstance(self.credential, Credential):
            raise ArgsException(
                "credential: expected a bilibili_sdk.Credential or None, "
                f"got {type(self.credential).__name__}",
                argument="credential",
            )
        put(self, "timeout", _check_timeout(self.timeout))
        put(self, "deadline", _check_deadline(self.deadline))
        put(self, "max_retries", _check_count("max_retries", self.max_retries))
        if self.proxy is not None and not isinstance(self.proxy, str):
            raise ArgsException(
                "proxy: expected a URL string like 'http://127.0.0.1:7890' or None, "
                f"got {type(self.proxy).__name__}",
                argument="proxy",
            )
        put(self, "verify", bool(self.verify))
        put(self, "trust_env", bool(self.trust_env))
        put(self, "default_headers", _check_headers(self.default_headers))
        put(self, "base_urls", MappingProxyType(_check_base_urls(self.base_urls)))
        put(self, "trusted_hosts", _check_hosts(self.trusted_hosts))
        put(self, "wbi_retry_times", _check_count("wbi_retry_times", self.wbi_retry_times))
        if not isinstance(self.auto_refresh, bool):
            raise ArgsException(
                f"auto_refresh: expected True or False, got {self.auto_refresh!r}",
                argument="auto_refresh",
            )
        if not isinstance(self.strict, bool):
            raise ArgsException(
                f"strict: expected True or False, got {self.strict!r}", argument="strict"
            )

    @property
    def effective_deadline(self) -> float | None:
        """Seconds a call may take in all, or None when nothing bounds it."""
        if self.deadline is not None:
            return None if math.isinf(self.deadline) else self.deadline
        read = self.timeout.read
        return None if read is None else self.DEADLINE_FACTOR * read

    @classmethod
    def build(
        cls,
        credential: Credential | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
        proxy: str | None = None,
        verify: bool | None = None,
        trust_env: bool | None = None,
        default_headers: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        trusted_hosts: Iterable[str] | None = None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
        auto_refresh: bool = False,
    ) -> ClientOptions:
        """Options from the clients' constructor arguments; None takes the default."""
        # Plain values (seconds, a mapping) become field values in __post_init__.
        given: dict[str, Any] = {
            "timeout": timeout,
            "deadline": deadline,
            "max_retries": max_retries,
            "proxy": proxy,
            "verify": verify,
            "trust_env": trust_env,
            "default_headers": default_headers,
            "base_urls": base_urls,
            "trusted_hosts": trusted_hosts,
            "wbi_retry_times": wbi_retry_times,
            "strict": strict,
            "auto_refresh": auto_refresh,
        }
        return cls(credential, **{k: v for k, v in given.items() if v is not None})

    @classmethod
    def default(cls, name: str) -> Any:
        """The value option `name` takes when given as None (read now, for `request_settings`)."""
        f = next((f for f in dataclasses.fields(cls) if f.name == name), None)
        if f is None:
            known = ", ".join(repr(f.name) for f in dataclasses.fields(cls))
            raise ArgsException(
                f"name: expected a client option ({known}), got {name!r}", argument="name"
            )
        if f.default_factory is not dataclasses.MISSING:
            return f.default_factory()
        return f.default


def _check_timeout(value: Any) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ArgsException(
            f"timeout: expected seconds > 0 or an httpx.Timeout, got {value!r}", argument="timeout"
        )
    return httpx.Timeout(float(value), connect=min(5.0, float(value)))


def _check_deadline(value: Any) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or value <= 0
    ):
        raise ArgsException(
            f"deadline: expected seconds > 0, math.inf (none) or None (3 x the read timeout), "
            f"got {value!r}",
            argument="deadline",
        )
    return float(value)


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgsException(f"{name}: expected an int >= 0, got {value!r}", argument=name)
    return value


def _check_headers(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ArgsException(
            "default_headers: expected a mapping of header name -> value, "
            f"got {type(value).__name__}",
            argument="default_headers",
        )
    return MappingProxyType({**DEFAULT_HEADERS, **dict(value)})


def _check_base_urls(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgsException(
            "base_urls: expected a mapping of host -> base URL "
            f"(like {{'*': 'http://127.0.0.1:8000'}}), got {type(value).__name__}",
            argument="base_urls",
        )
    out = {}
    for k, v in value.items():
        if (
            not isinstance(k, str)
            or not isinstance(v, str)
            or not v.startswith(("http://", "https://"))
        ):
            raise ArgsException(
                f"base_urls: expected host -> 'http://...' or 'https://...' URL, got {k!r} -> {v!r}",
                argument="base_urls",
            )
        out[k] = v
    return out


def _check_hosts(value: Any) -> frozenset[str]:
    """Host names, normalised: lower case, no trailing dot, IPv6 without brackets."""
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ArgsException(
            "trusted_hosts: expected a set of host names like {'api.example.org'}, "
            f"got {type(value).__name__}",
            argument="trusted_hosts",
        )
    out = set()
    for host in value:
        name = host.strip().lower().rstrip(".") if isinstance(host, str) else ""
        if name.startswith("[") and name.endswith("]"):
            name = name[1:-1]
        bad = not name or any(c in name for c in "/@?#[] \t")
        if not bad and ":" in name:  # only an IPv6 address may hold a colon (never a port)
            import ipaddress

            try:
                ipaddress.IPv6Address(name)
            except ValueError:
                bad = True
        if bad:
            raise ArgsException(
                "trusted_hosts: expected host names without scheme, port or path "
                f"(like 'api.example.org'), got {host!r}",
                argument="trusted_hosts",
            )
        out.add(name)
    return frozenset(out)

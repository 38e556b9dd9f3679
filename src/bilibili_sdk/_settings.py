"""Process-wide defaults that new clients inherit (`request_settings`)."""

from __future__ import annotations

from typing import Any

from ._exceptions import ArgsException

__all__ = ["RequestSettings", "request_settings"]

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
                f"name: unknown setting {name!r}; known: {', '.join(_DEFAULTS)}", argument="name"
            )


request_settings = RequestSettings()

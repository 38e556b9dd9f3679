"""Secrets out of log lines and events.

httpx logs every request URL at INFO ("HTTP Request: GET <url>"), and GET endpoints that take
csrf carry bili_jct in that URL; httpcore logs response headers (Set-Cookie) at DEBUG. We
cannot change what they log, so a `logging.Filter` on their loggers (and ours) rewrites a
record whose message holds a secret: values of secret parameters and cookies by name, and
any value of a live client's credential wherever it appears. `install()` runs whenever a
client is created; the filter keeps no state between records and leaves a record without
secrets exactly as it was.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from ._credential import Credential

__all__ = ["REDACTED", "SECRET_PARAMS", "credential_secrets", "install", "redact", "watch"]

REDACTED = "<hidden>"
SECRET_PARAMS = frozenset(
    {"csrf", "csrf_token", "access_key", "refresh_token", "sessdata", "bili_jct", "ac_time_value"}
    # Login: each of these can finish a login (or is the encrypted password) while it lives.
    | {"password", "qrcode_key", "auth_code", "tmp_code", "captcha_key", "seccode", "validate"}
    | {"refresh_csrf"}
)
"""Parameter and cookie names (lower case) whose values are secret wherever they appear."""
MIN_SECRET_LENGTH = 6
"""Shorter credential values are not hunted in free text (they would mask ordinary words)."""
LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "bilibili_sdk",
    "bilibili_sdk.auth",
    "bilibili_sdk.live",
    "bilibili_sdk.request",
)
_PREFIXES = ("httpx.", "httpcore.", "bilibili_sdk.")

_NAMES = "|".join(sorted(SECRET_PARAMS, key=len, reverse=True))
# name=value in a query, a form body or a cookie header (also percent-encoded `=`).
_PAIR = re.compile(rf"(?i)(?<![\w%-])({_NAMES})(=|%3D)([^&;#\s'\"<>]*)")
# "name": "value" in JSON, 'name': 'value' in a Python repr.
_QUOTED = re.compile(rf"""(?i)(["'])({_NAMES})\1(\s*:\s*)(["'])((?:(?!\4).)*)\4""")


def redact(text: str, values: Iterable[str] = ()) -> str:
    """`text` with secret parameter values and the given secret values replaced."""
    if "=" in text or "%3D" in text or "%3d" in text:
        text = _PAIR.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
    if ":" in text:
        text = _QUOTED.sub(lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[4]}{REDACTED}{m[4]}", text)
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def credential_secrets(credential: Credential | None) -> list[str]:
    """The values of a credential as they may appear in text (plain, quoted, unquoted),
    longest first. DedeUserID is left out: it is the public user id, the `mid` of ordinary
    calls, and masking it would hide every occurrence of that number."""
    if credential is None:
        return []
    out: set[str] = set()
    for name, value in credential.get_cookies().items():
        if name == "DedeUserID" or len(value) < MIN_SECRET_LENGTH:
            continue
        out.update((value, unquote(value), quote(value, safe=""), quote(unquote(value), safe="")))
    return sorted(out, key=len, reverse=True)


# ---------------------------------------------------------------- the credentials in use
_sources: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()


def watch(source: Any) -> None:
    """Hide `source.credential`'s values from log records while `source` is alive (read at
    each record, so a refreshed credential is covered too)."""
    with _lock:
        _sources.add(source)


def _live_secrets() -> list[str]:
    with _lock:
        sources = list(_sources)
    values: set[str] = set()
    for source in sources:
        values.update(credential_secrets(getattr(source, "credential", None)))
    return sorted(values, key=len, reverse=True)


class RedactingFilter(logging.Filter):
    """Rewrites a record whose formatted message holds a secret; other records pass as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        clean = redact(message, _live_secrets())
        if clean != message:
            record.msg, record.args = clean, ()
        return True


FILTER = RedactingFilter("bilibili_sdk.redact")
_httpx_logger = logging.getLogger("httpx")


def install() -> None:
    """Put the filter on httpx's, httpcore's and our loggers (idempotent, cheap when done).

    A logger filter sees only records logged on that very logger, not its children's, so
    every logger those libraries use is listed, plus any child that exists now.
    """
    if FILTER in _httpx_logger.filters:
        return
    names = set(LOGGERS)
    names.update(n for n in list(logging.root.manager.loggerDict) if n.startswith(_PREFIXES))
    for name in sorted(names):
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)

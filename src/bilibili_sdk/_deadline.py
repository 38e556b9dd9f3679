"""The whole-call deadline, sync half.

httpx's timeouts apply to each socket operation: a server that sends a byte every 0.3 s never
trips a 1 s read timeout. Async calls are bounded from outside (`asyncio.timeout`); a
blocking read cannot be interrupted that way, so the sync client bounds it from inside:

- `Client._send` puts the call's deadline (a `time.monotonic()` value) in `CALL_DEADLINE`;
- `install()` wraps the network backend of the connection pools httpx made for a client we
  own, so that every connect, TLS handshake, read and write gets at most the time left
  (status line and headers included; see `_deadline_net`);
- `DeadlineStream` checks the deadline between body chunks, which also bounds a dripping
  body on an injected `http_client` (whose pools we never touch).

httpcore is imported only by `install()`: `import bilibili_sdk` stays without it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import httpx

__all__ = ["CALL_DEADLINE", "DeadlineStream", "install"]

CALL_DEADLINE: ContextVar[float | None] = ContextVar("bilibili_sdk_call_deadline", default=None)
"""When the current sync call (or lookup) must be over, on the `time.monotonic()` clock."""


def install(http: httpx.Client) -> bool:
    """Wrap the network backends of `http`'s connection pools (ours: made by httpx for a
    client we created). True when every pool was found; httpx keeps them in private
    attributes, so a version that moves them leaves only the chunk check."""
    from ._deadline_net import wrap

    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    found = True
    for transport in transports:
        if transport is None:  # a mount that disables proxying for some URLs
            continue
        pool = getattr(transport, "_pool", None)
        found = wrap(pool) and found
    return found


class DeadlineStream(httpx.SyncByteStream):
    """A response body that stops when the call's deadline passes between two chunks."""

    def __init__(self, inner: Any, deadline: float, request: httpx.Request) -> None:
        self._inner = inner
        self._deadline = deadline
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() >= self._deadline:
                raise httpx.ReadTimeout("the call's deadline passed", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()

"""The mock's video CDN: playurl stream URLs served with Range support (filled in by issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._mock import MockBilibili, RecordedRequest


class MockCdn:
    """Serves media bytes at the stream URLs the mock's playurl answers point at."""

    def __init__(self, mock: MockBilibili) -> None:
        self._mock = mock

    def handle(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response | None:
        """The answer to a CDN request, or None when `request` is not one."""
        return None

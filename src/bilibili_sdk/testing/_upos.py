"""The mock's upos upload servers (line probe, init, chunk PUTs, complete; filled in by issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._mock import MockBilibili, RecordedRequest


class MockUpos:
    """Speaks the upos protocol so upload code can be tested end to end."""

    def __init__(self, mock: MockBilibili) -> None:
        self._mock = mock

    def handle(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response | None:
        """The answer to an upos request, or None when `request` is not one."""
        return None

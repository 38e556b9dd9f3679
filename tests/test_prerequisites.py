"""Issue 9.5: buvid and bili_ticket are best effort and retried with back-off; the WBI key
lookup fails loudly, naming nav; the lookups of a cold client go side by side."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    ApiException,
    AsyncClient,
    Client,
    NetworkException,
    ResponseCodeException,
    ResponseException,
    _auth,
)
from bilibili_sdk.testing import MockBilibili

from ._hardening import ACTIVATE, BVID, FLAVOURS, NAV, SPI, TICKET, run


def _failing(mode: str, paths: tuple[str, ...], seen: list[str]) -> httpx.MockTransport:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith(paths):
            if mode == "refused":
                raise httpx.ConnectError("connection refused", request=request)
            if mode == "5xx":
                return httpx.Response(503, text="busy")
            if mode == "garbage":
                return httpx.Response(200, content=b"<html>not json</html>")
            return httpx.Response(200, json={"code": -412, "message": "blocked"})
        return mock.handle(request)

    return httpx.MockTransport(handler)


@FLAVOURS
@pytest.mark.parametrize("mode", ["5xx", "refused", "garbage"])
def test_buvid_and_ticket_are_best_effort(
    aio: bool, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    cls: Any = AsyncClient if aio else Client

    async def acalls(bili: AsyncClient) -> list[Any]:
        return [await bili.video.get_info(BVID) for _ in range(3)]

    def calls(bili: Client) -> list[Any]:
        return [bili.video.get_info(BVID) for _ in range(3)]

    with caplog.at_level(logging.DEBUG, logger="bilibili_sdk"):
        infos = run(
            aio,
            lambda: cls(transport=_failing(mode, (SPI, TICKET), seen)),
            acalls if aio else calls,
        )
    assert all(i.bvid for i in infos)
    assert seen.count(SPI) == 1 and seen.count(TICKET) == 1  # not again on every call
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # each failure logged once
    assert any("spi" in w for w in warnings) and any("ticket" in w for w in warnings)
    assert all("?" not in w for w in warnings)  # no query values


def test_prerequisite_retry_backs_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from bilibili_sdk import _auth

    now = [1000.0]
    monkeypatch.setattr(_auth, "monotonic", lambda: now[0])
    seen: list[str] = []
    fail = [True]
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == SPI and fail[0]:
            raise httpx.ConnectError("refused", request=request)
        return mock.handle(request)

    with Client(transport=httpx.MockTransport(handler)) as bili:

        def tries_after(seconds: float) -> int:
            now[0] += seconds
            before = seen.count(SPI)
            bili.video.get_info(BVID)
            return seen.count(SPI) - before

        assert tries_after(0) == 1
        assert tries_after(30) == 0  # not sooner than a minute
        assert tries_after(31) == 1  # failed again: now two minutes
        assert tries_after(100) == 0
        assert tries_after(21) == 1
        fail[0] = False
        assert tries_after(300) == 1  # success: cached from now on
        assert tries_after(10_000) == 0
    assert bili._auth_context.state.buvid3 is not None


@FLAVOURS
@pytest.mark.parametrize("mode", ["5xx", "refused", "garbage", "code"])
def test_wbi_key_failure_names_nav(aio: bool, mode: str) -> None:
    seen: list[str] = []
    cls: Any = AsyncClient if aio else Client

    async def acall(bili: AsyncClient) -> Any:
        return await bili.user.get_info(2)

    def call(bili: Client) -> Any:
        return bili.user.get_info(2)

    with pytest.raises(ApiException) as ei:
        run(
            aio,
            lambda: cls(transport=_failing(mode, (NAV,), seen), max_retries=0),
            acall if aio else call,
        )
    e = ei.value
    assert "GET api.bilibili.com/x/web-interface/nav" in str(e), str(e)
    assert "user.get_info" in str(e)
    expected = {
        "5xx": (ResponseException, "HTTP 503"),
        "refused": (NetworkException, "ConnectError"),
        "garbage": (ResponseException, "not JSON"),
        "code": (ResponseCodeException, "WBI keys"),
    }[mode]
    assert isinstance(e, expected[0]) and expected[1] in str(e), str(e)
    if mode == "refused":
        assert isinstance(e.__cause__, httpx.ConnectError)
    assert not any(p.endswith("/acc/info") for p in seen)  # the call itself was not sent


LATENCY = 0.1


class _Latency(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The mock, 100 ms away, recording which requests were in flight together.

    A "round" is a set of requests that overlapped in time; counting rounds proves the
    lookups went side by side without timing the test (timing belongs in benchmarks/).
    """

    def __init__(self) -> None:
        self.mock = MockBilibili()
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self.rounds: list[set[str]] = []

    def _start(self, request: httpx.Request) -> None:
        with self._lock:
            if not self._in_flight:
                self.rounds.append(set())
            self._in_flight.add(request.url.path)
            self.rounds[-1].add(request.url.path)

    def _end(self, request: httpx.Request) -> None:
        with self._lock:
            self._in_flight.discard(request.url.path)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        try:
            time.sleep(LATENCY)
            return self.mock.handle(request)
        finally:
            self._end(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        try:
            await asyncio.sleep(LATENCY)
            return self.mock.handle(request)
        finally:
            self._end(request)


@FLAVOURS
@pytest.mark.parametrize("endpoint", ["video.get_info", "user.get_info"])
def test_cold_client_needs_two_round_trips(aio: bool, endpoint: str) -> None:
    """The lookups go side by side, then the call: 2 rounds of requests, not 3 (or 4 with nav)."""
    ns, name = endpoint.split(".")
    arg: Any = BVID if ns == "video" else 2
    cls: Any = AsyncClient if aio else Client
    transport = _Latency()

    async def acall(bili: AsyncClient) -> None:
        await getattr(getattr(bili, ns), name)(arg)

    def call(bili: Client) -> None:
        getattr(getattr(bili, ns), name)(arg)

    _auth._ACTIVATED.clear()  # a new process: the spi pair gets activated, beside the call
    run(aio, lambda: cls(transport=transport), acall if aio else call)
    lookups = {SPI, TICKET} | ({NAV} if ns == "user" else set())
    assert len(transport.rounds) == 2, transport.rounds
    assert transport.rounds[0] == lookups, transport.rounds
    # the call, with the spi pair's activation beside it (never a round of its own)
    assert len(transport.rounds[1]) == 2 and not transport.rounds[1] & lookups
    assert ACTIVATE in transport.rounds[1]
    assert transport.mock.count(SPI) == 1 and transport.mock.count(TICKET) == 1

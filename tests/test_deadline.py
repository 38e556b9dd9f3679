"""Issue 9.6: a deadline for the whole call (retries and lookups included), against a
loopback server that drips its answer."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    ApiException,
    ArgsException,
    AsyncClient,
    Client,
    NetworkTimeoutException,
)

from ._hardening import BVID, FLAVOURS, NAV, run
from ._slow_server import SlowServer


def test_deadline_option() -> None:
    from bilibili_sdk._settings import ClientOptions

    assert ClientOptions(timeout=httpx.Timeout(2.0)).effective_deadline == 6.0
    assert ClientOptions.build(timeout=1).effective_deadline == 3.0
    assert ClientOptions.build(timeout=1, deadline=10).effective_deadline == 10.0
    assert ClientOptions.build(deadline=math.inf).effective_deadline is None
    assert ClientOptions.build(timeout=httpx.Timeout(None)).effective_deadline is None
    c = Client(timeout=2)
    assert c.with_options(timeout=5).options.effective_deadline == 15.0  # follows the timeout
    assert c.with_options(deadline=1.5).options.deadline == 1.5
    for bad in (0, -1, "3", True, math.nan):
        with pytest.raises(ArgsException) as ei:
            Client(deadline=bad)
        assert ei.value.argument == "deadline"


def _timed(aio: bool, make: Callable[[], Any], ns: str, name: str, arg: Any) -> tuple[Any, float]:
    async def acall(bili: AsyncClient) -> Any:
        return await getattr(getattr(bili, ns), name)(arg)

    def call(bili: Client) -> Any:
        return getattr(getattr(bili, ns), name)(arg)

    started = time.perf_counter()
    try:
        result: Any = run(aio, make, acall if aio else call)
    except ApiException as e:
        result = e
    return result, time.perf_counter() - started


@FLAVOURS
@pytest.mark.parametrize("mode", ["body", "headers"])
def test_deadline_bounds_a_dripping_server(aio: bool, mode: str) -> None:
    """timeout=1 is per read; a byte every 0.3 s never trips it. The deadline (3 s) does."""
    cls: Any = AsyncClient if aio else Client
    with SlowServer(mode) as server:
        result, elapsed = _timed(
            aio, lambda: cls(timeout=1, base_urls=server.base_urls), "video", "get_info", BVID
        )
    assert isinstance(result, NetworkTimeoutException), result
    assert "deadline" in str(result) and "video.get_info" in str(result)
    assert 2.5 < elapsed < 4.0, elapsed


@FLAVOURS
def test_deadline_with_an_injected_http_client(aio: bool) -> None:
    """Pools we do not own are never touched: the check between body chunks bounds them."""

    async def acall(base_urls: dict[str, str]) -> Any:
        async with httpx.AsyncClient() as http:
            bili = AsyncClient(timeout=1, base_urls=base_urls, http_client=http)
            try:
                return await bili.video.get_info(BVID)
            except ApiException as e:
                return e

    def call(base_urls: dict[str, str]) -> Any:
        with httpx.Client() as http:
            bili = Client(timeout=1, base_urls=base_urls, http_client=http)
            try:
                return bili.video.get_info(BVID)
            except ApiException as e:
                return e

    with SlowServer("body") as server:
        started = time.perf_counter()
        result = asyncio.run(acall(server.base_urls)) if aio else call(server.base_urls)
        elapsed = time.perf_counter() - started
    assert isinstance(result, NetworkTimeoutException), result
    assert elapsed < 4.0, elapsed


@FLAVOURS
def test_deadline_covers_retries(aio: bool) -> None:
    """A server that never answers: each attempt takes the read timeout (1 s); retries and
    their back-off stop at the deadline instead of running 5 attempts (about 12 s)."""
    cls: Any = AsyncClient if aio else Client
    with SlowServer("hang") as server:
        result, elapsed = _timed(
            aio,
            lambda: cls(timeout=1, max_retries=4, base_urls=server.base_urls),
            "video",
            "get_info",
            BVID,
        )
        attempts = sum(p.endswith("/x/web-interface/view") for p in server.hits)
    assert isinstance(result, NetworkTimeoutException), result
    assert elapsed < 3.6 and 2 <= attempts <= 3, (elapsed, attempts)


@FLAVOURS
def test_deadline_covers_the_wbi_lookup(aio: bool) -> None:
    cls: Any = AsyncClient if aio else Client
    with SlowServer("body", slow=(NAV,)) as server:
        result, elapsed = _timed(
            aio, lambda: cls(timeout=1, base_urls=server.base_urls), "user", "get_info", 2
        )
    assert isinstance(result, NetworkTimeoutException), result
    assert elapsed < 4.0, elapsed


@FLAVOURS
def test_a_dripping_ticket_lookup_is_abandoned(aio: bool) -> None:
    """Best effort: a lookup gets at most one read timeout, then the call goes without it."""
    cls: Any = AsyncClient if aio else Client
    with SlowServer("body", slow=("/GenWebTicket",)) as server:
        result, elapsed = _timed(
            aio, lambda: cls(timeout=1, base_urls=server.base_urls), "video", "get_info", BVID
        )
    assert not isinstance(result, Exception), result
    assert elapsed < 2.0, elapsed

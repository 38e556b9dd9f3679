"""buvid activation (ExClimbWuzhi, seed-features §2.3): after spi hands out a buvid3/buvid4
pair, the client activates it once per process, beside the call, best-effort."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from bilibili_sdk import AsyncClient, Client, Credential, _auth
from bilibili_sdk._buvid import buvid_fp
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from ._hardening import ACTIVATE, BVID, FLAVOURS, SPI, run


@pytest.fixture(autouse=True)
def _fresh_process() -> None:
    _auth._ACTIVATED.clear()  # conftest marks the mock's pair as activated


def _call(bili: Any) -> Any:
    return bili.video.get_info(BVID)


async def _acall(bili: Any) -> Any:
    return await bili.video.get_info(BVID)


def _go(aio: bool, make: Any, times: int = 1) -> None:
    if aio:

        async def many(bili: Any) -> None:
            for _ in range(times):
                await _acall(bili)

        run(aio, make, many)
    else:
        run(aio, make, lambda bili: [_call(bili) for _ in range(times)])


def _activations(mock: MockBilibili) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.path == ACTIVATE]


@FLAVOURS
def test_a_cold_client_activates_its_spi_pair_once(aio: bool) -> None:
    mock = MockBilibili()
    cls: Any = AsyncClient if aio else Client
    _go(aio, lambda: cls(transport=mock.transport()), times=3)
    (req,) = _activations(mock)
    assert req.method == "POST"
    # the pair spi gave, plus the fingerprint hash and the _uuid of the payload
    call = next(r for r in mock.requests if r.path == "/x/web-interface/view")
    assert req.cookies["buvid3"] == call.cookies["buvid3"] and req.cookies["buvid4"]
    assert req.cookies["buvid4"] == call.cookies["buvid4"]
    body = req.json
    assert set(body) == {"payload"}
    content = json.loads(body["payload"])
    assert content["df35"] == req.cookies["_uuid"] and content["3064"] == 1
    # buvid_fp is the murmur3 hash of the body, as sent (compact JSON)
    sent = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    assert req.cookies["buvid_fp"] == buvid_fp(sent)
    # later calls neither activate again nor carry the activation cookies
    calls = [r for r in mock.requests if r.path == "/x/web-interface/view"]
    assert len(calls) == 3 and not any("buvid_fp" in r.cookies for r in calls)


@FLAVOURS
def test_once_per_process_across_clients(aio: bool) -> None:
    mock = MockBilibili()
    cls: Any = AsyncClient if aio else Client
    _go(aio, lambda: cls(transport=mock.transport()))
    _go(aio, lambda: cls(transport=mock.transport()))  # a new client, the same spi pair
    assert mock.count(SPI) == 2 and len(_activations(mock)) == 1
    _auth._ACTIVATED.clear()  # a new process
    _go(aio, lambda: cls(transport=mock.transport()))
    assert len(_activations(mock)) == 2


@FLAVOURS
def test_no_activation_without_an_spi_pair(aio: bool) -> None:
    mock = MockBilibili()
    cls: Any = AsyncClient if aio else Client
    own = Credential(buvid3="OWN-B3")
    _go(aio, lambda: cls(transport=mock.transport(), credential=own))  # the user's own buvid
    assert mock.count(SPI) == 0 and _activations(mock) == []


@FLAVOURS
def test_activation_goes_only_where_cookies_go(aio: bool) -> None:
    mock = MockBilibili()
    cls: Any = AsyncClient if aio else Client
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host}{request.url.path}")
        return mock.handle(request)

    transport = httpx.MockTransport(handler)
    _go(aio, lambda: cls(transport=transport, base_urls={"*": "https://api.example.org"}))
    # no cookie is sent to a foreign host, so no spi pair is used there, nor activated
    assert not any(ACTIVATE in s for s in seen)


@FLAVOURS
@pytest.mark.parametrize("answer", [{"code": -1, "message": "no"}, 500, "refused"])
def test_a_failed_activation_never_fails_a_call_and_waits_to_retry(
    aio: bool, answer: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    monkeypatch.setattr(_auth, "monotonic", lambda: now[0])
    mock = MockBilibili()
    tries: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == ACTIVATE:
            tries.append(1)
            if answer == "refused":
                raise httpx.ConnectError("refused", request=request)
            if answer == 500:
                return httpx.Response(500, content=b"x")
            return httpx.Response(200, json=answer)
        return mock.handle(request)

    cls: Any = AsyncClient if aio else Client
    transport = httpx.MockTransport(handler)
    with caplog.at_level(logging.DEBUG, "bilibili_sdk.auth"):
        _go(aio, lambda: cls(transport=transport, max_retries=0), times=3)
    assert len(tries) == 1  # not again on every call
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ExClimbWuzhi" in warnings[0].getMessage()
    assert BVID not in warnings[0].getMessage()
    now[0] += _auth.PREREQ_RETRY_AFTER  # the back-off has passed: a later call tries again
    _go(aio, lambda: cls(transport=transport, max_retries=0))
    assert len(tries) == 2


@FLAVOURS
def test_close_waits_for_the_activation_in_flight(aio: bool) -> None:
    """A script that makes one call and closes still activates (the pool closes after)."""
    mock = MockBilibili()
    done: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = mock.handle(request)
        if request.url.path == ACTIVATE:
            done.append(1)
            # buvid_fp hashes the exact bytes of the body
            cookies = dict(c.split("=", 1) for c in request.headers["cookie"].split("; "))
            assert cookies["buvid_fp"] == buvid_fp(request.content.decode())
        return response

    cls: Any = AsyncClient if aio else Client
    _go(aio, lambda: cls(transport=httpx.MockTransport(handler)))
    assert done == [1]
    assert _auth._ACTIVATED  # claimed and kept: it worked

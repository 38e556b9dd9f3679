"""Which failures are retried, how long the client waits, and the envelope's error branches."""

from __future__ import annotations

import math
import random
import time
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    Client,
    Credential,
    NetworkException,
    NetworkTimeoutException,
    RateLimitedException,
    ResponseCodeException,
    ResponseException,
    ResponseValidationException,
    RiskControlException,
)
from bilibili_sdk._base_client import MAX_BACKOFF, BaseClient
from bilibili_sdk._endpoint import Call, Endpoint
from bilibili_sdk._settings import ClientOptions
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(random, "random", lambda: 0.5)  # jitter factor exactly 1
    return slept


def _failing(answers: list[Any]) -> tuple[httpx.MockTransport, list[str]]:
    """Answer the call with `answers` in turn (a status, a JSON body, an exception class, or
    (status, headers)), then like the mock."""
    mock = MockBilibili()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/nav", "/spi", "/GenWebTicket")):
            return mock.handle(request)
        seen.append(request.method)
        if answers:
            a = answers.pop(0)
            if isinstance(a, type):
                raise a("fail", request=request)
            if isinstance(a, int):
                return httpx.Response(a, content=b"busy")
            if isinstance(a, tuple):
                return httpx.Response(a[0], headers=a[1], content=b"busy")
            return httpx.Response(200, json=a)
        return mock.handle(request)

    return httpx.MockTransport(handler), seen


def test_backoff_doubles_and_caps(sleeps: list[float]) -> None:
    transport, seen = _failing([503] * 6)
    with Client(transport=transport, max_retries=6) as bili:
        bili.video.get_info(BVID)
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert MAX_BACKOFF == 8.0 and len(seen) == 7


def test_jitter_spreads_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    for r, factor in ((0.0, 0.75), (0.999, 1.2495)):
        monkeypatch.setattr(random, "random", lambda r=r: r)
        transport, _ = _failing([503])
        with Client(transport=transport, max_retries=1) as bili:
            bili.video.get_info(BVID)
        assert slept[-1] == pytest.approx(0.5 * factor)


def test_retry_after_is_honoured_and_capped(sleeps: list[float]) -> None:
    transport, _ = _failing(
        [(503, {"Retry-After": "3"}), (429, {"Retry-After": "120"}), (503, {"Retry-After": "soon"})]
    )
    # no call deadline here: a 32 s wait is past the default one (3 x the read timeout)
    with Client(transport=transport, max_retries=3, deadline=math.inf) as bili:
        bili.video.get_info(BVID)
    assert sleeps == [3.0, 32.0, 2.0]


@pytest.mark.parametrize(
    ("answer", "exc"),
    [
        (500, ResponseException),
        (502, ResponseException),
        (429, ResponseException),
        ({"code": -509, "message": "slow"}, RateLimitedException),
        ({"code": -799, "message": "slow"}, RateLimitedException),
        (httpx.ReadTimeout, NetworkException),
        (httpx.RemoteProtocolError, NetworkException),
        (httpx.ConnectError, NetworkException),
    ],
)
def test_get_failures_that_are_retried(sleeps: list[float], answer: Any, exc: type) -> None:
    transport, seen = _failing([answer] * 3)
    with Client(transport=transport, max_retries=2) as bili:
        with pytest.raises(exc):
            bili.video.get_info(BVID)
    assert len(seen) == 3 and len(sleeps) == 2


@pytest.mark.parametrize(
    ("answer", "exc"),
    [
        (404, ResponseException),
        (400, ResponseException),
        (412, RiskControlException),
        ({"code": -404, "message": "gone"}, ResponseCodeException),
        ({"code": 0, "data": {"aid": "not a number"}}, ResponseValidationException),
    ],
)
def test_failures_that_are_not_retried(sleeps: list[float], answer: Any, exc: type) -> None:
    transport, seen = _failing([answer] * 3)
    with Client(transport=transport, max_retries=2, strict=True) as bili:
        with pytest.raises(exc):
            bili.video.get_info(BVID)
    assert len(seen) == 1 and sleeps == []


@pytest.mark.parametrize(
    "answer",
    [500, 429, {"code": -509, "message": "slow"}, httpx.ReadError, httpx.ReadTimeout],
)
def test_post_failures_are_not_retried(sleeps: list[float], answer: Any) -> None:
    transport, seen = _failing([answer] * 3)
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=transport, max_retries=2, credential=cred) as bili:
        with pytest.raises((ResponseException, ResponseCodeException, NetworkException)):
            bili.video.like(BVID)
    assert seen == ["POST"] and sleeps == []


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_post_not_sent_is_retried(sleeps: list[float], error: type) -> None:
    transport, seen = _failing([error])
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=transport, max_retries=1, credential=cred) as bili:
        bili.video.like(BVID)
    assert seen == ["POST", "POST"] and sleeps == [0.5]


def test_zero_retries(sleeps: list[float]) -> None:
    transport, seen = _failing([503])
    with Client(transport=transport, max_retries=0) as bili:
        with pytest.raises(ResponseException) as ei:
            bili.video.get_info(BVID)
    assert seen == ["GET"] and sleeps == []
    assert ei.value.status == 503
    assert str(ei.value) == "HTTP 503 [video.get_info GET api.bilibili.com/x/web-interface/view]"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b"<html>", "HTTP 404: the body is not JSON"),
        (400, b'{"error": 1}', "HTTP 400: unexpected error body"),
        (200, b"not json", "HTTP 200: the body is not JSON"),
        (412, b"blocked", "-412 HTTP 412: blocked by risk control"),
    ],
)
def test_error_bodies(status: int, body: bytes, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            return httpx.Response(status, content=body)
        return MockBilibili().handle(request)

    with Client(transport=httpx.MockTransport(handler), max_retries=0) as bili:
        with pytest.raises((ResponseException, RiskControlException)) as ei:
            bili.video.get_info(BVID)
    assert str(ei.value).startswith(message)
    if status == 412:
        assert isinstance(ei.value, RiskControlException) and ei.value.code == -412
    else:
        assert ei.value.status == status  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"code": -404, "message": "啥都木有"}, -404, "啥都木有"),
        ({"code": -404, "msg": "only msg"}, -404, "only msg"),
        ({"code": "-404", "message": ""}, -404, "-404"),
        ({"code": "bad_code"}, -1, "bad_code"),
        ({"code": 0, "OK": 0}, -1, "OK != 1"),
    ],
)
def test_code_errors(body: dict[str, Any], code: int, message: str) -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", body)
    with Client(transport=mock.transport(), max_retries=0) as bili:
        with pytest.raises(ResponseCodeException) as ei:
            bili.video.get_info(BVID)
    assert (ei.value.code, ei.value.message) == (code, message)
    assert ei.value.endpoint == "video.get_info GET api.bilibili.com/x/web-interface/view"


def test_code_zero_as_string_and_ok_one_succeed() -> None:
    mock = MockBilibili()
    body = dict(mock.examples["video.get_info"])
    for variant in ({**body, "code": "0"}, {**body, "OK": 1}, {**body, "code": None}):
        mock.set_response("video.get_info", variant)
        with Client(transport=mock.transport()) as bili:
            assert bili.video.get_info(BVID).bvid == body["data"]["bvid"]


def test_a_non_object_body_is_malformed() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", lambda rec: httpx.Response(200, json=[1, 2]))
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseException, match=r"^malformed envelope \[video.get_info"):
            bili.video.get_info(BVID)


# ---------------------------------------------------------------- the call's deadline, unit by unit
DEMO = "https://api.bilibili.com/x/demo"


def _demo_call(method: str = "GET") -> Call[Any]:
    return Call(Endpoint("demo.get", method, DEMO))


def test_no_retry_that_would_start_at_or_after_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.5)
    monkeypatch.setattr(time, "monotonic", lambda: 100.0)
    client = BaseClient(ClientOptions())
    err = ResponseException("HTTP 503", status=503, endpoint="demo")
    assert client._retry_delay(_demo_call(), err, 0, None) == 0.5
    assert client._retry_delay(_demo_call(), err, 0, None, deadline=100.6) == 0.5
    assert client._retry_delay(_demo_call(), err, 0, None, deadline=100.5) is None  # exactly
    assert client._retry_delay(_demo_call(), err, 0, None, deadline=100.4) is None


def test_past_allows_for_a_timer_that_fires_a_hair_early(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "monotonic", lambda: 1.0 - 0.005)
    assert BaseClient._past(None) is False
    assert BaseClient._past(1.0) is True  # 5 ms early counts as reached
    assert BaseClient._past(0.5) is True
    assert BaseClient._past(1.01) is False


def test_timeouts_are_capped_to_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "monotonic", lambda: 100.0)
    client = BaseClient(ClientOptions(timeout=httpx.Timeout(10.0, connect=5.0), deadline=4.0))
    request = httpx.Request("GET", DEMO)
    client._cap_timeouts(request, 107.0, _demo_call())
    assert request.extensions["timeout"] == {"connect": 5.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    own = {"connect": 1.0, "read": None, "write": 30.0, "pool": 2.0}  # the request's own
    request = httpx.Request("GET", DEMO, extensions={"timeout": own})
    client._cap_timeouts(request, 103.0, _demo_call())
    assert request.extensions["timeout"] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 2.0}
    with pytest.raises(NetworkTimeoutException) as ei:
        client._cap_timeouts(request, 100.0, _demo_call())  # no time left at all
    assert str(ei.value) == (
        "the call took longer than its deadline (4 s) [demo.get GET api.bilibili.com/x/demo]"
    )


def test_deadline_at_and_the_lookup_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    monkeypatch.setattr(time, "monotonic", lambda: 100.0)
    client = BaseClient(ClientOptions(timeout=httpx.Timeout(10.0, connect=5.0)))
    assert client._deadline_at() == 130.0  # three read timeouts
    assert BaseClient(ClientOptions(deadline=math.inf))._deadline_at() is None
    needed: Any = SimpleNamespace(best_effort=False)
    best: Any = SimpleNamespace(best_effort=True)
    assert client._lookup_budget(needed, 120.0) == 120.0
    assert client._lookup_budget(needed, None) is None
    assert client._lookup_budget(best, 120.0) == 110.0  # one read timeout at most
    assert client._lookup_budget(best, 105.0) == 105.0
    assert client._lookup_budget(best, None) == 110.0
    unbounded = BaseClient(ClientOptions(timeout=httpx.Timeout(10.0, read=None)))
    assert unbounded._lookup_budget(best, 120.0) == 120.0

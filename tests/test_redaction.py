"""Issue 9.1: no secret reaches a log line, a request_log event or an exception message,
whatever carries it (httpx's and httpcore's own log lines included)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bilibili_sdk import (
    ApiException,
    AsyncClient,
    Client,
    NetworkException,
    ResponseException,
)
from bilibili_sdk._events import request_log
from bilibili_sdk.testing import MockBilibili

from ._hardening import BVID, FLAVOURS, JCT, SECRETS, SESS, cred, run


@contextlib.contextmanager
def _capture(caplog: pytest.LogCaptureFixture) -> Iterator[list[Any]]:
    """Every record of httpx, httpcore and bilibili_sdk at DEBUG, and every request_log event."""
    events: list[Any] = []
    request_log.set_on(True)
    request_log.add_event_listener("__ALL__", events.append)
    try:
        with contextlib.ExitStack() as stack:
            for name in ("httpx", "httpcore", "bilibili_sdk", None):
                stack.enter_context(caplog.at_level(logging.DEBUG, logger=name))
            yield events
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()


def _assert_no_secret(caplog: pytest.LogCaptureFixture, events: list[Any]) -> str:
    texts = [caplog.text, json.dumps(events, ensure_ascii=False, default=str)]
    for r in caplog.records:
        texts += [r.getMessage(), repr(r.msg), repr(r.args)]
    text = "\n".join(texts)
    for secret in SECRETS:
        for form in {secret, quote(secret, safe="")}:
            assert form not in text, f"{form!r} leaked"
    return text


def _secret_calls(aio: bool) -> Callable[[Any], Any]:
    async def acalls(bili: AsyncClient) -> None:
        await bili.user.get_top_followers()  # GET: csrf in the query string
        await bili.video.like(BVID)  # POST: csrf in the form
        await bili.search.get_suggest_keywords(JCT)  # a credential value in any parameter

    def calls(bili: Client) -> None:
        bili.user.get_top_followers()
        bili.video.like(BVID)
        bili.search.get_suggest_keywords(JCT)

    return acalls if aio else calls  # type: ignore[return-value]


@FLAVOURS
def test_no_secret_in_logs_or_events(aio: bool, caplog: pytest.LogCaptureFixture) -> None:
    """Over a real loopback socket, so httpcore logs too; the request log is emitted after
    the cookies are attached (it says so) and still holds no secret."""
    mock = MockBilibili()
    with mock.serve() as server, _capture(caplog) as events:
        cls = AsyncClient if aio else Client
        run(aio, lambda: cls(cred(), base_urls=server.base_urls), _secret_calls(aio))
    text = _assert_no_secret(caplog, events)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    fan = [m for m in lines if "/x/web/data/fan" in m]
    assert fan and all("csrf=<hidden>" in m and "csrf_token=<hidden>" in m for m in fan), fan
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert "term=<hidden>" in text  # value-based: the search term was the bili_jct
    requests = {e["data"]["endpoint"]: e["data"] for e in events if e["name"] == "API_REQUEST"}
    assert requests["user.get_top_followers"]["params"]["csrf"] == "<hidden>"
    assert requests["video.like"]["form"]["csrf"] == "<hidden>"
    # logged after the cookies were attached: the event knows a Cookie header was sent
    assert requests["video.like"]["cookies"] == "<hidden>"
    assert requests["search.get_suggest_keywords"]["params"]["term"] == "<hidden>"
    # the calls really carried the secrets (the mock checks csrf against the cookie)
    like = next(r for r in mock.requests if r.endpoint == "video.like")
    assert like.form["csrf"] == JCT and like.cookies["SESSDATA"] == SESS


def test_log_filter_masks_names_and_leaves_other_records_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Client(cred()).close()  # a client exists: the filter is installed
    for name in ("httpx", "httpcore.connection", "httpcore.http11", "bilibili_sdk.request"):
        assert any(type(f).__name__ == "RedactingFilter" for f in logging.getLogger(name).filters)
    log = logging.getLogger("httpx")
    url = httpx.URL(
        "https://api.bilibili.com/x/a?access_key=AK-zq85&refresh_token=RT-zq86&id=7&csrf=c1"
    )
    with caplog.at_level(logging.DEBUG, logger="httpx"):
        log.info("HTTP Request: %s %s", "GET", url)
        log.debug("Set-Cookie: SESSDATA=S-zq87%2C1; bili_jct=J-zq88; Path=/")
        log.info("plain %s %d", "message", 3)
    clean, cookie, plain = caplog.records
    for leaked in ("AK-zq85", "RT-zq86", "c1", "S-zq87", "J-zq88"):
        assert leaked not in clean.getMessage() + cookie.getMessage()
    assert "id=7" in clean.getMessage() and "access_key=<hidden>" in clean.getMessage()
    # a record without secrets keeps its message and its arguments
    assert (plain.msg, plain.args) == ("plain %s %d", ("message", 3))


@FLAVOURS
def test_errors_carry_no_query_values(aio: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/spi", "/GenWebTicket", "/nav")):
            return MockBilibili().handle(request)
        if request.method == "GET":
            raise httpx.ConnectError(f"cannot reach {request.url}", request=request)
        return httpx.Response(503, text=f"busy: {request.content.decode()}")

    async def acall(bili: AsyncClient) -> list[ApiException]:
        out: list[ApiException] = []
        for call in (bili.user.get_top_followers, lambda: bili.video.like(BVID)):
            try:
                await call()
            except ApiException as e:
                out.append(e)
        return out

    def call(bili: Client) -> list[ApiException]:
        out: list[ApiException] = []
        for c in (bili.user.get_top_followers, lambda: bili.video.like(BVID)):
            try:
                c()
            except ApiException as e:
                out.append(e)
        return out

    cls: Any = AsyncClient if aio else Client
    transport: Any = httpx.MockTransport(handler)
    errors = run(
        aio, lambda: cls(cred(), transport=transport, max_retries=0), acall if aio else call
    )
    assert [type(e) for e in errors] == [NetworkException, ResponseException]
    for e in errors:
        assert all(s not in str(e) and s not in repr(e) for s in SECRETS), e

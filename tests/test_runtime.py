"""The hand-written runtime: request flow, envelope, errors, retries, lifetime, redaction."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import httpx
import pytest

import bilibili_sdk
from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    NetworkException,
    NotLoggedInException,
    ResponseCodeException,
    ResponseException,
    ResponseValidationException,
    WbiRetryTimesExceedException,
)
from bilibili_sdk._events import request_log
from bilibili_sdk.models import VideoInfo
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"


def _transport(handler: Any) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


def _prereq(request: httpx.Request) -> httpx.Response | None:
    """Answer nav/spi/ticket like the mock does, for hand-written transports."""
    return (
        MockBilibili().handle(request)
        if request.url.path.endswith(("/nav", "/spi", "/GenWebTicket"))
        else None
    )


# ---------------------------------------------------------------- the happy path


def test_get_info_returns_model(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        info = bili.video.get_info(bvid=BVID)
    assert isinstance(info, VideoInfo)
    assert info.bvid and info.stat.view > 0
    req = next(r for r in mock.requests if r.endpoint == "video.get_info")
    assert req.query == {"bvid": BVID}
    assert req.host == "api.bilibili.com"


@pytest.mark.anyio
async def test_async_get_info_returns_model(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        info = await bili.video.get_info(aid=170001)
    assert isinstance(info, VideoInfo)
    assert [r.query for r in mock.requests if r.endpoint == "video.get_info"] == [{"aid": "170001"}]


def test_unknown_fields_are_kept(mock: MockBilibili) -> None:
    body = json.loads(json.dumps(mock.examples["video.get_info"]))
    body["data"]["brand_new_field"] = {"x": 1}
    mock.set_response("video.get_info", body)
    with Client(transport=mock.transport()) as bili:
        info = bili.video.get_info(bvid=BVID)
    assert info.model_extra is not None and info.model_extra["brand_new_field"] == {"x": 1}


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"bvid": "BV123"}, "bvid"),
        ({"bvid": "av170001"}, "bvid"),
        ({"aid": 0}, "aid"),
        ({"aid": -5}, "aid"),
        ({"aid": True}, "aid"),
        ({"aid": "170001"}, "aid"),
        ({}, "video"),
        ({"aid": 1, "bvid": BVID}, "aid"),
    ],
)
def test_bad_arguments_raise_before_io(kwargs: dict[str, Any], argument: str) -> None:
    sent: list[httpx.Request] = []
    with Client(transport=_transport(lambda r: sent.append(r) or httpx.Response(500))) as bili:
        with pytest.raises(ArgsException) as ei:
            bili.video.get_info(**kwargs)
    assert ei.value.argument == argument
    assert argument in str(ei.value)
    assert sent == []


def test_bad_enum_and_bounds(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException, match="order"):
            bili.user.get_videos(mid=2, order="newest-first")  # type: ignore[arg-type]
        with pytest.raises(ArgsException, match="page"):
            bili.user.get_videos(mid=2, page=0)
    assert mock.requests == []


def test_credential_required_before_io(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(CredentialNoSessdataException):
            bili.video.has_liked(bvid=BVID)
    with Client(transport=mock.transport(), credential=Credential(sessdata="s")) as bili:
        with pytest.raises(CredentialNoBiliJctException):
            bili.video.like(bvid=BVID)
    assert mock.requests == []


def test_bad_client_options() -> None:
    for kwargs, arg in [
        ({"timeout": 0}, "timeout"),
        ({"timeout": "10"}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"base_urls": {"api": "ftp://x"}}, "base_urls"),
        ({"credential": {"SESSDATA": "x"}}, "credential"),
        ({"http_client": httpx.AsyncClient()}, "http_client"),
    ]:
        with pytest.raises(ArgsException) as ei:
            Client(**kwargs)
        assert ei.value.argument == arg


# ---------------------------------------------------------------- csrf, cookies, hosts


def test_post_sends_csrf_and_cookies(mock: MockBilibili, credential: Credential) -> None:
    with Client(transport=mock.transport(), credential=credential) as bili:
        bili.video.like(bvid=BVID, like=1)
    req = next(r for r in mock.requests if r.endpoint == "video.like")
    assert req.method == "POST"
    assert req.form["csrf"] == BILI_JCT and req.form["bvid"] == BVID and req.form["like"] == "1"
    assert req.cookies["SESSDATA"] == SESSDATA and req.cookies["bili_jct"] == BILI_JCT
    assert req.cookies["buvid3"].startswith("MOCK-BUVID3")


def test_cookies_only_to_bilibili_hosts(credential: Credential) -> None:
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        pre = _prereq(request)
        if pre is not None:
            return pre
        seen[request.url.host] = request.headers.get("cookie")
        return MockBilibili().handle(request)

    with Client(transport=_transport(handler), credential=credential) as bili:
        bili.video.get_cid_info(cid=1)  # a third-party host
        bili.video.get_stat(bvid=BVID)
    assert seen["hd.biliplus.com"] is None
    assert SESSDATA in (seen["api.bilibili.com"] or "")


def test_base_urls_star_and_host(mock: MockBilibili) -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return mock.handle(request)

    with Client(transport=_transport(handler), base_urls={"*": "http://127.0.0.1:9"}) as bili:
        bili.video.get_info(bvid=BVID)
    assert any(
        u.startswith("http://127.0.0.1:9/api.bilibili.com/x/web-interface/view?") for u in urls
    )
    urls.clear()
    with Client(transport=_transport(handler), base_urls={"api": "http://127.0.0.1:9/"}) as bili:
        bili.video.get_info(bvid=BVID)
    assert any(u.startswith("http://127.0.0.1:9/x/web-interface/view?") for u in urls)


# ---------------------------------------------------------------- WBI


def test_wbi_signature_verified_by_mock(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        bili.video.get_detail(bvid=BVID)
        bili.video.get_detail(bvid=BVID)
    req = [r for r in mock.requests if r.endpoint == "video.get_detail"][-1]
    assert {"wts", "w_rid", "web_location"} <= set(req.query)
    assert mock.count("/x/web-interface/nav") == 1


def test_wbi_dm_extras(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        bili.user.get_info(mid=2)
    req = next(r for r in mock.requests if r.endpoint == "user.get_info")
    assert {"dm_img_list", "dm_img_str", "dm_cover_img_str", "dm_img_inter"} <= set(req.query)
    assert req.query["dm_img_list"] == "[]"


def test_wbi_rejection_refreshes_keys_and_resigns(mock: MockBilibili) -> None:
    mock.reject_signatures(2)
    with Client(transport=mock.transport()) as bili:
        bili.video.get_detail(bvid=BVID)
    assert mock.count("video.get_detail") == 3
    assert mock.count("/x/web-interface/nav") == 3


def test_wbi_retry_times_exceeded(mock: MockBilibili) -> None:
    mock.reject_signatures(100)
    with Client(transport=mock.transport(), wbi_retry_times=2) as bili:
        with pytest.raises(WbiRetryTimesExceedException) as ei:
            bili.video.get_detail(bvid=BVID)
    assert ei.value.code == -352
    assert mock.count("video.get_detail") == 3


def test_single_flight_threads() -> None:
    mock = MockBilibili()
    barrier = threading.Barrier(50)
    with Client(transport=mock.transport()) as bili:

        def work() -> None:
            barrier.wait()
            bili.video.get_detail(bvid=BVID)

        threads = [threading.Thread(target=work) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert mock.count("video.get_detail") == 50
    assert mock.count("/x/web-interface/nav") == 1
    assert mock.count("/x/frontend/finger/spi") == 1
    assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 1


@pytest.mark.anyio
async def test_single_flight_async() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport()) as bili:
        await asyncio.gather(*(bili.video.get_detail(bvid=BVID) for _ in range(50)))
    assert mock.count("video.get_detail") == 50
    assert mock.count("/x/web-interface/nav") == 1
    assert mock.count("/x/frontend/finger/spi") == 1
    assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 1


def test_with_options_shares_pool_and_keys(mock: MockBilibili, credential: Credential) -> None:
    with Client(transport=mock.transport()) as bili:
        bili.video.get_detail(bvid=BVID)
        logged = bili.with_options(credential=credential, timeout=3)
        assert logged._http is bili._http
        logged.video.get_detail(bvid=BVID)
        logged.close()  # does not close the shared pool
        bili.video.get_info(bvid=BVID)
    assert mock.count("/x/web-interface/nav") == 1
    with pytest.raises(ArgsException):
        Client().with_options(proxy="http://x")


# ---------------------------------------------------------------- envelope and errors


def _one(body: Any, status: int = 200, content: bytes | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        pre = _prereq(request)
        if pre is not None:
            return pre
        if content is not None:
            return httpx.Response(status, content=content)
        return httpx.Response(status, json=body)

    return _transport(handler)


def test_minus_101_raises_not_logged_in() -> None:
    with Client(transport=_one({"code": -101, "message": "账号未登录", "ttl": 1})) as bili:
        with pytest.raises(NotLoggedInException) as ei:
            bili.video.get_info(bvid=BVID)
    e = ei.value
    assert e.code == -101 and e.message == "账号未登录"
    assert str(e) == "-101 账号未登录 [video.get_info GET api.bilibili.com/x/web-interface/view]"


def test_msg_and_result_envelopes() -> None:
    with Client(transport=_one({"code": 12345, "msg": "audio says no"})) as bili:
        with pytest.raises(ResponseCodeException) as ei:
            bili.video.get_info(bvid=BVID)
    assert type(ei.value) is ResponseCodeException and ei.value.message == "audio says no"
    stat = MockBilibili().examples["video.get_stat"]["data"]
    with Client(transport=_one({"code": 0, "message": "0", "result": stat})) as bili:
        assert bili.video.get_stat(bvid=BVID).view == stat["view"]


def test_non_json_and_http_errors() -> None:
    with Client(transport=_one(None, 200, b"<html>oops</html>")) as bili:
        with pytest.raises(ResponseException, match="not JSON"):
            bili.video.get_info(bvid=BVID)
    with Client(transport=_one(None, 404, b"not found")) as bili:
        with pytest.raises(ResponseException) as ei:
            bili.video.get_info(bvid=BVID)
    assert ei.value.status == 404


def test_validation_error_keeps_raw() -> None:
    with Client(transport=_one({"code": 0, "data": {"bvid": 5, "aid": "not-a-number"}})) as bili:
        with pytest.raises(ResponseValidationException) as ei:
            bili.video.get_info(bvid=BVID)
    assert ei.value.data == {"bvid": 5, "aid": "not-a-number"}
    assert "VideoInfo" in str(ei.value)


def test_network_error_wrapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("boom", request=request)

    with Client(transport=_transport(handler), max_retries=0) as bili:
        with pytest.raises(NetworkException) as ei:
            bili.video.get_info(bvid=BVID)
    assert isinstance(ei.value.__cause__, httpx.ConnectError)


# ---------------------------------------------------------------- retries


def _flaky(
    fail_times: int, *, exc: type[Exception] | None = None, status: int = 503
) -> tuple[httpx.MockTransport, list[str]]:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        pre = _prereq(request)
        if pre is not None:
            return pre
        calls.append(request.method)
        if len(calls) <= fail_times:
            if exc is not None:
                raise exc("flaky", request=request)  # type: ignore[call-arg]
            return httpx.Response(status, headers={"Retry-After": "0"}, content=b"busy")
        return MockBilibili().handle(request)

    return _transport(handler), calls


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    import time as _time

    monkeypatch.setattr(_time, "sleep", lambda s: None)

    async def fast(s: float) -> None:
        return None

    monkeypatch.setattr(asyncio, "sleep", fast)


def test_get_retried_on_5xx_and_timeouts(no_sleep: None) -> None:
    transport, calls = _flaky(2)
    with Client(transport=transport, max_retries=2) as bili:
        bili.video.get_info(bvid=BVID)
    assert calls == ["GET"] * 3
    transport, calls = _flaky(5, exc=httpx.ReadTimeout)
    with Client(transport=transport, max_retries=2) as bili:
        with pytest.raises(NetworkException):
            bili.video.get_info(bvid=BVID)
    assert len(calls) == 3


def test_rate_limit_code_retried(no_sleep: None) -> None:
    n = {"i": 0}

    def answer(rec: Any) -> dict[str, Any]:
        n["i"] += 1
        return (
            {"code": -509, "message": "slow down"}
            if n["i"] == 1
            else MockBilibili().examples["video.get_info"]
        )

    mock = MockBilibili()
    mock.set_response("video.get_info", answer)
    with Client(transport=mock.transport()) as bili:
        assert bili.video.get_info(bvid=BVID).bvid
    assert n["i"] == 2


def test_post_never_resent_after_it_may_have_arrived(
    no_sleep: None, credential: Credential
) -> None:
    transport, calls = _flaky(1, exc=httpx.ReadError)
    with Client(transport=transport, credential=credential, max_retries=3) as bili:
        with pytest.raises(NetworkException):
            bili.video.like(bvid=BVID)
    assert calls == ["POST"]
    transport, calls = _flaky(1, status=502)
    with Client(transport=transport, credential=credential, max_retries=3) as bili:
        with pytest.raises(ResponseException):
            bili.video.like(bvid=BVID)
    assert calls == ["POST"]


def test_post_retried_when_connection_failed(no_sleep: None, credential: Credential) -> None:
    transport, calls = _flaky(1, exc=httpx.ConnectError)
    with Client(transport=transport, credential=credential, max_retries=1) as bili:
        bili.video.like(bvid=BVID)
    assert calls == ["POST", "POST"]


@pytest.mark.anyio
async def test_async_retry(no_sleep: None) -> None:
    transport, calls = _flaky(1)
    async with AsyncClient(transport=transport, max_retries=1) as bili:
        await bili.video.get_info(bvid=BVID)
    assert calls == ["GET", "GET"]


# ---------------------------------------------------------------- lifetime


def test_close_and_ownership(mock: MockBilibili) -> None:
    bili = Client(transport=mock.transport())
    bili.close()
    with pytest.raises(bilibili_sdk.ApiException, match="closed"):
        bili.video.get_info(bvid=BVID)
    injected = httpx.Client(transport=mock.transport())
    with Client(http_client=injected) as bili:
        bili.video.get_info(bvid=BVID)
    assert not injected.is_closed
    injected.close()


@pytest.mark.anyio
async def test_async_close(mock: MockBilibili) -> None:
    injected = httpx.AsyncClient(transport=mock.transport())
    async with AsyncClient(http_client=injected) as bili:
        await bili.video.get_info(bvid=BVID)
    assert not injected.is_closed
    await injected.aclose()
    bili = AsyncClient(transport=mock.transport())
    await bili.aclose()
    with pytest.raises(bilibili_sdk.ApiException):
        await bili.video.get_info(bvid=BVID)


# ---------------------------------------------------------------- redaction


def test_credential_repr_hides_secrets(credential: Credential) -> None:
    text = repr(credential)
    assert SESSDATA not in text and BILI_JCT not in text and "<hidden>" in text
    assert SESSDATA not in repr(Client(credential=credential))


def test_request_log_redacts(
    mock: MockBilibili, credential: Credential, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[dict[str, Any]] = []
    request_log.set_on(True)
    request_log.add_event_listener("API_REQUEST", events.append)
    try:
        with caplog.at_level(logging.INFO, logger="bilibili_sdk.request"):
            with Client(transport=mock.transport(), credential=credential) as bili:
                bili.video.like(bvid=BVID)
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    assert events and events[0]["endpoint"] == "video.like"
    dumped = json.dumps(events, ensure_ascii=False) + caplog.text
    assert SESSDATA not in dumped and BILI_JCT not in dumped
    assert events[0]["form"]["csrf"] == "<hidden>"


def test_errors_never_carry_secrets(credential: Credential) -> None:
    with Client(
        transport=_one({"code": -111, "message": "csrf 校验失败"}), credential=credential
    ) as bili:
        with pytest.raises(ResponseCodeException) as ei:
            bili.video.like(bvid=BVID)
    assert type(ei.value).__name__ == "CsrfException"
    assert SESSDATA not in str(ei.value) and BILI_JCT not in str(ei.value)
    assert BILI_JCT not in repr(ei.value.args)


# ---------------------------------------------------------------- credential


def test_credential_cookies_roundtrip() -> None:
    c = Credential(
        sessdata="a,b", bili_jct="j", buvid3="b3", dedeuserid=7, ac_time_value="r", extra="e"
    )
    cookies = c.get_cookies()
    assert cookies == {
        "SESSDATA": "a%2Cb",
        "bili_jct": "j",
        "buvid3": "b3",
        "DedeUserID": "7",
        "ac_time_value": "r",
        "extra": "e",
    }
    assert Credential.from_cookies(cookies) == c
    assert c.has_sessdata() and not c.has_buvid4()
    with pytest.raises(bilibili_sdk.CredentialNoBuvid4Exception):
        c.raise_for_no_buvid4()
    with pytest.raises(bilibili_sdk.CredentialNoDedeUserIDException):
        Credential().raise_for_no_dedeuserid()


def test_check_valid(credential: Credential) -> None:
    mock = MockBilibili(logged_in_sessdata=SESSDATA)
    with Client(transport=mock.transport()) as bili:
        assert credential.check_valid(bili) is True
        assert Credential(sessdata="wrong").check_valid(bili) is False


@pytest.mark.anyio
async def test_acheck_valid(credential: Credential) -> None:
    mock = MockBilibili(logged_in_sessdata=SESSDATA)
    async with AsyncClient(transport=mock.transport()) as bili:
        assert await credential.acheck_valid(bili) is True


# ---------------------------------------------------------------- settings, events


def test_request_settings_inherited() -> None:
    bilibili_sdk.request_settings.set("timeout", 3.5)
    bilibili_sdk.request_settings.set("max_retries", 0)
    c = Client()
    assert c.timeout.read == 3.5 and c.max_retries == 0
    with pytest.raises(ArgsException):
        bilibili_sdk.request_settings.set("nope", 1)
    bilibili_sdk.request_settings.set("enable_bili_ticket", False)
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        bili.video.get_info(bvid=BVID)
    assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 0


def test_async_event_dispatch() -> None:
    ev = bilibili_sdk.AsyncEvent()
    got: list[Any] = []

    @ev.on("hello")
    def h(data: Any) -> None:
        got.append(("hello", data))

    ev.add_event_listener("__ALL__", lambda d: got.append(("all", d)))
    ev.add_event_listener("__TASK_EXCEPTION__", lambda e: got.append(("exc", type(e).__name__)))
    ev.add_event_listener("boom", lambda d: 1 / 0)
    ev.dispatch("HELLO", 1)
    ev.dispatch("boom", 2)
    ev.ignore_event("hello")
    ev.dispatch("hello", 3)
    assert got[:2] == [("hello", 1), ("all", {"name": "HELLO", "data": 1})]
    assert ("exc", "ZeroDivisionError") in got
    assert ("hello", 3) not in got
    assert ev.remove_event_listener("hello", h)


def test_no_credential_in_any_log_record(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every request URL at INFO; nothing we send may put a secret there."""
    mock = MockBilibili()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    with caplog.at_level(logging.DEBUG):
        with Client(transport=mock.transport(), credential=cred) as bili:
            bili.video.like(bvid="BV1xx411c7mD")
            bili.user.get_info(mid=2)
    assert any("GenWebTicket" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage()
        assert SESSDATA not in text and BILI_JCT not in text, text


def test_repeated_query_keys() -> None:
    """`sep: repeat` sends the key once per value, in order (live batch lookups)."""
    seen: list[httpx.URL] = []
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return mock.handle(request)  # the catalogue's example answer

    with Client(transport=httpx.MockTransport(handler)) as bili:
        bili.live.get_status_by_mids(mids=[11, 22, 33])
        bili.live.get_room_base_info(room_ids=[3])
        with pytest.raises(ArgsException) as info:
            bili.live.get_status_by_mids(mids=[])
    assert info.value.argument == "mids"
    (status,) = [u for u in seen if u.path.endswith("/get_status_info_by_uids")]
    (base,) = [u for u in seen if u.path.endswith("/getRoomBaseInfo")]
    assert status.params.get_list("uids[]") == ["11", "22", "33"]
    assert base.params.get_list("room_ids") == ["3"]
    assert base.params["req_biz"] == "web_room_componet"

"""The auth context's shared state: WBI key lifetime and invalidation, nav failures, the
dm_* values, single-flight prerequisites under real async concurrency, and `derive`."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from bilibili_sdk import AsyncClient, Client, ResponseCodeException, ResponseException, _auth
from bilibili_sdk._auth import WBI_KEY_TTL, AuthContext, SharedState, dm_extras
from bilibili_sdk._settings import ClientOptions
from bilibili_sdk.testing import MockBilibili

BVID = "BV1xx411c7mD"


def test_dm_extras_shape() -> None:
    for _ in range(200):
        extras = dm_extras()
        assert set(extras) == {"dm_img_list", "dm_img_str", "dm_cover_img_str", "dm_img_inter"}
        assert extras["dm_img_list"] == "[]"
        assert extras["dm_img_inter"] == '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}'
        s = extras["dm_img_str"]
        assert re.fullmatch("[A-K]{2}", s) and s[0] != s[1]  # two distinct letters
        assert re.fullmatch("[A-K]{2}", extras["dm_cover_img_str"])


def test_wbi_keys_expire_after_their_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(_auth.time, "monotonic", lambda: now[0])
    state = SharedState()
    assert not state.wbi_fresh()
    state.mixin_key, state.mixin_at = "k" * 32, 1000.0
    now[0] = 1000.0 + WBI_KEY_TTL
    assert state.wbi_fresh()  # still fresh at exactly the TTL
    now[0] += 0.001
    assert not state.wbi_fresh()
    assert WBI_KEY_TTL == 6 * 3600


def test_expired_keys_are_fetched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [5000.0]
    monkeypatch.setattr(_auth.time, "monotonic", lambda: now[0])
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        bili.video.get_detail(BVID)
        now[0] += WBI_KEY_TTL  # the edge: still fresh
        bili.video.get_detail(BVID)
        assert mock.count("/x/web-interface/nav") == 1
        now[0] += 1
        bili.video.get_detail(BVID)
    assert mock.count("/x/web-interface/nav") == 2
    navs = [r for r in mock.requests if r.path == "/x/web-interface/nav"]
    assert {r.method for r in navs} == {"GET"}


def test_invalidate_wbi_once_per_generation() -> None:
    state = SharedState()
    state.mixin_key, state.wbi_generation = "k" * 32, 4
    state.invalidate_wbi(3)  # a stale generation: someone refreshed already
    assert (state.mixin_key, state.wbi_generation) == ("k" * 32, 4)
    state.invalidate_wbi(4)
    assert (state.mixin_key, state.wbi_generation) == (None, 5)
    state.invalidate_wbi(4)
    assert state.wbi_generation == 5


def _nav_answering(body: Any, status: int = 200) -> httpx.MockTransport:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/x/web-interface/nav":
            if isinstance(body, bytes):
                return httpx.Response(status, content=body)
            return httpx.Response(status, json=body)
        return mock.handle(request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": -412, "message": "blocked", "data": {}}, -412),
        ({"code": "oops", "data": None}, -1),
        ({"data": {"wbi_img": {"img_url": "x"}}}, -1),
        ({"code": 0, "data": {"wbi_img": {"img_url": "a/b.png", "sub_url": "c/d.png"}}}, -1),
    ],
)
def test_nav_without_keys(body: Any, code: int) -> None:
    with Client(transport=_nav_answering(body), max_retries=0) as bili:
        with pytest.raises(ResponseCodeException) as ei:
            bili.video.get_detail(BVID)
    e = ei.value
    assert e.code == code
    assert e.message.startswith("nav did not return WBI keys")
    # the lookup's request, and the call that needed it
    assert e.endpoint == "GET api.bilibili.com/x/web-interface/nav, needed by video.get_detail"


def test_nav_not_json() -> None:
    with Client(transport=_nav_answering(b"<html>", 502), max_retries=0) as bili:
        with pytest.raises(
            ResponseException,
            match=r"^WBI keys: HTTP 502 \[GET api.bilibili.com/x/web-interface/nav",
        ):
            bili.video.get_detail(BVID)


class _SlowTransport(httpx.AsyncBaseTransport):
    """Answers like the mock after a real await, so concurrent calls interleave."""

    def __init__(self, mock: MockBilibili) -> None:
        self.mock = mock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        await request.aread()
        return self.mock.handle(request)


@pytest.mark.anyio
async def test_async_single_flight_with_real_concurrency() -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=_SlowTransport(mock)) as bili:
        await asyncio.gather(*(bili.video.get_detail(BVID) for _ in range(20)))
    assert mock.count("video.get_detail") == 20
    assert mock.count("/x/web-interface/nav") == 1
    assert mock.count("/x/frontend/finger/spi") == 1
    assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 1


@pytest.mark.anyio
async def test_async_locks_are_per_need() -> None:
    state = SharedState()
    assert state.alock("wbi") is state.alock("wbi")
    assert state.alock("wbi") is not state.alock("buvid")


@pytest.mark.parametrize("flag", ["auto_buvid", "bili_ticket"])
def test_derive_keeps_the_policy(flag: str) -> None:
    options = ClientOptions()
    ctx = AuthContext(options, **{flag: False})
    copy = ctx.derive(ClientOptions(timeout=3))
    assert getattr(copy, flag) is False and copy.state is ctx.state
    assert copy.options.timeout.read == 3


def test_ticket_hexsign_vector() -> None:
    from bilibili_sdk.testing._mock import ticket_hexsign

    vector = "bb79f0d980ffbb51597aa1a3e8b55603025cc1322ac766f4c1a98852e6182514"  # §2.3
    assert _auth.ticket_hexsign(1700000000) == ticket_hexsign("1700000000") == vector


def test_ticket_is_fetched_checked_and_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_700_000_000.0]
    monkeypatch.setattr(_auth.time, "time", lambda: clock[0])
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        bili.video.get_info(BVID)
        (ticket,) = [r for r in mock.requests if r.path.endswith("/GenWebTicket")]
        assert ticket.method == "POST"
        assert ticket.query["context[ts]"] == "1700000000" and ticket.query["csrf"] == ""
        call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
        assert call.cookies["bili_ticket"] == "mock.ticket.jwt"
        assert call.cookies["bili_ticket_expires"] == str(1700000000 + 10**10)
        state = bili._auth_context.state
        # a ticket that expires within a minute is fetched again
        state.ticket_expires = int(clock[0]) + 60
        bili.video.get_info(BVID)
        assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 2
        state.ticket_expires = int(clock[0]) + 61
        bili.video.get_info(BVID)
        assert mock.count("/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket") == 2


def test_a_failed_ticket_is_retried_after_the_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [10_000.0]
    monkeypatch.setattr(_auth, "monotonic", lambda: now[0])
    mock = MockBilibili()
    calls = {"n": 0}
    real = mock.handle

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/GenWebTicket"):
            calls["n"] += 1
            return httpx.Response(200, json={"code": -1, "message": "no"})
        return real(request)

    with Client(transport=httpx.MockTransport(handle)) as bili:
        bili.video.get_info(BVID)
        assert calls["n"] == 1
        now[0] += _auth.PREREQ_RETRY_AFTER - 1  # not yet: within the pause
        bili.video.get_info(BVID)
        assert calls["n"] == 1
        now[0] += 1
        bili.video.get_info(BVID)
        assert calls["n"] == 2
    sent = [r for r in mock.requests if r.endpoint == "video.get_info"]
    assert all("bili_ticket" not in r.cookies for r in sent)


def test_key_generations_count_refreshes() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        state = bili._auth_context.state
        bili.video.get_detail(BVID)
        assert state.wbi_generation == 1
        mock.reject_signatures(1)
        bili.video.get_detail(BVID)  # rejected: invalidated (2), fetched again (3)
        assert state.wbi_generation == 3
    assert mock.count("/x/web-interface/nav") == 2


def _with_prereqs(**answers: Any) -> tuple[httpx.MockTransport, MockBilibili]:
    """The mock, with spi / GenWebTicket answered by `answers` (a JSON body or raw bytes)."""
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        for suffix, answer in answers.items():
            if request.url.path.endswith("/" + suffix):
                mock._record(request, request.url.host, request.url.path)
                if isinstance(answer, bytes):
                    return httpx.Response(200, content=answer)
                return httpx.Response(200, json=answer)
        return mock.handle(request)

    return httpx.MockTransport(handler), mock


def test_cookies_by_source() -> None:
    from bilibili_sdk import Credential

    transport, mock = _with_prereqs()
    with Client(transport=transport) as bili:  # no credential: buvid from spi
        bili.video.get_info(BVID)
    call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
    assert call.cookies["buvid3"].startswith("MOCK-BUVID3")
    assert call.cookies["buvid4"] == "MOCK-BUVID4-0000"
    assert "SESSDATA" not in call.cookies
    # the credential's own buvid wins, and goes even to endpoints that take no login
    cred = Credential(sessdata="S", buvid3="CRED-B3", buvid4="CRED-B4")
    transport, mock = _with_prereqs()
    with Client(transport=transport, credential=cred) as bili:
        bili.live.get_room_play_info(23058)  # auth: none
        bili.video.get_info(BVID)  # auth: optional
    call = [r for r in mock.requests if r.endpoint == "live.get_room_play_info"][-1]
    assert (call.cookies["buvid3"], call.cookies["buvid4"]) == ("CRED-B3", "CRED-B4")
    assert "SESSDATA" not in call.cookies
    call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
    assert call.cookies["SESSDATA"] == "S" and call.cookies["buvid3"] == "CRED-B3"
    assert mock.count("/x/frontend/finger/spi") == 0  # not needed: the credential has one


def test_ticket_defaults_when_the_answer_is_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_auth.time, "time", lambda: 1_700_000_000.0)
    transport, mock = _with_prereqs(GenWebTicket={"code": 0, "data": {"ticket": "T"}})
    with Client(transport=transport) as bili:
        bili.video.get_info(BVID)
    call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
    assert call.cookies["bili_ticket"] == "T"
    assert call.cookies["bili_ticket_expires"] == str(1_700_000_000 + 259200)  # 3 days


@pytest.mark.parametrize(
    "answer", [b"<html>", [1, 2], {"code": 0, "data": None}, {"code": 0, "data": {"ttl": 1}}]
)
def test_prerequisite_failures_never_fail_the_call(answer: Any) -> None:
    raw = answer if isinstance(answer, bytes) else None
    body = answer if raw is None else raw
    transport, mock = _with_prereqs(spi=body, GenWebTicket=body)
    with Client(transport=transport) as bili:
        assert bili.video.get_info(BVID).bvid
        state = bili._auth_context.state
        assert state.buvid3 is None and state.ticket is None
        assert state.failures == {"buvid": 1, "ticket": 1}
        assert state.retry_at["buvid"] > 0 and state.retry_at["ticket"] > 0
    call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
    assert not {"buvid3", "buvid4", "bili_ticket"} & set(call.cookies)


def test_prerequisite_json_errors_say_what() -> None:
    from bilibili_sdk._auth import _Bad, _json

    cases = [
        (httpx.Response(503, content=b"x"), "HTTP 503", 503, None),
        (httpx.Response(200, content=b"x"), "HTTP 200, the body is not JSON", 200, None),
        (httpx.Response(200, json=[1]), "HTTP 200, the body is not a JSON object", 200, None),
        (httpx.Response(200, json={"code": -352, "message": "risk"}), "code -352: risk", 200, -352),
        (httpx.Response(200, json={"code": "x", "msg": "m"}), "code x: m", 200, -1),
    ]
    for response, reason, status, code in cases:
        with pytest.raises(_Bad) as ei:
            _json(response)
        assert (ei.value.reason, ei.value.status, ei.value.code) == (reason, status, code)
    assert _json(httpx.Response(200, json={"code": 7}), accept=(0, 7)) == {"code": 7}


@pytest.mark.parametrize(
    ("base_urls", "url", "expected"),
    [
        ({}, "https://api.bilibili.com/x/y?q=1", "https://api.bilibili.com/x/y?q=1"),
        (
            {"api.bilibili.com": "http://127.0.0.1:9/"},
            "https://api.bilibili.com/x/y?q=1",
            "http://127.0.0.1:9/x/y?q=1",
        ),
        ({"api": "http://127.0.0.1:9"}, "https://api.bilibili.com/x/y", "http://127.0.0.1:9/x/y"),
        (
            {"live": "http://127.0.0.1:9"},
            "https://api.bilibili.com/x/y",
            "https://api.bilibili.com/x/y",
        ),
        (
            {"*": "http://127.0.0.1:9/"},
            "https://api.bilibili.com/x/y?q=1",
            "http://127.0.0.1:9/api.bilibili.com/x/y?q=1",
        ),
        (
            {"*": "http://127.0.0.1:9", "api": "http://127.0.0.1:8"},
            "https://hd.biliplus.com/api/cidinfo",
            "http://127.0.0.1:9/hd.biliplus.com/api/cidinfo",
        ),
        (
            {"api": "http://127.0.0.1:8"},
            "https://hd.biliplus.com/api/cidinfo",
            "https://hd.biliplus.com/api/cidinfo",
        ),
    ],
)
def test_url_routing(base_urls: dict[str, str], url: str, expected: str) -> None:
    ctx = AuthContext(ClientOptions(base_urls=base_urls))
    assert ctx.url(url) == expected


def test_login_checks_name_the_call() -> None:
    from bilibili_sdk import (
        Credential,
        CredentialNoBiliJctException,
        CredentialNoSessdataException,
    )

    with Client() as bili:
        with pytest.raises(CredentialNoSessdataException) as ei:
            bili.video.has_liked(BVID)
        assert str(ei.value) == "video.has_liked needs a logged-in credential (SESSDATA)"
    with Client(credential=Credential(sessdata="s")) as bili:
        with pytest.raises(CredentialNoBiliJctException) as ej:
            bili.video.like(BVID)
        assert str(ej.value) == "video.like needs bili_jct (csrf) in the credential"


def test_a_json_body_call() -> None:
    """No catalogue endpoint posts JSON yet; the runtime supports it: body, csrf in it."""
    import json

    from bilibili_sdk import Credential
    from bilibili_sdk._endpoint import Call, Endpoint

    ep: Endpoint[Any] = Endpoint(
        "demo.post_json", "POST", "https://api.bilibili.com/x/demo", auth="required", csrf=True
    )
    ctx = AuthContext(ClientOptions(credential=Credential(sessdata="S", bili_jct="J")))
    request, _ = ctx.build(Call(ep, query={"q": 1}, json={"a": [1, 2]}))
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"a": [1, 2], "csrf": "J", "csrf_token": "J"}
    assert request.url.params["q"] == "1" and "csrf" not in request.url.params


def test_no_spi_when_auto_buvid_is_off() -> None:
    from bilibili_sdk._settings import request_settings

    request_settings.set("enable_auto_buvid", False)
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        bili.video.get_info(BVID)
    assert mock.count("/x/frontend/finger/spi") == 0
    call = [r for r in mock.requests if r.endpoint == "video.get_info"][-1]
    assert "buvid3" not in call.cookies


def test_unsigned_calls_fetch_no_keys() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        bili.video.get_info(BVID)
    assert mock.count("/x/web-interface/nav") == 0
    spi = [r for r in mock.requests if r.path == "/x/frontend/finger/spi"]
    assert [r.method for r in spi] == ["GET"]


def test_a_failed_spi_is_retried_after_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [10_000.0]
    monkeypatch.setattr(_auth, "monotonic", lambda: now[0])
    transport, mock = _with_prereqs(spi={"code": -1})
    with Client(transport=transport) as bili:
        bili.video.get_info(BVID)
        now[0] += _auth.PREREQ_RETRY_AFTER - 1
        bili.video.get_info(BVID)
        assert mock.count("/x/frontend/finger/spi") == 1
        now[0] += 1
        bili.video.get_info(BVID)
        assert mock.count("/x/frontend/finger/spi") == 2
        # a second failure in a row doubles the wait
        now[0] += _auth.PREREQ_RETRY_AFTER
        bili.video.get_info(BVID)
        assert mock.count("/x/frontend/finger/spi") == 2
        now[0] += _auth.PREREQ_RETRY_AFTER
        bili.video.get_info(BVID)
    assert mock.count("/x/frontend/finger/spi") == 3

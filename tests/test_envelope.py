"""Decoding details of `_base_client`: what the request log carries, validation messages,
binary bodies that answer errors as JSON, WBI give-up errors and per-endpoint codes."""

from __future__ import annotations

from typing import Any, Optional

import httpx
import pytest
from pydantic import BaseModel

from bilibili_sdk import (
    Client,
    Credential,
    NotFoundException,
    ResponseCodeException,
    ResponseException,
    ResponseValidationException,
    RiskControlException,
    WbiRetryTimesExceedException,
)
from bilibili_sdk._base_client import BaseClient, _looks_like_json
from bilibili_sdk._endpoint import Call, Endpoint
from bilibili_sdk._events import request_log
from bilibili_sdk._settings import ClientOptions
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

BVID = "BV1xx411c7mD"


def _logged(call: Any, credential: Credential | None = None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    request_log.set_on(True)
    request_log.add_event_listener("API_REQUEST", events.append)
    try:
        with Client(transport=MockBilibili().transport(), credential=credential) as bili:
            call(bili)
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    return events


def test_request_log_of_a_signed_get() -> None:
    (event,) = _logged(lambda b: b.video.get_detail(BVID))
    assert event["endpoint"] == "video.get_detail"
    assert event["method"] == "GET"
    assert event["url"] == "https://api.bilibili.com/x/web-interface/wbi/view/detail"
    # as the call gave them, fixed values included, plus the signature the runtime added
    # (logged after signing; w_rid hidden, wts and web_location shown)
    params = dict(event["params"])
    assert params.pop("w_rid") == "<hidden>"
    assert params.pop("wts").isdigit()
    assert params == {
        "bvid": BVID,
        "need_elec": 0,
        "need_operation_card": 0,
        "web_location": "1550101",
    }
    assert event["form"] == {}
    assert event["cookies"] == "<hidden>"  # the buvid cookies: logged after they are attached


def test_request_log_of_a_form_post() -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    (event,) = _logged(lambda b: b.video.like(BVID, like=2), cred)
    assert (event["endpoint"], event["method"]) == ("video.like", "POST")
    assert event["url"] == "https://api.bilibili.com/x/web-interface/archive/like"
    assert event["params"] == {}
    assert event["form"] == {
        "bvid": BVID,
        "like": "2",
        "csrf": "<hidden>",
        "csrf_token": "<hidden>",
    }


def test_request_log_hides_secret_query_values() -> None:
    from bilibili_sdk._base_client import _redact_request
    from bilibili_sdk._endpoint import Call

    ep: Endpoint[Any] = Endpoint("demo.get", "GET", "https://api.bilibili.com/x/d")
    query = {"a": "1", "access_key": "K", "CSRF": "J", "w_rid": "W", "SESSDATA": "S"}
    request = httpx.Request("GET", ep.url, params=query, headers={"Cookie": "SESSDATA=S"})
    event = _redact_request(Call(ep, query=query), request, [])
    assert event["params"] == {
        "a": "1",
        "access_key": "<hidden>",
        "CSRF": "<hidden>",
        "w_rid": "<hidden>",
        "SESSDATA": "<hidden>",
    }
    assert event["cookies"] == "<hidden>" and event["form"] == {}


def test_validation_error_message_and_data() -> None:
    mock = MockBilibili()
    bad = {"bvid": 5, "aid": "x", "stat": {"view": "many", "like": "some"}, "owner": []}
    mock.set_response("video.get_info", {"code": 0, "data": bad})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseValidationException) as ei:
            bili.video.get_info(BVID)
    e = ei.value
    text = str(e)
    assert text.startswith("the response does not fit VideoInfo: aid: ")
    assert "(+" in text and " more)" in text  # more than three problems: the rest counted
    assert text.endswith(
        "[video.get_info GET api.bilibili.com/x/web-interface/view]; the raw body is in this "
        "exception's .data, or call client.video.with_raw_response.get_info(...)"
    )
    assert e.data == bad and e.status == 200
    assert e.endpoint == "video.get_info GET api.bilibili.com/x/web-interface/view"


def test_validation_error_with_few_problems_lists_them_all() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", {"code": 0, "data": {"bvid": "B", "aid": "x"}})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseValidationException) as ei:
            bili.video.get_info(BVID)
    assert "more)" not in str(ei.value)
    assert str(ei.value).count(": ") >= 2


def _response(content: bytes, ctype: str | None) -> httpx.Response:
    headers = {"content-type": ctype} if ctype else {}
    return httpx.Response(200, content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "ctype", "is_json"),
    [
        (b'{"code": -404}', "application/json; charset=utf-8", True),
        (b"\x0a\x02hi", "application/json", True),
        (b'{"code": -404}  \n', "application/octet-stream", True),
        (b'{"code": -404', None, False),
        (b'"code"}', None, False),
        (b"\x0a\x02{}", None, False),
        (b"", None, False),
    ],
)
def test_looks_like_json(content: bytes, ctype: str | None, is_json: bool) -> None:
    assert _looks_like_json(_response(content, ctype), content) is is_json


def test_binary_endpoint_answering_an_error_envelope() -> None:
    mock = MockBilibili()
    body = {"code": -404, "message": "no such video"}
    mock.set_response(
        "video.get_danmaku_view",
        lambda rec: httpx.Response(
            200, json=body, headers={"content-type": "application/octet-stream"}
        ),
    )
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(NotFoundException) as ei:
            bili.video.get_danmaku_view(cid=1, aid=2)
    assert ei.value.message == "no such video"


def test_malformed_binary_body() -> None:
    mock = MockBilibili()
    mock.set_response(
        "video.get_danmaku_view",
        lambda rec: httpx.Response(
            200, content=b"\x0a\xff", headers={"content-type": "application/octet-stream"}
        ),
    )
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseException) as ei:
            bili.video.get_danmaku_view(cid=1, aid=2)
    e = ei.value
    assert str(e).startswith("malformed body: ")
    assert str(e).endswith("[video.get_danmaku_view GET api.bilibili.com/x/v2/dm/web/view]")
    assert e.status == 200
    assert e.endpoint == "video.get_danmaku_view GET api.bilibili.com/x/v2/dm/web/view"
    assert e.__cause__ is not None


@pytest.mark.parametrize("code", [-352, -403])
def test_wbi_give_up_error(code: int) -> None:
    mock = MockBilibili()
    mock.set_response("video.get_detail", {"code": code, "message": "风控", "data": {"v": 1}})
    with Client(transport=mock.transport(), wbi_retry_times=2) as bili:
        with pytest.raises(WbiRetryTimesExceedException) as ei:
            bili.video.get_detail(BVID)
    e = ei.value
    assert e.code == code
    assert e.message == "风控 (WBI signature still rejected after 2 refreshes)"
    assert e.data == {"v": 1} and e.raw == {"code": code, "message": "风控", "data": {"v": 1}}
    assert e.endpoint == "video.get_detail GET api.bilibili.com/x/web-interface/wbi/view/detail"
    assert isinstance(e.__cause__, ResponseCodeException)
    assert mock.count("video.get_detail") == 3 and mock.count("/x/web-interface/nav") == 3


def test_unsigned_calls_do_not_refresh_keys() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_info", {"code": -352, "message": "风控"})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(RiskControlException):
            bili.video.get_info(BVID)
    assert mock.count("video.get_info") == 1 and mock.count("/x/web-interface/nav") == 0


def test_other_codes_on_signed_calls_do_not_refresh_keys() -> None:
    mock = MockBilibili()
    mock.set_response("video.get_detail", {"code": -404, "message": "gone"})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(NotFoundException):
            bili.video.get_detail(BVID)
    assert mock.count("video.get_detail") == 1 and mock.count("/x/web-interface/nav") == 1


def test_per_endpoint_codes_and_messages() -> None:
    client = BaseClient(ClientOptions())
    ep: Endpoint[Any] = Endpoint(
        "demo.get", "GET", "https://api.bilibili.com/x/d", raises={62002: "NotFoundException"}
    )
    e = client._code_error(ep, 62002, {"code": 62002, "msg": "稿件不可见", "data": [1]})
    assert type(e) is NotFoundException
    assert (e.code, e.message, e.data, e.endpoint) == (
        62002,
        "稿件不可见",
        [1],
        "demo.get GET api.bilibili.com/x/d",
    )
    assert e.raw == {"code": 62002, "msg": "稿件不可见", "data": [1]}
    plain = client._code_error(ep, 62003, {"code": 62003})
    assert type(plain) is ResponseCodeException and plain.message == "62003"
    known = client._code_error(ep, -101, {"code": -101, "message": "账号未登录"})
    assert type(known).__name__ == "NotLoggedInException"


def test_network_error_messages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            raise httpx.ReadTimeout("slow", request=request)
        return MockBilibili().handle(request)

    from bilibili_sdk import NetworkTimeoutException

    with Client(transport=httpx.MockTransport(handler), max_retries=0) as bili:
        with pytest.raises(NetworkTimeoutException) as ei:
            bili.video.get_info(BVID)
    assert str(ei.value) == "ReadTimeout [video.get_info GET api.bilibili.com/x/web-interface/view]"


def _problems(model: Any, payload: Any) -> list[str]:
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(model).validate_python(payload)
    except ValidationError as e:
        return [
            f"{'.'.join(str(x) for x in err['loc']) or '<root>'}: {err['msg']}"
            for err in e.errors()
        ]
    raise AssertionError("expected a validation error")


@pytest.mark.parametrize(
    "data",
    [
        {"bvid": "B", "aid": "x"},  # one problem
        {"bvid": "B", "aid": "x", "stat": {"view": "a", "like": "b", "coin": "c", "reply": "d"}},
        [1, 2],  # not an object at all: the problem is at the root
    ],
)
def test_validation_message_exact(data: Any) -> None:
    from bilibili_sdk.models import VideoInfo

    problems = _problems(VideoInfo, data)
    shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
    mock = MockBilibili()
    mock.set_response("video.get_info", {"code": 0, "data": data})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseValidationException) as ei:
            bili.video.get_info(BVID)
    assert str(ei.value) == (
        f"the response does not fit VideoInfo: {shown} "
        "[video.get_info GET api.bilibili.com/x/web-interface/view]; the raw body is in this "
        "exception's .data, or call client.video.with_raw_response.get_info(...)"
    )


def test_validation_message_of_a_list_model_and_a_bare_name() -> None:
    from bilibili_sdk._base_client import _invalid

    ep: Endpoint[Any] = Endpoint("nodot", "GET", "https://api.bilibili.com/x/d", model=int | None)
    e = _invalid(ep, ["x"], ["0: bad"])
    assert str(e) == (
        "the response does not fit int | None: 0: bad [nodot GET api.bilibili.com/x/d]; "
        "the raw body is in this exception's .data"
    )


@pytest.mark.parametrize(
    ("status", "retried", "message"),
    [
        (500, True, "HTTP 500 ["),
        (501, True, "HTTP 501 ["),
        (429, True, "HTTP 429 ["),
        (430, False, "HTTP 430: the body is not JSON ["),
        (499, False, "HTTP 499: the body is not JSON ["),
    ],
)
def test_status_boundaries(
    monkeypatch: pytest.MonkeyPatch, status: int, retried: bool, message: str
) -> None:
    import time

    monkeypatch.setattr(time, "sleep", lambda s: None)
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            seen.append(status)
            return httpx.Response(status, content=b"<html>")
        return MockBilibili().handle(request)

    with Client(transport=httpx.MockTransport(handler), max_retries=1) as bili:
        with pytest.raises(ResponseException) as ei:
            bili.video.get_info(BVID)
    assert str(ei.value).startswith(message)
    assert ei.value.endpoint == "video.get_info GET api.bilibili.com/x/web-interface/view"
    assert ei.value.status == status
    assert len(seen) == (2 if retried else 1)


def test_an_error_status_with_an_envelope_is_a_code_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            return httpx.Response(404, json={"code": -404, "message": "啥都木有"})
        return MockBilibili().handle(request)

    with Client(transport=httpx.MockTransport(handler)) as bili:
        with pytest.raises(NotFoundException):
            bili.video.get_info(BVID)


def test_binary_endpoints_at_status_400() -> None:
    mock = MockBilibili()
    mock.set_response(
        "video.get_danmaku_view",
        lambda rec: httpx.Response(400, content=b"\x0a\x00"),
    )
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ResponseException, match=r"^HTTP 400: the body is not JSON"):
            bili.video.get_danmaku_view(cid=1, aid=2)


def test_risk_control_status_names_the_call() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/view"):
            return httpx.Response(412, content=b"blocked")
        return MockBilibili().handle(request)

    with Client(transport=httpx.MockTransport(handler)) as bili:
        with pytest.raises(RiskControlException) as ei:
            bili.video.get_info(BVID)
    assert ei.value.endpoint == "video.get_info GET api.bilibili.com/x/web-interface/view"


def test_an_empty_body_is_a_malformed_envelope() -> None:
    """Pinned as it is: an empty 200 body raises, even for a call that returns None (the seed
    returned None for `content-length: 0`)."""
    mock = MockBilibili()
    mock.set_response("video.like", lambda rec: httpx.Response(200, content=b""))
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with Client(transport=mock.transport(), credential=cred) as bili:
        with pytest.raises(ResponseException, match=r"^malformed envelope \[video.like"):
            bili.video.like(BVID)


def test_response_log_event() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    request_log.set_on(True)
    request_log.add_event_listener("API_RESPONSE", lambda d: events.append(("resp", d)))
    request_log.add_event_listener("API_REQUEST", lambda d: events.append(("req", d)))
    try:
        with Client(transport=MockBilibili().transport()) as bili:
            bili.video.get_info(BVID)
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    assert [k for k, _ in events] == ["req", "resp"]
    resp = events[1][1]
    assert set(resp) == {"endpoint", "status", "elapsed_ms"}
    assert (resp["endpoint"], resp["status"]) == ("video.get_info", 200)
    assert isinstance(resp["elapsed_ms"], float) and 0 <= resp["elapsed_ms"] < 60_000
    assert resp["elapsed_ms"] == round(resp["elapsed_ms"], 1)


def test_nothing_is_logged_when_off() -> None:
    events: list[Any] = []
    request_log.add_event_listener("API_RESPONSE", events.append)
    request_log.add_event_listener("API_REQUEST", events.append)
    try:
        with Client(transport=MockBilibili().transport()) as bili:
            bili.video.get_info(BVID)
    finally:
        request_log.remove_all_event_listener()
    assert events == []


def test_the_pool_gets_the_options() -> None:
    with Client(timeout=7, verify=False, trust_env=False) as bili:
        http = bili._http
        assert http.timeout == httpx.Timeout(7.0, connect=5.0)
        assert http.trust_env is False
    with Client() as bili:
        assert bili._http.trust_env is True


# ---------------------------------------------------------------- gaps found by mutation testing
DEMO = "https://api.bilibili.com/x/demo"
DEMO_LABEL = "demo.get GET api.bilibili.com/x/demo"


def _demo(payload: Any) -> httpx.MockTransport:
    """Answer /x/demo with `payload` as `data`, everything else like the mock."""
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/x/demo":
            return httpx.Response(200, json={"code": 0, "data": payload})
        return mock.handle(request)

    return httpx.MockTransport(handler)


def test_the_error_table_is_built_once_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from bilibili_sdk import NotLoggedInException, _base_client

    monkeypatch.setattr(_base_client, "_error_table", None)
    client = BaseClient(ClientOptions())
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO)
    assert type(client._code_error(ep, -101, {"code": -101})) is NotLoggedInException
    table = _base_client._error_table
    assert table is not None and table[-101] is NotLoggedInException
    assert type(client._code_error(ep, 62002, {"code": 62002})) is NotFoundException
    assert _base_client._error_table is table


def test_an_endpoint_code_wins_over_the_global_table() -> None:
    client = BaseClient(ClientOptions())
    # -101 is NotLoggedInException in errors.yaml; this endpoint says otherwise.
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, raises={-101: "NotFoundException"})
    assert type(client._code_error(ep, -101, {"code": -101})) is NotFoundException
    assert type(client._code_error(ep, "-101", {"code": "-101"})) is NotFoundException


class _Demo(BaseModel):
    n: int = 0


@pytest.mark.parametrize(
    ("model", "payload", "expected"),
    [
        (list[int], ["1", 2], [1, 2]),
        (Any, {"k": ["v"]}, {"k": ["v"]}),
        (_Demo, {"n": "3"}, _Demo(n=3)),
        (list[int] | None, None, []),  # lenient: null is the first member's empty value
        (Optional[dict[str, int]], None, {}),  # noqa: UP045 (typing.Union, not X | None)
        (_Demo | None, None, _Demo()),
    ],
)
def test_a_new_endpoint_builds_its_validator_once(model: Any, payload: Any, expected: Any) -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, model=model)
    assert ep._adapter is None
    with Client(transport=_demo(payload)) as bili:
        assert bili._request(Call(ep)) == expected
        built = ep._adapter
        assert built is not None
        seen: list[Any] = []

        def spy(p: Any, **kw: Any) -> Any:
            seen.append(p)
            return built(p, **kw)

        ep._adapter = spy
        assert bili._request(Call(ep)) == expected
        assert len(seen) == 1 and ep._adapter is spy


def test_network_errors_keep_their_kind() -> None:
    from bilibili_sdk import NetworkException, NetworkTimeoutException

    client = BaseClient(ClientOptions())
    call = Call(Endpoint("demo.get", "GET", DEMO))
    refused = client._network_error(call, httpx.ConnectError("refused"))
    assert type(refused) is NetworkException
    assert str(refused) == f"ConnectError [{DEMO_LABEL}]"
    slow = client._network_error(call, httpx.ConnectTimeout("slow"))
    assert type(slow) is NetworkTimeoutException
    assert str(slow) == f"ConnectTimeout [{DEMO_LABEL}]"


def test_wbi_dm_calls_refresh_the_keys_too() -> None:
    mock = MockBilibili()
    mock.set_response("user.get_info", {"code": -352, "message": "风控"})
    with Client(transport=mock.transport(), wbi_retry_times=1) as bili:
        with pytest.raises(WbiRetryTimesExceedException) as ei:
            bili.user.get_info(2)
    assert ei.value.message == "风控 (WBI signature still rejected after 1 refreshes)"
    assert mock.count("user.get_info") == 2 and mock.count("/x/web-interface/nav") == 2


def test_validation_message_with_exactly_three_problems() -> None:
    from bilibili_sdk._base_client import _invalid

    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, model=_Demo)
    hint = (
        "the raw body is in this exception's .data, or call client.demo.with_raw_response.get(...)"
    )
    three = _invalid(ep, {}, ["a: x", "b: y", "c: z"])
    assert str(three) == f"the response does not fit _Demo: a: x; b: y; c: z [{DEMO_LABEL}]; {hint}"
    four = _invalid(ep, {}, ["a: x", "b: y", "c: z", "d: w"])
    assert str(four) == (
        f"the response does not fit _Demo: a: x; b: y; c: z (+1 more) [{DEMO_LABEL}]; {hint}"
    )


def test_request_log_hides_credential_values_under_any_name() -> None:
    from bilibili_sdk._base_client import _redact_request

    ep: Endpoint[Any] = Endpoint("demo.post", "POST", DEMO)
    query = {"note": "see S3CRET here", "a": "1"}
    request = httpx.Request("POST", ep.url, params=query, data={"blank": "", "b": "2"})
    event = _redact_request(Call(ep, query=query), request, ["S3CRET"])
    assert event["params"] == {"note": "<hidden>", "a": "1"}
    assert event["form"] == {"blank": "", "b": "2"}  # blank values are kept
    assert event["cookies"] is None  # no Cookie header: nothing to hide


@pytest.mark.parametrize(("decoder", "expected"), [("bytes", "弹幕".encode()), ("text", "弹幕")])
def test_raw_bodies_come_back_as_bytes_or_text(decoder: str, expected: Any) -> None:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/x/demo":
            body = "弹幕".encode()
            return httpx.Response(200, content=body, headers={"content-type": "text/plain"})
        return mock.handle(request)

    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, decoder=decoder)
    with Client(transport=httpx.MockTransport(handler)) as bili:
        assert bili._request(Call(ep)) == expected


def _answer(body: bytes, ctype: str = "application/json") -> httpx.MockTransport:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/x/demo":
            return httpx.Response(200, content=body, headers={"content-type": ctype})
        return mock.handle(request)

    return httpx.MockTransport(handler)


def test_envelope_none_returns_the_whole_body_even_without_a_code() -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, envelope="none", model=Any)
    with Client(transport=_answer(b'{"list": [1, 2], "OK": 1}')) as bili:
        assert bili._request(Call(ep)) == {"list": [1, 2], "OK": 1}


def test_ok_other_than_one_is_an_error_with_the_body() -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, envelope="none", model=Any)
    with Client(transport=_answer(b'{"OK": 0, "msg": "x"}')) as bili:
        with pytest.raises(ResponseCodeException) as ei:
            bili._request(Call(ep))
    assert (ei.value.code, ei.value.message) == (-1, "OK != 1")
    assert ei.value.raw == {"OK": 0, "msg": "x"} and ei.value.endpoint == DEMO_LABEL


def test_a_decoder_endpoint_answering_json_without_an_error_decodes_the_body() -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, decoder="text")
    with Client(transport=_answer(b'{"code": 0, "data": 1}')) as bili:
        assert bili._request(Call(ep)) == '{"code": 0, "data": 1}'


def test_a_body_that_is_not_an_object_is_a_malformed_envelope() -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, model=Any)
    with Client(transport=_answer(b"[1, 2]")) as bili:
        with pytest.raises(ResponseException) as ei:
            bili._request(Call(ep))
    assert str(ei.value) == f"malformed envelope [{DEMO_LABEL}]"
    assert (ei.value.status, ei.value.endpoint) == (200, DEMO_LABEL)


def test_a_raw_call_does_not_validate_until_parse() -> None:
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, model=list[int])
    with Client(transport=_demo(["x"])) as bili:
        raw = bili._request_raw(Call(ep))  # no error yet: the body does not fit list[int]
        assert raw.status_code == 200
        with pytest.raises(ResponseValidationException):
            raw.parse()


def test_log_events_honour_the_event_filter() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    ep: Endpoint[Any] = Endpoint("demo.get", "GET", DEMO, model=Any)
    request_log.set_on(True)
    request_log.set_on_events(["API_REQUEST", "API_RESPONSE"])
    request_log.add_event_listener("API_RESPONSE", lambda d: events.append(("resp", d)))
    request_log.add_event_listener("API_REQUEST", lambda d: events.append(("req", d)))
    try:
        with Client(cred, transport=_demo(1)) as bili:
            bili._request(Call(ep, query={"note": f"x{SESSDATA}x", "n": "1"}))
    finally:
        request_log.set_on(False)
        request_log._on_events = None
        request_log.remove_all_event_listener()
    assert [k for k, _ in events] == ["req", "resp"]
    assert events[0][1]["params"] == {"note": "<hidden>", "n": "1"}  # the credential's value


def test_elapsed_ms_is_milliseconds() -> None:
    import time

    events: list[dict[str, Any]] = []
    client = BaseClient(ClientOptions())
    request_log.set_on(True)
    request_log.add_event_listener("API_RESPONSE", events.append)
    try:
        started = time.perf_counter() - 100.0
        client._log_response(Call(Endpoint("demo.get", "GET", DEMO)), httpx.Response(204), started)
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    assert events[0]["status"] == 204 and events[0]["endpoint"] == "demo.get"
    assert 100_000 <= events[0]["elapsed_ms"] < 100_090

"""The Geetest page's server, over real HTTP on loopback; the browser tests drive the page."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from bilibili_sdk.exceptions import ApiException, ArgsException, GeetestException
from bilibili_sdk.login._geetest import (
    GEETEST_SCRIPT_URL,
    AsyncGeetest,
    Geetest,
    GeetestResult,
    GeetestTimeoutException,
    GeetestType,
)

GT = "c7c93e4e7c3ab8d4b24f2f4b4f9a5c1e"
CHALLENGE = "5d1f7c2b9e0a4f6c8b3d2e1f0a9b8c7d"
TOKEN = "bili-token-0123456789"


def call(
    url: str,
    method: str = "GET",
    path: str = "/",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def nonce_of(url: str) -> str:
    status, page = call(url)
    assert status == 200
    found = re.search(r'data-nonce="([^"]+)"', page)
    assert found
    return found.group(1)


def post(url: str, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, str]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call(
        url,
        "POST",
        "/result",
        body,
        {"Content-Type": "application/json", **(headers or {})},
    )


def good(nonce: str, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "nonce": nonce,
        "challenge": CHALLENGE,
        "validate": "validate-abc123",
        "seccode": "validate-abc123|jordan",
    }
    payload.update(changes)
    return payload


@pytest.fixture
def captcha() -> Iterator[Geetest]:
    with Geetest(GT, CHALLENGE, TOKEN) as captcha:
        yield captcha


def test_start_server_serves_the_page_on_loopback(captcha: Geetest) -> None:
    assert captcha.url is None
    url = captcha.start_server()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
    assert captcha.url == url
    assert captcha.start_server() == url  # idempotent
    status, page = call(url)
    assert status == 200
    assert f'data-gt="{GT}"' in page and f'data-challenge="{CHALLENGE}"' in page
    assert f'data-script="{GEETEST_SCRIPT_URL}"' in page
    assert "Log in to Bilibili" in page
    assert TOKEN not in page  # the token stays in the program


def test_page_escapes_every_value() -> None:
    hostile = '"><script>alert(1)</script>&'
    with Geetest(hostile, hostile, TOKEN, GeetestType.VERIFY) as captcha:
        status, page = call(captcha.start_server())
    assert status == 200
    assert "<script>alert(1)" not in page
    assert 'data-gt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"' in page
    assert "Verify your Bilibili login" in page


def test_a_good_post_completes_wait_and_stops_the_server(captcha: Geetest) -> None:
    url = captcha.start_server()
    status, page = post(url, good(nonce_of(url), challenge=CHALLENGE + "xy"))
    assert status == 200 and "you can close this tab" in page
    result = captcha.wait(timeout=5)
    assert result == GeetestResult(
        gt=GT,
        challenge=CHALLENGE + "xy",  # the widget's challenge, which may extend ours
        token=TOKEN,
        validate="validate-abc123",
        seccode="validate-abc123|jordan",
    )
    assert captcha._thread is not None and not captcha._thread.is_alive()
    with pytest.raises(ConnectionRefusedError):
        call(url)
    assert captcha.wait() is result  # the outcome stays


def test_a_second_post_after_done_is_refused(captcha: Geetest) -> None:
    url = captcha.start_server()
    nonce = nonce_of(url)
    assert post(url, good(nonce))[0] == 200
    status, page = post(url, good(nonce, validate="other", seccode="other|jordan"))
    assert status == 409 and "already solved" in page
    assert '<h1 id="title" class="ok">Done' in call(url)[1]  # a reload shows done
    assert captcha.wait(timeout=5).validate == "validate-abc123"


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b"[" * 10_000, 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        ({"challenge": CHALLENGE}, 400, "lacks nonce, validate, seccode"),
        ("good:validate=", 400, "lacks validate"),
        ("good:seccode=7", 400, "lacks seccode"),
        ("good:nonce=forged", 403, "does not come from the captcha page"),
        ("good:challenge=0123456789abcdef", 400, "another captcha challenge"),
        ("good:challenge=" + CHALLENGE[:-1], 400, "another captcha challenge"),
    ],
)
def test_bad_posts_get_an_error_page_and_wait_goes_on(
    captcha: Geetest, payload: Any, status: int, message: str
) -> None:
    url = captcha.start_server()
    nonce = nonce_of(url)
    if isinstance(payload, str):
        field, value = payload.removeprefix("good:").split("=", 1)
        payload = good(nonce)
        payload[field] = int(value) if value.isdigit() else value
    got, page = post(url, payload)
    assert (got, message in page) == (status, True), page
    assert "<title>Captcha result not accepted</title>" in page
    with pytest.raises(GeetestTimeoutException):
        captcha.wait(timeout=0.05)


def test_posts_that_are_not_json_results_are_refused(captcha: Geetest) -> None:
    url = captcha.start_server()
    nonce = nonce_of(url)
    body = json.dumps(good(nonce)).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert call(url, "POST", "/result", body, form)[0] == 415  # a cross-site form cannot post
    assert call(url, "POST", "/elsewhere", body, {"Content-Type": "application/json"})[0] == 404
    assert post(url, b"x" * 20_000)[0] == 413
    bad_length = {"Content-Type": "application/json", "Content-Length": "-5"}
    assert call(url, "POST", "/result", None, bad_length)[0] == 411
    assert call(url, "GET", "/favicon.ico")[0] == 404
    assert post(url, good(nonce))[0] == 200  # still waiting for a good one


def test_other_origins_cannot_post(captcha: Geetest) -> None:
    url = captcha.start_server()
    nonce = nonce_of(url)
    status, page = post(url, good(nonce), {"Origin": "http://evil.example"})
    assert status == 403 and "Only the captcha page itself" in page
    assert post(url, good(nonce), {"Origin": url.rstrip("/")})[0] == 200


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "evil.example", ""])
def test_a_foreign_host_header_is_refused(captcha: Geetest, host: str) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    url = captcha.start_server()
    headers = {"Host": host.format(port=urlsplit(url).port)}
    status, page = call(url, headers=headers)
    assert status == 403 and f"only answers at {url}" in page
    assert "<title>Not this page</title>" in page and "data-nonce" not in page
    assert post(url, good("x"), headers)[0] == 403


def test_localhost_is_the_same_page(captcha: Geetest) -> None:
    url = captcha.start_server()
    assert call(url, headers={"Host": f"LocalHost:{urlsplit(url).port}"})[0] == 200


def test_only_loopback_peers_are_served(captcha: Geetest) -> None:
    captcha.start_server()
    server = captcha._server
    assert server is not None
    assert server.verify_request(None, ("127.0.0.1", 50000))
    assert server.verify_request(None, ("127.8.9.10", 50000))
    assert server.verify_request(None, ("::1", 50000, 0, 0))
    assert not server.verify_request(None, ("192.168.1.20", 50000))
    assert not server.verify_request(None, ("10.0.0.1", 50000))
    assert not server.verify_request(None, ("not an address", 1))


def test_wait_timeout_raises_and_later_posts_are_refused(captcha: Geetest) -> None:
    url = captcha.start_server()
    nonce = nonce_of(url)
    started = time.monotonic()
    with pytest.raises(GeetestTimeoutException) as caught:
        captcha.wait(timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 2
    assert isinstance(caught.value, GeetestException) and isinstance(caught.value, TimeoutError)
    status, page = post(url, good(nonce))
    assert status == 410 and "stopped waiting" in page
    assert call(url)[0] == 410
    with pytest.raises(GeetestTimeoutException):
        captcha.wait(timeout=5)  # expired for good: no late result


def test_close_joins_the_thread_and_a_late_post_cannot_complete() -> None:
    captcha = Geetest(GT, CHALLENGE, TOKEN)
    url = captcha.start_server()
    nonce = nonce_of(url)
    thread = captcha._thread
    assert thread is not None and thread.is_alive()
    captcha.close()
    assert not thread.is_alive()
    with pytest.raises(ConnectionRefusedError):
        post(url, good(nonce))
    with pytest.raises(GeetestException, match="closed before it was solved"):
        captcha.wait(timeout=5)
    captcha.close()  # idempotent
    with pytest.raises(GeetestException, match="closed"):
        captcha.start_server()


def test_close_wakes_a_blocked_wait() -> None:
    captcha = Geetest(GT, CHALLENGE, TOKEN)
    captcha.start_server()
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            captcha.wait()
        except GeetestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    captcha.close()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(errors) == 1 and not isinstance(errors[0], GeetestTimeoutException)


def test_the_context_manager_closes() -> None:
    with Geetest(GT, CHALLENGE, TOKEN) as captcha:
        captcha.start_server()
        thread = captcha._thread
    assert thread is not None and not thread.is_alive()


def test_wait_before_start_server_raises() -> None:
    with pytest.raises(GeetestException, match="start_server"):
        Geetest(GT, CHALLENGE, TOKEN).wait(timeout=0)


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (("", CHALLENGE, TOKEN), "gt"),
        ((GT, None, TOKEN), "challenge"),
        ((GT, CHALLENGE, ""), "token"),
        ((GT, CHALLENGE, TOKEN, "login"), "type"),
    ],
)
def test_bad_arguments_raise_args_exception(args: tuple[Any, ...], argument: str) -> None:
    with pytest.raises(ArgsException) as caught:
        Geetest(*args)
    assert caught.value.argument == argument


def test_result_repr_hides_the_one_time_values() -> None:
    result = GeetestResult(
        gt=GT,
        challenge=CHALLENGE,
        token="token-secret-1",
        validate="validate-secret-2",
        seccode="seccode-secret-3|jordan",
    )
    text = repr(result)
    assert GT in text and CHALLENGE in text
    assert "secret" not in text
    assert "vali…" in text
    assert str(GeetestType.LOGIN.value) == "login" and GeetestType.VERIFY.value == "verify"
    assert issubclass(GeetestTimeoutException, ApiException)


@pytest.mark.anyio
async def test_async_wait_does_not_block_the_loop() -> None:
    async with AsyncGeetest(GT, CHALLENGE, TOKEN) as captcha:
        url = captcha.start_server()
        nonce = await asyncio.to_thread(nonce_of, url)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        async def solve_later() -> tuple[int, str]:
            await asyncio.sleep(0.3)
            return await asyncio.to_thread(post, url, good(nonce))

        ticking = asyncio.create_task(ticker())
        solving = asyncio.create_task(solve_later())
        result = await captcha.wait(timeout=5)
        ticking.cancel()
        assert (await solving)[0] == 200
        assert result.validate == "validate-abc123"
        assert ticks >= 10  # the loop ran while wait() waited
        assert captcha._thread is not None and not captcha._thread.is_alive()


@pytest.mark.anyio
async def test_async_wait_times_out_and_a_result_already_in_is_returned() -> None:
    async with AsyncGeetest(GT, CHALLENGE, TOKEN) as captcha:
        captcha.start_server()
        with pytest.raises(GeetestTimeoutException):
            await captcha.wait(timeout=0.1)
        assert captcha._listeners == []
    async with AsyncGeetest(GT, CHALLENGE, TOKEN) as captcha:
        url = captcha.start_server()
        nonce = await asyncio.to_thread(nonce_of, url)
        assert (await asyncio.to_thread(post, url, good(nonce)))[0] == 200
        assert (await captcha.wait(timeout=0)).token == TOKEN
    assert captcha._thread is not None and not captcha._thread.is_alive()

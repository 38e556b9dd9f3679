"""Credential lifecycle: the forms `from_cookies` reads, cookie refresh (both flavours, every
failing step, atomicity, redaction) and the clients' opt-in `auto_refresh`."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from bilibili_sdk import ArgsException, Credential

SESSDATA = "abc123%2C1700000000%2Cdef45%2A11"
BILI_JCT = "0123456789abcdef0123456789abcdef"

# ---------------------------------------------------------------- from_cookies


def test_from_cookies_mapping_still_works() -> None:
    cred = Credential.from_cookies({"SESSDATA": SESSDATA, "bili_jct": BILI_JCT, "sid": "s1"})
    assert cred.sessdata == SESSDATA and cred.bili_jct == BILI_JCT
    assert cred.get_cookies()["sid"] == "s1"


def test_from_cookies_document_cookie_string() -> None:
    text = f" SESSDATA={SESSDATA}; bili_jct={BILI_JCT};DedeUserID=2; ac_time_value=tok; ;x=; b="
    cred = Credential.from_cookies(text)
    assert cred.sessdata == SESSDATA and cred.bili_jct == BILI_JCT
    assert cred.dedeuserid == "2" and cred.ac_time_value == "tok"
    assert cred.get_cookies()["x"] == ""  # unknown cookies kept as they are


@pytest.mark.parametrize("as_path", [True, False], ids=["PathLike", "str"])
def test_from_cookies_cookies_txt_path(tmp_path: Path, as_path: bool) -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2, ac_time_value="tok")
    path = tmp_path / "cookies.txt"
    cred.to_cookies_txt(path)
    assert Credential.from_cookies(path if as_path else str(path)) == cred


def test_from_cookies_path_with_equals_needs_a_path(tmp_path: Path) -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    path = tmp_path / "a=b.txt"
    cred.to_cookies_txt(path)
    assert Credential.from_cookies(path) == cred


def test_from_cookies_rejects_other_types() -> None:
    with pytest.raises(ArgsException, match="cookies"):
        Credential.from_cookies(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------- refresh

import asyncio  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from bilibili_sdk import (  # noqa: E402
    AsyncClient,
    Client,
    CookiesRefreshException,
    CredentialNoAcTimeValueException,
    MissingExtraException,
    _refresh,
)
from bilibili_sdk._events import request_log  # noqa: E402
from bilibili_sdk.testing import MockBilibili, RecordedRequest  # noqa: E402

FLAVOURS = ["sync", "async"]
TOKEN = "fedcba9876543210fedcba9876543210"


def logged_in() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2, ac_time_value=TOKEN)


async def aw(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def run(
    flavour: str, mock: MockBilibili, scenario: Callable[[Any], Awaitable[Any]], **opts: Any
) -> Any:
    async def main() -> Any:
        if flavour == "sync":
            with Client(transport=mock.transport(), **opts) as bili:
                return await scenario(bili)
        async with AsyncClient(transport=mock.transport(), **opts) as bili:
            return await scenario(bili)

    return asyncio.run(main())


def sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == f"login.{endpoint}"]


def do_refresh(flavour: str, cred: Credential) -> Callable[[Any], Awaitable[Any]]:
    async def scenario(bili: Any) -> Any:
        return await aw(cred.refresh(bili) if flavour == "sync" else cred.arefresh(bili))

    return scenario


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_check_refresh(flavour: str) -> None:
    mock = MockBilibili()
    cred = logged_in()

    async def scenario(bili: Any) -> list[bool]:
        check = cred.check_refresh if flavour == "sync" else cred.acheck_refresh
        first = await aw(check(bili))
        mock.set_response("login.get_cookie_info", {"code": 0, "data": {"refresh": True}})
        return [first, await aw(check(bili))]

    assert run(flavour, mock, scenario) == [False, True]
    assert [r.cookies["SESSDATA"] for r in sent(mock, "get_cookie_info")] == [SESSDATA] * 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_refresh_happy_path(flavour: str) -> None:
    mock = MockBilibili()
    cred = logged_in()
    run(flavour, mock, do_refresh(flavour, cred))
    (issued,) = mock.login.issued
    assert cred.sessdata == issued["SESSDATA"] and cred.bili_jct == issued["bili_jct"]
    assert cred.dedeuserid == "2" and cred.ac_time_value == issued["refresh_token"]
    assert cred.sessdata != SESSDATA and cred.ac_time_value != TOKEN
    (page,) = sent(mock, "get_refresh_csrf")
    assert page.method == "GET" and page.host == "www.bilibili.com"
    path = page.path.rsplit("/", 1)[1]
    assert page.path.startswith("/correspond/1/") and re.fullmatch("[0-9a-f]{256}", path)
    # the page gets the login with buvid3 replaced by a random uuid1 (§2.4), never the real one
    assert page.cookies["SESSDATA"] == SESSDATA
    b3 = uuid.UUID(page.cookies["buvid3"])
    assert b3.version == 1 and b3.node & (1 << 40)  # random node: no MAC address
    assert cred.buvid3 is None  # the user's credential is untouched by that
    (ref,) = sent(mock, "refresh_cookies")
    assert ref.form["csrf"] == BILI_JCT and ref.form["refresh_token"] == TOKEN
    assert ref.form["refresh_csrf"] == "b0cc8411ded2f9db2cff2edb3123acac"  # the example page
    assert ref.form["source"] == "main_web" and ref.cookies["SESSDATA"] == SESSDATA
    (confirm,) = sent(mock, "confirm_refresh")
    # the NEW cookies and csrf, the OLD refresh token
    assert confirm.form["csrf"] == issued["bili_jct"] == confirm.cookies["bili_jct"]
    assert confirm.cookies["SESSDATA"] == issued["SESSDATA"]
    assert confirm.form["refresh_token"] == TOKEN


def test_correspond_path_is_oaep_of_refresh_ms() -> None:
    from Cryptodome.Cipher import PKCS1_OAEP
    from Cryptodome.Hash import SHA256
    from Cryptodome.PublicKey import RSA

    path = _refresh.correspond_path(1700000000000)
    assert re.fullmatch("[0-9a-f]{256}", path) and path != _refresh.correspond_path(1)
    key = RSA.import_key(__import__("base64").b64decode(_refresh.PUBLIC_KEY))
    assert key.n.bit_length() == 1024 and key.e == 65537
    assert PKCS1_OAEP.new(key, SHA256)._hashObj is SHA256  # the hash we claim


def _html(rec: RecordedRequest) -> httpx.Response:
    return httpx.Response(200, text="<html><body>no csrf</body></html>")


def _no_set_cookie(rec: RecordedRequest) -> httpx.Response:
    data = {"status": 0, "message": "", "refresh_token": "n" * 32}
    return httpx.Response(200, json={"code": 0, "message": "0", "data": data})


FAILURES: dict[str, tuple[str, Any, str]] = {
    "correspond-404": ("get_refresh_csrf", lambda rec: httpx.Response(404), "correspond"),
    "no-refresh-csrf": ("get_refresh_csrf", _html, "no refresh_csrf"),
    "refresh-code": (
        "refresh_cookies",
        {"code": 86095, "message": "refresh_csrf 错误或 refresh_token 与 cookie 不匹配"},
        "cookie/refresh",
    ),
    "no-set-cookie": ("refresh_cookies", _no_set_cookie, "lacks SESSDATA, bili_jct"),
}


@pytest.mark.parametrize("step", sorted(FAILURES))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_refresh_failure_keeps_the_old_values(flavour: str, step: str) -> None:
    endpoint, response, message = FAILURES[step]
    mock = MockBilibili()
    mock.set_response(f"login.{endpoint}", response)
    cred = logged_in()
    before = cred.get_cookies()
    with pytest.raises(CookiesRefreshException, match=re.escape(message)) as ei:
        run(flavour, mock, do_refresh(flavour, cred))
    assert cred.get_cookies() == before and not ei.value.cookies_updated
    assert sent(mock, "confirm_refresh") == []
    for secret in (SESSDATA, BILI_JCT, TOKEN, "n" * 32):
        assert secret not in str(ei.value)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_confirm_failure_keeps_the_new_cookies(flavour: str) -> None:
    """The old cookies are dead once cookie/refresh answered: keep the new ones, and say so."""
    mock = MockBilibili()
    mock.set_response("login.confirm_refresh", {"code": -111, "message": "csrf 校验失败"})
    cred = logged_in()
    with pytest.raises(CookiesRefreshException, match="confirm/refresh") as ei:
        run(flavour, mock, do_refresh(flavour, cred))
    (issued,) = mock.login.issued
    assert ei.value.cookies_updated
    assert cred.sessdata == issued["SESSDATA"] and cred.ac_time_value == issued["refresh_token"]
    assert issued["SESSDATA"] not in str(ei.value)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_refresh_needs_the_refresh_token(flavour: str) -> None:
    mock = MockBilibili()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    with pytest.raises(CredentialNoAcTimeValueException):
        run(flavour, mock, do_refresh(flavour, cred))
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_refresh_without_the_login_extra(flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("Cryptodome", "Cryptodome.Cipher", "Cryptodome.Cipher.PKCS1_OAEP"):
        monkeypatch.setitem(sys.modules, name, None)
    mock = MockBilibili()
    cred = logged_in()
    with pytest.raises(MissingExtraException, match=r"bilibili_sdk\[login\]") as ei:
        run(flavour, mock, do_refresh(flavour, cred))
    assert ei.value.extra == "login" and mock.requests == []
    assert cred.get_cookies() == logged_in().get_cookies()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_no_refresh_secret_in_reprs_or_logs(flavour: str, caplog: pytest.LogCaptureFixture) -> None:
    mock = MockBilibili()
    cred = logged_in()
    events: list[Any] = []
    request_log.set_on(True)
    request_log.add_event_listener("__ALL__", events.append)
    try:
        with caplog.at_level(logging.DEBUG):
            run(flavour, mock, do_refresh(flavour, cred))
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    assert events
    (issued,) = mock.login.issued
    texts = [repr(cred), str(cred), json.dumps(events, default=str)]
    texts += [r.getMessage() for r in caplog.records]
    secrets = [SESSDATA, BILI_JCT, TOKEN, "b0cc8411ded2f9db2cff2edb3123acac"]
    secrets += [issued[k] for k in ("SESSDATA", "bili_jct", "refresh_token")]
    for secret in secrets:
        for text in texts:
            assert secret not in text


# ---------------------------------------------------------------- auto_refresh


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_refresh, "clock", fake)
    return fake


def wants_refresh(mock: MockBilibili) -> None:
    mock.set_response("login.get_cookie_info", {"code": 0, "data": {"refresh": True}})


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_auto_refresh_once_a_day(flavour: str, clock: FakeClock) -> None:
    mock = MockBilibili()
    wants_refresh(mock)
    cred = logged_in()

    async def scenario(bili: Any) -> None:
        await aw(bili.live.get_my_bag())
        first = mock.login.issued[-1]
        assert cred.sessdata == first["SESSDATA"]
        bag = [r for r in mock.requests if r.path.endswith("/gift/bag_list")]
        assert bag[-1].cookies["SESSDATA"] == first["SESSDATA"]  # refreshed before the call
        clock.now += _refresh.CHECK_INTERVAL - 1
        await aw(bili.live.get_my_bag())
        assert len(sent(mock, "get_cookie_info")) == 1  # not due yet
        clock.now += 1
        await aw(bili.live.get_my_bag())

    run(flavour, mock, scenario, credential=cred, auto_refresh=True)
    assert len(sent(mock, "get_cookie_info")) == 2
    assert len(sent(mock, "refresh_cookies")) == 2 and len(mock.login.issued) == 2
    assert cred.sessdata == mock.login.issued[-1]["SESSDATA"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_auto_refresh_only_when_asked_and_possible(flavour: str, clock: FakeClock) -> None:
    mock = MockBilibili()
    wants_refresh(mock)
    no_token = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    cred = logged_in()

    async def scenario(bili: Any) -> None:
        await aw(bili.live.get_my_bag())  # auto_refresh off (the default)
        await aw(bili.with_options(credential=no_token, auto_refresh=True).live.get_my_bag())
        await aw(bili.with_options(auto_refresh=True).login.get_cookie_info())  # login.*
        assert sent(mock, "refresh_cookies") == []
        await aw(bili.with_options(auto_refresh=True).live.get_my_bag())

    run(flavour, mock, scenario, credential=cred)
    assert len(sent(mock, "refresh_cookies")) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_auto_refresh_failure_lets_the_call_go_on(flavour: str, clock: FakeClock) -> None:
    mock = MockBilibili()
    wants_refresh(mock)
    mock.set_response("login.refresh_cookies", {"code": 86095, "message": "mismatch"})
    cred = logged_in()

    async def scenario(bili: Any) -> None:
        await aw(bili.live.get_my_bag())
        await aw(bili.live.get_my_bag())  # checked already: no second attempt today

    run(flavour, mock, scenario, credential=cred, auto_refresh=True)
    assert cred.sessdata == SESSDATA and len(sent(mock, "refresh_cookies")) == 1


def test_auto_refresh_single_flight_threads(clock: FakeClock) -> None:
    mock = MockBilibili()
    wants_refresh(mock)
    cred = logged_in()
    errors: list[BaseException] = []
    with Client(cred, transport=mock.transport(), auto_refresh=True) as bili:

        def call() -> None:
            try:
                bili.live.get_my_bag()
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(sent(mock, "get_cookie_info")) == 1 and len(sent(mock, "refresh_cookies")) == 1
    bags = [r for r in mock.requests if r.path.endswith("/gift/bag_list")]
    assert len(bags) == 8 and {r.cookies["SESSDATA"] for r in bags} == {cred.sessdata}


def test_auto_refresh_single_flight_tasks(clock: FakeClock) -> None:
    mock = MockBilibili()
    wants_refresh(mock)
    cred = logged_in()

    async def main() -> None:
        async with AsyncClient(cred, transport=mock.transport(), auto_refresh=True) as bili:
            await asyncio.gather(*(bili.live.get_my_bag() for _ in range(8)))

    asyncio.run(main())
    assert len(sent(mock, "get_cookie_info")) == 1 and len(sent(mock, "refresh_cookies")) == 1
    bags = [r for r in mock.requests if r.path.endswith("/gift/bag_list")]
    assert len(bags) == 8 and {r.cookies["SESSDATA"] for r in bags} == {cred.sessdata}


def test_auto_refresh_option() -> None:
    with Client() as bili:
        assert bili.options.auto_refresh is False
        assert bili.with_options(auto_refresh=True).options.auto_refresh is True
    with pytest.raises(ArgsException, match="auto_refresh"):
        Client(auto_refresh="yes")  # type: ignore[arg-type]

"""The login flows against the mock Bilibili, in both flavours: QR (web and TV), password,
SMS, the verification Bilibili may ask for, the countries table, QR rendering, the `login`
extra, and that no login secret reaches a repr or a log record."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import io
import json
import logging
import os
import re
import stat
from collections.abc import Awaitable, Callable
from http.cookiejar import MozillaCookieJar
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest

from bilibili_sdk import (
    ApiException,
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    LoginCheckRequired,
    LoginError,
    MissingExtraException,
    ResponseCodeException,
)
from bilibili_sdk._events import request_log
from bilibili_sdk.login import (
    AsyncGeetest,
    AsyncQrLogin,
    Geetest,
    GeetestResult,
    GeetestType,
    LoginCheck,
    QrLogin,
    QrState,
    SmsTicket,
    countries,
)
from bilibili_sdk.login._countries import country_code
from bilibili_sdk.login._qr import QUIET_ZONE, render_terminal
from bilibili_sdk.testing import MockBilibili, RecordedRequest

# The TV client's key pair, written out here rather than imported: the test checks the
# signature against values it does not share with the code under test.
TV_KEY = "4409e2ce8ffd12b8"
TV_SECRET = "59b43e04ad6965f34319062b478f83dd"
SOLVED = GeetestResult(
    gt="gt-1", challenge="challenge-2", token="token-3", validate="validate-4", seccode="sec-5"
)
FLAVOURS = ["sync", "async"]
Scenario = Callable[[Any], Awaitable[Any]]


async def aw(value: Any) -> Any:
    """The value of a call in either flavour (the sync client's is already there)."""
    return await value if inspect.isawaitable(value) else value


def run(flavour: str, mock: MockBilibili, scenario: Scenario) -> Any:
    """Run `scenario(bili)` with a sync or an async client on the mock."""

    async def main() -> Any:
        if flavour == "sync":
            with Client(transport=mock.transport()) as bili:
                return await scenario(bili)
        async with AsyncClient(transport=mock.transport()) as bili:
            return await scenario(bili)

    return asyncio.run(main())


def sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == f"login.{endpoint}"]


def secrets_of(issued: dict[str, str]) -> list[str]:
    """A login's secret values in every form they may take in text."""
    values = [issued[k] for k in ("SESSDATA", "bili_jct", "refresh_token") if k in issued]
    values += [issued["access_token"]] if "access_token" in issued else []
    return values + [unquote(v) for v in values] + [quote(v, safe="") for v in values]


# ---------------------------------------------------------------- QR login


@pytest.mark.parametrize("tv", [False, True], ids=["web", "tv"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_qr_poll_walks_the_scripted_states(flavour: str, tv: bool) -> None:
    mock = MockBilibili()
    mock.script_qr(["waiting", "scanned", "scanned", "done"], tv=tv)

    async def scenario(bili: Any) -> Any:
        qr = await aw(bili.login.start_qr(tv=tv))
        assert isinstance(qr, QrLogin if flavour == "sync" else AsyncQrLogin)
        assert qr.state is QrState.WAITING and qr.tv is tv
        with pytest.raises(LoginError, match="not done yet"):
            qr.credential  # noqa: B018
        states = [await aw(qr.poll()) for _ in range(5)]
        return qr, states

    qr, states = run(flavour, mock, scenario)
    assert states == [QrState.WAITING, QrState.SCANNED, QrState.SCANNED, QrState.DONE, QrState.DONE]
    poll = "poll_tv_qrcode" if tv else "poll_qrcode"
    assert len(sent(mock, poll)) == 4, "no request once DONE"
    issued = mock.login.issued[-1]
    cred = qr.credential
    assert cred.sessdata == issued["SESSDATA"] and cred.bili_jct == issued["bili_jct"]
    assert cred.dedeuserid == "2" and cred.ac_time_value == issued["refresh_token"]
    assert cred.buvid3 and cred.buvid3 == mock.requests[-1].cookies.get("buvid3")
    assert len(mock.login.issued) == 1, "one login per confirmed code"


@pytest.mark.parametrize("tv", [False, True], ids=["web", "tv"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_qr_expiry(flavour: str, tv: bool) -> None:
    mock = MockBilibili()
    mock.script_qr(["waiting", "expired"], tv=tv)

    async def scenario(bili: Any) -> Any:
        qr = await aw(bili.login.start_qr(tv=tv))
        with pytest.raises(LoginError, match="expired"):
            await aw(qr.wait(interval=0.01))
        assert await aw(qr.poll()) is QrState.EXPIRED
        return qr

    qr = run(flavour, mock, scenario)
    assert qr.state is QrState.EXPIRED
    assert len(sent(mock, "poll_tv_qrcode" if tv else "poll_qrcode")) == 2
    assert mock.login.issued == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_qr_wait_reports_changes_and_times_out(flavour: str) -> None:
    mock = MockBilibili()
    mock.script_qr(["waiting", "scanned", "done"])
    seen: list[QrState] = []

    async def scenario(bili: Any) -> Any:
        qr = await aw(bili.login.start_qr())
        cred = await aw(qr.wait(interval=0.01, on_change=seen.append))
        assert isinstance(cred, Credential) and cred is qr.credential
        mock.script_qr(["waiting", "scanned"])
        stuck = await aw(bili.login.start_qr())
        with pytest.raises(LoginError, match=r"not confirmed within 0\.05 s"):
            await aw(stuck.wait(timeout=0.05, interval=0.01))
        for bad in ({"interval": 0}, {"timeout": -1}, {"interval": True}):
            with pytest.raises(ArgsException):
                await aw(stuck.wait(**bad))

    run(flavour, mock, scenario)
    assert seen == [QrState.SCANNED, QrState.DONE]


def test_tv_credential_comes_from_cookie_info() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        cred = bili.login.start_qr(tv=True).wait()
    issued = mock.login.issued[-1]
    assert cred.get_cookies()["sid"] == issued["sid"]
    assert cred.ac_time_value == issued["refresh_token"] != issued["access_token"]
    poll = sent(mock, "poll_tv_qrcode")[0].form
    assert poll["local_id"] == "0" and poll["auth_code"]


def test_web_credential_from_a_recorded_cross_domain_url() -> None:
    """The recorded exchange_cookie answer is a real cross-domain URL: raw SESSDATA in it
    (`,` and `*`), which the Credential keeps in the browser's encoded form."""
    example = json.loads(
        (Path(__file__).parents[1] / "api_spec/examples/login/exchange_cookie.json").read_text(
            encoding="utf-8"
        )
    )[0]["body"]["data"]
    mock = MockBilibili()
    poll = {"code": 0, "message": "0", "ttl": 1}
    mock.set_response("login.poll_qrcode", {**poll, "data": {**example, "code": 0}})
    with Client(transport=mock.transport()) as bili:
        cred = bili.login.start_qr().wait()
    assert cred.dedeuserid == "645769214"
    assert cred.sessdata is not None and cred.sessdata.startswith(
        "11d97d2a%2C1739265009%2C928d7%2A"
    )
    assert cred.bili_jct == "3cdee5b84eb48d4f08bcfd57b58cf40b"
    assert cred.ac_time_value == example["refresh_token"]
    assert set(cred.get_cookies()) >= {"SESSDATA", "bili_jct", "DedeUserID", "DedeUserID__ckMd5"}
    assert not {"Expires", "gourl", "first_domain"} & set(cred.get_cookies())


def test_unexpected_qr_code_and_missing_cookies() -> None:
    mock = MockBilibili()
    base = {"code": 0, "message": "0", "ttl": 1}
    mock.set_response("login.poll_qrcode", {**base, "data": {"code": 86999, "message": "?"}})
    with Client(transport=mock.transport()) as bili:
        qr = bili.login.start_qr()
        with pytest.raises(LoginError, match="unexpected state 86999"):
            qr.poll()
        mock.set_response("login.poll_qrcode", {**base, "data": {"code": 0, "url": "https://x/"}})
        with pytest.raises(LoginError, match="no SESSDATA"):
            qr.poll()
        mock.set_response("login.poll_tv_qrcode", {"code": -400, "message": "bad", "ttl": 1})
        tv = bili.login.start_qr(tv=True)
        with pytest.raises(ResponseCodeException) as ei:
            tv.poll()
        assert ei.value.code == -400


# ---------------------------------------------------------------- the TV APP signature


def _signed_ok(form: dict[str, str]) -> bool:
    rest = sorted((k, v) for k, v in form.items() if k != "sign")
    return hashlib.md5((urlencode(rest) + TV_SECRET).encode()).hexdigest() == form["sign"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_tv_requests_carry_the_tv_app_signature(flavour: str) -> None:
    mock = MockBilibili()
    run(flavour, mock, lambda bili: _tv_login(bili))
    forms = [r.form for r in sent(mock, "generate_tv_qrcode") + sent(mock, "poll_tv_qrcode")]
    assert len(forms) == 2
    for form in forms:
        assert form["appkey"] == TV_KEY
        assert _signed_ok(form)
        assert int(form["ts"]) > 1_700_000_000 and form["local_id"] == "0"
    assert not any(
        "sign" in r.form for r in sent(mock, "poll_qrcode") + sent(mock, "generate_qrcode")
    )


async def _tv_login(bili: Any) -> Credential:
    qr = await aw(bili.login.start_qr(tv=True))
    return await aw(qr.wait(interval=0.01))  # type: ignore[no-any-return]


def test_tv_signature_vector_and_a_wrong_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bilibili_sdk import _auth

    # The seed's vector for its (TV) key pair.
    assert (
        _auth.app_sign({"local_id": 0, "ts": 1700000000}, _auth.TV_APP_KEY, _auth.TV_APP_SEC)[
            "sign"
        ]
        == "ebb086c9f52ae7393619a89bdc320e45"
    )
    monkeypatch.setitem(_auth.APP_KEYS, "app-tv", (TV_KEY, "0" * 32))
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili, pytest.raises(ResponseCodeException) as ei:
        bili.login.start_qr(tv=True)
    assert ei.value.code == -3


# ---------------------------------------------------------------- password login


@pytest.fixture(scope="module")
def rsa_key() -> Any:
    from Cryptodome.PublicKey import RSA

    return RSA.generate(1024)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_password_is_rsa_encrypted_with_the_served_key(flavour: str, rsa_key: Any) -> None:
    from Cryptodome.Cipher import PKCS1_v1_5

    mock = MockBilibili()
    mock.login.set_password_key(rsa_key.publickey().export_key().decode(), hash="salt-0123")

    async def scenario(bili: Any) -> Any:
        return await aw(bili.login.password("user@example.com", "pa55 wörd", geetest=SOLVED))

    cred = run(flavour, mock, scenario)
    (req,) = sent(mock, "login_with_password")
    form = req.form
    plain = PKCS1_v1_5.new(rsa_key).decrypt(base64.b64decode(form["password"]), None)
    assert plain == "salt-0123pa55 wörd".encode()
    assert form["username"] == "user@example.com"
    assert (form["token"], form["challenge"], form["validate"], form["seccode"]) == (
        "token-3",
        "challenge-2",
        "validate-4",
        "sec-5",
    )
    assert form["keep"] == "true" and "csrf" not in form
    assert req.cookies.get("buvid3"), "the login goes out with a buvid3, as the web does"
    assert cred.sessdata == mock.login.issued[-1]["SESSDATA"]
    # the key was fetched first, then the login
    names = [r.endpoint for r in mock.requests if r.endpoint]
    assert names == ["login.get_password_key", "login.login_with_password"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_password_arguments_are_checked_before_io(flavour: str) -> None:
    mock = MockBilibili()

    async def scenario(bili: Any) -> None:
        for kwargs in (
            {"username": "", "password": "p", "geetest": SOLVED},
            {"username": "u", "password": None, "geetest": SOLVED},
            {"username": "u", "password": "p", "geetest": {"validate": "v"}},
        ):
            with pytest.raises(ArgsException):
                await aw(bili.login.password(**kwargs))

    run(flavour, mock, scenario)
    assert mock.requests == []


def test_a_refused_login_raises_login_error() -> None:
    mock = MockBilibili()
    ok = {"code": 0, "message": "0", "ttl": 1}
    mock.set_response("login.login_with_password", {**ok, "data": {"status": 3, "message": "no"}})
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(LoginError, match="refused: status 3 no") as ei:
            bili.login.password("u", "p", geetest=SOLVED)
        assert not isinstance(ei.value, LoginCheckRequired)
        mock.set_response(
            "login.login_with_password", {"code": -629, "message": "账号或者密码错误"}
        )
        with pytest.raises(ResponseCodeException) as ei2:
            bili.login.password("u", "p", geetest=SOLVED)
    assert ei2.value.code == -629


# ---------------------------------------------------------------- the verification


@pytest.mark.parametrize(
    ("scene", "verify", "sms_type"),
    [
        ("loginTelCheck", "verify_safecenter_tel", "loginTelCheck"),
        ("secLogin", "verify_safecenter_sec", "secLogin"),
    ],
)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_login_check_end_to_end(flavour: str, scene: str, verify: str, sms_type: str) -> None:
    mock = MockBilibili()
    mock.require_login_check(scene=scene)

    async def scenario(bili: Any) -> Any:
        with pytest.raises(LoginCheckRequired) as ei:
            await aw(bili.login.password("u", "p", geetest=SOLVED))
        check = ei.value.check
        assert isinstance(check, LoginCheck) and isinstance(ei.value, LoginError)
        assert check.status == (2 if scene == "loginTelCheck" else 1)
        assert bool(check.request_id) == (scene == "loginTelCheck") and check.sms_type == sms_type
        info = await aw(bili.login.check_info(check))
        assert info.account_info.hide_tel == "138*****000"
        with pytest.raises(LoginError, match="send the verification code first"):
            await aw(bili.login.complete_check(check, "123456"))
        gee = await aw(bili.login.geetest(GeetestType.VERIFY))
        assert isinstance(gee, Geetest if flavour == "sync" else AsyncGeetest)
        assert gee.type is GeetestType.VERIFY
        assert (gee.gt, gee.challenge, gee.token) == (
            "ac597a4506fee079629df5d8b66dd4fe",
            "4e5353e7ab9f9aef0c97fa5a5b1ad101",
            "8a418aa9eebe411599d759fc318d55e1",
        )
        await aw(bili.login.send_check_sms(check, geetest=SOLVED))
        assert check.captcha_key
        wrong = "000000" if mock.login.last_sms_code != "000000" else "111111"
        with pytest.raises(ResponseCodeException) as bad:
            await aw(bili.login.complete_check(check, wrong))
        assert bad.value.code == 1006
        cred = await aw(bili.login.complete_check(check, mock.login.last_sms_code))
        return check, cred

    check, cred = run(flavour, mock, scenario)
    assert sent(mock, "get_safecenter_info")[0].query["tmp_code"] == check.tmp_code
    sms = sent(mock, "send_safecenter_sms")[0].form
    assert sms == {
        "tmp_code": check.tmp_code,
        "sms_type": sms_type,
        "recaptcha_token": "token-3",
        "gee_challenge": "challenge-2",
        "gee_gt": "gt-1",
        "gee_validate": "validate-4",
        "gee_seccode": "sec-5",
    }
    verified = sent(mock, verify)[-1].form
    assert verified["tmp_code"] == check.tmp_code and verified["code"] == mock.login.last_sms_code
    assert verified["captcha_key"] == check.captcha_key
    if scene == "loginTelCheck":
        assert verified["request_id"] == check.request_id and verified["type"] == "loginTelCheck"
    else:
        assert verified["verify_type"] == "sms" and "request_id" not in verified
    assert sent(mock, "exchange_cookie")[0].form["source"] == "risk"
    assert cred.sessdata == mock.login.issued[-1]["SESSDATA"]
    assert cred.ac_time_value == mock.login.issued[-1]["refresh_token"]


def test_login_check_hides_its_tokens() -> None:
    check = LoginCheck.from_url(
        "https://passport.bilibili.com/h5-app/passport/risk/verify?tmp_token=t0k3n&request_id=r1d&source=risk",
        2,
    )
    assert (check.tmp_code, check.request_id, check.source) == ("t0k3n", "r1d", "risk")
    error = LoginCheckRequired("verify", check)
    for text in (repr(check), str(error), repr(error)):
        assert "t0k3n" not in text and "r1d" not in text
    with pytest.raises(LoginError):
        LoginCheck.from_url("https://passport.bilibili.com/x?request_id=1")


# ---------------------------------------------------------------- SMS login


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_sms_login(flavour: str) -> None:
    mock = MockBilibili()

    async def scenario(bili: Any) -> Any:
        ticket = await aw(bili.login.send_sms("138-0013 8000", country_code="+852", geetest=SOLVED))
        assert isinstance(ticket, SmsTicket) and ticket.country_code == 852
        assert ticket.captcha_key not in repr(ticket)
        with pytest.raises(ResponseCodeException):
            await aw(bili.login.sms(ticket, _other(mock.login.last_sms_code)))
        cred = await aw(bili.login.sms(ticket, mock.login.last_sms_code))
        mock.require_login_check(True)
        ticket2 = await aw(bili.login.send_sms(13800138000, geetest=SOLVED))
        with pytest.raises(LoginCheckRequired) as ei:
            await aw(bili.login.sms(ticket2, mock.login.last_sms_code))
        assert ei.value.check.status == 5
        return ticket, cred

    ticket, cred = run(flavour, mock, scenario)
    send = sent(mock, "send_sms_code")[0].form
    assert send == {
        "tel": "13800138000",
        "cid": "852",
        "token": "token-3",
        "challenge": "challenge-2",
        "validate": "validate-4",
        "seccode": "sec-5",
        "source": "main-fe-header",
    }
    assert sent(mock, "send_sms_code")[1].form["cid"] == "86"
    login = sent(mock, "login_with_sms")[1].form
    assert login["tel"] == "13800138000" and login["cid"] == "852"
    assert login["captcha_key"] == ticket.captcha_key and login["source"] == "main_web"
    assert cred.sessdata == mock.login.issued[0]["SESSDATA"]


def _other(code: str | None) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_sms_arguments_are_checked_before_io(flavour: str) -> None:
    mock = MockBilibili()
    ticket = SmsTicket("13800138000", 86, "key")

    async def scenario(bili: Any) -> None:
        for phone, cc in (
            ("abc", 86),
            ("138", 86),
            ("13800138000", 999),
            ("13800138000", "Atlantis"),
        ):
            with pytest.raises(ArgsException) as ei:
                await aw(bili.login.send_sms(phone, country_code=cc, geetest=SOLVED))
            assert ei.value.argument in ("phone", "country_code")
        for code in (123456, "12a456", ""):
            with pytest.raises(ArgsException, match="code"):
                await aw(bili.login.sms(ticket, code))
        with pytest.raises(ArgsException, match="ticket"):
            await aw(bili.login.sms("key", "123456"))
        with pytest.raises(ArgsException, match="check"):
            await aw(bili.login.check_info("tmp"))

    run(flavour, mock, scenario)
    assert mock.requests == []


# ---------------------------------------------------------------- Geetest (LOGIN)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_geetest_login_comes_from_the_captcha_endpoint(flavour: str) -> None:
    mock = MockBilibili()
    gee = run(flavour, mock, lambda bili: aw(bili.login.geetest()))
    assert type(gee) is (Geetest if flavour == "sync" else AsyncGeetest)
    assert gee.type is GeetestType.LOGIN
    assert (gee.gt, gee.challenge, gee.token) == (
        "ac597a4506fee079629df5d8b66dd4fe",
        "a57d9be17505d4a15ed84694c48fbf74",
        "00fbe75cc2864ba0af969231f193a974",
    )
    assert sent(mock, "get_captcha")[0].query == {"source": "main_web"}
    with Client(transport=mock.transport()) as bili, pytest.raises(ArgsException):
        bili.login.geetest("login")  # type: ignore[arg-type]


# ---------------------------------------------------------------- countries


def test_countries_table() -> None:
    table = countries()
    assert len(table) > 200
    assert [(c.code, c.name) for c in table[:4]] == [
        (86, "中国大陆"),
        (852, "中国香港特别行政区"),
        (853, "中国澳门特别行政区"),
        (886, "中国台湾"),
    ]
    codes = [c.code for c in table[4:]]
    assert codes == sorted(codes)
    assert len({c.name for c in table}) == len(table) == len({c.name_en for c in table})
    by_en = {c.name_en: c.code for c in table}
    assert by_en["United States"] == by_en["Canada"] == 1
    assert (by_en["Japan"], by_en["United Kingdom"], by_en["Germany"], by_en["Singapore"]) == (
        81,
        44,
        49,
        65,
    )
    assert all(isinstance(c.code, int) and 1 <= c.code <= 9999 for c in table)
    assert country_code("+852") == 852 and country_code("日本") == 81
    assert country_code("japan") == 81 and country_code(86) == 86
    for bad in (0, True, "+0", "Atlantis", None):
        with pytest.raises(ArgsException):
            country_code(bad)
    table.clear()  # a copy: the next caller gets the whole table
    assert len(countries()) > 200


def test_countries_on_both_clients_need_no_request() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        assert bili.login.countries() == countries()

    async def main() -> Any:
        async with AsyncClient(transport=mock.transport()) as bili:
            return bili.login.countries()

    assert asyncio.run(main()) == countries()
    assert mock.requests == []


# ---------------------------------------------------------------- rendering


def _qr(
    url: str = "https://passport.bilibili.com/h5-app/passport/login/scan?qrcode_key=k",
) -> QrLogin:
    with Client(transport=MockBilibili().transport()) as bili:
        return QrLogin(bili, url, "k")


def _modules(url: str) -> list[list[bool]]:
    import segno

    qr = segno.make(url, error="m", micro=False)
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]


def _unrender(text: str) -> list[list[bool]]:
    """Module rows back from half blocks (two per line)."""
    rows: list[list[bool]] = []
    for line in text.splitlines():
        rows.append([ch in "▀█" for ch in line])
        rows.append([ch in "▄█" for ch in line])
    return rows


def test_terminal_has_the_code_and_its_quiet_zone() -> None:
    qr = _qr()
    modules = _modules(qr.url)
    plain = qr.terminal(ansi=False)
    assert "\x1b" not in plain and set(plain) <= set(" ▀▄█\n")
    lines = plain.splitlines()
    assert len(lines) == (len(modules) + 1) // 2
    assert all(len(line) == len(modules[0]) for line in lines)
    assert lines[0].strip() == "" and lines[1].strip() == "", "quiet zone above"
    assert all(line[:QUIET_ZONE] == line[-QUIET_ZONE:] == " " * QUIET_ZONE for line in lines)
    assert _unrender(plain)[: len(modules)] == modules
    # The default is black on white on every line (dark and light themes alike).
    coloured = qr.terminal().splitlines()
    assert all(re.fullmatch(r"\x1b\[38;5;16;48;5;231m[ ▀▄█]+\x1b\[0m", line) for line in coloured)
    assert [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in coloured] == lines


def test_render_terminal_pairs_rows() -> None:
    grid = [[True, False], [True, True], [False, True]]
    assert render_terminal(grid, ansi=False) == "█▄\n ▀\n"


def test_png_decodes_to_the_same_modules() -> None:
    from PIL import Image

    qr = _qr()
    modules = _modules(qr.url)
    image = Image.open(io.BytesIO(qr.png(scale=3))).convert("L")
    assert image.size == (len(modules[0]) * 3, len(modules) * 3)
    decoded = [
        [image.getpixel((x * 3 + 1, y * 3 + 1)) < 128 for x in range(len(modules[0]))]
        for y in range(len(modules))
    ]
    assert decoded == modules
    assert not any(decoded[0]) and not any(row[0] for row in decoded), "quiet zone"
    with pytest.raises(ArgsException):
        qr.png(scale=0)


# ---------------------------------------------------------------- the login extra


@pytest.mark.parametrize("module", ["segno"])
def test_rendering_without_the_extra(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    qr = _qr()
    monkeypatch.setitem(__import__("sys").modules, module, None)
    for render in (qr.terminal, qr.png):
        with pytest.raises(MissingExtraException) as ei:
            render()
        error = ei.value
        assert isinstance(error, ImportError) and isinstance(error, ApiException)
        assert error.extra == "login" and 'pip install "bilibili_sdk[login]"' in str(error)
        assert error.name == "segno"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_password_without_the_extra_fails_before_io(
    flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    for name in ("Cryptodome", "Cryptodome.Cipher", "Cryptodome.Cipher.PKCS1_v1_5"):
        monkeypatch.setitem(sys.modules, name, None)
    mock = MockBilibili()

    async def scenario(bili: Any) -> None:
        with pytest.raises(MissingExtraException, match=r"bilibili_sdk\[login\]") as ei:
            await aw(bili.login.password("u", "p", geetest=SOLVED))
        assert ei.value.extra == "login" and ei.value.name == "pycryptodomex"

    run(flavour, mock, scenario)
    assert mock.requests == []


# ---------------------------------------------------------------- no secret anywhere


@pytest.mark.parametrize("tv", [False, True], ids=["web", "tv"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_no_login_secret_in_reprs_or_logs(
    flavour: str, tv: bool, caplog: pytest.LogCaptureFixture
) -> None:
    mock = MockBilibili()
    mock.script_qr(["waiting", "scanned", "done"], tv=tv)
    events: list[Any] = []
    request_log.set_on(True)
    request_log.add_event_listener("__ALL__", events.append)

    async def scenario(bili: Any) -> Any:
        qr = await aw(bili.login.start_qr(tv=tv))
        cred = await aw(qr.wait(interval=0.01))
        raw = bili.login.with_raw_response
        mock.script_qr(["done"], tv=tv)
        key = "k" * 32
        answer = await aw(raw.poll_tv_qrcode(key) if tv else raw.poll_qrcode(key))
        return qr, cred, answer.parse(), bili

    try:
        with caplog.at_level(logging.DEBUG):
            qr, cred, model, bili = run(flavour, mock, scenario)
    finally:
        request_log.set_on(False)
        request_log.remove_all_event_listener()
    assert events, "the request log was on"
    texts = [repr(qr), repr(cred), str(cred), repr(model), str(model), repr(bili)]
    texts += [r.getMessage() for r in caplog.records] + [json.dumps(events, default=str)]
    for issued in mock.login.issued:
        for value in secrets_of(issued):
            for text in texts:
                assert value not in text


# ---------------------------------------------------------------- cookies.txt and the demo


def test_cookies_txt_roundtrip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text("old")
    path.chmod(0o644)
    cred = Credential(
        sessdata="a,b*c", bili_jct="j", buvid3="b3", dedeuserid=2, ac_time_value="r", sid="s"
    )
    cred.to_cookies_txt(path, expires=2_000_000_000)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    jar = MozillaCookieJar()
    jar.load(str(path))
    assert {c.name: c.value for c in jar} == cred.get_cookies()
    assert all(c.domain == ".bilibili.com" and c.expires == 2_000_000_000 for c in jar)
    assert Credential.from_cookies_txt(path) == cred
    cred.to_cookies_txt(path)  # session cookies (expiry 0) read back too
    assert Credential.from_cookies_txt(path) == cred
    with pytest.raises(ArgsException):
        cred.to_cookies_txt(path, expires=-1)


@pytest.mark.parametrize("tv", [False, True], ids=["web", "tv"])
def test_login_demo_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str], tv: bool) -> None:
    from bilibili_sdk.__main__ import main

    out_file = tmp_path / "cookies.txt"
    argv = ["login", "--offline", "--output", str(out_file)] + (["--tv"] if tv else [])
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Scanned: confirm the login in the app." in out and "Logged in as user 2." in out
    assert "▀" in out or "▄" in out
    assert stat.S_IMODE(os.stat(out_file).st_mode) == 0o600
    cred = Credential.from_cookies_txt(out_file)
    assert cred.sessdata and cred.bili_jct and cred.ac_time_value and cred.dedeuserid == "2"
    for value in (cred.sessdata, unquote(cred.sessdata), cred.bili_jct, cred.ac_time_value):
        assert value not in out


def test_login_demo_online_needs_the_network(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bilibili_sdk.__main__ as demo

    monkeypatch.setattr(demo, "_online", lambda timeout=3.0: False)
    assert demo.main(["login"]) == 1
    assert "--offline" in capsys.readouterr().err

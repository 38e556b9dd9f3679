"""Hand-written methods of the `login` namespace: the login flows over the generated endpoints.

The generated `Login` / `AsyncLogin` classes extend these mixins (see `extras:` in
api_spec/login.yaml). What an answer means is decided once, in `bilibili_sdk.login._flows`
and `_qr`; the sync and async methods only differ in how they send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..login import GeetestType

if TYPE_CHECKING:
    from .._credential import Credential
    from ..login import (
        AsyncGeetest,
        AsyncQrLogin,
        Country,
        Geetest,
        GeetestResult,
        LoginCheck,
        QrLogin,
        SmsTicket,
    )
    from ..models.login import SafecenterInfo
    from ..resources.login._async import AsyncLogin
    from ..resources.login._sync import Login

__all__ = ["AsyncLoginExtras", "LoginExtras"]


class LoginExtras:
    """Methods of `Client.login` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Login:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Login", self)

    def start_qr(self, *, tv: bool = False) -> QrLogin:
        """Start a QR login: show `qr.url` as a QR code (`qr.terminal()`, `qr.png()`), scan it
        with the Bilibili app, then `qr.wait()` (or `qr.poll()`) for the Credential.

        Args:
            tv: log in as the TV client (APP-signed; it also hands out APP tokens).
        """
        from ..login import QrLogin

        if tv:
            tv_code = self._api.generate_tv_qrcode()
            return QrLogin(self._api._client, tv_code.url, tv_code.auth_code, tv=True)
        web = self._api.generate_qrcode()
        return QrLogin(self._api._client, web.url, web.qrcode_key)

    def geetest(self, type: GeetestType = GeetestType.LOGIN) -> Geetest:
        """Fetch a Geetest captcha to be solved by a person (`geetest.start_server()`, open its
        URL, `geetest.wait()` for the GeetestResult that the logins take).

        Args:
            type: LOGIN for a password login or a login SMS; VERIFY for a login
                verification's SMS.
        """
        from ..login import Geetest
        from ..login._flows import check_geetest_type

        kind = check_geetest_type(type)
        if kind is GeetestType.LOGIN:
            captcha = self._api.get_captcha()
            return Geetest(captcha.geetest.gt, captcha.geetest.challenge, captcha.token, kind)
        pre = self._api.get_safecenter_captcha()
        return Geetest(pre.gee_gt, pre.gee_challenge, pre.recaptcha_token, kind)

    def password(self, username: str, password: str, *, geetest: GeetestResult) -> Credential:
        """Log in with a username (phone or e-mail) and password, after a solved captcha.

        The password is encrypted with Bilibili's RSA key (needs the `login` extra).

        Raises:
            LoginCheckRequired: Bilibili wants the login verified by SMS; go on with `.check`.
            LoginError: Bilibili refused the login.
            ResponseCodeException: an error code (wrong password, captcha...).
        """
        from ..login import _flows as f

        f.check_text("username", username)
        f.check_text("password", password)
        result = f.check_geetest(geetest)
        f.require_extra("password login", "Cryptodome.Cipher.PKCS1_v1_5", "pycryptodomex")
        key = self._api.get_password_key()
        answer = self._api.login_with_password(
            username,
            password=f.encrypt_password(key.hash, key.key, password),
            token=result.token,
            challenge=result.challenge,
            validate=result.validate,
            seccode=result.seccode,
        )
        return f.finish_login(answer, "password login", self._api._client)

    def send_sms(
        self, phone: str | int, *, country_code: int | str = 86, geetest: GeetestResult
    ) -> SmsTicket:
        """Send a login code by SMS, after a solved captcha; pass the ticket to `sms()`.

        Args:
            phone: the phone number, without the country code.
            country_code: its calling code (86, "+852") or country name, from `countries()`.
            geetest: the solved captcha (`geetest()` then `.wait()`).
        """
        from ..login import _flows as f
        from ..login._countries import country_code as to_code

        number = f.check_phone(phone)
        code = to_code(country_code)
        result = f.check_geetest(geetest)
        sent = self._api.send_sms_code(
            number,
            country_code=code,
            token=result.token,
            challenge=result.challenge,
            validate=result.validate,
            seccode=result.seccode,
        )
        return f.SmsTicket(number, code, sent.captcha_key)

    def sms(self, ticket: SmsTicket, code: str) -> Credential:
        """Log in with the code received by SMS.

        Raises:
            LoginCheckRequired: Bilibili wants the login verified; go on with `.check`.
            LoginError: Bilibili refused the login.
        """
        from ..login import _flows as f

        digits = f.check_code(code)
        t = f.check_ticket(ticket)
        answer = self._api.login_with_sms(
            t.phone, country_code=t.country_code, code=digits, captcha_key=t.captcha_key
        )
        return f.finish_login(answer, "SMS login", self._api._client)

    def check_info(self, check: LoginCheck) -> SafecenterInfo:
        """The account a login verification is about (`.account_info.hide_tel`: the masked
        phone the code goes to)."""
        from ..login import _flows as f

        return self._api.get_safecenter_info(f.check_login_check(check).tmp_code)

    def send_check_sms(self, check: LoginCheck, *, geetest: GeetestResult) -> None:
        """Send a login verification's code to the bound phone; `geetest` is the solved
        captcha of `geetest(GeetestType.VERIFY)`. Then `complete_check(check, code)`."""
        from ..login import _flows as f

        c = f.check_login_check(check)
        result = f.check_geetest(geetest)
        sent = self._api.send_safecenter_sms(c.tmp_code, **f.safecenter_sms_args(c, result))
        c.captcha_key = sent.captcha_key

    def complete_check(self, check: LoginCheck, code: str) -> Credential:
        """Finish a login verification with the code received by SMS; returns the Credential."""
        from ..login import _flows as f

        c = f.check_sent(check)
        digits = f.check_code(code)
        if c.request_id:
            verified = self._api.verify_safecenter_tel(
                c.tmp_code,
                code=digits,
                captcha_key=c.captcha_key or "",
                request_id=c.request_id,
                source=c.source,
            )
        else:
            verified = self._api.verify_safecenter_sec(
                c.tmp_code, code=digits, captcha_key=c.captcha_key or ""
            )
        answer = self._api.exchange_cookie(verified.code, source=c.source)
        return f.credential_from_url(answer.url, answer.refresh_token, self._api._client)

    def countries(self) -> list[Country]:
        """Countries and regions with their calling codes (the SMS login's `country_code`);
        bundled data, no request."""
        from ..login import countries

        return countries()


class AsyncLoginExtras:
    """Methods of `AsyncClient.login` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncLogin:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncLogin", self)

    async def start_qr(self, *, tv: bool = False) -> AsyncQrLogin:
        """Start a QR login: show `qr.url` as a QR code (`qr.terminal()`, `qr.png()`), scan it
        with the Bilibili app, then `qr.wait()` (or `qr.poll()`) for the Credential.

        Args:
            tv: log in as the TV client (APP-signed; it also hands out APP tokens).
        """
        from ..login import AsyncQrLogin

        if tv:
            tv_code = await self._api.generate_tv_qrcode()
            return AsyncQrLogin(self._api._client, tv_code.url, tv_code.auth_code, tv=True)
        web = await self._api.generate_qrcode()
        return AsyncQrLogin(self._api._client, web.url, web.qrcode_key)

    async def geetest(self, type: GeetestType = GeetestType.LOGIN) -> AsyncGeetest:
        """Fetch a Geetest captcha to be solved by a person (`geetest.start_server()`, open its
        URL, `geetest.wait()` for the GeetestResult that the logins take).

        Args:
            type: LOGIN for a password login or a login SMS; VERIFY for a login
                verification's SMS.
        """
        from ..login import AsyncGeetest
        from ..login._flows import check_geetest_type

        kind = check_geetest_type(type)
        if kind is GeetestType.LOGIN:
            captcha = await self._api.get_captcha()
            return AsyncGeetest(captcha.geetest.gt, captcha.geetest.challenge, captcha.token, kind)
        pre = await self._api.get_safecenter_captcha()
        return AsyncGeetest(pre.gee_gt, pre.gee_challenge, pre.recaptcha_token, kind)

    async def password(self, username: str, password: str, *, geetest: GeetestResult) -> Credential:
        """Log in with a username (phone or e-mail) and password, after a solved captcha.

        The password is encrypted with Bilibili's RSA key (needs the `login` extra).

        Raises:
            LoginCheckRequired: Bilibili wants the login verified by SMS; go on with `.check`.
            LoginError: Bilibili refused the login.
            ResponseCodeException: an error code (wrong password, captcha...).
        """
        from ..login import _flows as f

        f.check_text("username", username)
        f.check_text("password", password)
        result = f.check_geetest(geetest)
        f.require_extra("password login", "Cryptodome.Cipher.PKCS1_v1_5", "pycryptodomex")
        key = await self._api.get_password_key()
        answer = await self._api.login_with_password(
            username,
            password=f.encrypt_password(key.hash, key.key, password),
            token=result.token,
            challenge=result.challenge,
            validate=result.validate,
            seccode=result.seccode,
        )
        return f.finish_login(answer, "password login", self._api._client)

    async def send_sms(
        self, phone: str | int, *, country_code: int | str = 86, geetest: GeetestResult
    ) -> SmsTicket:
        """Send a login code by SMS, after a solved captcha; pass the ticket to `sms()`.

        Args:
            phone: the phone number, without the country code.
            country_code: its calling code (86, "+852") or country name, from `countries()`.
            geetest: the solved captcha (`geetest()` then `.wait()`).
        """
        from ..login import _flows as f
        from ..login._countries import country_code as to_code

        number = f.check_phone(phone)
        code = to_code(country_code)
        result = f.check_geetest(geetest)
        sent = await self._api.send_sms_code(
            number,
            country_code=code,
            token=result.token,
            challenge=result.challenge,
            validate=result.validate,
            seccode=result.seccode,
        )
        return f.SmsTicket(number, code, sent.captcha_key)

    async def sms(self, ticket: SmsTicket, code: str) -> Credential:
        """Log in with the code received by SMS.

        Raises:
            LoginCheckRequired: Bilibili wants the login verified; go on with `.check`.
            LoginError: Bilibili refused the login.
        """
        from ..login import _flows as f

        digits = f.check_code(code)
        t = f.check_ticket(ticket)
        answer = await self._api.login_with_sms(
            t.phone, country_code=t.country_code, code=digits, captcha_key=t.captcha_key
        )
        return f.finish_login(answer, "SMS login", self._api._client)

    async def check_info(self, check: LoginCheck) -> SafecenterInfo:
        """The account a login verification is about (`.account_info.hide_tel`: the masked
        phone the code goes to)."""
        from ..login import _flows as f

        return await self._api.get_safecenter_info(f.check_login_check(check).tmp_code)

    async def send_check_sms(self, check: LoginCheck, *, geetest: GeetestResult) -> None:
        """Send a login verification's code to the bound phone; `geetest` is the solved
        captcha of `geetest(GeetestType.VERIFY)`. Then `complete_check(check, code)`."""
        from ..login import _flows as f

        c = f.check_login_check(check)
        result = f.check_geetest(geetest)
        sent = await self._api.send_safecenter_sms(c.tmp_code, **f.safecenter_sms_args(c, result))
        c.captcha_key = sent.captcha_key

    async def complete_check(self, check: LoginCheck, code: str) -> Credential:
        """Finish a login verification with the code received by SMS; returns the Credential."""
        from ..login import _flows as f

        c = f.check_sent(check)
        digits = f.check_code(code)
        if c.request_id:
            verified = await self._api.verify_safecenter_tel(
                c.tmp_code,
                code=digits,
                captcha_key=c.captcha_key or "",
                request_id=c.request_id,
                source=c.source,
            )
        else:
            verified = await self._api.verify_safecenter_sec(
                c.tmp_code, code=digits, captcha_key=c.captcha_key or ""
            )
        answer = await self._api.exchange_cookie(verified.code, source=c.source)
        return f.credential_from_url(answer.url, answer.refresh_token, self._api._client)

    def countries(self) -> list[Country]:
        """Countries and regions with their calling codes (the SMS login's `country_code`);
        bundled data, no request."""
        from ..login import countries

        return countries()

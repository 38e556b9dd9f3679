"""The login flows of the mock Bilibili: scripted QR states, password, SMS, verification.

`MockBilibili.login` is a `MockLogin`. By default every flow succeeds at once with freshly
made cookies (so `qr.wait()` returns on its first poll); tests script the rest:

```python
mock.script_qr(["waiting", "scanned", "done"])          # one state per poll, the last repeats
mock.script_qr(["waiting", "expired"], tv=True)
mock.require_login_check(True)                          # password/SMS logins ask to verify
mock.login.set_password_key(public_pem, hash="0123456789abcdef")
mock.login.last_sms_code                                # the code the mock "sent" by SMS
mock.login.issued                                       # the cookies handed out, in order
```

Cookies travel as Bilibili sends them: in the query of `data.url` for the web flows, in
`data.cookie_info.cookies` for the TV one. TV requests must carry a valid APP signature made
with the TV key (-3 otherwise).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from .._endpoint import Endpoint
    from ._mock import RecordedRequest

__all__ = ["QR_STATES", "MockLogin"]

QR_STATES = ("waiting", "scanned", "expired", "done")
MOCK_MID = 2
_WEB_CODES = {"waiting": 86101, "scanned": 86090, "expired": 86038, "done": 0}
_TV_CODES = {"waiting": 86039, "scanned": 86090, "expired": 86038, "done": 0}
_MESSAGES = {"waiting": "未扫码", "scanned": "二维码已扫码未确认", "expired": "二维码已失效"}
_OK = {"code": 0, "message": "0", "ttl": 1}


def _states(states: Iterable[Any]) -> list[str]:
    out = [str(getattr(s, "value", s)).lower() for s in states]
    if not out or any(s not in QR_STATES for s in out):
        raise ValueError(f"QR states: expected a non-empty list of {', '.join(QR_STATES)}")
    return out


class MockLogin:
    """What the mock answers on the login endpoints (see the module docstring)."""

    def __init__(self) -> None:
        self._scripts = {"web": ["done"], "tv": ["done"]}
        self._sessions: dict[str, list[str]] = {}
        self._done: dict[str, dict[str, str]] = {}
        self.login_check: str | None = None
        """None, or the verification password/SMS logins ask for: "loginTelCheck" (with a
        request_id, status 2) or "secLogin" (status 1)."""
        self.password_key: tuple[str, str] | None = None
        self.sms_codes: dict[str, str] = {}
        """captcha_key -> the code the mock "sent" by SMS (login and verification SMS)."""
        self.last_sms_code: str | None = None
        self.issued: list[dict[str, str]] = []
        """Every login handed out: its cookies (browser form) and refresh_token, in order."""
        self._lock = threading.Lock()

    # -- configuration
    def script_qr(self, states: Iterable[Any], *, tv: bool = False) -> None:
        """The states each new QR login of that kind goes through, one per poll; the last one
        repeats. States: "waiting", "scanned", "expired", "done" (or `QrState` members)."""
        self._scripts["tv" if tv else "web"] = _states(states)

    def require_login_check(self, required: bool = True, *, scene: str = "loginTelCheck") -> None:
        """Make password and SMS logins ask for a verification (or not, again)."""
        if scene not in ("loginTelCheck", "secLogin"):
            raise ValueError("scene: expected 'loginTelCheck' or 'secLogin'")
        self.login_check = scene if required else None

    def set_password_key(self, public_pem: str, hash: str = "0123456789abcdef") -> None:
        """Serve this RSA public key (PEM) and salt from `get_password_key`."""
        self.password_key = (hash, public_pem)

    # -- answering
    def answer(self, ep: Endpoint[Any], rec: RecordedRequest) -> Any:
        """The body for a login endpoint, or None to serve the catalogue example."""
        if ep.sign == "app-tv" and not _tv_sign_ok(rec.form):
            return {"code": -3, "message": "API校验密匙错误", "ttl": 1}
        name = ep.name.partition(".")[2] if ep.name.startswith("login.") else ""
        handler = getattr(self, f"_on_{name}", None) if name else None
        return handler(rec.params) if handler is not None else None

    def _on_generate_qrcode(self, params: dict[str, str]) -> Any:
        key = self._new_qr("web")
        url = f"https://passport.bilibili.com/h5-app/passport/login/scan?navhide=1&qrcode_key={key}&from="
        return {**_OK, "data": {"url": url, "qrcode_key": key}}

    def _on_poll_qrcode(self, params: dict[str, str]) -> Any:
        key = params.get("qrcode_key", "")
        state = self._next_state("web", key)
        data: dict[str, Any] = {"url": "", "refresh_token": "", "timestamp": 0}
        if state == "done":
            cookies = self._login_of(key)
            data = {
                "url": _cross_domain_url(cookies),
                "refresh_token": cookies["refresh_token"],
                "timestamp": int(time.time() * 1000),
            }
        data.update(code=_WEB_CODES[state], message=_MESSAGES.get(state, ""))
        return {**_OK, "data": data}

    def _on_generate_tv_qrcode(self, params: dict[str, str]) -> Any:
        code = self._new_qr("tv")
        url = f"https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/auth?auth_code={code}"
        return {**_OK, "data": {"url": url, "auth_code": code}}

    def _on_poll_tv_qrcode(self, params: dict[str, str]) -> Any:
        code = params.get("auth_code", "")
        state = self._next_state("tv", code)
        if state != "done":
            return {"code": _TV_CODES[state], "message": _MESSAGES[state], "ttl": 1, "data": None}
        cookies = self._login_of(code, tv=True)
        expires = int(time.time()) + 180 * 86400
        names = ("SESSDATA", "bili_jct", "DedeUserID", "DedeUserID__ckMd5", "sid")
        token = {
            "mid": MOCK_MID,
            "access_token": cookies["access_token"],
            "refresh_token": cookies["refresh_token"],
            "expires_in": 180 * 86400,
        }
        return {
            **_OK,
            "data": {
                "is_new": False,
                **token,
                "token_info": token,
                "cookie_info": {
                    "cookies": [
                        {
                            "name": n,
                            "value": cookies[n],
                            "http_only": int(n == "SESSDATA"),
                            "expires": expires,
                            "secure": 0,
                        }
                        for n in names
                    ],
                    "domains": [".bilibili.com", ".biligame.com"],
                },
                "sso": ["https://passport.bilibili.com/api/v2/sso"],
            },
        }

    def _on_get_password_key(self, params: dict[str, str]) -> Any:
        if self.password_key is None:
            return None
        hash_, pem = self.password_key
        return {**_OK, "data": {"hash": hash_, "key": pem}}

    def _on_login_with_password(self, params: dict[str, str]) -> Any:
        return self._login_answer(check_status={"loginTelCheck": 2, "secLogin": 1})

    def _on_send_sms_code(self, params: dict[str, str]) -> Any:
        return self._send_sms()

    def _on_login_with_sms(self, params: dict[str, str]) -> Any:
        wrong = self._wrong_code(params)
        if wrong is not None:
            return wrong
        return self._login_answer(check_status={"loginTelCheck": 5, "secLogin": 5})

    def _on_send_safecenter_sms(self, params: dict[str, str]) -> Any:
        return self._send_sms()

    def _on_verify_safecenter_tel(self, params: dict[str, str]) -> Any:
        return self._wrong_code(params) or {**_OK, "data": {"code": secrets.token_hex(16)}}

    def _on_verify_safecenter_sec(self, params: dict[str, str]) -> Any:
        return self._wrong_code(params) or {**_OK, "data": {"code": secrets.token_hex(16)}}

    def _on_exchange_cookie(self, params: dict[str, str]) -> Any:
        cookies = self._issue()
        return {
            **_OK,
            "data": {"url": _cross_domain_url(cookies), "refresh_token": cookies["refresh_token"]},
        }

    def _on_refresh_cookies(self, params: dict[str, str]) -> Any:
        """New cookies as Set-Cookie headers (as Bilibili sends them), the token in the body."""
        import httpx

        if not params.get("refresh_token") or not params.get("refresh_csrf"):
            return {"code": -400, "message": "请求错误", "ttl": 1}
        cookies = self._issue()
        expires = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(int(cookies["Expires"])))
        headers = [
            (
                "set-cookie",
                f"{name}={cookies[name]}; Path=/; Domain=bilibili.com; Expires={expires}",
            )
            for name in ("SESSDATA", "bili_jct", "DedeUserID", "DedeUserID__ckMd5", "sid")
        ]
        data = {"status": 0, "message": "", "refresh_token": cookies["refresh_token"]}
        return httpx.Response(200, json={**_OK, "data": data}, headers=headers)

    # -- internals
    def _new_qr(self, kind: str) -> str:
        key = secrets.token_hex(16)
        with self._lock:
            self._sessions[f"{kind}:{key}"] = list(self._scripts[kind])
        return key

    def _next_state(self, kind: str, key: str) -> str:
        """The session's next state; a key the mock never issued starts the current script."""
        with self._lock:
            states = self._sessions.setdefault(f"{kind}:{key}", list(self._scripts[kind]))
            return states.pop(0) if len(states) > 1 else states[0]

    def _login_of(self, key: str, tv: bool = False) -> dict[str, str]:
        """The cookies of a confirmed QR session: made once, the same on every later poll."""
        with self._lock:
            done = self._done.get(key)
        if done is None:
            done = self._issue(tv)
            with self._lock:
                done = self._done.setdefault(key, done)
        return done

    def _issue(self, tv: bool = False) -> dict[str, str]:
        expires = int(time.time()) + 180 * 86400
        raw = f"{secrets.token_hex(4)},{expires},{secrets.token_hex(3)}*{secrets.token_hex(1)}"
        cookies = {
            "SESSDATA": quote(raw, safe=""),
            "bili_jct": secrets.token_hex(16),
            "DedeUserID": str(MOCK_MID),
            "DedeUserID__ckMd5": secrets.token_hex(8),
            "sid": secrets.token_hex(4),
            "Expires": str(expires),
            "refresh_token": secrets.token_hex(16),
        }
        if tv:
            cookies["access_token"] = secrets.token_hex(16)
        with self._lock:
            self.issued.append(cookies)
        return cookies

    def _login_answer(self, check_status: dict[str, int]) -> Any:
        scene = self.login_check
        if scene is not None:
            query = {"tmp_token": secrets.token_hex(16)}
            if scene == "loginTelCheck":
                query["request_id"] = secrets.token_hex(16)
            query["source"] = "risk"
            url = "https://passport.bilibili.com/h5-app/passport/risk/verify?" + urlencode(query)
            data = {"status": check_status[scene], "message": "", "url": url, "refresh_token": ""}
            return {**_OK, "data": {**data, "timestamp": int(time.time() * 1000)}}
        cookies = self._issue()
        data = {
            "status": 0,
            "message": "",
            "url": _cross_domain_url(cookies),
            "refresh_token": cookies["refresh_token"],
            "timestamp": int(time.time() * 1000),
        }
        return {**_OK, "data": data}

    def _send_sms(self) -> Any:
        key = secrets.token_hex(16)
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self.sms_codes[key] = code
            self.last_sms_code = code
        return {**_OK, "data": {"captcha_key": key}}

    def _wrong_code(self, params: dict[str, str]) -> Any:
        """An error body when the code does not match the one sent with that captcha_key
        (a key the mock never issued accepts any code)."""
        with self._lock:
            sent = self.sms_codes.get(params.get("captcha_key", ""))
        if sent is not None and params.get("code") != sent:
            return {"code": 1006, "message": "请输入正确的短信验证码", "ttl": 1}
        return None


def _cross_domain_url(cookies: dict[str, str]) -> str:
    """The web login's answer URL: the cookies, raw, in its query (as Bilibili sends them)."""
    from urllib.parse import unquote

    query = {
        "DedeUserID": cookies["DedeUserID"],
        "DedeUserID__ckMd5": cookies["DedeUserID__ckMd5"],
        "Expires": cookies["Expires"],
        "SESSDATA": unquote(cookies["SESSDATA"]),
        "bili_jct": cookies["bili_jct"],
        "gourl": "https://www.bilibili.com",
        "first_domain": ".bilibili.com",
    }
    return "https://passport.biligame.com/x/passport-login/web/crossDomain?" + urlencode(query)


def _tv_sign_ok(form: dict[str, str]) -> bool:
    """Whether a form carries the TV key and its APP signature."""
    from .._auth import TV_APP_KEY, TV_APP_SEC

    if form.get("appkey") != TV_APP_KEY:
        return False
    rest = sorted((k, v) for k, v in form.items() if k != "sign")
    expected = hashlib.md5((urlencode(rest) + TV_APP_SEC).encode()).hexdigest()
    return form.get("sign") == expected

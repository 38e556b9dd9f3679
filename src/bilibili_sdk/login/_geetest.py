"""Geetest v3, solved by a person in their own browser.

Bilibili asks for a Geetest captcha before a password login or an SMS code. It cannot be
solved by the SDK: a person solves it on a page that loads Geetest's own widget. `Geetest`
serves that page on 127.0.0.1 at a random port; the page posts the widget's result back, and
`wait()` returns it as a `GeetestResult`, which the login calls take::

    with Geetest(gt, challenge, token) as captcha:
        print("Solve the captcha at", captcha.start_server())
        result = captcha.wait(timeout=300)

The server is the standard library's `ThreadingHTTPServer`: one person, one page and one post
need no framework and no new dependency, and one thread per connection means a connection the
browser opens and leaves idle (Chromium preconnects) cannot stall the page or the post.

What the server accepts, and why:

- Clients on the loopback interface only (it binds 127.0.0.1; `verify_request` checks the peer
  again), and only requests whose Host is the address it serves (127.0.0.1 or localhost with its
  port): a DNS-rebinding page on another name cannot read the page or post.
- One result: a JSON post to `/result` carrying the page's secret nonce, from the page's own
  origin (JSON also means a cross-site form cannot post), whose challenge starts with ours
  (compared by prefix in case the widget extends it). Anything else gets an error page and
  leaves `wait()` waiting.
- Only while waiting: a post after the result arrived gets 409, a post after `wait()` timed out
  gets 410, and after `close()` nothing listens. `wait()` returning the result stops the server;
  so does `close()`, which joins its thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import ipaddress
import json
import logging
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .._exceptions import ArgsException, GeetestException

__all__ = [
    "AsyncGeetest",
    "Geetest",
    "GeetestResult",
    "GeetestTimeoutException",
    "GeetestType",
]

log = logging.getLogger("bilibili_sdk.login")

#: Geetest v3's loader; it defines `initGeetest(config, callback)`.
GEETEST_SCRIPT_URL = "https://static.geetest.com/static/js/gt.0.4.9.js"

_HOST = "127.0.0.1"
_MAX_BODY = 16 * 1024  # a result is a few hundred bytes
_POLL = 0.1  # seconds between checks for close(); also the most close() waits for the loop
_IDLE = 5.0  # seconds an idle connection may hold its handler thread


class GeetestTimeoutException(GeetestException, TimeoutError):
    """`wait()` timed out: nobody solved the captcha in time. The challenge is now refused."""


class GeetestType(Enum):
    """What the captcha guards: a login (password or SMS), or verifying a risky login."""

    LOGIN = "login"
    VERIFY = "verify"


def _short(value: str) -> str:
    return value[:4] + "…" if len(value) > 4 else value


@dataclass(frozen=True)
class GeetestResult:
    """A solved captcha, as the login calls take it.

    `challenge` is the one the widget returned with `validate` (Geetest ties them together).
    `token` is Bilibili's key for this captcha. `validate` and `seccode` are one-time proofs;
    the repr shows only their start. Build one by hand if you solved the captcha elsewhere.
    """

    gt: str
    challenge: str
    token: str
    validate: str
    seccode: str

    def __repr__(self) -> str:
        return (
            f"GeetestResult(gt={self.gt!r}, challenge={self.challenge!r}, "
            f"token={_short(self.token)!r}, validate={_short(self.validate)!r}, "
            f"seccode={_short(self.seccode)!r})"
        )


# --- the pages --------------------------------------------------------------------------------
# One skeleton; every value is escaped with html.escape before it is substituted, and the
# captcha page hands its values to the script through data- attributes, never inside the script.

_SKELETON = string.Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>$title</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 34em; margin: 3em auto; padding: 0 1em;
       color: #18191c; }
h1 { font-size: 1.4em; }
.ok { color: #067d3a; } .error { color: #c0392b; }
#captcha { margin: 1.5em 0; min-height: 50px; }
</style>
</head>
<body>
$body
</body>
</html>
""")

_CAPTCHA_BODY = string.Template("""<main id="app" data-gt="$gt" data-challenge="$challenge"
      data-nonce="$nonce" data-script="$script">
<h1 id="title">$heading</h1>
<p id="status">Loading the captcha…</p>
<div id="captcha"></div>
</main>
<script>
(function () {
  "use strict";
  var app = document.getElementById("app");
  var cfg = app.dataset;

  function show(text, kind) {
    var status = document.getElementById("status");
    status.textContent = text;
    status.className = kind || "";
  }

  // The server answers the post with a whole page (done, or why not); show it as it is.
  function replacePage(markup) {
    var doc = new DOMParser().parseFromString(markup, "text/html");
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
  }

  function post(result) {
    show("Sending the result…");
    fetch("/result", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({
        nonce: cfg.nonce,
        challenge: result.geetest_challenge,
        validate: result.geetest_validate,
        seccode: result.geetest_seccode
      })
    }).then(function (response) {
      return response.text();
    }).then(replacePage, function () {
      show("Could not reach the program: it has stopped waiting for this captcha " +
           "(solved in another tab, timed out or closed). Start again from the program.",
           "error");
    });
  }

  function start() {
    if (typeof window.initGeetest !== "function") {
      show("Geetest's script loaded but did not define initGeetest.", "error");
      return;
    }
    window.initGeetest({
      gt: cfg.gt,
      challenge: cfg.challenge,
      offline: false,
      new_captcha: true,
      product: "popup",
      width: "300px",
      https: true
    }, function (captchaObj) {
      captchaObj.appendTo("#captcha");
      captchaObj.onReady(function () {
        show("Click the button and solve the captcha.");
      });
      captchaObj.onSuccess(function () {
        var result = captchaObj.getValidate();
        if (!result) {
          show("Geetest gave no result; solve the captcha again.", "error");
          return;
        }
        post(result);
      });
      captchaObj.onError(function (error) {
        var detail = error && (error.msg || error.error_code || error.code);
        show("Geetest reported an error" + (detail ? ": " + detail : "") +
             ". Reload this page to try again.", "error");
      });
    });
  }

  var script = document.createElement("script");
  script.src = cfg.script;
  script.onload = start;
  script.onerror = function () {
    show("Could not load Geetest's script from " + cfg.script +
         ". Check the network connection and reload this page.", "error");
  };
  document.head.appendChild(script);
})();
</script>""")

_MESSAGE_BODY = string.Template("""<main>
<h1 id="title" class="$kind">$heading</h1>
<p id="status" class="$kind">$message</p>
</main>""")

_HEADINGS = {
    GeetestType.LOGIN: "Log in to Bilibili: solve the captcha",
    GeetestType.VERIFY: "Verify your Bilibili login: solve the captcha",
}


def _page(title: str, body: str) -> bytes:
    return _SKELETON.substitute(title=html.escape(title), body=body).encode()


def _message_page(heading: str, message: str, *, ok: bool = False) -> bytes:
    body = _MESSAGE_BODY.substitute(
        kind="ok" if ok else "error", heading=html.escape(heading), message=html.escape(message)
    )
    return _page(heading, body)


_DONE_PAGE = _message_page(
    "Done: you can close this tab",
    "The program has the captcha result and carries on.",
    ok=True,
)


# --- the server -------------------------------------------------------------------------------

_WAITING, _DONE, _EXPIRED, _CLOSED = "waiting", "done", "expired", "closed"
_ENDINGS = {_DONE: "already solved", _EXPIRED: "timed out", _CLOSED: "closed"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # close() must not wait for a browser's idle connection; its handler thread ends by itself
    # after _IDLE seconds and only ever sees a finished state.
    block_on_close = False
    owner: Geetest

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # Bound to 127.0.0.1, so only loopback reaches it; checked again in case of a
        # misconfigured stack. A refused connection is closed unanswered.
        try:
            return ipaddress.ip_address(client_address[0]).is_loopback
        except (ValueError, TypeError, IndexError):
            return False

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("geetest page: error while handling a request", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = _IDLE

    def version_string(self) -> str:
        return "bilibili_sdk-geetest"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("geetest page: " + format, *args)

    def _send(self, status: HTTPStatus, page: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # Nothing here constrains Geetest's own scripts, styles and images (which may come
        # from several of its hosts); this only stops framing and base-URL tricks.
        self.send_header(
            "Content-Security-Policy", "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
        self.end_headers()
        self.wfile.write(page)

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        heading = "Captcha result not accepted" if self.command == "POST" else "Not this page"
        self._send(status, _message_page(heading, message))

    def _host_ok(self) -> bool:
        return self.headers.get("Host", "").lower() in self.server.owner._hosts

    def do_GET(self) -> None:
        owner = self.server.owner
        if not self._host_ok():
            self._refuse(HTTPStatus.FORBIDDEN, owner._wrong_host_message())
        elif self.path.split("?", 1)[0] != "/":
            self._refuse(HTTPStatus.NOT_FOUND, "There is nothing here; the captcha is at /.")
        else:
            status, page = owner._page_for_get()
            self._send(status, page)

    def do_POST(self) -> None:
        owner = self.server.owner
        if not self._host_ok():
            self._refuse(HTTPStatus.FORBIDDEN, owner._wrong_host_message())
            return
        if self.path != "/result":
            self._refuse(HTTPStatus.NOT_FOUND, "Results are posted to /result.")
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin not in owner._origins:
            self._refuse(HTTPStatus.FORBIDDEN, "Only the captcha page itself may post a result.")
            return
        if self.headers.get_content_type() != "application/json":
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "A result is posted as JSON.")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
            if length < 0:
                raise ValueError(length)
        except ValueError:
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "A result needs a valid Content-Length.")
            return
        if length > _MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "That is too large for a result.")
            return
        status, page = owner._accept(self.rfile.read(length))
        self._send(status, page)


class Geetest:
    """A local page where a person solves a Geetest v3 captcha; `wait()` returns the result.

    Args:
        gt: Geetest's site id, from Bilibili's captcha call.
        challenge: this captcha's challenge, from the same call.
        token: Bilibili's key for this captcha; it comes back in the result.
        type: what the captcha is for; it sets the page's wording.
    """

    def __init__(
        self, gt: str, challenge: str, token: str, type: GeetestType = GeetestType.LOGIN
    ) -> None:
        for name, value in (("gt", gt), ("challenge", challenge), ("token", token)):
            if not isinstance(value, str) or not value:
                raise ArgsException(f"{name} must be a non-empty string", name)
        if not isinstance(type, GeetestType):
            raise ArgsException("type must be a GeetestType (LOGIN or VERIFY)", "type")
        self.gt = gt
        self.challenge = challenge
        self.token = token
        self.type = type
        self._nonce = secrets.token_urlsafe(24)
        self._lock = threading.Lock()
        self._finished = threading.Event()  # set when the state leaves _WAITING
        self._listeners: list[Callable[[], None]] = []
        self._state = _WAITING
        self._result: GeetestResult | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._url: str | None = None
        self._hosts: frozenset[str] = frozenset()
        self._origins: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(gt={self.gt!r}, challenge={self.challenge!r}, "
            f"type={self.type}, url={self._url!r}, state={self._state!r})"
        )

    @property
    def url(self) -> str | None:
        """The page's address once `start_server()` ran, else None."""
        return self._url

    def start_server(self) -> str:
        """Serve the captcha page on 127.0.0.1 at a free port and return its URL.

        Calling it again while waiting returns the same URL.

        Raises:
            GeetestException: this captcha was already solved, timed out or closed.
        """
        with self._lock:
            if self._state != _WAITING:
                raise GeetestException(f"this captcha is {_ENDINGS[self._state]}; make a new one")
            if self._url is not None:
                return self._url
            server = _Server((_HOST, 0), _Handler, bind_and_activate=True)
            server.owner = self
            server.timeout = _POLL
            port = server.server_address[1]
            self._hosts = frozenset({f"{_HOST}:{port}", f"localhost:{port}"})
            self._origins = frozenset(f"http://{host}" for host in self._hosts)
            self._server = server
            self._thread = threading.Thread(
                target=self._serve, args=(server,), name=f"geetest-page-{port}", daemon=True
            )
            self._thread.start()
            self._url = f"http://{_HOST}:{port}/"
            return self._url

    def _serve(self, server: _Server) -> None:
        # A loop of our own rather than serve_forever(): stopping is a flag, so close() can
        # never wait on a loop that has not started yet.
        with server:
            while not self._stop.is_set():
                server.handle_request()

    def wait(self, timeout: float | None = None) -> GeetestResult:
        """Block until the page posts a result, and return it; stops the server.

        Raises:
            GeetestTimeoutException: no result within `timeout` seconds; later posts are refused.
            GeetestException: the server was never started, or `close()` came first.
        """
        self._check_started()
        self._finished.wait(timeout)
        result = self._settle()
        self._stop_server()
        return result

    def close(self) -> None:
        """Stop the server and join its thread. A pending `wait()` then raises. Idempotent."""
        with self._lock:
            if self._state == _WAITING:
                self._finish(_CLOSED)
        self._stop_server()

    def __enter__(self) -> Geetest:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- internals shared with AsyncGeetest and the handler ---------------------------------

    def _check_started(self) -> None:
        if self._url is None:
            raise GeetestException("call start_server() before wait()")

    def _finish(self, state: str, result: GeetestResult | None = None) -> None:
        # Caller holds self._lock.
        self._state = state
        self._result = result
        self._finished.set()
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener()

    def _settle(self) -> GeetestResult:
        """The outcome once waiting is over: the result, or why there is none."""
        with self._lock:
            if self._state == _WAITING:
                self._finish(_EXPIRED)
            if self._result is not None:
                return self._result
            if self._state == _CLOSED:
                raise GeetestException("the captcha page was closed before it was solved")
            raise GeetestTimeoutException("nobody solved the captcha in time")

    def _stop_server(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _wrong_host_message(self) -> str:
        return f"This page only answers at {self._url}; open that address."

    def _page_for_get(self) -> tuple[HTTPStatus, bytes]:
        with self._lock:
            state = self._state
        if state == _DONE:
            return HTTPStatus.OK, _DONE_PAGE
        if state != _WAITING:
            return HTTPStatus.GONE, _message_page(
                "This captcha has expired", "The program stopped waiting. Start again from it."
            )
        heading = _HEADINGS[self.type]
        body = _CAPTCHA_BODY.substitute(
            gt=html.escape(self.gt),
            challenge=html.escape(self.challenge),
            nonce=html.escape(self._nonce),
            script=html.escape(GEETEST_SCRIPT_URL),
            heading=html.escape(heading),
        )
        return HTTPStatus.OK, _page(heading, body)

    def _accept(self, raw: bytes) -> tuple[HTTPStatus, bytes]:
        """Check a posted result; complete the wait if it is the one we expect."""

        def refuse(status: HTTPStatus, message: str) -> tuple[HTTPStatus, bytes]:
            return status, _message_page("Captcha result not accepted", message)

        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
            return refuse(HTTPStatus.BAD_REQUEST, "The result is not valid JSON.")
        if not isinstance(data, dict):
            return refuse(HTTPStatus.BAD_REQUEST, "The result must be a JSON object.")
        fields = ("nonce", "challenge", "validate", "seccode")
        missing = [f for f in fields if not isinstance(data.get(f), str) or not data[f]]
        if missing:
            return refuse(
                HTTPStatus.BAD_REQUEST, f"The result lacks {', '.join(missing)} (non-empty text)."
            )
        if not hmac.compare_digest(data["nonce"].encode(), self._nonce.encode()):
            return refuse(HTTPStatus.FORBIDDEN, "This result does not come from the captcha page.")
        if not data["challenge"].startswith(self.challenge):
            return refuse(HTTPStatus.BAD_REQUEST, "This result is for another captcha challenge.")
        with self._lock:
            if self._state == _DONE:
                return refuse(HTTPStatus.CONFLICT, "This captcha was already solved; all is well.")
            if self._state != _WAITING:
                return refuse(
                    HTTPStatus.GONE,
                    "The program stopped waiting for this captcha (it timed out or was closed). "
                    "Start again from the program.",
                )
            result = GeetestResult(
                gt=self.gt,
                challenge=data["challenge"],
                token=self.token,
                validate=data["validate"],
                seccode=data["seccode"],
            )
            self._finish(_DONE, result)
        return HTTPStatus.OK, _DONE_PAGE


class AsyncGeetest(Geetest):
    """`Geetest` whose `wait()` is awaited; the event loop keeps running while it waits."""

    async def wait(self, timeout: float | None = None) -> GeetestResult:  # type: ignore[override]
        """Wait for the page's result without blocking the event loop; stops the server.

        Raises:
            GeetestTimeoutException: no result within `timeout` seconds; later posts are refused.
            GeetestException: the server was never started, or `close()` came first.
        """
        self._check_started()
        loop = asyncio.get_running_loop()
        finished = asyncio.Event()

        def wake() -> None:  # runs in a handler thread: hand over to the loop
            # RuntimeError: the loop closed meanwhile, so nobody waits any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(finished.set)

        with self._lock:
            if self._finished.is_set():
                finished.set()
            else:
                self._listeners.append(wake)
        try:
            await asyncio.wait_for(finished.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                if wake in self._listeners:
                    self._listeners.remove(wake)
        result = self._settle()
        await self.aclose()
        return result

    async def aclose(self) -> None:
        """`close()` without blocking the loop while the server thread ends."""
        with self._lock:
            if self._state == _WAITING:
                self._finish(_CLOSED)
        await asyncio.to_thread(self._stop_server)

    async def __aenter__(self) -> AsyncGeetest:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

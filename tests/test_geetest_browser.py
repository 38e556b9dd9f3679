"""The Geetest page in headless Chromium, end to end: load, widget callback, post back, done.

Geetest's script is intercepted and answered with a stand-in exposing the same v3 API
(`initGeetest(config, callback)`; `appendTo`, `onReady`, `onSuccess`, `onError`,
`getValidate`), so the page is served exactly as users get it and nothing leaves the machine.

Playwright drives the system Chromium (`executable_path`; it downloads no browser of its own):
`route()` answers the script request in the browser itself, which Selenium cannot do without
changing the page. `.ci/run` installs Debian's chromium; elsewhere these tests skip without it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from bilibili_sdk.exceptions import GeetestException
from bilibili_sdk.login._geetest import (
    GEETEST_SCRIPT_URL,
    Geetest,
    GeetestResult,
    GeetestTimeoutException,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

pytestmark = pytest.mark.browser

GT = "c7c93e4e7c3ab8d4b24f2f4b4f9a5c1e"
CHALLENGE = "5d1f7c2b9e0a4f6c8b3d2e1f0a9b8c7d"
TOKEN = "bili-token-0123456789"

# Stands in for gt.0.4.9.js. MODE "success": its button plays the person solving the
# captcha; "error": the widget reports an error once ready, as on a network failure.
STAND_IN = """
(function () {
  var MODE = "%s";
  window.initGeetest = function (config, callback) {
    var handlers = {ready: [], success: [], error: []};
    var result = null;
    window.__geetest = {config: config, appendedTo: null};
    function fire(name, arg) { handlers[name].forEach(function (f) { f(arg); }); }
    var captchaObj = {
      appendTo: function (where) {
        window.__geetest.appendedTo = where;
        var button = document.createElement("button");
        button.id = "stand-in-solve";
        button.textContent = "Stand-in widget: solve";
        button.onclick = function () {
          result = {
            geetest_challenge: config.challenge + "ab",
            geetest_validate: "stand-in-validate",
            geetest_seccode: "stand-in-validate|jordan"
          };
          fire("success");
        };
        document.querySelector(where).appendChild(button);
        return captchaObj;
      },
      onReady: function (f) { handlers.ready.push(f); return captchaObj; },
      onSuccess: function (f) { handlers.success.push(f); return captchaObj; },
      onError: function (f) { handlers.error.push(f); return captchaObj; },
      getValidate: function () { return result; },
      verify: function () {}
    };
    callback(captchaObj);
    setTimeout(function () {
      if (MODE === "error") {
        fire("error", {msg: "stand-in network error", error_code: "error_02"});
      } else {
        fire("ready");
      }
    }, 0);
  };
})();
"""


def _chromium() -> str | None:
    for candidate in (os.environ.get("BILIBILI_SDK_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def _unavailable(reason: str) -> None:
    # CI installs Chromium (.ci/run): a missing one there is a broken setup, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium found (apt-get install chromium, or set BILIBILI_SDK_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


def _context(browser: Browser, script: str | None) -> BrowserContext:
    """A fresh context where Geetest's script is the stand-in (None: it fails to load)."""
    context = browser.new_context()
    context.set_default_timeout(5_000)

    def handle(route: Route) -> None:
        url = route.request.url
        if url == GEETEST_SCRIPT_URL and script is not None:
            route.fulfill(status=200, content_type="text/javascript", body=script)
        elif url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:  # nothing may leave the machine; a failed script load is this
            route.abort()

    context.route("**/*", handle)
    return context


@pytest.fixture
def page_for(browser: Browser) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def open_page(url: str, script: str | None = STAND_IN % "success") -> Page:
        context = _context(browser, script)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _status(page: Page) -> str:
    return page.locator("#status").inner_text()


def test_a_person_solves_the_captcha_in_the_browser(page_for: Any) -> None:
    with Geetest(GT, CHALLENGE, TOKEN) as captcha:
        page = page_for(captcha.start_server())
        page.wait_for_function("document.getElementById('status').textContent.includes('Click')")
        assert page.evaluate("window.__geetest") == {
            "config": {
                "gt": GT,
                "challenge": CHALLENGE,
                "offline": False,
                "new_captcha": True,
                "product": "popup",
                "width": "300px",
                "https": True,
            },
            "appendedTo": "#captcha",
        }
        page.click("#stand-in-solve")
        page.wait_for_selector("h1.ok")
        assert page.title() == "Done: you can close this tab"
        assert "has the captcha result" in _status(page)
        assert captcha.wait(timeout=5) == GeetestResult(
            gt=GT,
            challenge=CHALLENGE + "ab",
            token=TOKEN,
            validate="stand-in-validate",
            seccode="stand-in-validate|jordan",
        )


def test_a_widget_error_is_shown_and_gives_no_result(page_for: Any) -> None:
    hostile = 'gt"><b>&amp;</b>'  # escaped into the page, reaches the widget unchanged
    with Geetest(hostile, CHALLENGE, TOKEN) as captcha:
        page = page_for(captcha.start_server(), STAND_IN % "error")
        page.wait_for_selector("#status.error")
        assert _status(page) == (
            "Geetest reported an error: stand-in network error. Reload this page to try again."
        )
        assert page.evaluate("window.__geetest.config.gt") == hostile
        with pytest.raises(GeetestTimeoutException):
            captcha.wait(timeout=0.3)


def test_a_script_that_cannot_load_is_reported(page_for: Any) -> None:
    with Geetest(GT, CHALLENGE, TOKEN) as captcha:
        page = page_for(captcha.start_server(), None)
        page.wait_for_selector("#status.error")
        assert _status(page).startswith(
            f"Could not load Geetest's script from {GEETEST_SCRIPT_URL}"
        )


def test_solving_after_a_timeout_or_close_is_refused_in_the_browser(page_for: Any) -> None:
    captcha = Geetest(GT, CHALLENGE, TOKEN)
    url = captcha.start_server()
    late, closed = page_for(url), page_for(url)
    with pytest.raises(GeetestTimeoutException):
        captcha.wait(timeout=0.2)
    late.click("#stand-in-solve")  # the server still answers, and says why not
    late.wait_for_selector("h1.error")
    assert late.title() == "Captcha result not accepted"
    assert "stopped waiting for this captcha" in _status(late)

    captcha.close()
    closed.click("#stand-in-solve")  # nothing listens any more; the page says so
    closed.wait_for_selector("#status.error")
    assert _status(closed).startswith("Could not reach the program")
    with pytest.raises(GeetestException):
        captcha.wait(timeout=0)

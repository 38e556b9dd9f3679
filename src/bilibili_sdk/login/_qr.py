"""QR-code login, web or TV: `client.login.start_qr()` returns a `QrLogin` (an `AsyncQrLogin`
for an `AsyncClient`).

Show `qr.url` as a QR code (`qr.terminal()`, `qr.png()`), have it scanned with the Bilibili
app, then `qr.poll()` until DONE, or `qr.wait()`. What a poll answer means is decided once, in
`_QrLoginBase`; the two flavours only differ in how they send and sleep.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, cast

from .._exceptions import ArgsException, LoginError, ResponseCodeException
from ._flows import credential_from_cookies, credential_from_url, require_extra

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._client import AsyncClient, Client
    from .._credential import Credential
    from ..models.login import TvQrLogin, WebQrPoll

__all__ = ["AsyncQrLogin", "QrLogin", "QrState", "render_terminal"]

QUIET_ZONE = 4  # modules of light border the QR standard asks for around the symbol
_WEB_STATES = {86101: "WAITING", 86090: "SCANNED", 86038: "EXPIRED", 0: "DONE"}
_TV_STATES = {86039: "WAITING", 86090: "SCANNED", 86038: "EXPIRED"}
# Fixed xterm-256 colours (16 = black, 231 = white), which themes do not remap: the code and
# its quiet zone are drawn black on white whatever the terminal's own colours.
_ANSI_ON = "\x1b[38;5;16;48;5;231m"
_ANSI_OFF = "\x1b[0m"


class QrState(Enum):
    """Where a QR login is: WAITING for a scan, SCANNED (confirm in the app), EXPIRED, DONE."""

    WAITING = "waiting"
    SCANNED = "scanned"
    EXPIRED = "expired"
    DONE = "done"


def _matrix(data: str) -> list[list[bool]]:
    """The QR code of `data` as rows of modules (True = dark), quiet zone included."""
    segno = require_extra("QR code rendering", "segno", "segno")
    qr = segno.make(data, error="m", micro=False)
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]


def render_terminal(modules: list[list[bool]], ansi: bool = True) -> str:
    """Two module rows per text line with ▀ ▄ █: the glyph draws the dark modules.

    With `ansi`, each line is black on white, so the code reads the same on dark and light
    themes; without, the glyphs take the terminal's text colour (right on light themes).
    """
    glyphs = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    width = len(modules[0]) if modules else 0
    lines = []
    for y in range(0, len(modules), 2):
        top = modules[y]
        bottom = modules[y + 1] if y + 1 < len(modules) else [False] * width
        line = "".join(glyphs[(t, b)] for t, b in zip(top, bottom, strict=True))
        lines.append(f"{_ANSI_ON}{line}{_ANSI_OFF}" if ansi else line)
    return "\n".join(lines) + "\n"


class _QrLoginBase:
    """State, rendering and the meaning of poll answers; no I/O."""

    __slots__ = ("_client", "_credential", "_key", "_state", "_url", "tv")

    def __init__(self, client: BaseClient, url: str, key: str, *, tv: bool = False) -> None:
        self._client = client
        self._url = url
        self._key = key
        self.tv = tv
        """True for a TV login (it also hands out APP tokens)."""
        self._state = QrState.WAITING
        self._credential: Credential | None = None

    @property
    def url(self) -> str:
        """What the QR code encodes; scanned with the Bilibili app."""
        return self._url

    @property
    def state(self) -> QrState:
        """The state the last poll saw (WAITING before the first)."""
        return self._state

    @property
    def credential(self) -> Credential:
        """The login's cookies and refresh token, once DONE; LoginError before."""
        if self._credential is None:
            raise LoginError(f"the QR login is not done yet (state {self._state.name})")
        return self._credential

    def terminal(self, *, ansi: bool = True) -> str:
        """The QR code as text for a terminal: half blocks ▀ ▄ █, quiet zone included.

        `ansi` (the default) draws it black on white, readable on dark and light themes;
        `ansi=False` gives plain text for light backgrounds. Needs the `login` extra (segno).
        """
        return render_terminal(_matrix(self._url), ansi)

    def png(self, *, scale: int = 8) -> bytes:
        """The QR code as a PNG image (`scale` pixels per module, quiet zone included).

        Needs the `login` extra (segno).
        """
        if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
            raise ArgsException(f"scale: expected an int >= 1, got {scale!r}", argument="scale")
        segno = require_extra("QR code rendering", "segno", "segno")
        buf = io.BytesIO()
        segno.make(self._url, error="m", micro=False).save(
            buf, kind="png", scale=scale, border=QUIET_ZONE
        )
        return buf.getvalue()

    def __repr__(self) -> str:
        kind = "tv" if self.tv else "web"
        return f"<{type(self).__name__} {kind} state={self._state.name}>"

    # -- what the answers mean (shared by both flavours)
    def _finished(self) -> bool:
        return self._state in (QrState.DONE, QrState.EXPIRED)

    def _web_answer(self, poll: WebQrPoll) -> QrState:
        name = _WEB_STATES.get(poll.code)
        if name is None:
            raise LoginError(f"QR login: unexpected state {poll.code} {poll.message}".rstrip())
        if name == "DONE":
            self._credential = credential_from_url(poll.url, poll.refresh_token, self._client)
        self._state = QrState[name]
        return self._state

    def _tv_answer(self, login: TvQrLogin | None, error: ResponseCodeException | None) -> QrState:
        if error is not None:
            name = _TV_STATES.get(error.code)
            if name is None:
                raise error
            self._state = QrState[name]
            return self._state
        assert login is not None
        cookies = [(c.name, c.value) for c in login.cookie_info.cookies]
        self._credential = credential_from_cookies(cookies, login.refresh_token, self._client)
        self._state = QrState.DONE
        return self._state

    def _plan(self, timeout: float | None, interval: float) -> float | None:
        """The deadline of a wait (monotonic seconds), after checking the arguments."""
        if not isinstance(interval, (int, float)) or isinstance(interval, bool) or interval <= 0:
            raise ArgsException(
                f"interval: expected seconds > 0, got {interval!r}", argument="interval"
            )
        if timeout is None:
            return None
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
            raise ArgsException(
                f"timeout: expected seconds >= 0 or None, got {timeout!r}", argument="timeout"
            )
        return time.monotonic() + timeout

    def _after(self, state: QrState, deadline: float | None, timeout: float | None) -> float:
        """Seconds left to wait; LoginError when the code expired or the deadline passed."""
        if state is QrState.EXPIRED:
            raise LoginError("the QR code expired before the login was confirmed; start a new one")
        if deadline is None:
            return float("inf")
        left = deadline - time.monotonic()
        if left <= 0:
            raise LoginError(f"the QR login was not confirmed within {timeout} s")
        return left


class QrLogin(_QrLoginBase):
    """A QR login in progress (sync client). `client.login.start_qr()` makes one."""

    __slots__ = ()

    def __init__(self, client: Client, url: str, key: str, *, tv: bool = False) -> None:
        super().__init__(client, url, key, tv=tv)

    def poll(self) -> QrState:
        """Ask Bilibili once where the login is (one short request; none after DONE/EXPIRED).

        After DONE, `credential` holds the login.
        """
        if self._finished():
            return self._state
        api = cast("Client", self._client).login
        if not self.tv:
            return self._web_answer(api.poll_qrcode(self._key))
        try:
            login = api.poll_tv_qrcode(self._key)
        except ResponseCodeException as e:
            return self._tv_answer(None, e)
        return self._tv_answer(login, None)

    def wait(
        self,
        timeout: float | None = 180.0,
        interval: float = 2.0,
        on_change: Callable[[QrState], object] | None = None,
    ) -> Credential:
        """Poll every `interval` seconds until the login is confirmed; returns the Credential.

        Args:
            timeout: seconds to wait at most (a QR code lives about 180 s); None waits until
                Bilibili says the code expired.
            interval: seconds between polls.
            on_change: called with each new state (SCANNED: ask to confirm in the app).

        Raises:
            LoginError: the code expired, or `timeout` passed.
        """
        deadline = self._plan(timeout, interval)
        last = self._state
        while True:
            state = self.poll()
            if state is not last:
                last = state
                if on_change is not None:
                    on_change(state)
            if state is QrState.DONE:
                return self.credential
            time.sleep(min(interval, self._after(state, deadline, timeout)))


class AsyncQrLogin(_QrLoginBase):
    """A QR login in progress (async client). `await client.login.start_qr()` makes one."""

    __slots__ = ()

    def __init__(self, client: AsyncClient, url: str, key: str, *, tv: bool = False) -> None:
        super().__init__(client, url, key, tv=tv)

    async def poll(self) -> QrState:
        """Ask Bilibili once where the login is (one short request; none after DONE/EXPIRED).

        After DONE, `credential` holds the login.
        """
        if self._finished():
            return self._state
        api = cast("AsyncClient", self._client).login
        if not self.tv:
            return self._web_answer(await api.poll_qrcode(self._key))
        try:
            login = await api.poll_tv_qrcode(self._key)
        except ResponseCodeException as e:
            return self._tv_answer(None, e)
        return self._tv_answer(login, None)

    async def wait(
        self,
        timeout: float | None = 180.0,
        interval: float = 2.0,
        on_change: Callable[[QrState], object] | None = None,
    ) -> Credential:
        """Poll every `interval` seconds until the login is confirmed; returns the Credential.

        Args:
            timeout: seconds to wait at most (a QR code lives about 180 s); None waits until
                Bilibili says the code expired.
            interval: seconds between polls.
            on_change: called with each new state (SCANNED: ask to confirm in the app).

        Raises:
            LoginError: the code expired, or `timeout` passed.
        """
        import asyncio

        deadline = self._plan(timeout, interval)
        last = self._state
        while True:
            state = await self.poll()
            if state is not last:
                last = state
                if on_change is not None:
                    on_change(state)
            if state is QrState.DONE:
                return self.credential
            await asyncio.sleep(min(interval, self._after(state, deadline, timeout)))

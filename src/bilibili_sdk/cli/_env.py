"""Where `bili` gets its client from: cookies, the network or the built-in mock.

Tests replace `client_factory` to point commands at an in-process mock (or at a fake
client for the download and upload wiring).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._client import Client
from .._credential import Credential
from .._files import write_atomic
from ._errors import CliError, ExitCode

__all__ = [
    "Env",
    "Settings",
    "atomic_write",
    "client_factory",
    "default_cookie_path",
    "load_credential",
    "open_env",
]

COOKIES_ENV = "BILI_COOKIES"
OFFLINE_QR_STATES = ["waiting", "scanned", "done"]


@dataclass
class Settings:
    """The global options of one `bili` run."""

    offline: bool = False
    json: bool = False
    cookies: Path | None = None
    """--cookies / BILI_COOKIES; None: the default file, when it exists."""
    timeout: float | None = None
    use_cookies: bool = True
    """False for `bili login`, which writes the cookie file rather than reading it."""


@dataclass
class Env:
    """What a command works with: the client and, offline, the mock behind it."""

    client: Any
    """A `Client` (or, in tests, anything with the same calls)."""
    offline: bool = False
    base_url: str | None = None
    """The mock's address when offline."""
    qr_interval: float = 2.0
    """Seconds between QR login polls (the mock needs no patience)."""
    on_live_open: Callable[[], None] | None = None
    """Offline: pushes sample events once a live connection is open."""
    extras: dict[str, Any] = field(default_factory=dict)


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/bilibili_sdk`, else `~/.config/bilibili_sdk`."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "bilibili_sdk"


def default_cookie_path(offline: bool) -> Path:
    """The login `bili login` saves and other commands load. Offline runs have their own
    file, so the mock's fake login never replaces a real one (nor is a real one sent to
    the mock)."""
    return config_dir() / ("cookies-offline.txt" if offline else "cookies.txt")


def cookie_path(settings: Settings) -> tuple[Path, bool]:
    """The cookie file and whether the user named it (--cookies or BILI_COOKIES)."""
    if settings.cookies is not None:
        return settings.cookies, True
    env = os.environ.get(COOKIES_ENV)
    if env:
        return Path(env), True
    return default_cookie_path(settings.offline), False


def load_credential(settings: Settings) -> Credential | None:
    """The saved login: a named file must be readable; the default one may be absent."""
    if not settings.use_cookies:
        return None
    path, named = cookie_path(settings)
    if not path.exists():
        if named:
            raise CliError(f"cookie file not found: {path}", ExitCode.USAGE)
        return None
    try:
        # http.cookiejar warns ("http.cookiejar bug!") before raising LoadError on a bad
        # line; LoadError's text quotes the line, cookie value included: neither is shown.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Credential.from_cookies_txt(path)
    except Exception as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise CliError(
            f"cannot read the cookie file {path} as a Netscape cookies.txt ({why})",
            ExitCode.USAGE,
        ) from None


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """`write_atomic` into a directory made if missing (an `-o` path may name a new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, mode=mode)


@contextlib.contextmanager
def _network_env(settings: Settings) -> Iterator[Env]:
    credential = load_credential(settings)
    with Client(credential, timeout=settings.timeout) as client:
        yield Env(client)


@contextlib.contextmanager
def _offline_env(settings: Settings) -> Iterator[Env]:
    # The same setup as `python -m bilibili_sdk demo --offline`: the mock on a loopback
    # port and, when the live extra is there, the mock live server it points rooms at.
    from ..live._setup import live_extra_error
    from ..testing import MockBilibili, MockLiveServer

    credential = load_credential(settings)
    mock = MockBilibili()
    mock.script_qr(OFFLINE_QR_STATES)
    mock.script_qr(OFFLINE_QR_STATES, tv=True)
    with contextlib.ExitStack() as stack:
        live = None
        if live_extra_error(sync=True, need_brotli=True) is None:
            live = stack.enter_context(MockLiveServer())
            live.configure(mock)
        server = stack.enter_context(mock.serve())
        client = stack.enter_context(
            Client(credential, timeout=settings.timeout, base_urls=server.base_urls)
        )
        on_open: Callable[[], None] | None = None
        if live is not None:
            from ..__main__ import _mock_live_events

            server_ = live

            def on_open() -> None:
                server_.push(*_mock_live_events())

        yield Env(
            client,
            offline=True,
            base_url=server.base_url,
            qr_interval=0.2,
            on_live_open=on_open,
            extras={"mock": mock, "live_server": live},
        )


client_factory: Callable[[Settings], contextlib.AbstractContextManager[Env]] | None = None
"""Tests set this to hand commands their own client."""


def open_env(settings: Settings) -> contextlib.AbstractContextManager[Env]:
    """The client for one command, closed when the command ends."""
    if client_factory is not None:
        return client_factory(settings)
    return _offline_env(settings) if settings.offline else _network_env(settings)

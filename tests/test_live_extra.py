"""Without the `live` extra (websockets, brotli), the live and video-online connections fail
before any I/O with an error that names the fix, and the demo still runs its HTTP part.

The missing package is simulated with `sys.modules[name] = None`, which makes the import
raise ModuleNotFoundError exactly as an absent package does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bilibili_sdk import ApiException, AsyncClient, Client, MissingExtraException
from bilibili_sdk.live import AsyncLiveConnection, LiveConnection
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.video_online import AsyncVideoOnlineMonitor, VideoOnlineMonitor

from .conftest import ROOT

HINT = 'pip install "bilibili_sdk[live]"'


def _hide(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make `import package` (and any submodule) fail as if it were not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def _check(error: MissingExtraException, missing: str) -> None:
    assert HINT in str(error)
    assert missing in str(error)
    assert isinstance(error, ApiException) and isinstance(error, ImportError)
    assert error.extra == "live"
    assert isinstance(error.__cause__, ImportError)


def test_sync_connect_without_websockets(monkeypatch: pytest.MonkeyPatch) -> None:
    mock = MockBilibili()
    _hide(monkeypatch, "websockets")
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(MissingExtraException) as info:
            bili.live.connect(3)
        _check(info.value, "websockets")
        with pytest.raises(MissingExtraException):
            LiveConnection(bili, 3)
        with pytest.raises(MissingExtraException) as info:
            bili.video.online_monitor("BV17x411w7KC")
        _check(info.value, "websockets")
        with pytest.raises(MissingExtraException):
            VideoOnlineMonitor(bili, aid=170001)
    assert mock.requests == []  # before any I/O


@pytest.mark.anyio
async def test_async_connect_without_websockets(monkeypatch: pytest.MonkeyPatch) -> None:
    mock = MockBilibili()
    _hide(monkeypatch, "websockets")
    async with AsyncClient(transport=mock.transport()) as bili:
        with pytest.raises(MissingExtraException) as info:
            bili.live.connect(3)
        _check(info.value, "websockets")
        with pytest.raises(MissingExtraException):
            AsyncLiveConnection(bili, 3)
        with pytest.raises(MissingExtraException) as info:
            bili.video.online_monitor(aid=170001)
        _check(info.value, "websockets")
        with pytest.raises(MissingExtraException):
            AsyncVideoOnlineMonitor(bili, aid=170001)
    assert mock.requests == []


def test_brotli_is_needed_only_for_protover_3(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "brotli")
    with Client(transport=MockBilibili().transport()) as bili:
        with pytest.raises(MissingExtraException) as info:
            bili.live.connect(3)
        _check(info.value, "brotli")
        bili.live.connect(3, protover=2)  # zlib needs no extra
        bili.video.online_monitor(aid=170001)  # the video socket is never compressed


def test_arguments_are_still_checked_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bad argument is the more useful message; both come before any I/O.
    from bilibili_sdk import ArgsException

    _hide(monkeypatch, "websockets")
    with Client(transport=MockBilibili().transport()) as bili, pytest.raises(ArgsException):
        bili.live.connect(0)


def test_demo_without_websockets() -> None:
    code = (
        "import sys; sys.modules['websockets'] = None\n"
        "from bilibili_sdk.__main__ import main\n"
        "raise SystemExit(main(['demo', '--offline']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "ModuleNotFoundError" not in out.stderr
    for part in ("== video", "== danmaku of", "== user 2\n", "== search"):
        assert part in out.stdout  # the HTTP part ran
    assert "== live room 3: skipped" in out.stdout and HINT in out.stdout
    assert "mock live danmaku server" not in out.stdout

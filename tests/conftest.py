from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bilibili_sdk import Credential, _auth
from bilibili_sdk._settings import request_settings
from bilibili_sdk.testing import MockBilibili

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `import codegen`

SESSDATA = "sess-SECRET-value-123"
BILI_JCT = "jct-SECRET-value-456"
MOCK_BUVID3 = "MOCK-BUVID3-0000-0000-000000000000infoc"  # what the mock's spi hands out


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mock() -> MockBilibili:
    return MockBilibili()


@pytest.fixture
def credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


@pytest.fixture(autouse=True)
def _reset_settings() -> Iterator[None]:
    request_settings.reset()
    # buvid pairs are activated once per process. Tests run as in a process that already
    # activated the mock's spi pair (it never changes), so request sequences do not depend
    # on test order; tests/test_activation.py and test_prerequisites.py clear this.
    _auth._ACTIVATED.clear()
    _auth._ACTIVATED.add(MOCK_BUVID3)
    yield
    request_settings.reset()


def pytest_report_header() -> str:
    return f"BILIBILI_SDK_EAGER={os.environ.get('BILIBILI_SDK_EAGER', '0')}"


# ---------------------------------------------------------------- the network guard
#
# No test may reach the network: every socket connection and name lookup goes through the
# checks below, and anything but loopback (127.0.0.0/8, ::1, localhost) or a unix socket is
# refused. The refusal raises in the code that tried, and since that code may catch it (the
# SDK turns transport errors into NetworkException, the live loop reconnects...), the attempt
# is also recorded and fails the test at teardown whatever happened to the exception.


class NetworkBlockedError(RuntimeError):
    """A test tried to reach a non-loopback address."""


network_violations: list[str] = []
_real = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "create_connection": socket.create_connection,
    "getaddrinfo": socket.getaddrinfo,
}


def is_loopback_host(host: Any) -> bool:
    """True for loopback addresses and names (and None: getaddrinfo's "any local")."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _refuse(what: str) -> None:
    message = f"network access blocked in tests: {what}"
    network_violations.append(message)
    raise NetworkBlockedError(message)


def _check_address(sock: socket.socket, address: Any, call: str) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # unix sockets and socketpairs
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback_host(host):
        _refuse(f"{call}({address!r})")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(self, address, "socket.connect")
    _real["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(self, address, "socket.connect_ex")
    return _real["connect_ex"](self, address)  # type: ignore[no-any-return]


def _guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    if not is_loopback_host(address[0]):
        _refuse(f"socket.create_connection({address!r})")
    return _real["create_connection"](address, *args, **kwargs)  # type: ignore[no-any-return]


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_loopback_host(host):
        _refuse(f"socket.getaddrinfo({host!r})")
    return _real["getaddrinfo"](host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse (and fail the test on) any connection or lookup outside loopback."""
    network_violations.clear()
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", _guarded_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield
    seen = list(network_violations)
    network_violations.clear()
    if seen:
        pytest.fail("; ".join(seen), pytrace=False)

"""The conftest network guard: loopback and unix sockets pass, anything else fails the test.

Each refusal is also recorded, so a test that swallows the error still fails at teardown;
the tests below clear the record after checking it (they tried on purpose).
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bilibili_sdk import Client, NetworkException

from .conftest import NetworkBlockedError, is_loopback_host, network_violations

pytest_plugins = ["pytester"]

# TEST-NET-3 (RFC 5737): documentation addresses, never routed. The guard refuses before any
# packet could leave, so nothing is sent even when the guard is broken... except then the test
# fails on the missing refusal.
OUTSIDE_V4 = "203.0.113.7"
OUTSIDE_V6 = "2001:db8::7"


@pytest.fixture
def expect_refusals() -> Iterator[list[str]]:
    """The refusals the test provoked; cleared afterwards so the guard does not fail it."""
    yield network_violations
    network_violations.clear()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("mock.localhost", True),
        (None, True),
        (b"127.0.0.1", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        (OUTSIDE_V4, False),
        (OUTSIDE_V6, False),
        ("api.bilibili.com", False),
        ("localhost.example.com", False),
        ("", False),
        (1234, False),
    ],
)
def test_loopback_classification(host: Any, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def _tcp(address: Any, family: socket.AddressFamily = socket.AF_INET, *, ex: bool = False) -> Any:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(address) if ex else s.connect(address)


BLOCKED_CALLS: list[tuple[str, Callable[[], Any]]] = [
    ("connect", lambda: _tcp((OUTSIDE_V4, 443))),
    ("connect_ex", lambda: _tcp((OUTSIDE_V4, 443), ex=True)),
    ("connect v6", lambda: _tcp((OUTSIDE_V6, 443, 0, 0), socket.AF_INET6)),
    ("connect by name", lambda: _tcp(("api.bilibili.com", 443))),
    ("create_connection", lambda: socket.create_connection((OUTSIDE_V4, 443), timeout=0.5)),
    ("getaddrinfo", lambda: socket.getaddrinfo("api.bilibili.com", 443)),
]


@pytest.mark.parametrize("call", [c for _, c in BLOCKED_CALLS], ids=[n for n, _ in BLOCKED_CALLS])
def test_outside_connections_are_refused(
    call: Callable[[], Any], expect_refusals: list[str]
) -> None:
    with pytest.raises(NetworkBlockedError, match="network access blocked"):
        call()
    assert len(expect_refusals) == 1


def test_asyncio_connection_is_refused(expect_refusals: list[str]) -> None:
    async def main() -> None:
        await asyncio.open_connection(OUTSIDE_V4, 443)

    with pytest.raises(NetworkBlockedError):
        asyncio.run(main())
    assert expect_refusals


def test_a_swallowed_refusal_is_still_recorded(expect_refusals: list[str]) -> None:
    """The SDK wraps transport errors, but the attempt is on record and fails the test."""
    with Client(max_retries=0) as bili:  # no transport: the real network
        with pytest.raises((NetworkException, NetworkBlockedError)):
            bili.video.get_info("BV1xx411c7mD")
    assert any("api.bilibili.com" in v for v in expect_refusals)


def test_the_guard_fails_a_test_at_teardown(pytester: pytest.Pytester) -> None:
    """Run a test that catches the refusal in a fresh pytest: it must still fail."""
    conftest = os.path.join(os.path.dirname(__file__), "conftest.py")
    with open(conftest, encoding="utf-8") as f:
        pytester.makeconftest(f.read())
    pytester.makepyfile(
        test_sneaky="""
        import socket

        def test_swallows():
            try:
                socket.getaddrinfo("example.com", 80)
            except Exception:
                pass

        def test_loopback_is_fine():
            socket.getaddrinfo("127.0.0.1", 80)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors") == 1 and not outcomes.get("failed"), outcomes
    result.stdout.fnmatch_lines(["*network access blocked in tests*example.com*"])


def test_loopback_tcp_is_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            accepted.append(conn.recv(2))

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    with socket.create_connection(("localhost", port), timeout=2) as c:
        c.sendall(b"ok")
    t.join(2)
    server.close()
    assert accepted == [b"ok"]
    assert socket.getaddrinfo("localhost", port)
    assert network_violations == []


def test_loopback_http_is_allowed() -> None:
    from bilibili_sdk.testing import MockBilibili

    with MockBilibili().serve() as server:
        r = httpx.get(f"{server.base_url}/api.bilibili.com/x/web-interface/nav")
    assert r.json()["code"] == -101
    assert network_violations == []


def test_unix_sockets_are_allowed() -> None:
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"x")
        assert b.recv(1) == b"x"
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen()
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(path)
        client.close()
        server.close()
    assert network_violations == []

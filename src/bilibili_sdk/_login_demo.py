"""`python -m bilibili_sdk login [--tv] [--offline] [--output cookies.txt]`: log in by QR code.

Shows the QR code in the terminal, follows the scan, and saves the login as a Netscape
cookies.txt readable by its owner only (0600). No secret is printed. With --offline it logs
in to the built-in mock Bilibili (which confirms after a scan) and saves the mock's cookies.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import Client
from ._exceptions import ApiException, MissingExtraException

if TYPE_CHECKING:
    from .login import QrState

MOCK_STATES = ["waiting", "scanned", "done"]
OFFLINE_INTERVAL = 0.5  # the mock needs no patience


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lp = sub.add_parser("login", help="log in by QR code and save cookies.txt")
    lp.add_argument("--tv", action="store_true", help="log in as the TV client")
    lp.add_argument("--offline", action="store_true", help="log in to the built-in mock")
    lp.add_argument("--output", default="cookies.txt", help="where to save (default cookies.txt)")


def login(client: Client, *, tv: bool, output: str, interval: float = 2.0) -> int:
    """The QR login itself, on any client; returns the exit status."""
    say: Callable[[str], None] = print
    qr = client.login.start_qr(tv=tv)
    kind = "TV" if tv else "web"
    say(f"Scan this QR code with the Bilibili app ({kind} login; it expires in about 3 min):")
    try:
        say(qr.terminal())
    except MissingExtraException as e:
        say(f"({e})\nOr encode this URL as a QR code yourself: {qr.url}")
    messages = {
        "SCANNED": "Scanned: confirm the login in the app.",
        "WAITING": "Waiting for a scan...",
    }

    def on_change(state: QrState) -> None:
        if state.name in messages:
            say(messages[state.name])

    credential = qr.wait(interval=interval, on_change=on_change)
    credential.to_cookies_txt(output)
    say(f"Logged in as user {credential.dedeuserid}.")
    say(f"Cookies saved to {output} (readable by you only; keep it secret).")
    return 0


def run(args: argparse.Namespace, online: Callable[[], bool]) -> int:
    try:
        if args.offline:
            from .testing import MockBilibili

            mock = MockBilibili()
            mock.script_qr(MOCK_STATES, tv=args.tv)
            with mock.serve() as server:
                print(f"Offline (--offline): logging in to the mock Bilibili at {server.base_url}")
                print("(it confirms the login by itself after a moment; the cookies are fake)")
                with Client(base_urls=server.base_urls) as client:
                    return login(client, tv=args.tv, output=args.output, interval=OFFLINE_INTERVAL)
        if not online():
            print(
                "error: Bilibili cannot be reached; --offline logs in to the mock", file=sys.stderr
            )
            return 1
        with Client() as client:
            return login(client, tv=args.tv, output=args.output)
    except ApiException as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: not logged in", file=sys.stderr)
        return 130

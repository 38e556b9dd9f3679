"""`python -m bilibili_sdk.testing serve --port N`: run the mock Bilibili on loopback."""

from __future__ import annotations

import argparse
import time

from ._mock import MockBilibili


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bilibili_sdk.testing")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("serve", help="serve the mock Bilibili until interrupted")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    server = MockBilibili().serve(args.host, args.port)
    print(f"mock Bilibili on {server.base_url}; use Client(base_urls={{'*': '{server.base_url}'}})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python
"""Round trips of a cold client's first call, beside the seed, with 100 ms per request.

    python benchmarks/bench_cold_start.py            # 7 runs of each case (about 40 s)
    python benchmarks/bench_cold_start.py --quick    # 3 runs (about 20 s)
    python benchmarks/bench_cold_start.py --json benchmarks/results-cold-start-latest.json

A cold client must look up buvid (spi), the bili_ticket and, for a WBI-signed call, the WBI
keys (nav) before the call itself. Every request here goes to the mock through a transport
that waits `--latency` seconds first (`time.sleep` in the sync flavour, `asyncio.sleep` in
the async one), so the figure is elapsed / latency: the number of round trips the caller
waited for. Ours runs in-process with warm imports and built models, a new client per run;
the seed keeps its buvid and keys in module globals, so each of its runs is a fresh child
interpreter (timed around the call only). No network. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx
from _report import Row, add, finish
from bench_all import ACTIVE_PATH, BVID, MID, _child_env

CASES = {
    "video": ("video.get_info (plain GET)", "video", "get_info", BVID),
    "user": ("user.get_info (WBI signed)", "user", "get_info", MID),
}


def _handler(seen: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    """The mock's answers, plus the seed's buvid activation POST (not in our catalogue)."""
    from bilibili_sdk.testing import MockBilibili

    mock = MockBilibili()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == ACTIVE_PATH:
            return httpx.Response(200, json={"code": 0, "msg": "0", "data": None})
        return mock.handle(request)

    return handle


class SyncLatency(httpx.BaseTransport):
    def __init__(self, latency: float, seen: list[str]) -> None:
        self.latency = latency
        self.handle = _handler(seen)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.latency)
        return self.handle(request)


class AsyncLatency(httpx.AsyncBaseTransport):
    def __init__(self, latency: float, seen: list[str]) -> None:
        self.latency = latency
        self.handle = _handler(seen)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.latency)
        return self.handle(request)


# --------------------------------------------------------------------------- ours
def _new_process() -> None:
    """Forget the buvid pairs activated so far, as a fresh process would: each run then
    sends its activation (beside the call, so it adds no round trip)."""
    from bilibili_sdk import _auth

    _auth._ACTIVATED.clear()


def ours_sync(case: str, latency: float) -> tuple[float, list[str]]:
    from bilibili_sdk import Client

    _new_process()
    _, ns, name, arg = CASES[case]
    seen: list[str] = []
    with Client(transport=SyncLatency(latency, seen)) as bili:
        started = time.perf_counter()
        getattr(getattr(bili, ns), name)(arg)
        return time.perf_counter() - started, seen


def ours_async(case: str, latency: float) -> tuple[float, list[str]]:
    from bilibili_sdk import AsyncClient

    _new_process()
    _, ns, name, arg = CASES[case]
    seen: list[str] = []

    async def main() -> float:
        async with AsyncClient(transport=AsyncLatency(latency, seen)) as bili:
            started = time.perf_counter()
            await getattr(getattr(bili, ns), name)(arg)
            return time.perf_counter() - started

    return asyncio.run(main()), seen


def warm() -> None:
    """Imports, namespaces and models ready, so that a run times round trips only."""
    for case in CASES:
        ours_sync(case, 0.0)
        ours_async(case, 0.0)


# --------------------------------------------------------------------------- the seed
def seed_child(case: str, latency: float) -> None:
    """Run in a fresh interpreter: one cold seed call; print elapsed and the requests."""
    warnings.filterwarnings("ignore")
    from bilibili_api import select_client
    from bilibili_api.user import User
    from bilibili_api.utils.network import get_client, set_session
    from bilibili_api.video import Video

    seen: list[str] = []

    async def main() -> float:
        select_client("httpx")
        get_client()  # set_session() refuses until this loop has a client in the seed's pool
        set_session(httpx.AsyncClient(transport=AsyncLatency(latency, seen)))
        call = Video(bvid=BVID).get_info if case == "video" else User(uid=MID).get_user_info
        started = time.perf_counter()
        result = await call()
        elapsed = time.perf_counter() - started
        assert isinstance(result, dict) and result, result
        return elapsed

    elapsed = asyncio.run(main())
    print(json.dumps({"elapsed": elapsed, "requests": seen}))


def seed_run(case: str, latency: float) -> tuple[float, list[str]]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, "--latency", str(latency)],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    return float(doc["elapsed"]), list(doc["requests"])


# --------------------------------------------------------------------------- main
def measure(runs: int, latency: float) -> dict[str, dict[str, Any]]:
    flavours: dict[str, Callable[[str, float], tuple[float, list[str]]]] = {
        "sync": ours_sync,
        "async": ours_async,
        "seed": seed_run,
    }
    out: dict[str, dict[str, Any]] = {}
    for case in CASES:
        for flavour, fn in flavours.items():
            samples: list[float] = []
            requests: list[str] = []
            for _ in range(runs):
                elapsed, requests = fn(case, latency)
                samples.append(elapsed / latency)
            out[f"{case}/{flavour}"] = {
                "round_trips": statistics.median(samples),
                "samples": samples,
                "requests": requests,
            }
            print(
                f"  {case:5} {flavour:5} {statistics.median(samples):.2f} round trips "
                f"({len(requests)} requests)",
                flush=True,
            )
    return out


def report(res: dict[str, dict[str, Any]], latency: float) -> None:
    ms = f"{latency * 1000:.0f} ms"
    for case, (label, *_rest) in CASES.items():
        seed = res[f"{case}/seed"]
        for flavour in ("sync", "async"):
            ours = res[f"{case}/{flavour}"]
            add(
                Row(
                    "cold start",
                    f"{label}, {flavour}: round trips",
                    ours["round_trips"],
                    1.0,
                    "RT",
                    "1 round trip (the call alone)",
                    "<= 2.25x",
                    2.25,
                    note=(
                        f"target: the lookups side by side, then the call (2 round trips of "
                        f"{ms}; 0.25 allows for CPU time). Requests: " + ", ".join(ours["requests"])
                    ),
                    extra=ours,
                )
            )
            add(
                Row(
                    "cold start",
                    f"{label}, {flavour} vs seed",
                    ours["round_trips"],
                    seed["round_trips"],
                    "RT",
                    "seed (async; fresh interpreter per run)",
                    extra={"seed": seed},
                    note=(
                        "seed requests: " + ", ".join(seed["requests"]) if flavour == "sync" else ""
                    ),
                )
            )


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="3 runs of each case instead of 7")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument("--latency", type=float, default=0.1, help="seconds per request (0.1)")
    p.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        seed_child(args.child, args.latency)
        return 0
    runs = 3 if args.quick else 7
    started = time.perf_counter()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"httpx {httpx.__version__}; latency {args.latency * 1000:.0f} ms; {runs} runs",
        flush=True,
    )
    warm()
    res = measure(runs, args.latency)
    report(res, args.latency)
    import bilibili_api

    meta = {
        "httpx": httpx.__version__,
        "latency_s": args.latency,
        "runs": runs,
        "seed": getattr(bilibili_api, "__version__", "17.4.2"),
    }
    finish(args, time.perf_counter() - started, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())

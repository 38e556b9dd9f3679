#!/usr/bin/env python
"""Download throughput and peak memory of `client.video.download`, beside the seed's way.

    python benchmarks/bench_download.py            # 64 MiB video + 16 MiB audio, 3 rounds
    python benchmarks/bench_download.py --quick    # 16 MiB + 4 MiB, 2 rounds (< 60 s)
    python benchmarks/bench_download.py --json benchmarks/results-download-latest.json

No network. The mock Bilibili (with its CDN) runs as a loopback HTTP server in its own
process, so that the server's memory and the bytes it builds are not charged to the client.
Each download runs in a fresh child process (started through `sh`, so that `ru_maxrss`
starts from the child's own baseline); the child reports the wall time from the playurl
call to the last byte on disk, and its peak RSS.

The seed (bilibili-api-python 17.4.2) has no downloader API; its own helper for "a link of
`Video.get_download_url`" is `bilibili_api.utils.network.bili_simple_download(url, out,
intro)`: a GET through its client, 4 KiB `aiter_bytes` chunks written to the final file,
a progress line per chunk (printed to /dev/null here). The seed child calls
`Video.get_download_url(0)` against the same loopback server (its httpx session gets a
transport that sends every host to the server, as `base_urls={"*": ...}` does for ours) and
then `bili_simple_download` for the video and the audio stream our run chose.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from _report import Row, add, finish

BVID = "BV117411r7R1"  # the mock's get_info example
_RSS: dict[str, int] = {}


# --------------------------------------------------------------------------- the server
def serve(size: int) -> None:
    """Child: the mock (with a CDN of `size`-byte video streams) on loopback until stdin ends."""
    import httpx

    from bilibili_sdk.testing import MockBilibili

    mock = MockBilibili()
    mock.cdn.set_size(size)
    # The seed's buvid activation POST is not a catalogue call: answer it as Bilibili does.
    mock.set_file(
        "https://api.bilibili.com/x/internal/gaia-gateway/ExClimbWuzhi",
        json.dumps({"code": 0, "data": None}).encode(),
        "application/json",
    )
    _ = httpx
    with mock.serve() as server:
        print(f"PORT {server.port}", flush=True)
        sys.stdin.read()


# --------------------------------------------------------------------------- the clients
def child(variant: str, port: int, dest: str) -> None:
    """Child: one download; prints {"seconds", "bytes", "rss_kb", "rss_before_kb"}."""
    import asyncio

    base = f"http://127.0.0.1:{port}"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if variant in ("ours", "ours_async"):
        from bilibili_sdk import AsyncClient, Client

        if variant == "ours":
            with Client(base_urls={"*": base}) as bili:
                bili.video.get_info(BVID)  # warm: buvid, ticket, keys (not the download)
                rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                t0 = time.perf_counter()
                r = bili.video.download(BVID, dest, merge=False)
                seconds = time.perf_counter() - t0
        else:

            async def main() -> Any:
                async with AsyncClient(base_urls={"*": base}) as bili:
                    await bili.video.get_info(BVID)
                    _RSS["before"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    t0 = time.perf_counter()
                    r = await bili.video.download(BVID, dest, merge=False)
                    return r, time.perf_counter() - t0

            r, seconds = asyncio.run(main())
            rss_before = _RSS["before"]
        nbytes = r.video_size + r.audio_size
    else:
        nbytes, seconds = asyncio.run(_seed(base, dest))
        rss_before = _RSS["before"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "bytes": nbytes, "rss_kb": rss, "rss_before_kb": rss_before}
        )
    )


async def _seed(base: str, dest: str) -> tuple[int, float]:
    import contextlib
    import io
    import warnings

    import httpx

    warnings.filterwarnings("ignore")
    from bilibili_api import select_client
    from bilibili_api.utils.network import bili_simple_download, get_client, set_session
    from bilibili_api.video import Video

    class ToLoopback(httpx.AsyncBaseTransport):
        """Every host to the loopback server, as `base_urls={"*": base}` does for ours."""

        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            u = request.url
            target = f"{base}/{u.host}{u.raw_path.decode()}"
            request.url = httpx.URL(target)
            request.headers["host"] = request.url.netloc.decode()
            return await self.inner.handle_async_request(request)

    select_client("httpx")
    get_client()
    set_session(httpx.AsyncClient(transport=ToLoopback()))
    video = Video(bvid=BVID)
    await video.get_info()  # warm, as ours
    _RSS["before"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    data = await video.get_download_url(0)
    vurl = next(v for v in data["dash"]["video"] if v["codecid"] == 7)["base_url"]
    aurl = data["dash"]["audio"][0]["base_url"]
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        await bili_simple_download(vurl, os.path.join(dest, "v.m4s"), "video")
        await bili_simple_download(aurl, os.path.join(dest, "a.m4s"), "audio")
    seconds = time.perf_counter() - t0
    size = sum(os.path.getsize(os.path.join(dest, n)) for n in ("v.m4s", "a.m4s"))
    return size, seconds


def run_child(variant: str, port: int) -> dict[str, Any]:
    dest = tempfile.mkdtemp(prefix=f"bench-dl-{variant}-")
    try:
        me = os.path.abspath(__file__)
        cmd = f'exec "{sys.executable}" "{me}" --child {variant} --port {port} --dir "{dest}"'
        out = subprocess.run(
            ["sh", "-c", cmd], capture_output=True, text=True, timeout=600, check=False
        )
        if out.returncode != 0:
            raise RuntimeError(f"{variant} child failed: {out.stderr[-2000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        shutil.rmtree(dest, ignore_errors=True)


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--size-mib", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--dir", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.child is not None:
        child(args.child, args.port, args.dir)
        return 0

    started = time.perf_counter()
    size_mib = args.size_mib or (16 if args.quick else 64)
    rounds = args.rounds or (2 if args.quick else 3)
    size = size_mib * 1024 * 1024
    me = os.path.abspath(__file__)
    server = subprocess.Popen(
        [sys.executable, me, "--serve", str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        port = int(line[1])
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "ours_async": [], "seed": []}
        for _ in range(rounds):  # interleaved: the machine's noise hits every variant alike
            for variant in runs:
                runs[variant].append(run_child(variant, port))
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)

    def mbps(r: dict[str, Any]) -> float:
        return r["bytes"] / r["seconds"] / 1e6

    def med(variant: str, fn: Any) -> float:
        return statistics.median(fn(r) for r in runs[variant])

    def grew(r: dict[str, Any]) -> float:
        return (r["rss_kb"] - r["rss_before_kb"]) / 1024

    nbytes = runs["ours"][0]["bytes"]
    assert all(r["bytes"] == nbytes for rs in runs.values() for r in rs), "sizes differ"
    what = f"{size_mib} MiB video + {size_mib // 4} MiB audio over loopback"
    for variant, label in (("ours", "Client"), ("ours_async", "AsyncClient")):
        add(
            Row(
                "throughput",
                f"video.download ({label}), {what}",
                med(variant, mbps),
                med("seed", mbps),
                "MB/s",
                "seed get_download_url + bili_simple_download",
                ">= 1.00x",
                1.0,
                higher_is_better=True,
                note=f"median of {rounds}; each run: playurl call, then both streams to disk",
            )
        )
        add(
            Row(
                "memory",
                f"peak RSS of the process ({label})",
                med(variant, lambda r: r["rss_kb"] / 1024),
                med("seed", lambda r: r["rss_kb"] / 1024),
                "MiB",
                "seed, same download",
                "<= 1.10x",
                1.1,
                note="ru_maxrss of a fresh child (imports included); growth during the "
                f"download: ours {med(variant, grew):.1f} MiB, seed {med('seed', grew):.1f} MiB",
            )
        )
    return finish(
        args,
        time.perf_counter() - started,
        {"size_mib": size_mib, "rounds": rounds, "bytes": nbytes},
        {"runs": runs},
    )


if __name__ == "__main__":
    sys.exit(main())

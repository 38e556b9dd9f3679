#!/usr/bin/env python
"""Video upload over loopback: bilibili_sdk's upload.video beside a bare httpx PUT loop and
the seed's VideoUploader, against the same mock upos server.

    python benchmarks/bench_upload.py            # 64 MiB file, 4 MiB chunks (about 40 s)
    python benchmarks/bench_upload.py --quick    # 16 MiB file (well under 60 s)
    python benchmarks/bench_upload.py --json out.json

No network. The mock Bilibili (`MockBilibili().serve()`, with its upos plugin) runs in its own
process, so the uploader's peak RSS is its own. Each uploader runs in a fresh child process
and reports wall time, CPU time (user + system) and peak RSS (`ru_maxrss`, and its growth
over the post-import baseline). The bare loop speaks the same protocol by hand with one
`httpx.Client` (preupload, init, sequential PUTs, complete: all timed, no cover or submit):
its time is the raw floor (it sends `content=bytes`, as most code does: httpx keeps each sent body until the
garbage collector breaks a request/response cycle, which is why its peak RSS grows with the
file; bilibili_sdk streams each chunk instead). Per-chunk overhead = (wall of ours with threads=1 - wall of the bare loop) / chunks;
ours with threads=1 includes preupload, init, complete, submit and the state file writes.
The seed (bilibili-api-python 17.4.2) has its hosts hard-coded: its httpx session is given a
transport that rewrites every URL to the loopback server (`http://127.0.0.1:N/<host><path>`,
the mock's own addressing), the only change made to it; it runs with the `threads` the
preupload answer suggests (3), so it is compared with ours at threads=3.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from _report import Row, add, finish

CHUNK = 4 * 1024 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
SESSDATA, BILI_JCT = "bench-sess", "bench-jct"


# --------------------------------------------------------------------------- children
def _serve() -> None:
    from bilibili_sdk.testing import MockBilibili

    mock = MockBilibili()
    mock.upos.chunk_size = CHUNK
    mock.upos.strict_etags = False  # the seed completes with the literal eTag "etag"
    server = mock.serve()
    print(server.port, flush=True)
    sys.stdin.read()  # until the parent closes our stdin


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _client(kind: str, port: int, path: str, threads: int) -> None:
    import httpx

    base = f"http://127.0.0.1:{port}"
    if kind == "seed":
        import warnings

        warnings.simplefilter("ignore")
        import bilibili_api  # noqa: F401  (imported before the baseline, like ours)
    else:
        from bilibili_sdk import Client, Credential
    base_rss = _maxrss_mib()
    result: dict[str, Any] = {}
    if kind == "raw":
        result = _raw(base, path)
    elif kind == "ours":
        from bilibili_sdk import Client, Credential

        cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
        with Client(credential=cred, base_urls={"*": base}, timeout=120) as bili:
            bili.upload.get_compilation_categories()  # warm: buvid, ticket, pools
            t0, c0 = time.perf_counter(), _cpu()
            bili.upload.video(
                path, title="bench", tid=122, tags=["bench"], line="qn", threads=threads
            )
            result = {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0}
    else:
        result = _seed(base, path)
    result.update(maxrss=_maxrss_mib(), rss_growth=_maxrss_mib() - base_rss)
    print(json.dumps(result), flush=True)
    del httpx


def _raw(base: str, path: str) -> dict[str, Any]:
    """The protocol by hand: preupload, init, the sequential PUT loop, complete (all timed;
    the server's complete checks and joins every part, so both sides pay for it)."""
    import httpx

    size = os.path.getsize(path)
    with httpx.Client(timeout=120, cookies={"SESSDATA": SESSDATA}) as c:
        c.get(f"{base}/member.bilibili.com/x/web-interface/nav")  # warm the connection
        t0, c0 = time.perf_counter(), _cpu()
        name = os.path.basename(path)
        pre = c.get(
            f"{base}/member.bilibili.com/preupload",
            params={"name": name, "size": size, "r": "upos", "profile": "ugcfx/bup", "upcdn": "qn"},
        ).json()
        url = (
            f"{base}/{pre['endpoint'].removeprefix('//')}/{pre['upos_uri'].removeprefix('upos://')}"
        )
        auth = {"X-Upos-Auth": pre["auth"]}
        init = c.post(
            url,
            params={
                "uploads": "",
                "output": "json",
                "profile": "ugcfx/bup",
                "filesize": size,
                "partsize": CHUNK,
                "biz_id": pre["biz_id"],
            },
            headers=auth,
        ).json()
        chunks = -(-size // CHUNK)
        t1 = time.perf_counter()
        with open(path, "rb") as f:
            for n in range(chunks):
                data = f.read(CHUNK)
                start = n * CHUNK
                params = {
                    "partNumber": n + 1, "uploadId": init["upload_id"], "chunk": n,
                    "chunks": chunks, "size": len(data), "start": start,
                    "end": start + len(data), "total": size,
                }  # fmt: skip
                r = c.put(url, params=params, content=data, headers=auth)
                r.raise_for_status()
        puts = time.perf_counter() - t1
        parts = [{"partNumber": n + 1, "eTag": "etag"} for n in range(chunks)]
        done = c.post(
            url,
            params={
                "output": "json",
                "name": name,
                "profile": "ugcfx/bup",
                "uploadId": init["upload_id"],
                "biz_id": pre["biz_id"],
            },
            json={"parts": parts},
            headers=auth,
        ).json()
        assert done["OK"] == 1, done
        return {
            "wall": time.perf_counter() - t0,
            "cpu": _cpu() - c0,
            "chunks": chunks,
            "puts": puts,
        }


def _seed(base: str, path: str) -> dict[str, Any]:
    import asyncio

    import httpx
    from bilibili_api import Credential, select_client, video_uploader
    from bilibili_api.utils.network import get_client, set_session
    from bilibili_api.utils.picture import Picture

    from bilibili_sdk.testing._mock import placeholder_png

    class Loopback(httpx.AsyncBaseTransport):
        """Sends every request to the loopback mock, addressed as /<host><path>."""

        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            u = request.url
            request.url = httpx.URL(f"{base}/{u.host}{u.raw_path.decode()}")
            request.headers["host"] = request.url.netloc.decode()
            return await self.inner.handle_async_request(request)

    async def go() -> dict[str, Any]:
        select_client("httpx")
        get_client()
        set_session(httpx.AsyncClient(transport=Loopback(), timeout=120))
        cover = Picture()
        cover.content, cover.imageType, cover.width, cover.height = placeholder_png(), "png", 16, 10
        meta = {"title": "bench", "copyright": 1, "tid": 122, "tag": "bench", "desc_format_id": 9999, "desc": "", "recreate": -1, "dynamic": "", "interactive": 0, "act_reserve_create": 0, "no_reprint": 1, "web_os": 1}  # fmt: skip
        cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
        page = video_uploader.VideoUploaderPage(path, "bench")
        up = video_uploader.VideoUploader(
            [page], meta, cred, cover=cover, line=video_uploader.Lines.QN
        )
        t0, c0 = time.perf_counter(), _cpu()
        await up.start()
        return {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0}

    return asyncio.run(go())


# --------------------------------------------------------------------------- parent
def _run_child(kind: str, port: int, path: str, threads: int = 1) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [os.path.join(HERE, "..", "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--port", str(port), "--file", path, "--threads", str(threads)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _median(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2]


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="16 MiB instead of 64 MiB, 1 round")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        _serve()
        return 0
    if args.child:
        _client(args.child, args.port, args.file, args.threads)
        return 0

    started = time.perf_counter()
    mib = 16 if args.quick else 64
    rounds = 1 if args.quick else 3
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [os.path.join(HERE, "..", "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline())
    runs: dict[str, list[dict[str, Any]]] = {"raw": [], "ours1": [], "ours3": [], "seed": []}
    try:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bench.mp4")
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(os.urandom(1024 * 1024))
            for _ in range(rounds):  # interleaved rounds
                runs["raw"].append(_run_child("raw", port, path))
                runs["ours1"].append(_run_child("ours", port, path, 1))
                runs["ours3"].append(_run_child("ours", port, path, 3))
                try:
                    runs["seed"].append(_run_child("seed", port, path))
                except RuntimeError as e:
                    print(f"seed run failed: {e}", file=sys.stderr)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)

    chunks = runs["raw"][0]["chunks"]
    med = {k: {m: _median([r[m] for r in v]) for m in v[0]} if v else None for k, v in runs.items()}
    raw, o1, o3, seed = med["raw"], med["ours1"], med["ours3"], med["seed"]
    assert raw is not None and o1 is not None and o3 is not None
    sec = f"upload {mib} MiB"
    add(
        Row(
            sec,
            "per-chunk overhead, threads=1",
            (o1["wall"] - raw["wall"]) / chunks * 1000,
            None,
            "ms",
            "bare httpx protocol loop",
            note=f"{chunks} chunks of 4 MiB; both do preupload, init, PUTs, complete; ours adds submit and the state file",
        )
    )
    add(
        Row(
            sec,
            "wall, threads=1",
            o1["wall"] * 1000,
            raw["wall"] * 1000,
            "ms",
            "bare httpx protocol loop",
        )
    )
    add(
        Row(
            sec,
            "wall, threads=3",
            o3["wall"] * 1000,
            seed["wall"] * 1000 if seed else None,
            "ms",
            "seed VideoUploader (3 in flight)",
        )
    )
    add(
        Row(
            sec,
            "CPU per MiB, threads=3",
            o3["cpu"] / mib * 1000,
            seed["cpu"] / mib * 1000 if seed else None,
            "ms",
            "seed VideoUploader",
        )
    )
    add(
        Row(
            sec,
            "CPU per MiB, threads=1",
            o1["cpu"] / mib * 1000,
            raw["cpu"] / mib * 1000,
            "ms",
            "bare httpx protocol loop",
        )
    )
    add(
        Row(
            sec,
            "peak RSS growth, threads=3",
            o3["rss_growth"],
            seed["rss_growth"] if seed else None,
            "MiB",
            "seed VideoUploader",
            note=f"peak RSS: ours {o3['maxrss']:.0f} MiB, seed {seed['maxrss'] if seed else float('nan'):.0f} MiB, bare loop {raw['maxrss']:.0f} MiB",
        )
    )
    add(
        Row(
            sec,
            "peak RSS growth, threads=1",
            o1["rss_growth"],
            raw["rss_growth"],
            "MiB",
            "bare httpx protocol loop",
        )
    )
    return finish(
        args,
        time.perf_counter() - started,
        {"file_mib": mib, "chunk_mib": 4, "rounds": rounds},
        {"runs": runs},
    )


if __name__ == "__main__":
    sys.exit(main())

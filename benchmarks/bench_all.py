#!/usr/bin/env python
"""bilibili_sdk benchmarks, each figure measured beside the seed (bilibili-api-python) or
beside raw httpx in the same run.

    python benchmarks/bench_all.py            # full run (about 1-2 minutes on 2 cores)
    python benchmarks/bench_all.py --quick    # smoke run (< 20 s)
    python benchmarks/bench_all.py --json out.json
    python benchmarks/bench_all.py --profile  # also print cProfile hotspots inside bilibili_sdk

No network: every HTTP call goes to `MockBilibili().transport()`, an in-process
`httpx.MockTransport`. See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from _report import Row, add, finish

BVID = "BV1xx411c7mD"
AID = 170001
MID = 2
VIDEO_URL = "https://api.bilibili.com/x/web-interface/view"
USER_URL = "https://api.bilibili.com/x/space/wbi/acc/info"
ACTIVE_PATH = "/x/internal/gaia-gateway/ExClimbWuzhi"  # the seed's buvid activation POST


# --------------------------------------------------------------------------- results
# --------------------------------------------------------------------------- import
CHILD = """
import json, resource, sys, time
r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
import {mod}
t1 = time.perf_counter()
r1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"import_s": t1 - t0, "rss_kb": r1 - r0, "rss0_kb": r0, "modules": len(sys.modules)}}))
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("BILIBILI_SDK_EAGER", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(k, None)
    return env


def _wall(code: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_import(runs: int) -> None:
    env = _child_env()
    codes = {"pass": "pass", "sdk": "import bilibili_sdk", "seed": "import bilibili_api"}
    for c in codes.values():  # warm the bytecode caches and the page cache
        _wall(c, env)
    walls: dict[str, list[float]] = {k: [] for k in codes}
    for i in range(runs):  # interleaved, rotating the order, so drift hits all three alike
        keys = list(codes)
        keys = keys[i % 3 :] + keys[: i % 3]
        for k in keys:
            walls[k].append(_wall(codes[k], env))
    base = statistics.median(walls["pass"])
    ours = (statistics.median(walls["sdk"]) - base) * 1000
    seed = (statistics.median(walls["seed"]) - base) * 1000

    inner: dict[str, list[dict[str, float]]] = {"sdk": [], "seed": []}
    for _ in range(runs):
        for k, mod in (("sdk", "bilibili_sdk"), ("seed", "bilibili_api")):
            # Through a forking `sh`: Linux carries ru_maxrss across fork+exec, so a child
            # spawned straight from this (bigger) process would start with our peak RSS.
            out = subprocess.run(
                ["sh", "-c", '"$0" -c "$1"; exit $?', sys.executable, CHILD.format(mod=mod)],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
            inner[k].append(json.loads(out.strip().splitlines()[-1]))

    def med(k: str, f: str) -> float:
        return statistics.median(x[f] for x in inner[k])

    add(
        Row(
            "import",
            "wall time (python -c 'import x' minus python -c 'pass')",
            ours,
            seed,
            "ms",
            "seed",
            "<= 0.40x",
            0.40,
            note=f"median of {runs} fresh interpreters each; interpreter start-up {base * 1000:.1f} ms "
            f"subtracted. In-process import time: ours {med('sdk', 'import_s') * 1000:.1f} ms, "
            f"seed {med('seed', 'import_s') * 1000:.1f} ms; modules loaded: ours "
            f"{med('sdk', 'modules'):.0f}, seed {med('seed', 'modules'):.0f}.",
            extra={"walls_s": walls},
        )
    )
    add(
        Row(
            "import",
            "RSS delta (ru_maxrss after - before import)",
            med("sdk", "rss_kb") / 1024,
            med("seed", "rss_kb") / 1024,
            "MiB",
            "seed",
            extra={"samples": inner},
        )
    )


# --------------------------------------------------------------------------- per call
def make_transport() -> tuple[Any, httpx.MockTransport]:
    """The mock's in-process transport, plus an answer for the seed's buvid activation POST
    (not in our catalogue). Every client in this file (ours, raw httpx, the seed) uses it."""
    from bilibili_sdk.testing import MockBilibili

    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == ACTIVE_PATH:
            return httpx.Response(200, json={"code": 0, "msg": "0", "data": None})
        return mock.handle(request)

    return mock, httpx.MockTransport(handler)


Fn = Callable[[], Awaitable[Any]]


async def time_calls(
    variants: dict[str, Fn], rounds: int, n: int, mock: Any
) -> dict[str, dict[str, float]]:
    """Sequential calls; each call timed on its own. Rounds interleave the variants."""
    samples: dict[str, list[int]] = {k: [] for k in variants}
    names = list(variants)
    pc = time.perf_counter_ns
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn = variants[name]
            mock.requests.clear()  # the mock records every request; keep its list short
            gc.collect()
            buf = samples[name]
            for _ in range(n):
                t0 = pc()
                await fn()
                buf.append(pc() - t0)
    out = {}
    for k, s in samples.items():
        s.sort()
        out[k] = {
            "median_us": statistics.median(s) / 1000,
            "mean_us": statistics.fmean(s) / 1000,
            "p90_us": s[int(len(s) * 0.9)] / 1000,
            "n": len(s),
        }
    return out


async def throughput(fn: Fn, total: int, in_flight: int) -> float:
    sem = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with sem:
            await fn()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(total)))
    return total / (time.perf_counter() - t0)


async def bench_calls(args: argparse.Namespace) -> None:
    from bilibili_sdk import AsyncClient
    from bilibili_sdk.models import UserInfo, VideoInfo

    mock, transport = make_transport()
    client = AsyncClient(transport=transport)
    raw = httpx.AsyncClient(transport=transport)

    # One call each so buvid/ticket/WBI keys are cached, then copy exactly what our SDK sent
    # (query incl. w_rid/wts/dm_*, User-Agent, Referer, Cookie) for the raw-httpx floor.
    await client.video.get_info(bvid=BVID)
    sent_video = mock.requests[-1]
    await client.user.get_info(mid=MID)
    sent_user = mock.requests[-1]
    assert sent_video.endpoint == "video.get_info" and sent_user.endpoint == "user.get_info"

    def same_headers(rec: Any) -> dict[str, str]:
        return {k: v for k, v in rec.headers.items() if k in ("user-agent", "referer", "cookie")}

    v_params, v_headers = dict(sent_video.query), same_headers(sent_video)
    u_params, u_headers = dict(sent_user.query), same_headers(sent_user)
    loads = json.loads
    v_validate, u_validate = VideoInfo.model_validate, UserInfo.model_validate

    async def ours_video() -> Any:
        return await client.video.get_info(bvid=BVID)

    async def raw_video() -> Any:
        r = await raw.get(VIDEO_URL, params=v_params, headers=v_headers)
        return loads(r.content)

    async def raw_video_model() -> Any:
        r = await raw.get(VIDEO_URL, params=v_params, headers=v_headers)
        return v_validate(loads(r.content)["data"])

    async def ours_user() -> Any:
        return await client.user.get_info(mid=MID)

    async def raw_user() -> Any:  # pre-signed once: the floor pays no signing
        r = await raw.get(USER_URL, params=u_params, headers=u_headers)
        return loads(r.content)

    async def raw_user_model() -> Any:
        r = await raw.get(USER_URL, params=u_params, headers=u_headers)
        return u_validate(loads(r.content)["data"])

    for fn in (raw_video, raw_user):  # sanity: the floor gets the same successful body
        body = await fn()
        assert body["code"] == 0, body
    assert isinstance(await raw_video_model(), VideoInfo)
    assert isinstance(await raw_user_model(), UserInfo)

    # ---- the seed, on the same transport
    seed_fn, seed_note = await setup_seed(transport)

    variants: dict[str, Fn] = {
        "ours_video": ours_video,
        "raw_video": raw_video,
        "raw_video_model": raw_video_model,
        "ours_user": ours_user,
        "raw_user": raw_user,
        "raw_user_model": raw_user_model,
    }
    if seed_fn is not None:
        variants["seed_video"] = seed_fn
    for fn in variants.values():  # warm-up
        for _ in range(args.warmup):
            await fn()

    res = await time_calls(variants, args.rounds, args.calls, mock)
    m = {k: v["median_us"] for k, v in res.items()}
    mean = {k: v["mean_us"] for k, v in res.items()}
    how = f"{args.rounds} interleaved rounds x {args.calls} sequential calls after {args.warmup} warm-up"

    for ep, label in (
        ("video", "video.get_info (plain GET)"),
        ("user", "user.get_info (WBI+dm signed)"),
    ):
        ours, floor, floor_m = f"ours_{ep}", f"raw_{ep}", f"raw_{ep}_model"
        add(
            Row(
                "per call",
                f"{label} median",
                m[ours],
                m[floor_m],
                "us",
                "raw httpx + json + model_validate",
                "<= 1.15x",
                1.15,
                note=f"{how}; means: ours {mean[ours]:.1f} us, raw+json {mean[floor]:.1f} us, "
                f"raw+json+validate {mean[floor_m]:.1f} us; p90 ours {res[ours]['p90_us']:.1f} us. "
                f"Validation alone costs {m[floor_m] - m[floor]:.1f} us/call.",
                extra={"stats": {k: res[k] for k in (ours, floor, floor_m)}},
            )
        )
        add(Row("per call", f"{label} median", m[ours], m[floor], "us", "raw httpx + json"))
        add(
            Row(
                "per call",
                f"{label} mean",
                mean[ours],
                mean[floor_m],
                "us",
                "raw httpx + json + model_validate",
                "<= 1.15x",
                1.15,
            )
        )
    if seed_fn is not None:
        add(
            Row(
                "per call",
                "video.get_info vs seed Video(bvid).get_info() median",
                m["ours_video"],
                m["seed_video"],
                "us",
                "seed (httpx, same transport)",
                note=seed_note,
                extra={"stats": res["seed_video"]},
            )
        )
    else:
        add(
            Row("per call", "seed Video(bvid).get_info()", None, None, "us", "seed", note=seed_note)
        )

    # ---- throughput
    total, flight = args.tp_calls, args.in_flight
    tp: dict[str, list[float]] = {
        k: []
        for k in (
            "ours_video",
            "raw_video",
            "ours_user",
            "raw_user",
            "raw_user_model",
            "seed_video",
        )
    }
    if seed_fn is None:
        tp.pop("seed_video")
    for name in tp:  # warm-up at concurrency
        await throughput(variants[name], total, flight)
    for r in range(args.tp_rounds):
        names = list(tp)
        for name in names[r % len(names) :] + names[: r % len(names)]:
            mock.requests.clear()
            gc.collect()
            tp[name].append(await throughput(variants[name], total, flight))
    tpm = {k: statistics.median(v) for k, v in tp.items()}
    tp_how = f"{total} calls, {flight} in flight (semaphore), median of {args.tp_rounds} rounds"
    add(
        Row(
            "throughput",
            "video.get_info",
            tpm["ours_video"],
            tpm["raw_video"],
            "calls/s",
            "raw httpx + json",
            ">= 0.90x",
            0.90,
            higher_is_better=True,
            note=tp_how,
            extra={"rounds": tp},
        )
    )
    add(
        Row(
            "throughput",
            "user.get_info (WBI)",
            tpm["ours_user"],
            tpm["raw_user"],
            "calls/s",
            "raw httpx + json (pre-signed)",
            ">= 0.90x",
            0.90,
            higher_is_better=True,
        )
    )
    add(
        Row(
            "throughput",
            "user.get_info (WBI) vs raw + model_validate",
            tpm["ours_user"],
            tpm["raw_user_model"],
            "calls/s",
            "raw httpx + json + model_validate (pre-signed)",
            higher_is_better=True,
        )
    )
    if "seed_video" in tpm:
        add(
            Row(
                "throughput",
                "video.get_info vs seed",
                tpm["ours_video"],
                tpm["seed_video"],
                "calls/s",
                "seed (httpx, same transport)",
                higher_is_better=True,
            )
        )

    if args.profile:
        await profile_calls(ours_video, ours_user, args.profile_calls)

    await client.aclose()
    await raw.aclose()


async def setup_seed(transport: httpx.MockTransport) -> tuple[Fn | None, str]:
    """Make the seed send through httpx with our in-process transport.

    The seed keeps one `BiliAPIClient` per event loop; `select_client("httpx")` picks its
    HTTPXClient and `set_session(httpx.AsyncClient(transport=...))` wraps the session we give
    it (bilibili_api/clients/HTTPXClient.py, utils/network.py). Its buvid activation POST
    (ExClimbWuzhi) is answered by `make_transport`.
    """
    try:
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # httpx: per-request cookies
        from bilibili_api import select_client
        from bilibili_api.utils.network import get_client, set_session
        from bilibili_api.video import Video

        select_client("httpx")
        get_client()  # set_session() refuses until this loop has a client in the seed's pool
        set_session(httpx.AsyncClient(transport=transport))

        async def seed_video() -> Any:
            return await Video(bvid=BVID).get_info()

        info = await seed_video()  # also fetches spi + activation once (cached globally)
        if not isinstance(info, dict) or "aid" not in info:  # the mock's example body
            return None, f"seed answered unexpectedly: {str(info)[:80]}"
    except Exception as e:  # report instead of faking a figure
        return None, f"could not run the seed on the in-process transport: {type(e).__name__}: {e}"
    return seed_video, (
        "seed: select_client('httpx') + set_session(httpx.AsyncClient(transport=<same mock>)); "
        "a new Video(bvid) per call, as the seed is used; it returns a dict (no model)."
    )


# --------------------------------------------------------------------------- profile
HOT: list[str] = []


async def profile_calls(ours_video: Fn, ours_user: Fn, n: int) -> None:
    """Top bilibili_sdk functions per call under cProfile.

    Each SDK function is charged its own time plus the time of the non-SDK functions it
    calls directly (httpx URL/Request building, urlencode, pydantic, json ...), so the list
    says which line of ours the time goes through. The transport call (`httpx ... send`,
    which runs the mock and re-enters our auth flow) is not charged to `_request`.
    cProfile inflates Python-heavy code about 3x: compare rows with each other, not with
    the per-call table.
    """
    import cProfile
    import pstats

    def is_sdk(key: tuple[str, int, str]) -> bool:
        return "bilibili_sdk" in key[0] and "/testing/" not in key[0]

    def name(key: tuple[str, int, str]) -> str:
        file, line, func = key
        if "bilibili_sdk/" in file:
            file = file.split("bilibili_sdk/", 1)[1]
        elif "site-packages/" in file:
            file = file.split("site-packages/", 1)[1]
        elif "python3" in file:
            file = file.rsplit("/", 1)[-1]
        return f"{file}:{line} {func}" if line else func

    for label, fn in (("video.get_info", ours_video), ("user.get_info", ours_user)):
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            await fn()
        prof.disable()
        stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        charged: dict[Any, float] = {}
        biggest: dict[Any, tuple[float, Any]] = {}
        for g, (_cc, _nc, tt, _ct, callers) in stats.items():
            if is_sdk(g):
                charged[g] = charged.get(g, 0.0) + tt
                continue
            if g[2] == "send" and "httpx" in g[0]:
                continue
            for f, caller_stats in callers.items():
                if is_sdk(f):
                    ct = caller_stats[3]
                    charged[f] = charged.get(f, 0.0) + ct
                    if ct > biggest.get(f, (0.0, None))[0]:
                        biggest[f] = (ct, g)
        total = sum(v[2] for v in stats.values()) / n * 1e6
        HOT.append(
            f"{label}: top bilibili_sdk functions, own + direct non-SDK callees, "
            f"cProfile us/call ({n} calls, profiled total {total:.0f} us/call)"
        )
        for f, t in sorted(charged.items(), key=lambda kv: kv[1], reverse=True)[:5]:
            via = biggest.get(f)
            tail = f" (largest: {name(via[1])} {via[0] / n * 1e6:.1f} us)" if via else ""
            HOT.append(f"  {t / n * 1e6:6.1f} us  {name(f)}{tail}")


# --------------------------------------------------------------------------- micro
def bench_micro(number: int, repeat: int) -> None:
    from bilibili_api.utils.aid_bvid_transformer import aid2bvid as seed_aid2bvid
    from bilibili_api.utils.aid_bvid_transformer import bvid2aid as seed_bvid2aid
    from bilibili_api.utils.network import _enc_wbi as seed_enc_wbi

    from bilibili_sdk import aid2bvid, bvid2aid, wbi
    from bilibili_sdk.testing._mock import IMG_KEY, SUB_KEY

    bv = aid2bvid(AID)
    assert seed_aid2bvid(AID) == bv and seed_bvid2aid(bv) == bvid2aid(bv) == AID
    key = wbi.mixin_key(IMG_KEY, SUB_KEY)
    params = {  # what user.get_info signs: mid, web_location and the dm_* extras
        "mid": MID,
        "web_location": 1550101,
        "dm_img_list": "[]",
        "dm_img_str": "AB",
        "dm_cover_img_str": "CD",
        "dm_img_inter": '{"ds":[],"wh":[0,0,0],"of":[0,0,0]}',
    }
    a = wbi.sign(dict(params), key, wts=1700000000)
    b = seed_enc_wbi(dict(params), key)
    b_wts = b["wts"]
    assert wbi.sign(dict(params), key, wts=b_wts)["w_rid"] == b["w_rid"], (a, b)

    sign = wbi.sign

    def per_op(stmt: Callable[[], Any]) -> float:
        t = timeit.Timer(stmt)
        return min(t.repeat(repeat=repeat, number=number)) / number * 1e9

    how = f"timeit best of {repeat} x {number} ops"
    cases = [
        ("aid2bvid(170001)", lambda: aid2bvid(AID), lambda: seed_aid2bvid(AID), ""),
        ("bvid2aid('BV17x411w7KC')", lambda: bvid2aid(bv), lambda: seed_bvid2aid(bv), ""),
        (
            "WBI sign (6 params)",
            lambda: sign(dict(params), key),
            lambda: seed_enc_wbi(dict(params), key),
            "seed: bilibili_api.utils.network._enc_wbi (mutates its argument, so both sides get dict(params)); "
            "same w_rid checked",
        ),
    ]
    for name, ours, seed, note in cases:
        per_op(ours), per_op(seed)  # warm
        o, s = per_op(ours), per_op(seed)
        add(
            Row(
                "micro",
                name,
                o,
                s,
                "ns",
                "seed",
                "<= 0.50x",
                0.50,
                note=(note + "; " if note else "") + how,
            )
        )
    o = per_op(lambda: wbi.mixin_key(IMG_KEY, SUB_KEY))
    add(
        Row(
            "micro",
            "wbi.mixin_key (once per key refresh)",
            o,
            None,
            "ns",
            "-",
            note="the seed computes it inline inside an async nav fetch; no comparable function",
        )
    )


# --------------------------------------------------------------------------- main
def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help="small iteration counts (smoke run, < 20 s)"
    )
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument(
        "--profile", action="store_true", help="cProfile hotspots inside bilibili_sdk per call"
    )
    p.add_argument("--skip-import", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.import_runs, args.rounds, args.calls, args.warmup = 7, 2, 250, 50
        args.tp_calls, args.in_flight, args.tp_rounds = 500, 50, 3
        args.number, args.repeat, args.profile_calls = 5_000, 3, 300
    else:
        args.import_runs, args.rounds, args.calls, args.warmup = 11, 6, 2_000, 300
        args.tp_calls, args.in_flight, args.tp_rounds = 500, 50, 7
        args.number, args.repeat, args.profile_calls = 50_000, 7, 3_000

    started = time.perf_counter()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"httpx {httpx.__version__}; mode {'quick' if args.quick else 'full'}",
        flush=True,
    )
    if not args.skip_import:
        bench_import(args.import_runs)
    asyncio.run(bench_calls(args))
    bench_micro(args.number, args.repeat)
    elapsed = time.perf_counter() - started

    import bilibili_api
    import pydantic

    meta = {
        "httpx": httpx.__version__,
        "pydantic": pydantic.VERSION,
        "seed": getattr(bilibili_api, "__version__", "17.4.2"),
    }
    finish(args, elapsed, meta, {"hotspots": HOT} if HOT else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

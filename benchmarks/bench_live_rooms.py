#!/usr/bin/env python
"""Many live rooms in one asyncio process: ours (AsyncLiveConnection) beside the seed's
LiveDanmaku, against a loopback danmaku server in another process.

    python benchmarks/bench_live_rooms.py             # 10, 100 and 1,000 rooms (about 8 min)
    python benchmarks/bench_live_rooms.py --quick     # 10 and 100 rooms, fewer notices
    python benchmarks/bench_live_rooms.py --rooms 50 --per-frame 10
    python benchmarks/bench_live_rooms.py --json out.json

For each room count and each client, a fresh server process (MockLiveServer) and a fresh
client process: the client connects every room, reports the connect time and the RSS per
room, idles a moment (to measure its idle CPU), then the server broadcasts realistic
DANMU_MSG notices (brotli frames, 5,000 notices/s in total) and the client counts them per
room. Every notice must arrive exactly once in every room, or the run fails. CPU per 10,000
notices is the client's CPU time over the delivery, minus its idle rate over the same wall
time, per notice delivered. See benchmarks/README.md for what each number means and how the
seed is driven (its websocket layer is replaced: see `SeedClient`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import resource
import struct
import subprocess
import sys
import time
import warnings
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 0.70  # ours / seed, CPU per notice, at every room count
RATE = 5000.0  # notices per second, all rooms together
IDLE = 2.0  # seconds of idle CPU measured before the notices flow


# --------------------------------------------------------------------------- shared
def raise_fd_limit(rooms: int) -> None:
    """One socket per room, plus a margin: raise the soft limit up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = rooms * 2 + 256
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < want:
            sys.exit(
                f"ulimit -n: {rooms} rooms need about {want} file descriptors, hard limit {hard}"
            )


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def emit(kind: str, **data: Any) -> None:
    print(kind, json.dumps(data), flush=True)


# --------------------------------------------------------------------------- server
def build_frames(count: int, per_frame: int) -> list[bytes]:
    """`count` brotli frames of `per_frame` DANMU_MSG notices; notice k's text is "k"."""
    import brotli

    sys.path.insert(0, HERE)
    from bench_live import danmu_msg

    rng = random.Random(1)
    templates = [danmu_msg(rng) for _ in range(16)]
    frames = []
    k = 0
    for _ in range(count):
        inner = b""
        for _ in range(per_frame):
            n = templates[k % len(templates)]
            n["info"][1] = str(k)
            body = json.dumps(n, separators=(",", ":"), ensure_ascii=False).encode()
            inner += struct.pack(">IHHII", 16 + len(body), 16, 0, 5, 0) + body
            k += 1
        packed = brotli.compress(inner, quality=6)
        frames.append(struct.pack(">IHHII", 16 + len(packed), 16, 3, 5, 0) + packed)
    return frames


def serve(args: argparse.Namespace) -> None:
    """The server process: commands on stdin, answers on stdout."""
    from bilibili_sdk.testing import MockLiveServer

    raise_fd_limit(args.rooms)
    frames = build_frames(args.frames, args.per_frame)
    server = MockLiveServer(room_id=None, token=None).start()
    emit("PORT", port=server.port)

    async def blast(rate: float) -> dict[str, Any]:
        targets = server._targets()  # the benchmark's own server: internals are fine here
        every = len(targets) * args.per_frame / rate  # seconds between broadcasts
        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = 0
        for i, frame in enumerate(frames):
            for rec in targets:
                await rec.ws.send(frame)
                sent += 1
            delay = start + (i + 1) * every - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        return {"frames": sent, "targets": len(targets), "seconds": loop.time() - start}

    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "blast":
            assert server._loop is not None
            done = asyncio.run_coroutine_threadsafe(blast(float(cmd[1])), server._loop)
            emit("SENT", **done.result())
        elif cmd[0] == "quit":
            break
    server.close()


# --------------------------------------------------------------------------- clients
def mock_transport(port: int) -> Any:
    """The catalogue mock, its live lookups pointing at the server; plus answers for the
    seed's calls outside our catalogue (buvid activation, the player's web heartbeat)."""
    import httpx

    from bilibili_sdk.testing import MockBilibili, MockLiveServer

    mock = MockBilibili()
    MockLiveServer(port=port, room_id=None, token=None).configure(mock)  # only its answers

    def handler(request: httpx.Request) -> httpx.Response:
        response = mock.handle(request)
        if response.status_code == 404:
            return httpx.Response(200, json={"code": 0, "message": "0", "data": {}})
        return response

    return mock, httpx.MockTransport(handler)


class Counter:
    """Notices per room, checked for exactly-once delivery; the CPU window's bounds."""

    def __init__(self, rooms: int, expect: int) -> None:
        self.seen: list[set[str]] = [set() for _ in range(rooms)]
        self.count = [0] * rooms
        self.expect = expect
        self.left = rooms * expect
        self.done = asyncio.Event()
        self.connected = 0
        self.all_connected = asyncio.Event()
        self.rooms = rooms

    def notice(self, room: int, text: str) -> None:
        self.count[room] += 1
        self.seen[room].add(text)
        self.left -= 1
        if self.left <= 0:
            self.done.set()

    def authenticated(self) -> None:
        self.connected += 1
        if self.connected == self.rooms:
            self.all_connected.set()

    def check(self) -> str | None:
        for room, (n, seen) in enumerate(zip(self.count, self.seen, strict=True)):
            if n != self.expect or len(seen) != self.expect:
                return f"room {room}: {n} notices, {len(seen)} distinct, expected {self.expect}"
        return None


async def run_ours(rooms: int, transport: Any, counter: Counter) -> tuple[Any, Any]:
    from bilibili_sdk import AsyncClient
    from bilibili_sdk.live import AsyncLiveConnection, DanmakuMessage

    bili = AsyncClient(transport=transport)
    conns = []
    for room in range(rooms):
        conn = AsyncLiveConnection(bili, 1000 + room)

        def on_dm(ev: DanmakuMessage, room: int = room) -> None:
            counter.notice(room, ev.text)

        conn.on("DANMU_MSG")(on_dm)
        conn.on("AUTHENTICATED")(lambda ev: counter.authenticated())
        conns.append(conn)

    tasks = [asyncio.create_task(c.run()) for c in conns]

    async def close() -> None:
        await asyncio.gather(*(c.close() for c in conns))
        await asyncio.gather(*tasks, return_exceptions=True)
        await bili.aclose()

    return conns, close


class SeedClient:  # built lazily: the seed is imported only in the seed's client process
    pass


def seed_client_class() -> type:
    """The seed's httpx client plus a websocket layer.

    The seed speaks websocket only through aiohttp or curl_cffi (its httpx client raises),
    neither of which is a dependency here; aiohttp's connector would also stall room 101 (its
    default limit is 100 connections). So ws_* are AioHTTPClient's methods, request_log
    events included, over websockets.asyncio (the library ours uses: the comparison is about
    the clients, not the websocket libraries), and wss:// becomes ws:// for loopback.
    """
    from bilibili_api.clients.HTTPXClient import HTTPXClient
    from bilibili_api.utils.network import BiliWsMsgType, request_log
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    class SeedWsClient(HTTPXClient):  # type: ignore[misc]
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.__wss: dict[int, Any] = {}
            self.__ws_cnt = 0

        async def ws_create(self, url: str = "", params: dict = {}, headers: dict = {}) -> int:  # noqa: B006
            self.__ws_cnt += 1
            # AioHTTPClient stores the socket under self.__ws_cnt read AFTER the await, so
            # rooms connecting at once get each other's sockets; take the number first.
            cnt = self.__ws_cnt
            request_log.dispatch(
                "WS_CREATE",
                "开始 WebSocket 连接",
                {"id": cnt, "url": url, "params": params, "headers": headers},
            )
            if url.startswith("wss://127.0.0.1"):
                url = "ws://" + url[len("wss://") :]
            self.__wss[cnt] = await connect(
                url,
                additional_headers=headers,
                compression=None,  # aiohttp's ws_connect does not offer compression either
                ping_interval=None,  # nor send pings
                max_size=4 * 1024 * 1024,  # aiohttp's max_msg_size
                proxy=None,
            )
            return cnt

        async def ws_recv(self, cnt: int) -> tuple[bytes, Any]:
            try:
                data = await self.__wss[cnt].recv()
                kind = BiliWsMsgType.BINARY if isinstance(data, bytes) else BiliWsMsgType.TEXT
            except ConnectionClosed:
                data, kind = None, BiliWsMsgType.CLOSED
            request_log.dispatch(
                "WS_RECV",
                "收到 WebSocket 数据",
                {"id": cnt, "data": data, "flags": kind.value},
            )
            return data, kind

        async def ws_send(self, cnt: int, data: bytes) -> None:
            request_log.dispatch("WS_SEND", "发送 WebSocket 数据", {"id": cnt, "data": data})
            await self.__wss[cnt].send(data)

        async def ws_close(self, cnt: int) -> None:
            request_log.dispatch("WS_CLOSE", "关闭 WebSocket 请求", {"id": cnt})
            await self.__wss[cnt].close()

    return SeedWsClient


async def run_seed(rooms: int, transport: Any, counter: Counter) -> tuple[Any, Any]:
    import logging

    import httpx

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from bilibili_api import Credential, register_client
    from bilibili_api.live import LiveDanmaku
    from bilibili_api.utils.network import get_client, set_session

    register_client("bench-ws", seed_client_class())
    get_client()
    set_session(httpx.AsyncClient(transport=transport))
    logging.disable(logging.INFO)  # its per-room "connecting"/"connected" lines, not timed
    rooms_: list[Any] = []
    tasks = []
    for room in range(rooms):
        # Anonymous, it stores DedeUserID as the int 0, which its httpx client cannot send
        # as a cookie (its web-heartbeat task dies); the string "0" is the same identity.
        d = LiveDanmaku(1000 + room, credential=Credential(dedeuserid="0"))

        def on_dm(ev: dict[str, Any], room: int = room) -> None:
            counter.notice(room, ev["data"]["info"][1])

        d.on("DANMU_MSG")(on_dm)
        d.on("VERIFICATION_SUCCESSFUL")(lambda ev: counter.authenticated())
        rooms_.append(d)
        tasks.append(asyncio.create_task(d.connect()))

    async def close() -> None:
        for d in rooms_:
            with contextlib.suppress(Exception):
                await d.disconnect()
        await asyncio.wait(tasks, timeout=10)

    return rooms_, close


async def client_main(args: argparse.Namespace) -> None:
    raise_fd_limit(args.rooms)
    _, transport = mock_transport(args.port)
    counter = Counter(args.rooms, args.expect)
    if args.client == "ours":  # import what each needs before the baseline RSS
        import bilibili_sdk.live  # noqa: F401
    else:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import bilibili_api.live  # noqa: F401
    gc.collect()
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    run = run_ours if args.client == "ours" else run_seed
    _, close = await run(args.rooms, transport, counter)
    try:
        await asyncio.wait_for(counter.all_connected.wait(), 120)
    except asyncio.TimeoutError:
        emit("ERROR", error=f"only {counter.connected} of {args.rooms} rooms connected")
        return
    connect_s = time.perf_counter() - t0
    await asyncio.sleep(0.5)  # first heartbeats and replies settle
    gc.collect()
    rss = (rss_bytes() - rss0) / args.rooms
    emit("READY", connect_s=connect_s, rss_per_room=rss)
    c0, w0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(IDLE)
    idle_rate = (time.process_time() - c0) / (time.perf_counter() - w0)
    emit("IDLE", idle_cpu_per_s=idle_rate)
    c1, w1 = time.process_time(), time.perf_counter()
    u1 = resource.getrusage(resource.RUSAGE_SELF)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(counter.done.wait(), args.timeout)
    cpu, wall = time.process_time() - c1, time.perf_counter() - w1
    u2 = resource.getrusage(resource.RUSAGE_SELF)
    user, system = u2.ru_utime - u1.ru_utime, u2.ru_stime - u1.ru_stime
    problem = counter.check()
    delivered = sum(counter.count)
    await close()
    emit(
        "RESULT",
        cpu_s=cpu,
        user_s=user,
        sys_s=system,
        wall_s=wall,
        idle_cpu_per_s=idle_rate,
        delivered=delivered,
        problem=problem,
        connect_s=connect_s,
        rss_per_room=rss,
    )


# --------------------------------------------------------------------------- orchestration
def _read(proc: subprocess.Popen[str], want: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"child exited before {want} (code {proc.poll()})")
        kind, _, data = line.partition(" ")
        if kind == "ERROR":
            raise RuntimeError(json.loads(data)["error"])
        if kind == want:
            result: dict[str, Any] = json.loads(data)
            return result
    raise RuntimeError(f"no {want} within {timeout} s")


def run_case(client: str, rooms: int, notices: int, per_frame: int) -> dict[str, Any]:
    frames = max(1, notices // (rooms * per_frame))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    me = os.path.abspath(__file__)
    server = subprocess.Popen(
        [sys.executable, me, "--serve", "--rooms", str(rooms), "--frames", str(frames),
         "--per-frame", str(per_frame)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    proc = None
    try:
        port = _read(server, "PORT", 120)["port"]
        expect = frames * per_frame
        seconds = rooms * expect / RATE
        proc = subprocess.Popen(
            [sys.executable, me, "--client", client, "--port", str(port), "--rooms", str(rooms),
             "--expect", str(expect), "--timeout", str(seconds * 3 + 30)],
            stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        ready = _read(proc, "READY", 180)
        _read(proc, "IDLE", 60)
        assert server.stdin is not None
        server.stdin.write(f"blast {RATE}\n")
        server.stdin.flush()
        sent = _read(server, "SENT", seconds * 3 + 60)
        result = _read(proc, "RESULT", 120)
        result.update(ready=ready, sent=sent, frames=frames, expect=expect)
        return result
    finally:
        for p in (proc, server):
            if p is None:
                continue
            if p is server and p.stdin is not None and p.poll() is None:
                try:
                    p.stdin.write("quit\n")
                    p.stdin.flush()
                except OSError:
                    pass
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def per_10k(r: dict[str, Any]) -> float:
    """CPU ms per 10,000 notices, the idle rate over the same wall time taken out."""
    busy = r["cpu_s"] - r["idle_cpu_per_s"] * r["wall_s"]
    return max(busy, 0.0) / r["delivered"] * 10_000 * 1000


def main() -> int:
    from _report import ROWS, Row, finish

    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="10 and 100 rooms, fewer notices")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument("--rooms", help="comma-separated room counts (default 10,100,1000)")
    p.add_argument("--per-frame", type=int, default=1, help="notices per frame (default 1)")
    p.add_argument("--notices", type=int, help="notices per run, all rooms together")
    p.add_argument("--repeat", type=int, help="runs of each client per room count (default 5)")
    # internal: the server and client processes
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--client", choices=("ours", "seed"), help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--frames", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--expect", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=float, default=60, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve or args.client:
        args.rooms = int(args.rooms)
    if args.serve:
        serve(args)
        return 0
    if args.client:
        asyncio.run(client_main(args))
        return 0

    rooms = [int(x) for x in args.rooms.split(",")] if args.rooms else (
        [10, 100] if args.quick else [10, 100, 1000]
    )  # fmt: skip
    notices = args.notices or (10_000 if args.quick else 50_000)
    # Five: run-to-run CPU varies by +-12% on a 2-core machine; the best of five of each
    # client estimates its floor more steadily than the best of three.
    repeat = args.repeat or (1 if args.quick else 5)
    started = time.perf_counter()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"mode {'quick' if args.quick else 'full'}; {notices:,} notices per run at "
        f"{RATE:,.0f}/s, {args.per_frame} per frame",
        flush=True,
    )
    failures = []
    runs: dict[str, Any] = {}
    for n in rooms:
        got: dict[str, list[dict[str, Any]]] = {"ours": [], "seed": []}
        for _ in range(repeat):  # interleaved, so drift on the machine hits both alike
            for client in ("ours", "seed"):
                r = run_case(client, n, notices, args.per_frame)
                got[client].append(r)
                runs.setdefault(f"{client}-{n}", []).append(r)
                if r["problem"]:
                    failures.append(f"{client}, {n} rooms: {r['problem']}")
                print(
                    f"  {n} rooms, {client}: connect {r['connect_s']:.2f} s, "
                    f"{r['rss_per_room'] / 1024:.0f} KiB/room, {per_10k(r):.0f} ms CPU/10k "
                    f"notices ({r['delivered']:,} delivered in {r['wall_s']:.1f} s"
                    f"{'; ' + r['problem'] if r['problem'] else ''})",
                    flush=True,
                )
        # The least disturbed run of each: CPU time only grows when the machine is busy.
        o = min(got["ours"], key=per_10k)
        s = min(got["seed"], key=per_10k)
        label = f"{n} rooms"
        pf = f"{args.per_frame} notice{'s' if args.per_frame > 1 else ''}/frame"
        ROWS.append(
            Row(
                "CPU per 10,000 notices",
                f"{label}, {pf}",
                per_10k(o),
                per_10k(s),
                "ms",
                "seed LiveDanmaku",
                target=f"<= {TARGET:.2f}x" if args.per_frame == 1 else "",
                limit=TARGET if args.per_frame == 1 else None,
                note=f"best of {repeat}; CPU (user + sys) / wall ours {o['user_s']:.2f} + "
                f"{o['sys_s']:.2f} / {o['wall_s']:.2f} s, seed {s['user_s']:.2f} + {s['sys_s']:.2f} "
                f"/ {s['wall_s']:.2f} s; idle ours {o['idle_cpu_per_s'] * 1000:.1f}, seed "
                f"{s['idle_cpu_per_s'] * 1000:.1f} ms/s",
            )
        )
        ROWS.append(
            Row("connect", f"{label}, all authenticated", o["connect_s"] * 1000,
                s["connect_s"] * 1000, "ms", "seed LiveDanmaku")
        )  # fmt: skip
        ROWS.append(
            Row("RSS per room", label, o["rss_per_room"] / 1024, s["rss_per_room"] / 1024,
                "KiB", "seed LiveDanmaku")
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    misses = finish(
        args,
        elapsed,
        {"rate": RATE, "notices": notices, "per_frame": args.per_frame, "repeat": repeat},
        {"runs": runs},
    )
    for f in failures:
        print(f"DELIVERY FAILED: {f}")
    return 1 if misses or failures else 0


if __name__ == "__main__":
    sys.exit(main())

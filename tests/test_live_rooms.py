"""Many rooms in one process: every room gets every notice exactly once, in order.

Not a benchmark (benchmarks/bench_live_rooms.py measures); no timing is asserted.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bilibili_sdk import AsyncClient, Client
from bilibili_sdk.live import AsyncLiveConnection, DanmakuMessage, LiveConnection
from bilibili_sdk.testing import MockBilibili, MockLiveServer

ROOMS = 50
# The default 30 s heartbeat: a reconnect would (rightly) lose what was pushed meanwhile.
OPTIONS: dict[str, Any] = {"open_timeout": 10.0}


def dm(i: int) -> dict[str, Any]:
    return {"cmd": "DANMU_MSG", "info": [[0, 1, 25, 16777215, i], f"n{i}", [i, f"u{i}"]]}


@pytest.mark.anyio
async def test_fifty_rooms_each_receive_every_notice_exactly_once() -> None:
    with MockLiveServer() as server:
        mock = server.configure(MockBilibili())
        async with AsyncClient(transport=mock.transport()) as bili:
            got: list[list[str]] = [[] for _ in range(ROOMS)]
            conns = []
            for room in range(ROOMS):
                conn = AsyncLiveConnection(bili, 1000 + room, **OPTIONS)

                def on_dm(ev: DanmakuMessage, room: int = room) -> None:
                    got[room].append(ev.text)

                conn.on("DANMU_MSG")(on_dm)
                conns.append(conn)
            try:
                await asyncio.gather(*(c.open() for c in conns))
                assert server.open_count == ROOMS
                sent: list[str] = []
                k = 0
                for push in range(40):
                    size = 1 + push % 4  # 1 to 4 notices per frame
                    batch = [dm(k + j) for j in range(size)]
                    k += size
                    # plain, zlib and brotli frames
                    protover = (0, 2, 3)[push % 3]
                    n = await asyncio.to_thread(server.push, *batch, protover=protover)
                    assert n == ROOMS
                    sent += [b["info"][1] for b in batch]
                await server.await_until(lambda: all(len(g) >= len(sent) for g in got), 30)
                await asyncio.sleep(0.3)  # anything extra (a duplicate) would arrive by now
            finally:
                await asyncio.gather(*(c.close() for c in conns))
    for room, texts in enumerate(got):
        assert texts == sent, f"room {room}"
    assert all(c.dropped_events == 0 for c in conns)


def test_handler_changes_reach_a_running_connection() -> None:
    """Handlers are looked up once per event name and cached; every change clears that."""
    with Client(transport=MockBilibili().transport()) as bili:
        conn = LiveConnection(bili, 3)
        seen: list[str] = []

        def h(ev: Any) -> None:
            seen.append("h")

        def every(ev: Any) -> None:
            seen.append("all")

        assert conn._targets("DANMU_MSG") == []
        conn.on("DANMU_MSG")(h)
        assert conn._targets("DANMU_MSG") == [h]
        conn.add_event_listener("__ALL__", every)
        assert conn._targets("DANMU_MSG") == [h, every]
        conn.ignore_event("danmu_msg")
        assert conn._targets("DANMU_MSG") == []
        conn.remove_ignore_events()
        assert conn._targets("DANMU_MSG") == [h, every]
        assert conn.remove_event_listener("DANMU_MSG", h)
        assert conn._targets("DANMU_MSG") == [every]
        conn.remove_all_event_listener()
        assert conn._targets("DANMU_MSG") == []


@pytest.mark.anyio
async def test_receiving_costs_no_task_and_no_timer_per_frame() -> None:
    """The receive timeout is one timer per connection, re-armed when a heartbeat is due,
    not a task and a timer per frame (asyncio.wait_for around every recv)."""
    loop = asyncio.get_running_loop()
    tasks = timers = 0
    factory = loop.get_task_factory()
    call_at = loop.call_at

    def counting_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kw: Any) -> Any:
        nonlocal tasks
        tasks += 1
        return factory(loop, coro, **kw) if factory else asyncio.Task(coro, loop=loop, **kw)

    def counting_call_at(when: float, callback: Any, *args: Any, **kw: Any) -> Any:
        nonlocal timers
        if getattr(callback, "__name__", "") != "_set_result_unless_cancelled":  # sleep()
            timers += 1
        return call_at(when, callback, *args, **kw)

    with MockLiveServer() as server:
        mock = server.configure(MockBilibili())
        async with AsyncClient(transport=mock.transport()) as bili:
            got: list[str] = []
            conn = AsyncLiveConnection(bili, 3, **OPTIONS)
            conn.on("DANMU_MSG")(lambda ev: got.append(ev.text))
            async with conn:
                await asyncio.sleep(0.2)  # the first heartbeat and its reply
                loop.set_task_factory(counting_factory)
                loop.call_at = counting_call_at  # type: ignore[method-assign]
                try:
                    for i in range(100):
                        server.push(dm(i), protover=0)
                        await asyncio.sleep(0)  # let the frame in
                    while len(got) < 100:
                        await asyncio.sleep(0.01)
                finally:
                    loop.set_task_factory(factory)
                    del loop.call_at  # back to the class's method
    assert got == [f"n{i}" for i in range(100)]
    assert tasks == 0, f"{tasks} tasks for 100 frames"
    assert timers <= 2, f"{timers} timers for 100 frames"  # a heartbeat may fall due

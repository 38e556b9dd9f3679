"""Every ```python block of README.md runs, as a reader would paste it, against the mocks.

Each block runs on its own (fresh globals), with:
- `bilibili_sdk.Client` / `AsyncClient` replaced by subclasses whose transport defaults to an
  in-process `MockBilibili`, so `with Client() as bili:` needs no change. The mock accepts any
  non-empty SESSDATA and checks csrf against the bili_jct cookie, so the README's
  `Credential(sessdata="...", bili_jct="...")` placeholders work as written. Any request that
  would leave the process fails the block.
- a `MockLiveServer` the mock's room lookups point at, pushing a few danmaku and gifts to every
  connection that authenticates (the README's live loops stop after a few events).
- the working directory in `tmp_path`, for the files the examples write.

A block the test cannot run is marked in the README, right before its fence, with
`<!-- readme-test: skip <reason> -->`.
"""

from __future__ import annotations

import linecache
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import bilibili_sdk
from bilibili_sdk.testing import MockBilibili, MockLiveServer
from bilibili_sdk.testing._mock import placeholder_png

from .conftest import ROOT

README = ROOT / "README.md"
SKIP = re.compile(r"^<!--\s*readme-test:\s*skip\b\s*(?P<reason>.*?)\s*-->$")
QUOTED = {
    'get_info("BV123")': (
        "video: expected a BV id like 'BV1uv411q7Mv' or an av number like 170001, got 'BV123'"
    ),
    "mock.requests[-1].query": "{'bvid': 'BV1uv411q7Mv'}",
}
"""Output the README quotes in comments: a block containing the key must print the value."""
BLOCK_TIMEOUT = 30.0
MAX_SKIPPED = 2


@dataclass(frozen=True)
class Block:
    line: int  # of the first line of code (1-based)
    source: str
    skip: str | None  # the reason, when marked

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def readme_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, with any skip marker right before them."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```python":
            i += 1
            continue
        before = next((s.strip() for s in reversed(lines[:i]) if s.strip()), "")
        marker = SKIP.match(before)
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        source = "\n".join(lines[i + 1 : end]) + "\n"
        blocks.append(Block(i + 2, source, marker.group("reason") if marker else None))
        i = end + 1
    return blocks


BLOCKS = readme_blocks(README.read_text("utf-8"))


def _dm(i: int) -> dict[str, Any]:
    user = [1000 + i, f"观众{i}", 0, 0, 0, 10000, 1, ""]
    return {"cmd": "DANMU_MSG", "info": [[0, 1, 25, 16777215, 1700000000000 + i], f"弹幕{i}", user]}


GIFT = {"cmd": "SEND_GIFT", "data": {"uid": 7, "uname": "送礼的人", "giftName": "小花花", "num": 2}}
LIVE_EVENTS = [_dm(0), GIFT, *(_dm(i) for i in range(1, 12))]
"""More room events than any README loop takes (heartbeat replies count as events too)."""


def _no_network(self: Any, request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a README example tried the network: {request.method} {request.url}")


async def _no_network_async(self: Any, request: httpx.Request) -> httpx.Response:
    _no_network(self, request)
    raise AssertionError  # unreachable


def _route_clients_to(mock: MockBilibili, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Client()` / `AsyncClient()` as imported from bilibili_sdk talk to `mock`."""
    sync_base, async_base = bilibili_sdk.Client, bilibili_sdk.AsyncClient

    class Client(sync_base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("http_client") is None:
                kwargs.setdefault("transport", mock.transport())
            super().__init__(*args, **kwargs)

    class AsyncClient(async_base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("http_client") is None:
                kwargs.setdefault("transport", mock.transport())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(bilibili_sdk, "Client", Client)
    monkeypatch.setattr(bilibili_sdk, "AsyncClient", AsyncClient)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", _no_network)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", _no_network_async)


class _Pusher:
    """Pushes LIVE_EVENTS to each connection that authenticates, until stopped."""

    def __init__(self, live: MockLiveServer) -> None:
        self.live = live
        self.pushed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="readme-pusher", daemon=True)

    def _run(self) -> None:
        seen = 0
        while not self._stop.wait(0.01):
            now = self.live.authenticated_count
            if now > seen:
                sent = self.live.push(*LIVE_EVENTS)
                if sent:  # 0: the connection is not ready for frames yet; try again
                    seen = now
                    self.pushed += sent

    def __enter__(self) -> _Pusher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def run_block(block: Block) -> None:
    """exec the block in fresh globals, in a thread with a deadline; re-raise what it raised.

    Leading blank lines keep README line numbers in tracebacks; linecache gets this padded
    text under README's name so a failure shows the block's code, not Markdown.
    """
    padded = "\n" * (block.line - 1) + block.source
    linecache.cache[str(README)] = (len(padded), None, padded.splitlines(True), str(README))
    code = compile(padded, str(README), "exec")
    failure: list[BaseException] = []

    def target() -> None:
        try:
            exec(code, {"__name__": "__readme__"})
        except BaseException as e:  # handed to the test's thread
            failure.append(e)

    worker = threading.Thread(target=target, name=f"readme-{block.line}", daemon=True)
    worker.start()
    worker.join(BLOCK_TIMEOUT)
    if worker.is_alive():
        pytest.fail(f"{block.id}: still running after {BLOCK_TIMEOUT} s")
    if failure:
        raise failure[0]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[_Pusher]:
    """The mocks and a scratch working directory, for one block (with the files the upload
    examples name, as a reader would have them)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clip.mp4").write_bytes(bytes(range(256)) * 4096)
    (tmp_path / "cover.png").write_bytes(placeholder_png())
    with MockLiveServer() as live:
        _route_clients_to(live.configure(MockBilibili()), monkeypatch)
        with _Pusher(live) as pusher:
            yield pusher


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_block_runs(
    block: Block, sandbox: _Pusher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if block.skip is not None:
        pytest.skip(f"marked in the README: {block.skip}")
    run_block(block)
    out = capsys.readouterr().out
    for name in re.findall(r"""open\(["']([^"']+)["'],\s*["']w""", block.source):
        assert (tmp_path / name).stat().st_size > 0, f"{block.id} wrote an empty {name}"
    for needle, printed in QUOTED.items():
        if needle in block.source:
            assert printed in out, f"{block.id} no longer prints what the README quotes"
    if ".live.connect(" in block.source:
        assert sandbox.pushed >= 1, f"{block.id}: no live connection was made"
        assert "弹幕0" in out  # the first pushed danmaku reached the example's loop


def test_readme_blocks_found() -> None:
    assert len(BLOCKS) >= 10
    assert any("asyncio.run(main())" in b.source for b in BLOCKS)
    for needle in QUOTED:
        assert any(needle in b.source for b in BLOCKS), needle
    skipped = [b for b in BLOCKS if b.skip is not None]
    assert len(skipped) <= MAX_SKIPPED, [b.id for b in skipped]
    assert all(b.skip for b in skipped), "a skip marker needs a reason"


def test_skip_marker_and_line_numbers() -> None:
    text = (
        "# t\n\n```python\nx = 1\n```\n\n"
        "<!-- readme-test: skip needs a real account -->\n\n```python\ny = 2\n```\n"
    )
    first, second = readme_blocks(text)
    assert (first.line, first.source, first.skip) == (4, "x = 1\n", None)
    assert (second.line, second.source, second.skip) == (10, "y = 2\n", "needs a real account")


def test_a_broken_example_fails(sandbox: _Pusher) -> None:
    # What a typo in the README does: the block's own error, with its README line.
    broken = Block(
        20,
        'from bilibili_sdk import Client\n\nwith Client() as bili:\n    bili.video.get_infoo("BV1uv411q7Mv")\n',
        None,
    )
    with pytest.raises(AttributeError, match="get_infoo") as ei:
        run_block(broken)
    assert ei.traceback[-1].path == README and ei.traceback[-1].lineno + 1 == 23

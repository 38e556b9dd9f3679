"""How `bili` prints: JSON for scripts, rich tables and bars on a terminal, plain
tab-separated lines when piped. Results go to stdout, messages and errors to stderr."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

__all__ = ["Output", "ProgressFn"]

ProgressFn = Callable[[int, int], None]

FORCE_TTY: bool | None = None
"""Tests set True to see what a terminal gets (tables, bars); None: ask the streams."""


def _is_tty(stream: Any) -> bool:
    if FORCE_TTY is not None:
        return FORCE_TTY
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("\t", " ").replace("\n", " ")


class Output:
    """The printing side of one command."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json = json_mode
        # Made per command: tests (and CliRunner) swap sys.stdout/sys.stderr.
        self.stdout = sys.stdout
        self.stderr = sys.stderr
        self.tty = _is_tty(self.stdout)
        self.err_tty = _is_tty(self.stderr)
        self.out = Console(file=self.stdout, force_terminal=self.tty or None, highlight=False)
        self.err = Console(file=self.stderr, force_terminal=self.err_tty or None, highlight=False)

    # ---------------------------------------------------------------- stdout
    def emit_json(self, value: Any) -> None:
        """One JSON document (one line) on stdout."""
        self.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
        self.stdout.flush()

    def line(self, text: str) -> None:
        """A plain line on stdout (no markup)."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A rich table on a terminal; tab-separated rows (no header) when piped."""
        if not self.tty:
            for row in rows:
                self.line("\t".join(_cell(v) for v in row))
            return
        table = Table(title=title, title_justify="left")
        for h in headers:
            table.add_column(h, overflow="fold")
        for row in rows:
            table.add_row(*(Text(_cell(v)) for v in row))
        self.out.print(table)

    def fields(self, title: str, pairs: Sequence[tuple[str, Any]]) -> None:
        """Name/value pairs: a two-column table on a terminal, `name<TAB>value` when piped."""
        if not self.tty:
            for k, v in pairs:
                self.line(f"{k}\t{_cell(v)}")
            return
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for k, v in pairs:
            table.add_row(Text(k), Text(_cell(v)))
        self.out.print(table)

    # ---------------------------------------------------------------- stderr
    def say(self, text: str) -> None:
        """A message for the person at the terminal (stderr, no markup)."""
        self.err.print(Text(text), soft_wrap=True)

    def error(self, text: str) -> None:
        style = "bold red" if self.err_tty else ""
        self.err.print(Text(f"error: {text}", style=style), soft_wrap=True)

    @contextlib.contextmanager
    def progress(self, description: str) -> Iterator[ProgressFn]:
        """A `progress(done_bytes, total_bytes)` callback: a transfer bar on a terminal
        (not with --json), nothing otherwise. Safe to call from worker threads."""
        if self.json or not self.err_tty:
            yield lambda done, total: None
            return
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=False,
        )
        task = bar.add_task(description, total=None)
        lock = threading.Lock()

        def update(done: int, total: int) -> None:
            with lock:
                bar.update(task, completed=done, total=total or None)

        with bar:
            yield update

"""What the benchmark scripts share: one result row, the table they print, the JSON they write."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Row:
    section: str
    name: str
    ours: float | None
    other: float | None
    unit: str
    baseline: str  # what `other` is
    target: str = ""  # "<= 0.40x" / ">= 0.90x" / "" (informational)
    limit: float | None = None
    higher_is_better: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.other:
            return None
        return self.ours / self.other

    @property
    def status(self) -> str:
        r = self.ratio
        if self.limit is None or r is None:
            return "info"
        ok = r >= self.limit if self.higher_is_better else r <= self.limit
        return "PASS" if ok else "MISS"


ROWS: list[Row] = []


def add(row: Row) -> Row:
    ROWS.append(row)
    return row


def fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "n/a"
    if unit in ("ms", "us", "ns"):
        return f"{v:,.2f} {unit}" if v < 100 else f"{v:,.1f} {unit}"
    if unit == "MiB":
        return f"{v:.1f} MiB"
    if unit == "x":
        return f"{v:.2f}x"
    if unit == "RT":  # round trips
        return f"{v:.2f} RT"
    return f"{v:,.0f} {unit}"


def print_table() -> None:
    head = ("benchmark", "ours", "comparison", "baseline", "ratio", "target", "result")
    lines = [
        (
            f"{r.section}: {r.name}",
            fmt(r.ours, r.unit),
            fmt(r.other, r.unit),
            r.baseline,
            "n/a" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target or "-",
            r.status,
        )
        for r in ROWS
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    notes = [(r.section, r.name, r.note) for r in ROWS if r.note]
    if notes:
        print()
        for sec, name, note in notes:
            print(f"* {sec}: {name}: {note}")


def results() -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts, with their ratio and status."""
    return [{**asdict(r), "ratio": r.ratio, "status": r.status} for r in ROWS]


def finish(
    args: Any, elapsed: float, meta: dict[str, Any], extra: dict[str, Any] | None = None
) -> int:
    """Print the table and the misses; with `--json`, write every row and the run's facts.

    Returns the number of missed targets.
    """
    import bilibili_sdk

    print()
    print_table()
    for line in (extra or {}).get("hotspots") or []:
        print(line)
    misses = [r for r in ROWS if r.status == "MISS"]
    print(f"\n{len(misses)} target(s) missed; finished in {elapsed:.1f} s")
    if args.json:
        doc = {
            "meta": {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "bilibili_sdk": bilibili_sdk.__version__,
                "seed": "17.4.2",
                "mode": "quick" if args.quick else "full",
                **meta,
                "elapsed_s": elapsed,
                "unix_time": time.time(),
            },
            "results": results(),
            **(extra or {}),
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False, default=str)
        print(f"wrote {args.json}")
    return len(misses)

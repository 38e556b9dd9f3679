"""Draft response models from recorded examples (a development aid, not part of the build).

`python -m codegen draft --url URL --name VideoInfo` prints YAML for `models:` and writes nothing.
Types are unified across examples and list items; a field missing from any sample, or null in
one, is optional. A person then renames nested models and checks the draft.

The recorded examples are the `*.jsonl` files of shared/reference/collect, which lives outside
the repository: `--collect DIR`, else $BILIBILI_COLLECT_DIR, else ../shared/reference/collect
beside the repository.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

ENV_VAR = "BILIBILI_COLLECT_DIR"
DEFAULT_COLLECT = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "collect"


def collect_dir(option: str | None = None) -> Path:
    """Where the recorded examples are: the option, else $BILIBILI_COLLECT_DIR, else beside."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_COLLECT)


def missing_collect(where: Path) -> str | None:
    """Why `where` cannot serve as the collect directory, or None when it can."""
    if not where.is_dir():
        problem = f"{where} does not exist"
    elif not any(where.glob("*.jsonl")):
        problem = f"{where} holds no *.jsonl files"
    else:
        return None
    return (
        f"draft needs the recorded examples of shared/reference/collect (one *.jsonl file per "
        f"area, from bilibili-API-collect), but {problem}; pass --collect DIR or set {ENV_VAR}"
    )


def records(where: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in sorted(where.glob("*.jsonl")):
        with f.open(encoding="utf-8") as lines:
            out.extend(json.loads(line) for line in lines if line.strip())
    return out


def find(where: Path, url: str | None = None, rid: str | None = None) -> list[dict[str, Any]]:
    out = []
    for r in records(where):
        if (rid and r["id"] == rid) or (
            url and any(u.split("?")[0] == url.split("?")[0] for u in r["urls"])
        ):
            out.append(r)
    return out


def _cap(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+|_", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name + "Item"


class Drafter:
    def __init__(self) -> None:
        self.models: dict[str, dict[str, tuple[str, bool]]] = {}

    def type_of(self, values: list[Any], name: str) -> tuple[str, bool]:
        """Type expression for the given samples, and whether a None was seen."""
        nullable = any(v is None for v in values)
        vals = [v for v in values if v is not None]
        if not vals:
            return "Any", True
        kinds = {type(v) for v in vals}
        if kinds == {bool}:
            return "bool", nullable
        if kinds <= {int}:
            return "int", nullable
        if kinds <= {int, float}:
            return "float", nullable
        if kinds == {str}:
            return "str", nullable
        if kinds == {list}:
            items = [x for v in vals for x in v]
            if not items:
                return "list[Any]", nullable
            t, _ = self.type_of(items, _singular(name))
            return f"list[{t}]", nullable
        if kinds == {dict}:
            keys_ok = all(all(re.fullmatch(r"-?\d+", k) for k in v) for v in vals if v) and any(
                v for v in vals
            )
            if keys_ok:  # maps keyed by ids
                inner = [x for v in vals for x in v.values()]
                t, _ = self.type_of(inner, name + "Entry")
                return f"dict[str, {t}]", nullable
            return self.model(vals, name), nullable
        if kinds <= {int, str}:
            return "int | str", nullable
        return "Any", nullable

    def model(self, objs: list[dict[str, Any]], name: str) -> str:
        mname = _cap(name)
        base = mname
        i = 2
        while mname in self.models:
            mname = f"{base}{i}"
            i += 1
        self.models[mname] = {}
        keys: list[str] = []
        for o in objs:
            for k in o:
                if k not in keys:
                    keys.append(k)
        fields: dict[str, tuple[str, bool]] = {}
        for k in keys:
            present = [o[k] for o in objs if k in o]
            t, nullable = self.type_of(present, base + _cap(k))
            optional = nullable or len(present) < len(objs) or t == "Any"
            fields[k] = (t, optional)
        self.models[mname] = fields
        return mname

    def yaml(self) -> str:
        lines = []
        for m, fields in self.models.items():
            lines.append(f"  {m}:")
            lines.append("    fields:")
            for k, (t, opt) in fields.items():
                key = k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else json.dumps(k)
                lines.append(f'      {key}: "{t}{"?" if opt else ""}"')
        return "\n".join(lines)


def draft(payloads: list[Any], name: str) -> str:
    d = Drafter()
    t, _ = d.type_of(payloads, name)
    head = f"# response: {t}\n"
    return head + d.yaml()

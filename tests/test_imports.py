"""The package's module-level imports form no cycle, and a first call loads few models."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PKG = SRC / "bilibili_sdk"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(path: Path) -> set[str]:
    """bilibili_sdk modules a module imports when it is executed (not in functions, not
    under TYPE_CHECKING)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name.startswith("bilibili_sdk"))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if not mod.startswith("bilibili_sdk"):
                    continue
                out.add(mod)
                for a in node.names:  # `from . import _calls` imports a submodule
                    if (
                        (PKG.parent / (mod + "." + a.name).replace(".", "/"))
                        .with_suffix(".py")
                        .exists()
                    ):
                        out.add(f"{mod}.{a.name}")

    visit(tree.body)
    return out


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for p in PKG.rglob("*.py"):
        name = _module_name(p)
        deps: set[str] = set()
        for d in _runtime_imports(p):
            # Importing a submodule first runs its packages, unless they are already
            # running because the importer lives inside them.
            deps |= ({d} | _ancestors(d)) - _ancestors(name) - {name}
        graph[name] = deps
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for d in sorted(graph.get(node, ())):
            if state.get(d) == 1:
                cycle = [*stack[stack.index(d) :], d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in state:
                walk(d)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)
    assert len(graph) > 150


FIRST_CALL = """
import json, sys
import httpx
from bilibili_sdk import Client

body = json.load(open(sys.argv[1], encoding="utf-8"))[0]["body"]


def answer(request):
    if request.url.path.endswith("/view"):
        return httpx.Response(200, json=body)
    return httpx.Response(200, json={"code": 0, "data": {}})


Client(transport=httpx.MockTransport(answer)).video.get_info("BV1uv411q7Mv")
print(sorted(m for m in sys.modules if m.startswith("bilibili_sdk.models.")))
"""


def test_first_call_builds_only_what_it_returns() -> None:
    """`video.get_info` loads VideoInfo's model modules, not the namespace's other models."""
    example = PKG.parent.parent / "api_spec" / "examples" / "video" / "get_info.json"
    out = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, str(example)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(SRC)},
    ).stdout
    loaded = ast.literal_eval(out)
    assert "bilibili_sdk.models.video._video_info" in loaded
    assert not any(
        m.startswith(("bilibili_sdk.models.user", "bilibili_sdk.models.live")) for m in loaded
    )
    modules = [m for m in loaded if m.count(".") == 3 and not m.endswith("._enums")]
    assert len(modules) <= 10, modules

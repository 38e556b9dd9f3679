"""Sessions: lint, typecheck, codegen, codegen_check, tests, tests_eager, bench, mutation, and ci
(all checks but mutation and bench).

`ci` runs in the current environment (`pip install -e ".[dev]"` first), which is what the
README's test command and `.ci/run` use; the others do the same, so they are quick to repeat.
`mutation` needs `pip install -e ".[dev,mutation]"`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["ci"]


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", "src", "codegen", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "codegen", "tests", "benchmarks", "noxfile.py")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    session.run("mypy")
    # What a user's type checker sees: exact types for present values, typed raw responses.
    session.run("mypy", "--strict", "tests/typing/usage.py")


@nox.session(python=False)
def codegen(session: nox.Session) -> None:
    session.run("python", "-m", "codegen")


@nox.session(python=False)
def codegen_check(session: nox.Session) -> None:
    session.run("python", "-m", "codegen", "check")


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    session.run("python", "-m", "pytest", "-q", *session.posargs)


@nox.session(python=False)
def tests_eager(session: nox.Session) -> None:
    """The suite once more with every lazy name resolved and every model built up front."""
    session.run(
        "python", "-m", "pytest", "-x", "-q", *session.posargs, env={"BILIBILI_SDK_EAGER": "1"}
    )


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    session.run("python", "benchmarks/bench_all.py", *session.posargs)
    common = [a for a in session.posargs if a == "--quick"]
    session.run("python", "benchmarks/bench_danmaku.py", *common)
    session.run("python", "benchmarks/bench_live.py", *common)
    session.run("python", "benchmarks/bench_first_call.py", *common)
    session.run("python", "benchmarks/bench_cold_start.py", *common)
    session.run("python", "benchmarks/bench_download.py", *common)
    session.run("python", "benchmarks/bench_upload.py", *common)
    # Many rooms at once: always quick here (the full run takes several minutes).
    session.run("python", "benchmarks/bench_live_rooms.py", "--quick")


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """Everything CI checks, in order: cheap first."""
    lint(session)
    typecheck(session)
    codegen_check(session)
    tests(session)
    tests_eager(session)


# Mutation testing (mutmut) of the code whose mistakes the suite must catch: the request flow,
# WBI signing, the live session and the danmaku decoder. Each target mutates one module and
# runs a targeted, fast selection of tests (mutmut then runs, per mutant, only the selected
# tests that reach the mutated function). A whole run takes tens of minutes on 2 cores; one
# target, a few. Not part of `ci`.
#
#   nox -s mutation                    every target
#   nox -s mutation -- wbi auth        some targets
#
# Work happens in .mutation/<target>/ (a copy of the tree; mutmut's cache stays there until
# the next run of that target); .mutation/summary.json collects the figures. Survivors:
# `cd .mutation/<target> && mutmut results` and `mutmut show <name>`.
MUTATION_TARGETS: dict[str, tuple[str, list[str]]] = {
    "base_client": (
        "src/bilibili_sdk/_base_client.py",
        [
            "tests/test_runtime.py",
            "tests/test_retries.py",
            "tests/test_envelope.py",
            "tests/test_defaults.py",
            "tests/test_options.py",
            "tests/test_pagination.py",
            "tests/test_call_surface.py",
        ],
    ),
    "client": (
        "src/bilibili_sdk/_client.py",
        [
            "tests/test_runtime.py",
            "tests/test_retries.py",
            "tests/test_envelope.py",
            "tests/test_defaults.py",
            "tests/test_options.py",
            "tests/test_pagination.py",
            "tests/test_call_surface.py",
            "tests/test_auth_state.py",
        ],
    ),
    "auth": (
        "src/bilibili_sdk/_auth.py",
        [
            "tests/test_runtime.py",
            "tests/test_defaults.py",
            "tests/test_options.py",
            "tests/test_mock_wbi.py",
            "tests/test_auth_state.py",
            "tests/test_catalogue.py::test_sync_request_shape",
        ],
    ),
    "wbi": (
        "src/bilibili_sdk/wbi.py",
        [
            "tests/test_wbi.py",
            "tests/test_mock_wbi.py",
            "tests/test_parity.py::test_wbi_mixin_key_matches_seed",
            "tests/test_parity.py::test_wbi_signature_matches_seed",
        ],
    ),
    "live_session": (
        "src/bilibili_sdk/live/_session.py",
        [
            "tests/test_live_protocol.py",
            "tests/test_live_session_events.py",
            "tests/test_live_ws.py",
            "tests/test_defaults.py",
        ],
    ),
    "danmaku_segment": (
        "src/bilibili_sdk/danmaku/_segment.py",
        [
            "tests/test_danmaku.py",
            "tests/test_danmaku_edges.py",
            "tests/test_danmaku_differential.py",
            "tests/test_video_danmaku.py",
            "tests/test_protobuf.py",
        ],
    ),
    "danmaku_xml": (
        "src/bilibili_sdk/danmaku/_xml.py",
        [
            "tests/test_danmaku_xml.py",
            "tests/test_danmaku.py",
            "tests/test_danmaku_differential.py",
            "tests/test_video_danmaku.py",
        ],
    ),
    "protobuf": (
        "src/bilibili_sdk/_protobuf.py",
        [
            "tests/test_protobuf.py",
            "tests/test_danmaku.py",
            "tests/test_live_protocol.py",
            "tests/test_video_danmaku.py",
        ],
    ),
}


def _mutmut_config(module: str, tests: list[str]) -> str:
    lines = [
        "[mutmut]",
        "source_paths=src",
        f"only_mutate={module}",
        "also_copy=",
        "    codegen",
        "    api_spec",
        "pytest_add_cli_args=",
        *(f"    {a}" for a in ("-p", "no:randomly", "-p", "no:cacheprovider")),
        "pytest_add_cli_args_test_selection=",
        *(f"    {t}" for t in tests),
    ]
    return "\n".join(lines) + "\n"


@nox.session(python=False)
def mutation(session: nox.Session) -> None:
    """Mutation testing of the request flow, WBI, the live session and the danmaku decoder."""
    if shutil.which("mutmut") is None:
        session.error('mutmut is not installed: pip install -e ".[dev,mutation]"')
    names = list(session.posargs) or list(MUTATION_TARGETS)
    unknown = sorted(set(names) - set(MUTATION_TARGETS))
    if unknown:
        session.error(f"unknown targets {unknown}; known: {', '.join(MUTATION_TARGETS)}")
    root = Path(__file__).resolve().parent
    work = root / ".mutation"
    summary_path = work / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    for name in names:
        module, tests = MUTATION_TARGETS[name]
        where = work / name
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in ("src", "tests", "codegen", "api_spec"):
            shutil.copytree(root / part, where / part, ignore=ignore)
        shutil.copy2(root / "pyproject.toml", where / "pyproject.toml")
        (where / "setup.cfg").write_text(_mutmut_config(module, tests))
        with session.chdir(where):
            session.run("mutmut", "run", "--max-children", str(os.cpu_count() or 2), env=env)
            session.run("mutmut", "export-cicd-stats", env=env, silent=True)
        stats = json.loads((where / "mutants" / "mutmut-cicd-stats.json").read_text())
        total = stats["total"] or 1
        stats["surviving_percent"] = round(100 * (stats["survived"] + stats["no_tests"]) / total, 1)
        summary[name] = {"module": module, **stats}
        summary_path.write_text(json.dumps(summary, indent=2) + "\n")
        session.log(
            f"{name} ({module}): {stats['killed']} killed, {stats['survived']} survived, "
            f"{stats['no_tests']} without tests, {stats['timeout']} timeouts of {stats['total']} "
            f"= {stats['surviving_percent']}% surviving"
        )

"""Sessions: lint, typecheck, codegen, codegen_check, tests, tests_eager, bench, and ci (all checks).

`ci` runs in the current environment (`pip install -e ".[dev]"` first), which is what the
README's test command and `.ci/run` use; the others do the same, so they are quick to repeat.
"""

from __future__ import annotations

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

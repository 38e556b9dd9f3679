"""The interactive-video evaluator (`bilibili_sdk.interactive`): the API's conditions and
actions, evaluated with JavaScript's meaning and never with `eval`.

The oracle is a real JavaScript engine (QuickJS, the `quickjs` package): hypothesis builds
expressions from the API's grammar and both must agree, value and kind (bool or number).
Hostile text must raise `ArgsException` and nothing else.
"""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilibili_sdk import ArgsException
from bilibili_sdk.interactive import MAX_DEPTH, condition_holds, evaluate, run_action

quickjs = pytest.importorskip("quickjs", reason="the JavaScript oracle (quickjs) is not installed")

VARS = {"$a": 3, "$b": 1, "$c": 0, "$d": 2.5, "$neg": -4, "$H7g_64_PG2EVS": 42}


def js(expr: str, variables: dict[str, Any]) -> Any:
    ctx = quickjs.Context()
    for name, value in variables.items():
        ctx.eval(f"var {name} = {value!r};")
    return ctx.eval(expr)


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return type(ours) is bool and type(theirs) is bool and ours == theirs
    if isinstance(theirs, float) and not math.isfinite(theirs):
        return False
    return math.isclose(float(ours), float(theirs), rel_tol=1e-12, abs_tol=1e-12)


# ------------------------------------------------------------------ the documented shapes


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("$a>=3&&$b==1", True),
        ("$a>=3&&$b==2", False),
        ("!($b==1)||$a<3", False),
        ("!($b==2)||$a<3", True),
        ("$a > 2 && ($b + $c) * 2 == 2", True),
        ("", True),  # no condition
        ("   ", True),
        ("$d*2==5", True),
        ("$neg%3==-1", True),  # the dividend's sign, as in JavaScript
        ("!$a==1", False),  # JavaScript: (!$a)==1, i.e. false==1
        ("!$c==1", True),
        ("1<2<3", True),  # (1<2)<3: true counts as 1
        ("3>2>1", False),
        # recorded from a real interactive video (collect video/interact_video#2)
        ("$H7g_64_PG2EVS>=1.00 && $H7g_64_PG2EVS<=80.00", True),
        ("$H7g_64_PG2EVS>=81.00 && $H7g_64_PG2EVS<=100.00", False),
    ],
)
def test_conditions(expr: str, expected: bool) -> None:
    assert condition_holds(expr, VARS) is expected
    if expr.strip():
        assert bool(js(expr, VARS)) is expected  # the oracle agrees with the table


def test_actions_run_in_order_on_a_copy() -> None:
    before = dict(VARS)
    after = run_action("$a=$a+1;$c=$b*2;$b=$a*10", VARS)
    assert after == {**VARS, "$a": 4, "$c": 2, "$b": 40}
    assert before == VARS  # the input is untouched
    assert run_action("", VARS) == VARS
    assert run_action("$a=1;", VARS)["$a"] == 1  # a trailing `;`
    assert run_action("$a=$d/2", VARS)["$a"] == 1.25
    assert run_action("$a=$b>0", VARS)["$a"] == 1  # true is stored as 1


def test_a_failing_action_changes_nothing() -> None:
    state = dict(VARS)
    with pytest.raises(ArgsException, match="unknown variable \\$zz"):
        run_action("$a=100;$zz=1", state)
    assert state == VARS
    with pytest.raises(ArgsException, match="division by zero"):
        run_action("$a=5;$b=$a/$c", state)
    assert state == VARS


@pytest.mark.parametrize(
    "expr",
    [
        '__import__("os").system("echo pwned")',
        "$a.__class__",
        "eval('1')",
        "open('/etc/passwd')",
        "lambda: 1",
        "[1, 2]",
        "'text'",
        '"text"',
        "1e5",
        "0x10",
        "１",  # a full-width digit
        "$a=1",  # an assignment is not a condition
        "$a==",
        "(1",
        "1)",
        "$zz>1",
        "$a $b",
        "&&",
        "1/0",
        "$a%$c",
        "9" * 33,
        "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 1) + "1",
        "!" * (MAX_DEPTH + 1) + "1",
        "1+" * 6000 + "1",  # over MAX_LENGTH
        "$a\x00",
    ],
)
def test_hostile_conditions_raise_args_exception(expr: str) -> None:
    with pytest.raises(ArgsException) as ei:
        condition_holds(expr, VARS)
    assert ei.value.argument == "expr"


@pytest.mark.parametrize("expr", ["1", "$a", "$a+1", "=1", "$a=1=2", "$a==1;"])
def test_bad_actions_raise(expr: str) -> None:
    with pytest.raises(ArgsException):
        run_action(expr, VARS)


def test_bad_variables_raise() -> None:
    for variables in ({"$a": True}, {"$a": "3"}, {"$a": math.nan}, {"$a": math.inf}):
        with pytest.raises(ArgsException, match="variable \\$a"):
            condition_holds("$a>1", variables)
    with pytest.raises(ArgsException, match="variables"):
        condition_holds("1>0", [1])  # type: ignore[arg-type]
    with pytest.raises(ArgsException, match="expected a string"):
        condition_holds(1, VARS)  # type: ignore[arg-type]


# ------------------------------------------------------------------ differential fuzz

_names = st.sampled_from(sorted(VARS))
_numbers = st.one_of(
    st.integers(0, 1000).map(str),
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]}"),
)
_atoms = st.one_of(_names, _numbers)
_binary = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||"])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, _binary, inner).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
        st.tuples(inner, _binary, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"!{e}"),
        inner.map(lambda e: f"-{e}"),
    )


_expressions = st.recursive(_atoms, _extend, max_leaves=12)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions)
def test_agrees_with_javascript(expr: str) -> None:
    # `--` is JavaScript's decrement operator (the API never writes it): space it out
    expr = re.sub(r"-(?=-)", "- ", expr)
    theirs = js(expr, VARS)
    try:
        ours = evaluate(expr, VARS)
    except ArgsException as e:
        # our one difference: no Infinity/NaN (division by zero somewhere)
        assert "division by zero" in str(e) or "not finite" in str(e), (expr, str(e))
        return
    assert same(ours, theirs), f"{expr!r}: ours {ours!r}, JavaScript {theirs!r}"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("$ab01.()!&|=<>+-*/%; _x'\"[]e")), max_size=40))
def test_any_text_gives_a_value_or_args_exception(text: str) -> None:
    for run in (lambda: condition_holds(text, VARS), lambda: run_action(text, VARS)):
        with contextlib.suppress(ArgsException):
            run()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_unicode_gives_a_value_or_args_exception(text: str) -> None:
    with contextlib.suppress(ArgsException):
        condition_holds(text, VARS)

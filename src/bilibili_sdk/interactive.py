"""Interactive videos (互动视频): their conditions and actions, evaluated without `eval`.

An interactive video's choices carry conditions such as `$a>=3&&$b==1` and actions such as
`$a=$a+1;$c=$b*2`, written over the video's hidden variables (named `$...` by the API).
These strings come from the server; the seed library runs them through Python's `eval`,
which lets a hostile server run code. Here a small parser accepts only what the API uses:
numbers, known variables, `+ - * / %`, comparisons, `&& || !`, parentheses, and (in actions)
assignments separated by `;`. Anything else raises `ArgsException`, and nothing runs.

Everything follows the JavaScript the web player runs them in: its operator precedence
(`!$a==1` is `(!$a)==1`), true/false counting as 1/0, `&&`/`||` giving an operand, `/`
dividing as floats and `%` keeping the dividend's sign. One difference: dividing by zero
raises `ArgsException` instead of giving Infinity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ._exceptions import ArgsException

__all__ = ["condition_holds", "run_action", "evaluate"]

Number = int | float
Value = int | float | bool

MAX_LENGTH = 10_000
"""Longer expressions are refused (the API's are a few dozen characters)."""
MAX_DEPTH = 64
"""Deeper nesting (parentheses, `!`, unary minus) is refused, so parsing never recurses far."""

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)|(?P<var>\$[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/%<>!()=;]))",
    re.ASCII,  # no full-width digits or other Unicode look-alikes
)
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    """Recursive descent over the tokens; evaluates as it parses (no tree is kept)."""

    def __init__(self, text: str, variables: Mapping[str, Number], argument: str) -> None:
        self.argument = argument
        self.variables = variables
        self.tokens = self._tokenise(text)
        self.pos = 0
        self.depth = 0

    # -------------------------------------------------------------- tokens
    def _tokenise(self, text: str) -> list[tuple[str, str]]:
        if not isinstance(text, str):
            raise ArgsException(
                f"{self.argument}: expected a string, got {type(text).__name__}",
                argument=self.argument,
            )
        if len(text) > MAX_LENGTH:
            raise self._error(f"longer than {MAX_LENGTH} characters")
        tokens: list[tuple[str, str]] = []
        pos, end = 0, len(text.rstrip())
        while pos < end:
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise self._error(f"unexpected {text[pos:].lstrip()[:20]!r}")
            kind = m.lastgroup
            assert kind is not None
            tokens.append((kind, m.group(kind)))
            pos = m.end()
        return tokens

    def _error(self, why: str) -> ArgsException:
        return ArgsException(f"{self.argument}: {why}", argument=self.argument)

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise self._error("ends too early" + (f" (expected {expected!r})" if expected else ""))
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise self._error(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    # -------------------------------------------------------------- grammar
    # JavaScript's precedence, lowest first: || , && , == != , < <= > >= , + - , * / % ,
    # unary ! - + ; operators of one level group to the left.
    def expression(self) -> Value:
        value = self.conjunction()
        while self.peek() == "||":
            self.take()
            right = self.conjunction()  # always parsed, so a bad right side is reported
            value = value if value else right  # JS: the first truthy operand
        return value

    def conjunction(self) -> Value:
        value = self.equality()
        while self.peek() == "&&":
            self.take()
            right = self.equality()
            value = right if value else value  # JS: the first falsy operand
        return value

    def equality(self) -> Value:
        value = self.relational()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            a, b = _num(value), _num(self.relational())
            value = a == b if op == "==" else a != b
        return value

    def relational(self) -> Value:
        value = self.additive()
        while self.peek() in ("<", "<=", ">", ">="):
            op = self.take()[1]
            a, b = _num(value), _num(self.additive())
            value = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return value

    def additive(self) -> Value:
        value = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            a, b = _num(value), _num(self.multiplicative())
            value = _js(a + b if op == "+" else a - b)
        return value

    def multiplicative(self) -> Value:
        value = self.unary()
        while self.peek() in ("*", "/", "%"):
            op = self.take()[1]
            a, b = _num(value), _num(self.unary())
            if op == "*":
                value = _js(a * b)
            elif b == 0:
                raise self._error("division by zero")
            elif op == "/":
                value = _tidy(a / b)
            else:
                value = _tidy(math.fmod(a, b))  # the sign of the dividend, as in JS
        return value

    def unary(self) -> Value:
        op = self.peek()
        if op in ("!", "-", "+"):
            self.take()
            with _Deeper(self):
                value = self.unary()
            if op == "!":
                return not value
            n = _num(value)
            return _js(-n) if op == "-" else n
        return self.primary()

    def primary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            if len(text) > 32:
                raise self._error(f"number too long: {text[:20]}...")
            return _tidy(float(text)) if "." in text else int(text)
        if kind == "var":
            if text not in self.variables:
                raise self._error(f"unknown variable {text}")
            return self._variable(text)
        if text == "(":
            with _Deeper(self):
                value = self.expression()
            self.take(")")
            return value
        raise self._error(f"unexpected {text!r}")

    # -------------------------------------------------------------- values
    def _variable(self, name: str) -> Number:
        value = self.variables[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._error(f"variable {name} is not a number: {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self._error(f"variable {name} is not finite")
        return value


def _num(value: Value) -> Number:
    """JavaScript's ToNumber on our values: true is 1, false is 0."""
    return int(value) if isinstance(value, bool) else value


class _Deeper:
    def __init__(self, parser: _Parser) -> None:
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise self.parser._error(f"nested deeper than {MAX_DEPTH} levels")

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


def _tidy(value: float) -> Number:
    """A float result that is a whole number becomes an int (JS has one number type)."""
    if not math.isfinite(value):
        raise ArgsException("expr: the result is not finite", argument="expr")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _js(value: Number) -> Number:
    """Past 2**53 a JavaScript number is a float: so here, which also bounds the work."""
    if isinstance(value, int) and abs(value) > 2**53:
        value = float(value)
    if isinstance(value, float):
        return _tidy(value)
    return value


def _check_variables(variables: Mapping[str, Number], argument: str) -> None:
    if not isinstance(variables, Mapping):
        raise ArgsException(
            f"{argument}: expected a mapping of '$name' to numbers, got {type(variables).__name__}",
            argument=argument,
        )


def evaluate(expr: str, variables: Mapping[str, Number]) -> Value:
    """The value of one expression (a number, or a bool for comparisons and `&& || !`).

    Args:
        expr: the expression, as the API writes it (`$a*2+1`, `$a>=3&&$b==1`).
        variables: the current values, keyed as the API names them (`"$a"`).
    """
    _check_variables(variables, "variables")
    parser = _Parser(expr, variables, "expr")
    if parser.done():
        raise parser._error("is empty")
    value = parser.expression()
    if not parser.done():
        raise parser._error(f"unexpected {parser.peek()!r}")
    return value


def condition_holds(expr: str, variables: Mapping[str, Number]) -> bool:
    """Whether a choice's condition holds; an empty condition always does.

    Args:
        expr: the condition (`$a>=3&&$b==1`, `!($b==1)||$a<3`); "" means none.
        variables: the current values, keyed as the API names them (`"$a"`).

    Raises:
        ArgsException: the condition is not one the API writes (unknown variable, a call,
            an attribute, a string...): nothing is evaluated.
    """
    if isinstance(expr, str) and not expr.strip():
        return True
    return bool(evaluate(expr, variables))


def run_action(expr: str, variables: Mapping[str, Number]) -> dict[str, Number]:
    """The variables after a choice's native action (`$a=$a+1;$c=$b*2`), in a new dict.

    Statements run in order, each seeing the ones before; the input mapping is not changed,
    and a bad statement anywhere raises before any assignment is kept.

    Args:
        expr: the action: assignments `$name=expression` separated by `;` ("" for none).
        variables: the current values, keyed as the API names them (`"$a"`); an action may
            only assign variables that exist there.
    """
    _check_variables(variables, "variables")
    state: dict[str, Number] = dict(variables)
    parser = _Parser(expr, state, "expr")
    while not parser.done():
        if parser.peek() == ";":
            parser.take()
            continue
        kind, name = parser.take()
        if kind != "var":
            raise parser._error(f"expected an assignment like $a=1, found {name!r}")
        if name not in state:
            raise parser._error(f"unknown variable {name}")
        parser.take("=")
        state[name] = _num(parser.expression())
        if not parser.done():
            parser.take(";")
    return state

"""Do the response models survive the drift Bilibili is known for?

Bilibili drops a key when its value is empty and sends `null` for an empty list or object
(STYLE.md, Models). Starting from every real recorded success response of an implemented JSON
endpoint (`tests/fixtures/collect`, mapped as in the catalogue test), each one-change variant
is validated with the endpoint's model, the way the client validates:

* drop: one key whose value is empty (0, 0.0, "", False, None, [], {}) is removed, anywhere;
* null: one `[]` or `{}` anywhere (the payload itself included) becomes `null`.

Failures are grouped by (endpoint, field path with list indices as `[]`, kind), worst first,
so the summary says which spec fields to make lenient. Run with `-s` to see the figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from codegen.loader import load
from pydantic import BaseModel, BeforeValidator, ValidationError

from bilibili_sdk._base_client import _empty, _validator

from ._corpus import belongs, expected_type, payload_of, recorded

MIN_VARIANTS_OK = 0.99
MIN_REAL_OK = 0.98
# Per response, at most this many variants, evenly spaced over the tree. The largest recording
# today has about 1,300 change sites, so every variant is made (about 3,200 in 2-3 s); the cap
# only keeps a much longer recording from slowing the suite down.
MAX_VARIANTS = 2000
TOP = 15

Loc = tuple[str | int, ...]
Validate = Callable[[Any], Any]


# ---------------------------------------------------------------- the variants


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (bool, int, float, str, list, dict)) and not value)


def sites(node: Any, path: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Where one change can be made: (path, "drop") for a key with an empty value,
    (path, "null") for an empty list or object; depth first, in document order."""
    if isinstance(node, (list, dict)) and not node:
        yield path, "null"
    if isinstance(node, dict):
        for key, value in node.items():
            if _is_empty(value):
                yield (*path, key), "drop"
            yield from sites(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from sites(value, (*path, i))


def apply(node: Any, path: Loc, kind: str) -> Any:
    """A copy of `node` with one change at `path`; only the containers on the path are copied."""
    if not path:
        assert kind == "null"
        return None
    head, rest = path[0], path[1:]
    new = dict(node) if isinstance(node, dict) else list(node)
    if rest:
        new[head] = apply(node[head], rest, kind)  # type: ignore[index]
    elif kind == "drop":
        del new[head]  # type: ignore[arg-type]
    else:
        new[head] = None  # type: ignore[index]
    return new


def variants(payload: Any, limit: int | None = None) -> Iterator[tuple[Loc, str, Any]]:
    """Every one-change variant of `payload` as (path, kind, variant); with `limit`, at most
    that many, evenly spaced."""
    found = list(sites(payload))
    if limit is not None and len(found) > limit:
        found = [found[i * len(found) // limit] for i in range(limit)]
    for path, kind in found:
        yield path, kind, apply(payload, path, kind)


def shape(path: Loc) -> str:
    """`data.list[].owner.face`: keys joined by dots, every list index shown as `[]`."""
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "<root>"


# ---------------------------------------------------------------- the measurement


@dataclass
class Report:
    variants: int = 0
    variants_failed: int = 0
    real: int = 0
    real_failed: list[str] = field(default_factory=list)
    groups: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    first_error: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def variants_ok(self) -> float:
        return 1 - self.variants_failed / self.variants if self.variants else 1.0

    def real_ok(self) -> float:
        return 1 - len(self.real_failed) / self.real if self.real else 1.0

    def summary(self, top: int = TOP) -> str:
        lines = [
            f"variants: {self.variants} validated, {self.variants_failed} failed "
            f"({self.variants_ok():.2%} ok; need {MIN_VARIANTS_OK:.0%})",
            f"real responses: {self.real} validated, {len(self.real_failed)} failed "
            f"({self.real_ok():.2%} ok; need {MIN_REAL_OK:.0%})",
        ]
        if self.groups:
            lines.append(
                f"worst {min(top, len(self.groups))} of {len(self.groups)} failing "
                "(endpoint, path, kind) groups:"
            )
            for key, n in self.groups.most_common(top):
                lines.append(f"  {n:4d}  {key[0]}  {key[1]}  {key[2]}  ({self.first_error[key]})")
            by_endpoint: Counter[str] = Counter()
            for key, n in self.groups.items():
                by_endpoint[key[0]] += n
            worst = ", ".join(f"{ep} {n}" for ep, n in by_endpoint.most_common(top))
            lines.append(f"failed variants by endpoint ({len(by_endpoint)} endpoints): {worst}")
        lines += [f"  real: {x}" for x in self.real_failed[:top]]
        return "\n".join(lines)


def _error(e: ValidationError) -> str:
    err = e.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "<root>"
    return f"{loc}: {err['type']}"


def measure(cases: list[tuple[str, Validate, Any]], limit: int | None = MAX_VARIANTS) -> Report:
    """Validate each (label, validate, payload) as recorded, then each of its variants."""
    report = Report()
    for label, validate, payload in cases:
        report.real += 1
        try:
            validate(payload)
        except ValidationError as e:
            report.real_failed.append(f"{label}: {_error(e)}")
        for path, kind, variant in variants(payload, limit):
            report.variants += 1
            try:
                validate(variant)
            except ValidationError as e:
                report.variants_failed += 1
                key = (label.split("[", 1)[0], shape(path), kind)
                report.groups[key] += 1
                report.first_error.setdefault(key, _error(e))
    return report


RECORDED = recorded(load().endpoints())


def corpus_cases() -> list[tuple[str, Validate, Any]]:
    """(endpoint[record id], the client's validator, payload) for every recorded success of
    an implemented JSON endpoint with a typed response."""
    cases = []
    for ep, rid, body in RECORDED:
        model = expected_type(ep).model
        if ep.decode or model is None or model is Any or not belongs(ep, rid):
            continue
        cases.append((f"{ep.namespace}.{ep.name}[{rid}]", _lenient(model), payload_of(ep, body)))
    return cases


def _lenient(model: Any) -> Validate:
    """Validate as a lenient client does: a null payload stands for an empty result."""
    validate = _validator(model)
    empty = _empty(model)

    def run(payload: Any) -> Any:
        return validate(empty if payload is None else payload)

    return run


@cache
def corpus_report() -> Report:
    report = measure(corpus_cases())
    print(f"\n{report.summary()}")
    return report


def test_recorded_responses_parse() -> None:
    report = corpus_report()
    assert report.real >= 40
    ok = report.real_ok()
    assert ok >= MIN_REAL_OK, report.summary()


def test_models_survive_drift() -> None:
    report = corpus_report()
    assert report.variants >= 1000
    ok = report.variants_ok()
    assert ok >= MIN_VARIANTS_OK, report.summary()


# ---------------------------------------------------------------- the machinery itself


def test_variants_of_a_toy_payload() -> None:
    payload = {"a": [], "b": {"c": 0}}
    got = [(path, kind, v) for path, kind, v in variants(payload)]
    assert got == [
        (("a",), "drop", {"b": {"c": 0}}),
        (("a",), "null", {"a": None, "b": {"c": 0}}),
        (("b", "c"), "drop", {"a": [], "b": {}}),
    ]
    assert payload == {"a": [], "b": {"c": 0}}  # untouched
    assert got[2][2]["a"] is payload["a"]  # only the path was copied


def test_variants_cover_every_empty_kind_and_the_root() -> None:
    payload = {"n": 0, "f": 0.0, "s": "", "t": False, "z": None, "x": 1, "y": "y", "l": [{}]}
    kinds = {(shape(p), k) for p, k, _ in variants(payload)}
    assert kinds == {
        *((key, "drop") for key in ("n", "f", "s", "t", "z")),
        ("l[]", "null"),
    }
    assert [(shape(p), k, v) for p, k, v in variants([])] == [("<root>", "null", None)]
    assert len(list(variants({"k": [{"a": 0, "b": ""}] * 50}, limit=10))) == 10


class _Inner(BaseModel):
    c: int


class _Strict(BaseModel):
    a: list[int]
    b: _Inner


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


class _LenientInner(BaseModel):
    c: int = 0


class _Lenient(BaseModel):
    a: Annotated[list[int], BeforeValidator(_none_as_empty)] = []
    b: _LenientInner = _LenientInner()


def test_measure_counts_a_strict_model_failing() -> None:
    report = measure([("toy.strict[1]", _Strict.model_validate, {"a": [], "b": {"c": 0}})])
    assert (report.real, report.real_failed) == (1, [])
    assert (report.variants, report.variants_failed) == (3, 3)
    assert set(report.groups) == {
        ("toy.strict", "a", "drop"),
        ("toy.strict", "a", "null"),
        ("toy.strict", "b.c", "drop"),
    }
    assert report.first_error[("toy.strict", "a", "null")] == "a: list_type"
    assert report.variants_ok() == 0.0 < MIN_VARIANTS_OK


def test_measure_passes_a_lenient_model_and_groups_list_items() -> None:
    report = measure([("toy.lenient[1]", _Lenient.model_validate, {"a": [], "b": {"c": 0}})])
    assert (report.variants, report.variants_failed, report.real_ok()) == (3, 0, 1.0)
    items = {"items": [{"x": 0}, {"x": 0}, {"x": 1}]}
    strict = measure([("toy.items[1]", _Strict.model_validate, items)])
    assert strict.real_failed and strict.real_ok() == 0.0
    assert dict(strict.groups) == {("toy.items", "items[].x", "drop"): 2}

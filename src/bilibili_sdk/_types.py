"""Lenient semantic types shared by generated models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ValidationInfo

T = TypeVar("T")

STRICT = "bilibili_sdk.strict"
"""Validation context key: when true, `null` is not turned into an empty value."""


def _lenient(info: ValidationInfo) -> bool:
    ctx = info.context
    return not (ctx and ctx.get(STRICT))


def _null_list(v: object, info: ValidationInfo) -> object:
    return [] if v is None and _lenient(info) else v


def _null_dict(v: object, info: ValidationInfo) -> object:
    # A null object validates as an empty one: the model's own defaults fill it.
    return {} if v is None and _lenient(info) else v


NullList = Annotated[list[T], BeforeValidator(_null_list)]
"""A list that Bilibili may send as `null` when empty: `null` becomes `[]`."""

NullDict = Annotated[dict[str, T], BeforeValidator(_null_dict)]
"""A mapping that Bilibili may send as `null` when empty: `null` becomes `{}`."""

NullModel = Annotated[T, BeforeValidator(_null_dict)]
"""A nested object that Bilibili may send as `null` when empty: `null` becomes an empty model."""


def _to_bool(v: object) -> object:
    # Bilibili flags arrive as 0/1, "0"/"1", true/false, and sometimes 2 for "yes, special".
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v != 0
    if isinstance(v, str) and v.lstrip("-").isdigit():
        return int(v) != 0
    return v


BoolInt = Annotated[bool, BeforeValidator(_to_bool)]
"""A flag sent as an int (0 = false, anything else = true) or a bool."""

OTHER = "__other__"


def tagged_by(field: str, tags: tuple[str, ...], other: bool) -> Callable[[Any], str | None]:
    """Discriminator for a tagged union: the variant is chosen by the value of `field`.

    Values not listed go to the `other` variant (when there is one), so a new kind of item
    from Bilibili never breaks a call.
    """
    known = frozenset(tags)

    def pick(value: Any) -> str | None:
        tag = value.get(field) if isinstance(value, dict) else getattr(value, field, None)
        if tag in known:
            return str(tag)
        return OTHER if other else None

    return pick


__all__ = ["OTHER", "STRICT", "BoolInt", "NullDict", "NullList", "NullModel", "tagged_by"]

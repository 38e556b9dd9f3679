"""Lenient semantic types shared by generated models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator


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


__all__ = ["OTHER", "BoolInt", "tagged_by"]

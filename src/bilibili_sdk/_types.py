"""Lenient semantic types shared by generated models."""

from __future__ import annotations

from typing import Annotated

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

__all__ = ["BoolInt"]

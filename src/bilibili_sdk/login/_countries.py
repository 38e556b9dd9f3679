"""Countries and regions with their international calling codes, for SMS login (`cid`).

The table is `countries.json` beside this module: our own list of ITU-T E.164 calling codes
with Chinese and English names, read once, no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .._exceptions import ArgsException

__all__ = ["Country", "countries", "country_code"]


@dataclass(frozen=True)
class Country:
    """A country or region and its calling code (86 for mainland China)."""

    code: int
    """International calling code, sent as the SMS login's `cid`."""
    name: str
    """Chinese name, as Bilibili's login page shows it."""
    name_en: str
    """English name."""


@lru_cache(maxsize=1)
def _table() -> tuple[Country, ...]:
    text = resources.files(__package__).joinpath("countries.json").read_text("utf-8")
    return tuple(Country(int(r["code"]), r["name"], r["name_en"]) for r in json.loads(text))


def countries() -> list[Country]:
    """Every country and region with its calling code; mainland China, Hong Kong, Macao and
    Taiwan first, then by calling code."""
    return list(_table())


def country_code(value: object, argument: str = "country_code") -> int:
    """A calling code from `86`, `"86"`, `"+86"` or a name in the table (`"中国大陆"`, `"Japan"`).

    Raises ArgsException naming `argument` for anything else.
    """
    table = _table()
    if isinstance(value, int) and not isinstance(value, bool):
        code = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("+") else text
        if digits.isdigit():
            code = int(digits)
        else:
            folded = text.casefold()
            match = next(
                (c for c in table if folded in (c.name.casefold(), c.name_en.casefold())), None
            )
            if match is None:
                raise ArgsException(
                    f"{argument}: expected a calling code like 86 or '+86', or a country name "
                    f"from countries(), got {value!r}",
                    argument=argument,
                )
            return match.code
    else:
        raise ArgsException(
            f"{argument}: expected a calling code like 86 or '+86', got {value!r}",
            argument=argument,
        )
    if not any(c.code == code for c in table):
        raise ArgsException(
            f"{argument}: {code} is not a calling code of countries()", argument=argument
        )
    return code

"""Parity cases of further namespaces, one module each (`dynamic.py`, `comment.py`...).

A module defines:
- `NAMESPACES`: the namespaces whose `seed:` endpoints it covers (tuple of str);
- `CASES`: list of `Case` (namespace, endpoint, our kwargs, seed call taking a seed Credential);
- `DELIBERATE`: accepted differences, `{(ns, endpoint): _d("why", extra=..., missing=...)}`;
- `NO_SEED_CALL`: `{(ns, endpoint): "why the seed method cannot be called"}`;
- optionally `SUSPECTED_BUGS`: `{(ns, endpoint): "why"}` (strict xfails).

`tests/test_parity.py` imports every module here and runs their cases with its own.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]

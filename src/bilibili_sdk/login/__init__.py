"""Logging in: QR code (web or TV), password, SMS, and the verification Bilibili may ask for.

```python
from bilibili_sdk import Client

with Client() as bili:
    qr = bili.login.start_qr()              # start_qr(tv=True) for the TV flow
    print(qr.terminal())                    # scan it with the Bilibili app
    credential = qr.wait()                  # polls until confirmed; LoginError if it expires
```

Password and SMS logins need a Geetest captcha solved by a person
(`bili.login.geetest()`, then the `GeetestResult` of its `wait()`); either may raise
`LoginCheckRequired`, whose `.check` goes on with `send_check_sms` and `complete_check`.
Rendering the QR code and encrypting passwords need the `login` extra
(`pip install "bilibili_sdk[login]"`). Names resolve on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._countries import Country as Country
    from ._countries import countries as countries
    from ._flows import LoginCheck as LoginCheck
    from ._flows import SmsTicket as SmsTicket
    from ._flows import encrypt_password as encrypt_password
    from ._geetest import AsyncGeetest as AsyncGeetest
    from ._geetest import Geetest as Geetest
    from ._geetest import GeetestResult as GeetestResult
    from ._geetest import GeetestType as GeetestType
    from ._qr import AsyncQrLogin as AsyncQrLogin
    from ._qr import QrLogin as QrLogin
    from ._qr import QrState as QrState

_LAZY = {
    "AsyncGeetest": "._geetest",
    "AsyncQrLogin": "._qr",
    "Country": "._countries",
    "Geetest": "._geetest",
    "GeetestResult": "._geetest",
    "GeetestType": "._geetest",
    "LoginCheck": "._flows",
    "QrLogin": "._qr",
    "QrState": "._qr",
    "SmsTicket": "._flows",
    "countries": "._countries",
    "encrypt_password": "._flows",
}

__all__ = [
    "AsyncGeetest",
    "AsyncQrLogin",
    "Country",
    "Geetest",
    "GeetestResult",
    "GeetestType",
    "LoginCheck",
    "QrLogin",
    "QrState",
    "SmsTicket",
    "countries",
    "encrypt_password",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)

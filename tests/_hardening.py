"""What the issue-9 hardening tests share: a credential with distinctive values, and a way
to run one scenario with either client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bilibili_sdk import Credential

BVID = "BV1xx411c7mD"
SESS = "SESS-zq81-d1stinct"
JCT = "JCT-zq82-d1stinct"
REFRESH = "REFRESH-zq83-d1stinct"
BUVID3 = "BUVID3-zq84-d1stinct"
SECRETS = (SESS, JCT, REFRESH, BUVID3)
SPI = "/x/frontend/finger/spi"
TICKET = "/bapis/bilibili.api.ticket.v1.Ticket/GenWebTicket"
NAV = "/x/web-interface/nav"
ACTIVATE = "/x/internal/gaia-gateway/ExClimbWuzhi"

FLAVOURS = pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])


def cred() -> Credential:
    return Credential(
        sessdata=SESS, bili_jct=JCT, ac_time_value=REFRESH, buvid3=BUVID3, dedeuserid=2
    )


def run(aio: bool, make: Callable[[], Any], fn: Callable[[Any], Any]) -> Any:
    """`fn(client)` with a client from `make()`, sync or async; the client is closed after."""
    if not aio:
        with make() as client:
            return fn(client)

    async def main() -> Any:
        async with make() as client:
            return await fn(client)

    return asyncio.run(main())

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilibili_sdk import Credential
from bilibili_sdk._settings import request_settings
from bilibili_sdk.testing import MockBilibili

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `import codegen`

SESSDATA = "sess-SECRET-value-123"
BILI_JCT = "jct-SECRET-value-456"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mock() -> MockBilibili:
    return MockBilibili()


@pytest.fixture
def credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


@pytest.fixture(autouse=True)
def _reset_settings() -> Iterator[None]:
    request_settings.reset()
    yield
    request_settings.reset()


def pytest_report_header() -> str:
    return f"BILIBILI_SDK_EAGER={os.environ.get('BILIBILI_SDK_EAGER', '0')}"

"""Test helpers for code that uses bilibili_sdk: a mock Bilibili, in-process or on loopback.

from bilibili_sdk import Client
from bilibili_sdk.testing import MockBilibili

mock = MockBilibili()
with Client(transport=mock.transport()) as bili:
    info = bili.video.get_info(bvid="BV1xx411c7mD")   # the catalogue's example response
"""

from ._mock import MockBilibili, MockServer, RecordedRequest

__all__ = ["MockBilibili", "MockServer", "RecordedRequest"]

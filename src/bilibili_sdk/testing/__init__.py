"""Test helpers for code that uses bilibili_sdk: a mock Bilibili, in-process or on loopback.

from bilibili_sdk import Client
from bilibili_sdk.testing import MockBilibili

mock = MockBilibili()
with Client(transport=mock.transport()) as bili:
    info = bili.video.get_info("BV1uv411q7Mv")   # the catalogue's example response

The login flows answer with fresh cookies; `mock.script_qr([...])`,
`mock.require_login_check()` and `mock.login` script them.

`MockLiveServer` is a loopback websocket server for the live danmaku and video-online
sockets; `server.configure(mock)` points the mock's lookups at it.
"""

from ._live_server import LiveClientRecord, MockLiveServer, unused_port
from ._mock import MockBilibili, MockServer, RecordedRequest

__all__ = [
    "LiveClientRecord",
    "MockBilibili",
    "MockLiveServer",
    "MockServer",
    "RecordedRequest",
    "unused_port",
]

"""Live-room danmaku over websocket: typed events, sync and async connections, the wire format.

```python
from bilibili_sdk import Client
from bilibili_sdk.live import DanmakuMessage, LiveConnection

with Client() as bili, LiveConnection(bili, 23058) as conn:
    for event in conn:
        if isinstance(event, DanmakuMessage):
            print(event.uname, event.text)
```

Handlers work too (`@conn.on("DANMU_MSG")`, `"__ALL__"` for every event, then `conn.run()`);
`AsyncLiveConnection` is the same with `async with` / `async for` / `await conn.run()`.
Lifecycle notifications are `ConnectionEvent`s named CONNECTED, AUTHENTICATED,
DISCONNECTED, RECONNECTING, ERROR and CLOSED. Needs the `live` extra (websockets, brotli).
"""

from __future__ import annotations

from ._async import AsyncLiveConnection
from ._events import (
    EVENT_TYPES,
    ComboSend,
    CutOff,
    DanmakuEmoticon,
    DanmakuMessage,
    FansMedal,
    GuardBuy,
    InteractWord,
    LikeClick,
    LikeUpdate,
    LiveEvent,
    LivePreparing,
    LiveStart,
    OnlineRank,
    OnlineRankCount,
    OnlineRankUser,
    Popularity,
    RawEvent,
    RoomChange,
    RoomRealTimeUpdate,
    RoomWarning,
    SendGift,
    SuperChat,
    UserToast,
    WatchedChange,
    normalize_cmd,
    parse_event,
)
from ._interact import decode_interact_word, decode_online_rank
from ._protocol import (
    LiveFrameTooLargeError,
    LiveProtocolError,
    Operation,
    Packet,
    Protover,
    decode_frame,
    encode_packet,
)
from ._session import (
    AUTHENTICATED,
    CLOSED,
    CONNECTED,
    DISCONNECTED,
    ERROR,
    RECONNECTING,
    ConnectionEvent,
)
from ._sync import LiveConnection

__all__ = [
    "AUTHENTICATED",
    "CLOSED",
    "CONNECTED",
    "DISCONNECTED",
    "ERROR",
    "EVENT_TYPES",
    "RECONNECTING",
    "AsyncLiveConnection",
    "ComboSend",
    "ConnectionEvent",
    "CutOff",
    "DanmakuEmoticon",
    "DanmakuMessage",
    "FansMedal",
    "GuardBuy",
    "InteractWord",
    "LikeClick",
    "LikeUpdate",
    "LiveConnection",
    "LiveEvent",
    "LiveFrameTooLargeError",
    "LivePreparing",
    "LiveProtocolError",
    "LiveStart",
    "OnlineRank",
    "OnlineRankCount",
    "OnlineRankUser",
    "Operation",
    "Packet",
    "Popularity",
    "Protover",
    "RawEvent",
    "RoomChange",
    "RoomRealTimeUpdate",
    "RoomWarning",
    "SendGift",
    "SuperChat",
    "UserToast",
    "WatchedChange",
    "decode_frame",
    "decode_interact_word",
    "decode_online_rank",
    "encode_packet",
    "normalize_cmd",
    "parse_event",
]

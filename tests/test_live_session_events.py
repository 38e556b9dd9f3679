"""What the live session reports about each way a connection ends, and when.

Drives `Session.flow()` with the fake server and clock of test_live_protocol.py and a script
of faults, and checks the lifecycle events a user sees (DISCONNECTED with its reason and
error, RECONNECTING with the attempt number and delay, ERROR), and the timing of the auth
deadline, the heartbeat reply deadline and the web heartbeat.
"""

from __future__ import annotations

from typing import Any

import pytest

from bilibili_sdk import LiveException, NetworkException
from bilibili_sdk.live import LiveProtocolError, decode_frame, encode_packet
from bilibili_sdk.live._session import ConnectionLost, Fetch, Recv, Send

from .test_live_protocol import FakeServer, _options, _room

GARBAGE = b"\x00\x00\x00\x05x"  # a frame too short for its header


class Scripted(FakeServer):
    """The fake server, with faults fired on the n-th matching operation."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.lose_on_auth_send = 0  # auth sends that fail
        self.lose_on_beat_send = 0  # heartbeat sends that fail
        self.silent_auth = False  # never answer the auth packet
        self.before_reply: list[Any] = []  # what arrives before the auth reply
        self.beat_times: list[float] = []
        self.web_times: list[float] = []
        self.recv_timeouts: list[float] = []

    def perform(self, op: Any) -> Any:
        if isinstance(op, Send):
            packets = decode_frame(op.data)
            if any(p.operation == 7 for p in packets):
                if self.lose_on_auth_send:
                    self.lose_on_auth_send -= 1
                    raise ConnectionLost("lost while sending auth")
                result = super().perform(op)
                if self.silent_auth:
                    self.inbox.clear()
                elif self.before_reply:
                    self.inbox[:0] = self.before_reply
                    self.before_reply = []
                return result
            if any(p.operation == 2 for p in packets):
                self.beat_times.append(self.now)
                if self.lose_on_beat_send:
                    self.lose_on_beat_send -= 1
                    raise ConnectionLost("lost while sending a heartbeat")
        if isinstance(op, Fetch) and op.method == "live.send_web_heartbeat":
            self.web_times.append(self.now)
            self.fetches.append(op.method)
            if self.fetch_errors:
                raise self.fetch_errors.pop(0)
            return None
        if isinstance(op, Recv):
            self.recv_timeouts.append(op.timeout)
        return super().perform(op)


def _lifecycle(s: FakeServer, cmd: str) -> list[Any]:
    return [e for e in s.events if e.cmd == cmd]


def _disconnects(s: FakeServer) -> list[tuple[str | None, str | None]]:
    return [
        (e.reason, type(e.error).__name__ if e.error is not None else None)
        for e in _lifecycle(s, "DISCONNECTED")
    ]


def _reconnecting(s: FakeServer) -> list[tuple[str | None, int | None, float | None]]:
    return [(e.reason, e.attempt, e.delay) for e in _lifecycle(s, "RECONNECTING")]


def _until(cmd: str, n: int = 1) -> Any:
    return lambda s: len(_lifecycle(s, cmd)) >= n


H1, H2 = "wss://h1.chat.bilibili.com:443/sub", "wss://h2.chat.bilibili.com:443/sub"
NO_SERVER = "no server accepted the connection"


def test_lost_while_sending_auth() -> None:
    s = Scripted(_room(), _options())
    s.lose_on_auth_send = 1
    s.run(_until("AUTHENTICATED"))  # the next host gets in
    assert _disconnects(s) == [("connection lost before auth", "ConnectionLost")]
    assert s.connects == [H1, H2] and _reconnecting(s) == []
    s2 = Scripted(_room(), _options())
    s2.lose_on_auth_send = 2  # every host: the attempt failed
    s2.run(_until("RECONNECTING"))
    assert _disconnects(s2) == [("connection lost before auth", "ConnectionLost")] * 2
    assert _reconnecting(s2) == [(NO_SERVER, 2, 1.0)]
    s2.run(_until("AUTHENTICATED"))


def test_lost_while_waiting_for_the_auth_reply() -> None:
    s = Scripted(_room(), _options())
    s.before_reply = ["drop"]
    s.run(_until("AUTHENTICATED"))
    assert _disconnects(s) == [("connection lost before auth", "ConnectionLost")]
    assert s.connects == [H1, H2]


def test_auth_timeout_is_exact() -> None:
    s = Scripted(_room(), _options(open_timeout=5.0))
    s.silent_auth = True
    s.run(lambda s: len(s.connects) >= 1)
    connected_at = s.now
    s.run(_until("DISCONNECTED"))
    assert s.now - connected_at == pytest.approx(5.0)
    (event,) = _lifecycle(s, "DISCONNECTED")
    assert event.reason == "auth timeout"
    assert isinstance(event.error, LiveException)
    assert "no auth reply within 5 s" in str(event.error)


def test_bad_frame_before_auth() -> None:
    s = Scripted(_room(), _options())
    s.before_reply = [GARBAGE]
    s.run(_until("AUTHENTICATED"))
    assert _disconnects(s) == [("bad frame before auth", "LiveProtocolError")]
    assert s.connects == [H1, H2]


def test_events_before_the_auth_reply_are_delivered() -> None:
    s = Scripted(_room(), _options())
    s.before_reply = [encode_packet(5, {"cmd": "EARLY"})]
    s.run(_until("AUTHENTICATED"))
    assert "EARLY" in s.names()


def test_connection_lost_after_auth_resets_the_failures() -> None:
    s = Scripted(_room(), _options())
    s.run(_until("AUTHENTICATED"))
    s.inbox.append("drop")
    s.run(_until("RECONNECTING"))
    assert _disconnects(s) == [("connection lost", "ConnectionLost")]
    assert _reconnecting(s) == [("connection lost", 1, 1.0)]  # a fresh start: attempt 1


def test_lost_while_sending_a_heartbeat() -> None:
    s = Scripted(_room(), _options())
    s.lose_on_beat_send = 1
    s.run(_until("RECONNECTING"))
    assert _disconnects(s) == [("connection lost", "ConnectionLost")]
    assert _reconnecting(s) == [("connection lost", 1, 1.0)]


def test_heartbeat_reply_deadline_is_exact() -> None:
    s = Scripted(_room(), _options(heartbeat_interval=30.0, heartbeat_timeout=10.0))
    s.stall = True
    s.run(_until("DISCONNECTED"))
    assert s.now - s.beat_times[0] == pytest.approx(10.0)
    s.run(_until("RECONNECTING"))
    assert _disconnects(s) == [("heartbeat timeout", None)]
    assert _reconnecting(s) == [("heartbeat timeout", 1, 1.0)]
    # the session slept until the deadline, never a fixed step past it
    assert max(s.recv_timeouts) <= 10.0


def test_a_reply_clears_the_deadline_and_beats_keep_their_interval() -> None:
    s = Scripted(_room(), _options(heartbeat_interval=20.0, heartbeat_timeout=15.0))
    s.run(lambda s: len(s.beat_times) >= 4)
    first = s.beat_times[0]
    assert [t - first for t in s.beat_times] == pytest.approx([0.0, 20.0, 40.0, 60.0])
    assert _lifecycle(s, "DISCONNECTED") == []


def test_bad_frames_in_a_row_end_the_connection() -> None:
    s = Scripted(_room(), _options())
    s.run(_until("AUTHENTICATED"))
    s.inbox += [GARBAGE, GARBAGE, encode_packet(5, {"cmd": "OK"}), GARBAGE, GARBAGE]
    s.run(lambda s: "OK" in s.names() and len(_lifecycle(s, "ERROR")) >= 4)
    assert _lifecycle(s, "DISCONNECTED") == []  # a good frame in between resets the count
    errors = _lifecycle(s, "ERROR")
    assert [e.reason for e in errors] == ["bad frame"] * 4
    assert all(isinstance(e.error, LiveProtocolError) for e in errors)
    s.inbox.insert(0, GARBAGE)  # the third in a row (before any heartbeat reply)
    s.run(_until("RECONNECTING"))
    assert _disconnects(s) == [("3 bad frames in a row", "LiveProtocolError")]
    assert _reconnecting(s) == [("3 bad frames in a row", 1, 1.0)]


def test_web_heartbeat_timing_and_failure() -> None:
    s = Scripted(_room(web_heartbeat=60.0), _options(heartbeat_interval=30.0))
    s.fetch_errors = []
    s.run(lambda s: len(s.web_times) >= 2)
    start = s.beat_times[0]
    assert [t - start for t in s.web_times] == pytest.approx([60.0, 120.0])
    s.fetch_errors = [NetworkException("web heartbeat down")]
    s.run(lambda s: len(s.web_times) >= 3)
    s.run(lambda s: len(_lifecycle(s, "ERROR")) >= 1)
    (error,) = _lifecycle(s, "ERROR")
    assert error.reason == "web heartbeat failed"
    assert isinstance(error.error, NetworkException)
    assert _lifecycle(s, "DISCONNECTED") == []  # a failed web heartbeat is not fatal
    s.run(lambda s: len(s.web_times) >= 4)
    assert s.web_times[3] - s.web_times[2] == pytest.approx(60.0)


def test_no_web_heartbeat_unless_asked() -> None:
    s = Scripted(_room(), _options(heartbeat_interval=30.0))
    s.run(lambda s: len(s.beat_times) >= 6)
    assert s.web_times == []
    assert "live.send_web_heartbeat" not in s.fetches


def test_lookup_failure_events_and_reason() -> None:
    s = Scripted(_room(), _options())
    s.fetch_errors = [NetworkException("down")]
    s.run(_until("RECONNECTING"))
    (error,) = _lifecycle(s, "ERROR")
    assert error.reason == "lookup failed" and isinstance(error.error, NetworkException)
    assert _reconnecting(s) == [("lookup failed", 2, 1.0)]


def test_a_malformed_lookup_answer_is_not_retried() -> None:
    from bilibili_sdk import ResponseValidationException

    s = Scripted(_room(), _options())
    s.fetch_errors = [ResponseValidationException("does not fit", data={})]
    with pytest.raises(ResponseValidationException):
        s.run(lambda s: False)
    assert s.sleeps == []


def test_connect_failures_and_disconnects_name_the_url() -> None:
    s = Scripted(_room(), _options(open_timeout=7.0))
    s.refuse = {H1}
    timeouts: list[float] = []
    perform = s.perform

    def watch(op: Any) -> Any:
        if type(op).__name__ == "Connect":
            timeouts.append(op.timeout)
        return perform(op)

    s.perform = watch  # type: ignore[method-assign]
    s.run(_until("AUTHENTICATED"))
    (error,) = _lifecycle(s, "ERROR")
    assert (error.reason, error.url) == ("connect failed", H1)
    assert type(error.error).__name__ == "ConnectFailed"
    assert timeouts == [7.0, 7.0]
    s.inbox.append("drop")
    s.run(_until("DISCONNECTED"))
    (gone,) = _lifecycle(s, "DISCONNECTED")
    assert gone.url == H2 and isinstance(gone.error, ConnectionLost)


@pytest.mark.parametrize(
    ("failures", "text"), [(1, "after 1 attempt: "), (3, "after 3 attempts: ")]
)
def test_giving_up_says_how_often_it_tried(failures: int, text: str) -> None:
    s = Scripted(_room(), _options(max_retries=failures - 1))
    s.refuse = {H1, H2}
    with pytest.raises(LiveException, match=text):
        s.run(lambda s: False)


@pytest.mark.parametrize("code", [0, "0", None])
def test_auth_reply_codes_that_mean_yes(code: Any) -> None:
    from bilibili_sdk.live._session import StreamProtocol

    reply = {} if code is None else {"code": code}
    StreamProtocol.check_auth(_room(), reply)  # no exception


def test_auth_reply_code_rejects() -> None:
    s = Scripted(_room(), _options())
    s.auth_code = -101
    with pytest.raises(LiveException):
        s.run(lambda s: False)


def test_protocol_state_through_prepare() -> None:
    from bilibili_sdk import Credential

    room = _room()
    assert (room.room_id, room.anchor_uid, room.token, room.uid) == (None, None, "", None)
    s = Scripted(room, _options())
    s.run(_until("AUTHENTICATED"))
    assert (room.room_id, room.anchor_uid, room.token, room.uid) == (23058, 11153765, "tok", 0)
    # a logged-in credential without DedeUserID: the uid comes from get_self_info; when that
    # fails, the connection goes on anonymously (uid 0)
    s2 = Scripted(_room(Credential(sessdata="x")), _options())
    s2.run(lambda s: "live.get_danmu_info" in s.fetches)
    s2.fetch_errors = [NetworkException("no self info")]
    s2.run(_until("AUTHENTICATED"))
    assert s2.protocol.uid == 0  # type: ignore[attr-defined]


def test_frames_the_protocol_reads() -> None:
    import struct

    room = _room()
    before = room.on_frame(encode_packet(3, struct.pack(">I", 77), protover=1))
    assert before.heartbeat_reply and before.events[0].room_id == 0
    room.room_id = 23058
    beat = room.on_frame(encode_packet(3, struct.pack(">I", 77), protover=1))
    (pop,) = beat.events
    assert (pop.cmd, pop.room_id, pop.popularity, pop.raw) == (
        "VIEW",
        23058,
        77,
        {"popularity": 77},
    )
    assert beat.auth_reply is None and beat.error is None
    notice = room.on_frame(encode_packet(5, {"cmd": "X"}))
    assert notice.heartbeat_reply is False and notice.auth_reply is None
    auth = room.on_frame(encode_packet(8, {"code": 0}, protover=1))
    assert auth.auth_reply == {"code": 0} and auth.heartbeat_reply is False


def test_loopback_hosts_use_their_plain_port() -> None:
    from bilibili_sdk.live._session import host_url

    assert host_url("127.0.0.2", 443, 2244) == "ws://127.0.0.2:2244/sub"
    assert host_url("127.0.0.2", 443, None) == "ws://127.0.0.2:443/sub"
    assert host_url("h.chat.bilibili.com", 443, 2244) == "wss://h.chat.bilibili.com:443/sub"


def test_random_buvid3_shape() -> None:
    import re

    from bilibili_sdk.live._session import _random_buvid3

    for _ in range(20):
        assert re.fullmatch(
            r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\d{5}infoc", _random_buvid3()
        )


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"max_retries": 1.5}, "max_retries: expected an int >= 0, got 1.5"),
        ({"max_retries": True}, "max_retries: expected an int >= 0, got True"),
        ({"max_queue": 2.0}, "max_queue: expected an int >= 1, got 2.0"),
        ({"max_queue": 0}, "max_queue: expected an int >= 1, got 0"),
        ({"backoff": "fast"}, "backoff: expected (initial, max) seconds, got 'fast'"),
        ({"backoff": (5.0, 1.0)}, "backoff: expected 0 <= initial <= max, got (5.0, 1.0)"),
        ({"heartbeat_interval": "30"}, "heartbeat_interval: expected seconds > 0, got '30'"),
        ({"heartbeat_interval": 0}, "heartbeat_interval: expected seconds > 0, got 0"),
        (
            {"open_timeout": float("inf")},
            "open_timeout: expected a finite number of seconds > 0, got inf",
        ),
    ],
)
def test_option_messages(kw: dict[str, Any], message: str) -> None:
    from bilibili_sdk import ArgsException

    with pytest.raises(ArgsException) as ei:
        _options(**kw)
    assert str(ei.value) == message


def test_smallest_valid_options() -> None:
    o = _options(max_retries=0, max_queue=1, backoff=(0.0, 0.0))
    assert (o.max_retries, o.max_queue, o.backoff) == (0, 1, (0.0, 0.0))


# ---------------------------------------------------------------- gaps found by mutation testing
def test_backoff_doubling_stops_at_two_to_the_32() -> None:
    from bilibili_sdk.live._session import Options

    assert Options(backoff=(1.0, 1e12)).delay(40) == 2.0**32
    assert Options(backoff=(1.0, 1e12)).delay(33) == 2.0**32
    assert Options(backoff=(1.0, 1e12)).delay(32) == 2.0**31


def test_which_lookup_failures_are_retried() -> None:
    from bilibili_sdk import ResponseException, ResponseValidationException
    from bilibili_sdk.live._session import _retryable

    assert _retryable(ResponseException("HTTP 503", status=503, endpoint="x")) is True
    assert _retryable(ResponseValidationException("bad", data=None, endpoint="x")) is False
    assert _retryable(LiveException("no")) is False


def test_random_buvid3_has_five_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from bilibili_sdk.live._session import _random_buvid3

    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=100_000))
    assert _random_buvid3() == "00000000-0000-0000-0000-0000000186A000000infoc"


def test_web_heartbeat_defaults_to_60_seconds() -> None:
    import base64

    from bilibili_sdk.live._session import LiveRoomProtocol

    p = LiveRoomProtocol(23058, credential=None, buvid=lambda: None)
    p.room_id = 5
    op = next(p.web_heartbeat())
    assert isinstance(op, Fetch) and op.method == "live.send_web_heartbeat"
    assert base64.b64decode(op.kwargs["hb"]) == b"60|5|1|0"

"""DANMU_MSG's unvalidated build (`DanmakuMessage._construct`) against pydantic's validation.

The fast path skips validation only when every value already has its field's exact type;
anything else must fall back to validation. Both paths must give the same event: same
type, field values in the same order, fields set, extras, repr, dump and errors.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from bilibili_sdk.live import DanmakuMessage, FansMedal, RawEvent, _events, parse_event

from .test_live_protocol import DANMU, EMOTICON_DANMU

ODD = [None, True, False, 0, 1, -7, 2**70, 1.5, "", "12", "abc", [], [1], {}, {"a": 1}]


def _validated(notice: Any, room_id: int = 0) -> Any:
    """parse_event with the fast path switched off."""
    saved = DanmakuMessage.__dict__["_construct"]
    DanmakuMessage._construct = classmethod(lambda cls, *a: None)  # type: ignore[method-assign,assignment]
    try:
        return parse_event(notice, room_id)
    finally:
        DanmakuMessage._construct = saved  # type: ignore[method-assign]


def _same(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    assert list(fast.__dict__.items()) == list(slow.__dict__.items())
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_extra == slow.model_extra
    assert fast.__pydantic_private__ == slow.__pydantic_private__
    assert repr(fast) == repr(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast == slow
    for name in ("medal", "emoticon"):
        a, b = getattr(fast, name, None), getattr(slow, name, None)
        if a is not None or b is not None:
            _same(a, b)


def _realistic(rng: random.Random) -> dict[str, Any]:
    uid = rng.randint(1, 10**9)
    extra = {"content": "x", "id_str": f"{rng.getrandbits(64):x}", "reply_mid": 0,
             "reply_uname": "", "emots": None, "mode": 0, "icon": None}  # fmt: skip
    return {
        "cmd": "DANMU_MSG",
        "dm_v2": "",
        "info": [
            [0, 1, 25, 16777215, 1700000000000, 1, 0, "8a0f75dc", 0, 0, 0, "", 0, "{}", "{}",
             {"mode": 0, "extra": json.dumps(extra), "user": {"base": {"face": "f"}}},
             {"not_show": 0}, 0],
            "text",
            [uid, "name", 0, 0, 0, 10000, 1, ""],
            [rng.randint(1, 30), "牌", "主播", 23058, 1725515, "", 0, 1, 1, 1, 0, 1, 11153765],
            [rng.randint(1, 60), 0, 9868950, ">50000", 0],
            ["", ""],
            0, 0, None, {"ts": 1, "ct": "A"}, 0, 0, None, None, 0, 105, [3], None,
        ],
        "is_report": False,
        "msg_id": "1:1000:1000",
        "p_is_ack": True,
        "send_time": 1700000000120,
    }  # fmt: skip


BASES = [DANMU, EMOTICON_DANMU, _realistic(random.Random(1))]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position of the notice that the model reads (and a few it does not)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, k)
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*path, i)
            yield from _paths(v, (*path, i))


def _put(notice: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(notice)
    node: Any = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _cut(notice: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    """The notice with the list at `path[:-1]` cut short before `path[-1]` (or the key gone)."""
    out = copy.deepcopy(notice)
    node: Any = out
    for k in path[:-1]:
        node = node[k]
    if isinstance(node, list):
        del node[path[-1] :]
    else:
        del node[path[-1]]
    return out


def _variants() -> Iterator[dict[str, Any]]:
    for base in BASES:
        yield base
        for path in _paths(base):
            if path[0] != "info" and path[0] not in ("msg_id", "send_time"):
                continue
            yield _cut(base, path)
            for odd in ODD:
                yield _put(base, path, odd)
        extra_at = ("info", 0, 15, "extra")
        for extra in ["not json", "[1, 2]", "5", '{"id_str": 7}', '{"id_str": "x", "id_str": "y"}',
                      '{"emots": {"[a]": 1}}', '{"emots": []}', '{"reply_mid": "12"}',
                      '{"reply_mid": true}', '{"reply_uname": 5}', "{}", {"id_str": "dict"}]:  # fmt: skip
            if len(base["info"][0]) > 15:
                yield _put(base, extra_at, extra)


def test_the_fast_path_equals_validation_on_real_and_mutated_notices() -> None:
    fast_built = 0
    checked = 0
    for notice in _variants():
        for room_id in (0, 23058):
            constructed = DanmakuMessage._construct(notice, "DANMU_MSG", room_id)
            fast = parse_event(notice, room_id)
            slow = _validated(notice, room_id)
            _same(fast, slow)
            if constructed is not None:
                fast_built += 1
                _same(constructed, slow)
            if isinstance(slow, RawEvent):
                assert constructed is None and slow.error
            checked += 1
    # Most variants are still valid danmaku; the fast path must build the plain ones.
    assert checked > 1000 and fast_built > checked // 3


def test_the_fast_path_is_taken_for_a_plain_danmaku() -> None:
    notice = _realistic(random.Random(2))
    ev = DanmakuMessage._construct(notice, "DANMU_MSG", 5)
    assert isinstance(ev, DanmakuMessage) and isinstance(ev.medal, FansMedal)
    assert ev.id_str and ev.face == "f" and ev.raw == notice and ev.raw is not notice
    assert ev.medal.model_fields_set == set(FansMedal.model_fields)


def test_the_fast_path_covers_every_field_in_order() -> None:
    ev = DanmakuMessage._construct(copy.deepcopy(DANMU), "DANMU_MSG", 1)
    assert ev is not None
    assert list(ev.__dict__) == list(DanmakuMessage.model_fields)
    assert _events._DANMAKU_SET | {"medal"} == set(DanmakuMessage.model_fields)
    assert ev.medal is not None and list(ev.medal.__dict__) == list(FansMedal.model_fields)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("info", 2, 0), "123"),  # uid as a string: validation converts it
        (("info", 2, 0), True),  # a bool is not an int here
        (("info", 1), 12),  # text as a number: coerced to "12"
        (("info", 3, 11), "1"),  # is_lighted as a string
        (("info", 0, 13), {"url": "u", "width": "4"}),  # a sticker: the nested model
    ],
)
def test_values_that_need_conversion_take_the_validating_path(
    path: tuple[Any, ...], value: Any
) -> None:
    notice = _put(DANMU, path, value)
    assert DanmakuMessage._construct(notice, "DANMU_MSG", 0) is None
    ev = parse_event(notice)
    assert isinstance(ev, DanmakuMessage)
    _same(ev, _validated(notice))


def test_bad_values_still_raise_typed_errors_into_a_raw_event() -> None:
    for path, value in [(("info", 2, 0), "abc"), (("info", 1), None), (("info", 3, 0), [])]:
        ev = parse_event(_put(DANMU, path, value), room_id=3)
        assert isinstance(ev, RawEvent) and ev.room_id == 3
        assert ev.error is not None and ev.error.startswith("ValidationError")

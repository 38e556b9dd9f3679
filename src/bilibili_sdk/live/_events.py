"""Typed live-room events, built from the JSON notices (and protobuf payloads) of the socket.

Every model is lenient: unknown fields are kept (`model_extra`), missing optional fields
default, numbers sent as strings are accepted. `parse_event` never raises: a notice whose
model does not validate becomes a `RawEvent` carrying the error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, ValidationError

from .._models import BiliModel
from .._types import BoolInt
from ._interact import decode_interact_word, decode_online_rank

__all__ = [
    "EVENT_TYPES",
    "ComboSend",
    "CutOff",
    "DanmakuEmoticon",
    "DanmakuMessage",
    "FansMedal",
    "GuardBuy",
    "InteractWord",
    "LikeClick",
    "LikeUpdate",
    "LiveEvent",
    "LivePreparing",
    "LiveStart",
    "OnlineRank",
    "OnlineRankCount",
    "OnlineRankUser",
    "Popularity",
    "RawEvent",
    "RoomChange",
    "RoomRealTimeUpdate",
    "RoomWarning",
    "SendGift",
    "SuperChat",
    "UserToast",
    "WatchedChange",
    "normalize_cmd",
    "parse_event",
]


def _choices(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _medal_or_none(v: Any) -> Any:
    # Bilibili sends an all-zero medal object when the user wears none.
    empty = isinstance(v, dict) and not (
        v.get("medal_name") or v.get("name") or v.get("medal_level") or v.get("level")
    )
    return None if empty else v


def _face(*candidates: Any) -> str | None:
    """`face` from the nested `uinfo`/`user_info`/`user` objects newer payloads carry."""
    for c in candidates:
        if isinstance(c, dict):
            base = c.get("base")
            if isinstance(base, dict) and base.get("face"):
                return str(base["face"])
    return None


def _lenient_int(v: Any) -> Any:
    return 0 if v is None or v == "" else v


_LenientInt = Annotated[int, BeforeValidator(_lenient_int)]


# ------------------------------------------------------------------ building blocks
class FansMedal(BiliModel):
    """A fan medal (粉丝勋章) worn by a user, from any of the payload shapes."""

    name: str = Field("", validation_alias=_choices("medal_name", "name"))
    level: int = Field(0, validation_alias=_choices("medal_level", "level"))
    anchor_uid: int = Field(0, validation_alias=_choices("target_id", "anchor_uid", "ruid"))
    """The streamer the medal belongs to."""
    anchor_uname: str = ""
    anchor_room_id: int = Field(0, validation_alias=_choices("anchor_roomid", "anchor_room_id"))
    color: int = Field(0, validation_alias=_choices("medal_color", "color"))
    """RGB as an int."""
    guard_level: int = 0
    """0 none, 1 总督, 2 提督, 3 舰长."""
    is_lighted: BoolInt = Field(False, validation_alias=_choices("is_lighted", "is_light"))


_Medal = Annotated[FansMedal | None, BeforeValidator(_medal_or_none)]


class DanmakuEmoticon(BiliModel):
    """The sticker of an emoticon danmaku (`dm_type` 1)."""

    url: str = ""
    emoticon_unique: str = ""
    width: int = 0
    height: int = 0


# ------------------------------------------------------------------ the events
class LiveEvent(BiliModel):
    """Base of every event: the (normalised) command, the real room id and the raw notice."""

    cmd: str
    """Event name, e.g. `DANMU_MSG` (suffixes like `:4:0:2:2:2:0` removed)."""
    room_id: int = 0
    """The real room id of the connection."""
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The notice as received (protobuf payloads still base64)."""

    @classmethod
    def _fields(cls, notice: dict[str, Any]) -> dict[str, Any]:
        """Model input from a notice: top-level fields merged with `data`."""
        data = notice.get("data")
        fields = {k: v for k, v in notice.items() if k != "data" and k != "cmd"}
        if isinstance(data, dict):
            fields.update(data)
        return fields


class RawEvent(LiveEvent):
    """A command without a typed model, or one whose payload did not fit it."""

    data: Any = None
    """`data` of the notice, if it had one."""
    error: str | None = None
    """Why the typed model could not be built (None for commands we do not model)."""


class Popularity(LiveEvent):
    """The heartbeat reply: the room's popularity (人气) value. `cmd` is `VIEW`."""

    popularity: int = 0


class DanmakuMessage(LiveEvent):
    """DANMU_MSG: a danmaku sent in the room (parsed from the positional `info` array)."""

    text: str
    uid: int = 0
    """Sender; 0 when Bilibili hides it from anonymous viewers."""
    uname: str = ""
    face: str | None = None
    color: int = 0xFFFFFF
    """RGB as an int."""
    mode: int = 1
    """1 scrolling, 4 bottom, 5 top."""
    font_size: int = 25
    timestamp: int = 0
    """Milliseconds since the epoch."""
    id_str: str | None = None
    """The danmaku id, when the payload carries it."""
    user_hash: str = ""
    """crc32 of the sender's uid, hex (see `crack_uid`)."""
    dm_type: int = 0
    """0 text, 1 emoticon."""
    emoticon: DanmakuEmoticon | None = None
    emots: dict[str, Any] | None = None
    """Inline emotes in the text, keyed by their code (`[dog]`)."""
    is_admin: BoolInt = False
    is_vip: BoolInt = False
    is_svip: BoolInt = False
    uname_color: str = ""
    user_level: int = 0
    medal: FansMedal | None = None
    guard_level: int = 0
    """0 none, 1 总督, 2 提督, 3 舰长."""
    title: str | None = None
    wealth_level: int | None = None
    reply_uname: str | None = None
    reply_uid: int | None = None

    @classmethod
    def _fields(cls, notice: dict[str, Any]) -> dict[str, Any]:
        # Each positional array is padded with the defaults of the positions it lacks, so
        # what follows indexes directly: this runs for every danmaku (the hot path).
        info = _fill(notice.get("info"), _INFO)
        meta = _fill(info[0], _META)
        user = _fill(info[2], _USER)
        level = _fill(info[4], _LEVEL)
        title = _fill(info[5], _TITLE)
        ext = meta[15]
        ext = ext if isinstance(ext, dict) else {}
        extra = _extra(ext.get("extra"))
        emoticon = meta[13]
        wealth = info[16]
        fields: dict[str, Any] = {
            "text": info[1],
            "mode": meta[1],
            "font_size": meta[2],
            "color": meta[3],
            "timestamp": meta[4],
            "user_hash": meta[7],
            "dm_type": meta[12] or 0,
            "emoticon": emoticon if isinstance(emoticon, dict) and emoticon.get("url") else None,
            "uid": user[0],
            "uname": user[1],
            "is_admin": user[2],
            "is_vip": user[3],
            "is_svip": user[4],
            "uname_color": user[7] or "",
            "user_level": level[0],
            "guard_level": info[7] or 0,
            "title": (title[1] or title[0]) or None,
            "wealth_level": wealth[0] if isinstance(wealth, list) and wealth else None,
            "face": _face(ext.get("user")),
            "id_str": extra.get("id_str") or None,
            "reply_uname": extra.get("reply_uname") or None,
            "reply_uid": extra.get("reply_mid") or None,
            "emots": extra.get("emots") or None,
        }
        medal = info[3]
        if isinstance(medal, list) and medal:
            medal = _fill(medal, _MEDAL)
            fields["medal"] = {
                "level": medal[0],
                "name": medal[1],
                "anchor_uname": medal[2],
                "anchor_room_id": medal[3],
                "color": medal[4],
                "guard_level": medal[10],
                "is_lighted": medal[11],
                "anchor_uid": medal[12],
            }
        if "msg_id" in notice:
            fields["msg_id"] = notice["msg_id"]
        if "send_time" in notice:
            fields["send_time"] = notice["send_time"]
        return fields

    @classmethod
    def _construct(cls, notice: dict[str, Any], cmd: str, room_id: int) -> DanmakuMessage | None:
        """The event built without pydantic's validation, when every value already has its
        field's exact type (what validation returns unchanged); None otherwise, and the
        caller validates. The common notice takes this path, which halves the cost of the
        typed event. Mirrors `_fields`: a test holds the two paths equal on real and
        mutated notices.
        """
        info = _fill(notice.get("info"), _INFO)
        meta = _fill(info[0], _META)
        user = _fill(info[2], _USER)
        level = _fill(info[4], _LEVEL)
        title = _fill(info[5], _TITLE)
        ext = meta[15]
        ext = ext if isinstance(ext, dict) else {}
        emoticon = meta[13]
        if isinstance(emoticon, dict) and emoticon.get("url"):
            return None  # a nested model to validate (a sticker danmaku)
        extra = _extra(ext.get("extra"))
        wealth = info[16]
        text = info[1]
        uid = user[0]
        uname = user[1]
        color = meta[3]
        mode = meta[1]
        font_size = meta[2]
        timestamp = meta[4]
        id_str = extra.get("id_str") or None
        user_hash = meta[7]
        dm_type = meta[12] or 0
        emots = extra.get("emots") or None
        is_admin = _flag(user[2])
        is_vip = _flag(user[3])
        is_svip = _flag(user[4])
        uname_color = user[7] or ""
        user_level = level[0]
        guard_level = info[7] or 0
        title_ = (title[1] or title[0]) or None
        wealth_level = wealth[0] if isinstance(wealth, list) and wealth else None
        reply_uname = extra.get("reply_uname") or None
        reply_uid = extra.get("reply_mid") or None
        if not (
            type(text) is str
            and type(uid) is int
            and type(uname) is str
            and type(color) is int
            and type(mode) is int
            and type(font_size) is int
            and type(timestamp) is int
            and (id_str is None or type(id_str) is str)
            and type(user_hash) is str
            and type(dm_type) is int
            and (emots is None or (type(emots) is dict and _str_keys(emots)))
            and is_admin is not None
            and is_vip is not None
            and is_svip is not None
            and type(uname_color) is str
            and type(user_level) is int
            and type(guard_level) is int
            and (title_ is None or type(title_) is str)
            and (wealth_level is None or type(wealth_level) is int)
            and (reply_uname is None or type(reply_uname) is str)
            and (reply_uid is None or type(reply_uid) is int)
            and type(room_id) is int
            and _str_keys(notice)
        ):
            return None
        fields_set = set(_DANMAKU_SET)
        medal: FansMedal | None = None
        medal_ = info[3]
        if isinstance(medal_, list) and medal_:
            medal = _medal(_fill(medal_, _MEDAL))
            if medal is None:
                return None
            fields_set.add("medal")
        extras: dict[str, Any] = {}
        if "msg_id" in notice:
            extras["msg_id"] = notice["msg_id"]
            fields_set.add("msg_id")
        if "send_time" in notice:
            extras["send_time"] = notice["send_time"]
            fields_set.add("send_time")
        event = _new(cls)
        # In the order of the model's fields, as validation stores them (repr follows it).
        # dict[str, Any] fields validate to shallow copies, hence dict(...).
        _set(
            event,
            "__dict__",
            {
                "cmd": cmd,
                "room_id": room_id,
                "raw": dict(notice),
                "text": text,
                "uid": uid,
                "uname": uname,
                "face": _face(ext.get("user")),
                "color": color,
                "mode": mode,
                "font_size": font_size,
                "timestamp": timestamp,
                "id_str": id_str,
                "user_hash": user_hash,
                "dm_type": dm_type,
                "emoticon": None,
                "emots": None if emots is None else dict(emots),
                "is_admin": is_admin,
                "is_vip": is_vip,
                "is_svip": is_svip,
                "uname_color": uname_color,
                "user_level": user_level,
                "medal": medal,
                "guard_level": guard_level,
                "title": title_,
                "wealth_level": wealth_level,
                "reply_uname": reply_uname,
                "reply_uid": reply_uid,
            },
        )
        _set(event, "__pydantic_fields_set__", fields_set)
        _set(event, "__pydantic_extra__", extras)
        _set(event, "__pydantic_private__", None)
        return event


_new = object.__new__
_set = object.__setattr__
# The fields `DanmakuMessage._fields` always gives (medal only with a medal array).
_DANMAKU_SET = frozenset(
    {
        "cmd", "room_id", "raw", "text", "uid", "uname", "face", "color", "mode", "font_size",
        "timestamp", "id_str", "user_hash", "dm_type", "emoticon", "emots", "is_admin",
        "is_vip", "is_svip", "uname_color", "user_level", "guard_level", "title",
        "wealth_level", "reply_uname", "reply_uid",
    }
)  # fmt: skip
_MEDAL_SET = frozenset(
    {"name", "level", "anchor_uid", "anchor_uname", "anchor_room_id", "color", "guard_level",
     "is_lighted"}
)  # fmt: skip


def _flag(v: Any) -> bool | None:
    """What `BoolInt` makes of a bool or an int; None for anything else (to validate)."""
    t = type(v)
    if t is bool:
        return bool(v)
    if t is int:
        return bool(v != 0)
    return None


def _str_keys(d: dict[Any, Any]) -> bool:
    for k in d:  # noqa: SIM110 (a plain loop: all() with a generator costs twice as much)
        if type(k) is not str:
            return False
    return True


def _medal(m: list[Any]) -> FansMedal | None:
    """DANMU_MSG's medal array as a FansMedal without validation (see `_construct`); None
    when a value does not have its field's exact type."""
    level, name, anchor_uname, anchor_room_id, color = m[0], m[1], m[2], m[3], m[4]
    guard_level, anchor_uid = m[10], m[12]
    is_lighted = _flag(m[11])
    if not (
        type(level) is int
        and type(name) is str
        and type(anchor_uname) is str
        and type(anchor_room_id) is int
        and type(color) is int
        and type(guard_level) is int
        and is_lighted is not None
        and type(anchor_uid) is int
    ):
        return None
    medal = _new(FansMedal)
    _set(
        medal,
        "__dict__",
        {
            "name": name,
            "level": level,
            "anchor_uid": anchor_uid,
            "anchor_uname": anchor_uname,
            "anchor_room_id": anchor_room_id,
            "color": color,
            "guard_level": guard_level,
            "is_lighted": is_lighted,
        },
    )
    _set(medal, "__pydantic_fields_set__", set(_MEDAL_SET))
    _set(medal, "__pydantic_extra__", {})
    _set(medal, "__pydantic_private__", None)
    return medal


def _extra(extra: Any) -> dict[str, Any]:
    """The keys DANMU_MSG reads from its `extra` JSON string ({} when it is not an object).

    Validated into a 4-key TypedDict straight from the JSON, so the parser skips the
    thirty-odd other keys without building them.
    """
    if isinstance(extra, str):
        try:
            value: dict[str, Any] = (_extra_validator or _make_extra_validator())(extra)
        except ValueError:  # ValidationError included: not JSON, or not an object
            return {}
        return value
    return extra if isinstance(extra, dict) else {}


_extra_validator: Any = None


def _make_extra_validator() -> Any:
    """pydantic-core's `validate_json` of the 4-key TypedDict (the core validator itself:
    TypeAdapter's wrapper costs a tenth of this, per danmaku)."""
    global _extra_validator
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict

    class DanmakuExtra(TypedDict, total=False):
        id_str: Any
        reply_uname: Any
        reply_mid: Any
        emots: Any

    _extra_validator = TypeAdapter(DanmakuExtra).validator.validate_json
    return _extra_validator


# What a missing position of DANMU_MSG's arrays means (None: absent).
_INFO = [None, None, None, None, None, None, None, 0, *[None] * 9]
_META = [None, 1, 25, 0xFFFFFF, 0, None, None, "", None, None, None, None, 0, None, None, None]
_USER = [0, "", 0, 0, 0, None, None, ""]
_LEVEL = [0]
_TITLE = [None, None]
_MEDAL = [0, "", "", 0, 0, None, None, None, None, None, 0, 0, 0]


def _fill(value: Any, defaults: list[Any]) -> list[Any]:
    """`value` if it is a list as long as `defaults`, padded with their tail if shorter;
    `defaults` itself when it is not a list."""
    if not isinstance(value, list):
        return defaults
    n = len(value)
    return value if n >= len(defaults) else value + defaults[n:]


class SendGift(LiveEvent):
    """SEND_GIFT: a gift. Prices are in 金瓜子 (1000 = 1 CNY) or 银瓜子 (`coin_type`)."""

    uid: int = 0
    uname: str = ""
    face: str | None = None
    gift_id: int = Field(0, validation_alias=_choices("giftId", "gift_id"))
    gift_name: str = Field("", validation_alias=_choices("giftName", "gift_name"))
    gift_type: int = Field(0, validation_alias=_choices("giftType", "gift_type"))
    num: int = 0
    action: str = ""
    """Usually `投喂`."""
    price: int = 0
    """Per item."""
    coin_type: str = ""
    """`gold` (paid) or `silver` (free)."""
    total_coin: int = 0
    timestamp: int = 0
    """Seconds since the epoch."""
    tid: str = ""
    batch_combo_id: str = ""
    guard_level: int = 0
    medal: _Medal = Field(None, validation_alias=_choices("medal_info", "medal"))
    blind_gift: dict[str, Any] | None = None


class ComboSend(LiveEvent):
    """COMBO_SEND: the running total of a gift combo."""

    uid: int = 0
    uname: str = ""
    gift_id: int = 0
    gift_name: str = ""
    combo_num: int = 0
    total_num: int = 0
    action: str = ""
    batch_combo_id: str = ""
    combo_id: str = ""
    combo_total_coin: int = 0
    ruid: int = 0
    """The receiver (normally the streamer)."""
    r_uname: str = ""
    medal: _Medal = Field(None, validation_alias=_choices("medal_info", "medal"))


class SuperChat(LiveEvent):
    """SUPER_CHAT_MESSAGE: a paid, pinned message (醒目留言). `price` is in CNY."""

    id: int = 0
    uid: int = 0
    uname: str = ""
    face: str | None = None
    price: int = 0
    message: str = ""
    message_trans: str = ""
    start_time: int = 0
    end_time: int = 0
    time: int = 0
    """Seconds it stays pinned."""
    background_color: str = ""
    guard_level: int = 0
    user_level: int = 0
    medal: _Medal = Field(None, validation_alias=_choices("medal_info", "medal"))

    @classmethod
    def _fields(cls, notice: dict[str, Any]) -> dict[str, Any]:
        fields = super()._fields(notice)
        user = fields.get("user_info")
        if isinstance(user, dict):
            for k in ("uname", "face", "guard_level", "user_level"):
                if k in user and k not in fields:
                    fields[k] = user[k]
        return fields


class GuardBuy(LiveEvent):
    """GUARD_BUY: someone bought a guard (大航海) membership."""

    uid: int = 0
    username: str = ""
    guard_level: int = 0
    """1 总督, 2 提督, 3 舰长."""
    num: int = 0
    price: int = 0
    """金瓜子 (1000 = 1 CNY)."""
    gift_id: int = 0
    gift_name: str = ""
    start_time: int = 0
    end_time: int = 0


class UserToast(LiveEvent):
    """USER_TOAST_MSG: the celebration banner of a guard purchase."""

    uid: int = 0
    username: str = ""
    guard_level: int = 0
    num: int = 0
    price: int = 0
    unit: str = ""
    """`月` for monthly."""
    role_name: str = ""
    gift_id: int = 0
    op_type: int = 0
    """1 new, 2 renew, 3 upgrade."""
    start_time: int = 0
    end_time: int = 0
    toast_msg: str = ""
    payflow_id: str = ""


class InteractWord(LiveEvent):
    """INTERACT_WORD / INTERACT_WORD_V2 (protobuf): a user entered, followed or shared."""

    uid: int = 0
    uname: str = ""
    uname_color: str = ""
    face: str | None = None
    msg_type: int = 0
    """1 entered, 2 followed, 3 shared, 4 special follow, 5 mutual follow, 6 liked."""
    identities: list[int] = Field(default_factory=list)
    timestamp: int = 0
    """Seconds since the epoch."""
    trigger_time: int = 0
    score: int = 0
    medal: _Medal = Field(None, validation_alias=_choices("fans_medal", "fans_medal_info", "medal"))
    privilege_type: int = 0
    """Guard level: 0 none, 1 总督, 2 提督, 3 舰长."""
    is_spread: int = 0
    spread_info: str = ""
    spread_desc: str = ""
    is_mystery: BoolInt = False

    @classmethod
    def _fields(cls, notice: dict[str, Any]) -> dict[str, Any]:
        fields = super()._fields(notice)
        pb = fields.pop("pb", None)
        if isinstance(pb, str):
            decoded = decode_interact_word(_b64(pb))
            decoded.pop("roomid", None)
            fields.update(decoded)
        if not fields.get("face"):
            fields["face"] = _face(fields.get("uinfo"), fields.get("user_info"))
        return fields


class LikeClick(LiveEvent):
    """LIKE_INFO_V3_CLICK: a user liked the stream."""

    uid: int = 0
    uname: str = ""
    uname_color: str = ""
    like_text: str = ""
    like_icon: str = ""
    msg_type: int = 0
    medal: _Medal = Field(None, validation_alias=_choices("fans_medal", "medal"))


class LikeUpdate(LiveEvent):
    """LIKE_INFO_V3_UPDATE: the room's total like count."""

    click_count: int = 0


class OnlineRankCount(LiveEvent):
    """ONLINE_RANK_COUNT: the high-energy (高能) user count."""

    count: int = 0
    count_text: str = ""
    online_count: int | None = None
    online_count_text: str | None = None


class OnlineRankUser(BiliModel):
    """One row of the high-energy ranking."""

    uid: int = 0
    uname: str = ""
    face: str = ""
    score: _LenientInt = 0
    rank: int = 0
    guard_level: int = 0
    is_mystery: BoolInt = False


class OnlineRank(LiveEvent):
    """ONLINE_RANK_V2 / ONLINE_RANK_V3 (protobuf): the high-energy ranking's top rows."""

    rank_type: str | None = None
    ranks: list[OnlineRankUser] = Field(
        default_factory=list, validation_alias=_choices("list", "ranks")
    )
    online_list: list[OnlineRankUser] = Field(default_factory=list)

    @classmethod
    def _fields(cls, notice: dict[str, Any]) -> dict[str, Any]:
        fields = super()._fields(notice)
        pb = fields.pop("pb", None)
        if isinstance(pb, str):
            fields.update(decode_online_rank(_b64(pb)))
        return fields


class WatchedChange(LiveEvent):
    """WATCHED_CHANGE: how many people have watched this broadcast (看过)."""

    num: int = 0
    text_small: str = ""
    text_large: str = ""


class RoomChange(LiveEvent):
    """ROOM_CHANGE: the title or area changed."""

    title: str = ""
    area_id: int = 0
    parent_area_id: int = 0
    area_name: str = ""
    parent_area_name: str = ""
    live_key: str = ""
    sub_session_key: str = ""


class RoomRealTimeUpdate(LiveEvent):
    """ROOM_REAL_TIME_MESSAGE_UPDATE: follower and fan-club counts."""

    fans: int = 0
    fans_club: int = 0
    red_notice: int = 0


class LiveStart(LiveEvent):
    """LIVE: the broadcast started."""

    live_key: str = ""
    sub_session_key: str = ""
    live_platform: str = ""
    live_model: int = 0
    live_time: int | None = None
    """Seconds since the epoch."""


class LivePreparing(LiveEvent):
    """PREPARING: the broadcast ended (the room is preparing)."""

    round: int = 0
    """1 when a loop of recorded videos plays instead."""


class RoomWarning(LiveEvent):
    """WARNING: the room was warned by a moderator."""

    msg: str = ""


class CutOff(LiveEvent):
    """CUT_OFF: the broadcast was cut off by a moderator."""

    msg: str = ""


EVENT_TYPES: dict[str, type[LiveEvent]] = {
    "DANMU_MSG": DanmakuMessage,
    "SEND_GIFT": SendGift,
    "COMBO_SEND": ComboSend,
    "SUPER_CHAT_MESSAGE": SuperChat,
    "SUPER_CHAT_MESSAGE_JPN": SuperChat,
    "GUARD_BUY": GuardBuy,
    "USER_TOAST_MSG": UserToast,
    "INTERACT_WORD": InteractWord,
    "INTERACT_WORD_V2": InteractWord,
    "LIKE_INFO_V3_CLICK": LikeClick,
    "LIKE_INFO_V3_UPDATE": LikeUpdate,
    "ONLINE_RANK_COUNT": OnlineRankCount,
    "ONLINE_RANK_V2": OnlineRank,
    "ONLINE_RANK_V3": OnlineRank,
    "WATCHED_CHANGE": WatchedChange,
    "ROOM_CHANGE": RoomChange,
    "ROOM_REAL_TIME_MESSAGE_UPDATE": RoomRealTimeUpdate,
    "LIVE": LiveStart,
    "PREPARING": LivePreparing,
    "WARNING": RoomWarning,
    "CUT_OFF": CutOff,
}
"""cmd -> model. Commands not listed become `RawEvent`."""


def normalize_cmd(cmd: str) -> str:
    """`DANMU_MSG:4:0:2:2:2:0` -> `DANMU_MSG`; any `...RECALL_DANMU_MSG...` -> that name."""
    if ":" in cmd:
        cmd = cmd.split(":", 1)[0]
    if "DANMU_MSG" in cmd and cmd != "DANMU_MSG":
        return "RECALL_DANMU_MSG" if "RECALL_DANMU_MSG" in cmd else "DANMU_MSG"
    return cmd


def parse_event(notice: dict[str, Any], room_id: int = 0) -> LiveEvent:
    """The typed event of one notice; a `RawEvent` when it has no model or does not fit it."""
    cmd = notice.get("cmd") if isinstance(notice, dict) else None
    if not isinstance(cmd, str):
        return RawEvent(cmd="", room_id=room_id, raw=notice if isinstance(notice, dict) else {})
    cmd = normalize_cmd(cmd)
    cls = EVENT_TYPES.get(cmd)
    if cls is None:
        return RawEvent(cmd=cmd, room_id=room_id, data=notice.get("data"), raw=notice)
    try:
        if cls is DanmakuMessage and cls.__pydantic_complete__:
            event = DanmakuMessage._construct(notice, cmd, room_id)
            if event is not None:
                return event
        fields = cls._fields(notice)
        fields["cmd"] = cmd
        fields["room_id"] = room_id
        fields["raw"] = notice
        if not cls.__pydantic_complete__:  # built on first use (defer_build)
            return cls.model_validate(fields)
        # The model's validator itself: model_validate's keyword handling costs 0.5 us,
        # about a tenth of the validation, on every notice.
        validated: LiveEvent = cls.__pydantic_validator__.validate_python(fields)
        return validated
    except (ValidationError, ValueError, TypeError, KeyError) as e:
        return RawEvent(
            cmd=cmd,
            room_id=room_id,
            data=notice.get("data"),
            raw=notice,
            error=f"{type(e).__name__}: {e}",
        )


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"bad base64 in data.pb: {e}") from None

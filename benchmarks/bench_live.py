#!/usr/bin/env python
"""Live danmaku frame decoding: bilibili_sdk.live.decode_frame beside the seed's unpack.

    python benchmarks/bench_live.py            # full run (about 30 s on 2 cores)
    python benchmarks/bench_live.py --quick    # smoke run (a few seconds)
    python benchmarks/bench_live.py --json out.json

No network. Frames of 1-20 realistic notices (DANMU_MSG, SEND_GIFT, INTERACT_WORD, in a
fixed mix) are built once, brotli- and zlib-compressed as the server sends them; both
decoders then turn the same frames into packets with JSON-decoded bodies. The seed
(bilibili-api-python 17.4.2) is `LiveDanmaku._LiveDanmaku__unpack`; it has no zlib branch
(protover 2 bodies are handed to the JSON decoder as they are), so its zlib column is n/a.
See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
import timeit
import warnings
from collections.abc import Callable
from typing import Any

from _report import ROWS, Row, finish

SIZES = (1, 2, 5, 10, 20)
TARGET = 1.5  # ours / seed, messages per second, brotli frames of all sizes together


# --------------------------------------------------------------------------- notices
_WORDS = "主播好厉害今天的直播太好看了哈哈哈哈这个操作绝了加油冲鸭晚上好来了来了前排弹幕护体awsl"


def _text(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _uinfo(rng: random.Random, uid: int, name: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "base": {
            "name": name,
            "face": f"https://i0.hdslb.com/bfs/face/{rng.getrandbits(160):040x}.jpg",
            "name_color": 0,
            "is_mystery": False,
            "risk_ctrl_info": None,
            "origin_info": {
                "name": name,
                "face": "https://i0.hdslb.com/bfs/face/member/noface.jpg",
            },
            "official_info": {"role": 0, "title": "", "desc": "", "type": -1},
            "name_color_str": "",
        },
        "medal": {
            "name": "粉丝牌",
            "level": rng.randint(1, 30),
            "color_start": 1725515,
            "color_end": 5414290,
            "color_border": 1725515,
            "color": 1725515,
            "id": 0,
            "typ": 0,
            "is_light": 1,
            "ruid": 11153765,
            "guard_level": rng.choice((0, 0, 0, 3)),
            "score": rng.randint(1, 10**8),
            "guard_icon": "",
            "honor_icon": "",
            "v2_medal_color_start": "#4775EFCC",
            "v2_medal_color_end": "#4775EFCC",
            "v2_medal_color_border": "#58A1F8FF",
            "v2_medal_color_text": "#FFFFFFFF",
            "v2_medal_color_level": "#000B7099",
            "user_receive_count": 0,
        },
        "wealth": {"level": rng.randint(1, 40), "dm_icon_key": ""},
        "title": {"old_title_css_id": "", "title_css_id": ""},
        "guard": None,
        "uhead_frame": None,
        "guard_leader": {"is_guard_leader": False},
    }


def danmu_msg(rng: random.Random) -> dict[str, Any]:
    uid = rng.randint(10**6, 10**9)
    name = _text(rng, 2, 8)
    text = _text(rng, 4, 30)
    extra = {
        "send_from_me": False,
        "mode": 0,
        "color": 16777215,
        "dm_type": 0,
        "font_size": 25,
        "player_mode": 1,
        "show_player_type": 0,
        "content": text,
        "user_hash": str(rng.getrandbits(32)),
        "emoticon_unique": "",
        "bulge_display": 0,
        "recommend_score": rng.randint(0, 10),
        "main_state_dm_color": "",
        "objective_state_dm_color": "",
        "direction": 0,
        "pk_direction": 0,
        "quartet_direction": 0,
        "anniversary_crowd": 0,
        "yeah_space_type": "",
        "yeah_space_url": "",
        "jump_to_url": "",
        "space_type": "",
        "space_url": "",
        "animation": {},
        "emots": None,
        "is_audited": False,
        "id_str": f"{rng.getrandbits(128):032x}",
        "icon": None,
        "show_reply": True,
        "reply_mid": 0,
        "reply_uname": "",
        "reply_uname_color": "",
        "reply_is_mystery": False,
        "hit_combo": 0,
    }
    ts = 1700000000000 + rng.randint(0, 10**8)
    return {
        "cmd": "DANMU_MSG",
        "dm_v2": "",
        "info": [
            [0, 1, 25, 16777215, ts, rng.getrandbits(31), 0, f"{rng.getrandbits(32):08x}", 0, 0,
             0, "", 0, "{}", "{}",
             {"mode": 0, "show_player_type": 0, "extra": json.dumps(extra, ensure_ascii=False),
              "user": _uinfo(rng, uid, name)},
             {"activity_identity": "", "activity_source": 0, "not_show": 0}, 0],
            text,
            [uid, name, 0, 0, 0, 10000, 1, ""],
            [rng.randint(1, 30), "粉丝牌", "主播名", 23058, 1725515, "", 0, 1725515, 1725515,
             5414290, 0, 1, 11153765],
            [rng.randint(1, 60), 0, 9868950, ">50000", 0],
            ["", ""],
            0, 0, None, {"ts": ts // 1000, "ct": f"{rng.getrandbits(32):08X}"}, 0, 0, None, None,
            0, 105, [rng.randint(1, 40)], None,
        ],
        "is_report": False,
        "msg_id": f"{rng.getrandbits(40)}:1000:1000",
        "p_is_ack": True,
        "p_msg_type": 1,
        "send_time": ts + 120,
    }  # fmt: skip


def send_gift(rng: random.Random) -> dict[str, Any]:
    uid = rng.randint(10**6, 10**9)
    name = _text(rng, 2, 8)
    num = rng.choice((1, 1, 5, 10))
    return {
        "cmd": "SEND_GIFT",
        "data": {
            "action": "投喂",
            "batch_combo_id": f"batch:gift:combo_id:{uid}:11153765:31036:{rng.random():.4f}",
            "batch_combo_send": None,
            "beatId": "",
            "biz_source": "Live",
            "blind_gift": None,
            "broadcast_id": 0,
            "coin_type": "gold",
            "combo_resources_id": 1,
            "combo_send": None,
            "combo_stay_time": 5,
            "combo_total_coin": 100 * num,
            "crit_prob": 0,
            "demarcation": 1,
            "discount_price": 100,
            "dmscore": rng.randint(1, 200),
            "draw": 0,
            "effect": 0,
            "effect_block": 1,
            "face": f"https://i0.hdslb.com/bfs/face/{rng.getrandbits(160):040x}.jpg",
            "face_effect_id": 0,
            "face_effect_type": 0,
            "float_sc_resource_id": 0,
            "giftId": 31036,
            "giftName": "小花花",
            "giftType": 0,
            "gift_info": {
                "effect_id": 0,
                "gif": "https://i0.hdslb.com/bfs/live/a.gif",
                "has_imaged_gift": 0,
                "img_basic": "https://s1.hdslb.com/bfs/live/8b40d0470890e7d573995383af8a.png",
                "webp": "https://i0.hdslb.com/bfs/live/b.webp",
            },
            "gift_tag": [],
            "gold": 0,
            "guard_level": 0,
            "is_first": rng.random() < 0.1,
            "is_join_receiver": False,
            "is_naming": False,
            "is_special_batch": 0,
            "magnification": 1,
            "medal_info": {
                "anchor_roomid": 0,
                "anchor_uname": "",
                "guard_level": 0,
                "icon_id": 0,
                "is_lighted": 1,
                "medal_color": 1725515,
                "medal_color_border": 1725515,
                "medal_color_end": 5414290,
                "medal_color_start": 1725515,
                "medal_level": rng.randint(1, 30),
                "medal_name": "粉丝牌",
                "special": "",
                "target_id": 11153765,
            },
            "name_color": "",
            "num": num,
            "original_gift_name": "",
            "price": 100,
            "rcost": rng.randint(10**6, 10**8),
            "receive_user_info": {"uid": 11153765, "uname": "主播名"},
            "receiver_uinfo": _uinfo(rng, 11153765, "主播名"),
            "remain": 0,
            "rnd": str(rng.getrandbits(60)),
            "send_master": None,
            "sender_uinfo": _uinfo(rng, uid, name),
            "silver": 0,
            "super": 0,
            "super_batch_gift_num": num,
            "super_gift_num": num,
            "svga_block": 0,
            "switch": True,
            "tag_image": "",
            "tid": str(rng.getrandbits(62)),
            "timestamp": 1700000000 + rng.randint(0, 10**5),
            "top_list": None,
            "total_coin": 100 * num,
            "uid": uid,
            "uname": name,
            "wealth_level": rng.randint(1, 40),
        },
    }


def interact_word(rng: random.Random) -> dict[str, Any]:
    uid = rng.randint(10**6, 10**9)
    name = _text(rng, 2, 8)
    return {
        "cmd": "INTERACT_WORD",
        "data": {
            "contribution": {"grade": 0},
            "contribution_v2": {"grade": 0, "rank_type": "", "text": ""},
            "core_user_type": 0,
            "dmscore": rng.randint(1, 20),
            "fans_medal": {
                "anchor_roomid": 23058,
                "guard_level": 0,
                "icon_id": 0,
                "is_lighted": 1,
                "medal_color": 1725515,
                "medal_color_border": 1725515,
                "medal_color_end": 5414290,
                "medal_color_start": 1725515,
                "medal_level": rng.randint(1, 30),
                "medal_name": "粉丝牌",
                "score": rng.randint(1, 10**6),
                "special": "",
                "target_id": 11153765,
            },
            "group_medal": None,
            "identities": [1],
            "is_mystery": False,
            "is_spread": 0,
            "msg_type": 1,
            "privilege_type": 0,
            "roomid": 23058,
            "score": 1700000000000 + rng.randint(0, 10**8),
            "spread_desc": "",
            "spread_info": "",
            "tail_icon": 0,
            "tail_text": "",
            "timestamp": 1700000000 + rng.randint(0, 10**5),
            "trigger_time": 1700000000000000000 + rng.randint(0, 10**12),
            "uid": uid,
            "uinfo": _uinfo(rng, uid, name),
            "uname": name,
            "uname_color": "",
        },
    }


MIX = (danmu_msg, danmu_msg, interact_word, danmu_msg, send_gift, interact_word, danmu_msg)


def build_frames(size: int, count: int, protover: int, seed: int) -> list[bytes]:
    from bilibili_sdk.live import encode_packet

    rng = random.Random(seed)
    frames = []
    k = 0
    for _ in range(count):
        notices = []
        for _ in range(size):
            notices.append(MIX[k % len(MIX)](rng))
            k += 1
        inner = b"".join(encode_packet(5, n, protover=0) for n in notices)
        frames.append(encode_packet(5, inner, protover=protover))
    return frames


# --------------------------------------------------------------------------- timing
def best_rate(fn: Callable[[], object], messages: int, number: int, repeat: int) -> float:
    """Messages per second of the fastest of `repeat` runs of `number` calls."""
    gc.collect()
    t = min(timeit.repeat(fn, number=number, repeat=repeat)) / number
    return messages / t


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="small iteration counts (smoke run)")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    args = p.parse_args()
    frames_per_size, number, repeat = (20, 3, 3) if args.quick else (60, 10, 7)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from bilibili_api.live import LiveDanmaku
    from bilibili_sdk.live import decode_frame, parse_event

    # The seed's private static unpack (name-mangled), as its reader calls it.
    seed_unpack: Callable[[bytes], list[dict[str, Any]]]
    seed_unpack = LiveDanmaku._LiveDanmaku__unpack  # type: ignore[attr-defined]

    def ours(frames: list[bytes]) -> Callable[[], object]:
        def run() -> None:
            for f in frames:
                decode_frame(f)

        return run

    def ours_typed(frames: list[bytes]) -> Callable[[], object]:
        def run() -> None:
            for f in frames:
                for pkt in decode_frame(f):
                    if pkt.operation == 5:
                        parse_event(pkt.body, 23058)  # type: ignore[arg-type]

        return run

    def seed(frames: list[bytes]) -> Callable[[], object]:
        def run() -> None:
            for f in frames:
                seed_unpack(f)

        return run

    started = time.perf_counter()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"mode {'quick' if args.quick else 'full'}; {frames_per_size} frames per size",
        flush=True,
    )
    totals = {"ours": 0.0, "seed": 0.0, "typed": 0.0, "zlib": 0.0, "zlib_typed": 0.0}
    for size in SIZES:
        br = build_frames(size, frames_per_size, 3, seed=size)
        zl = build_frames(size, frames_per_size, 2, seed=size)
        # Same input, same output: ours equals the seed's packets on every brotli frame.
        for f in br:
            mine = [(q.operation, q.body) for q in decode_frame(f)]
            theirs = [(d["datapack_type"], d["data"]) for d in seed_unpack(f)]
            assert mine == theirs, "decoders disagree"
        msgs = size * frames_per_size
        o = best_rate(ours(br), msgs, number, repeat)
        s = best_rate(seed(br), msgs, number, repeat)
        t = best_rate(ours_typed(br), msgs, number, repeat)
        z = best_rate(ours(zl), msgs, number, repeat)
        zt = best_rate(ours_typed(zl), msgs, number, repeat)
        for key, rate in (("ours", o), ("seed", s), ("typed", t), ("zlib", z), ("zlib_typed", zt)):
            totals[key] += msgs / rate  # seconds for this size's frames
        kb = sum(len(f) for f in br) / len(br) / 1024
        label = f"{size} notice{'s' if size > 1 else ''}/frame"
        ROWS.append(
            Row("brotli", label, o, s, "msg/s", "seed __unpack", note=f"{kb:.1f} KiB/frame")
        )
        ROWS.append(Row("zlib", label, z, None, "msg/s", "seed: no zlib"))
        ROWS.append(Row("brotli + typed events", label, t, s, "msg/s", "seed __unpack (dicts)"))
        print(f"  {label}: ours {o:,.0f}  seed {s:,.0f}  ({o / s:.2f}x)", flush=True)

    msgs_all = sum(SIZES) * frames_per_size
    rate = {k: msgs_all / v for k, v in totals.items()}
    ROWS.append(
        Row(
            "brotli",
            "all sizes (1-20 notices/frame)",
            rate["ours"],
            rate["seed"],
            "msg/s",
            "seed __unpack",
            target=f">= {TARGET:.2f}x",
            limit=TARGET,
            higher_is_better=True,
            note="total messages / total time over every frame size, each size weighted by "
            "its frame count",
        )
    )
    ROWS.append(
        Row(
            "zlib",
            "all sizes (1-20 notices/frame)",
            rate["zlib"],
            None,
            "msg/s",
            "seed: no zlib",
            note="the seed's unpack has no protover-2 branch: it passes the compressed body to "
            "the JSON decoder, so there is nothing to compare with",
        )
    )
    ROWS.append(
        Row(
            "brotli + typed events",
            "all sizes (1-20 notices/frame)",
            rate["typed"],
            rate["seed"],
            "msg/s",
            "seed __unpack (dicts)",
            note="decode_frame + parse_event (pydantic models); the seed builds no model, so "
            "this ratio is for information",
        )
    )
    ROWS.append(
        Row(
            "zlib + typed events", "all sizes (1-20 notices/frame)", rate["zlib_typed"], None,
            "msg/s", "seed: no zlib",
        )
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    import brotli

    misses = finish(
        args, elapsed, {"brotli": brotli.__version__, "frames_per_size": frames_per_size}
    )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

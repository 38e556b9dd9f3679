"""Parity cases of the `dynamic` namespace (see the package docstring for the format)."""

from __future__ import annotations

from typing import Any

import bilibili_api
from bilibili_api import dynamic as seed_dynamic

from .._parity_base import MYINFO_MID, Case, Diff, _d

NAMESPACES = ("dynamic",)

DYN = 1014851722311909432
DRAFT = 1014851722311909500


def _seed_dyn(c: bilibili_api.Credential) -> seed_dynamic.Dynamic:
    return seed_dynamic.Dynamic(DYN, credential=c)


# What the seed's send_dynamic builds for the text "hello" (no images, no topic), key order kept.
HELLO_DYN_REQ: dict[str, Any] = {
    "content": {"contents": [{"biz_id": "", "type": 1, "raw_text": "hello"}]},
    "scene": 1,
    "meta": {"app_meta": {"from": "create.dynamic.web", "mobi_app": "web"}},
    "attach_card": None,
}

CASES: list[Case] = [
    (
        "dynamic",
        "get_feed",
        {"type": "video", "page": 2, "offset": "123"},
        lambda c: seed_dynamic.get_dynamic_page_info(
            c, _type=seed_dynamic.DynamicType.VIDEO, pn=2, offset=123
        ),
    ),
    ("dynamic", "get_portal", {}, lambda c: seed_dynamic.get_dynamic_page_UPs_info(c)),
    ("dynamic", "get_updated_users", {}, lambda c: seed_dynamic.get_new_dynamic_users(c)),
    ("dynamic", "get_live_users", {"size": 5}, lambda c: seed_dynamic.get_live_users(5, c)),
    ("dynamic", "get_detail", {"dynamic_id": DYN}, lambda c: _seed_dyn(c).get_info()),
    (
        "dynamic",
        "get_reactions",
        {"dynamic_id": DYN, "offset": "abc"},
        lambda c: _seed_dyn(c).get_reaction(offset="abc"),
    ),
    (
        "dynamic",
        "get_reposts",
        {"dynamic_id": DYN, "offset": "123"},
        lambda c: _seed_dyn(c).get_reposts(offset="123"),
    ),
    (
        "dynamic",
        "get_likes",
        {"dynamic_id": DYN, "page": 2, "page_size": 10},
        lambda c: _seed_dyn(c).get_likes(pn=2, ps=10),
    ),
    ("dynamic", "get_lottery", {"dynamic_id": DYN}, lambda c: _seed_dyn(c).get_lottery_info()),
    (
        "dynamic",
        "like",
        {"dynamic_id": DYN, "like": 1, "uid": MYINFO_MID},
        lambda c: _seed_dyn(c).set_like(True),
    ),
    ("dynamic", "repost", {"dynamic_id": DYN}, lambda c: _seed_dyn(c).repost()),
    ("dynamic", "delete", {"dynamic_id": DYN}, lambda c: _seed_dyn(c).delete()),
    ("dynamic", "pin", {"dynamic_id": str(DYN)}, lambda c: _seed_dyn(c).set_top()),
    ("dynamic", "unpin", {"dynamic_id": str(DYN)}, lambda c: _seed_dyn(c).remove_top()),
    (
        "dynamic",
        "create",
        {"dyn_req": HELLO_DYN_REQ},
        lambda c: seed_dynamic.send_dynamic(
            seed_dynamic.BuildDynamic.create_by_args(text="hello"), c
        ),
    ),
    ("dynamic", "get_schedules", {}, lambda c: seed_dynamic.get_schedules_list(c)),
    (
        "dynamic",
        "publish_schedule",
        {"draft_id": DRAFT},
        lambda c: seed_dynamic.send_schedule_now(DRAFT, c),
    ),
    (
        "dynamic",
        "delete_schedule",
        {"draft_id": DRAFT},
        lambda c: seed_dynamic.delete_schedule(DRAFT, c),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("dynamic", "repost"): _d(
        "seed always sends at_uids and ctrl (empty when nobody is mentioned), ours only when "
        "given; seed appends a space to the text (its mention parser), ours sends it as given",
        missing="at_uids ctrl",
        values="content",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {
    ("dynamic", "upload_image"): (
        "seed broken on its httpx backend: upload_image hands httpx a BiliAPIFile, which has no "
        "read() (AttributeError before any request)"
    ),
}

"""Parity cases of the `interactive` namespace (seed: interactive_video.InteractiveVideo)."""

from __future__ import annotations

from typing import Any

import bilibili_api
from bilibili_api import interactive_video as seed_iv

from .._parity_base import AID, BVID, PAGE0_CID, Case, Diff, _d

NAMESPACES = ("interactive",)
GRAPH_VERSION = 215426


def _seed(c: bilibili_api.Credential) -> seed_iv.InteractiveVideo:
    return seed_iv.InteractiveVideo(bvid=BVID, credential=c)


async def _edge(c: bilibili_api.Credential) -> Any:
    v = _seed(c)
    v._InteractiveVideo__version = GRAPH_VERSION  # type: ignore[attr-defined]  # skip its lookup
    return await v.get_edge_info(7)


CASES: list[Case] = [
    (
        "interactive",
        "get_graph_version",
        {"bvid": BVID, "cid": PAGE0_CID},  # the seed reads its first part's cid
        lambda c: _seed(c).get_graph_version(),
    ),
    (
        "interactive",
        "get_edge_info",
        {"aid": AID, "graph_version": GRAPH_VERSION, "edge_id": 7},
        _edge,
    ),
    ("interactive", "get_creator_pages", {"bvid": BVID}, lambda c: _seed(c).up_get_ivideo_pages()),
    ("interactive", "mark_score", {"bvid": BVID, "mark": 4}, lambda c: _seed(c).mark_score(4)),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("interactive", "get_edge_info"): _d(
        "seed adds `buvid` (its buvid3) as a query value; ours sends buvid3 as the cookie only",
        missing="buvid",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {
    ("interactive", "submit_story_tree"): (
        "seed broken: up_submit_story_tree passes its urlencoded form string to "
        "Api.update_data(**data), which raises TypeError before sending"
    ),
}

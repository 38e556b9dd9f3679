"""The bundled zone table, checked against the seed library's own lookups."""

from __future__ import annotations

import json
import os

import pytest
from bilibili_api import video_zone as seed_zone

from bilibili_sdk import ArgsException, zones

# The seed's list names these channels twice: as main channels of the new layout and as
# subzones of 生活/游戏; its lookup returns the first (a main channel, no parent), ours the
# subzone with its parent, which is what the API's tid means.
LISTED_TWICE = {17, 138}


def _seed_tids() -> list[int]:
    out: list[int] = []
    path = os.path.join(os.path.dirname(seed_zone.__file__), "data/video_zone.json")
    with open(path, encoding="utf8") as f:
        for main in json.load(f):
            if "tid" in main:
                out.append(main["tid"])
            out += [s["tid"] for s in main.get("sub", []) if "tid" in s]
    return sorted(set(out))


@pytest.mark.parametrize("tid", _seed_tids())
def test_every_zone_agrees_with_the_seed(tid: int) -> None:
    main, sub = seed_zone.get_zone_info_by_tid(tid)
    zone = zones.get(tid)
    assert zone is not None
    if tid in LISTED_TWICE:
        assert zone.parent is not None
        return
    expected = sub or main
    assert (zone.tid, zone.name) == (tid, expected["name"])
    assert zone.parent == (main["tid"] if sub else None)


def test_lookups() -> None:
    assert zones.get(17) == zones.Zone(17, "单机游戏", "stand_alone", 4)
    assert zones.find("单机游戏") == zones.get(17)
    assert zones.find("stand_alone") == zones.get(17)  # by route
    assert zones.find("游戏") == zones.get(4)  # a part of a name: main zones first
    assert zones.find("喵") == zones.get(218)
    assert zones.find("no such zone") is None and zones.get(999_999) is None
    kids = zones.children(4)
    assert kids and all(z.parent == 4 for z in kids) and zones.get(17) in kids
    assert zones.children(17) == []
    assert all(z.is_main == (z.parent is None) for z in zones.all_zones())
    mains = {z.tid for z in zones.all_zones() if z.is_main}
    assert all(z.parent in mains for z in zones.all_zones() if not z.is_main)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: zones.get("17"), "tid"),
        (lambda: zones.find(""), "name"),
        (lambda: zones.get(True), "tid"),
    ],
)
def test_bad_arguments(call: object, argument: str) -> None:
    with pytest.raises(ArgsException) as ei:
        call()  # type: ignore[operator]
    assert ei.value.argument == argument

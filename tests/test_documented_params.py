"""The catalogue against the parameters the community docs list (tests/fixtures/collect).

For every implemented endpoint whose URL a record of bilibili-API-collect documents, the
parameter names and their locations (query, form, JSON body) in `api_spec/` are compared with
the record's parameter table, and the HTTP method with the record's. Every difference is listed
below with the reason it is deliberate; a new difference, or a listed one that went away, fails.

Not compared: names the runtime adds itself where it must (csrf/csrf_token, WBI's
w_rid/wts/web_location and dm_* values, APP appkey/sign; the request-shape tests check those),
`access_key` (the APP login token: this SDK logs in with cookies), struck-through rows and rows
of nested JSON objects.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from codegen.loader import Endpoint as SpecEndpoint

from ._corpus import records
from .test_catalogue import ENDPOINTS, runtime_added


class Diff(NamedTuple):
    why: str
    missing: frozenset[str] = frozenset()  # documented, not sent by us
    extra: frozenset[str] = frozenset()  # sent by us, not documented
    moved: frozenset[str] = frozenset()  # "name:doc_location>our_location"
    method: str | None = None  # the documented method, when it differs from ours


def _d(
    why: str, *, missing: str = "", extra: str = "", moved: str = "", method: str | None = None
) -> Diff:
    return Diff(
        why, frozenset(missing.split()), frozenset(extra.split()), frozenset(moved.split()), method
    )


SHARED_SEARCH = "one doc section covers every search type; ours splits them by type"
ONE_URL_TWO_SECTIONS = "one URL, two doc sections (title / tags): each lists its own fields"
WEB_NOISE = "web-client telemetry with no documented effect; the seed does not send it either"

# (endpoint, record id) -> the reviewed difference.
DOCUMENTED_DIFFERENCES: dict[tuple[str, str], Diff] = {
    ("live.stop_live", "live/manage#5"): _d(
        "the web client and the seed send platform (pc_link); the doc table predates it",
        extra="platform",
    ),
    ("live.update_room", "live/manage#3"): _d(ONE_URL_TWO_SECTIONS, extra="add_tag del_tag"),
    ("live.update_room", "live/manage#7"): _d(ONE_URL_TWO_SECTIONS, extra="title"),
    ("live.get_banned_users", "live/silent_user_manage#3"): _d(
        "the table says ps1 (a typo) and an unknown visit_id; its example request and the seed "
        "send ps",
        missing="ps1 visit_id",
        extra="ps",
    ),
    ("live.ban_user", "live/silent_user_manage#2"): _d(
        "the seed and the web client send the ban duration (hour) and its type; the doc's "
        "section shows an older form",
        extra="hour type",
    ),
    ("live.get_danmu_info", "live/message_stream#2"): _d(
        "the web client (and the seed) send type=0 and web_location=444.8; the doc shows the "
        "bare id",
        extra="type web_location",
    ),
    ("live.get_status_by_mids", "live/info#7"): _d(
        "the doc lists the POST form `uids` next to the GET query `uids[]`; ours is the GET",
        missing="uids",
    ),
    ("live.get_room_play_info_v2", "live/info#10"): _d(
        "optional stream variants (dolby, panorama) the web player adds; not offered yet",
        missing="dolby panorama",
    ),
    ("live.get_legacy_play_url", "live/live_stream#2"): _d(
        "quality and qn are alternatives (the doc says pick one); ours takes qn",
        missing="quality",
    ),
    ("search.search", "search/search_request#2"): _d(
        "the web client pages the combined search too; the doc lists only the keyword",
        extra="page",
    ),
    ("search.search_by_type", "search/search_request#3"): _d(
        SHARED_SEARCH + "; page_size and the pubtime range are what the web client sends",
        extra="page_size pubtime_begin_s pubtime_end_s",
    ),
    ("search.search_live", "search/search_request#3"): _d(
        SHARED_SEARCH + "; the user, video and article filters do not apply to live search",
        missing="category_id duration order_sort tids user_type",
        extra="page_size",
    ),
    ("search.get_suggest_keywords", "search/suggest#2"): _d(
        "optional tuning knobs of unclear effect (the doc marks them with '?'); the seed sends "
        "only term",
        missing=(
            "bangumi_acc_num bangumi_num buvid func highlight main_ver rnd special_acc_num "
            "special_num spmid sub_type suggest_type tag_num topic_acc_num upuser_acc_num "
            "upuser_num userid"
        ),
    ),
    ("user.get_my_whisper_followings", "user/relation#10"): _d(
        "the seed pages this list (pn/ps); the doc lists no parameters", extra="pn ps"
    ),
    ("user.get_my_notes", "note/list#3"): _d(
        "a GET needs no csrf (the doc marks it optional; the seed sends none)", missing="csrf"
    ),
    ("user.get_channel_videos_series", "video/collection#6"): _d(
        "only_normal has no known effect; current_mid only adds the caller's playback position",
        missing="current_mid only_normal",
    ),
    ("user.get_channel_videos_season", "video/collection#2"): _d(
        "gaia_vtoken is a captcha token, needed only after risk control", missing="gaia_vtoken"
    ),
    ("user.add_aids_to_series", "video/collection#11"): _d(
        "the doc section has no parameter table, only an example request, which sends these",
        extra="aids mid series_id",
    ),
    ("user.get_login_log", "login/login_notice#3"): _d(
        "jsonp asks for a JSONP wrapper we do not want; web_location is telemetry",
        missing="jsonp web_location",
    ),
    ("user.get_moral_log", "login/member_center#12"): _d(
        "jsonp asks for a JSONP wrapper we do not want; web_location is telemetry",
        missing="jsonp web_location",
    ),
    ("user.get_videos", "user/space#31"): _d(
        "the web client and the seed send platform=web and order_avoided=true",
        extra="order_avoided platform",
    ),
    ("user.get_audios", "user/space#34"): _d(
        "the table says mid; its own example request, the seed and the server use uid",
        missing="mid",
        extra="uid",
    ),
    ("user.get_article_lists", "article/list#3"): _d(
        "jsonp/callback ask for a JSONP wrapper we do not want", missing="callback jsonp"
    ),
    ("user.get_dynamics_new", "dynamic/space#1"): _d(
        "the web client's risk-control JSON headers sent as query values, as the seed does",
        extra="x-bili-device-req-json x-bili-web-req-json",
    ),
    ("user.get_followings", "user/relation#5"): _d(
        "the seed and the web client send the sort order (desc/asc); the doc omits it",
        extra="order",
    ),
    ("user.get_followers", "user/relation#4"): _d(
        "the seed and the web client send the sort order (desc/asc); the doc omits it",
        extra="order",
    ),
    ("video.add_coin", "article/action#3"): _d(
        "this record is the article coin (avtype=2, upid); ours is the video coin with bvid and "
        "select_like, as the video doc and the seed's catalogue say",
        missing="avtype upid",
        extra="bvid select_like",
    ),
    ("video.share", "video/action#20"): _d(WEB_NOISE, missing="eab_x ga ramval source"),
    ("video.set_favorite", "video/action#14"): _d(
        WEB_NOISE, missing="eab_x ga gaia_source platform ramval"
    ),
    ("video.report_watch_history", "video/report#2"): _d(
        "platform=android identifies the APP; the web report goes without it",
        missing="platform",
    ),
    ("video.report_start_watching", "video/report#4"): _d(
        "the web player's full beacon (signed, with session and timing telemetry); the seed "
        "sends aid, cid, mid and part unsigned, and so do we",
        missing=(
            "from_spmid ftime lv outer referer_url session spmid stime sub_type type w_aid "
            "w_ftime w_part w_rid w_stime w_type web_location wts"
        ),
    ),
    ("video.get_danmaku_segment", "danmaku/danmaku_proto#2"): _d(
        "pull_mode/ps/pe have no documented meaning; the seed does not send them",
        missing="pe ps pull_mode",
    ),
    ("video.get_history_danmaku_segment", "danmaku/history#3"): _d(
        "the seed sends pid (the avid) with the history segment as with the live one",
        extra="pid",
    ),
    ("video.send_danmaku", "danmaku/action#2"): _d(
        "the newer web client signs the post and adds rnd/colorful/checkbox_type; the seed "
        "sends it unsigned with plat=1, and so do we (api_spec note)",
        missing="checkbox_type colorful rnd w_rid web_location wts",
        extra="plat",
    ),
    ("video.get_detail", "video/info#3"): _d(
        "the web client asks for the charging and operation cards too",
        extra="need_elec need_operation_card",
    ),
    ("video.get_ai_conclusion", "video/summary#2"): _d(
        "the web client's web_location; the doc lists only the signature", extra="web_location"
    ),
    # ---- creative
    ("creative.delete_comments", "comment/action#5"): _d(
        "the creator centre's batch delete: the seed sends jsonp=jsonp, which also tells it "
        "apart from comment.delete on the same URL",
        extra="jsonp",
    ),
    ("favorite.list_folders", "fav/info#3"): _d(
        "the seed and the web client send web_location=333.1387 (telemetry); it also tells the "
        "call apart from video.get_fav_folders, same URL, in the mock",
        extra="web_location",
    ),
}


def _documented(rec: dict[str, Any]) -> dict[str, str | None]:
    """name -> location (query / form / json / path / None) of a record's parameter table."""
    out: dict[str, str | None] = {}
    for p in rec["params"]:
        if p.get("deprecated") or p.get("parent"):
            continue
        loc = p.get("in")
        if loc == "body":
            loc = "json" if "json" in (p.get("content_type") or "") else "form"
        out.setdefault(p["name"], loc)
    return out


def _ours(ep: SpecEndpoint) -> dict[str, str]:
    out = {p.wire: p.location for p in ep.params}
    for loc, fixed in ep.fixed.items():
        out.update(dict.fromkeys(fixed, loc))
    return out


def difference(ep: SpecEndpoint, rec: dict[str, Any]) -> Diff | None:
    doc, ours = _documented(rec), _ours(ep)
    ignored = runtime_added(ep) | {"access_key"}
    missing = {k for k in doc if k not in ours and k not in ignored}
    extra = {k for k in ours if k not in doc}
    moved = {f"{k}:{doc[k]}>{ours[k]}" for k in doc if k in ours and doc[k] not in (None, ours[k])}
    method = rec["method"] if rec["method"] not in (None, ep.method) else None
    if not (missing or extra or moved or method):
        return None
    return Diff("", frozenset(missing), frozenset(extra), frozenset(moved), method)


def _cases() -> list[tuple[SpecEndpoint, dict[str, Any]]]:
    recs = records()
    return [
        (ep, rec)
        for ep in ENDPOINTS
        for rec in recs
        if any(u.split("?")[0] == ep.url for u in rec["urls"])
    ]


CASES = _cases()


@pytest.mark.parametrize(
    ("ep", "rec"), CASES, ids=[f"{e.namespace}.{e.name}[{r['id']}]" for e, r in CASES]
)
def test_catalogue_matches_documented_params(ep: SpecEndpoint, rec: dict[str, Any]) -> None:
    key = (f"{ep.namespace}.{ep.name}", rec["id"])
    got = difference(ep, rec)
    want = DOCUMENTED_DIFFERENCES.get(key)
    if want is None:
        assert got is None, (
            f"{key}: differs from the documented parameters: missing {sorted(got.missing)}, "
            f"extra {sorted(got.extra)}, moved {sorted(got.moved)}, method {got.method}; fix "
            "api_spec or add a reviewed entry with its reason"
        )
        return
    assert want.why, key
    assert got is not None, f"{key}: no longer differs; drop its DOCUMENTED_DIFFERENCES entry"
    assert got._replace(why=want.why) == want


def test_documented_differences_are_live() -> None:
    keys = {(f"{e.namespace}.{e.name}", r["id"]) for e, r in CASES}
    assert sorted(set(DOCUMENTED_DIFFERENCES) - keys) == []
    # the comparison covers a good part of the catalogue, with locations to check
    assert len({k[0] for k in keys}) >= 80
    located = [(e, p) for e, r in CASES for p in r["params"] if p.get("in") in ("query", "body")]
    assert len(located) >= 200


def test_difference_notices_a_moved_parameter() -> None:
    ep = next(e for e in ENDPOINTS if (e.namespace, e.name) == ("video", "like"))
    rec = {
        "method": "POST",
        "params": [
            {"name": "aid", "in": "query"},
            {"name": "bvid", "in": "body"},
            {"name": "like", "in": "body"},
        ],
    }
    got = difference(ep, rec)
    assert got is not None and got.moved == {"aid:query>form"} and not got.missing
    assert difference(ep, {**rec, "method": "GET"}).method == "GET"  # type: ignore[union-attr]

"""Import cost, public names, pure helpers, the mock server and the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bilibili_sdk
from bilibili_sdk import Client, aid2bvid, bvid2aid, wbi
from bilibili_sdk.__main__ import DEMO_BVID, DEMO_CVID, DEMO_MID, DEMO_ROOM, DEMO_SEASON
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._live_server import DEFAULT_SHORT_ID

from .conftest import ROOT

SEED_EXCEPTIONS = [
    "ApiException",
    "ArgsException",
    "CookiesRefreshException",
    "CredentialNoAcTimeValueException",
    "CredentialNoBiliJctException",
    "CredentialNoBuvid3Exception",
    "CredentialNoBuvid4Exception",
    "CredentialNoDedeUserIDException",
    "CredentialNoSessdataException",
    "DanmakuClosedException",
    "DynamicExceedImagesException",
    "ExClimbWuzhiException",
    "GeetestException",
    "LiveException",
    "LoginError",
    "NetworkException",
    "ResponseCodeException",
    "ResponseException",
    "StatementException",
    "VideoUploadException",
    "WbiRetryTimesExceedException",
]


def test_import_is_lazy() -> None:
    code = (
        "import sys, bilibili_sdk; "
        "print(sorted(m for m in sys.modules if m.startswith(('bilibili_sdk.models', 'bilibili_sdk.resources.', 'pydantic'))))"
    )
    env = {k: v for k, v in os.environ.items() if k != "BILIBILI_SDK_EAGER"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "['bilibili_sdk.resources._namespaces']"


def test_eager_mode_builds_everything() -> None:
    code = "import bilibili_sdk, sys; print(len([m for m in sys.modules if m.startswith('bilibili_sdk.models.')]))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BILIBILI_SDK_EAGER": "1"},
    )
    assert int(out.stdout) >= 3


def test_exception_names_at_root_and_module() -> None:
    from bilibili_sdk import exceptions

    for name in SEED_EXCEPTIONS:
        assert getattr(bilibili_sdk, name) is getattr(exceptions, name)
        assert issubclass(getattr(exceptions, name), exceptions.ApiException)
    assert issubclass(exceptions.ArgsException, ValueError)
    assert issubclass(exceptions.WbiRetryTimesExceedException, exceptions.ResponseCodeException)


def test_dir_lists_lazy_names() -> None:
    names = dir(bilibili_sdk)
    for n in (
        "Client",
        "AsyncClient",
        "Credential",
        "aid2bvid",
        "request_log",
        "request_settings",
        "wbi",
    ):
        assert n in names
    with pytest.raises(AttributeError):
        bilibili_sdk.does_not_exist  # noqa: B018


@pytest.mark.parametrize(
    ("aid", "bvid"),
    [
        (170001, "BV17x411w7KC"),
        (1, "BV1xx411c7mQ"),
        (2, "BV1xx411c7mD"),
        (114514, "BV1fx411c7Z8"),
        (99999999, "BV1y7411Q7Eq"),
        (1054803170, "BV1mH4y1u7UA"),
        (2**51 - 1, "BV1aPPTfmvQq"),
    ],
)
def test_id_vectors(aid: int, bvid: str) -> None:
    assert aid2bvid(aid) == bvid
    assert bvid2aid(bvid) == aid


def test_id_bad_input() -> None:
    for bad in (0, -1, 2**51, True, "1"):
        with pytest.raises(bilibili_sdk.ArgsException):
            aid2bvid(bad)  # type: ignore[arg-type]
    for bad in ("BV1xx411c7m", "av170001", "BV1xx411c7m0", 5):
        with pytest.raises(bilibili_sdk.ArgsException):
            bvid2aid(bad)  # type: ignore[arg-type]


def test_wbi_vectors() -> None:
    key = wbi.mixin_key("7cd084941338484aae1ad9425b84077c", "4932caff0ff746eab6f01bf08b70ac45")
    assert key == "ea1db124af3c7062474693fa704f4ff8"
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, key, wts=1702204169)
    assert signed["w_rid"] == "8f6f2b5b3d485fe1886cec6a0be8c5d4"
    assert set(signed) == {"foo", "bar", "zab", "wts", "w_rid"}
    with_loc = wbi.sign(
        {"foo": "114", "bar": "514", "zab": 1919810, "web_location": 1550101}, key, wts=1702204169
    )
    assert with_loc["w_rid"] == "f17b0e2cf04a667d362f3f2eb111affc"
    assert (
        wbi.sign({**signed}, key, wts=1702204169)["w_rid"] == signed["w_rid"]
    )  # an old w_rid is dropped


def test_app_sign_and_ticket_vectors() -> None:
    from bilibili_sdk._auth import app_sign, ticket_hexsign

    assert app_sign({"local_id": 0, "ts": 1700000000})["sign"] == "ebb086c9f52ae7393619a89bdc320e45"
    assert (
        ticket_hexsign(1700000000)
        == "bb79f0d980ffbb51597aa1a3e8b55603025cc1322ac766f4c1a98852e6182514"
    )


def test_mock_loopback_server() -> None:
    mock = MockBilibili()
    with mock.serve() as server, Client(base_urls=server.base_urls) as bili:
        info = bili.video.get_info(bvid="BV1xx411c7mD")
        detail = bili.video.get_detail(bvid="BV1xx411c7mD")  # WBI-signed, verified by the server
        raw = httpx.get(f"{server.base_url}/api.bilibili.com/x/no/such/thing")
    assert info.bvid and detail.view.bvid
    assert raw.status_code == 404
    assert mock.count("video.get_detail") == 1


def test_mock_serve_cli() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bilibili_sdk.testing", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        base = line.split(" on ", 1)[1].split(";", 1)[0]
        with Client(base_urls={"*": base}) as bili:
            assert bili.video.get_info(aid=170001).aid
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_demo_ids_are_the_mocks() -> None:
    mock = MockBilibili()
    assert mock.examples["video.get_info"]["data"]["bvid"] == DEMO_BVID
    assert mock.examples["user.get_card"]["data"]["card"]["mid"] == str(DEMO_MID)
    assert DEMO_ROOM == DEFAULT_SHORT_ID


def test_offline_demo() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bilibili_sdk", "demo", "--offline"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Offline (--offline): using the mock Bilibili" in out.stdout
    # The demo asks for what the mock serves: the same video and room online and offline.
    assert f"== video {DEMO_BVID}\n" in out.stdout and "asked for" not in out.stdout
    for part in (
        "== danmaku of",
        "== user 2\n",
        "== comments of av",
        f"== article cv{DEMO_CVID} as Markdown",
        f"== bangumi season {DEMO_SEASON}\n",
        "== search",
        "== live room 3 (id 23058)",
    ):
        assert part in out.stdout
    # The live part: typed events from the mock live server, in the order it pushed them.
    live = out.stdout.split("== live room")[1]
    assert live.index("碧诗: 晚上好") < live.index("sent 3 x 小花花") < live.index("SC ¥30")
    json.dumps(out.stdout)


# ---------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=2**51 - 1))
def test_id_roundtrip_property(aid: int) -> None:
    bvid = aid2bvid(aid)
    assert len(bvid) == 12 and bvid.startswith("BV1")
    assert bvid2aid(bvid) == aid


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda k: k != "w_rid"),
        st.one_of(st.text(max_size=30), st.integers(), st.booleans()),
        max_size=8,
    ),
    st.integers(min_value=0, max_value=2**32),
)
def test_wbi_query_matches_urlencode(params: dict[str, object], wts: int) -> None:
    """Our fast encoder produces the bytes urllib's urlencode gives (what the server expects)."""
    import hashlib
    from urllib.parse import urlencode

    key = "ea1db124af3c7062474693fa704f4ff8"
    signed = wbi.sign(params, key, wts=wts)
    text = {k: ("1" if v is True else "0" if v is False else str(v)) for k, v in params.items()}
    text["wts"] = str(wts)
    expected = hashlib.md5((urlencode(sorted(text.items())) + key).encode()).hexdigest()
    assert signed["w_rid"] == expected

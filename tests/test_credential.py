"""Credential lifecycle: the forms `from_cookies` reads, cookie refresh (both flavours, every
failing step, atomicity, redaction) and the clients' opt-in `auto_refresh`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilibili_sdk import ArgsException, Credential

SESSDATA = "abc123%2C1700000000%2Cdef45%2A11"
BILI_JCT = "0123456789abcdef0123456789abcdef"

# ---------------------------------------------------------------- from_cookies


def test_from_cookies_mapping_still_works() -> None:
    cred = Credential.from_cookies({"SESSDATA": SESSDATA, "bili_jct": BILI_JCT, "sid": "s1"})
    assert cred.sessdata == SESSDATA and cred.bili_jct == BILI_JCT
    assert cred.get_cookies()["sid"] == "s1"


def test_from_cookies_document_cookie_string() -> None:
    text = f" SESSDATA={SESSDATA}; bili_jct={BILI_JCT};DedeUserID=2; ac_time_value=tok; ;x=; b="
    cred = Credential.from_cookies(text)
    assert cred.sessdata == SESSDATA and cred.bili_jct == BILI_JCT
    assert cred.dedeuserid == "2" and cred.ac_time_value == "tok"
    assert cred.get_cookies()["x"] == ""  # unknown cookies kept as they are


@pytest.mark.parametrize("as_path", [True, False], ids=["PathLike", "str"])
def test_from_cookies_cookies_txt_path(tmp_path: Path, as_path: bool) -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2, ac_time_value="tok")
    path = tmp_path / "cookies.txt"
    cred.to_cookies_txt(path)
    assert Credential.from_cookies(path if as_path else str(path)) == cred


def test_from_cookies_path_with_equals_needs_a_path(tmp_path: Path) -> None:
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT)
    path = tmp_path / "a=b.txt"
    cred.to_cookies_txt(path)
    assert Credential.from_cookies(path) == cred


def test_from_cookies_rejects_other_types() -> None:
    with pytest.raises(ArgsException, match="cookies"):
        Credential.from_cookies(42)  # type: ignore[arg-type]

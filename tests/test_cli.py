"""The `bili` command line: every command against the mock, exit codes, cookies, JSON.

`download` and `upload` are tested with FAKE clients (their SDK calls are being built on
other branches): those tests pin the exact arguments the CLI passes and what it prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from bilibili_sdk import Client
from bilibili_sdk._exceptions import (
    ArgsException,
    CsrfException,
    DownloadException,
    MissingExtraException,
    NetworkException,
    NetworkTimeoutException,
    NotFoundException,
    NotLoggedInException,
    ResponseCodeException,
    ResponseException,
    VideoUploadException,
)
from bilibili_sdk.cli import _env, _output, main
from bilibili_sdk.cli._app import app
from bilibili_sdk.cli._errors import CliError, ExitCode, exit_code_for
from bilibili_sdk.danmaku import parse_xml
from bilibili_sdk.testing import MockBilibili, MockLiveServer, unused_port

ROOT = Path(__file__).resolve().parent.parent
BVID = "BV117411r7R1"  # the mock's video.get_info example


class Cli:
    """Runs `bili` in-process against a client the test chooses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, mock: MockBilibili, home: Path) -> None:
        self.mock = mock
        self.home = home
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()
        self.make_client: Callable[[Any], Any] = lambda cred: Client(
            cred, transport=mock.transport(), max_retries=0
        )
        self.on_live_open: Callable[[], None] | None = None
        self.settings: list[_env.Settings] = []
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        monkeypatch.delenv("BILI_COOKIES", raising=False)
        monkeypatch.setattr(_env, "client_factory", self._factory)

    @contextlib.contextmanager
    def _factory(self, settings: _env.Settings) -> Iterator[_env.Env]:
        self.settings.append(settings)
        client = self.make_client(_env.load_credential(settings))
        with contextlib.ExitStack() as stack:
            if hasattr(client, "__enter__"):
                stack.enter_context(client)
            yield _env.Env(client, qr_interval=0.01, on_live_open=self.on_live_open)

    def fake(self, client: Any) -> None:
        self.make_client = lambda cred: client

    def __call__(self, *args: str) -> Any:
        return self.runner.invoke(app, list(args))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, mock: MockBilibili, tmp_path: Path) -> Cli:
    return Cli(monkeypatch, mock, tmp_path)


def tsv(stdout: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in stdout.splitlines())


# ---------------------------------------------------------------- info


def test_info_video_fields_are_the_mocks(cli: Cli, mock: MockBilibili) -> None:
    data = mock.examples["video.get_info"]["data"]
    r = cli("info", BVID)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows["bvid"] == BVID and rows["aid"] == str(data["aid"])
    assert rows["title"] == data["title"]
    assert rows["owner"] == f"{data['owner']['name']} (uid {data['owner']['mid']})"
    assert rows["views"] == str(data["stat"]["view"]) and rows["likes"] == str(data["stat"]["like"])
    assert rows["duration"] == "8:06" and data["duration"] == 486
    assert rows["pages"] == str(len(data["pages"]))
    assert rows["P1"].startswith(data["pages"][0]["part"])
    assert r.stderr == ""


@pytest.mark.parametrize("where", ["global", "command"])
def test_info_json(cli: Cli, mock: MockBilibili, where: str) -> None:
    args = ["--json", "info", BVID] if where == "global" else ["info", BVID, "--json"]
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["type"] == "video" and doc["id"] == BVID
    assert doc["data"]["stat"]["view"] == mock.examples["video.get_info"]["data"]["stat"]["view"]


def test_info_takes_av_numbers_and_urls(cli: Cli, mock: MockBilibili) -> None:
    r = cli("info", f"https://www.bilibili.com/video/{BVID}/?p=1")
    assert r.exit_code == 0 and tsv(r.stdout)["bvid"] == BVID
    r = cli("info", "av85440373")
    assert r.exit_code == 0
    assert (
        mock.requests[-1].params.get("bvid") == BVID
        or mock.requests[-1].params.get("aid") == "85440373"
    )


def test_info_resolves_share_links(cli: Cli, mock: MockBilibili) -> None:
    mock.set_redirect("https://b23.tv/Ab12Cd", "https://space.bilibili.com/2?share_source=copy")
    r = cli("info", "https://b23.tv/Ab12Cd")
    assert r.exit_code == 0, r.stderr
    assert tsv(r.stdout)["name"] == "碧诗"
    assert mock.requests[0].host == "b23.tv"
    mock.set_redirect("https://b23.tv/Zz", "https://www.bilibili.com/opus/1")
    r = cli("download", "b23.tv/Zz")
    assert r.exit_code == 2 and "does not support opus links" in r.stderr


@pytest.mark.parametrize(
    ("target", "expect"),
    [
        ("https://space.bilibili.com/2", {"mid": "2", "name": "碧诗", "videos": "37"}),
        ("uid2", {"mid": "2", "fans": "969999"}),
        ("https://live.bilibili.com/3", {"room_id": "23058", "short_id": "3", "status": "live"}),
        ("cv4815593", {"cvid": "4815593", "author": "专栏小天使 (uid 144900660)"}),
        (
            "https://www.bilibili.com/bangumi/play/ss41410",
            {"season_id": "41410", "title": "间谍过家家"},
        ),
        ("md28237119", {"season_id": "41410", "media_id": "28237119"}),
        ("ep508404", {"ep_id": "508404", "bvid": "BV1Y7411W7RK", "duration": "23:40"}),
    ],
)
def test_info_other_kinds(cli: Cli, target: str, expect: dict[str, str]) -> None:
    r = cli("info", target)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert {k: rows[k] for k in expect} == expect


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("au13598", "does not support audio links"),
        ("https://www.bilibili.com/opus/123", "does not support opus links"),
        ("not a link", "not a Bilibili link or id"),
        ("https://evil.org/video/BV117411r7R1", "not a Bilibili link or id"),
    ],
)
def test_info_unsupported_is_a_usage_error_before_any_request(
    cli: Cli, mock: MockBilibili, target: str, message: str
) -> None:
    r = cli("info", target)
    assert r.exit_code == ExitCode.USAGE == 2
    assert message in r.stderr and r.stdout == ""
    assert mock.requests == [] and cli.settings == []  # no client was even made


# ---------------------------------------------------------------- exit codes


def test_not_found_exits_4(cli: Cli, mock: MockBilibili) -> None:
    mock.set_response("video.get_info", {"code": -404, "message": "啥都木有", "ttl": 1})
    r = cli("info", BVID)
    assert r.exit_code == ExitCode.REFUSED == 4
    assert "-404 啥都木有" in r.stderr and r.stdout == ""


def test_not_logged_in_exits_5(cli: Cli, mock: MockBilibili) -> None:
    mock.set_response("video.get_info", {"code": -101, "message": "账号未登录", "ttl": 1})
    r = cli("info", BVID)
    assert r.exit_code == ExitCode.LOGIN == 5
    assert "-101" in r.stderr and "bili login" in r.stderr


def test_connection_refused_exits_3(cli: Cli) -> None:
    base = f"http://127.0.0.1:{unused_port()}"
    cli.make_client = lambda cred: Client(cred, base_urls={"*": base}, max_retries=0)
    r = cli("info", BVID)
    assert r.exit_code == ExitCode.NETWORK == 3
    assert "NetworkException" in r.stderr and "--offline" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["search", "  "],
        ["search", "x", "--page", "0"],
        ["search", "x", "--type", "music"],
        ["danmaku", BVID, "--page", "0"],
        ["info"],
        ["nosuchcommand"],
    ],
)
def test_bad_arguments_exit_2(cli: Cli, mock: MockBilibili, args: list[str]) -> None:
    r = cli(*args)
    assert r.exit_code == 2, r.stdout
    assert mock.requests == []


def test_args_exception_from_the_sdk_exits_2(cli: Cli) -> None:
    def boom(*a: Any, **k: Any) -> Any:
        raise ArgsException("page_index: out of range", "page_index")

    cli.fake(SimpleNamespace(video=SimpleNamespace(get_danmakus=boom)))
    r = cli("danmaku", BVID)
    assert r.exit_code == 2 and "page_index: out of range" in r.stderr


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CliError("x"), 2),
        (ArgsException("x"), 2),
        (NetworkException("x"), 3),
        (NetworkTimeoutException("x"), 3),
        (NotFoundException(-404, "x"), 4),
        (ResponseCodeException(-352, "x"), 4),
        (ResponseException("x", status=502), 4),
        (NotLoggedInException(-101, "x"), 5),
        (CsrfException(-111, "x"), 5),
        (MissingExtraException("x", extra="live"), 6),
        (PermissionError(13, "denied", "/x"), 7),
        (DownloadException("x"), 8),
        (VideoUploadException("x"), 8),
        (RuntimeError("x"), 1),
        (KeyboardInterrupt(), 130),
    ],
)
def test_exit_code_map(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code


def test_interrupt_exits_130(cli: Cli) -> None:
    def stop(*a: Any, **k: Any) -> Any:
        raise KeyboardInterrupt

    cli.fake(SimpleNamespace(video=SimpleNamespace(get_info=stop)))
    r = cli("info", BVID)
    assert r.exit_code == 130 and "interrupted" in r.stderr


def test_help_documents_exit_codes(cli: Cli) -> None:
    r = cli("--help")
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    for part in ("3 network", "4 Bilibili refused", "5 login required", "130 interrupted"):
        assert part in text


def test_missing_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "typer", None)  # import typer -> ImportError
    assert main(["info", BVID]) == ExitCode.MISSING_EXTRA == 6
    err = capsys.readouterr().err
    assert 'pip install "bilibili_sdk[cli]"' in err


# ---------------------------------------------------------------- search


def test_search_rows_are_the_mocks_hits(cli: Cli, mock: MockBilibili) -> None:
    r = cli("search", "少年", "--limit", "3")
    assert r.exit_code == 0, r.stderr
    hits = mock.examples["search.search_by_type"]["data"]["result"][:3]
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert [row[0] for row in rows] == [h["bvid"] for h in hits]
    assert rows[0][1] == "梦然-《少年》官方版"  # <em> highlight removed
    assert rows[0][2:4] == [hits[0]["author"], str(hits[0]["play"])]
    req = mock.requests[-1]
    assert req.endpoint == "search.search_by_type"
    assert req.params["search_type"] == "video" and req.params["keyword"] == "少年"


def test_search_user_type_and_page(cli: Cli, mock: MockBilibili) -> None:
    mock.set_response(
        "search.search_by_type",
        {
            "code": 0,
            "data": {
                "numResults": 1,
                "numPages": 1,
                "result": [
                    {
                        "type": "bili_user",
                        "mid": 2,
                        "uname": "碧诗",
                        "fans": 5,
                        "videos": 3,
                        "usign": "hi",
                    }
                ],
            },
        },
    )
    r = cli("search", "碧诗", "--type", "user", "--page", "2")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["2\t碧诗\t5\t3\thi"]
    req = mock.requests[-1]
    assert req.params["search_type"] == "bili_user" and req.params["page"] == "2"


def test_search_live_and_json(cli: Cli, mock: MockBilibili) -> None:
    r = cli("--json", "search", "x", "--type", "live", "--limit", "1")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    rooms = mock.examples["search.search_live"]["data"]["result"]["live_room"]
    assert doc["type"] == "live" and len(doc["results"]) == 1
    assert doc["results"][0]["roomid"] == rooms[0]["roomid"]


def test_search_table_on_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_output, "FORCE_TTY", True)
    r = cli("search", "少年", "--limit", "2")
    assert r.exit_code == 0
    assert "bvid" in r.stdout and "BV1De411p77r" in r.stdout and "│" in r.stdout


# ---------------------------------------------------------------- danmaku


def test_danmaku_xml_to_stdout(cli: Cli, mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        expected = bili.video.get_danmakus(BVID)
    r = cli("danmaku", BVID)
    assert r.exit_code == 0, r.stderr
    got = parse_xml(r.stdout)
    assert len(got) == len(expected) > 0
    assert [d.text for d in got] == [d.text for d in expected]


def test_danmaku_ass_to_file_atomically(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dm" / "v.ass"
    r = cli("danmaku", BVID, "-f", "ass", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    text = out.read_text("utf-8")
    assert text.startswith("[Script Info]") and "Dialogue:" in text
    assert r.stdout == "" and "written to" in r.stderr
    assert os.listdir(out.parent) == ["v.ass"]  # no temporary file left
    r = cli("danmaku", BVID, "-o", str(out.with_suffix(".xml")), "--json")
    doc = json.loads(r.stdout)
    assert doc["format"] == "xml" and doc["count"] == len(
        parse_xml(out.with_suffix(".xml").read_text())
    )


def test_danmaku_json_and_failed_write_leaves_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = cli("--json", "danmaku", BVID)
    assert r.exit_code == 0
    items = json.loads(r.stdout)
    assert items and {"text", "dm_time", "mode"} <= set(items[0])
    out = tmp_path / "x.xml"
    out.write_text("old")

    def fail(*a: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    r = cli("danmaku", BVID, "-o", str(out))
    assert r.exit_code == ExitCode.LOCAL_FILE == 7 and "No space left" in r.stderr
    assert out.read_text() == "old" and os.listdir(tmp_path) == ["x.xml"]
    r = cli("--json", "danmaku", BVID, "-f", "ass")
    assert r.exit_code == 2 and "-o FILE" in r.stderr


def test_danmaku_wants_a_video(cli: Cli) -> None:
    r = cli("danmaku", "cv4815593")
    assert r.exit_code == 2 and "got an article link" in r.stderr and cli.settings == []


def test_danmaku_page_is_one_based(cli: Cli) -> None:
    calls: list[tuple[Any, ...]] = []

    def get_danmakus(video: str, **kw: Any) -> list[Any]:
        calls.append((video, kw))
        return []

    cli.fake(SimpleNamespace(video=SimpleNamespace(get_danmakus=get_danmakus)))
    assert cli("danmaku", f"https://www.bilibili.com/video/{BVID}?p=3").exit_code == 0
    assert cli("danmaku", BVID, "--page", "2").exit_code == 0
    assert calls == [(BVID, {"page_index": 2}), (BVID, {"page_index": 1})]


# ---------------------------------------------------------------- login and cookies


def _login(cli: Cli, *args: str) -> Any:
    cli.mock.script_qr(["waiting", "scanned", "done"])
    return cli(*args, "login")


def test_login_saves_cookies_0600_and_later_commands_send_them(
    cli: Cli, mock: MockBilibili
) -> None:
    r = _login(cli)
    assert r.exit_code == 0, r.stderr
    path = cli.home / "config" / "bilibili_sdk" / "cookies.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cookies = {
        f[5]: f[6]
        for f in (line.split("\t") for line in path.read_text().splitlines())
        if len(f) == 7
    }
    assert cookies["SESSDATA"] and cookies["bili_jct"]
    assert "Scanned: confirm" in r.stderr and str(path) in r.stderr
    for value in cookies.values():  # no cookie value printed anywhere
        if len(value) > 3:
            assert value not in r.stdout + r.stderr
    assert [p for p in path.parent.iterdir()] == [path]  # no temporary file left
    r = cli("info", BVID)
    assert r.exit_code == 0
    assert mock.requests[-1].cookies.get("SESSDATA") == cookies["SESSDATA"]


def test_login_to_named_file_and_env(
    cli: Cli, mock: MockBilibili, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = cli.home / "mine.txt"
    r = _login(cli, "--json", "--cookies", str(target))
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["cookies"] == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (cli.home / "config").exists()
    sessdata = next(
        line.split("\t")[6] for line in target.read_text().splitlines() if "\tSESSDATA\t" in line
    )
    monkeypatch.setenv("BILI_COOKIES", str(target))
    assert cli("info", BVID).exit_code == 0
    assert mock.requests[-1].cookies.get("SESSDATA") == sessdata


def test_login_cookies_option_after_the_command(cli: Cli) -> None:
    target = cli.home / "after.txt"
    cli.mock.script_qr(["done"])
    r = cli("login", "--tv", "--cookies", str(target))
    assert r.exit_code == 0, r.stderr
    assert "TV login" in r.stderr and target.exists()


def test_named_cookie_file_missing_exits_2(cli: Cli, mock: MockBilibili) -> None:
    r = cli("--cookies", str(cli.home / "nope.txt"), "info", BVID)
    assert r.exit_code == 2 and "cookie file not found" in r.stderr
    assert mock.requests == []


def test_bad_cookie_file_exits_2_without_showing_values(cli: Cli, mock: MockBilibili) -> None:
    jar = cli.home / "bad.txt"
    jar.write_text(
        "# Netscape HTTP Cookie File\n.bilibili.com\tTRUE\t/\tFALSE\tSESSDATA\tsecret-789\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # cookiejar's "bug!" warning must not reach the user
        r = cli("--cookies", str(jar), "info", BVID)
    assert caught == []
    assert r.exit_code == 2 and "cannot read the cookie file" in r.stderr
    assert "secret-789" not in r.stderr + r.stdout and mock.requests == []


def test_default_cookie_path_respects_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert _env.default_cookie_path(False) == tmp_path / "bilibili_sdk" / "cookies.txt"
    assert _env.default_cookie_path(True) == tmp_path / "bilibili_sdk" / "cookies-offline.txt"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert _env.default_cookie_path(False) == Path.home() / ".config/bilibili_sdk/cookies.txt"


def test_login_expired_exits_5(cli: Cli) -> None:
    cli.mock.script_qr(["waiting", "expired"])
    r = cli("login")
    assert r.exit_code == 5, r.stderr
    assert not (cli.home / "config" / "bilibili_sdk" / "cookies.txt").exists()


# ---------------------------------------------------------------- live


@pytest.fixture
def live_server(cli: Cli, mock: MockBilibili) -> Iterator[MockLiveServer]:
    from bilibili_sdk.__main__ import _mock_live_events

    with MockLiveServer() as server:
        server.configure(mock)
        cli.on_live_open = lambda: threading.Thread(
            target=lambda: (
                server.wait_until(lambda: server.authenticated_count == 1),
                server.push(*_mock_live_events()),
            ),
            daemon=True,
        ).start()
        yield server


EXPECTED_LIVE = [
    "DANMU_MSG\t碧诗: 晚上好",
    "SEND_GIFT\t碧诗 sent 3 x 小花花",
    "SUPER_CHAT_MESSAGE\t碧诗 (SC ¥30): 加油",
    "DANMU_MSG\t碧诗: 来了来了",
]


def test_live_prints_typed_events(cli: Cli, live_server: MockLiveServer) -> None:
    r = cli("live", "3", "--count", "5", "--seconds", "30")
    assert r.exit_code == 0, r.stderr
    # Five events: the four pushed, in order, and the heartbeat reply (VIEW) somewhere.
    lines = r.stdout.splitlines()
    assert len(lines) == 5 and lines.count("VIEW\tpopularity 1") == 1
    assert [line for line in lines if not line.startswith("VIEW")] == EXPECTED_LIVE
    assert live_server.clients[0].auth["roomid"] == 23058


def test_live_stops_after_count(cli: Cli, live_server: MockLiveServer) -> None:
    r = cli("live", "3", "--count", "3", "--seconds", "30")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3
    pushed = [line for line in lines if not line.startswith("VIEW")]
    assert pushed == EXPECTED_LIVE[: len(pushed)] and len(pushed) >= 2


def test_live_json_lines(cli: Cli, live_server: MockLiveServer) -> None:
    r = cli("--json", "live", "https://live.bilibili.com/3", "-n", "5", "-s", "30")
    assert r.exit_code == 0, r.stderr
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(docs) == 5
    dms = [d for d in docs if d["type"] == "DanmakuMessage"]
    assert [d["text"] for d in dms] == ["晚上好", "来了来了"] and dms[0]["uname"] == "碧诗"
    assert all(d["room_id"] == 23058 and "raw" not in d for d in docs)


def test_live_bad_room_exits_2(cli: Cli) -> None:
    r = cli("live", "abc")
    assert r.exit_code == 2 and "live room" in r.stderr


# ---------------------------------------------------------------- download (FAKE client)


class FakeVideo:
    """Stands in for client.video until bili.video.download lands (other branch)."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.fail = fail

    def _result(self, dest: Path, name: str) -> Any:
        return SimpleNamespace(
            video_path=dest / f"{name}.video.m4s",
            audio_path=dest / f"{name}.audio.m4s",
            output_path=dest / f"{name}.mp4",
            quality=80,
            codec="hevc",
            audio_quality=30280,
            notes=["asked for 116, got 80 (the best allowed)"],
            title=f"{name} title",
            danmaku_path=dest / f"{name}.ass",
        )

    def download(self, video: Any, dest: Any, **kw: Any) -> Any:
        self.calls.append(("download", (video, dest), kw))
        kw["progress"](512, 1024)
        kw["progress"](1024, 1024)
        if self.fail is not None:
            raise self.fail
        return self._result(Path(dest), str(video))

    def download_batch(self, source: Any, dest: Any, **kw: Any) -> Any:
        self.calls.append(("download_batch", (source, dest), kw))
        kw["progress"](2048, 2048)
        # The agreed form is (item, exception) pairs; the download branch returns objects
        # with .item and .error: the CLI takes both.
        failures: list[Any] = []
        if self.fail is not None:
            failures = [("P2", self.fail), SimpleNamespace(item="P3", error=self.fail)]
        return SimpleNamespace(results=[self._result(Path(dest), "P1")], failures=failures)


@pytest.fixture
def fake_video(cli: Cli) -> FakeVideo:
    video = FakeVideo()
    cli.fake(SimpleNamespace(video=video, parse_link=None))
    return video


def test_download_passes_every_option(cli: Cli, fake_video: FakeVideo, tmp_path: Path) -> None:
    r = cli(
        "--json", "download", BVID, "--page", "2", "--quality", "80", "--codec", "HEVC, avc",
        "--audio-quality", "30280", "--dir", str(tmp_path), "--no-merge", "--danmaku", "ass",
        "--subtitles",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    [(name, args, kw)] = fake_video.calls
    progress = kw.pop("progress")
    assert callable(progress)
    assert (name, args) == ("download", (BVID, tmp_path))
    assert kw == {
        "page": 1,
        "quality": 80,
        "codec": ["hevc", "avc"],
        "audio_quality": 30280,
        "merge": False,
        "danmaku": "ass",
        "subtitles": True,
        "overwrite": False,
    }
    doc = json.loads(r.stdout)
    assert doc["failures"] == []
    assert doc["results"] == [
        {
            "title": f"{BVID} title",
            "video_path": str(tmp_path / f"{BVID}.video.m4s"),
            "audio_path": str(tmp_path / f"{BVID}.audio.m4s"),
            "output_path": str(tmp_path / f"{BVID}.mp4"),
            "quality": 80,
            "codec": "hevc",
            "audio_quality": 30280,
            "danmaku_path": str(tmp_path / f"{BVID}.ass"),
            "subtitle_path": None,
            "skipped": False,
            "notes": ["asked for 116, got 80 (the best allowed)"],
        }
    ]


def test_download_defaults_and_link_page(cli: Cli, fake_video: FakeVideo) -> None:
    r = cli("download", f"https://www.bilibili.com/video/{BVID}?p=3")
    assert r.exit_code == 0, r.stderr
    [(_, args, kw)] = fake_video.calls
    assert args == (BVID, Path("."))
    assert {k: kw[k] for k in ("page", "quality", "codec", "audio_quality", "merge", "danmaku", "subtitles")} == {
        "page": 2, "quality": None, "codec": None, "audio_quality": None, "merge": True,
        "danmaku": None, "subtitles": None,
    }  # fmt: skip
    rows = tsv(r.stdout)
    assert rows["output"] == f"{BVID}.mp4" and rows["codec"] == "hevc"
    assert rows["note"] == "asked for 116, got 80 (the best allowed)"


def test_download_progress_bar_on_a_terminal(
    cli: Cli, fake_video: FakeVideo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_output, "FORCE_TTY", True)
    r = cli("download", BVID)
    assert r.exit_code == 0, r.stderr
    assert BVID in r.stderr and "100%" in r.stderr and "1.0/1.0 kB" in r.stderr


@pytest.mark.parametrize(
    ("target", "extra", "source"),
    [
        (BVID, ["--all"], BVID),
        ("https://space.bilibili.com/2/favlist?fid=123", [], "ml123"),
        ("https://www.bilibili.com/bangumi/play/ss41410", [], "ss41410"),
        ("md28237119", [], "md28237119"),
        ("https://www.bilibili.com/bangumi/play/ep508404", [], "ep508404"),
        (
            "https://space.bilibili.com/2/lists/77?type=series",
            [],
            "https://space.bilibili.com/2/channel/seriesdetail?sid=77",
        ),
        (
            "https://space.bilibili.com/2/channel/collectiondetail?sid=88",
            [],
            "https://space.bilibili.com/2/channel/collectiondetail?sid=88",
        ),
    ],
)
def test_download_batches(
    cli: Cli, fake_video: FakeVideo, target: str, extra: list[str], source: str
) -> None:
    r = cli("--json", "download", target, *extra, "--concurrency", "5", "--codec", "av1")
    assert r.exit_code == 0, r.stderr
    [(name, args, kw)] = fake_video.calls
    kw.pop("progress")
    assert (name, args) == ("download_batch", (source, Path(".")))
    assert kw == {
        "pages": None, "concurrency": 5, "quality": None, "codec": ["av1"],
        "audio_quality": None, "merge": True, "danmaku": None, "subtitles": None,
    }  # fmt: skip
    assert len(json.loads(r.stdout)["results"]) == 1


def test_download_batch_failure_sets_the_exit_code(cli: Cli) -> None:
    video = FakeVideo(fail=NotFoundException(-404, "啥都木有"))
    cli.fake(SimpleNamespace(video=video))
    r = cli("--json", "download", BVID, "--all")
    assert r.exit_code == 4
    doc = json.loads(r.stdout)
    assert len(doc["results"]) == 1
    assert doc["failures"] == [
        {"item": "P2", "error": "NotFoundException: -404 啥都木有", "exit_code": 4},
        {"item": "P3", "error": "NotFoundException: -404 啥都木有", "exit_code": 4},
    ]
    r = cli("download", BVID, "--all")
    assert r.exit_code == 4 and "P3: NotFoundException: -404" in r.stderr
    assert tsv(r.stdout)["title"] == "P1 title"


def test_download_overwrite(cli: Cli, fake_video: FakeVideo) -> None:
    assert cli("download", BVID, "--overwrite").exit_code == 0
    assert cli("download", BVID, "--all", "--overwrite").exit_code == 0
    assert cli("download", BVID, "--all").exit_code == 0
    assert [(name, kw.get("overwrite")) for name, _, kw in fake_video.calls] == [
        ("download", True),
        ("download_batch", True),
        ("download_batch", None),  # not passed: the agreed batch signature has none
    ]


@pytest.mark.parametrize(
    ("error", "code"),
    [(NotLoggedInException(-101, "账号未登录"), 5), (NetworkException("reset"), 3)],
)
def test_download_errors(cli: Cli, error: BaseException, code: int) -> None:
    cli.fake(SimpleNamespace(video=FakeVideo(fail=error)))
    r = cli("download", BVID)
    assert r.exit_code == code and r.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        [BVID, "--page", "2", "--all"],
        [BVID, "--codec", "h264"],
        [BVID, "--page", "0"],
        ["ss41410", "--page", "2"],
        ["cv4815593"],
        ["nothing"],
    ],
)
def test_download_bad_arguments(cli: Cli, fake_video: FakeVideo, args: list[str]) -> None:
    r = cli("download", *args)
    assert r.exit_code == 2, r.stderr
    assert fake_video.calls == []


# ---------------------------------------------------------------- upload (FAKE client)


class FakeUpload:
    """Stands in for client.upload until bili.upload.video lands (other branch)."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.fail = fail

    def video(self, path: Any, **kw: Any) -> Any:
        self.calls.append(((path,), kw))
        kw["progress"](3 << 20, 6 << 20)
        kw["progress"](6 << 20, 6 << 20)
        if self.fail is not None:
            raise self.fail
        return SimpleNamespace(aid=170001, bvid="BV17x411w7KC")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\0" * 100)
    return path


def test_upload_passes_every_option(cli: Cli, clip: Path, tmp_path: Path) -> None:
    up = FakeUpload()
    cli.fake(SimpleNamespace(upload=up))
    cover = tmp_path / "cover.png"
    cover.write_bytes(b"png")
    r = cli(
        "--json", "upload", str(clip), "--title", "标题", "--tid", "171", "--tag", "a",
        "--tag", "游戏", "--desc", "说明", "--cover", str(cover), "--copyright", "2",
        "--source", "https://example.org/v", "--threads", "4", "--line", "bda2",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    [(args, kw)] = up.calls
    assert callable(kw.pop("progress"))
    assert args == (clip,)
    assert kw == {
        "title": "标题", "tid": 171, "tags": ["a", "游戏"], "desc": "说明", "cover": cover,
        "copyright": 2, "source": "https://example.org/v", "line": "bda2", "threads": 4,
    }  # fmt: skip
    assert json.loads(r.stdout) == {
        "aid": 170001,
        "bvid": "BV17x411w7KC",
        "url": "https://www.bilibili.com/video/BV17x411w7KC",
    }


def test_upload_defaults_and_progress(
    cli: Cli, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    up = FakeUpload()
    cli.fake(SimpleNamespace(upload=up))
    monkeypatch.setattr(_output, "FORCE_TTY", True)
    r = cli("upload", str(clip), "--title", "t", "--tid", "17")
    assert r.exit_code == 0, r.stderr
    [(_, kw)] = up.calls
    assert {k: kw[k] for k in ("tags", "desc", "cover", "copyright", "source", "line", "threads")} == {
        "tags": [], "desc": "", "cover": None, "copyright": 1, "source": None, "line": None,
        "threads": 3,
    }  # fmt: skip
    assert "uploading clip.mp4" in r.stderr and "100%" in r.stderr and "6.3/6.3 MB" in r.stderr
    assert "BV17x411w7KC" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--copyright", "2"], "--source"),
        (["--copyright", "3"], ""),
        (["--cover", "/no/such/cover.png"], "cover"),
    ],
)
def test_upload_bad_arguments(cli: Cli, clip: Path, args: list[str], message: str) -> None:
    up = FakeUpload()
    cli.fake(SimpleNamespace(upload=up))
    r = cli("upload", str(clip), "--title", "t", "--tid", "17", *args)
    assert r.exit_code == 2 and message in r.stderr
    assert up.calls == []


def test_upload_missing_file_and_not_logged_in(cli: Cli, clip: Path) -> None:
    up = FakeUpload(fail=NotLoggedInException(-101, "账号未登录"))
    cli.fake(SimpleNamespace(upload=up))
    r = cli("upload", str(clip.with_name("none.mp4")), "--title", "t", "--tid", "17")
    assert r.exit_code == 2 and "no such file" in r.stderr and up.calls == []
    r = cli("upload", str(clip), "--title", "t", "--tid", "17")
    assert r.exit_code == 5 and "bili login" in r.stderr


# ---------------------------------------------------------------- the real thing


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(home), "COLUMNS": "200"}
    env.pop("BILI_COOKIES", None)
    return subprocess.run(
        [sys.executable, "-m", "bilibili_sdk.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )


def test_offline_subprocess(tmp_path: Path, mock: MockBilibili) -> None:
    out = _run("--offline", "--json", "info", BVID, home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (
        json.loads(out.stdout)["data"]["title"] == mock.examples["video.get_info"]["data"]["title"]
    )
    out = _run("--offline", "live", "3", "--count", "5", "--seconds", "30", home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "DANMU_MSG\t碧诗: 晚上好" in out.stdout.splitlines()
    out = _run("--offline", "info", "au13598", home=tmp_path)
    assert out.returncode == 2 and "does not support audio" in out.stderr


def test_console_script_is_declared() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["bili"] == "bilibili_sdk.cli:main"
    assert project["scripts"]["bilibili-sdk"] == "bilibili_sdk.__main__:main"
    assert "bilibili_sdk[live,login,cli]" in project["optional-dependencies"]["dev"]
    assert {"typer>=0.12", "rich>=13"} <= set(project["optional-dependencies"]["cli"])


def test_offline_in_process_login_then_info(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """--offline without a factory: the mock on a loopback port, its own cookie file."""
    monkeypatch.setattr(_env, "client_factory", None)
    r = cli("--offline", "login")
    assert r.exit_code == 0, r.stderr
    offline = cli.home / "config" / "bilibili_sdk" / "cookies-offline.txt"
    assert stat.S_IMODE(offline.stat().st_mode) == 0o600
    assert not offline.with_name("cookies.txt").exists()  # a real login is never replaced
    r = cli("--offline", "--timeout", "5", "info", "uid2")
    assert r.exit_code == 0, r.stderr
    assert tsv(r.stdout)["name"] == "碧诗"
    assert "offline: the mock Bilibili at http://127.0.0.1:" in r.stderr


def test_global_options_reach_the_factory(cli: Cli, tmp_path: Path) -> None:
    jar = tmp_path / "jar.txt"
    jar.write_text("# Netscape HTTP Cookie File\n")
    assert cli("--timeout", "2.5", "--cookies", str(jar), "info", BVID).exit_code == 0
    [settings] = cli.settings
    assert (settings.timeout, settings.cookies, settings.offline, settings.json) == (
        2.5,
        jar,
        False,
        False,
    )


@pytest.mark.parametrize(
    "text",
    [
        BVID,
        "ml123",
        "ss41410",
        "md28237119",
        "ep508404",
        "https://space.bilibili.com/2/lists/77?type=series",
        "https://space.bilibili.com/2/lists/88?type=season",
        "https://space.bilibili.com/2/favlist?fid=99",
    ],
)
def test_batch_source_reads_back_as_the_same_link(text: str) -> None:
    from bilibili_sdk.cli._app import _batch_source
    from bilibili_sdk.links import parse_link

    link = parse_link(text)
    assert link is not None
    back = parse_link(_batch_source(link))
    assert back is not None
    assert (back.type, back.id, back.id_name) == (link.type, link.id, link.id_name)
    if link.type.value == "channel_series":  # a folder id alone names a folder; a series not
        assert back.mid == link.mid


def test_live_without_the_live_extra_exits_6(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from bilibili_sdk.live import _setup

    missing = MissingExtraException(
        f'live connections need the "live" extra: {_setup.INSTALL_HINT}', extra="live"
    )
    monkeypatch.setattr(_setup, "live_extra_error", lambda sync, need_brotli: missing)
    r = cli("live", "3", "-n", "1")
    assert r.exit_code == ExitCode.MISSING_EXTRA == 6
    assert 'pip install "bilibili_sdk[live]"' in r.stderr and cli.settings == []


def test_no_arguments_shows_help(cli: Cli) -> None:
    r = cli()
    assert "Commands" in r.stdout + r.stderr and "download" in r.stdout + r.stderr


# ---------------------------------------------------------------- end to end: download
def _first_stream(mock: MockBilibili) -> bytes:
    r = mock.cdn.requests[0]
    return mock.cdn.content(f"https://{r.host}{r.path}")


def test_download_end_to_end_writes_the_cdn_bytes(
    cli: Cli, mock: MockBilibili, tmp_path: Path
) -> None:
    dest = tmp_path / "videos"
    out = cli("--json", "download", BVID, "--dir", str(dest), "--danmaku", "xml", "--no-merge")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)["results"][0]
    video, audio = Path(data["video_path"]), Path(data["audio_path"])
    assert video.parent == dest and audio.parent == dest
    assert video.read_bytes() == _first_stream(mock)
    assert len(audio.read_bytes()) > 0 and not list(dest.glob("*.part"))
    assert data["quality"] == 32  # anonymous: the mock allows 480P at most
    assert Path(data["danmaku_path"]).read_text("utf-8").startswith("<?xml")


def test_download_end_to_end_dropped_connection_is_resumed(
    cli: Cli, mock: MockBilibili, tmp_path: Path
) -> None:
    mock.cdn.drop_after(10_000)
    out = cli("--json", "download", BVID, "--dir", str(tmp_path), "--no-merge")
    assert out.exit_code == 0, out.output
    assert "bytes=10000-" in [r.range for r in mock.cdn.requests]
    video = Path(json.loads(out.stdout)["results"][0]["video_path"])
    assert video.read_bytes() == _first_stream(mock)


def test_download_end_to_end_every_mirror_failing_exits_nonzero_and_leaves_nothing(
    cli: Cli, mock: MockBilibili, tmp_path: Path
) -> None:
    from bilibili_sdk.testing._cdn import BACKUP_HOSTS, PRIMARY_HOST

    for host in (PRIMARY_HOST, *BACKUP_HOSTS):
        mock.cdn.fail(host, status=404, times=-1)
    dest = tmp_path / "d"
    out = cli("download", BVID, "--dir", str(dest))
    assert out.exit_code == 8, out.output  # a transfer that failed: run again to resume
    assert "DownloadException" in out.output
    assert not [p for p in dest.rglob("*") if p.is_file() and p.suffix != ".part"]


# ---------------------------------------------------------------- end to end: upload
def test_upload_end_to_end_reassembles_the_file_and_prints_the_ids(
    cli: Cli, mock: MockBilibili, tmp_path: Path
) -> None:
    assert _login(cli).exit_code == 0
    clip = tmp_path / "clip.mp4"
    data = bytes(range(256)) * 40_000  # 10 MB: several chunks of the mock's size
    clip.write_bytes(data)
    mock.upos.fail_part(2)  # one chunk fails once and is retried
    r = cli("--json", "upload", str(clip), "--title", "标题", "--tid", "171", "--tag", "游戏")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["bvid"].startswith("BV") and out["aid"] > 0
    assert list(mock.upos.files.values()) == [data]
    assert not (tmp_path / "clip.mp4.bili-upload").exists()  # state file gone on success
    submit = next(q for q in mock.requests if q.endpoint == "upload._submit")
    assert submit.json["title"] == "标题" and submit.json["tid"] == 171
    assert submit.query["csrf"] == submit.cookies["bili_jct"]


def test_upload_end_to_end_failed_chunks_exit_8_and_keep_the_state(
    cli: Cli, mock: MockBilibili, tmp_path: Path
) -> None:
    assert _login(cli).exit_code == 0
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x" * 100_000)
    mock.upos.fail_part(1, times=1000)
    r = cli("upload", str(clip), "--title", "t", "--tid", "171", "--tag", "a")
    assert r.exit_code == 8, r.stderr
    state = tmp_path / "clip.mp4.bili-upload"
    assert state.exists() and state.stat().st_mode & 0o777 == 0o600

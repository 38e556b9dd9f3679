"""Transfers interrupted by a real SIGKILL (issue 13): a child process uploads or downloads
against the loopback mock and kills itself mid-transfer; the parent then calls again and must
send or fetch only what is missing, ending with the same bytes and no leftovers."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bilibili_sdk import Client, Credential
from bilibili_sdk import upload as up
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from bilibili_sdk import Client, Credential

    base, kind, target, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == after:  # no cleanup, no finally: the process just ends here
            os.kill(os.getpid(), signal.SIGKILL)

    cred = Credential(sessdata=sys.argv[5], bili_jct=sys.argv[6], dedeuserid=2)
    with Client(credential=cred, base_urls={"*": base}, max_retries=0) as bili:
        if kind == "upload":
            bili.upload.video(target, title="t", tid=122, tags=["a"], line="qn", threads=1,
                              progress=progress)
        else:
            bili.video.download("BV117411r7R1", target, merge=False, progress=progress)
    sys.exit("not killed")
    """
)


def _child(base: str, kind: str, target: Path, after: int) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, base, kind, str(target), str(after), SESSDATA, BILI_JCT],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return proc.returncode


def test_an_upload_killed_mid_way_resumes_with_the_missing_parts(tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.upos.chunk_size = 1000
    data = os.urandom(6 * 1000 + 7)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(data)
    with mock.serve() as server:
        _child(server.base_url, "upload", clip, after=3)
    state = Path(str(clip) + up.STATE_SUFFIX)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    first = {n for _, n in mock.upos.puts}
    assert {1, 2, 3} <= first and 7 not in first  # killed before the last part
    mock.upos.puts.clear()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    with Client(credential=cred, transport=mock.transport()) as bili:
        result = bili.upload.video(str(clip), title="t", tid=122, tags=["a"], line="qn")
    assert result.bvid.startswith("BV")
    assert sorted(n for _, n in mock.upos.puts) == sorted(set(range(1, 8)) - first)
    assert mock.upos.files["clip.mp4"] == data
    assert not state.exists()


def test_a_download_killed_mid_way_resumes_from_its_part_file(tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.set_size(4 << 20)
    with mock.serve() as server:
        _child(server.base_url, "download", tmp_path, after=4)
    parts = list(tmp_path.glob("*.part"))
    assert len(parts) == 1 and 0 < parts[0].stat().st_size < 4 << 20
    had = parts[0].stat().st_size
    assert not [p for p in tmp_path.iterdir() if p.suffix != ".part"]  # nothing at a final path
    mock.cdn.requests.clear()
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)  # the same stream
    with Client(credential=cred, transport=mock.transport()) as bili:
        result = bili.video.download("BV117411r7R1", tmp_path, merge=False)
    first = mock.cdn.requests[0]
    assert first.range == f"bytes={had}-"
    assert result.video_path is not None
    assert result.video_path.read_bytes() == mock.cdn.content(f"https://{first.host}{first.path}")
    assert not list(tmp_path.glob("*.part"))

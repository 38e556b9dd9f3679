"""`bili`: Bilibili from the command line (the `cli` extra: typer and rich).

    bili info BV1xx411c7mD            video, user, live room, article, bangumi ss/ep...
    bili search 原神 --type user        a table of hits
    bili danmaku BV1xx411c7mD -f ass -o dm.ass
    bili download BV1xx411c7mD --quality 80 --codec hevc,avc --dir videos
    bili upload clip.mp4 --title ... --tid 171 --tag game
    bili live 3 --count 10            typed events, one per line
    bili login                        QR code in the terminal; saves cookies (0600)

Global options (before the command): `--offline` runs against the built-in mock Bilibili
on a loopback port (as `python -m bilibili_sdk demo --offline` does), `--json` prints JSON
on stdout (also accepted after each command), `--cookies FILE` (or `BILI_COOKIES`) logs in
with a Netscape cookies.txt (default: the one `bili login` saved,
`$XDG_CONFIG_HOME/bilibili_sdk/cookies.txt`, else `~/.config/bilibili_sdk/cookies.txt`),
`--timeout SECONDS`. Results go to stdout (rich tables on a terminal, tab-separated lines
when piped, JSON with --json); messages, progress bars and errors to stderr.

Exit codes (`ExitCode`; one function, `exit_code_for`, maps exceptions to them):

    0    ok
    1    unexpected error (BILI_DEBUG=1 shows the traceback)
    2    bad usage or argument: typer's usage errors, ArgsException, a link of a kind the
         command does not handle, a cookie file that cannot be read
    3    network: Bilibili unreachable, connection refused, timeout (NetworkException)
    4    Bilibili refused: a non-zero code such as -404 or -352, a bad status or body
         (ResponseCodeException, ResponseException)
    5    login required, expired (-101), csrf refused (-111) or QR login failed
    6    an optional dependency is missing (the `cli`, `live` or `login` extra)
    7    a local file could not be read or written
    8    a download or upload failed on the way (every CDN mirror refused, bytes that do
         not add up, a connection that kept dropping); running it again resumes
    130  interrupted (Ctrl-C)

Without the extra, `bili` says `pip install "bilibili_sdk[cli]"` and exits with 6.
"""

from __future__ import annotations

import sys

from ._errors import ExitCode

__all__ = ["INSTALL_HINT", "ExitCode", "main"]

INSTALL_HINT = 'pip install "bilibili_sdk[cli]"'


def main(argv: list[str] | None = None) -> int:
    """The `bili` console script; returns the exit status."""
    try:
        import rich  # noqa: F401
        import typer  # noqa: F401
    except ImportError as e:
        print(
            f'error: the bili command needs the "cli" extra: {INSTALL_HINT} '
            f"(typer >= 0.12 and rich >= 13; {e})",
            file=sys.stderr,
        )
        return int(ExitCode.MISSING_EXTRA)
    from ._app import app

    try:
        app(args=argv, prog_name="bili", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0

"""Exit codes of `bili`, and the one place that maps exceptions to them.

Standard library only: `bili` reports a missing `cli` extra with these codes before typer
or rich are imported.
"""

from __future__ import annotations

import enum

from .._exceptions import (
    ApiException,
    ArgsException,
    CredentialNoBiliJctException,
    CredentialNoSessdataException,
    CsrfException,
    DownloadException,
    LoginError,
    MissingExtraException,
    NetworkException,
    NotLoggedInException,
    ResponseCodeException,
    ResponseException,
    VideoUploadException,
)

__all__ = ["CliError", "ExitCode", "exit_code_for", "message_for"]


class ExitCode(enum.IntEnum):
    """What a non-zero exit status of `bili` says failed."""

    OK = 0
    UNEXPECTED = 1
    """A bug or an error no other code covers (the message names the exception)."""
    USAGE = 2
    """Bad command line or argument (typer's usage errors, `ArgsException`, a link of a
    kind the command does not handle, a cookie file that cannot be read)."""
    NETWORK = 3
    """Bilibili could not be reached: connection refused, DNS, TLS, timeout."""
    REFUSED = 4
    """Bilibili answered with an error: a non-zero code (-404 not found, -352 risk
    control...), a bad status or an unusable body."""
    LOGIN = 5
    """A login is needed, has expired (-101) or failed; run `bili login`."""
    MISSING_EXTRA = 6
    """An optional dependency is missing; the message names the extra to install."""
    LOCAL_FILE = 7
    """A local file could not be read or written (disk full, permissions...)."""
    TRANSFER = 8
    """A download or upload failed on the way: every CDN mirror refused, the bytes did not
    add up, or the connection kept dropping. Running the command again resumes it."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT, as shells report it)."""


class CliError(Exception):
    """An error the CLI itself detects, with the exit code to leave with."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


_LOGIN = (
    NotLoggedInException,
    CsrfException,
    CredentialNoSessdataException,
    CredentialNoBiliJctException,
    LoginError,
)


_TRANSFER: tuple[type[Exception], ...] = (DownloadException, VideoUploadException)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for an exception that ended a command. Order matters: the login
    classes are ResponseCodeExceptions, MissingExtraException is an ImportError."""
    if isinstance(error, CliError):
        return error.code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, MissingExtraException):
        return ExitCode.MISSING_EXTRA
    if isinstance(error, ArgsException):
        return ExitCode.USAGE
    if isinstance(error, _LOGIN):
        return ExitCode.LOGIN
    if isinstance(error, _TRANSFER):
        return ExitCode.TRANSFER
    if isinstance(error, NetworkException):
        return ExitCode.NETWORK
    if isinstance(error, (ResponseCodeException, ResponseException)):
        return ExitCode.REFUSED
    if isinstance(error, ApiException):
        return ExitCode.UNEXPECTED
    if isinstance(error, OSError):
        return ExitCode.LOCAL_FILE
    return ExitCode.UNEXPECTED


_HINTS = {
    ExitCode.LOGIN: "log in with `bili login` (or pass --cookies FILE)",
    ExitCode.NETWORK: "check the connection, or try --offline for the built-in mock",
}


def message_for(error: BaseException) -> str:
    """One line for stderr. SDK messages never hold credentials; for others only the type
    and text are shown (no traceback unless BILI_DEBUG=1)."""
    code = exit_code_for(error)
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    text = str(error) or type(error).__name__
    if isinstance(error, CliError):
        return text
    if isinstance(error, OSError) and not isinstance(error, ApiException):
        name = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or text}{name}"
    message = f"{type(error).__name__}: {text}"
    hint = _HINTS.get(code)
    return f"{message}\nhint: {hint}" if hint else message

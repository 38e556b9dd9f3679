"""Writing a file all or nothing, shared by Picture, the download and upload engines and
the CLI."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Write `data` to a new file beside `path`, flushed to disk, then rename it over `path`:
    a reader sees the old file or the new one, never half of one; a failure leaves the old
    file as it was.

    `mode` None: an existing file's mode, else what open() would give (0666 minus the
    umask). A given `mode` (0o600 for secrets) is the temporary file's from its creation,
    so the data is never readable by others, not even for a moment.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    keep_mode: int | None = mode
    if keep_mode is None:
        with contextlib.suppress(FileNotFoundError):
            keep_mode = stat.S_IMODE(os.stat(path).st_mode)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if keep_mode is not None:
            os.chmod(tmp, keep_mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

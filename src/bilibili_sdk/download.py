"""What `client.video.download(...)` and `download_batch(...)` return, and the stream codes
they take: `QUALITIES` (qn -> name), `CODECS` (name -> codecid), `AUDIO_QUALITIES`.

A failed download raises `bilibili_sdk.DownloadException`; see `Video.download` for the
arguments and `bilibili_sdk.testing.MockBilibili().cdn` for testing download code offline.
"""

from __future__ import annotations

from ._download import (
    AUDIO_QUALITIES,
    CODECS,
    QUALITIES,
    BatchFailure,
    BatchResult,
    DownloadResult,
)
from ._exceptions import DownloadException

__all__ = [
    "AUDIO_QUALITIES",
    "CODECS",
    "QUALITIES",
    "BatchFailure",
    "BatchResult",
    "DownloadException",
    "DownloadResult",
]

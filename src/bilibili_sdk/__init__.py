"""bilibili_sdk: a typed sync and async SDK for Bilibili's web APIs.

`import bilibili_sdk` loads only the client, the credential and the exceptions; models,
namespaces and helpers load on first use.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from ._client import AsyncClient, Client
from ._credential import Credential
from ._exceptions import *  # noqa: F403
from ._exceptions import __all__ as _exception_names

if TYPE_CHECKING:
    from . import danmaku as danmaku
    from . import download as download
    from . import interactive as interactive
    from . import links as links
    from . import live as live
    from . import live_areas as live_areas
    from . import login as login
    from . import models as models
    from . import subtitle as subtitle
    from . import video_online as video_online
    from . import wbi as wbi
    from . import zones as zones
    from ._events import AsyncEvent as AsyncEvent
    from ._events import request_log as request_log
    from ._ids import aid2bvid as aid2bvid
    from ._ids import bvid2aid as bvid2aid
    from ._settings import request_settings as request_settings
    from .download import BatchResult as BatchResult
    from .download import DownloadResult as DownloadResult
    from .links import ParsedLink as ParsedLink
    from .links import ResourceType as ResourceType
    from .links import parse_link as parse_link
    from .picture import Picture as Picture

__version__ = "0.1.0"

_LAZY = {
    "aid2bvid": ("._ids", "aid2bvid"),
    "bvid2aid": ("._ids", "bvid2aid"),
    "AsyncEvent": ("._events", "AsyncEvent"),
    "request_log": ("._events", "request_log"),
    "request_settings": ("._settings", "request_settings"),
    "Picture": (".picture", "Picture"),
    "parse_link": (".links", "parse_link"),
    "ParsedLink": (".links", "ParsedLink"),
    "ResourceType": (".links", "ResourceType"),
    "links": (".links", None),
    "interactive": (".interactive", None),
    "zones": (".zones", None),
    "wbi": (".wbi", None),
    "models": (".models", None),
    "testing": (".testing", None),
    "danmaku": (".danmaku", None),
    "download": (".download", None),
    "DownloadResult": (".download", "DownloadResult"),
    "BatchResult": (".download", "BatchResult"),
    "subtitle": (".subtitle", None),
    "live": (".live", None),
    "live_areas": (".live_areas", None),
    "login": (".login", None),
    "video_online": (".video_online", None),
}

__all__ = [
    "AsyncClient",
    "AsyncEvent",
    "BatchResult",
    "Client",
    "Credential",
    "DownloadResult",
    "ParsedLink",
    "Picture",
    "ResourceType",
    "aid2bvid",
    "bvid2aid",
    "danmaku",
    "download",
    "interactive",
    "links",
    "live",
    "live_areas",
    "login",
    "models",
    "parse_link",
    "request_log",
    "request_settings",
    "subtitle",
    "video_online",
    "wbi",
    "zones",
    *_exception_names,
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    mod = importlib.import_module(module, __name__)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(_LAZY))


def _load_everything() -> None:
    """Resolve every lazy name and build every model (BILIBILI_SDK_EAGER=1)."""
    from .models import __all__ as model_names
    from .resources._namespaces import NAMESPACES

    for name in _LAZY:
        __getattr__(name)
    models_mod = importlib.import_module(".models", __name__)
    for n in model_names:
        obj = getattr(models_mod, n)
        rebuild = getattr(obj, "model_rebuild", None)
        if rebuild is not None:
            rebuild()
    for ns in NAMESPACES:
        for part in ("_calls", "_sync", "_async"):
            importlib.import_module(f".resources.{ns}.{part}", __name__)


if os.environ.get("BILIBILI_SDK_EAGER") == "1":
    _load_everything()

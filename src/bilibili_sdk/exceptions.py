"""Public home of every exception: `from bilibili_sdk.exceptions import ResponseCodeException`."""

from ._exceptions import *  # noqa: F403
from ._exceptions import __all__ as __all__

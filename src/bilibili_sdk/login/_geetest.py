"""Geetest captcha solved by a person in a local web page: the interface only.

A stub, replaced by the Geetest branch (which serves the page); the login flows depend on
exactly this interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["AsyncGeetest", "Geetest", "GeetestResult", "GeetestType"]


class GeetestType(Enum):
    """What the captcha guards: a login (password, SMS) or a login verification."""

    LOGIN = "login"
    VERIFY = "verify"


@dataclass(frozen=True)
class GeetestResult:
    """A solved captcha: what the login endpoints want back."""

    gt: str
    challenge: str
    token: str
    validate: str
    seccode: str


class Geetest:
    """One captcha, solved by a person in a page served on a loopback port."""

    def __init__(
        self, gt: str, challenge: str, token: str, type: GeetestType = GeetestType.LOGIN
    ) -> None:
        self.gt = gt
        self.challenge = challenge
        self.token = token
        self.type = type

    def start_server(self) -> str:
        """Serve the captcha page; returns its URL."""
        raise NotImplementedError("the Geetest page is not merged yet")

    @property
    def url(self) -> str:
        """The page's URL (after `start_server`)."""
        raise NotImplementedError("the Geetest page is not merged yet")

    def wait(self, timeout: float | None = None) -> GeetestResult:
        """Block until the person solved the captcha."""
        raise NotImplementedError("the Geetest page is not merged yet")

    def close(self) -> None:
        """Stop the page's server."""


class AsyncGeetest(Geetest):
    """`Geetest` whose `wait` is awaited."""

    async def wait(self, timeout: float | None = None) -> GeetestResult:  # type: ignore[override]
        """Wait until the person solved the captcha."""
        raise NotImplementedError("the Geetest page is not merged yet")

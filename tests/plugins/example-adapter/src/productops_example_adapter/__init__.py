"""An example third-party productops adapter: an in-memory notifier.

It satisfies `productops.adapters.Notifier` without importing productops at
all: the protocols are structural.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["ExampleNotifier"]


class ExampleNotifier:
    """Keep every message sent, per channel (a stand-in for Slack or Teams)."""

    name: ClassVar[str] = "example"

    def __init__(self, *, default_channel: str = "#general") -> None:
        self.default_channel = default_channel
        self.sent: list[tuple[str, str]] = []

    def notify(self, message: str, *, channel: str | None = None) -> None:
        """Record `message` as sent to `channel`."""
        self.sent.append((channel or self.default_channel, message))

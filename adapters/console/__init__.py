"""Chat with Waarom in a terminal: the same commands as every chat platform.

Buttons become numbered choices and forms one question per field. Input and output streams
are injectable, so scripts and tests drive it with lines in and replies out.

``ConsoleChat`` is loaded when first used: the package is imported by ``waarom --help`` (for
its :mod:`.platform`), which must not wait for the chat core."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from adapters.console.session import ConsoleChat

__all__ = ["ConsoleChat"]

__getattr__ = lazy.exports(__name__, {"ConsoleChat": "adapters.console.session"})

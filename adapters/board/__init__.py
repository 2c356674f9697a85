"""The board: a web page where leads work the ideas and everyone sees what came of them.

Server-rendered (Jinja2) under ``/board`` in ``waarom serve``; it uses the core the way the
chat adapters do. ``mount`` is loaded when first used, so a process that never serves the
board does not load Jinja2."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.board.app import mount

__all__ = ["mount"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from adapters.board import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The Slack adapter: Bolt listeners in (:mod:`.inbound`), Web API calls out
(:mod:`.outbound`), Block Kit looks (:mod:`.render`), wired up in :mod:`.app`.

``build`` and ``mount`` are loaded when first used, so a command that only needs
:mod:`.cli` (``waarom --help``) does not wait for Bolt and the Slack SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from adapters.slack.app import build, mount

__all__ = ["build", "mount"]

__getattr__ = lazy.exports(__name__, {"build": "adapters.slack.app", "mount": "adapters.slack.app"})

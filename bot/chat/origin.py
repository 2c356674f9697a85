"""Where an event came from, in the platform's own ids (strings), as adapters report it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Origin:
    platform: str  # "slack" | "teams" | "console"
    workspace_id: str  # Slack team id, Teams tenant id, "console"
    conversation_id: str  # channel / conversation the event happened in
    user_id: str
    workspace_name: str = ""
    conversation_name: str = ""
    user_name: str = ""
    user_timezone: str | None = None
    # None: the platform did not say (keep what we knew).
    user_is_admin: bool | None = None
    # How to reach the conversation / the user later without an inbound event (proactive
    # messages): Slack channel ids, Teams conversation references.
    conversation_address: dict[str, Any] | None = None
    user_address: dict[str, Any] | None = None
    # A 1:1 chat with the bot (Slack DM, Teams personal scope, console).
    direct: bool = False
    # Platform user ids mentioned in the command text, in order (e.g. for
    # ``settings leads @anna @piet`` or an idea's owner). Adapters extract them.
    mentions: tuple[str, ...] = ()
    # The adapter vouches that this workspace is the operator's own (the workspace of a
    # single-workspace Slack token, a single-tenant Teams app, the Emulator, the console):
    # it joins the default organisation on first contact (see bot.storage.orgs).
    home: bool = False

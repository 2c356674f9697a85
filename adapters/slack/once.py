"""Each Slack request handled once (:mod:`bot.replay`): its key, recorded and given back.

Slack retries an event it did not see acknowledged in time (same ``event_id``), people
double-click buttons, and a captured request may be replayed within the signature's five
minutes. A Bolt middleware (:meth:`adapters.slack.handling.Handling.replay_guard`) records a
request's key before any listener runs and answers a request whose key is recorded with an
empty 200, as its first handling did. A listener whose write fails gives the key back
(:func:`release`), so Slack's retry is handled.

Form submissions carry no key: the core refuses a second answer to the same prompt.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from adapters.slack import render
from adapters.slack.payloads import PLATFORM, team_id_of, user_id_of
from bot import replay
from bot.bootstrap import Services

# Two clicks on the same button closer together than this are one click.
DOUBLE_CLICK = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class Key:
    key: str
    # For a click: when it happened (epoch seconds); repeats within DOUBLE_CLICK are one.
    clicked_at: float | None = None

    @property
    def recorded(self) -> str:
        """The key as :mod:`bot.replay` records it (a click's carries its time bucket)."""
        if self.clicked_at is None:
            return self.key
        return replay.bucketed(self.key, self.clicked_at, DOUBLE_CLICK)


def key_of(body: dict[str, Any]) -> Key | None:
    """The replay key of a request, or None for requests handled without one."""
    kind = body.get("type")
    if kind == "event_callback":
        return Key(f"event:{body['event_id']}") if body.get("event_id") else None
    if body.get("command"):
        return Key(f"command:{body.get('trigger_id')}")
    if kind == "message_action":
        return Key(f"shortcut:{body.get('trigger_id')}")
    if kind == "block_actions":
        return _click(body)
    return None


def _click(body: dict[str, Any]) -> Key | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts", "")
    where_clicked = message_ts or (body.get("view") or {}).get("id", "")
    name, value = render.core_action(action.get("action_id", "")), action.get("value") or ""
    key = f"click:{team_id_of(body)}:{user_id_of(body)}:{channel}:{where_clicked}:{name}:{value}"
    return Key(key, float(action.get("action_ts") or time.time()))


async def first(services: Services, key: Key) -> bool:
    """Record ``key``; False when it was recorded before (a click: moments before)."""
    if key.clicked_at is None:
        return await replay.first_time(services, PLATFORM, key.key)
    found = await replay.first_in_window(services, PLATFORM, key.key, key.clicked_at, DOUBLE_CLICK)
    return found is not None


async def release(services: Services, body: dict[str, Any]) -> None:
    """The request's write failed: its key is given back, so a retry is handled."""
    key = key_of(body)
    if key is not None:
        await replay.release(services, PLATFORM, key.recorded)

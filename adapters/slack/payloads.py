"""What a Slack request says, read from its payload: who, where, what was typed, and the
core's :class:`~bot.chat.origin.Origin` for it. Pure functions, no I/O."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack import render
from adapters.slack.profiles import Profile
from bot.chat.origin import Origin
from bot.messages import FormErrors, Outcome

PLATFORM = "slack"
# A user mention in command text, as Slack escapes it: <@U123> or <@U123|anna>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def problems_in(outcomes: tuple[Outcome, ...]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for outcome in outcomes:
        if isinstance(outcome, FormErrors):
            problems.update(outcome.errors)
    return problems


def on_fields(problems: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """Slack shows errors under fields; a problem without a field goes on the first one."""
    known = {name: text for name, text in problems.items() if name in values}
    other = "; ".join(text for name, text in problems.items() if name not in values)
    if other and values:
        first = next(iter(values))
        known[first] = f"{known[first]}; {other}" if first in known else other
    return known


def team_id_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or (body.get("view") or {}).get("team_id") or "")


def user_id_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id", ""))


def where(body: dict[str, Any]) -> str:
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id", "")
    return f"workspace {team_id_of(body)}, user {user_id_of(body)}, channel {channel}"


def command_text(raw: str) -> tuple[str, tuple[str, ...]]:
    """Command text as Slack escapes it → the text as the person saw it, and the user ids
    it mentions, in order (``settings leads @anna @piet``)."""
    mentions = tuple(dict.fromkeys(MENTION.findall(raw)))
    return render.plain_from_slack(raw).strip(), mentions


def origin(
    team_id: str,
    channel_id: str,
    user_id: str,
    profile: Profile | None = None,
    *,
    team_name: str = "",
    channel_name: str = "",
    mentions: tuple[str, ...] = (),
    home: bool = False,
) -> Origin:
    profile = profile or Profile()
    direct = channel_id.startswith("D") or channel_name == "directmessage"
    return Origin(
        platform=PLATFORM,
        workspace_id=team_id,
        conversation_id=channel_id,
        user_id=user_id,
        workspace_name=team_name,
        conversation_name="" if direct else channel_name,
        user_name=profile.name,
        user_timezone=profile.timezone,
        user_is_admin=profile.is_admin,
        conversation_address={"channel": channel_id} if channel_id else None,
        user_address={"user": user_id, **({"channel": channel_id} if direct else {})},
        direct=direct,
        mentions=mentions,
        home=home,
    )

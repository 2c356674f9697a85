"""What Slack says about a person or a channel, asked without holding up a request for long.

The core needs a member's name, time zone and admin flag (admins lead a team until it has
leads of its own) and a channel's name; Slack tells them only through ``users.info`` and
``conversations.info``. A request waits at most ``LOOKUP_WAIT`` seconds for either: when Slack
is slow or refuses, the request goes on without it and the core keeps what it knew.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.authorize import LOOKUP_WAIT

log = logging.getLogger(__name__)

PROFILE_TTL = 600.0
PROFILES_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Profile:
    name: str = ""
    timezone: str | None = None
    is_admin: bool | None = None


@dataclass
class Profiles:
    """``users.info`` answers, kept for a few minutes: names, time zones and admin flags
    change rarely, and asking on every command would cost a Web API call per request."""

    ttl: float = PROFILE_TTL
    wait: float = LOOKUP_WAIT
    _cache: dict[tuple[str, str], tuple[float, Profile]] = field(default_factory=dict)

    async def get(self, client: AsyncWebClient, team_id: str, user_id: str) -> Profile:
        key = (team_id, user_id)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            user = (await asyncio.wait_for(client.users_info(user=user_id), self.wait))["user"]
        except TimeoutError:
            log.warning(
                "users.info for %s in %s: no answer within %.1f s", user_id, team_id, self.wait
            )
            return Profile()
        except SlackApiError as exc:
            # Without users:read (or for a user of another workspace) we still serve the
            # request; the core keeps what it knew about the member.
            log.warning(
                "users.info for %s in %s failed: %s", user_id, team_id, exc.response.get("error")
            )
            return Profile()
        profile = Profile(
            name=(user.get("profile") or {}).get("display_name")
            or user.get("real_name")
            or user.get("name", ""),
            timezone=user.get("tz") or None,
            is_admin=bool(
                user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            ),
        )
        if len(self._cache) > PROFILES_KEPT:
            self._cache.clear()
        self._cache[key] = (time.monotonic() + self.ttl, profile)
        return profile


async def channel_name(client: AsyncWebClient, channel: str, wait: float = LOOKUP_WAIT) -> str:
    """The channel's name, or "" when Slack does not say it in time."""
    try:
        found = await asyncio.wait_for(client.conversations_info(channel=channel), wait)
    except TimeoutError:
        log.warning("conversations.info for %s: no answer within %.1f s", channel, wait)
        return ""
    except SlackApiError as exc:
        log.warning("conversations.info for %s failed: %s", channel, exc.response.get("error"))
        return ""
    return str((found.get("channel") or {}).get("name", ""))

"""The clock's way out to Teams: proactive cards from stored conversation references.

The sender already retries throttling and gateway errors; what still fails is classified: 403
and 404 mean the bot was removed or the conversation is gone, anything else may pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
from botbuilder.schema import ErrorResponseException

from adapters.teams.proactive import TeamsSender
from adapters.teams.retry import retry_after, status_of
from adapters.teams.roster import TeamsRoster
from bot.clock.delivery import MemberTarget, PermanentFailure, TeamTarget, TransientFailure
from bot.clock.roster import Person, RosterPage, RosterTarget
from bot.messages import Message

PERMANENT_STATUSES = frozenset({401, 403, 404})


class TeamsDelivery:
    """Also the clock's :class:`bot.clock.roster.RosterSource` for Teams: the sweep finishes the
    member lists a web process left waiting."""

    def __init__(self, sender: TeamsSender) -> None:
        self.sender = sender
        self.roster = TeamsRoster(sender)

    async def roster_page(self, target: RosterTarget, cursor: str | None) -> RosterPage:
        return await self.roster.roster_page(target, cursor)

    async def open_direct(self, target: RosterTarget, person: Person) -> dict[str, Any]:
        return await self.roster.open_direct(target, person)

    async def to_team(self, target: TeamTarget, message: Message, marker: str) -> dict[str, Any]:
        if not target.address:
            raise PermanentFailure("Teams: no conversation reference stored for this team")
        return await self._send(dict(target.address), message)

    async def to_member(
        self, target: MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        if not target.address:
            raise PermanentFailure("Teams: this member has no personal chat with the bot yet")
        return await self._send(dict(target.address), message)

    async def delivered(
        self, target: TeamTarget | MemberTarget, marker: str, since: datetime
    ) -> bool | None:
        # The Bot Connector cannot list a conversation's messages: no way to tell.
        return None

    async def _send(self, address: dict[str, Any], message: Message) -> dict[str, Any]:
        try:
            return await self.sender.send(address, message)
        except ErrorResponseException as exc:
            status = status_of(exc)
            if status in PERMANENT_STATUSES:
                raise PermanentFailure(f"Teams: HTTP {status}") from None
            raise TransientFailure(f"Teams: HTTP {status}", retry_after(exc)) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientFailure(f"Teams unreachable: {type(exc).__name__}") from None

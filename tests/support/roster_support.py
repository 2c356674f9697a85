"""What the roster tests share: a team of ``TEAM`` installed by ``LEAD``, the activities Teams
sends when the bot is installed or the team's members change, and what the tests read back:
who has a personal chat, who is on the team, who got a prompt."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy import select

import adapters.teams
from adapters.teams import TEAMS
from adapters.teams.delivery import TeamsDelivery
from bot import bootstrap
from bot.clock import Clock, ClockConfig
from bot.clock.delivery import Deliveries
from bot.storage.models import Member, Team, TeamMember
from tests.support.teams_connector import FakeConnector
from tests.support.teams_roster import Person
from tests.support.teams_support import Client

TEAM = "19:general@thread.tacv2"
TENANT = "tenant-1"
LEAD = Person("29:user-1", "Anna de Vries")
# Thursday 19 November 2026, 10:00 in Amsterdam: the default "tue,thu 10:00" nudges are due.
THURSDAY_10 = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)
TUESDAY_10 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


class MovingClock(Protocol):
    """The ``clock`` fixture: every process's ``now()``, moved by the test."""

    def __call__(self) -> dt.datetime: ...

    def advance(self, **delta: float) -> None: ...


async def install(client: Client, *, conversation: str = TEAM, **extra: Any) -> int:
    return await client.post(
        client.activity(
            type="conversationUpdate",
            conversation=conversation,
            conversation_type="channel",
            user=LEAD.id,
            user_name=LEAD.name,
            membersAdded=[{"id": "28:waarom-bot"}],
            channelData={
                "tenant": {"id": TENANT},
                "team": {"id": TEAM, "name": "Support"},
                "eventType": "teamMemberAdded",
            },
            **extra,
        )
    )


async def members_changed(client: Client, **change: list[dict[str, str]]) -> int:
    event = "teamMemberAdded" if "membersAdded" in change else "teamMemberRemoved"
    return await client.post(
        client.activity(
            type="conversationUpdate",
            conversation=TEAM,
            conversation_type="channel",
            channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}, "eventType": event},
            **change,
        )
    )


async def settled(client: Client) -> None:
    """Until the roster work the turns started after themselves is done."""
    await client.server.app[TEAMS].rosters.idle()


def teams_clock(services: bootstrap.Services) -> Clock:
    """The clock process's way out to Teams, on an adapter of its own."""
    sender = adapters.teams.build(services).sender
    return Clock(services, Deliveries({"teams": TeamsDelivery(sender)}), ClockConfig(backoff=0))


def nudged(connector: FakeConnector, since: int) -> list[str]:
    """Personal chats that got a prompt card since call number ``since``."""
    return [
        call.conversation_id
        for call in connector.sent()[since:]
        if call.conversation_id.startswith("a:personal-") and "Answer" in json.dumps(call.cards)
    ]


async def addresses(services: bootstrap.Services) -> dict[str, str | None]:
    async with services.sessions() as session:
        rows = await session.execute(select(Member.external_id, Member.address))
        return {user: (address or {}).get("conversation", {}).get("id") for user, address in rows}


async def team_members(services: bootstrap.Services) -> set[str]:
    async with services.sessions() as session:
        rows = await session.scalars(
            select(Member.external_id)
            .join(TeamMember, TeamMember.member_id == Member.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.external_id == TEAM)
        )
        return set(rows.all())

"""A recording delivery (a fake of the outbound port) and helpers to set teams up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.bootstrap import Services
from bot.clock.delivery import MemberTarget, PermanentFailure, TeamTarget, TransientFailure
from bot.messages import Message, plain_text
from bot.storage.directory import installation, join, member, organisation, team
from bot.storage.models import Team


@dataclass
class Recorded:
    to: str
    text: str


@dataclass
class FakeDelivery:
    sent: list[Recorded] = field(default_factory=list)
    permanent: set[str] = field(default_factory=set)  # conversation / user ids that fail for good
    transient: dict[str, int] = field(default_factory=dict)  # id → failures before success

    async def to_team(self, target: TeamTarget, message: Message, marker: str) -> dict[str, Any]:
        return self._send(target.conversation_id, message)

    async def to_member(
        self, target: MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        return self._send(target.user_id, message)

    async def delivered(
        self, target: TeamTarget | MemberTarget, marker: str, since: dt.datetime
    ) -> bool | None:
        return None

    def _send(self, to: str, message: Message) -> dict[str, Any]:
        if to in self.permanent:
            raise PermanentFailure("channel_not_found")
        if self.transient.get(to, 0) > 0:
            self.transient[to] -= 1
            raise TransientFailure("ratelimited", retry_after=0)
        self.sent.append(Recorded(to, plain_text(message)))
        return {"n": len(self.sent)}

    def to(self, who: str) -> list[Recorded]:
        return [r for r in self.sent if r.to == who]


async def make_team(
    services: Services,
    name: str,
    *,
    timezone: str = "Europe/Amsterdam",
    digest: str = "mon 09:00",
    nudges: str = "tue,thu 10:00",
    quiet: str | None = "18:00-08:00",
    members: dict[str, str | None] | None = None,
) -> Team:
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        inst = await installation(session, "console", "ws", org_id=org.id)
        created = await team(session, inst, name, name=name, language="en", timezone=timezone)
        created.digest_schedule, created.nudge_schedule, created.quiet_hours = digest, nudges, quiet
        for user, zone in (members or {}).items():
            person = await member(session, inst.id, user, display_name=user, timezone=zone)
            await session.flush()
            await join(session, created.id, person.id)
        return created


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


async def make_slack_teams(services: Services, count: int) -> None:
    """``count`` teams in one Slack workspace, each in its own channel ``C0000``, ``C0001`` …"""
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        inst = await installation(session, "slack", "T1", org_id=org.id)
        for n in range(count):
            await team(
                session,
                inst,
                f"C{n:04d}",
                name=f"team-{n}",
                language="en",
                timezone="Europe/Amsterdam",
                address={"channel": f"C{n:04d}"},
            )

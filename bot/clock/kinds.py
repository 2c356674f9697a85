"""Digests, nudges and reminders: how each is prepared for the pipeline, and what it writes
with its claim and after its outcome (:mod:`bot.clock.pipeline`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.chat.views import prompt_message
from bot.clock.delivery import Deliveries, MemberTarget, TeamTarget
from bot.clock.pipeline import Prepared, Ref, rendered
from bot.clock.plan import DueDigest, DueNudge, DueReminder
from bot.clock.reads import Found, Waiting
from bot.clock.sends import SendKey, exists
from bot.digest import (
    CustomerVoice,
    Week,
    customer_voice,
    digest_of,
    remember_many,
    render_digest,
    team_parts,
)
from bot.engine.nudge_state import NudgeStatus
from bot.engine.nudges import nudge_content, plan_nudge
from bot.storage.models import Installation, Member, Nudge, Send, Team


def member_target(inst: Installation, member: Member) -> MemberTarget:
    return MemberTarget(
        inst.platform, inst.external_id, member.id, member.external_id, member.address
    )


def team_target(inst: Installation, team: Team) -> TeamTarget:
    return TeamTarget(inst.platform, inst.external_id, team.external_id, team.address)


class Digests:
    name = "digest"

    def __init__(self, services: Services, deliveries: Deliveries, found: Found) -> None:
        self.services = services
        self.deliveries = deliveries
        self.found = found
        # Teams of one organisation in one time zone share the customer part of a digest.
        self.voices = Voices(services)

    async def prepare(self, due: Sequence[DueDigest]) -> list[Prepared]:
        teams = [(self.found.teams[d.team_id], d.week) for d in due]
        async with self.services.sessions() as session, session.begin():
            voice = [await self.voices.get(session, team, week) for (team, _), week in teams]
            parts = await team_parts(session, [(team, week) for (team, _), week in teams])
        prepared: list[Prepared] = []
        for ((team, inst), week), team_voice in zip(teams, voice, strict=True):
            data = digest_of(team, week, self.services.library, team_voice, parts[team.id])
            message = render_digest(data, self.services.catalog.translator(team.language))
            prepared.append(
                Prepared(
                    key=SendKey(team.id, "digest", str(week), "team"),
                    target=team_target(inst, team),
                    render=rendered(message),
                    delivery=self.deliveries.for_platform(inst.platform),
                    item=data,
                )
            )
        return prepared

    async def claimed(self, session: AsyncSession, won: list[tuple[Prepared, int]]) -> None:
        # A digest is stored exactly when its send is claimed.
        await remember_many(session, [p.item for p, _ in won])

    async def delivered(self, prepared: Prepared, ref: Ref | None) -> None:
        return None


class Nudges:
    name = "nudge"

    def __init__(
        self, services: Services, deliveries: Deliveries, found: Found, now: dt.datetime
    ) -> None:
        self.services = services
        self.deliveries = deliveries
        self.found = found
        self.now = now

    async def prepare(self, due: Sequence[DueNudge]) -> list[Prepared]:
        ready = await asyncio.gather(*(self._one(d) for d in due))
        return [p for p in ready if p is not None]

    async def _one(self, due: DueNudge) -> Prepared | None:
        if await exists(self.services.sessions, due.key):
            return None  # a cheap look before choosing a prompt; the claim still decides
        team, inst = self.found.teams[due.team_id]
        member = self.found.members[due.member_id]
        library = self.services.library
        async with self.services.sessions() as session:
            nudge = await plan_nudge(session, library, team, member, now=self.now)
            prompt, quote = await nudge_content(session, library, nudge)
        t = self.services.catalog.translator(team.language)
        return Prepared(
            key=due.key,
            target=member_target(inst, member),
            # Rendered once the claim gave the nudge its id (its buttons carry it).
            render=lambda: prompt_message(t, prompt, nudge, quote),
            delivery=self.deliveries.for_platform(inst.platform),
            item=nudge,
        )

    async def claimed(self, session: AsyncSession, won: list[tuple[Prepared, int]]) -> None:
        # The nudge exists exactly when its send was claimed (and the send knows it, for a
        # process that has to finish it after a crash).
        session.add_all([p.item for p, _ in won])
        await session.flush()
        await session.execute(
            update(Send),
            [{"id": send_id, "message_ref": {"nudge_id": p.item.id}} for p, send_id in won],
        )

    async def delivered(self, prepared: Prepared, ref: Ref | None) -> None:
        # Not delivered: the nudge reached no one, so it does not wait for an answer.
        values: dict[str, Any] = {"message_ref": ref} if ref else {"status": NudgeStatus.EXPIRED}
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                update(Nudge).where(Nudge.id == prepared.item.id).values(**values)
            )


class Reminders:
    name = "reminder"

    def __init__(
        self, services: Services, deliveries: Deliveries, waiting: Waiting, now: dt.datetime
    ) -> None:
        self.services = services
        self.deliveries = deliveries
        self.waiting = waiting
        self.now = now

    async def prepare(self, due: Sequence[DueReminder]) -> list[Prepared]:
        prepared: list[Prepared] = []
        async with self.services.sessions() as session:
            for reminder in due:
                nudge, team, inst, member = self.waiting.rows[reminder.nudge_id]
                prompt, quote = await nudge_content(session, self.services.library, nudge)
                t = self.services.catalog.translator(team.language)
                message = prompt_message(t, prompt, nudge, quote)
                prepared.append(
                    Prepared(
                        key=reminder.key,
                        target=member_target(inst, member),
                        render=rendered(message),
                        delivery=self.deliveries.for_platform(inst.platform),
                        item=reminder,
                    )
                )
        return prepared

    async def claimed(self, session: AsyncSession, won: list[tuple[Prepared, int]]) -> None:
        return None

    async def delivered(self, prepared: Prepared, ref: Ref | None) -> None:
        reminder: DueReminder = prepared.item
        values: dict[str, Any] = {"reminded_at": self.now}
        if reminder.snoozed:
            values.update(status=NudgeStatus.SENT, snoozed_until=None)
        if ref is not None:
            values["message_ref"] = ref
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                update(Nudge).where(Nudge.id == reminder.nudge_id).values(**values)
            )


class Voices:
    """Customer voice per (organisation, week, time zone), computed once per tick."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._done: dict[tuple[int, str, str], CustomerVoice] = {}
        self._locks: dict[tuple[int, str, str], asyncio.Lock] = {}

    async def get(self, session: AsyncSession, team: Team, week: Week) -> CustomerVoice:
        key = (team.org_id, str(week), team.timezone)
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._done:
                self._done[key] = await customer_voice(
                    session, team.org_id, week, zoneinfo.ZoneInfo(team.timezone)
                )
            return self._done[key]

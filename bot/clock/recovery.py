"""Finishing sends a stopped process claimed but never confirmed (older than the lease).

Where the platform can tell (Slack keeps the send's marker in the message metadata) a send
that did arrive is recorded as sent and one that did not is sent now, through the same
delivery step as every send (:meth:`bot.clock.pipeline.Pipeline.deliver`); where it cannot,
the send is marked "unknown" rather than risk showing it twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from bot.bootstrap import Services
from bot.chat.views import prompt_message
from bot.clock.config import TickReport
from bot.clock.delivery import Deliveries, DeliveryFailure, MemberTarget, TeamTarget
from bot.clock.kinds import member_target, team_target
from bot.clock.pipeline import Pipeline, Prepared, rendered
from bot.clock.sends import SendKey, finish, take_over
from bot.digest import build_digest, render_digest
from bot.engine.nudges import nudge_content
from bot.messages import Message
from bot.storage.models import Installation, Member, Nudge, Send, Team
from bot.week import Week

log = logging.getLogger(__name__)


class Recovery:
    def __init__(
        self, services: Services, deliveries: Deliveries, pipeline: Pipeline, lease: dt.timedelta
    ) -> None:
        self.services = services
        self.deliveries = deliveries
        self.pipeline = pipeline
        self.lease = lease

    async def run(self, now: dt.datetime, report: TickReport) -> None:
        async with self.services.sessions() as session:
            rows = (
                await session.execute(
                    select(Send, Team, Installation)
                    .join(Team, Team.id == Send.team_id)
                    .join(Installation, Installation.id == Team.installation_id)
                    .where(Send.status == "claimed", Send.claimed_at < now - self.lease)
                    .order_by(Send.id)
                )
            ).all()
        if rows:
            log.info("checking %d send(s) a stopped clock left unconfirmed", len(rows))
        for send, team, inst in rows:
            await self._one(send, team, inst, now, report)

    async def _one(
        self, send: Send, team: Team, inst: Installation, now: dt.datetime, report: TickReport
    ) -> None:
        key = SendKey(send.team_id, send.kind, send.period, send.target)
        target = await self._target(key, team, inst)
        try:
            delivery = self.deliveries.for_platform(inst.platform)
            landed = await delivery.delivered(
                target, key.marker, send.claimed_at - dt.timedelta(minutes=1)
            )
        except DeliveryFailure:
            landed = None
        if landed is True:
            await finish(self.services.sessions, send.id, "sent", now=now)
            log.info("send %s had arrived before its process stopped", key.marker)
            return
        message = await self._message(send, team) if landed is False else None
        if message is None:
            await finish(
                self.services.sessions,
                send.id,
                "unknown",
                now=now,
                error="the sending process stopped mid-send",
            )
            log.warning("send %s: outcome unknown after its process stopped", key.marker)
            return
        if not await take_over(self.services.sessions, send, now=now, worker=self.pipeline.worker):
            return
        again = Prepared(key, target, rendered(message), delivery)
        await self.pipeline.deliver(again, send.id, report)

    async def _target(
        self, key: SendKey, team: Team, inst: Installation
    ) -> TeamTarget | MemberTarget:
        member = None
        if key.target.startswith("member:"):
            async with self.services.sessions() as session:
                member = await session.get(Member, int(key.target.split(":", 1)[1]))
        return member_target(inst, member) if member is not None else team_target(inst, team)

    async def _message(self, send: Send, team: Team) -> Message | None:
        if send.kind not in ("digest", "nudge", "reminder"):
            return None  # a one-off notice (bot.clock.roster_keeper): not worth a second try
        t = self.services.catalog.translator(team.language)
        async with self.services.sessions() as session:
            if send.kind == "digest":
                data = await build_digest(
                    session, team, Week.parse(send.period), self.services.library
                )
                return render_digest(data, t)
            nudge_id = (
                (send.message_ref or {}).get("nudge_id")
                if send.kind == "nudge"
                else int(send.period.split(":", 1)[0])
            )
            nudge = await session.get(Nudge, nudge_id) if nudge_id else None
            if nudge is None:
                return None
            prompt, quote = await nudge_content(session, self.services.library, nudge)
            return prompt_message(t, prompt, nudge, quote)

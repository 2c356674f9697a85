"""Reading a team's members and opening a personal chat with each, from what is waiting.

A :class:`Keeper` claims one team's roster at a time (a conditional UPDATE with a lease, so
two processes never read the same team at once, and a reader that died is taken over), reads
the member list a page at a time, and writes every member and every address as it gets
them: a reader that stops has lost nothing but the page it was on. A whole read also drops
the members who are no longer on the list. The web process keeps a team right after an
event (:mod:`adapters.teams.roster`); the clock's sweep keeps whatever is still waiting.

People the platform will not open a chat with are counted as unreachable; once nobody is left
untried after a whole read, whoever added the bot is told who cannot be reached (once per
read: the send is claimed like any other).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.chat.views import text_message
from bot.clock.delivery import (
    Delivery,
    DeliveryFailure,
    MemberTarget,
    PermanentFailure,
    TeamTarget,
)
from bot.clock.roster import Person, RosterSource, RosterTarget, reach, untried, waiting
from bot.clock.sends import SendKey, claim, exists, finish
from bot.intake.safe_text import one_line
from bot.messages import Message
from bot.storage.directory import join, leave, member
from bot.storage.models import Installation, Member, Roster, Team, TeamMember

log = logging.getLogger(__name__)

# A reader shows progress with every member it writes; one silent for this long has stopped.
LEASE = dt.timedelta(minutes=5)
# Names listed in the note about who cannot be reached; the rest are counted.
NAMES_SHOWN = 8
REACH = "reach"


class LostClaim(Exception):
    """Another process took the team over (this one was silent past the lease)."""


@dataclass(frozen=True, slots=True)
class Claim:
    team_id: int
    token: str


class Keeper:
    def __init__(
        self,
        services: Services,
        platform: str,
        source: RosterSource,
        delivery: Delivery,
        *,
        worker: str,
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.services = services
        self.platform = platform
        self.source = source
        self.delivery = delivery
        self.worker = worker
        self.lease = lease

    async def catch_up(self, team_ids: Sequence[int] | None = None) -> int:
        """Keep every team with work waiting (of ``team_ids``), one after the other: Teams
        counts a tenant's calls together, so one reader at a time is kind to its limits.
        The number of teams kept."""
        kept = 0
        for team_id in await self._waiting(team_ids):
            kept += await self.keep(team_id)
        return kept

    async def keep(self, team_id: int) -> bool:
        """Bring one team's roster up to date, unless another process is at it. A failure is
        logged and the rest left waiting for the next try."""
        held = await self._claim(team_id)
        if held is None:
            return False
        try:
            await self._keep(held)
        except (DeliveryFailure, LostClaim) as exc:
            log.info("roster of team %s: stopped for now (%s)", team_id, exc)
        except Exception:
            log.exception("roster of team %s: stopped for now", team_id)
        finally:
            try:
                await self._release(held)
            except Exception:  # the lease runs out instead
                log.warning("roster of team %s: claim not released", team_id, exc_info=True)
        return True

    # --- claiming ------------------------------------------------------------------------

    async def _waiting(self, team_ids: Sequence[int] | None) -> list[int]:
        query = (
            select(Roster.team_id)
            .join(Team, Team.id == Roster.team_id)
            .join(Installation, Installation.id == Team.installation_id)
            .where(
                Team.active.is_(True),
                Installation.active.is_(True),
                Installation.platform == self.platform,
                waiting(self.services.now(), self.lease),
            )
            .order_by(Roster.wanted_at, Roster.team_id)
        )
        if team_ids is not None:
            query = query.where(Roster.team_id.in_(list(team_ids)))
        async with self.services.sessions() as session:
            return list((await session.scalars(query)).all())

    async def _claim(self, team_id: int) -> Claim | None:
        now = self.services.now()
        # Unique per claim, so two tasks of one process cannot both hold a team either.
        token = f"{self.worker[:55]}/{uuid.uuid4().hex[:8]}"
        async with self.services.sessions() as session, session.begin():
            taken = await session.execute(
                update(Roster)
                .where(Roster.team_id == team_id, waiting(now, self.lease))
                .values(claimed_by=token, claimed_at=now)
            )
        return Claim(team_id, token) if taken.rowcount == 1 else None  # type: ignore[attr-defined]

    async def _renew(self, session: AsyncSession, held: Claim) -> None:
        renewed = await session.execute(
            update(Roster)
            .where(Roster.team_id == held.team_id, Roster.claimed_by == held.token)
            .values(claimed_at=self.services.now())
        )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            raise LostClaim(f"team {held.team_id} was taken over")

    async def _release(self, held: Claim) -> None:
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                update(Roster)
                .where(Roster.team_id == held.team_id, Roster.claimed_by == held.token)
                .values(claimed_by=None, claimed_at=None)
            )

    # --- keeping -------------------------------------------------------------------------

    async def _keep(self, held: Claim) -> None:
        started = self.services.now()
        async with self.services.sessions() as session:
            row = (
                await session.execute(
                    select(Roster, Team, Installation)
                    .join(Team, Team.id == Roster.team_id)
                    .join(Installation, Installation.id == Team.installation_id)
                    .where(Roster.team_id == held.team_id)
                )
            ).one()
        roster, team, inst = row
        target = RosterTarget(inst.platform, inst.external_id, roster.source_id, team.address)
        whole = roster.read_at is None or roster.read_at < roster.wanted_at
        if whole and not await self._read_whole(held, inst.id, target, started):
            return  # chats wait for the next try
        async with self.services.sessions() as session:
            waiting_people = (
                await session.scalars(
                    select(Member)
                    .join(TeamMember, TeamMember.member_id == Member.id)
                    .where(TeamMember.team_id == held.team_id, untried())
                    .order_by(Member.id)
                )
            ).all()
        await self._open_all(
            held, target, [Person(m.external_id, m.display_name) for m in waiting_people]
        )
        await self._tell(team, inst)

    async def _read_whole(
        self, held: Claim, installation_id: int, target: RosterTarget, started: dt.datetime
    ) -> bool:
        """Read every page; write its members, open their chats; then drop who is gone.
        False when opening chats had to stop for now."""
        cursor: str | None = None
        seen: set[str] = set()
        opening = True
        while True:
            try:
                page = await self.source.roster_page(target, cursor)
            except PermanentFailure as exc:
                await self._read_failed(held, started, str(exc))
                return False
            seen.update(person.user_id for person in page.people)
            needing = await self._store(held, installation_id, page.people)
            if opening:
                # After a passing failure the rest of the list is still read and written;
                # their chats wait for the next try.
                opening = await self._open_all(held, target, needing)
            cursor = page.cursor
            if not cursor:
                break
        async with self.services.sessions() as session, session.begin():
            await self._renew(session, held)
            rows = await session.execute(
                select(TeamMember.member_id, Member.external_id)
                .join(Member, Member.id == TeamMember.member_id)
                # Who joined during the read may be on a page read before they did.
                .where(TeamMember.team_id == held.team_id, TeamMember.joined_at < started)
            )
            # An empty list is no team at all (the bot is in it): then nobody is dropped.
            gone = [member_id for member_id, user_id in rows if seen and user_id not in seen]
            for member_id in gone:
                await leave(session, held.team_id, member_id)
            await session.execute(
                update(Roster)
                .where(Roster.team_id == held.team_id)
                .values(read_at=started, error=None)
            )
        log.info("roster of team %s read: %d members", held.team_id, len(seen))
        return opening

    async def _read_failed(self, held: Claim, started: dt.datetime, reason: str) -> None:
        # Not retried until asked again (the next install event): the bot is no longer there.
        log.warning("roster of team %s could not be read: %s", held.team_id, reason)
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                update(Roster)
                .where(Roster.team_id == held.team_id)
                .values(read_at=started, error=reason[:500])
            )

    async def _store(
        self, held: Claim, installation_id: int, people: Iterable[Person]
    ) -> list[Person]:
        """Write a page's members into the team; the ones with no address yet."""
        needing: list[Person] = []
        async with self.services.sessions() as session, session.begin():
            await self._renew(session, held)
            for person in people:
                found = await member(
                    session, installation_id, person.user_id, display_name=person.name
                )
                await session.flush()
                if not found.address:
                    needing.append(person)
                await join(session, held.team_id, found.id, at=self.services.now())
        return needing

    async def _open_all(self, held: Claim, target: RosterTarget, people: Iterable[Person]) -> bool:
        """Open a chat with each; False when a passing failure says to stop for now."""
        for person in people:
            try:
                address = await self.source.open_direct(target, person)
            except PermanentFailure as exc:
                await self._write(held, person, {"unreachable": str(exc)[:200]})
                continue
            except DeliveryFailure as exc:
                log.info("roster of team %s: chats wait (%s)", held.team_id, exc)
                return False
            await self._write(held, person, {"address": address, "unreachable": None})
        return True

    async def _write(self, held: Claim, person: Person, values: dict[str, Any]) -> None:
        # One member at a time: each address is kept the moment it is had.
        async with self.services.sessions() as session, session.begin():
            await self._renew(session, held)
            inst_id = select(Team.installation_id).where(Team.id == held.team_id)
            await session.execute(
                update(Member)
                .where(
                    Member.installation_id == inst_id.scalar_subquery(),
                    Member.external_id == person.user_id,
                )
                .values(**values)
            )

    # --- telling -------------------------------------------------------------------------

    async def _tell(self, team: Team, inst: Installation) -> None:
        """Tell whoever added the bot who cannot be reached, once per whole read."""
        async with self.services.sessions() as session:
            roster = await session.get(Roster, team.id)
            counts = (await reach(session, [team.id])).get(team.id)
            if roster is None or roster.read_at is None or roster.error is not None:
                return
            if counts is None or counts.unreachable == 0 or counts.untried > 0:
                return
            names = (
                await session.scalars(
                    select(Member.display_name)
                    .join(TeamMember, TeamMember.member_id == Member.id)
                    .where(TeamMember.team_id == team.id, Member.unreachable.is_not(None))
                    .order_by(Member.display_name, Member.id)
                )
            ).all()
            lead = await session.get(Member, team.added_by_member_id or 0)
        # In their personal chat; in the team's conversation when they have none.
        target: MemberTarget | TeamTarget = (
            MemberTarget(inst.platform, inst.external_id, lead.id, lead.external_id, lead.address)
            if lead is not None and lead.address
            else TeamTarget(inst.platform, inst.external_id, team.external_id, team.address)
        )
        # Once per whole read, wherever it goes.
        key = SendKey(team.id, REACH, f"{roster.read_at:%Y-%m-%dT%H:%M}", "team")
        if await exists(self.services.sessions, key):
            return
        message = self._note(team, counts.members, counts.reachable, names)
        now = self.services.now()
        send_id = await claim(self.services.sessions, key, now=now, worker=self.worker)
        if send_id is None:
            return
        try:
            if isinstance(target, MemberTarget):
                landed = await self.delivery.to_member(target, message, key.marker)
            else:
                landed = await self.delivery.to_team(target, message, key.marker)
        except DeliveryFailure as exc:
            status = "failed" if isinstance(exc, PermanentFailure) else "retry"
            await finish(self.services.sessions, send_id, status, now=now, error=str(exc))
            return
        await finish(self.services.sessions, send_id, "sent", now=now, message_ref=landed)

    def _note(self, team: Team, members: int, reachable: int, names: Sequence[str]) -> Message:
        t = self.services.catalog.translator(team.language)
        shown = [one_line(name) or "?" for name in names[:NAMES_SHOWN]]
        if len(names) > NAMES_SHOWN:
            shown.append(t("roster.more", count=len(names) - NAMES_SHOWN))
        return text_message(
            t(
                "roster.unreachable",
                team=one_line(team.name) or "?",
                members=members,
                reachable=reachable,
                count=members - reachable,
                names=", ".join(shown),
            )
        )

"""Every member of a team within reach: the team's member list, read from the platform and
kept in step, and a personal chat with each member for their nudges.

Teams gives a person's address only once they chat with the bot, so without this most of a
team would never get a nudge. Where a platform can list a team's members and open a chat
with any of them (:class:`RosterSource`), its adapter records what happened in the turn —
the bot was installed (:func:`want`), members joined (:func:`joined`) or left
(:func:`left`) — and :class:`bot.clock.roster_keeper.Keeper` does the slow part afterwards, from
what the database says is waiting. Nothing waits in memory only: a process that stops
mid-read leaves the rest to the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.storage import directory
from bot.storage.models import Installation, Member, Roster, Team, TeamMember


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    name: str = ""
    # Their id in the organisation's directory, which a platform may want to open a chat
    # (Teams: the Azure AD object id).
    directory_id: str | None = None


@dataclass(frozen=True, slots=True)
class RosterTarget:
    platform: str
    workspace_id: str
    # What the platform lists the members by (Teams: the team id or the group chat's id).
    source_id: str
    # The team's conversation, which the platform is called from.
    address: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class RosterPage:
    people: tuple[Person, ...]
    cursor: str | None  # where the next page starts; None after the last


@runtime_checkable
class RosterSource(Protocol):
    """A platform's member lists and personal chats. Failures are those of
    :mod:`bot.clock.delivery`: :class:`~bot.clock.delivery.PermanentFailure` from
    :meth:`open_direct`
    means this person cannot be reached, from :meth:`roster_page` that the list cannot be
    had (the bot was removed); :class:`~bot.clock.delivery.TransientFailure` means try later."""

    async def roster_page(self, target: RosterTarget, cursor: str | None) -> RosterPage:
        """One page of the team's members, from ``cursor`` (None: the first page)."""
        ...

    async def open_direct(self, target: RosterTarget, person: Person) -> dict[str, Any]:
        """Open (or find) a personal chat with ``person``; its address (Member.address)."""
        ...


def without_address() -> ColumnElement[bool]:
    """Members with no address. An address once set to ``None`` is stored as JSON null,
    not SQL NULL, so both count."""
    return func.coalesce(cast(Member.address, String), "null") == "null"


def untried() -> ColumnElement[bool]:
    """Members no chat has been opened with yet (nor refused)."""
    return and_(without_address(), Member.unreachable.is_(None))


async def _team(session: AsyncSession, origin: Origin) -> tuple[Team, Installation] | None:
    row = (
        await session.execute(
            select(Team, Installation)
            .join(Installation, Installation.id == Team.installation_id)
            .where(
                Installation.platform == origin.platform,
                Installation.external_id == origin.workspace_id,
                Team.external_id == origin.conversation_id,
            )
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def _roster(
    session: AsyncSession, team_id: int, source_id: str, now: dt.datetime, *, whole: bool
) -> bool:
    """The team's roster row, created wanting a whole read if missing; with ``whole`` a
    whole read is asked for again. True when a read is newly asked for."""
    found = await session.get(Roster, team_id)
    if found is None:
        try:
            async with session.begin_nested():
                session.add(Roster(team_id=team_id, source_id=source_id, wanted_at=now))
            return True
        except IntegrityError:  # another process added it just now
            found = await session.get(Roster, team_id)
            if found is None:
                return False
    if not whole:
        return False
    if found.read_at is None or found.read_at < found.wanted_at:
        # A read is waiting or under way: the same install announced twice (Teams sends
        # conversationUpdate and installationUpdate) must not read the list twice.
        return True
    found.source_id = source_id
    found.wanted_at = now
    found.error = None
    return True


async def want(services: Services, origin: Origin, source_id: str) -> int | None:
    """The bot was installed (again) where ``origin`` happened: its members are to be read
    in full. The team's id, or None when the team is not known here."""
    async with services.sessions() as session, session.begin():
        found = await _team(session, origin)
        if found is None:
            return None
        team, _ = found
        await _roster(session, team.id, source_id, services.now(), whole=True)
        return team.id


async def ensure(services: Services, origin: Origin, source_id: str) -> int | None:
    """A team the bot was installed in before rosters were kept gets one on its next event.
    The team's id when a read was asked for now; None when it had one (one query)."""
    async with services.sessions() as session, session.begin():
        row = (
            await session.execute(
                select(Team.id, Roster.team_id)
                .join(Installation, Installation.id == Team.installation_id)
                .outerjoin(Roster, Roster.team_id == Team.id)
                .where(
                    Installation.platform == origin.platform,
                    Installation.external_id == origin.workspace_id,
                    Team.external_id == origin.conversation_id,
                    Team.active.is_(True),
                )
            )
        ).first()
        if row is None:
            return None
        team_id, has_roster = row[0], row[1] is not None  # (an outer join's None)
        if has_roster:
            return None
        asked = await _roster(session, team_id, source_id, services.now(), whole=False)
        return team_id if asked else None


async def joined(
    services: Services, origin: Origin, source_id: str, people: Iterable[Person]
) -> int | None:
    """``people`` joined the team: members from now on (their chats are opened after the
    turn). The team's id, or None when the team is not known here."""
    async with services.sessions() as session, session.begin():
        found = await _team(session, origin)
        if found is None:
            return None
        team, inst = found
        await _roster(session, team.id, source_id, services.now(), whole=False)
        for person in people:
            member = await directory.member(
                session, inst.id, person.user_id, display_name=person.name
            )
            await session.flush()
            await directory.join(session, team.id, member.id, at=services.now())
        return team.id


async def left(services: Services, origin: Origin, user_ids: Iterable[str]) -> None:
    """These people left the team: no more nudges for them from it."""
    async with services.sessions() as session, session.begin():
        found = await _team(session, origin)
        if found is None:
            return
        team, inst = found
        members = await session.scalars(
            select(Member.id).where(
                Member.installation_id == inst.id, Member.external_id.in_(list(user_ids))
            )
        )
        for member_id in members.all():
            await directory.leave(session, team.id, member_id)


@dataclass(frozen=True, slots=True)
class Reach:
    members: int
    reachable: int
    unreachable: int

    @property
    def untried(self) -> int:
        return self.members - self.reachable - self.unreachable


async def reach(session: AsyncSession, team_ids: list[int]) -> dict[int, Reach]:
    """How many members each team with a roster has, and how many a nudge can reach."""
    has_address = ~without_address()
    rows = await session.execute(
        select(
            TeamMember.team_id,
            func.count(),
            func.count().filter(has_address),
            func.count().filter(and_(~has_address, Member.unreachable.is_not(None))),
        )
        .join(Member, Member.id == TeamMember.member_id)
        .where(
            TeamMember.team_id.in_(team_ids),
            exists().where(Roster.team_id == TeamMember.team_id),
        )
        .group_by(TeamMember.team_id)
    )
    return {team_id: Reach(int(n), int(ok), int(bad)) for team_id, n, ok, bad in rows}


def waiting(now: dt.datetime, lease: dt.timedelta) -> ColumnElement[bool]:
    """Rosters with work waiting that no live process has claimed: a whole read asked for
    and not done, or members no chat has been opened with yet."""
    return and_(
        or_(Roster.claimed_at.is_(None), Roster.claimed_at < now - lease),
        or_(
            Roster.read_at.is_(None),
            Roster.read_at < Roster.wanted_at,
            exists()
            .where(TeamMember.team_id == Roster.team_id, Member.id == TeamMember.member_id)
            .where(untried()),
        ),
    )

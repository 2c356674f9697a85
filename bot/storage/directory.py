"""Who is who: organisations, installations, teams and members.

Adapters describe where an event came from in platform terms (ids as strings); these
functions find or create the matching rows. Creation races between web processes are settled
by the unique constraints: on conflict we read the row the other process wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock.delivery import MemberTarget
from bot.engine.nudge_state import OPEN, NudgeStatus
from bot.storage.models import (
    Installation,
    Member,
    Nudge,
    Organisation,
    Team,
    TeamLead,
    TeamMember,
    utcnow,
)

DEFAULT_ORG = "default"


class UnknownOrganisation(LookupError):
    pass


async def organisation(
    session: AsyncSession, slug: str = DEFAULT_ORG, *, create: bool = False
) -> Organisation:
    found = await session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is not None:
        return found
    if not create and slug != DEFAULT_ORG:
        raise UnknownOrganisation(f"no organisation {slug!r}; `waarom teams` lists what exists")
    try:
        async with session.begin_nested():
            org = Organisation(slug=slug, name=slug)
            session.add(org)
    except IntegrityError:
        return await session.scalar(select(Organisation).where(Organisation.slug == slug))  # type: ignore[return-value]
    return org


async def installation_of(
    session: AsyncSession, platform: str, external_id: str
) -> Installation | None:
    return await session.scalar(
        select(Installation).where(
            Installation.platform == platform, Installation.external_id == external_id
        )
    )


async def installation(
    session: AsyncSession, platform: str, external_id: str, *, org_id: int, name: str = ""
) -> Installation:
    query = select(Installation).where(
        Installation.platform == platform, Installation.external_id == external_id
    )
    found = await session.scalar(query)
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            inst = Installation(
                platform=platform, external_id=external_id, org_id=org_id, name=name
            )
            session.add(inst)
    except IntegrityError:
        return (await session.scalars(query)).one()
    return inst


async def member(
    session: AsyncSession,
    installation_id: int,
    external_id: str,
    *,
    display_name: str = "",
    timezone: str | None = None,
    is_admin: bool | None = None,
    address: dict[str, Any] | None = None,
) -> Member:
    query = select(Member).where(
        Member.installation_id == installation_id, Member.external_id == external_id
    )
    found = await session.scalar(query)
    if found is None:
        try:
            async with session.begin_nested():
                found = Member(
                    installation_id=installation_id,
                    external_id=external_id,
                    display_name=display_name,
                    timezone=timezone,
                    is_admin=bool(is_admin),
                    address=address,
                )
                session.add(found)
        except IntegrityError:
            found = (await session.scalars(query)).one()
    refresh_member(
        found, display_name=display_name, timezone=timezone, is_admin=is_admin, address=address
    )
    return found


def refresh_member(
    found: Member,
    *,
    display_name: str = "",
    timezone: str | None = None,
    is_admin: bool | None = None,
    address: dict[str, Any] | None = None,
) -> None:
    """Platforms tell us names and zones on every event; keep the newest. Only what
    changed is assigned, so an unchanged member is not written."""
    if display_name and found.display_name != display_name:
        found.display_name = display_name
    if timezone and found.timezone != timezone:
        found.timezone = timezone
    if is_admin is not None and found.is_admin != is_admin:
        found.is_admin = is_admin
    if address and found.address != address:
        found.address = address
    if address and found.unreachable is not None:
        # They chatted with the bot after all: reachable from now on.
        found.unreachable = None


async def team(
    session: AsyncSession,
    inst: Installation,
    external_id: str,
    *,
    name: str = "",
    language: str,
    timezone: str,
    address: dict[str, Any] | None = None,
    added_by: int | None = None,
) -> Team:
    if not external_id:
        # A request that names no conversation (a Slack App Home) belongs to the member's
        # own team (:func:`home_conversation`); a team without one would capture their
        # answers and could never be reached.
        raise ValueError("a team needs the id of its conversation")
    query = select(Team).where(Team.installation_id == inst.id, Team.external_id == external_id)
    found = await session.scalar(query)
    if found is None:
        try:
            async with session.begin_nested():
                found = Team(
                    org_id=inst.org_id,
                    installation_id=inst.id,
                    external_id=external_id,
                    name=name,
                    language=language,
                    timezone=timezone,
                    address=address,
                    added_by_member_id=added_by,
                )
                session.add(found)
        except IntegrityError:
            found = (await session.scalars(query)).one()
    refresh_team(found, name=name, address=address)
    return found


def refresh_team(found: Team, *, name: str = "", address: dict[str, Any] | None = None) -> None:
    if name and found.name != name:
        found.name = name
    if address and found.address != address:
        found.address = address


async def known(
    session: AsyncSession, platform: str, workspace_id: str, conversation_id: str, user_id: str
) -> tuple[Installation, Team, Member, bool] | None:
    """The installation, team and member of a request in one query, when all three exist
    (nearly always), and whether the member already belongs to the team."""
    row = (
        await session.execute(
            select(Installation, Team, Member, TeamMember.member_id)
            .join(
                Team,
                and_(Team.installation_id == Installation.id, Team.external_id == conversation_id),
            )
            .join(
                Member,
                and_(Member.installation_id == Installation.id, Member.external_id == user_id),
            )
            .outerjoin(
                TeamMember,
                and_(TeamMember.team_id == Team.id, TeamMember.member_id == Member.id),
            )
            .where(Installation.platform == platform, Installation.external_id == workspace_id)
        )
    ).first()
    if row is None:
        return None
    return row[0], row[1], row[2], row[3] is not None


async def home_conversation(
    session: AsyncSession, platform: str, workspace_id: str, user_id: str
) -> str | None:
    """The conversation that stands for a member where the platform names none (a click on
    the Slack App Home, a form opened there): their most recently joined channel team, else
    their 1:1 chat with the bot; None for a member the bot has never met in a conversation."""
    return await session.scalar(
        select(Team.external_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .join(Member, Member.id == TeamMember.member_id)
        .join(Installation, Installation.id == Member.installation_id)
        .where(
            Installation.platform == platform,
            Installation.external_id == workspace_id,
            Member.external_id == user_id,
            Team.installation_id == Installation.id,
            Team.active.is_(True),
            Team.external_id != "",
        )
        .order_by(Team.direct.asc(), TeamMember.joined_at.desc(), Team.id.desc())
        .limit(1)
    )


async def join(
    session: AsyncSession, team_id: int, member_id: int, *, at: dt.datetime | None = None
) -> None:
    exists = await session.get(TeamMember, (team_id, member_id))
    if exists is None:
        try:
            async with session.begin_nested():
                session.add(
                    TeamMember(team_id=team_id, member_id=member_id, joined_at=at or utcnow())
                )
        except IntegrityError:
            pass


async def leave(session: AsyncSession, team_id: int, member_id: int) -> None:
    """The member left the team: no more of its nudges, and the open ones no reminders."""
    await session.execute(
        delete(TeamMember).where(TeamMember.team_id == team_id, TeamMember.member_id == member_id)
    )
    await session.execute(
        update(Nudge)
        .where(
            Nudge.team_id == team_id,
            Nudge.member_id == member_id,
            Nudge.status.in_(OPEN),
        )
        .values(status=NudgeStatus.EXPIRED)
    )


async def lead_ids(session: AsyncSession, team_id: int) -> set[int]:
    rows = await session.scalars(select(TeamLead.member_id).where(TeamLead.team_id == team_id))
    return set(rows.all())


async def is_lead(session: AsyncSession, team: Team, member: Member) -> bool:
    """Leads are set per team; until a team has any, workspace admins and whoever added
    the bot lead it."""
    leads = await lead_ids(session, team.id)
    if leads:
        return member.id in leads
    return member.is_admin or team.added_by_member_id == member.id


async def set_leads(session: AsyncSession, team_id: int, member_ids: set[int]) -> None:
    current = await lead_ids(session, team_id)
    for gone in current - member_ids:
        lead = await session.get(TeamLead, (team_id, gone))
        if lead is not None:
            await session.delete(lead)
    for new in member_ids - current:
        session.add(TeamLead(team_id=team_id, member_id=new))


async def lead_names(session: AsyncSession, team_id: int) -> list[str]:
    ids = await lead_ids(session, team_id)
    if not ids:
        return []
    rows = await session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id))
    return [m.display_name or m.external_id for m in rows]


async def names(session: AsyncSession, member_ids: Iterable[int | None]) -> dict[int, str]:
    """Member id → the name people see (the platform's id when it gave no name)."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.external_id).where(Member.id.in_(ids))
    )
    return {row.id: row.display_name or row.external_id for row in rows}


async def member_named(session: AsyncSession, installation_id: int, name: str) -> Member | None:
    """The member of an installation called ``name`` (``@name`` too), by display name or id."""
    cleaned = name.lstrip("@").lower()
    rows = await session.scalars(select(Member).where(Member.installation_id == installation_id))
    for found in rows:
        if cleaned in {found.display_name.lower(), found.external_id.lower()}:
            return found
    return None


async def team_ids_of(session: AsyncSession, member_id: int) -> list[int]:
    rows = await session.scalars(
        select(TeamMember.team_id).where(TeamMember.member_id == member_id)
    )
    return list(rows.all())


async def channel_team(session: AsyncSession, member_id: int) -> Team | None:
    """The member's most recently joined channel team (not a 1:1 chat), if any."""
    return await session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            TeamMember.member_id == member_id,
            Team.direct.is_(False),
            Team.active.is_(True),
            Team.external_id != "",  # made by a click without a conversation, once
        )
        .order_by(TeamMember.joined_at.desc(), Team.id.desc())
        .limit(1)
    )


def member_target(inst: Installation, found: Member) -> MemberTarget:
    return MemberTarget(inst.platform, inst.external_id, found.id, found.external_id, found.address)


async def reachable_member(session: AsyncSession, member_id: int) -> MemberTarget | None:
    """Where a direct message to a member goes; None when there is no such member or their
    workspace (tenant) is no longer installed: then nothing is sent, on any platform."""
    row = (
        await session.execute(
            select(Installation, Member)
            .join(Member, Member.installation_id == Installation.id)
            .where(Member.id == member_id, Installation.active.is_(True))
        )
    ).first()
    return member_target(row[0], row[1]) if row is not None else None


async def conversation_removed(
    session: AsyncSession, platform: str, workspace_id: str, conversation_id: str
) -> None:
    await session.execute(
        update(Team)
        .where(
            Team.installation_id
            == select(Installation.id)
            .where(Installation.platform == platform, Installation.external_id == workspace_id)
            .scalar_subquery(),
            Team.external_id == conversation_id,
        )
        .values(active=False, disabled_reason="removed")
    )


async def uninstalled(
    session: AsyncSession, platform: str, workspace_id: str, now: dt.datetime
) -> None:
    """Stop sending to a workspace: its token forgotten, its teams disabled; every idea and
    its history kept."""
    inst = await installation_of(session, platform, workspace_id)
    if inst is None:
        return
    inst.active = False
    inst.disabled_at = now
    inst.bot_token_encrypted = None
    await session.execute(
        update(Team)
        .where(Team.installation_id == inst.id)
        .values(active=False, disabled_reason="uninstalled")
    )

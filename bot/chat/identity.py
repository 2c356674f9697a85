"""Who is speaking, and where: the request's installation, team and member, made on first
contact, and the team a 1:1 chat stands for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.i18n import Translator
from bot.storage import directory, orgs
from bot.storage.models import Installation, Member, Team


@dataclass
class Context:
    services: Services
    session: AsyncSession
    origin: Origin
    installation: Installation
    team: Team
    member: Member
    t: Translator
    _lead: bool | None = None

    @property
    def now(self) -> dt.datetime:
        return self.services.now()

    async def is_lead(self) -> bool:
        """Whether the actor leads this team; looked up when first asked, as most requests
        (answers, clicks) never need it."""
        if self._lead is None:
            self._lead = await directory.is_lead(self.session, self.team, self.member)
        return self._lead


async def identify(services: Services, session: AsyncSession, origin: Origin) -> Context:
    found = await directory.known(
        session, origin.platform, origin.workspace_id, origin.conversation_id, origin.user_id
    )
    if found is not None:
        inst, team, member, joined = found
        directory.refresh_member(
            member,
            display_name=origin.user_name,
            timezone=origin.user_timezone,
            is_admin=origin.user_is_admin,
            address=origin.user_address,
        )
        directory.refresh_team(
            team, name=origin.conversation_name, address=origin.conversation_address
        )
    else:
        inst, team, member = await _first_contact(services, session, origin)
        joined = False
    if origin.direct and not team.direct:
        team.direct = True
    if not inst.active:
        # An event from a workspace we marked uninstalled: it has installed us again.
        inst.active = True
        inst.disabled_at = None
    if not joined:
        await session.flush()
        await directory.join(session, team.id, member.id)
    return Context(
        services, session, origin, inst, team, member, services.catalog.translator(team.language)
    )


async def language_of(services: Services, origin: Origin) -> str | None:
    """The language of the team ``origin`` speaks in, once it is known: for the words an
    adapter writes around the core's replies ("only you"), which must be in the same one."""
    async with services.sessions() as session:
        found = await directory.known(
            session, origin.platform, origin.workspace_id, origin.conversation_id, origin.user_id
        )
    return found[1].language if found is not None else None


async def _first_contact(
    services: Services, session: AsyncSession, origin: Origin
) -> tuple[Installation, Team, Member]:
    """Find or create what :func:`directory.known` did not find all of."""
    inst = await directory.installation_of(session, origin.platform, origin.workspace_id)
    if inst is None:
        org = await directory.organisation(
            session, orgs.slug_of(services.settings, origin), create=True
        )
        inst = await directory.installation(
            session, origin.platform, origin.workspace_id, org_id=org.id, name=origin.workspace_name
        )
    member = await directory.member(
        session,
        inst.id,
        origin.user_id,
        display_name=origin.user_name,
        timezone=origin.user_timezone,
        is_admin=origin.user_is_admin,
        address=origin.user_address,
    )
    team = await directory.team(
        session,
        inst,
        origin.conversation_id,
        name=origin.conversation_name,
        language=services.settings.waarom_language,
        timezone=services.settings.waarom_timezone,
        address=origin.conversation_address,
    )
    return inst, team, member


async def home_team(ctx: Context) -> Team:
    """In a 1:1 chat, the member's most recently joined channel team stands in for the team."""
    if not ctx.team.direct:
        return ctx.team
    return await directory.channel_team(ctx.session, ctx.member.id) or ctx.team


async def team_ids(ctx: Context) -> list[int]:
    """Where the actor reads ideas from: this team, or in a 1:1 chat every team of theirs."""
    if not ctx.team.direct:
        return [ctx.team.id]
    return await directory.team_ids_of(ctx.session, ctx.member.id)

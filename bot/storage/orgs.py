"""Which organisation a workspace belongs to.

An organisation owns customer feedback; every team of a workspace reads the feedback of the
workspace's organisation. Separation is the rule: a Slack workspace or Teams tenant joins the
operator's ``default`` organisation only when the operator says so, in one of three ways:

* the adapter vouches for it (``Origin.home``): the workspace of a single-workspace Slack
  token, the tenant of a single-tenant Teams app, the Bot Framework Emulator, the console;
* ``WAAROM_DEFAULT_WORKSPACES`` lists it (``slack:T0123,teams:<tenant id>``);
* ``waarom orgs link`` moved its installation there.

Any other install gets an organisation of its own, named ``<platform>-<workspace id>``, on
first contact; its teams see only what is imported or sent to that organisation. Once an
installation exists its organisation is stored with it, so these rules decide only for a
workspace seen for the first time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.origin import Origin
from bot.config import Settings
from bot.storage import directory
from bot.storage.models import Installation, Organisation, Team

MAX_SLUG = 64


def own_slug(platform: str, workspace_id: str) -> str:
    """The organisation a workspace gets when nobody linked it elsewhere."""
    return f"{platform}-{workspace_id}"[:MAX_SLUG]


def slug_for(settings: Settings, platform: str, workspace_id: str, *, home: bool = False) -> str:
    if home or (platform, workspace_id) in settings.waarom_default_workspaces:
        return directory.DEFAULT_ORG
    return own_slug(platform, workspace_id)


def slug_of(settings: Settings, origin: Origin) -> str:
    return slug_for(settings, origin.platform, origin.workspace_id, home=origin.home)


@dataclass(frozen=True, slots=True)
class Link:
    org: str
    platform: str
    workspace_id: str
    name: str
    teams: int
    active: bool


async def links(session: AsyncSession) -> list[Link]:
    """Every installation with its organisation and number of teams, by organisation."""
    team_count = (
        select(func.count(Team.id)).where(Team.installation_id == Installation.id).scalar_subquery()
    )
    rows = await session.execute(
        select(Organisation.slug, Installation, team_count)
        .join(Installation, Installation.org_id == Organisation.id)
        .order_by(Organisation.slug, Installation.platform, Installation.external_id)
    )
    return [
        Link(slug, inst.platform, inst.external_id, inst.name, count or 0, inst.active)
        for slug, inst, count in rows.all()
    ]


async def link(session: AsyncSession, platform: str, workspace_id: str, slug: str) -> int:
    """Put a workspace (known yet or not) in organisation ``slug``, creating it; its teams
    move along. Returns how many teams moved. Feedback stays where it was stored."""
    org = await directory.organisation(session, slug, create=True)
    inst = await directory.installation(
        session, platform, workspace_id, org_id=org.id, name=workspace_id
    )
    inst.org_id = org.id
    moved = await session.execute(
        update(Team)
        .where(Team.installation_id == inst.id, Team.org_id != org.id)
        .values(org_id=org.id)
    )
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]

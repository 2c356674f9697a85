"""A team's digest of a week, from its two halves: the customer voice and the team part."""

from __future__ import annotations

import zoneinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.data import CustomerVoice, DigestData
from bot.digest.sections import TEAM
from bot.digest.team import TeamPart, TeamWeek, team_parts
from bot.digest.voice import customer_voice
from bot.engine.prompts import PromptLibrary
from bot.storage.models import Team
from bot.week import Week


async def build_digest(
    session: AsyncSession,
    team: Team,
    week: Week,
    library: PromptLibrary,
    *,
    highlights: int = 5,
    voice: CustomerVoice | None = None,
) -> DigestData:
    """The digest of ``team`` for ``week``; ``voice`` may be given when already computed
    for the team's organisation and time zone."""
    if voice is None:
        zone = zoneinfo.ZoneInfo(team.timezone)
        voice = await customer_voice(session, team.org_id, week, zone, highlights=highlights)
    part = (await team_parts(session, [(team, week)]))[team.id]
    return digest_of(team, week, library, voice, part)


def digest_of(
    team: Team, week: Week, library: PromptLibrary, voice: CustomerVoice, part: TeamPart
) -> DigestData:
    """The digest from its two halves: the organisation's customer voice and the team part."""
    figures = voice.in_language(team.language)
    source = TeamWeek(team, week, library, voice, part)
    for section in TEAM:
        figures.update(section.figures(source))
    return DigestData(**figures)

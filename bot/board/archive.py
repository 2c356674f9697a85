"""Past digests of a team, as they were sent: the ``digests`` table keeps each week's."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import DigestData, render_digest
from bot.i18n import Translator
from bot.messages import Message
from bot.storage.models import Digest

_FIELDS = {f.name for f in dataclasses.fields(DigestData)}


@dataclass(frozen=True, slots=True)
class Sent:
    id: int
    team_id: int
    week: str
    count: int


async def sent(session: AsyncSession, team_id: int, limit: int = 104) -> list[Sent]:
    """The team's digests, newest week first (two years at most)."""
    rows = await session.execute(
        select(Digest.id, Digest.team_id, Digest.week, Digest.payload)
        .where(Digest.team_id == team_id)
        .order_by(Digest.week.desc())
        .limit(limit)
    )
    return [Sent(r.id, r.team_id, r.week, int(r.payload.get("count") or 0)) for r in rows]


async def find(session: AsyncSession, team_ids: Sequence[int], digest_id: int) -> Digest | None:
    if not team_ids:
        return None
    return await session.scalar(
        select(Digest).where(Digest.id == digest_id, Digest.team_id.in_(team_ids))
    )


def as_message(digest: Digest, t: Translator) -> Message:
    """The digest as the team read it (fields a later version added keep their defaults)."""
    payload = {key: value for key, value in digest.payload.items() if key in _FIELDS}
    return render_digest(DigestData(**payload), t)

"""An answer stored in one statement on PostgreSQL, when nothing else needs writing.

A chat platform waits for its acknowledgement while an answer is stored, and the general way
(:func:`bot.chat.save_form`) takes seven round trips to the database: the pool's ping, BEGIN,
finding the member and team, claiming the prompt, the idea, its history row, COMMIT. When the
member, their team and their membership are known and current (nearly always: they are
answering a prompt the bot sent them) and the request carries nothing to refresh, the same
writes fit in one statement that PostgreSQL runs as its own transaction: two round trips.

It does exactly what the general way does in that case (claim the prompt only if it is the
actor's, or their team's in their organisation; write the idea and its "created" row) and
nothing else. In every other case it writes nothing and says so (None), and the caller takes
the general way, which also finds the words for a refusal.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.intake.normalise import typed_text
from bot.storage.models import UTCDateTime

_STORE = text(
    """
WITH who AS (
    SELECT m.id AS member_id, t.org_id, t.language
    FROM installations i
    JOIN teams t ON t.installation_id = i.id AND t.external_id = :conversation
    JOIN members m ON m.installation_id = i.id AND m.external_id = :user
    JOIN team_members tm ON tm.team_id = t.id AND tm.member_id = m.id
    WHERE i.platform = :platform AND i.external_id = :workspace AND i.active
      AND (NOT :direct OR t.direct)
      AND (CAST(:team_address AS jsonb) IS NULL
           OR t.address::jsonb = CAST(:team_address AS jsonb))
      AND (CAST(:member_address AS jsonb) IS NULL
           OR m.address::jsonb = CAST(:member_address AS jsonb))
), claimed AS (
    UPDATE nudges n SET status = 'answered', answered_at = :now
    FROM who
    WHERE n.id = :nudge AND n.status <> 'answered'
      AND (n.member_id = who.member_id OR n.member_id IS NULL)
      AND n.team_id IN (SELECT id FROM teams WHERE org_id = who.org_id)
    RETURNING n.id, n.team_id, n.prompt_id, n.feedback_id, who.member_id, who.language
), idea AS (
    INSERT INTO ideas (team_id, author_member_id, why, how, nudge_id, prompt_id, feedback_id,
                       status, votes, created_at, updated_at)
    SELECT team_id, member_id, :why, :how, id, prompt_id, feedback_id, 'new', 0, :now, :now
    FROM claimed
    RETURNING id, author_member_id
), created AS (
    INSERT INTO idea_events (idea_id, at, actor_member_id, kind, new_value)
    SELECT id, :now, author_member_id, 'created', 'new' FROM idea
)
SELECT idea.id, claimed.language FROM idea, claimed
"""
).bindparams(bindparam("now", type_=UTCDateTime()))


def _fits(origin: Origin) -> bool:
    """Whether the origin carries nothing the general way would write (names, zones,
    admin flags): a form submission's origin, for one."""
    return not (
        origin.user_name
        or origin.user_timezone
        or origin.user_is_admin is not None
        or origin.conversation_name
        or origin.workspace_name
    )


def _json(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value) if value else None


async def store(
    services: Services, origin: Origin, nudge: str, values: dict[str, str]
) -> tuple[int, str] | None:
    """Claim prompt ``nudge`` for the actor and write their idea; (idea id, the team's
    language), or None when nothing was written and the general way must decide."""
    engine: AsyncEngine = services.engine
    if engine.dialect.name != "postgresql" or not nudge.isdigit() or not _fits(origin):
        return None
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        row = (
            await connection.execute(
                _STORE,
                {
                    "platform": origin.platform,
                    "workspace": origin.workspace_id,
                    "conversation": origin.conversation_id,
                    "user": origin.user_id,
                    "direct": origin.direct,
                    "team_address": _json(origin.conversation_address),
                    "member_address": _json(origin.user_address),
                    "nudge": int(nudge),
                    "why": typed_text(values["why"]),
                    "how": typed_text(values["how"]),
                    "now": services.now(),
                },
            )
        ).first()
    return (int(row[0]), str(row[1])) if row is not None else None

"""Ideas: answers to a waarom, moved by leads from new to done.

Every change (status, owner, merge) is written to the idea's history in the same
transaction as the change itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Idea, IdeaEvent, Member, Team
from bot.voice.text import stems

STATUSES = ("new", "reviewing", "planned", "done", "declined")
OPEN_STATUSES = ("new", "reviewing", "planned")
MAX_ANSWER = 1000
SIMILAR_AT_LEAST = 0.35
# A new answer is compared with at most this many of the team's newest open ideas.
SIMILAR_POOL = 50


class IdeaError(ValueError):
    """A change that cannot be made; ``key`` names the catalog message, ``values`` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


# Built once: an answer's write runs these on every submission, and building and keying a
# statement costs about as much as running it.
_ideas, _events = Idea.metadata.tables["ideas"], IdeaEvent.metadata.tables["idea_events"]
_INSERT_IDEA = (
    insert(_ideas)
    .values(
        team_id=bindparam("team_id"),
        author_member_id=bindparam("author_member_id"),
        why=bindparam("why"),
        how=bindparam("how"),
        nudge_id=bindparam("nudge_id"),
        prompt_id=bindparam("prompt_id"),
        feedback_id=bindparam("feedback_id"),
        status="new",
        created_at=bindparam("created_at"),
        updated_at=bindparam("updated_at"),
    )
    .returning(_ideas.c.id)
)
_INSERT_CREATED = insert(_events).values(
    idea_id=bindparam("idea_id"),
    at=bindparam("at"),
    actor_member_id=bindparam("actor_member_id"),
    kind="created",
    new_value="new",
)


async def insert_idea(
    session: AsyncSession,
    *,
    team_id: int,
    author_id: int | None,
    why: str,
    how: str,
    now: dt.datetime,
    nudge_id: int | None = None,
    prompt_id: str | None = None,
    feedback_id: int | None = None,
) -> int:
    """A new idea and its "created" history row, as two plain INSERTs, returning the idea's
    id without loading it: the write an answer's acknowledgement waits for, kept cheap."""
    values = {
        "team_id": team_id,
        "author_member_id": author_id,
        "why": why,
        "how": how,
        "nudge_id": nudge_id,
        "prompt_id": prompt_id,
        "feedback_id": feedback_id,
        "created_at": now,
        "updated_at": now,
    }
    idea_id: int = (await session.execute(_INSERT_IDEA, values)).scalar_one()
    await session.execute(
        _INSERT_CREATED, {"idea_id": idea_id, "at": now, "actor_member_id": author_id}
    )
    return idea_id


async def create_idea(session: AsyncSession, **given: Any) -> Idea:
    """:func:`insert_idea`, then the idea loaded (for callers that go on to change it)."""
    return await session.get_one(Idea, await insert_idea(session, **given))


async def team_idea(session: AsyncSession, team: Team, idea_id: int) -> Idea:
    """The idea with this number, if it belongs to ``team`` (never another team's)."""
    idea = await session.scalar(select(Idea).where(Idea.id == idea_id, Idea.team_id == team.id))
    if idea is None:
        raise IdeaError("ideas.unknown", id=idea_id)
    return idea


async def move(
    session: AsyncSession,
    idea: Idea,
    status: str,
    *,
    actor_id: int | None,
    now: dt.datetime,
    owner: Member | None = None,
) -> list[IdeaEvent]:
    if status not in STATUSES:
        raise IdeaError("ideas.bad_status", status=status, statuses=", ".join(STATUSES))
    if idea.merged_into_id is not None:
        raise IdeaError("ideas.is_merged", id=idea.id, into=idea.merged_into_id)
    events = []
    if status != idea.status:
        events.append(
            IdeaEvent(
                idea_id=idea.id,
                at=now,
                actor_member_id=actor_id,
                kind="status",
                old_value=idea.status,
                new_value=status,
            )
        )
        idea.status = status
        idea.done_at = now if status == "done" else None
    if owner is not None and owner.id != idea.owner_member_id:
        events.append(
            IdeaEvent(
                idea_id=idea.id,
                at=now,
                actor_member_id=actor_id,
                kind="owner",
                old_value=str(idea.owner_member_id or ""),
                new_value=str(owner.id),
            )
        )
        idea.owner_member_id = owner.id
    if events:
        idea.updated_at = now
        session.add_all(events)
    return events


async def merge(
    session: AsyncSession, idea: Idea, into: Idea, *, actor_id: int, now: dt.datetime
) -> None:
    if idea.id == into.id:
        raise IdeaError("ideas.merge_self", id=idea.id)
    if into.merged_into_id is not None:
        raise IdeaError("ideas.is_merged", id=into.id, into=into.merged_into_id)
    if idea.merged_into_id is not None:
        raise IdeaError("ideas.is_merged", id=idea.id, into=idea.merged_into_id)
    idea.merged_into_id = into.id
    into.votes += 1 + idea.votes
    old = idea.status
    idea.status = "declined" if idea.status not in ("done",) else idea.status
    idea.updated_at = into.updated_at = now
    session.add(
        IdeaEvent(
            idea_id=idea.id,
            at=now,
            actor_member_id=actor_id,
            kind="merged",
            old_value=old,
            new_value=f"#{into.id}",
        )
    )
    session.add(
        IdeaEvent(
            idea_id=into.id,
            at=now,
            actor_member_id=actor_id,
            kind="absorbed",
            new_value=f"#{idea.id}",
        )
    )


async def list_ideas(
    session: AsyncSession,
    team_ids: Sequence[int],
    status: str | None = None,
    limit: int | None = None,
) -> Sequence[Idea]:
    query = select(Idea).where(Idea.team_id.in_(team_ids), Idea.merged_into_id.is_(None))
    if status is not None:
        query = query.where(Idea.status == status)
    query = query.order_by(Idea.created_at.desc(), Idea.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return (await session.scalars(query)).all()


async def count_ideas(
    session: AsyncSession, team_ids: Sequence[int], status: str | None = None
) -> int:
    """How many ideas :func:`list_ideas` would list without a limit."""
    query = (
        select(func.count())
        .select_from(Idea)
        .where(Idea.team_id.in_(team_ids), Idea.merged_into_id.is_(None))
    )
    if status is not None:
        query = query.where(Idea.status == status)
    return await session.scalar(query) or 0


async def ideas_by(session: AsyncSession, member_id: int, limit: int) -> Sequence[Idea]:
    """The member's own newest ideas (merged ones left out)."""
    query = (
        select(Idea)
        .where(Idea.author_member_id == member_id, Idea.merged_into_id.is_(None))
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


@dataclass(frozen=True, slots=True)
class IdeaText:
    """Just enough of an idea to compare it with another: its number and its words."""

    id: int
    text: str


async def recent_open_ideas(
    session: AsyncSession, team_id: int, *, exclude: int | None = None, limit: int = SIMILAR_POOL
) -> list[IdeaText]:
    """The team's newest open ideas, as number and text only: what a new answer is
    compared with. Older or closed ideas are left out; the lead's lists show those."""
    query = (
        select(Idea.id, Idea.why, Idea.how)
        .where(
            Idea.team_id == team_id,
            Idea.merged_into_id.is_(None),
            Idea.status.in_(OPEN_STATUSES),
        )
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    if exclude is not None:
        query = query.where(Idea.id != exclude)
    rows = await session.execute(query)
    return [IdeaText(row.id, f"{row.why} {row.how}") for row in rows]


@dataclass(frozen=True, slots=True)
class Similar:
    idea_id: int
    similarity: float


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    # An idea's text never changes, and the same newest ideas are compared with every new
    # answer: stem each text once per process.
    return tuple(stems(text))


def similar_ideas(text: str, others: Sequence[IdeaText], limit: int = 3) -> list[Similar]:
    """Likely duplicates of ``text`` among ``others``: cosine similarity of TF-IDF vectors
    of their stemmed words (raw counts, smoothed IDF, unit length: scikit-learn's
    ``TfidfVectorizer`` defaults), at least :data:`SIMILAR_AT_LEAST`, best first."""
    docs = [Counter(_terms(text)), *(Counter(_terms(other.text)) for other in others)]
    if not docs[0] or not others:
        return []
    df = Counter(term for doc in docs for term in doc)
    idf = {term: math.log((1 + len(docs)) / (1 + count)) + 1 for term, count in df.items()}
    target = {term: count * idf[term] for term, count in docs[0].items()}
    target_norm = math.sqrt(sum(weight * weight for weight in target.values()))
    found = []
    for other, doc in zip(others, docs[1:], strict=True):
        norm = math.sqrt(sum((count * idf[term]) ** 2 for term, count in doc.items()))
        if not norm:
            continue
        dot = sum(weight * doc[term] * idf[term] for term, weight in target.items() if term in doc)
        score = dot / (norm * target_norm)
        if score >= SIMILAR_AT_LEAST:
            found.append(Similar(other.id, score))
    found.sort(key=lambda similar: (-similar.similarity, similar.idea_id))
    return found[:limit]


CSV_COLUMNS = (
    "id",
    "team",
    "status",
    "why",
    "how",
    "author",
    "owner",
    "votes",
    "created_at",
    "done_at",
)


# Spreadsheets run cells starting with these as formulas (OWASP's list: tab and carriage
# return too); a leading quote stops that.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def write_csv(rows: Sequence[dict[str, object]], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _spreadsheet_safe(value) for key, value in row.items()})

"""The ideas of a member's teams as the board shows them: filtered, searched, sorted and cut
into pages by the database (a team may have tens of thousands), and one idea with
everything around it (its customer quote, history, similar and merged ideas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.engine.ideas import STATUSES, recent_open_ideas, similar_ideas, write_csv
from bot.storage.board_models import Vote
from bot.storage.directory import names
from bot.storage.models import Feedback, Idea, IdeaEvent, Member, TeamMember

S = TypeVar("S", bound=Select[Any])

PAGE_SIZE = 25
CSV_LIMIT = 50_000
SORTS = ("votes", "newest")

# An idea a lead may act on: the board's actions read its id, team and status and hand it
# back to the core's rules, which do every write.
LeadIdea = Idea


@dataclass(frozen=True, slots=True)
class Filters:
    team_id: int | None = None
    status: str | None = None
    owner_id: int | None = None
    search: str = ""
    sort: str = "votes"
    page: int = 1

    @classmethod
    def read(cls, query: dict[str, str], team_ids: Sequence[int]) -> Filters:
        """From a page's query string; anything unknown (another team's id) is dropped."""
        team = _number(query.get("team"))
        owner = _number(query.get("owner"))
        status = query.get("status") or None
        sort = query.get("sort") or "votes"
        return cls(
            team_id=team if team in team_ids else None,
            status=status if status in STATUSES else None,
            owner_id=owner,
            search=(query.get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else "votes",
            page=max(1, min(_number(query.get("page")) or 1, 100_000)),
        )

    def query(self, **changes: object) -> dict[str, str]:
        """The query string of these filters (with ``changes``), without empty values."""
        values: dict[str, object] = {
            "team": self.team_id,
            "status": self.status,
            "owner": self.owner_id,
            "q": self.search,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "", 1)}


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    team_id: int
    why: str
    how: str
    status: str
    votes: int
    author: str
    owner: str
    created_at: dt.datetime
    done_at: dt.datetime | None
    voted: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(columns: S, team_ids: Sequence[int], filters: Filters) -> S:
    teams = [filters.team_id] if filters.team_id is not None else list(team_ids)
    query = columns.where(Idea.team_id.in_(teams), Idea.merged_into_id.is_(None))
    if filters.status:
        query = query.where(Idea.status == filters.status)
    if filters.owner_id is not None:
        query = query.where(Idea.owner_member_id == filters.owner_id)
    if filters.search:
        pattern = f"%{_escaped(filters.search)}%"
        query = query.where(
            or_(Idea.why.ilike(pattern, escape="\\"), Idea.how.ilike(pattern, escape="\\"))
        )
    return query


def _ordered(query: S, sort: str) -> S:
    if sort == "newest":
        return query.order_by(Idea.created_at.desc(), Idea.id.desc())
    return query.order_by(Idea.votes.desc(), Idea.id.desc())


async def _rows(session: AsyncSession, ideas: Sequence[Idea]) -> list[Row]:
    named = await names(
        session, [i.author_member_id for i in ideas] + [i.owner_member_id for i in ideas]
    )
    return [
        Row(
            i.id,
            i.team_id,
            i.why,
            i.how,
            i.status,
            i.votes,
            named.get(i.author_member_id or 0, ""),
            named.get(i.owner_member_id or 0, ""),
            i.created_at,
            i.done_at,
        )
        for i in ideas
    ]


_author, _owner = aliased(Member), aliased(Member)


def _listing(member_id: int | None) -> Any:
    """Ideas with their author's and owner's names and whether ``member_id`` voted for
    them, in one statement: the list page runs it on every view."""
    voted = (
        exists().where(Vote.idea_id == Idea.id, Vote.member_id == member_id)
        if member_id is not None
        else false()
    )
    return (
        select(
            Idea.id,
            Idea.team_id,
            Idea.why,
            Idea.how,
            Idea.status,
            Idea.votes,
            Idea.created_at,
            Idea.done_at,
            _author.display_name.label("author_name"),
            _author.external_id.label("author_id"),
            _owner.display_name.label("owner_name"),
            _owner.external_id.label("owner_id"),
            voted.label("voted"),
        )
        .outerjoin(_author, _author.id == Idea.author_member_id)
        .outerjoin(_owner, _owner.id == Idea.owner_member_id)
    )


def _listed(rows: Iterable[Any]) -> list[Row]:
    return [
        Row(
            r.id,
            r.team_id,
            r.why,
            r.how,
            r.status,
            r.votes,
            r.author_name or r.author_id or "",
            r.owner_name or r.owner_id or "",
            r.created_at,
            r.done_at,
            bool(r.voted),
        )
        for r in rows
    ]


async def page(
    session: AsyncSession, team_ids: Sequence[int], filters: Filters, member_id: int | None = None
) -> Page:
    """One page of the filtered ideas and how many there are in all."""
    if not team_ids:
        return Page([], 0, 1, 1)
    total = await session.scalar(_filtered(select(func.count(Idea.id)), team_ids, filters)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, pages)
    # The page's ids first (an index walk that stops after them), then their names and
    # votes: the joins never see the rest of the team's ideas, whatever the planner knows.
    ids = (
        _ordered(_filtered(select(Idea.id), team_ids, filters), filters.sort)
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
        .subquery()
    )
    query = _ordered(_listing(member_id).join(ids, ids.c.id == Idea.id), filters.sort)
    return Page(_listed(await session.execute(query)), total, number, pages)


async def all_rows(session: AsyncSession, team_ids: Sequence[int], filters: Filters) -> list[Row]:
    """Every idea the filters select (for the export), at most :data:`CSV_LIMIT`."""
    if not team_ids:
        return []
    query = _ordered(_filtered(_listing(None), team_ids, filters), filters.sort)
    return _listed(await session.execute(query.limit(CSV_LIMIT)))


def export(rows: Sequence[Row], team_names: dict[int, str], stream: IO[str]) -> None:
    """The rows as CSV (``bot.engine.ideas.write_csv``: its columns, and text cells a spreadsheet
    would run as a formula made safe)."""
    write_csv(
        [
            {
                "id": row.id,
                "team": team_names.get(row.team_id, ""),
                "status": row.status,
                "why": row.why,
                "how": row.how,
                "author": row.author,
                "owner": row.owner,
                "votes": row.votes,
                "created_at": row.created_at.isoformat(),
                "done_at": row.done_at.isoformat() if row.done_at else "",
            }
            for row in rows
        ],
        stream,
    )


async def owners(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, str]:
    """The members of these teams, who can own an idea (and be filtered by)."""
    if not team_ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.external_id)
        .join(TeamMember, TeamMember.member_id == Member.id)
        .where(TeamMember.team_id.in_(team_ids))
        .distinct()
    )
    named = {row.id: row.display_name or row.external_id for row in rows}
    return dict(sorted(named.items(), key=lambda kv: kv[1].lower()))


async def find(session: AsyncSession, team_ids: Sequence[int], idea_id: int) -> Idea | None:
    """The idea, if it belongs to one of ``team_ids`` (never another team's)."""
    if not team_ids:
        return None
    return await session.scalar(select(Idea).where(Idea.id == idea_id, Idea.team_id.in_(team_ids)))


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    kind: str
    actor: str
    old: str
    new: str


@dataclass
class Detail:
    idea: Idea
    author: str
    owner: str
    quote: Feedback | None
    events: list[Event] = field(default_factory=list)
    similar: list[Row] = field(default_factory=list)
    merged: list[Row] = field(default_factory=list)
    merged_into: int | None = None


async def _events(session: AsyncSession, idea_id: int) -> list[Event]:
    found = (
        await session.scalars(
            select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id)
        )
    ).all()
    # An owner change stores member ids: shown as names, like the actor.
    ids: list[int | None] = [e.actor_member_id for e in found]
    for event in found:
        if event.kind == "owner":
            ids += [_number(event.old_value), _number(event.new_value)]
    named = await names(session, ids)

    def shown(event: IdeaEvent, value: str | None) -> str:
        if event.kind == "owner":
            return named.get(_number(value) or 0, "")
        return value or ""

    return [
        Event(
            e.at,
            e.kind,
            named.get(e.actor_member_id or 0, ""),
            shown(e, e.old_value),
            shown(e, e.new_value),
        )
        for e in found
    ]


async def detail(session: AsyncSession, idea: Idea) -> Detail:
    named = await names(session, [idea.author_member_id, idea.owner_member_id])
    quote = await session.get(Feedback, idea.feedback_id) if idea.feedback_id else None
    others = await recent_open_ideas(session, idea.team_id, exclude=idea.id)
    alike = [s.idea_id for s in similar_ideas(f"{idea.why} {idea.how}", others)]
    similar = (await session.scalars(select(Idea).where(Idea.id.in_(alike)))).all()
    merged = (
        await session.scalars(select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id))
    ).all()
    order = {idea_id: n for n, idea_id in enumerate(alike)}
    return Detail(
        idea=idea,
        author=named.get(idea.author_member_id or 0, ""),
        owner=named.get(idea.owner_member_id or 0, ""),
        quote=quote,
        events=await _events(session, idea.id),
        similar=sorted(await _rows(session, similar), key=lambda row: order[row.id]),
        merged=await _rows(session, merged),
        merged_into=idea.merged_into_id,
    )

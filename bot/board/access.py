"""Who may use the board: one-time sign-in links, sessions and what a session may see.

A link is made for one member when they type ``board`` in chat; opening it (once, within ten
minutes) starts a session of twelve hours. Tokens are random (``secrets.token_urlsafe``); the
database holds only their SHA-256, so a copy of it signs nobody in. A session sees the teams
of its member's own organisation that the member is in, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import directory
from bot.storage.board_models import BoardLogin, BoardSession
from bot.storage.models import Installation, Member, Team, TeamMember

LINK_LIFETIME = dt.timedelta(minutes=10)
SESSION_LIFETIME = dt.timedelta(hours=12)
LOGIN_PATH = "/board/login/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + LOGIN_PATH + token


async def new_link(session: AsyncSession, member_id: int, *, now: dt.datetime) -> str:
    """A fresh sign-in token for ``member_id``; the caller puts it in a link, never a log."""
    token = secrets.token_urlsafe(32)
    session.add(
        BoardLogin(
            token_hash=_hash(token),
            member_id=member_id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    # Spent and expired links are of no use to anyone: cleared as new ones are made.
    await session.execute(delete(BoardLogin).where(BoardLogin.expires_at < now))
    return token


async def link_is_open(session: AsyncSession, token: str, *, now: dt.datetime) -> bool:
    """Whether the link can still be used (to show its sign-in button or say it cannot)."""
    found = await session.scalar(
        select(BoardLogin.id).where(
            BoardLogin.token_hash == _hash(token),
            BoardLogin.used_at.is_(None),
            BoardLogin.expires_at > now,
        )
    )
    return found is not None


@dataclass(frozen=True, slots=True)
class Started:
    token: str  # for the cookie only
    expires_at: dt.datetime


async def use_link(session: AsyncSession, token: str, *, now: dt.datetime) -> Started | None:
    """Spend the link and start a session; None when it is unknown, spent or expired. The
    link is spent by one UPDATE, so two tabs opening it at once start one session."""
    member_id = await session.scalar(
        update(BoardLogin)
        .where(
            BoardLogin.token_hash == _hash(token),
            BoardLogin.used_at.is_(None),
            BoardLogin.expires_at > now,
        )
        .values(used_at=now)
        .returning(BoardLogin.member_id)
    )
    if member_id is None:
        return None
    session_token = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    session.add(
        BoardSession(
            token_hash=_hash(session_token),
            member_id=member_id,
            csrf_secret=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=expires,
        )
    )
    await session.execute(delete(BoardSession).where(BoardSession.expires_at < now))
    return Started(session_token, expires)


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(BoardSession).where(BoardSession.token_hash == _hash(token)))


@dataclass(frozen=True, slots=True)
class BoardTeam:
    id: int
    name: str
    language: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in member and the teams they may see (their organisation's, theirs)."""

    member_id: int
    name: str
    org_id: int
    csrf: str
    teams: tuple[BoardTeam, ...]

    @property
    def team_ids(self) -> list[int]:
        return [team.id for team in self.teams]

    def team(self, team_id: int) -> BoardTeam | None:
        return next((team for team in self.teams if team.id == team_id), None)

    @property
    def language(self) -> str:
        return self.teams[0].language if self.teams else ""

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.csrf.encode())


async def viewer(session: AsyncSession, token: str, *, now: dt.datetime) -> Viewer | None:
    """The session's member and teams, in one statement (every page asks); None for an
    unknown or expired session."""
    teams_of = TeamMember.__table__.join(Team.__table__, Team.id == TeamMember.team_id)
    rows = (
        await session.execute(
            select(
                BoardSession.csrf_secret,
                Member.id.label("member_id"),
                Member.display_name,
                Member.external_id.label("member_external_id"),
                Installation.org_id,
                Team.id,
                Team.name,
                Team.external_id,
                Team.language,
                Team.timezone,
            )
            .join(Member, Member.id == BoardSession.member_id)
            .join(Installation, Installation.id == Member.installation_id)
            .outerjoin(
                teams_of,
                and_(
                    TeamMember.member_id == Member.id,
                    Team.org_id == Installation.org_id,
                    Team.direct.is_(False),
                ),
            )
            .where(BoardSession.token_hash == _hash(token), BoardSession.expires_at > now)
            .order_by(TeamMember.joined_at.desc(), Team.id.desc())
        )
    ).all()
    if not rows:
        return None
    first = rows[0]
    teams = tuple(
        BoardTeam(r.id, r.name or r.external_id, r.language, r.timezone)
        for r in rows
        if r.id is not None
    )
    name = first.display_name or first.member_external_id
    return Viewer(first.member_id, name, first.org_id, first.csrf_secret, teams)


async def leads(session: AsyncSession, viewer: Viewer, team_id: int) -> bool:
    """Whether the viewer leads one of their teams (by chat's rule,
    :mod:`bot.storage.directory`)."""
    if viewer.team(team_id) is None:
        return False
    team = await session.get(Team, team_id)
    member = await session.get(Member, viewer.member_id)
    return (
        team is not None and member is not None and await directory.is_lead(session, team, member)
    )

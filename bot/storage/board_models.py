"""The board's tables: votes, one-time sign-in links and signed-in sessions, and the indexes
its idea list walks. Kept beside :mod:`bot.storage.models` (same ``Base``); the migrations'
environment loads both, so autogenerate sees every table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, Idea, UTCDateTime, utcnow


class Vote(Base):
    """One member's vote for one idea (at most one: the key is the pair); ``ideas.votes``
    is changed in the same transaction as a row here is written or removed."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_member", "member_id"),)

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BoardLogin(Base):
    """A one-time link to the board, sent privately in chat: only a hash of its token is
    kept, it is bound to one member, short-lived and spent on first use."""

    __tablename__ = "board_logins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class BoardSession(Base):
    """A signed-in browser: the cookie holds the token, this row only its hash and the
    secret every form of the session must carry back (CSRF)."""

    __tablename__ = "board_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


# The board lists a team's ideas that were not merged, by votes or newest first, a page at
# a time: these let the database walk to the page and count without reading the table.
_NOT_MERGED = sql_text("merged_into_id IS NULL")
Index(
    "ix_ideas_team_votes",
    Idea.team_id,
    Idea.votes,
    Idea.id,
    postgresql_where=_NOT_MERGED,
    sqlite_where=_NOT_MERGED,
)
Index(
    "ix_ideas_team_newest",
    Idea.team_id,
    Idea.created_at,
    Idea.id,
    postgresql_where=_NOT_MERGED,
    sqlite_where=_NOT_MERGED,
)

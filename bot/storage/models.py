"""The database schema: SQLAlchemy 2.0 typed models.

Times are stored as UTC. SQLite keeps no time zone, so :class:`UTCDateTime` stores naive UTC
and hands back aware datetimes on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; attach a time zone")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Installation(Base):
    """A Slack workspace or Teams tenant (or the console) connected to an organisation."""

    __tablename__ = "installations"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="")
    bot_user_id: Mapped[str | None] = mapped_column(String(64))
    # Encrypted with the operator's key; never logged.
    bot_token_encrypted: Mapped[str | None] = mapped_column(Text)
    installed_by: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class Member(Base):
    """A person on one platform installation."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("installation_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    installation_id: Mapped[int] = mapped_column(ForeignKey("installations.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where a direct message reaches this member (Slack DM channel, Teams conversation ref).
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Why the platform refused to open a personal chat with them (Teams: a guest, or the app
    # not available to them): they get no nudges until they have an address, which clears it.
    unreachable: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Team(Base):
    """A channel or conversation the bot is in, with its language and schedules."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("installation_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    installation_id: Mapped[int] = mapped_column(ForeignKey("installations.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200), default="")
    # A 1:1 conversation with one member rather than a channel.
    direct: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    digest_schedule: Mapped[str] = mapped_column(String(64), default="mon 09:00")
    nudge_schedule: Mapped[str] = mapped_column(String(64), default="tue,thu 10:00")
    quiet_hours: Mapped[str | None] = mapped_column(String(32), default="18:00-08:00")
    reminder_hours: Mapped[int] = mapped_column(Integer, default=24)
    # Where proactive messages go (Teams conversation reference, Slack channel id).
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    added_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TeamLead(Base):
    __tablename__ = "team_leads"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)


class TeamMember(Base):
    """Who is in a team (receives its nudges)."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    """One customer utterance with its redacted form for display. ``text`` is as given for
    the retention period (bot.intake.privacy), then the redacted form too; segment and step are
    stored redacted."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("org_id", "dedupe_key"),
        Index("ix_feedback_org_received", "org_id", "received_at"),
        # The rows whose raw text still holds something redaction took out: what retention
        # has left to do, found without reading the rest of the table.
        Index(
            "ix_feedback_raw_received",
            "received_at",
            postgresql_where=sql_text("text <> redacted"),
            sqlite_where=sql_text("text <> redacted"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(64), default="import")
    text: Mapped[str] = mapped_column(Text)
    redacted: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    segment: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(200))
    # "x:<external id>" or "h:<sha256 of the content>": what makes a row a duplicate.
    dedupe_key: Mapped[str] = mapped_column(String(220))
    logged_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Language and meaningful words of ``redacted`` (bot.voice.text.terms), computed once at intake
    # so a digest over a busy week reads words instead of analysing every text again.
    # Empty for rows written without it (before migration 0004, or by an older process still
    # running during an upgrade); those are analysed from their text, with the same result.
    terms: Mapped[str | None] = mapped_column(Text)
    # How the customer feels (-1 … +1, bot.voice.sentiment) and what they put up with ("wait
    # repeat", bot.voice.put_up_with), also found once at intake; empty on rows written by an older
    # process during an upgrade, which the digest then analyses from their text.
    sentiment: Mapped[float | None] = mapped_column(Float)
    burdens: Mapped[str | None] = mapped_column(String(64))


class Nudge(Base):
    """One prompt delivered to one member (or to a whole team when member_id is empty)."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_member_sent", "member_id", "sent_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    prompt_id: Mapped[str] = mapped_column(String(100))
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Where the message landed (Slack channel + ts, Teams activity id): to update it later.
    message_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Idea(Base):
    """An answer to a prompt: the why and the how, tracked to done."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    author_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    nudge_id: Mapped[int | None] = mapped_column(ForeignKey("nudges.id"))
    prompt_id: Mapped[str | None] = mapped_column(String(100))
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"))
    why: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    votes: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class IdeaEvent(Base):
    """The history of an idea: every status change, owner change and merge."""

    __tablename__ = "idea_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))


class Digest(Base):
    """One digest per team per ISO week (the unique constraint makes it so)."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    week: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedEvent(Base):
    """Inbound event ids already handled: a retried or replayed event is handled once."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Send(Base):
    """One scheduled message (digest, nudge, reminder), claimed before it goes out.

    The unique key (team, kind, period, target) is what makes a send happen once, however
    many clock processes run: whoever inserts the row sends; the others see the conflict.
    """

    __tablename__ = "sends"
    __table_args__ = (
        UniqueConstraint("team_id", "kind", "period", "target"),
        Index("ix_sends_team_claimed", "team_id", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[str] = mapped_column(String(16))  # digest | nudge | reminder
    period: Mapped[str] = mapped_column(String(32))  # ISO week, local date or nudge id
    target: Mapped[str] = mapped_column(String(64))  # "team" or "member:<id>"
    # claimed → sent | failed | skipped; "unknown" when a process died mid-send.
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str | None] = mapped_column(Text)
    message_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ForgottenFeedback(Base):
    """Feedback erased on request (``waarom forget``), by a hash of its dedupe key: the same
    row in a later import or webhook call is not stored again."""

    __tablename__ = "forgotten_feedback"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # sha256 of the erased row's dedupe key ("x:<external id>" or "h:<content hash>").
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    forgotten_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Roster(Base):
    """A team whose platform can list its members (a Teams team or group chat): its members
    are read from the platform and each gets a personal chat for their nudges (bot.clock.roster)."""

    __tablename__ = "rosters"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    # The id the platform lists the members by (Teams: the team's id, or the group chat's).
    source_id: Mapped[str] = mapped_column(String(256))
    # A whole read is due while it was asked for (install, re-install) after the last one
    # that finished began.
    wanted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The process reading it and when it last showed progress: after the lease another
    # process takes over, so a reader that stopped loses nothing but time.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Why the last read could not be made (the platform refused the list), if it could not.
    error: Mapped[str | None] = mapped_column(Text)

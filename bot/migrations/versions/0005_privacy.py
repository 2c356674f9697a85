"""privacy: retention index, forgotten feedback, and the new redaction applied to stored rows

- ``ix_feedback_raw_received``: a partial index of the rows whose raw text still differs from
  the redacted one, so the clock's retention sweep finds what it has left to do without
  reading the whole table.
- ``forgotten_feedback``: hashes of the dedupe keys of erased feedback, so a later import of
  the same file does not bring it back.
- Every stored row is redacted again with today's rules (BSNs, addresses, dates of birth,
  names), its segment and journey step too, and the digests kept for the archive likewise.

Rewrites the feedback and digest rows inside the upgrade's transaction, which holds a lock on
those tables until it ends: on a large PostgreSQL table, upgrade while intake is paused.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from bot.intake.redaction import redact, redact_label
from bot.voice.text import terms

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
MAX_SEGMENT = 64
MAX_STEP = 32
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_raw_received",
            ["received_at"],
            unique=False,
            postgresql_where=sa.text("text <> redacted"),
            sqlite_where=sa.text("text <> redacted"),
        )
    op.create_table(
        "forgotten_feedback",
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_forgotten_feedback_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("org_id", "key_hash", name=op.f("pk_forgotten_feedback")),
    )
    if context.is_offline_mode():
        # A generated SQL script cannot run the redaction; rows stored before keep the
        # redacted form they were stored with.
        return
    connection = op.get_bind()
    _redact_feedback(connection)
    _redact_digests(connection)


def _redact_feedback(connection: sa.Connection) -> None:
    # The application's own redaction, on purpose: stored rows must read as new ones do.
    feedback = sa.table(
        "feedback",
        sa.column("id", _ID),
        sa.column("text", sa.Text()),
        sa.column("redacted", sa.Text()),
        sa.column("segment", sa.String()),
        sa.column("step", sa.String()),
        sa.column("terms", sa.Text()),
    )
    update = (
        sa.update(feedback)
        .where(feedback.c.id == sa.bindparam("row_id"))
        .values(
            redacted=sa.bindparam("new_redacted"),
            segment=sa.bindparam("new_segment"),
            step=sa.bindparam("new_step"),
            terms=sa.bindparam("new_terms"),
        )
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(feedback).where(feedback.c.id > last).order_by(feedback.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        changed = []
        for row in rows:
            redacted = redact(row.text)
            segment = redact_label(row.segment, MAX_SEGMENT)
            step = redact_label(row.step, MAX_STEP)
            if (redacted, segment, step) != (row.redacted, row.segment, row.step):
                words = row.terms if redacted == row.redacted else terms(redacted)
                changed.append(
                    {
                        "row_id": row.id,
                        "new_redacted": redacted,
                        "new_segment": segment,
                        "new_step": step,
                        "new_terms": words,
                    }
                )
        if changed:
            connection.execute(update, changed)
        last = rows[-1].id


def _redacted_payload(payload: dict[str, Any]) -> dict[str, Any]:
    # Highlights hold the redacted text of their time: redacting it again adds what today's
    # rules find (markers are left as they are).
    highlights = [
        {
            **item,
            "text": redact(item.get("text") or ""),
            "segment": redact_label(item.get("segment"), MAX_SEGMENT),
            "step": redact_label(item.get("step"), MAX_STEP),
        }
        for item in payload.get("highlights") or []
    ]
    segments = [
        {**item, "name": redact_label(item.get("name"), MAX_SEGMENT) or ""}
        for item in payload.get("segments") or []
    ]
    return {**payload, "highlights": highlights, "segments": segments}


def _redact_digests(connection: sa.Connection) -> None:
    digests = sa.table("digests", sa.column("id", _ID), sa.column("payload", sa.JSON()))
    update = (
        sa.update(digests)
        .where(digests.c.id == sa.bindparam("row_id"))
        .values(payload=sa.bindparam("new_payload", type_=sa.JSON()))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(digests).where(digests.c.id > last).order_by(digests.c.id).limit(500)
        ).all()
        if not rows:
            break
        changed = []
        for row in rows:
            redacted = _redacted_payload(row.payload or {})
            if redacted != row.payload:
                changed.append({"row_id": row.id, "new_payload": redacted})
        if changed:
            connection.execute(update, changed)
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("forgotten_feedback")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_raw_received")

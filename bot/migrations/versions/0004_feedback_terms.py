"""feedback.terms: each text's language and meaningful words, computed once at intake

Rewrites every feedback row inside the upgrade's transaction, which holds a lock on the table
until it ends: on a large PostgreSQL table, upgrade while intake is paused.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from bot.voice.text import terms

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms", sa.Text(), nullable=True))

    if context.is_offline_mode():
        # A generated SQL script cannot read rows; rows left without terms are analysed from
        # their text by the digest, with the same result, only slower.
        return
    # Fill in the rows already stored. This uses the application's own analysis on purpose:
    # the digest reads these words in place of analysing the text, so they must be exactly
    # what intake computes. Keyset batches keep memory flat on a large table.
    feedback = sa.table(
        "feedback",
        sa.column("id", sa.BigInteger()),
        sa.column("redacted", sa.Text()),
        sa.column("terms", sa.Text()),
    )
    connection = op.get_bind()
    update = (
        sa.update(feedback)
        .where(feedback.c.id == sa.bindparam("row_id"))
        .values(terms=sa.bindparam("row_terms"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(feedback.c.id, feedback.c.redacted)
            .where(feedback.c.id > last, feedback.c.terms.is_(None))
            .order_by(feedback.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update, [{"row_id": row.id, "row_terms": terms(row.redacted)} for row in rows]
        )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("terms")

"""feedback.sentiment and feedback.burdens, found once at intake; neutral redaction markers

Existing rows get both, computed by the application's own analysis (the digest reads them in
place of analysing the text, so they must be what intake computes). Rows with a redaction
marker get it in the neutral form ("[telefoon]" becomes "[#phone]", shown in each reader's
language) and their terms again, as markers are no longer words.

The rows are filled in keyset batches, each committed on its own (outside the migration's
transaction), so a large PostgreSQL table is never locked for more than one batch; intake may
keep running meanwhile, as new rows arrive with both columns already set. Interrupted, the
upgrade can simply be run again: it continues with the rows still empty.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from bot.intake.markers import neutral
from bot.voice.put_up_with import burdens
from bot.voice.sentiment import sentiment
from bot.voice.text import terms

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sentiment", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("burdens", sa.String(length=64), nullable=True))

    if context.is_offline_mode():
        # A generated SQL script cannot read rows; rows left empty are analysed from their
        # text by the digest, with the same result, only slower.
        return
    with op.get_context().autocommit_block():
        _fill(op.get_bind())


def _fill(connection: sa.Connection) -> None:
    feedback = sa.table(
        "feedback",
        sa.column("id", sa.BigInteger()),
        sa.column("redacted", sa.Text()),
        sa.column("terms", sa.Text()),
        sa.column("sentiment", sa.Float()),
        sa.column("burdens", sa.String()),
    )
    update = (
        sa.update(feedback)
        .where(feedback.c.id == sa.bindparam("row_id"))
        .values(
            redacted=sa.bindparam("row_redacted"),
            terms=sa.bindparam("row_terms"),
            sentiment=sa.bindparam("row_sentiment"),
            burdens=sa.bindparam("row_burdens"),
        )
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(feedback.c.id, feedback.c.redacted, feedback.c.terms)
            .where(feedback.c.id > last, feedback.c.sentiment.is_(None))
            .order_by(feedback.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = []
        for row in rows:
            redacted = neutral(row.redacted)
            words = row.terms if row.terms and "[" not in redacted else terms(redacted)
            values.append(
                {
                    "row_id": row.id,
                    "row_redacted": redacted,
                    "row_terms": words,
                    "row_sentiment": sentiment(redacted, words[:2]),
                    "row_burdens": burdens(redacted),
                }
            )
        # Autocommit: this batch is written and its row locks released before the next.
        connection.execute(update, values)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("burdens")
        batch_op.drop_column("sentiment")

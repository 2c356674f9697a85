"""feedback.terms and feedback.sentiment again, by the analysis as it is now

The analysis changed: a short text without function words gets its language from Lingua
instead of always being Dutch ("Amazing food." had no feeling at all), and Dutch adjectives
keep their feeling when inflected, while a noun no longer takes one from an adjective with
the same stem. The digest reads these columns in place of the text, so rows stored before
are analysed again: otherwise last week and this week would be counted by different rules.

As in 0006, keyset batches are committed one by one (outside the migration's transaction), so
a large PostgreSQL table is never locked for more than one batch, and only rows whose figures
changed are written. Interrupted, the upgrade can simply be run again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from bot.voice.sentiment import sentiment
from bot.voice.text import split_words, terms_of

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

log = logging.getLogger(__name__)


def upgrade() -> None:
    if context.is_offline_mode():
        # A generated SQL script cannot read rows: say so, or the digest would count old
        # and new rows by different rules without anyone knowing.
        log.warning(
            "0009 analyses stored feedback again, which a SQL script cannot do: "
            "run `waarom db upgrade` against the database as well"
        )
        return
    with op.get_context().autocommit_block():
        _reanalyse(op.get_bind())


def _reanalyse(connection: sa.Connection) -> None:
    feedback = sa.table(
        "feedback",
        sa.column("id", sa.BigInteger()),
        sa.column("redacted", sa.Text()),
        sa.column("terms", sa.Text()),
        sa.column("sentiment", sa.Float()),
    )
    update = (
        sa.update(feedback)
        .where(feedback.c.id == sa.bindparam("row_id"))
        .values(terms=sa.bindparam("row_terms"), sentiment=sa.bindparam("row_sentiment"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(feedback.c.id, feedback.c.redacted, feedback.c.terms, feedback.c.sentiment)
            .where(feedback.c.id > last)
            .order_by(feedback.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        changed = []
        for row in rows:
            # As intake finds them (bot.intake.normalise): split once, words and feeling.
            words = split_words(row.redacted)
            found = terms_of(words)
            feeling = sentiment(row.redacted, found[:2], words)
            if (found, feeling) != (row.terms, row.sentiment):
                changed.append({"row_id": row.id, "row_terms": found, "row_sentiment": feeling})
        if changed:
            # Autocommit: this batch is written and its row locks released before the next.
            connection.execute(update, changed)
        last = rows[-1].id


def downgrade() -> None:
    # Nothing to undo in the schema; the figures stay as they are, which the version before
    # reads as well.
    pass

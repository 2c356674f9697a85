"""Migration 0005: feedback and digests stored before are redacted by today's rules too."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Connection, insert, select

from bot.storage import db
from bot.storage.models import Digest, Feedback, Installation, Organisation, Team
from bot.voice.text import terms

AT = dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC)
TEXT = "Mijn BSN is 123456782 en ik woon op Dorpsstraat 12, 1234 AB"
# What 0004's redaction left of it: nothing, it knew neither.
OLD_REDACTED = TEXT


def _store_as_0004_did(connection: Connection) -> None:
    """An organisation with one team, one feedback item and one digest, as 0004 left them."""
    connection.execute(insert(Organisation).values(id=1, slug="o", name="o"))
    connection.execute(
        insert(Installation).values(id=1, org_id=1, platform="console", external_id="c")
    )
    connection.execute(
        insert(Team).values(
            id=1,
            org_id=1,
            installation_id=1,
            external_id="t",
            language="en",
            timezone="Europe/Amsterdam",
        )
    )
    connection.execute(
        insert(Feedback).values(
            id=1,
            org_id=1,
            received_at=AT,
            source="import",
            text=TEXT,
            redacted=OLD_REDACTED,
            segment="Bel 06-12345678",
            step="mail a@b.nl",
            dedupe_key="x:1",
            created_at=AT,
            terms=terms(OLD_REDACTED),
        )
    )
    highlight = {
        "id": 1,
        "text": OLD_REDACTED,
        "segment": "Bel 06-12345678",
        "step": "mail a@b.nl",
        "score": 2,
    }
    connection.execute(
        insert(Digest).values(
            team_id=1,
            week="2026-W46",
            created_at=AT,
            payload={
                "highlights": [highlight],
                "segments": [{"name": "Bel 06-12345678", "count": 1}],
            },
        )
    )


def test_upgrade_redacts_what_was_stored_before(database_url: str) -> None:
    command.downgrade(db.alembic_config(database_url), "0004")
    engine = db.create_sync_engine_for(database_url)
    try:
        with engine.begin() as connection:
            _store_as_0004_did(connection)
        # This migration's own work (the next one turns markers into neutral codes).
        db.upgrade(database_url, "0005")
        with engine.connect() as connection:
            # The columns as this migration left them (later ones add more).
            row = connection.execute(
                select(
                    Feedback.text,
                    Feedback.redacted,
                    Feedback.terms,
                    Feedback.segment,
                    Feedback.step,
                )
            ).one()
            payload = connection.execute(select(Digest.payload)).scalar_one()
    finally:
        engine.dispose()
        db.upgrade(database_url)
    redacted = "Mijn BSN is [bsn] en ik woon op [adres]"
    assert (row.text, row.redacted, row.terms) == (TEXT, redacted, terms(redacted))
    assert (row.segment, row.step) == ("Bel [telefoon]", "mail [e-mail]")
    assert payload["highlights"][0]["text"] == redacted
    assert payload["highlights"][0]["segment"] == "Bel [telefoon]"
    assert payload["highlights"][0]["step"] == "mail [e-mail]"
    assert payload["segments"] == [{"name": "Bel [telefoon]", "count": 1}]

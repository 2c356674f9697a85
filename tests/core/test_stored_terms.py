"""Each feedback item's words are found once, at intake, and the digest reads them.

What a user would notice if this went wrong: a digest that changes after an upgrade, or
themes and highlights that differ between feedback stored before and after it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import zoneinfo

import pytest
from alembic import command
from sqlalchemy import insert, select, text, update

from bot import db
from bot.bootstrap import Services
from bot.demo import demo_team, latest_week, load_sample
from bot.digest import customer_voice
from bot.models import Feedback, Organisation
from bot.text import terms
from bot.themes import find_themes, themes_of

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")


async def test_intake_stores_the_words_of_the_redacted_text(services: Services) -> None:
    await load_sample(services)
    async with services.sessions() as session:
        rows = (await session.execute(select(Feedback.redacted, Feedback.terms))).all()
    assert len(rows) > 400
    assert all(row.terms == terms(row.redacted) for row in rows)
    # Words from the redacted form only: what redaction removed is not kept here either.
    assert not any("@" in row.terms for row in rows)


async def test_feedback_stored_before_the_upgrade_gives_the_same_digest(
    services: Services,
) -> None:
    await load_sample(services)
    team = await demo_team(services)
    week = await latest_week(services, team)
    async with services.sessions() as session:
        with_terms = await customer_voice(session, team.org_id, week, ZONE)
    async with services.sessions() as session, session.begin():
        await session.execute(update(Feedback).values(terms=None))
    async with services.sessions() as session:
        without_terms = await customer_voice(session, team.org_id, week, ZONE)
    assert with_terms.themes, "the sample week has themes to compare"
    assert without_terms == with_terms


def test_themes_from_stored_words_match_themes_from_texts() -> None:
    texts = [
        "De monteur kwam drie keer voor dezelfde storing aan de accu",
        "Monteurs komen niet op tijd, twee uur wachten",
        "Levering van de bakfiets was een week te laat",
        "De levering liep vertraging op door de regen",
        "Factuur klopt niet, twee keer de borg betaald",
        "The invoice charged the deposit twice",
        "Accu van de bakfiets gaat maar 15 km mee",
        "De accu is na een maand al zwakker",
        "App crasht bij het openen van het slot",
        "The app crashes when I unlock the bike",
    ] * 3
    from_texts = find_themes(texts[:20], texts[20:])
    from_terms = themes_of([terms(t) for t in texts[:20]], [terms(t) for t in texts[20:]])
    assert from_texts == from_terms
    assert from_texts.themes


def test_upgrade_fills_in_the_words_of_feedback_already_stored(database_url: str) -> None:
    command.downgrade(db.alembic_config(database_url), "0003")
    engine = db.create_sync_engine_for(database_url)
    try:
        stored = [
            "Monteur kwam binnen 2 uur, mail jan@bedrijf.nl",
            "The app crashes at login since Tuesday's update",
            "Top!",
        ]
        with engine.begin() as connection:
            connection.execute(insert(Organisation).values(id=1, slug="o", name="o"))
            connection.execute(
                text(
                    "INSERT INTO feedback (org_id, received_at, source, text, redacted, "
                    "dedupe_key, created_at) VALUES (1, :at, 'import', :text, :text, :key, :at)"
                ),
                [
                    {"at": dt.datetime(2026, 11, 10, tzinfo=dt.UTC), "text": t, "key": f"x:{i}"}
                    for i, t in enumerate(stored)
                ],
            )
        db.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(Feedback.redacted, Feedback.terms).order_by(Feedback.id)
            ).all()
    finally:
        engine.dispose()
        db.upgrade(database_url)  # leave the database at head for whoever comes next
    assert [row.terms for row in rows] == [terms(t) for t in stored]
    assert rows[1].terms.split()[0] == "en"
    assert rows[1].terms.split()[1:] == ["app", "crashes", "login", "tuesday's", "update"]


async def test_the_garbage_collector_is_back_on_after_overlapping_and_failing_digests(
    services: Services,
) -> None:
    await load_sample(services)
    team = await demo_team(services)
    week = await latest_week(services, team)

    async def voice() -> object:
        async with services.sessions() as session:
            return await customer_voice(session, team.org_id, week, ZONE)

    assert gc.isenabled()
    first, second = await asyncio.gather(voice(), voice())
    assert first == second
    assert gc.isenabled()
    async with services.sessions() as session:
        with pytest.raises(AttributeError):
            await customer_voice(session, team.org_id, None, ZONE)  # type: ignore[arg-type]
    assert gc.isenabled()

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
from sklearn.feature_extraction.text import CountVectorizer
from sqlalchemy import insert, select, text, update

from bot.bootstrap import Services
from bot.demo import demo_team, latest_week, load_sample
from bot.digest import customer_voice
from bot.storage import db
from bot.storage.models import Feedback, Organisation
from bot.voice import themes
from bot.voice.text import terms

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
# The sample's last complete week (2026-W47 with the tests' clock), from the digest as it was
# when it analysed every text itself.
# English and Dutch words for one thing share a theme ("bike" is "fiets"; bot.voice.glossary).
EXPECTED_THEMES = [
    ("fiets · employer", 16, 16),
    ("monteur · kwam", 16, 12),
    ("ondersteuning · kou", 12, 6),
    ("opzeggen · per", 7, 10),
    ("maand · koud", 4, 10),
]
# Every customer group of the week, each quote on another theme, pain and delight both.
EXPECTED_HIGHLIGHTS = [
    "Storm vrijdag, tak in mijn spaken. Via d",
    "Accu van de bakfiets loopt met die kou h",
    "Opgezegd per 1 januari. Niet om de fiets",
    "Moving to a job in Antwerp, so the emplo",
    "Het is te koud en te glad om te fietsen.",
]


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
        await session.execute(update(Feedback).values(terms=None, sentiment=None, burdens=None))
    async with services.sessions() as session:
        without_terms = await customer_voice(session, team.org_id, week, ZONE)
    assert with_terms.themes, "the sample week has themes to compare"
    assert without_terms == with_terms


def test_counting_stored_words_matches_the_vectorizer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small blocks, both languages mixed, repeated words, texts without any word.
    monkeypatch.setattr(themes, "_BLOCK", 3)
    texts = [
        "De monteur kwam drie keer voor dezelfde storing aan de accu",
        "Monteurs komen niet op tijd, monteurs bellen niet",
        "The app crashes when I unlock the bike, the app again",
        "Top!",
        "",
        "Levering van de bakfiets was een week te laat",
        "The invoice charged the deposit twice",
        "Accu accu accu",
    ]
    documents = [terms(t) for t in texts]
    stemmed = [themes._stems(d) for d in documents]
    vectorizer = CountVectorizer(analyzer=lambda tokens: tokens).fit(stemmed)
    expected = vectorizer.transform(stemmed).toarray()
    counted = themes._Columns(vectorizer.vocabulary_).counts(documents).toarray()
    assert (counted == expected).all()
    assert counted.sum() > 20


async def test_the_demo_weeks_read_as_when_every_text_was_analysed(services: Services) -> None:
    # Figures of the sample's last complete week as the digest gave them when it analysed
    # every text itself. A change here means the analysis changed: update it on purpose.
    await load_sample(services)
    team = await demo_team(services)
    week = await latest_week(services, team)
    async with services.sessions() as session:
        voice = await customer_voice(session, team.org_id, week, ZONE)
    assert [(t["name"], t["count"], t["previous"]) for t in voice.themes] == EXPECTED_THEMES
    assert [h["text"][:40] for h in voice.highlights] == EXPECTED_HIGHLIGHTS


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
                    # More rows than the migration fills in at a time, so it takes several turns.
                    for i, t in enumerate(
                        stored + [f"Levering {n} dagen te laat" for n in range(5001)]
                    )
                ],
            )
        # To 0004 only: 0005 redacts the rows again, and this is about 0004's words.
        db.upgrade(database_url, "0004")
        with engine.connect() as connection:
            rows = connection.execute(
                select(Feedback.redacted, Feedback.terms).order_by(Feedback.id)
            ).all()
    finally:
        engine.dispose()
        db.upgrade(database_url)  # leave the database at head for whoever comes next
    assert len(rows) == 5004
    assert all(row.terms == terms(row.redacted) for row in rows)
    assert [row.terms for row in rows[:3]] == [terms(t) for t in stored]
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

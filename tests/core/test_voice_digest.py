"""The voice in a stored week: every item counted, each part in the JSON and in both
languages' rendering, and rows stored before the feeling was found filled in by migration."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Connection, insert, select, text

from bot.bootstrap import Services
from bot.digest import Week, build_digest, render_digest
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.messages import plain_text
from bot.storage import db
from bot.storage.directory import installation, organisation, team
from bot.storage.models import Feedback, Organisation, Team
from bot.voice.put_up_with import burdens
from bot.voice.sentiment import sentiment
from bot.voice.text import terms

WEEK = Week.parse("2026-W46")  # Mon 9 – Sun 15 Nov 2026
# No scores at all, as from a chat export or an app review feed: the text decides.
TEXTS = [
    ("Monteur kwam na 20 min in de wacht, daarna super geholpen. Top!", "forens"),
    ("Drie keer gebeld over de factuur, nog steeds niet opgelost", "zakelijk"),
    ("Niet slecht, de accu houdt het goed vol in de kou", "gezin"),
    ("The app crashes every morning, really annoying", "student"),
    ("Great bike, the repair was quick and friendly", "student"),
    ("Ik heb de fiets dinsdag opgehaald bij de winkel", "senior"),
    ("Had to drive 40 km to swap the battery, terrible", "gezin"),
    ("Fiets &amp; accu prima, zie https://example.nl/x", "forens"),
]


async def _week(services: Services, language: str) -> Team:
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        inst = await installation(session, "console", "console", org_id=org.id)
        target = await team(
            session, inst, "t", name="Support", language=language, timezone="Europe/Amsterdam"
        )
        items = [
            normalise(
                {"text": words, "segment": group, "received_at": f"2026-11-1{i % 5}T10:00"},
                FieldMap(score=None, step=None, external_id=None, source=None),
                zone=services.zone,
                default_source="t",
                now=services.now(),
            )
            for i, (words, group) in enumerate(TEXTS)
        ]
        await store_feedback(session, org.id, items)
        return target


async def test_without_scores_the_text_counts_every_item_and_sides_every_quote(
    services: Services,
) -> None:
    target = await _week(services, "en")
    async with services.sessions() as session:
        data = await build_digest(session, target, WEEK, services.library)
    payload = data.to_json()
    assert data.scored == 0
    assert (data.pain, data.delight, data.neutral) == (3, 4, 1)
    assert data.pain + data.delight + data.neutral == data.count
    assert payload["highlights"] and all(h["side"] for h in payload["highlights"])
    assert {h["side"] for h in payload["highlights"]} >= {"pain", "delight"}
    assert payload["put_up_with"]["kinds"] == {"wait": 2, "effort": 1, "repeat": 1}
    assert isinstance(payload["differences"], list)
    shown = plain_text(render_digest(data, services.catalog.translator("en")))
    assert "What customers put up with" in shown and "How groups differ" in shown
    async with services.sessions() as session:
        stored = (await session.scalars(select(Feedback.redacted))).all()
    assert "Fiets & accu prima, zie [#link]" in stored and not any("&amp;" in t for t in stored)


async def test_numbers_and_plurals_are_written_the_readers_way(services: Services) -> None:
    target = await _week(services, "nl")
    async with services.sessions() as session:
        data = await build_digest(session, target, WEEK, services.library)
    data.average, data.previous_average = 6.5, 5.25
    data.ideas_logged = [{"id": 1, "why": "w", "how": "h", "status": "new"}]
    data.answered, data.nudged = 2, 4
    dutch = plain_text(render_digest(data, services.catalog.translator("nl")))
    assert "9–15 nov 2026" in dutch  # the week's days, as each reader writes them
    assert "6,5 (+1,2)" in dutch
    assert "Deze week 1 nieuw idee." in dutch
    assert "2 van 4 vragen" in dutch
    assert "Wat klanten ervoor moesten doen" in dutch and "Waarin groepen verschillen" in dutch
    english = plain_text(render_digest(data, services.catalog.translator("en")))
    assert "6.5 (+1.2)" in english and "1 new idea this week." in english
    assert "Nov 9\u2009–\u200915, 2026" in english
    data.nudged = 1
    assert "van 1 vraag beantwoord" in plain_text(
        render_digest(data, services.catalog.translator("nl"))
    )


def _store_as_0004_did(connection: Connection, stored: list[tuple[str, str]]) -> None:
    """``stored`` (text, old terms) and 2500 more rows, without feeling or burdens."""
    connection.execute(insert(Organisation).values(id=1, slug="o", name="o"))
    connection.execute(
        text(
            "INSERT INTO feedback (org_id, received_at, source, text, redacted, "
            "dedupe_key, created_at, terms) "
            "VALUES (1, :at, 'import', :text, :text, :key, :at, :terms)"
        ),
        [
            {
                "at": dt.datetime(2026, 11, 10, tzinfo=dt.UTC),
                "text": t,
                "key": f"x:{i}",
                "terms": w,
            }
            # More rows than one batch, so it takes several turns.
            for i, (t, w) in enumerate(
                stored + [(f"Levering {n} dagen te laat", None) for n in range(2500)]
            )
        ],
    )


def test_upgrade_finds_feeling_and_burdens_of_feedback_already_stored(database_url: str) -> None:
    command.downgrade(db.alembic_config(database_url), "0004")
    engine = db.create_sync_engine_for(database_url)
    stored = [
        # Stored with the old terms, in which the marker was a word.
        (
            "Drie keer gebeld, niemand belt terug. [link]",
            "nl drie keer gebeld niemand belt terug link",
        ),
        ("Not bad at all, thanks!", "en bad thanks"),
    ]
    try:
        with engine.begin() as connection:
            _store_as_0004_did(connection, stored)
        db.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    Feedback.redacted, Feedback.terms, Feedback.sentiment, Feedback.burdens
                ).order_by(Feedback.id)
            ).all()
    finally:
        engine.dispose()
        db.upgrade(database_url)
    assert len(rows) == 2502
    assert all(row.sentiment == sentiment(row.redacted, terms(row.redacted)[:2]) for row in rows)
    assert all(row.burdens == burdens(row.redacted) for row in rows)
    # The old Dutch marker is a neutral code now, and no longer one of the words.
    assert rows[0].redacted == "Drie keer gebeld, niemand belt terug. [#link]"
    assert rows[0].terms == terms(stored[0][0]) and "link" not in rows[0].terms.split()
    assert rows[0].burdens == "repeat" and rows[0].sentiment < 0
    assert rows[1].sentiment > 0
    assert rows[2].burdens == "wait"


def test_upgrade_analyses_stored_feedback_again_by_todays_rules(database_url: str) -> None:
    command.downgrade(db.alembic_config(database_url), "0008")
    engine = db.create_sync_engine_for(database_url)
    # As the analysis before stored them: a short English text as Dutch, without feeling,
    # and a bad experience as delight ("ervaring" took the feeling of "ervaren").
    before = [
        ("Amazing food.", "nl amazing food", 0.0),
        ("Wat een vreselijke ervaring.", "nl vreselijke ervaring", 0.153),
    ]
    try:
        with engine.begin() as connection:
            _store_as_0004_did(connection, [(t, w) for t, w, _ in before])
            connection.execute(
                text("UPDATE feedback SET sentiment = :feeling WHERE redacted = :text"),
                [{"text": t, "feeling": feeling} for t, _, feeling in before],
            )
        db.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(Feedback.redacted, Feedback.terms, Feedback.sentiment).order_by(Feedback.id)
            ).all()
    finally:
        engine.dispose()
        db.upgrade(database_url)
    assert len(rows) == 2502
    assert all(row.terms == terms(row.redacted) for row in rows)
    assert all(row.sentiment == sentiment(row.redacted, row.terms[:2]) for row in rows)
    assert rows[0].terms == "en amazing food" and rows[0].sentiment > 0.5
    assert rows[1].sentiment < -0.5

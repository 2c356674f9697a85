"""The digest's numbers against a hand count on a small, fixed set."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.bootstrap import Services
from bot.digest import CustomerVoice, Week, build_digest, customer_voice, render_digest
from bot.engine.ideas import create_idea, move
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.intake.redaction import LEAK_PATTERNS
from bot.messages import plain_text
from bot.storage.directory import installation, organisation, team
from bot.storage.models import Digest, Team

WEEK = Week.parse("2026-W46")  # Mon 9 – Sun 15 Nov 2026, Amsterdam (UTC+1)
ROWS = [
    # (local time, text, score, segment)
    (
        "2026-11-08T23:30:00+01:00",
        "Vorige week: levering drie dagen te laat",
        3,
        "forens",
    ),  # previous week
    ("2026-11-09T00:10:00+01:00", "Monteur kwam binnen 2 uur, top geregeld", 10, "forens"),
    (
        "2026-11-10T12:00:00+01:00",
        "App crasht bij inloggen sinds de update van dinsdag",
        2,
        "student",
    ),
    ("2026-11-11T09:00:00+01:00", "Bakfiets accu leeg na 15 km met twee kinderen", 4, "gezin"),
    (
        "2026-11-12T18:00:00+01:00",
        "Factuur voor de werkgever klopt niet, mail naar jan@bedrijf.nl",
        None,
        "zakelijk",
    ),
    (
        "2026-11-15T23:59:00+01:00",
        "Zadel kon eindelijk lager, fijne service aan de telefoon",
        9,
        "senior",
    ),
    ("2026-11-16T00:00:00+01:00", "Volgende week telt niet mee hier", 1, "forens"),
]


async def _setup(services: Services):
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        inst = await installation(session, "console", "console", org_id=org.id)
        target = await team(
            session, inst, "t", name="Support", language="en", timezone="Europe/Amsterdam"
        )
        items = [
            normalise(
                {"text": text, "score": score, "segment": seg, "received_at": when},
                FieldMap(step=None, external_id=None, source=None),
                zone=services.zone,
                default_source="t",
                now=services.now(),
            )
            for when, text, score, seg in ROWS
        ]
        await store_feedback(session, org.id, items)
        idea = await create_idea(
            session,
            team_id=target.id,
            author_id=None,
            why="w",
            how="Callback for seniors",
            now=dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC),
        )
        await move(
            session, idea, "done", actor_id=None, now=dt.datetime(2026, 11, 13, 10, tzinfo=dt.UTC)
        )
        return target


async def test_numbers_match_a_hand_count(services: Services) -> None:
    target = await _setup(services)
    async with services.sessions() as session:
        data = await build_digest(session, target, WEEK, services.library)
    assert data.week == "2026-W46"
    assert (data.count, data.previous_count) == (5, 1)
    assert data.scored == 4
    assert data.average == round((10 + 2 + 4 + 9) / 4, 2)
    assert data.previous_average == 3
    # Every item has a side: the unscored "factuur … klopt niet" is pain by its text.
    assert (data.pain, data.delight, data.neutral) == (3, 2, 0)
    assert {s["name"]: s["count"] for s in data.segments} == {
        "forens": 1,
        "student": 1,
        "gezin": 1,
        "zakelijk": 1,
        "senior": 1,
    }
    assert len(data.highlights) == 5
    assert {h["segment"] for h in data.highlights} == {
        "forens",
        "student",
        "gezin",
        "zakelijk",
        "senior",
    }
    assert [i["how"] for i in data.ideas_logged] == ["Callback for seniors"]
    assert [i["how"] for i in data.ideas_done] == ["Callback for seniors"]
    assert data.waarom is not None and data.waarom["id"].startswith("en-waarom-")


async def test_the_rendered_digest_never_shows_personal_data(services: Services) -> None:
    target = await _setup(services)
    async with services.sessions() as session:
        data = await build_digest(session, target, WEEK, services.library)
    text = plain_text(render_digest(data, services.catalog.translator("en")))
    assert "jan@bedrijf.nl" not in text and "[e-mail]" in text
    assert not any(p.search(text) for p in LEAK_PATTERNS)
    assert "You said, we did" in text and "Callback for seniors" in text


def test_weeks_parse_and_bound_in_the_team_zone() -> None:
    import zoneinfo

    week = Week.parse("2026-w44")
    start, end = week.bounds(zoneinfo.ZoneInfo("Europe/Amsterdam"))
    # The clocks went back on 25 October: the week starts at UTC+1.
    assert start.isoformat() == "2026-10-25T23:00:00+00:00"
    assert end - start == dt.timedelta(days=7)
    assert str(week.previous()) == "2026-W43"
    assert str(Week.parse("2027-W01").previous()) == "2026-W53"


async def _amsterdams_digests_tokyos_nudges_and_a_quiet_team(
    services: Services, ams: Team
) -> tuple[Team, Team]:
    """26 digests for Amsterdam, three prompts for a new Tokyo team, and a team with none."""
    from bot.digest import remember
    from bot.storage.models import Nudge

    async with services.sessions() as session, session.begin():
        inst = await installation(session, "console", "console", org_id=ams.org_id)
        tyo = await team(session, inst, "tyo", name="Tokyo", language="en", timezone="Asia/Tokyo")
        quiet = await team(session, inst, "q", name="Quiet", language="en", timezone="Asia/Tokyo")
        # 25 earlier digests for Amsterdam, one of them without a prompt, and this week's own.
        week = WEEK
        for n in range(26):
            data = await build_digest(session, ams, week, services.library)
            if n == 3:
                data.waarom = None
            await remember(session, data)
            week = week.previous()
        for status, day in (("answered", 10), ("sent", 11), ("answered", 16)):
            # Tokyo's week ends on Sunday 15:00 UTC: the nudge of the 16th is in the next.
            session.add(
                Nudge(
                    team_id=tyo.id,
                    prompt_id="p",
                    status=status,
                    sent_at=dt.datetime(2026, 11, day, 12, tzinfo=dt.UTC),
                )
            )
    return tyo, quiet


async def test_the_team_parts_of_many_teams_are_each_teams_own(services: Services) -> None:
    from bot.digest import digest_of, team_parts

    ams = await _setup(services)
    tyo, quiet = await _amsterdams_digests_tokyos_nudges_and_a_quiet_team(services, ams)
    async with services.sessions() as session:
        parts = await team_parts(session, [(ams, WEEK), (tyo, WEEK), (quiet, WEEK)])
        stored = dict(
            (
                await session.execute(
                    select(Digest.week, Digest.payload).where(Digest.team_id == ams.id)
                )
            ).all()
        )
        alone = {
            t.id: await build_digest(session, t, WEEK, services.library) for t in (ams, tyo, quiet)
        }
    # The prompts of the 20 latest digests before this week's, newest first.
    earlier = sorted((w for w in stored if w != str(WEEK)), reverse=True)[:20]
    assert parts[ams.id].recent == [
        stored[w]["waarom"]["id"] for w in earlier if stored[w]["waarom"] is not None
    ]
    assert len(parts[ams.id].recent) == 19
    assert [i.how for i in parts[ams.id].ideas] == ["Callback for seniors"]
    assert (parts[tyo.id].nudged, parts[tyo.id].answered) == (2, 1)
    assert parts[tyo.id].recent == parts[tyo.id].ideas == []
    assert (parts[quiet.id].nudged, parts[quiet.id].answered) == (0, 0)
    for t in (ams, tyo, quiet):
        voice = await _voice(services, t)
        assert digest_of(t, WEEK, services.library, voice, parts[t.id]) == alone[t.id]


async def _voice(services: Services, target: Team) -> CustomerVoice:
    import zoneinfo

    async with services.sessions() as session:
        return await customer_voice(
            session, target.org_id, WEEK, zoneinfo.ZoneInfo(target.timezone)
        )

"""``waarom demo``: the embedded-default tour on a local SQLite file.

Loads the sample feedback that ships with the package (shifted so its newest week is this
week), shows that week's digest and opens the console chat. Running it again adds nothing:
the sample rows carry external ids.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator, Mapping
from importlib import resources

from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.digest import DigestData, build_digest, remember
from bot.intake.importer import ImportReport, Record, import_records
from bot.intake.normalise import FieldMap
from bot.storage.directory import DEFAULT_ORG, installation, organisation, team
from bot.storage.models import Feedback, Team
from bot.week import Week

SAMPLE = "feedback.jsonl"


def _sample_lines() -> Iterator[str]:
    with resources.files("bot").joinpath("sample", SAMPLE).open(encoding="utf-8") as stream:
        yield from stream


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def sample_records(now: dt.datetime, zone: zoneinfo.ZoneInfo) -> Iterator[Record]:
    """The sample rows, moved by whole weeks so the newest lands in the last complete week
    (the one this week's digest is about)."""
    rows = [json.loads(line) for line in _sample_lines() if line.strip()]
    newest = max(dt.datetime.fromisoformat(row["received_at"]) for row in rows)
    this_monday = _monday(now.astimezone(zone).date())
    weeks = (this_monday - _monday(newest.astimezone(zone).date())).days // 7 - 1
    shift = dt.timedelta(weeks=max(weeks, 0))
    for line, row in enumerate(rows, start=1):
        moved: Mapping[str, object] = {
            **row,
            "received_at": (dt.datetime.fromisoformat(row["received_at"]) + shift).isoformat(),
        }
        yield line, moved, None


async def load_sample(services: Services) -> ImportReport:
    async with services.sessions() as session, session.begin():
        org = await organisation(session, DEFAULT_ORG)
        org_id = org.id
    return await import_records(
        services.sessions,
        org_id,
        sample_records(services.now(), services.zone),
        FieldMap(),
        zone=services.zone,
        source="sample",
    )


async def demo_team(services: Services) -> Team:
    async with services.sessions() as session, session.begin():
        org = await organisation(session, DEFAULT_ORG)
        inst = await installation(session, "console", "console", org_id=org.id, name="Console")
        return await team(
            session,
            inst,
            "demo",
            name="demo",
            language=services.settings.waarom_language,
            timezone=services.settings.waarom_timezone,
        )


async def latest_week(services: Services, team: Team) -> Week:
    """The week of the newest feedback taken in (last week, right after loading the sample).
    Feedback told in the demo's chat lands in the week under way and must not move the
    digest there; when there is nothing else, it counts too."""
    async with services.sessions() as session:
        newest = select(func.max(Feedback.received_at)).where(Feedback.org_id == team.org_id)
        found = await session.scalar(newest.where(Feedback.logged_by_member_id.is_(None)))
        if found is None:
            found = await session.scalar(newest)
    return Week.of(found or services.now(), zoneinfo.ZoneInfo(team.timezone))


async def week_digest(
    services: Services, team: Team, week: Week, *, keep: bool = True
) -> DigestData:
    async with services.sessions() as session, session.begin():
        data = await build_digest(session, team, week, services.library)
        if keep:
            await remember(session, data)
        return data

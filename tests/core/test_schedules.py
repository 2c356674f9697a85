"""Schedules the clock can never act on are refused; partly skipped ones are saved with a
warning; every text in the team's language. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import select
from typer.testing import CliRunner

from bot import chat
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.clock.schedule import next_allowed, parse_quiet, parse_weekly
from bot.messages import plain_text
from bot.storage.models import Team

LEAD = Origin("console", "ws1", "team-a", "lead", user_name="Lea", user_is_admin=True, home=True)
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


async def _say(services: Services, text: str) -> str:
    return " ".join(plain_text(o.message) for o in await chat.handle_text(services, LEAD, text))


async def _team(services: Services) -> Team:
    async with services.sessions() as session:
        return (await session.scalars(select(Team).where(Team.external_id == "team-a"))).one()


async def test_nudges_only_at_the_weekend_or_in_quiet_hours_are_refused(
    services: Services,
) -> None:
    await _say(services, "settings language nl")
    weekend = await _say(services, "settings nudges za,zo 10:00")
    assert "Niet opgeslagen" in weekend and "weekend" in weekend
    quiet = await _say(services, "settings nudges di,do 20:00")
    assert "stille uren" in quiet and "18:00-08:00" in quiet
    clash = await _say(services, "settings quiet 09:00-12:00")
    assert "Niet opgeslagen" in clash
    team = await _team(services)
    assert (team.nudge_schedule, team.quiet_hours) == ("tue,thu 10:00", "18:00-08:00")


async def test_a_partly_skipped_schedule_is_saved_with_a_warning_naming_the_days(
    services: Services,
) -> None:
    await _say(services, "settings language en")
    said = await _say(services, "settings nudges fri,sat 10:00")
    assert "Saved" in said and "sat" in said and "fri" not in said.split("Note:")[1]
    assert (await _team(services)).nudge_schedule == "fri,sat 10:00"
    # Moving the quiet hours out of the way makes an evening time possible.
    await _say(services, "settings quiet 22:00-07:00")
    assert "Saved" not in await _say(services, "settings nudges tue 20:00")
    assert (await _team(services)).nudge_schedule == "tue 20:00"


async def test_schedule_errors_and_day_names_are_in_the_teams_language(
    services: Services,
) -> None:
    await _say(services, "settings language nl")
    bad_time = await _say(services, "settings digest ma 25:00")
    assert "geen tijd" in bad_time and "is not" not in bad_time
    bad_day = await _say(services, "settings nudges someday 10:00")
    assert "Onbekende dag" in bad_day
    shown = await _say(services, "settings show")
    assert "di,do 10:00" in shown and "tue" not in shown
    form = await chat.handle_form(
        services, LEAD, "settings", "", {"nudges": "za 10:00", "quiet": "18:00-08:00"}
    )
    assert "weekend" in form[0].errors["nudges"]


def test_the_next_nudge_shown_is_one_the_clock_will_send() -> None:
    friday_noon = dt.datetime(2026, 12, 4, 12, 0, tzinfo=AMSTERDAM)
    weekly = parse_weekly("fri,sat 10:00")
    following = next_allowed(weekly, AMSTERDAM, friday_noon, parse_quiet("18:00-08:00"))
    assert following == dt.datetime(2026, 12, 11, 10, 0, tzinfo=AMSTERDAM)
    assert next_allowed(parse_weekly("sat 10:00"), AMSTERDAM, friday_noon, None) is None


def test_the_cli_refuses_an_impossible_schedule(database_url: str, monkeypatch) -> None:
    import asyncio

    from bot import bootstrap
    from bot.config import load_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    services = bootstrap.build(load_settings())

    async def make_team() -> None:
        await chat.handle_text(services, LEAD, "help")
        await services.close()

    asyncio.run(make_team())
    from bot.cli import app

    runner = CliRunner()
    refused = runner.invoke(app, ["settings", "team-a", "--nudges", "sat 10:00"])
    assert refused.exit_code == 2
    assert "weekend" in refused.output
    warned = runner.invoke(app, ["settings", "team-a", "--nudges", "fri,sat 10:00"])
    assert warned.exit_code == 0 and "no questions go out on sat" in warned.output

"""Commands as people type them, answered in the team's language. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot import chat
from bot.bootstrap import Services
from bot.chat import views
from bot.chat.command_text import parse
from bot.chat.origin import Origin
from bot.messages import plain_text
from bot.storage.models import Feedback, Idea

LEAD = Origin("console", "ws1", "team-a", "lead", user_name="Lea", user_is_admin=True, home=True)
ANNA = Origin("console", "ws1", "team-a", "anna", user_name="Anna", home=True)


async def _say(services: Services, origin: Origin, text: str) -> str:
    return " ".join(plain_text(o.message) for o in await chat.handle_text(services, origin, text))


def test_the_bot_name_is_dropped_once_in_every_form() -> None:
    for typed in (
        "feedback the export is slow",
        "waarom feedback the export is slow",
        "/waarom feedback the export is slow",
        "Waarom: feedback the export is slow",
    ):
        parsed = parse(typed)
        assert (parsed.word, parsed.rest) == ("feedback", "the export is slow"), typed
    assert parse("waarom waarom").word == "waarom"
    assert parse("  ").word == ""
    # What is left where a platform removed a real mention ("<at>Waarom</at>: ideas").
    assert parse(": ideas new").word == "ideas"


async def test_plain_words_are_pointed_to_feedback(services: Services) -> None:
    # Someone types what a customer said as if it were a message to the bot.
    said = await _say(services, ANNA, "De monteur kwam te laat")
    assert "type `feedback` followed by the text" in said


async def test_slash_feedback_stores_the_words_after_the_command(services: Services) -> None:
    await _say(services, ANNA, "/waarom feedback the export is slow")
    async with services.sessions() as session:
        assert (await session.scalars(select(Feedback.text))).all() == ["the export is slow"]


async def test_statuses_are_understood_as_the_team_reads_them(services: Services) -> None:
    await _say(services, LEAD, "settings language nl")
    listed = await _say(services, LEAD, "ideas gedaan")
    assert "Onbekende" not in listed and "Unknown" not in listed
    refused = await _say(services, LEAD, "ideas klaar")
    assert "gedaan" in refused and "done" not in refused
    idea = Idea(id=7, team_id=1, status="new", why="Omdat", how="Zo", votes=0)
    shown = plain_text(
        views.ideas_message(services.catalog.translator("nl"), [idea], {}, status=None, total=1)
    )
    assert "afgewezen" in shown and "declined" not in shown


async def test_everyone_may_read_the_settings_the_refusal_points_to(
    services: Services,
) -> None:
    await _say(services, LEAD, "settings language en")
    refused = await _say(services, ANNA, "settings language nl")
    assert "settings show" in refused
    shown = await _say(services, ANNA, "settings show")
    assert "Team leads" in shown


async def test_help_says_digest_shows_last_week(services: Services) -> None:
    await _say(services, LEAD, "settings language en")
    assert "last week" in await _say(services, ANNA, "help")


async def test_too_long_feedback_is_refused_in_the_teams_language(services: Services) -> None:
    await _say(services, LEAD, "settings language nl")
    said = await _say(services, ANNA, "feedback " + "lang verhaal " * 500)
    assert "Niet opgeslagen" in said and "tekens" in said and "characters" not in said

"""The typed commands, the same on every platform: help, feedback, ideas, digest, settings,
and the lead-only commands refused to a member who is not a lead."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Feedback, Idea
from tests.contract.driver import Driver


async def answer(driver: Driver, why: str, how: str) -> None:
    await driver.say("ask")
    await driver.press("Answer")
    await driver.submit({"why": why, "how": how})


async def test_help_lists_the_commands_a_member_may_use(driver: Driver) -> None:
    shown = await driver.say("help")
    assert "Waarom — what I do" in shown
    for command in ("ask —", "feedback <text>", "ideas [status]", "digest —"):
        assert command in shown
    assert "idea, merge and settings are for team leads." in shown


async def test_feedback_is_stored_with_its_segment(driver: Driver) -> None:
    shown = await driver.say("feedback The export to Excel drops the dates #enterprise")
    assert "Logged as customer feedback: “The export to Excel drops the dates”" in shown
    async with driver.services.sessions() as session:
        stored = (await session.scalars(select(Feedback))).all()
    assert [(f.text, f.segment) for f in stored] == [
        ("The export to Excel drops the dates", "enterprise")
    ]


async def test_ideas_lists_the_teams_ideas(driver: Driver) -> None:
    assert "No ideas yet." in await driver.say("ideas")
    await answer(driver, "Customers wait for the mechanic", "Text them before the visit")
    shown = await driver.say("ideas")
    assert "The team's ideas" in shown
    assert "Text them before the visit" in shown


async def test_digest_shows_last_weeks_digest(driver: Driver) -> None:
    shown = await driver.say("digest")
    assert "Customer voice, week" in shown


async def test_settings_show_is_for_everyone(driver: Driver) -> None:
    shown = await driver.say("settings show")
    assert "This team's settings" in shown
    assert "Team leads" in shown


async def test_lead_commands_are_refused_to_a_member(driver: Driver) -> None:
    await answer(driver, "The invoice is unclear", "Show the VAT on its own line")
    await answer(driver, "The invoice is hard to read", "Put the VAT on a line of its own")
    for command in ("idea 1 planned", "merge 2 1", "settings digest mon 09:00"):
        assert "Only team leads can do that." in await driver.say(command), command
    async with driver.services.sessions() as session:
        rows = await session.execute(select(Idea.id, Idea.status, Idea.merged_into_id))
        assert sorted(rows.all()) == [(1, "new", None), (2, "new", None)]

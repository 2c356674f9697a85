"""A waarom question's life, the same on every platform: asked, answered into an idea,
skipped, snoozed; answered twice or by someone else, it still makes at most one idea."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Idea, Nudge
from tests.contract.driver import BOB, Driver

WHY = "Customers cannot find the invoice"
HOW = "Link it from the order page"


async def ideas(driver: Driver) -> list[tuple[str, str, str]]:
    async with driver.services.sessions() as session:
        rows = await session.scalars(select(Idea).order_by(Idea.id))
        return [(idea.why, idea.how, idea.status) for idea in rows]


async def nudge_statuses(driver: Driver) -> list[str]:
    async with driver.services.sessions() as session:
        return list((await session.scalars(select(Nudge.status).order_by(Nudge.id))).all())


async def test_ask_shows_a_question_with_three_buttons(driver: Driver) -> None:
    shown = await driver.say("ask")
    for label in ("Answer", "Skip", "Later"):
        assert label in shown
    assert await nudge_statuses(driver) == ["sent"]


async def test_an_answer_becomes_an_idea(driver: Driver) -> None:
    await driver.say("ask")
    form = await driver.press("Answer")
    assert "Waarom — and zo?" in form
    thanks = await driver.submit({"why": WHY, "how": HOW})
    assert "Thank you! Your idea is logged as #1." in thanks
    assert await ideas(driver) == [(WHY, HOW, "new")]
    assert await nudge_statuses(driver) == ["answered"]


async def test_skip_closes_the_question(driver: Driver) -> None:
    await driver.say("ask")
    assert "Skipped." in await driver.press("Skip")
    assert await nudge_statuses(driver) == ["skipped"]
    assert await ideas(driver) == []


async def test_later_snoozes_the_question(driver: Driver) -> None:
    await driver.say("ask")
    assert "I'll ask again tomorrow." in await driver.press("Later")
    assert await nudge_statuses(driver) == ["snoozed"]


async def test_a_double_submit_makes_one_idea(driver: Driver) -> None:
    await driver.say("ask")
    await driver.press("Answer")
    first = await driver.submit({"why": WHY, "how": HOW})
    second = await driver.submit({"why": WHY, "how": HOW})
    assert "Your idea is logged as #1." in first
    assert "This question has already been answered — thank you!" in second
    assert "#2" not in second
    assert await ideas(driver) == [(WHY, HOW, "new")]


async def test_another_members_question_is_refused(driver: Driver) -> None:
    await driver.say("ask")
    refused = await driver.press("Skip", member=BOB, on="anna")
    assert "This question is not (or no longer) for you." in refused
    assert "Skipped." not in refused
    assert await nudge_statuses(driver) == ["sent"]
    # Anna's own question is still hers to answer.
    assert "Skipped." in await driver.press("Skip")


async def test_an_answer_like_an_open_idea_offers_a_vote_for_it(driver: Driver) -> None:
    await driver.say("ask")
    await driver.press("Answer")
    await driver.submit({"why": WHY, "how": HOW})
    await driver.say("ask")
    await driver.press("Answer")
    thanks = await driver.submit({"why": WHY, "how": HOW + " as well"})
    assert "Your idea is logged as #2. Looks like: #1." in thanks
    counted = await driver.press("Vote for #1")
    assert "Your vote for #1 counts (1 in all)." in counted
    async with driver.services.sessions() as session:
        votes = await session.scalars(select(Idea.votes).order_by(Idea.id))
        assert list(votes) == [1, 0]
    assert "votes: 1" in await driver.say("ideas")

"""An answer stored by save_form: the same result on both databases, though PostgreSQL stores
it in one statement when nothing else needs writing (bot.chat.quick_answer) and SQLite, or any
request that has something to refresh, takes the general way."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select, text

from bot import bootstrap, chat
from bot.bootstrap import Services
from bot.chat import quick_answer
from bot.chat.origin import Origin
from bot.config import load_settings
from bot.engine.nudges import new_nudge
from bot.messages import Choices, Say, UpdateOrigin, plain_text
from bot.storage.models import Idea, IdeaEvent, Member, Nudge, Team

# As a person first meets the bot (with their name), and as their form submissions come in
# later (no profile, the same addresses).
ANNA = Origin(
    "slack",
    "T1",
    "C1",
    "U1",
    user_name="Anna",
    conversation_address={"channel": "C1"},
    user_address={"user": "U1"},
)
SUBMIT = Origin(
    "slack", "T1", "C1", "U1", conversation_address={"channel": "C1"}, user_address={"user": "U1"}
)


async def _prompt(services: Services, origin: Origin = ANNA) -> str:
    said = await chat.handle_text(services, origin, "ask")
    assert isinstance(said[0], Say)
    return next(p for p in said[0].message.parts if isinstance(p, Choices)).buttons[0].value


async def test_an_answer_is_stored_with_its_history_and_thanks(services: Services) -> None:
    value = await _prompt(services)
    saved = await chat.save_form(
        services, SUBMIT, "answer", value, {"why": "  Slow refunds ", "how": "Refund today"}
    )
    assert saved.outcomes == () and saved.idea_id is not None and saved.language == "en"
    async with services.sessions() as session:
        idea = await session.get(Idea, saved.idea_id)
        nudge = await session.get(Nudge, int(value))
        member = await session.scalar(select(Member).where(Member.external_id == "U1"))
        events = (await session.scalars(select(IdeaEvent))).all()
    assert idea is not None and nudge is not None and member is not None
    assert (idea.why, idea.how, idea.status, idea.votes) == (
        "Slow refunds",
        "Refund today",
        "new",
        0,
    )
    assert (idea.nudge_id, idea.team_id, idea.author_member_id) == (
        nudge.id,
        nudge.team_id,
        member.id,
    )
    assert (idea.prompt_id, idea.feedback_id) == (nudge.prompt_id, nudge.feedback_id)
    assert nudge.status == "answered" and nudge.answered_at is not None
    assert [(e.idea_id, e.kind, e.new_value, e.actor_member_id) for e in events] == [
        (idea.id, "created", "new", member.id)
    ]
    thanks, update = await chat.after_form(services, saved)
    assert f"#{idea.id}" in plain_text(thanks.message)  # type: ignore[union-attr]
    assert isinstance(update, UpdateOrigin)


async def test_refusals_store_nothing_and_say_why(services: Services) -> None:
    value = await _prompt(services)
    bob = Origin("slack", "T1", "C1", "U2", conversation_address={"channel": "C1"})
    await chat.handle_text(services, bob, "help")  # Bob is known and in the team too
    not_his = await chat.save_form(services, bob, "answer", value, {"why": "a", "how": "b"})
    assert "not (or no longer) for you" in plain_text(not_his.outcomes[0].message)  # type: ignore[union-attr]
    first = await chat.save_form(services, SUBMIT, "answer", value, {"why": "a", "how": "b"})
    again = await chat.save_form(services, SUBMIT, "answer", value, {"why": "a", "how": "b"})
    assert first.idea_id is not None and again.idea_id is None
    assert "already been answered" in plain_text(again.outcomes[0].message)  # type: ignore[union-attr]
    unknown = await chat.save_form(services, SUBMIT, "answer", "999999", {"why": "a", "how": "b"})
    assert unknown.idea_id is None
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 1
        assert await session.scalar(select(func.count()).select_from(IdeaEvent)) == 1


async def test_what_needs_refreshing_takes_the_general_way(services: Services) -> None:
    value = await _prompt(services)
    # Anna now writes from her DM channel: her address changes with the answer.
    moved = Origin(
        "slack",
        "T1",
        "C1",
        "U1",
        conversation_address={"channel": "C1"},
        user_address={"user": "U1", "channel": "D1"},
    )
    assert await quick_answer.store(services, moved, value, {"why": "a", "how": "b"}) is None
    saved = await chat.save_form(services, moved, "answer", value, {"why": "a", "how": "b"})
    assert saved.idea_id is not None
    async with services.sessions() as session:
        member = await session.scalar(select(Member).where(Member.external_id == "U1"))
    assert member is not None and member.address == {"user": "U1", "channel": "D1"}


async def test_a_newcomer_is_registered_on_the_general_way(services: Services) -> None:
    await _prompt(services)
    # A team-wide prompt (no member), answered by someone the bot has never met.
    async with services.sessions() as session, session.begin():
        nudge = await session.scalar(select(Nudge))
        assert nudge is not None
        nudge.member_id = None
    newcomer = Origin("slack", "T1", "C1", "U9", conversation_address={"channel": "C1"})
    saved = await chat.save_form(
        services, newcomer, "answer", str(nudge.id), {"why": "a", "how": "b"}
    )
    assert saved.idea_id is not None
    async with services.sessions() as session:
        assert await session.scalar(select(Member).where(Member.external_id == "U9")) is not None


async def test_postgresql_stores_a_plain_answer_in_one_statement(services: Services) -> None:
    value = await _prompt(services)
    stored = await quick_answer.store(services, SUBMIT, value, {"why": "a", "how": "b"})
    if services.engine.dialect.name == "postgresql":
        assert stored is not None and stored[1] == "en"
    else:
        assert stored is None  # SQLite: always the general way


async def test_a_burst_beyond_the_pool_waits_its_turn_on_the_connections_kept_open(
    postgres_url: str, clock: Callable[[], dt.datetime]
) -> None:
    """More answers at once than the pool holds: every one is stored, and PostgreSQL is
    asked for no connection beyond the pool's (an overflow connection is a new server
    process each time, opened and closed per request)."""
    services = bootstrap.build(
        load_settings(
            database_url=postgres_url, waarom_language="en", database_pool_size=3, _env_file=None
        )
    )
    services.now = clock
    try:
        await _prompt(services)
        async with services.sessions() as session, session.begin():
            team = (await session.scalars(select(Team))).one()
            member = (await session.scalars(select(Member))).one()
            nudges = [
                (await new_nudge(session, services.library, team, member, now=clock())).id
                for _ in range(30)
            ]
        opened_before = await _sessions_opened(services)
        saved = await asyncio.gather(
            *(
                chat.save_form(services, SUBMIT, "answer", str(n), {"why": f"w{n}", "how": "h"})
                for n in nudges
            )
        )
        assert all(s.idea_id is not None for s in saved)
        async with services.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Idea)) == 30
        assert await _sessions_opened(services) - opened_before <= 3
    finally:
        await services.close()


async def _sessions_opened(services: Services) -> int:
    """Connections PostgreSQL has accepted to this database so far (its statistics are
    flushed at the end of each of our transactions, so a fresh snapshot is read)."""
    async with services.sessions() as session:
        await session.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(
            await session.scalar(
                text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            )
            or 0
        )

"""Claiming many sends at once and recording their outcomes in batches: still once each."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.clock.sends import MAX_ATTEMPTS, Outcome, Outcomes, SendKey, claim_many, finish
from bot.storage.models import Send
from tests.support.clock_support import make_team, utc

NOW = utc("2026-11-16T08:00:00+00:00")


async def _keys(services: Services, teams: int) -> list[SendKey]:
    made = [await make_team(services, f"team-{n}") for n in range(teams)]
    return [SendKey(t.id, "digest", "2026-W46", "team") for t in made]


async def test_overlapping_claims_win_each_send_once(services: Services) -> None:
    keys = await _keys(services, 30)
    shuffled = [random.Random(n).sample(keys, 20) for n in range(4)]
    results = await asyncio.gather(
        *(
            claim_many(services.sessions, chosen, now=NOW, worker=f"w{n}")
            for n, chosen in enumerate(shuffled)
        )
    )
    won = [key for result in results for key in result]
    assert sorted(won, key=str) == sorted(set(won), key=str)  # nobody won a send twice
    assert set(won) == {key for chosen in shuffled for key in chosen}
    async with services.sessions() as session:
        rows = (await session.scalars(select(Send))).all()
    assert {r.id: r.claimed_by for r in rows} == {
        send_id: f"w{n}" for n, result in enumerate(results) for send_id in result.values()
    }


async def test_a_send_that_failed_for_a_passing_reason_is_claimed_again(
    services: Services,
) -> None:
    retry, done, spent, new = await _keys(services, 4)
    first = await claim_many(services.sessions, [retry, done, spent], now=NOW, worker="a")
    await finish(services.sessions, first[retry], "retry", now=NOW, error="ratelimited")
    await finish(services.sessions, first[done], "sent", now=NOW)
    async with services.sessions() as session, session.begin():
        row = await session.get(Send, first[spent])
        assert row is not None
        row.status, row.attempts = "retry", MAX_ATTEMPTS
    kept: list[set[SendKey]] = []

    async def along(_session: AsyncSession, won: dict[SendKey, int]) -> None:
        kept.append(set(won))

    later = utc("2026-11-16T08:05:00+00:00")
    second = await claim_many(
        services.sessions, [new, spent, done, retry], now=later, worker="b", along=along
    )
    assert second == {new: second[new], retry: first[retry]}
    assert kept == [{new}, {retry}]
    async with services.sessions() as session:
        again = await session.get(Send, first[retry])
    assert again is not None and (again.status, again.attempts, again.claimed_by) == (
        "claimed",
        2,
        "b",
    )


async def test_outcomes_are_written_in_batches_by_count_and_by_age(services: Services) -> None:
    keys = await _keys(services, 7)
    ids = sorted((await claim_many(services.sessions, keys, now=NOW, worker="a")).values())
    outcomes = Outcomes(services.sessions, size=3, age=0.2)

    async def statuses() -> list[str]:
        async with services.sessions() as session:
            return list((await session.scalars(select(Send.status).order_by(Send.id))).all())

    for send_id in ids[:2]:
        await outcomes.add(Outcome(send_id, "sent", NOW, message_ref={"ts": str(send_id)}))
    assert await statuses() == ["claimed"] * 7
    await outcomes.add(Outcome(ids[2], "failed", NOW, error="channel_not_found"))
    assert await statuses() == ["sent", "sent", "failed"] + ["claimed"] * 4
    # One outcome and then nothing for a while: the timer writes it, no further send needed.
    await outcomes.add(Outcome(ids[3], "sent", NOW))
    for _ in range(100):
        if (await statuses())[3] != "claimed":
            break
        await asyncio.sleep(0.05)
    assert await statuses() == ["sent", "sent", "failed", "sent"] + ["claimed"] * 3
    await outcomes.add(Outcome(ids[4], "retry", NOW, error="ratelimited"))
    await outcomes.close()
    assert (await statuses())[4:] == ["retry", "claimed", "claimed"]
    async with services.sessions() as session:
        first = await session.get(Send, ids[0])
        failed = await session.get(Send, ids[2])
    assert first is not None and first.message_ref == {"ts": str(ids[0])}
    assert first.finished_at == NOW
    assert failed is not None and failed.error == "channel_not_found"


async def test_a_batch_whose_write_fails_is_kept_and_written_next_time(services: Services) -> None:
    keys = await _keys(services, 2)
    ids = sorted((await claim_many(services.sessions, keys, now=NOW, worker="a")).values())
    failures = [1]

    def sessions() -> AsyncSession:
        if failures[0]:
            failures[0] -= 1
            raise ConnectionError("database restarting")
        return services.sessions()

    outcomes = Outcomes(sessions, size=1)  # type: ignore[arg-type]
    try:
        await outcomes.add(Outcome(ids[0], "sent", NOW))
    except ConnectionError:
        pass
    else:
        raise AssertionError("the failed write is reported to the sender")
    await outcomes.add(Outcome(ids[1], "sent", NOW))
    async with services.sessions() as session:
        statuses = (await session.scalars(select(Send.status).order_by(Send.id))).all()
    assert statuses == ["sent", "sent"]

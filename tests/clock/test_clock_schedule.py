"""The clock with a controlled ``now``: the right minute, the right days, once."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.clock import Clock, ClockConfig
from bot.clock.delivery import Deliveries
from bot.clock.kinds import Digests
from bot.storage.models import Nudge, Send, Team
from tests.support.clock_support import FakeDelivery, make_team, utc


async def _nothing(_: float) -> None:
    return None


def clock_for(services: Services, fake: FakeDelivery, **config: object) -> Clock:
    return Clock(services, Deliveries({"console": fake}), ClockConfig(**config), sleep=_nothing)  # type: ignore[arg-type]


async def test_digests_go_out_at_the_local_minute_in_several_zones(services: Services) -> None:
    fake = FakeDelivery()
    await make_team(services, "ams", timezone="Europe/Amsterdam")
    await make_team(services, "nyc", timezone="America/New_York")
    await make_team(services, "tyo", timezone="Asia/Tokyo")
    clock = clock_for(services, fake)
    # Monday 16 Nov 2026, 09:00 local: Tokyo first, then Amsterdam, then New York.
    await clock.tick(utc("2026-11-15T23:59:00+00:00"))
    assert fake.sent == []
    await clock.tick(utc("2026-11-16T00:00:00+00:00"))  # 09:00 in Tokyo
    assert [r.to for r in fake.sent] == ["tyo"]
    await clock.tick(utc("2026-11-16T07:59:00+00:00"))
    await clock.tick(utc("2026-11-16T08:00:00+00:00"))  # 09:00 in Amsterdam (UTC+1)
    assert [r.to for r in fake.sent] == ["tyo", "ams"]
    await clock.tick(utc("2026-11-16T14:00:00+00:00"))  # 09:00 in New York (UTC-5)
    assert [r.to for r in fake.sent] == ["tyo", "ams", "nyc"]
    await clock.tick(utc("2026-11-16T15:00:00+00:00"))
    assert len(fake.sent) == 3
    assert "week 2026-W46" in fake.to("ams")[0].text


async def test_the_digest_keeps_its_local_time_across_the_dst_change(services: Services) -> None:
    fake = FakeDelivery()
    await make_team(services, "ams", timezone="Europe/Amsterdam")
    clock = clock_for(services, fake)
    # Summer time: 09:00 Amsterdam is 07:00 UTC on Monday 19 October.
    await clock.tick(utc("2026-10-19T07:00:00+00:00"))
    assert len(fake.sent) == 1
    # The clocks went back on Sunday 25 October: 09:00 is now 08:00 UTC.
    await clock.tick(utc("2026-10-26T07:00:00+00:00"))
    assert len(fake.sent) == 1
    await clock.tick(utc("2026-10-26T08:00:00+00:00"))
    assert len(fake.sent) == 2
    assert "2026-W43" in fake.sent[1].text


async def test_nudges_only_on_their_days_at_members_local_time_and_never_in_quiet_hours(
    services: Services,
) -> None:
    fake = FakeDelivery()
    await make_team(services, "ams", members={"anna": None, "lee": "Asia/Singapore"})
    await make_team(services, "night", nudges="tue 07:30", members={"owl": None})  # in quiet hours
    clock = clock_for(services, fake)
    await clock.tick(utc("2026-11-18T09:00:00+00:00"))  # Wednesday 10:00 Amsterdam
    assert fake.sent == []
    await clock.tick(utc("2026-11-17T02:00:00+00:00"))  # Tuesday 10:00 in Singapore
    assert [r.to for r in fake.sent] == ["lee"]
    await clock.tick(utc("2026-11-17T09:00:00+00:00"))  # Tuesday 10:00 in Amsterdam
    assert [r.to for r in fake.sent] == ["lee", "anna"]
    assert fake.to("owl") == []
    assert "[1] Answer" not in fake.sent[0].text and "Answer | Skip | Later" in fake.sent[0].text
    async with services.sessions() as session:
        nudges = (await session.scalars(select(Nudge))).all()
    assert len(nudges) == 2 and all(n.message_ref for n in nudges)


async def test_one_reminder_after_the_delay_and_not_at_night(services: Services) -> None:
    fake = FakeDelivery()
    await make_team(services, "ams", members={"anna": None})
    clock = clock_for(services, fake)
    await clock.tick(utc("2026-11-17T09:00:00+00:00"))  # Tuesday nudge
    await clock.tick(utc("2026-11-18T05:00:00+00:00"))  # 06:00 local: quiet hours
    assert len(fake.to("anna")) == 1
    await clock.tick(utc("2026-11-18T09:30:00+00:00"))  # a day later, daytime: reminder
    await clock.tick(utc("2026-11-18T10:30:00+00:00"))
    await clock.tick(utc("2026-11-19T09:00:00+00:00"))  # Thursday nudge
    texts = [r.text for r in fake.to("anna")]
    assert len(texts) == 3  # Tuesday nudge, one reminder, Thursday's nudge
    async with services.sessions() as session:
        reminders = (await session.scalars(select(Send).where(Send.kind == "reminder"))).all()
    assert len(reminders) == 1


async def test_catch_up_after_an_outage_happens_once_within_the_grace_window(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDelivery()
    await make_team(services, "ams")
    clock = clock_for(services, fake)
    # Down at 09:00; starts at 12:30, then keeps ticking.
    await clock.start_up(utc("2026-11-16T11:30:00+00:00"))
    await clock.tick(utc("2026-11-16T11:31:00+00:00"))
    await clock_for(services, fake).start_up(utc("2026-11-16T12:00:00+00:00"))  # a restart
    assert len(fake.sent) == 1
    # A week later the clock was down all day: past the window, skipped with a log line.
    with caplog.at_level(logging.INFO, logger="bot.clock"):
        await clock.start_up(utc("2026-11-23T20:00:00+00:00"))
    assert len(fake.sent) == 1
    assert "skipped digest of team" in caplog.text


async def test_a_permanent_failure_stops_the_team_and_is_recorded(services: Services) -> None:
    fake = FakeDelivery(permanent={"gone"})
    await make_team(services, "gone")
    await make_team(services, "ok")
    report = await clock_for(services, fake).tick(utc("2026-11-16T08:00:00+00:00"))
    assert (report.sent, report.failed) == (1, 1)
    async with services.sessions() as session:
        gone = await session.scalar(select(Team).where(Team.name == "gone"))
        send = await session.scalar(select(Send).where(Send.team_id == gone.id))  # type: ignore[union-attr]
    assert gone is not None and not gone.active and gone.disabled_reason == "channel_not_found"
    assert send is not None and (send.status, send.error) == ("failed", "channel_not_found")
    await clock_for(services, fake).tick(utc("2026-11-23T08:00:00+00:00"))
    assert [r.to for r in fake.sent] == ["ok", "ok"]


async def test_transient_failures_are_retried_then_left_for_a_later_tick(
    services: Services,
) -> None:
    fake = FakeDelivery(transient={"busy": 2, "very-busy": 5})
    await make_team(services, "busy")
    await make_team(services, "very-busy")
    clock = clock_for(services, fake, attempts=3)
    first = await clock.tick(utc("2026-11-16T08:00:00+00:00"))
    assert first.sent == 1 and fake.to("busy")  # third attempt went through
    assert fake.to("very-busy") == []  # three attempts failed; retry later
    await clock.tick(utc("2026-11-16T08:05:00+00:00"))
    assert len(fake.to("very-busy")) == 1
    await clock.tick(utc("2026-11-16T08:10:00+00:00"))
    assert len(fake.to("very-busy")) == 1


async def test_two_clocks_at_once_send_each_digest_once(services: Services) -> None:
    import asyncio

    fake = FakeDelivery()
    for n in range(12):
        await make_team(services, f"team-{n}")
    now = utc("2026-11-16T08:00:00+00:00")
    await asyncio.gather(
        clock_for(services, fake).tick(now),
        clock_for(services, fake).tick(now),
        clock_for(services, fake).tick(now),
    )
    assert sorted(r.to for r in fake.sent) == sorted(f"team-{n}" for n in range(12))


async def test_clocks_fanning_out_in_chunks_send_and_record_each_digest_once(
    services: Services,
) -> None:
    import asyncio

    from bot.storage.models import Digest

    fake = FakeDelivery(permanent={"team-3"})
    for n in range(20):
        await make_team(services, f"team-{n}")
    now = utc("2026-11-16T08:00:00+00:00")
    # Chunks of four, each clock claiming while the others send: the chunks interleave.
    reports = await asyncio.gather(
        *(clock_for(services, fake, concurrency=4).tick(now) for _ in range(3))
    )
    assert sorted(r.to for r in fake.sent) == sorted(f"team-{n}" for n in range(20) if n != 3)
    assert sum(r.sent for r in reports) == 19 and sum(r.failed for r in reports) == 1
    async with services.sessions() as session:
        statuses = sorted((await session.scalars(select(Send.status))).all())
        digests = (await session.scalars(select(Digest.team_id))).all()
    assert statuses == ["failed"] + ["sent"] * 19
    assert len(digests) == len(set(digests)) == 20


async def test_a_chunk_that_cannot_be_prepared_leaves_the_others_going_out(
    services: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDelivery()
    for n in range(6):
        await make_team(services, f"team-{n}")
    clock = clock_for(services, fake, concurrency=2)
    prepare = Digests.prepare
    calls = [0]

    async def blip_on_the_second_chunk(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 2:
            raise ConnectionError("database restarting")
        return await prepare(*args, **kwargs)

    monkeypatch.setattr(Digests, "prepare", blip_on_the_second_chunk)
    now = utc("2026-11-16T08:00:00+00:00")
    with caplog.at_level(logging.ERROR):
        await clock.tick(now)
    assert sorted(r.to for r in fake.sent) == ["team-0", "team-1", "team-4", "team-5"]
    assert "could not be prepared" in caplog.text
    # Nothing of that chunk was claimed, so the next tick sends it, and only it.
    await clock_for(services, fake).tick(now)
    assert sorted(r.to for r in fake.sent) == [f"team-{n}" for n in range(6)]


async def test_old_replay_records_are_forgotten(services: Services) -> None:

    from bot.storage.models import ProcessedEvent

    async with services.sessions() as session, session.begin():
        session.add(
            ProcessedEvent(
                source="slack", event_id="old", received_at=utc("2026-11-10T08:00:00+00:00")
            )
        )
        session.add(
            ProcessedEvent(
                source="slack", event_id="new", received_at=utc("2026-11-16T07:00:00+00:00")
            )
        )
    await clock_for(services, FakeDelivery()).tick(utc("2026-11-16T08:00:00+00:00"))
    async with services.sessions() as session:
        kept = (await session.scalars(select(ProcessedEvent.event_id))).all()
    assert kept == ["new"]

"""The clock process's jobs: one per schedule and time zone, for every team that shares it."""

from __future__ import annotations

from sqlalchemy import update

from bot.bootstrap import Services
from bot.clock import Clock, ClockConfig
from bot.clock.delivery import Deliveries
from bot.clock.scheduler import ClockProcess
from bot.storage.models import Team
from tests.support.clock_support import FakeDelivery, make_team, utc


async def _nothing(_: float) -> None:
    return None


async def test_teams_sharing_a_time_share_one_job_and_get_their_digests_in_one_tick(
    services: Services,
) -> None:
    fake = FakeDelivery()
    first = await make_team(services, "ams-1", members={"anna": None})
    second = await make_team(services, "ams-2", members={"bram": None})
    later = await make_team(services, "ams-late", digest="mon 11:00")
    abroad = await make_team(services, "nyc", timezone="America/New_York")
    clock = Clock(services, Deliveries({"console": fake}), ClockConfig(), sleep=_nothing)  # type: ignore[arg-type]
    process = ClockProcess(clock)

    jobs = await process.desired_jobs()
    digest_jobs = {
        job_id: ids for job_id, (_, ids, _) in jobs.items() if job_id.startswith("digest")
    }
    assert digest_jobs == {
        "digest:mon 09:00@Europe/Amsterdam": [first.id, second.id],
        "digest:mon 11:00@Europe/Amsterdam": [later.id],
        "digest:mon 09:00@America/New_York": [abroad.id],
    }
    assert jobs["nudges:tue,thu 10:00@Europe/Amsterdam"][1] == [first.id, second.id, later.id]

    # What the scheduler runs at 09:00 Amsterdam: one tick for both teams.
    _, team_ids, trigger = jobs["digest:mon 09:00@Europe/Amsterdam"]
    fire = trigger.get_next_fire_time(None, utc("2026-11-16T07:30:00+00:00"))
    assert fire == utc("2026-11-16T08:00:00+00:00")
    await clock.tick(fire, team_ids=team_ids)
    assert sorted(r.to for r in fake.sent) == ["ams-1", "ams-2"]

    # A lead moves one team's digest: the next sync moves it to that time's job.
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Team).where(Team.id == second.id).values(digest_schedule="mon 11:00")
        )
    jobs = await process.desired_jobs()
    assert jobs["digest:mon 09:00@Europe/Amsterdam"][1] == [first.id]
    assert jobs["digest:mon 11:00@Europe/Amsterdam"][1] == [second.id, later.id]

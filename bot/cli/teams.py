"""The teams: ``teams``, ``settings`` and ``status``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    FORMAT_OPTION,
    app,
    channel_teams,
    err,
    out,
    pick_team,
    team_label,
    with_services,
)
from bot.cli.output import Format, emit

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.storage.models import Team


@app.command("teams")
def teams_(fmt: Annotated[Format, FORMAT_OPTION] = Format.table) -> None:
    """List the teams: id, platform, name, language, time zone, schedules."""
    listed = with_services(channel_teams)
    rows = [
        {
            "id": team.id,
            "platform": platform,
            "name": team.name or team.external_id,
            "language": team.language,
            "time zone": team.timezone,
            "digest": team.digest_schedule,
            "nudges": team.nudge_schedule,
            "quiet": team.quiet_hours or "",
            "active": team.active,
            "stopped because": team.disabled_reason or "",
        }
        for team, platform in listed
    ]
    emit(
        out,
        list(rows[0]) if rows else [],
        rows,
        fmt,
        empty="No teams yet: add the bot to a channel, or run `waarom demo`.",
    )


@app.command("settings")
def settings_(
    team: Annotated[str, typer.Argument(help="Team id or name.")],
    digest_at: Annotated[str | None, typer.Option("--digest", help='e.g. "mon 09:00"')] = None,
    nudges: Annotated[str | None, typer.Option(help='e.g. "tue,thu 10:00"')] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone, e.g. Europe/Amsterdam")] = None,
    language: Annotated[str | None, typer.Option(help="nl or en")] = None,
    quiet: Annotated[str | None, typer.Option(help='e.g. "18:00-08:00", or "off"')] = None,
    reminder: Annotated[
        int | None, typer.Option(help="Hours before an unanswered nudge is reminded (1–168).")
    ] = None,
) -> None:
    """Change a team's schedule, time zone, language, quiet hours or reminder delay."""
    given = {
        "digest": digest_at,
        "nudges": nudges,
        "timezone": timezone,
        "language": language,
        "quiet": quiet,
        "reminder": None if reminder is None else str(reminder),
    }
    values = {k: v for k, v in given.items() if v is not None}
    code = with_services(lambda services: _change(services, team, values), refuse=(LookupError,))
    if code:
        raise typer.Exit(code)


async def _change(services: Services, team: str, values: dict[str, str]) -> int:
    """Check and apply ``values`` to ``team``'s settings; 2 when one is refused."""
    from bot.chat import team_settings
    from bot.storage.models import Team

    chosen = await pick_team(services, team)
    t = services.catalog.translator("en")
    async with services.sessions() as session, session.begin():
        row = await session.get(Team, chosen.id)
        assert row is not None
        checked = team_settings.check(values, t, row)
        for name, problem in checked.errors.items():
            err.print(f"[red]--{name}: {problem}[/red]")
        if checked.errors:
            return 2
        team_settings.apply(row, checked.updates)
    out.print(
        f"Team {team_label(chosen)} updated: "
        + (", ".join(f"{k}={v}" for k, v in values.items()) or "nothing given")
    )
    for name, warning in checked.warnings.items():
        err.print(f"[yellow]--{name}: {warning}[/yellow]")
    return 0


def upcoming(team: Team, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The team's next digest, and the next nudges the clock will really send (not at the
    weekend, not in quiet hours); ``None`` where there is none or the schedule is broken.
    Read through :class:`~bot.clock.schedule.TeamSchedule`, as the clock reads it."""
    from bot.clock.schedule import ScheduleError, TeamSchedule, next_allowed, next_occurrence

    try:
        plan = TeamSchedule.read(
            team.timezone, team.digest_schedule, team.nudge_schedule, team.quiet_hours
        )
    except ScheduleError:
        return None, None
    zone = plan.zone
    digest = next_occurrence(plan.digest, zone, now) if plan.digest else None
    # Nudges are None too when the quiet hours cannot be read: the clock sends none then.
    nudges = next_allowed(plan.nudges, zone, now, plan.quiet) if plan.nudges else None
    return (
        digest.astimezone(zone) if digest else None,
        nudges.astimezone(zone) if nudges else None,
    )


@app.command()
def status(fmt: Annotated[Format, FORMAT_OPTION] = Format.table) -> None:
    """Per team: the next scheduled sends, the last ones and their outcome."""
    rows = with_services(lambda services: _status_rows(services, fmt))
    emit(out, list(rows[0]) if rows else [], rows, fmt, empty="No teams yet.")


async def _status_rows(services: Services, fmt: Format) -> list[dict[str, object]]:
    from bot.clock.roster import Reach, reach
    from bot.clock.sends import recent_sends

    def shown(moment: dt.datetime | None) -> str | None:
        if fmt is Format.json:
            return moment.isoformat() if moment else None
        return f"{moment:%a %d %b %H:%M}" if moment else "never"

    def members(counts: Reach | None) -> object:
        # Only where the platform lists a team's members: how many a nudge reaches.
        if fmt is Format.json:
            return {"members": counts.members, "reachable": counts.reachable} if counts else None
        return f"{counts.reachable} of {counts.members} reachable" if counts else "—"

    rows: list[dict[str, object]] = []
    listed = await channel_teams(services)
    async with services.sessions() as session:
        reaches = await reach(session, [team.id for team, _ in listed])
    for team, platform in listed:
        digest, nudges = upcoming(team, services.now())
        sends = [
            f"{s.kind} {s.period} {s.status}" + (f" ({s.error})" if s.error else "")
            for s in await recent_sends(services.sessions, team.id)
        ]
        rows.append(
            {
                "team": team_label(team),
                "platform": platform,
                "state": "active" if team.active else f"stopped: {team.disabled_reason}",
                "next digest": shown(digest),
                "next nudges": shown(nudges),
                "last sends": sends if fmt is Format.json else "; ".join(sends) or "—",
                "members": members(reaches.get(team.id)),
            }
        )
    return rows

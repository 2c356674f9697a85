"""The ``waarom`` command line.

Each command builds the services through :mod:`bot.bootstrap` and enters asyncio with
``asyncio.run``; this module only parses options and prints results.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sys
import zoneinfo
from collections.abc import Coroutine
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from adapters.console.render import render as render_text
from bot import bootstrap, db, logs, team_settings
from bot.cli_output import Format, emit
from bot.config import Settings, SettingsError, load_settings
from bot.delivery import Deliveries, Delivery
from bot.digest import Week, build_digest, render_digest
from bot.directory import UnknownOrganisation, organisation
from bot.ideas import STATUSES, list_ideas, write_csv
from bot.importer import UnreadableFile, import_file
from bot.intake import FieldMap
from bot.models import Installation, Member, Team
from bot.prompts import PromptFileError, load_library

T = TypeVar("T")

app = typer.Typer(
    name="waarom",
    help="Waarom: real customer quotes every week, a waarom and a zo, and ideas tracked to done.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
FORMAT_OPTION = typer.Option(
    "--format", help="table (whole values when piped: tab-separated) or json."
)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _services(settings: Settings) -> bootstrap.Services:
    try:
        return bootstrap.build(settings)
    except db.DatabaseNotMigrated as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logs.configure(verbose=verbose)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations (run on every release)."""
    settings = _settings()
    db.upgrade(settings.database_url, revision)
    out.print(f"Database at revision {db.current_revision(settings.database_url)}.")


@db_app.command("revision", hidden=True)
def db_revision(message: Annotated[str, typer.Argument()]) -> None:
    """For developers: generate a migration from the models (check it by hand)."""
    from alembic import command

    settings = _settings()
    command.revision(db.alembic_config(settings.database_url), message=message, autogenerate=True)


def _advance(bar: Progress, task: TaskID, done: int, total: int) -> None:
    bar.update(task, completed=done, total=total)


@app.command("import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV or JSON Lines files.")
    ],
    text: Annotated[str, typer.Option("--text", help="Column/key with the customer's words.")],
    received_at: Annotated[
        str | None, typer.Option("--received-at", help="Column with the date.")
    ] = None,
    score: Annotated[str | None, typer.Option(help="Column with the score (0–10).")] = None,
    segment: Annotated[str | None, typer.Option(help="Column with the customer segment.")] = None,
    step: Annotated[str | None, typer.Option(help="Column with the journey step.")] = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="Column with a unique id (dedupe).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Source name to store (default: the file name).")
    ] = None,
    org: Annotated[str, typer.Option(help="Organisation the feedback belongs to.")] = "default",
    delimiter: Annotated[str, typer.Option(help="CSV delimiter; \\t for tabs.")] = ",",
    encoding: Annotated[str, typer.Option(help="File encoding.")] = "utf-8-sig",
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the extension).")
    ] = None,
) -> None:
    """Load customer feedback from CSV / JSON Lines. Re-importing adds nothing twice."""
    settings = _settings()
    delimiter = "\t" if delimiter in {"\\t", "tab"} else delimiter
    if len(delimiter) != 1:
        err.print("[red]--delimiter must be one character[/red]")
        raise typer.Exit(2)
    if file_format not in (None, "csv", "jsonl"):
        err.print("[red]--format must be csv or jsonl[/red]")
        raise typer.Exit(2)
    fields = FieldMap(
        text=text,
        received_at=received_at,
        score=score,
        segment=segment,
        step=step,
        external_id=external_id,
        source=None,
    )
    services = _services(settings)
    totals = {"imported": 0, "duplicates": 0, "rejected": 0, "undecodable": 0}

    async def go() -> None:
        try:
            async with services.sessions() as session, session.begin():
                org_id = (await organisation(session, org)).id
            for path in files:
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    console=err,
                    transient=True,
                ) as bar:
                    task = bar.add_task(path.name, total=path.stat().st_size)
                    report = await import_file(
                        services.sessions,
                        org_id,
                        path,
                        fields,
                        zone=services.zone,
                        source=source,
                        delimiter=delimiter,
                        encoding=encoding,
                        file_format=file_format,
                        on_progress=partial(_advance, bar, task),
                    )
                for line, reason in report.rejected:
                    err.print(f"{path.name}:{line}: {reason}", markup=False, highlight=False)
                if report.rejected_count > len(report.rejected):
                    more = report.rejected_count - len(report.rejected)
                    err.print(f"{path.name}: … and {more} more rejected rows")
                out.print(
                    f"{path.name}: imported {report.imported}, duplicates {report.duplicates}, "
                    f"rejected {report.rejected_count}"
                )
                if report.undecodable:
                    err.print(
                        f"[red]{path.name}: {report.undecodable} rows are not valid {encoding}: "
                        "the file is probably in another encoding; import it again with "
                        "--encoding cp1252 (or latin-1). Rows already imported are not added "
                        "twice.[/red]"
                    )
                elif report.read + report.rejected_count == 0:
                    err.print(f"[yellow]{path.name}: no rows to import (the file is empty)[/]")
                totals["imported"] += report.imported
                totals["duplicates"] += report.duplicates
                totals["rejected"] += report.rejected_count
                totals["undecodable"] += report.undecodable
        finally:
            await services.close()

    try:
        run(go())
    except (UnreadableFile, UnknownOrganisation) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if len(files) > 1:
        out.print(
            f"Total: imported {totals['imported']}, duplicates {totals['duplicates']}, "
            f"rejected {totals['rejected']}"
        )
    # A wrong encoding is a problem of the whole file (2). Otherwise exit non-zero only when
    # nothing at all could be read (1), an empty file included: a few bad rows are reported,
    # not fatal.
    if totals["undecodable"]:
        raise typer.Exit(2)
    if totals["imported"] + totals["duplicates"] == 0:
        raise typer.Exit(1)


# --- engine commands ---------------------------------------------------------------------


async def _teams_and_platforms(services: bootstrap.Services) -> list[tuple[Team, str]]:
    """Every channel team (not 1:1 chats) with its platform, by id."""
    async with services.sessions() as session:
        rows = await session.execute(
            select(Team, Installation.platform)
            .join(Installation, Installation.id == Team.installation_id)
            .where(Team.direct.is_(False))
            .order_by(Team.id)
        )
        return [(row.Team, row.platform) for row in rows]


def _team_label(team: Team) -> str:
    return f"{team.id} ({team.name or team.external_id})"


async def _pick_team(services: bootstrap.Services, wanted: str | None) -> Team:
    async with services.sessions() as session:
        teams = (
            await session.scalars(select(Team).where(Team.direct.is_(False)).order_by(Team.id))
        ).all()
    if wanted is not None:
        for team in teams:
            if wanted in {str(team.id), team.name, team.external_id}:
                return team
        raise LookupError(
            f"no team {wanted!r}; teams: {', '.join(map(_team_label, teams)) or 'none'}"
        )
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise LookupError("no teams yet: add the bot to a channel, or run `waarom demo`")
    raise LookupError(
        f"several teams; choose one with --team: {', '.join(map(_team_label, teams))}"
    )


@app.command()
def demo(
    chat: Annotated[
        bool, typer.Option("--chat/--no-chat", help="Open the console chat after the digest.")
    ] = True,
) -> None:
    """The tour: sample feedback, this week's digest, then chat in the terminal."""
    from adapters.console import ConsoleChat
    from bot import demo as tour

    settings = _settings()
    db.upgrade(settings.database_url)
    services = _services(settings)

    async def go() -> None:
        try:
            report = await tour.load_sample(services)
            team = await tour.demo_team(services)
            week = await tour.latest_week(services, team)
            data = await tour.week_digest(services, team, week)
            t = services.catalog.translator(team.language)
            text, _ = render_text(render_digest(data, t))
            err.print(
                f"[dim]sample feedback: {report.imported} new, {report.duplicates} already there "
                f"· database {settings.database_url}[/dim]"
            )
            print(text)
            if chat:
                await ConsoleChat(services, sys.stdin, sys.stdout, team=team.external_id).run()
        finally:
            await services.close()

    run(go())


@app.command()
def digest(
    team: Annotated[
        str | None, typer.Option(help="Team id or name (default: the only team).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            help="ISO week, e.g. 2026-W47 (default: last week, which this week's digest covers)."
        ),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Render a team's weekly digest."""
    if output not in ("text", "json"):
        err.print("[red]--format must be text or json[/red]")
        raise typer.Exit(2)
    settings = _settings()
    services = _services(settings)

    async def go() -> None:
        try:
            chosen = await _pick_team(services, team)
            zone = zoneinfo.ZoneInfo(chosen.timezone)
            target = Week.parse(week) if week else Week.to_send(services.now(), zone)
            async with services.sessions() as session:
                data = await build_digest(session, chosen, target, services.library)
            if output == "json":
                print(json.dumps(data.to_json(), ensure_ascii=False, indent=2))
            else:
                print(
                    render_text(render_digest(data, services.catalog.translator(chosen.language)))[
                        0
                    ]
                )
        finally:
            await services.close()

    try:
        run(go())
    except (LookupError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def ideas(
    status: Annotated[
        str | None, typer.Option(help="new, reviewing, planned, done or declined.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only this team (id or name).")] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write them to this CSV file.")
    ] = None,
    fmt: Annotated[Format, FORMAT_OPTION] = Format.table,
) -> None:
    """List or export ideas."""
    if status is not None and status not in STATUSES:
        err.print(f"[red]--status must be one of {', '.join(STATUSES)}[/red]")
        raise typer.Exit(2)
    if csv_file is not None and not csv_file.parent.is_dir():
        err.print(f"[red]--csv: the folder {csv_file.parent} does not exist[/red]")
        raise typer.Exit(2)
    settings = _settings()
    services = _services(settings)

    async def go() -> None:
        try:
            async with services.sessions() as session:
                if team is not None:
                    team_ids = [(await _pick_team(services, team)).id]
                else:
                    team_ids = list((await session.scalars(select(Team.id))).all())
                found = await list_ideas(session, team_ids, status)
                members = {
                    m.id: m.display_name or m.external_id
                    for m in await session.scalars(select(Member))
                }
                teams = {t.id: t.name or t.external_id for t in await session.scalars(select(Team))}
            rows = [
                {
                    "id": i.id,
                    "team": teams.get(i.team_id, ""),
                    "status": i.status,
                    "why": i.why,
                    "how": i.how,
                    "author": members.get(i.author_member_id or 0, ""),
                    "owner": members.get(i.owner_member_id or 0, ""),
                    "votes": i.votes,
                    "created_at": i.created_at.isoformat(),
                    "done_at": i.done_at.isoformat() if i.done_at else "",
                }
                for i in found
            ]
            if csv_file is not None:
                try:
                    with csv_file.open("w", newline="", encoding="utf-8") as stream:
                        write_csv(rows, stream)
                except OSError as exc:
                    err.print(f"[red]--csv: cannot write {csv_file}: {exc.strerror}[/red]")
                    raise typer.Exit(2) from None
                out.print(f"Wrote {len(rows)} ideas to {csv_file}.")
                return
            columns = ["id", "team", "status", "how", "why", "author", "owner", "votes"]
            emit(out, columns, rows, fmt, empty="No ideas yet.")
        finally:
            await services.close()

    try:
        run(go())
    except LookupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


prompts_app = typer.Typer(help="The prompt library.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@prompts_app.command("check")
def prompts_check(
    path: Annotated[
        Path | None,
        typer.Argument(help="A prompts folder (default: the installed library)."),
    ] = None,
) -> None:
    """Validate the prompt library without starting anything."""
    if path is not None and not path.is_dir():
        err.print(f"[red]{path} does not exist or is not a folder[/red]")
        raise typer.Exit(2)
    try:
        library = load_library(path)
    except PromptFileError as exc:
        for problem in exc.problems:
            err.print(problem, markup=False, highlight=False)
        err.print(f"[red]{len(exc.problems)} problem(s) in the prompt library[/red]")
        raise typer.Exit(1) from None
    for language in library.languages():
        counts = {kind: len(library.of(language, kind)) for kind in ("waarom", "quote", "zo")}
        detail = ", ".join(f"{kind} {count}" for kind, count in counts.items())
        out.print(f"{language}: {sum(counts.values())} prompts ({detail})")
    out.print("[green]The prompt library is valid.[/green]")


@app.command("teams")
def teams_(fmt: Annotated[Format, FORMAT_OPTION] = Format.table) -> None:
    """List the teams: id, platform, name, language, time zone, schedules."""
    settings = _settings()
    services = _services(settings)

    async def go() -> None:
        try:
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
                for team, platform in await _teams_and_platforms(services)
            ]
            emit(
                out,
                list(rows[0]) if rows else [],
                rows,
                fmt,
                empty="No teams yet: add the bot to a channel, or run `waarom demo`.",
            )
        finally:
            await services.close()

    run(go())


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
    settings = _settings()
    services = _services(settings)
    given = {
        "digest": digest_at,
        "nudges": nudges,
        "timezone": timezone,
        "language": language,
        "quiet": quiet,
        "reminder": None if reminder is None else str(reminder),
    }
    values = {k: v for k, v in given.items() if v is not None}

    async def go() -> int:
        try:
            chosen = await _pick_team(services, team)
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
                f"Team {_team_label(chosen)} updated: "
                + (", ".join(f"{k}={v}" for k, v in values.items()) or "nothing given")
            )
            for name, warning in checked.warnings.items():
                err.print(f"[yellow]--{name}: {warning}[/yellow]")
            return 0
        finally:
            await services.close()

    try:
        code = run(go())
    except LookupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if code:
        raise typer.Exit(code)


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or 3000).")] = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: $WAAROM_HOST or 0.0.0.0).")
    ] = None,
) -> None:
    """Run the web process: Slack, Teams, the feedback webhook and /healthz."""
    from bot.web import serve as serve_http

    settings = _settings()
    if host:
        settings = settings.model_copy(update={"waarom_host": host})
    services = _services(settings)
    logs.service()
    # A platform's settings that only make sense together are checked as the app is built;
    # main() prints such a SettingsError as one line.
    serve_http(services, host=settings.waarom_host, port=port or settings.port)


def _deliveries(services: bootstrap.Services, *, console: bool) -> Deliveries:
    """One delivery per platform that can send with these settings."""
    import adapters.slack.app as slack_adapter
    from adapters.console.delivery import ConsoleDelivery
    from adapters.slack.delivery import SlackDelivery
    from adapters.teams import build as build_teams
    from adapters.teams.delivery import TeamsDelivery

    by_platform: dict[str, Delivery] = {}
    reason = slack_adapter.configured(services.settings, socket=True)
    if reason is None:
        by_platform["slack"] = SlackDelivery(
            slack_adapter.build(services, socket=True).sender,
            per_second=services.settings.waarom_slack_rate,
        )
    else:
        logging.getLogger(__name__).info("Slack not sending: %s", reason)
    by_platform["teams"] = TeamsDelivery(build_teams(services).sender)
    if console:
        by_platform["console"] = ConsoleDelivery(sys.stdout)
    return Deliveries(by_platform)


@app.command()
def clock(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
    at: Annotated[
        str | None,
        typer.Option(help="With --once: act as if it were this ISO time (UTC if no offset)."),
    ] = None,
    grace: Annotated[float, typer.Option(help="Hours within which a missed send is made up.")] = 6,
    lease: Annotated[
        float,
        typer.Option(
            help="Seconds after which an unconfirmed send of a stopped process is checked."
        ),
    ] = 600,
    console: Annotated[bool, typer.Option(help="Also 'send' to console teams (printed).")] = False,
) -> None:
    """Run the clock process: weekly digests, nudges and reminders, each sent once."""
    import os
    import signal
    import socket

    from bot.clock import Clock, ClockConfig
    from bot.scheduler import ClockProcess

    settings = _settings()
    services = _services(settings)
    logs.service()
    if at is not None:
        moment = dt.datetime.fromisoformat(at)
        fixed = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        services.now = lambda: fixed
    config = ClockConfig(grace=dt.timedelta(hours=grace), lease=dt.timedelta(seconds=lease))
    worker = f"{socket.gethostname()}:{os.getpid()}"

    async def go() -> None:
        deliveries: Deliveries | None = None
        try:
            deliveries = _deliveries(services, console=console)
            engine = Clock(services, deliveries, config, worker=worker)
            if once:
                report = await engine.start_up()
                kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.by_kind.items()))
                out.print(
                    f"sent {report.sent} ({kinds or 'nothing due'}), "
                    f"failed {report.failed}, expired {report.expired}"
                )
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await ClockProcess(engine).run(stop)
        finally:
            if deliveries is not None:
                await deliveries.close()
            await services.close()

    run(go())


def _upcoming(team: Team, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The team's next digest, and the next nudges the clock will really send (not at the
    weekend, not in quiet hours); ``None`` where there is none or the schedule is broken."""
    from bot.schedule import (
        ScheduleError,
        next_allowed,
        next_occurrence,
        parse_quiet,
        parse_weekly,
    )

    zone = zoneinfo.ZoneInfo(team.timezone)
    try:
        digest = next_occurrence(parse_weekly(team.digest_schedule), zone, now)
        quiet = parse_quiet(team.quiet_hours or "")
        nudges = next_allowed(parse_weekly(team.nudge_schedule), zone, now, quiet)
    except ScheduleError:
        return None, None
    return digest.astimezone(zone), nudges.astimezone(zone) if nudges else None


@app.command()
def status(fmt: Annotated[Format, FORMAT_OPTION] = Format.table) -> None:
    """Per team: the next scheduled sends, the last ones and their outcome."""
    from bot.clock import recent_sends
    from bot.roster import Reach, reach

    settings = _settings()
    services = _services(settings)

    def shown(moment: dt.datetime | None) -> str | None:
        if fmt is Format.json:
            return moment.isoformat() if moment else None
        return f"{moment:%a %d %b %H:%M}" if moment else "never"

    def members(counts: Reach | None) -> object:
        # Only where the platform lists a team's members (Teams): how many a nudge reaches.
        if fmt is Format.json:
            return {"members": counts.members, "reachable": counts.reachable} if counts else None
        return f"{counts.reachable} of {counts.members} reachable" if counts else "—"

    async def go() -> None:
        try:
            rows = []
            listed = await _teams_and_platforms(services)
            async with services.sessions() as session:
                reaches = await reach(session, [team.id for team, _ in listed])
            for team, platform in listed:
                digest, nudges = _upcoming(team, services.now())
                sends = [
                    f"{s.kind} {s.period} {s.status}" + (f" ({s.error})" if s.error else "")
                    for s in await recent_sends(services, team.id)
                ]
                rows.append(
                    {
                        "team": _team_label(team),
                        "platform": platform,
                        "state": "active" if team.active else f"stopped: {team.disabled_reason}",
                        "next digest": shown(digest),
                        "next nudges": shown(nudges),
                        "last sends": sends if fmt is Format.json else "; ".join(sends) or "—",
                        "members": members(reaches.get(team.id)),
                    }
                )
            emit(out, list(rows[0]) if rows else [], rows, fmt, empty="No teams yet.")
        finally:
            await services.close()

    run(go())


from bot.orgs_cli import app as orgs_app  # noqa: E402  (after the core commands)

app.add_typer(orgs_app, name="orgs")

# --- platform adapter commands ---
from adapters.slack.cli import app as slack_app  # noqa: E402  (after the core commands)

app.add_typer(slack_app, name="slack")
from adapters.teams.cli import app as msteams_app  # noqa: E402  (after the core commands)

app.add_typer(msteams_app, name="msteams")


def main() -> None:
    """The ``waarom`` command: no traceback reaches the operator's terminal (``-v`` logs it)."""
    try:
        app()
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:
        logging.getLogger(__name__).debug("database error", exc_info=True)
        err.print(f"[red]The database cannot be reached: {type(exc.orig).__name__}.[/red]")
        sys.exit(2)
    except Exception as exc:
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        # A database error's text can quote the row (customer text): name the kind only.
        said = "" if isinstance(exc, SQLAlchemyError) else f": {str(exc)[:200]}"
        err.print(f"[red]Unexpected error: {type(exc).__name__}{said}[/red] (-v shows where)")
        sys.exit(1)

"""What the engine makes: ``demo``, ``digest``, ``ideas`` and ``prompts check``."""

from __future__ import annotations

import json
import sys
import zoneinfo
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    FORMAT_OPTION,
    app,
    err,
    out,
    pick_team,
    run,
    services_or_exit,
    settings_or_exit,
)
from bot.cli.output import Format, emit

prompts_app = typer.Typer(help="The prompt library.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@app.command()
def demo(
    chat: Annotated[
        bool, typer.Option("--chat/--no-chat", help="Open the console chat after the digest.")
    ] = True,
) -> None:
    """The tour: sample feedback, this week's digest, then chat in the terminal."""
    from adapters.console import ConsoleChat
    from adapters.console.render import render as render_text
    from bot import db
    from bot import demo as tour
    from bot.digest import render_digest

    settings = settings_or_exit()
    db.upgrade(settings.database_url)
    services = services_or_exit(settings)

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
    from adapters.console.render import render as render_text
    from bot.digest import Week, build_digest, render_digest

    if output not in ("text", "json"):
        err.print("[red]--format must be text or json[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    services = services_or_exit(settings)

    async def go() -> None:
        try:
            chosen = await pick_team(services, team)
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
    from sqlalchemy import select

    from bot.ideas import STATUSES, list_ideas, write_csv
    from bot.models import Member, Team

    if status is not None and status not in STATUSES:
        err.print(f"[red]--status must be one of {', '.join(STATUSES)}[/red]")
        raise typer.Exit(2)
    if csv_file is not None and not csv_file.parent.is_dir():
        err.print(f"[red]--csv: the folder {csv_file.parent} does not exist[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    services = services_or_exit(settings)

    async def go() -> None:
        try:
            async with services.sessions() as session:
                if team is not None:
                    team_ids = [(await pick_team(services, team)).id]
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


@prompts_app.command("check")
def prompts_check(
    path: Annotated[
        Path | None,
        typer.Argument(help="A prompts folder (default: the installed library)."),
    ] = None,
) -> None:
    """Validate the prompt library without starting anything."""
    from bot.prompts import PromptFileError, load_library

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

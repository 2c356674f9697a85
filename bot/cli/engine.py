"""What the engine makes: ``demo``, ``digest``, ``ideas`` and ``prompts check``."""

from __future__ import annotations

import json
import sys
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import FORMAT_OPTION, app, err, out, pick_team, settings_or_exit, with_services
from bot.cli.output import Format, emit

if TYPE_CHECKING:
    from bot.bootstrap import Services

prompts_app = typer.Typer(help="The prompt library.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@app.command()
def demo(
    chat: Annotated[
        bool, typer.Option("--chat/--no-chat", help="Open the console chat after the digest.")
    ] = True,
) -> None:
    """The tour: sample feedback, this week's digest, then chat in the terminal."""
    from bot.storage import db

    settings = settings_or_exit()
    db.upgrade(settings.database_url)
    with_services(lambda services: _tour(services, chat=chat), settings)


async def _tour(services: Services, *, chat: bool) -> None:
    from adapters.console import ConsoleChat
    from adapters.console.render import render as render_text
    from bot import demo as tour
    from bot.digest import render_digest

    report = await tour.load_sample(services)
    team = await tour.demo_team(services)
    week = await tour.latest_week(services, team)
    data = await tour.week_digest(services, team, week)
    t = services.catalog.translator(team.language)
    text, _ = render_text(render_digest(data, t))
    err.print(
        f"[dim]sample feedback: {report.imported} new, {report.duplicates} already there "
        f"· database {services.settings.database_url}[/dim]"
    )
    print(text)
    if chat:
        await ConsoleChat(services, sys.stdin, sys.stdout, team=team.external_id).run()


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
    with_services(
        lambda services: _digest(services, team, week, output), refuse=(LookupError, ValueError)
    )


async def _digest(services: Services, team: str | None, week: str | None, output: str) -> None:
    from adapters.console.render import render as render_text
    from bot.digest import build_digest, render_digest
    from bot.week import Week

    chosen = await pick_team(services, team)
    zone = zoneinfo.ZoneInfo(chosen.timezone)
    target = Week.parse(week) if week else Week.to_send(services.now(), zone)
    async with services.sessions() as session:
        data = await build_digest(session, chosen, target, services.library)
    if output == "json":
        print(json.dumps(data.to_json(), ensure_ascii=False, indent=2))
    else:
        t = services.catalog.translator(chosen.language)
        print(render_text(render_digest(data, t))[0])


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
    from bot.engine.ideas import STATUSES

    if status is not None and status not in STATUSES:
        err.print(f"[red]--status must be one of {', '.join(STATUSES)}[/red]")
        raise typer.Exit(2)
    if csv_file is not None and not csv_file.parent.is_dir():
        err.print(f"[red]--csv: the folder {csv_file.parent} does not exist[/red]")
        raise typer.Exit(2)
    rows = with_services(lambda services: _idea_rows(services, team, status), refuse=(LookupError,))
    if csv_file is None:
        columns = ["id", "team", "status", "how", "why", "author", "owner", "votes"]
        emit(out, columns, rows, fmt, empty="No ideas yet.")
        return
    from bot.engine.ideas import write_csv

    try:
        with csv_file.open("w", newline="", encoding="utf-8") as stream:
            write_csv(rows, stream)
    except OSError as exc:
        err.print(f"[red]--csv: cannot write {csv_file}: {exc.strerror}[/red]")
        raise typer.Exit(2) from None
    out.print(f"Wrote {len(rows)} ideas to {csv_file}.")


async def _idea_rows(
    services: Services, team: str | None, status: str | None
) -> list[dict[str, object]]:
    from bot.engine.idea_rows import idea_rows

    team_ids = None if team is None else [(await pick_team(services, team)).id]
    async with services.sessions() as session:
        return await idea_rows(session, team_ids, status)


@prompts_app.command("check")
def prompts_check(
    path: Annotated[
        Path | None,
        typer.Argument(help="A prompts folder (default: the installed library)."),
    ] = None,
) -> None:
    """Validate the prompt library without starting anything."""
    from bot.engine.prompts import PromptFileError, load_library

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

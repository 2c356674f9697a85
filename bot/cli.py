"""The ``waarom`` command line.

Each command builds the services through :mod:`bot.bootstrap` and enters asyncio with
``asyncio.run``; this module only parses options and prints results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from bot import bootstrap, db
from bot.config import Settings, SettingsError, load_settings
from bot.directory import UnknownOrganisation, organisation
from bot.importer import UnreadableFile, import_file
from bot.intake import FieldMap

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

out = Console()
err = Console(stderr=True)


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
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


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


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV or JSON Lines files.")],
    text: Annotated[str, typer.Option("--text", help="Column/key with the customer's words.")],
    received_at: Annotated[str | None, typer.Option("--received-at", help="Column with the date.")] = None,
    score: Annotated[str | None, typer.Option(help="Column with the score (0–10).")] = None,
    segment: Annotated[str | None, typer.Option(help="Column with the customer segment.")] = None,
    step: Annotated[str | None, typer.Option(help="Column with the journey step.")] = None,
    external_id: Annotated[str | None, typer.Option("--external-id", help="Column with a unique id (dedupe).")] = None,
    source: Annotated[str | None, typer.Option(help="Source name to store (default: the file name).")] = None,
    org: Annotated[str, typer.Option(help="Organisation the feedback belongs to.")] = "default",
    delimiter: Annotated[str, typer.Option(help="CSV delimiter; \\t for tabs.")] = ",",
    encoding: Annotated[str, typer.Option(help="File encoding.")] = "utf-8-sig",
    file_format: Annotated[str | None, typer.Option("--format", help="csv or jsonl (default: from the extension).")] = None,
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
        text=text, received_at=received_at, score=score, segment=segment, step=step,
        external_id=external_id, source=None,
    )
    services = _services(settings)
    totals = {"imported": 0, "duplicates": 0, "rejected": 0}

    async def go() -> None:
        try:
            async with services.sessions() as session, session.begin():
                org_id = (await organisation(session, org)).id
            for path in files:
                with Progress(
                    "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                    TimeRemainingColumn(), console=err, transient=True,
                ) as bar:
                    task = bar.add_task(path.name, total=path.stat().st_size)
                    report = await import_file(
                        services.sessions, org_id, path, fields, zone=services.zone,
                        source=source, delimiter=delimiter, encoding=encoding,
                        file_format=file_format,
                        on_progress=lambda done, total: bar.update(task, completed=done, total=total),
                    )
                for line, reason in report.rejected:
                    err.print(f"{path.name}:{line}: {reason}", markup=False, highlight=False)
                if report.rejected_count > len(report.rejected):
                    err.print(f"{path.name}: … and {report.rejected_count - len(report.rejected)} more rejected rows")
                out.print(
                    f"{path.name}: imported {report.imported}, duplicates {report.duplicates}, "
                    f"rejected {report.rejected_count}"
                )
                totals["imported"] += report.imported
                totals["duplicates"] += report.duplicates
                totals["rejected"] += report.rejected_count
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
    # Exit non-zero only when nothing at all could be read: a few bad rows are reported,
    # not fatal.
    if totals["imported"] + totals["duplicates"] == 0 and totals["rejected"] > 0:
        raise typer.Exit(1)


def main() -> None:
    app()

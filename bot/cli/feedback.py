"""Customer feedback in and out: ``import``, ``forget`` and ``retention``."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bot.cli.common import app, err, out, settings_or_exit, with_services

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from bot.bootstrap import Services
    from bot.intake.importer import ImportReport
    from bot.intake.normalise import FieldMap
    from bot.intake.privacy import Customer


def advance(bar: Progress, task: TaskID, done: int, total: int) -> None:
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
    from bot.intake.importer import UnreadableFile
    from bot.intake.normalise import FieldMap
    from bot.storage.directory import UnknownOrganisation

    settings = settings_or_exit()
    delimiter = _checked_format(delimiter, file_format)
    fields = FieldMap(
        text=text,
        received_at=received_at,
        score=score,
        segment=segment,
        step=step,
        external_id=external_id,
        source=None,
    )
    options = _ImportOptions(org, fields, source, delimiter, encoding, file_format)
    reports = with_services(
        lambda services: _import_files(services, files, options),
        settings,
        refuse=(UnreadableFile, UnknownOrganisation),
    )
    _say_total(reports)
    _exit_for(reports)


def _checked_format(delimiter: str, file_format: str | None) -> str:
    """The delimiter as one character (``\\t`` or ``tab`` for a tab); exit 2 when it or
    the format is not one the importer reads."""
    delimiter = "\t" if delimiter in {"\\t", "tab"} else delimiter
    if len(delimiter) != 1:
        err.print("[red]--delimiter must be one character[/red]")
        raise typer.Exit(2)
    if file_format not in (None, "csv", "jsonl"):
        err.print("[red]--format must be csv or jsonl[/red]")
        raise typer.Exit(2)
    return delimiter


@dataclass(frozen=True)
class _ImportOptions:
    org: str
    fields: FieldMap
    source: str | None
    delimiter: str
    encoding: str
    file_format: str | None


async def _import_files(
    services: Services, files: list[Path], options: _ImportOptions
) -> list[ImportReport]:
    """Each file in turn, with a progress bar, its report said as it is done."""
    from bot.intake.importer import import_file
    from bot.storage.directory import organisation

    async with services.sessions() as session, session.begin():
        org_id = (await organisation(session, options.org)).id
    reports = []
    for path in files:
        with _progress() as bar:
            task = bar.add_task(path.name, total=path.stat().st_size)
            report = await import_file(
                services.sessions,
                org_id,
                path,
                options.fields,
                zone=services.zone,
                source=options.source,
                delimiter=options.delimiter,
                encoding=options.encoding,
                file_format=options.file_format,
                on_progress=partial(advance, bar, task),
            )
        _say_report(path.name, report, options.encoding)
        reports.append(report)
    return reports


def _exit_for(reports: list[ImportReport]) -> None:
    """A wrong encoding is a problem of the whole file (2). Otherwise exit non-zero only when
    nothing at all could be read (1), an empty file included: a few bad rows are reported,
    not fatal."""
    if any(r.undecodable for r in reports):
        raise typer.Exit(2)
    if not any(r.read for r in reports):
        raise typer.Exit(1)


def _say_total(reports: list[ImportReport]) -> None:
    if len(reports) > 1:
        out.print(
            f"Total: imported {sum(r.imported for r in reports)}, "
            f"duplicates {sum(r.duplicates for r in reports)}, "
            f"rejected {sum(r.rejected_count for r in reports)}"
        )


def _progress() -> Progress:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _say_report(name: str, report: ImportReport, encoding: str) -> None:
    for line, reason in report.rejected:
        err.print(f"{name}:{line}: {reason}", markup=False, highlight=False)
    if report.rejected_count > len(report.rejected):
        err.print(
            f"{name}: … and {report.rejected_count - len(report.rejected)} more rejected rows"
        )
    out.print(
        f"{name}: imported {report.imported}, duplicates {report.duplicates}, "
        f"rejected {report.rejected_count}"
    )
    if report.undecodable:
        err.print(
            f"[red]{name}: {report.undecodable} "
            + ("row is" if report.undecodable == 1 else "rows are")
            + f" not valid {encoding}: the file is "
            "probably in another encoding; import it again with --encoding cp1252 (or "
            "latin-1). Rows already imported are not added twice.[/red]"
        )
    elif report.read + report.rejected_count == 0:
        err.print(f"[yellow]{name}: no rows to import (the file has no rows)[/]")


@app.command()
def forget(
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="The feedback's id in its source.")
    ] = None,
    email: Annotated[str | None, typer.Option(help="An e-mail address in the text.")] = None,
    phone: Annotated[str | None, typer.Option(help="A phone number in the text.")] = None,
    source: Annotated[str | None, typer.Option(help="Everything from this source.")] = None,
    org: Annotated[
        str | None, typer.Option(help="Only this organisation (default: every one).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a customer's feedback everywhere it is kept (right to erasure)."""
    from bot.intake import privacy

    refused = (privacy.NotAKey,)
    try:
        who = privacy.customer(
            external_id=external_id, email=email, phone=phone, source=source, org=org
        )
    except refused as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(2) from None
    code = with_services(lambda services: _forget(services, who, yes=yes), refuse=refused)
    raise typer.Exit(code)


async def _forget(services: Services, who: Customer, *, yes: bool) -> int:
    """Show what matches, ask (unless ``yes``), remove; 1 when nothing was removed for want
    of a confirmation."""
    from bot.intake import privacy

    found = await privacy.forget(services.sessions, who, dry_run=True)
    if not found.feedback:
        out.print("Nothing stored matches; nothing removed.")
        return 0
    out.print("This removes:\n  " + "\n  ".join(found.lines()), highlight=False)
    if not yes and not sys.stdin.isatty():
        err.print("Nothing removed: confirm at a terminal, or add --yes.")
        return 1
    if not yes and not typer.confirm("Remove it for good?", default=False):
        out.print("Nothing removed.")
        return 1
    done = await privacy.forget(services.sessions, who)
    out.print("Removed:\n  " + "\n  ".join(done.lines()), highlight=False)
    if not done.settled:
        err.print(
            "SQLite's write-ahead log is still in use by another process; it "
            "is cleared when `waarom retention` runs with nothing else open."
        )
    return 0


@app.command()
def retention() -> None:
    """Remove the raw text of feedback older than WAAROM_RETENTION_DAYS now (the clock does
    it every few minutes); the redacted text and its words stay."""
    import datetime as dt

    from bot.intake import privacy

    settings = settings_or_exit()

    async def expire(services: Services) -> int:
        cutoff = services.now() - dt.timedelta(days=settings.waarom_retention_days)
        changed = await privacy.expire_raw_text(services.sessions, cutoff, batches=None)
        await privacy.settle(services.sessions)
        return changed

    changed = with_services(expire, settings)
    out.print(
        f"Raw text removed from {changed} feedback item(s) received more than "
        f"{settings.waarom_retention_days} days ago."
    )

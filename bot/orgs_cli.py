"""``waarom orgs``: which organisation each Slack workspace and Teams tenant belongs to."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot import bootstrap, db, orgs
from bot.config import SettingsError, load_settings
from bot.directory import DEFAULT_ORG

app = typer.Typer(
    help="Organisations: which workspaces and tenants read which customers' feedback.",
    invoke_without_command=True,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _services() -> bootstrap.Services:
    try:
        return bootstrap.build(load_settings())
    except (SettingsError, db.DatabaseNotMigrated) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.callback()
def listing(ctx: typer.Context) -> None:
    """List every installation with its organisation."""
    if ctx.invoked_subcommand is not None:
        return
    services = _services()

    async def go() -> list[orgs.Link]:
        try:
            async with services.sessions() as session:
                return await orgs.links(session)
        finally:
            await services.close()

    rows = asyncio.run(go())
    if not rows:
        out.print("No workspaces yet: they appear when the bot is installed or first used.")
        return
    table = Table("organisation", "platform", "workspace", "name", "teams", "active", box=None)
    for row in rows:
        table.add_row(
            row.org,
            row.platform,
            row.workspace_id,
            row.name,
            str(row.teams),
            "yes" if row.active else "no",
        )
    out.print(table)


@app.command("link")
def link(
    platform: Annotated[str, typer.Argument(help="slack or teams")],
    workspace: Annotated[str, typer.Argument(help="Slack team id (T…) or Teams tenant id")],
    org: Annotated[str, typer.Option(help="The organisation to join.")] = DEFAULT_ORG,
) -> None:
    """Put a workspace in an organisation (the operator's own: `default`), with its teams.

    Its teams then read that organisation's feedback. Feedback already stored stays in the
    organisation it was stored in."""
    if not org or len(org) > orgs.MAX_SLUG or not org.isprintable():
        err.print(f"[red]--org: not an organisation name (at most {orgs.MAX_SLUG} characters)")
        raise typer.Exit(2)
    services = _services()

    async def go() -> int:
        try:
            async with services.sessions() as session, session.begin():
                return await orgs.link(session, platform.lower(), workspace, org)
        finally:
            await services.close()

    moved = asyncio.run(go())
    out.print(f"{platform.lower()} {workspace} now belongs to {org} ({moved} teams moved).")

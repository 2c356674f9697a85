"""``waarom orgs``: which organisation each Slack workspace and Teams tenant belongs to."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import app as main_app
from bot.cli.common import err, out, run, services_or_exit, settings_or_exit

app = typer.Typer(
    help="Organisations: which workspaces and tenants read which customers' feedback.",
    invoke_without_command=True,
)
main_app.add_typer(app, name="orgs")


@app.callback()
def listing(ctx: typer.Context) -> None:
    """List every installation with its organisation."""
    if ctx.invoked_subcommand is not None:
        return
    from bot import orgs

    services = services_or_exit(settings_or_exit())

    async def go() -> list[orgs.Link]:
        try:
            async with services.sessions() as session:
                return await orgs.links(session)
        finally:
            await services.close()

    rows = run(go())
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
    org: Annotated[
        str | None, typer.Option(help="The organisation to join (default: `default`).")
    ] = None,
) -> None:
    """Put a workspace in an organisation (the operator's own: `default`), with its teams.

    Its teams then read that organisation's feedback. Feedback already stored stays in the
    organisation it was stored in."""
    from bot import orgs
    from bot.directory import DEFAULT_ORG

    org = DEFAULT_ORG if org is None else org
    if not org or len(org) > orgs.MAX_SLUG or not org.isprintable():
        err.print(f"[red]--org: not an organisation name (at most {orgs.MAX_SLUG} characters)")
        raise typer.Exit(2)
    services = services_or_exit(settings_or_exit())

    async def go() -> int:
        try:
            async with services.sessions() as session, session.begin():
                return await orgs.link(session, platform.lower(), workspace, org)
        finally:
            await services.close()

    moved = run(go())
    out.print(f"{platform.lower()} {workspace} now belongs to {org} ({moved} teams moved).")

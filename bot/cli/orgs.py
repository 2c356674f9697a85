"""``waarom orgs``: which organisation each workspace (a platform's install) belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bot.cli.common import app as main_app
from bot.cli.common import err, out, with_services
from bot.registry import names

if TYPE_CHECKING:
    from bot.bootstrap import Services

app = typer.Typer(
    help="Organisations: which workspaces read which customers' feedback.",
    invoke_without_command=True,
)
main_app.add_typer(app, name="orgs")


@app.callback()
def listing(ctx: typer.Context) -> None:
    """List every installation with its organisation."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.storage import orgs

    async def links(services: Services) -> list[orgs.Link]:
        async with services.sessions() as session:
            return await orgs.links(session)

    rows = with_services(links)
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
    platform: Annotated[str, typer.Argument(help="The platform: " + ", ".join(names()))],
    workspace: Annotated[
        str, typer.Argument(help="The workspace's id on its platform, as `waarom orgs` lists it")
    ],
    org: Annotated[
        str | None, typer.Option(help="The organisation to join (default: `default`).")
    ] = None,
) -> None:
    """Put a workspace in an organisation (the operator's own: `default`), with its teams.

    Its teams then read that organisation's feedback. Feedback already stored stays in the
    organisation it was stored in."""
    from bot.storage import orgs
    from bot.storage.directory import DEFAULT_ORG

    chosen = DEFAULT_ORG if org is None else org
    if not chosen or len(chosen) > orgs.MAX_SLUG or not chosen.isprintable():
        err.print(f"[red]--org: not an organisation name (at most {orgs.MAX_SLUG} characters)")
        raise typer.Exit(2)

    async def move(services: Services) -> int:
        async with services.sessions() as session, session.begin():
            return await orgs.link(session, platform.lower(), workspace, chosen)

    moved = with_services(move)
    out.print(f"{platform.lower()} {workspace} now belongs to {chosen} ({moved} teams moved).")

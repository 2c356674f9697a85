"""What every command shares: the app, the two consoles, settings and the services'
lifecycle (:func:`with_services`), and finding a team. Only light modules are imported here,
so ``waarom --help`` starts at once; a command imports what it needs when it runs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.config import Settings
    from bot.storage.models import Team

T = TypeVar("T")

app = typer.Typer(
    name="waarom",
    help="Waarom: real customer quotes every week, a waarom and a zo, and ideas tracked to done.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
# Not wrapped at 80 columns when piped: a message is one line for whoever reads the output.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
FORMAT_OPTION = typer.Option(
    "--format", help="table (whole values when piped: tab-separated) or json."
)


def settings_or_exit() -> Settings:
    from bot import registry
    from bot.config import SettingsError, load_settings

    try:
        settings = load_settings()
        registry.check(settings)
        return settings
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def services_or_exit(settings: Settings) -> Services:
    from bot import bootstrap
    from bot.storage import db

    try:
        return bootstrap.build(settings)
    except db.DatabaseNotMigrated as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def with_services(
    work: Callable[[Services], Awaitable[T]],
    settings: Settings | None = None,
    *,
    refuse: tuple[type[Exception], ...] = (),
) -> T:
    """A command's one services lifecycle: build them (exit 2 on a bad setting or an
    unmigrated database), run ``work`` with them, close them. An error of a kind in
    ``refuse`` is the operator's to fix: printed as one red line, exit 2."""
    from rich.markup import escape

    services = services_or_exit(settings or settings_or_exit())

    async def go() -> T:
        try:
            return await work(services)
        finally:
            await services.close()

    try:
        return run(go())
    except refuse as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(2) from None


async def channel_teams(services: Services) -> list[tuple[Team, str]]:
    """Every channel team (not 1:1 chats) with its platform, by id."""
    from sqlalchemy import select

    from bot.storage.models import Installation, Team

    async with services.sessions() as session:
        rows = await session.execute(
            select(Team, Installation.platform)
            .join(Installation, Installation.id == Team.installation_id)
            .where(Team.direct.is_(False))
            .order_by(Team.id)
        )
        return [(row.Team, row.platform) for row in rows]


def team_label(team: Team) -> str:
    return f"{team.id} ({team.name or team.external_id})"


async def pick_team(services: Services, wanted: str | None) -> Team:
    from sqlalchemy import select

    from bot.storage.models import Team

    async with services.sessions() as session:
        teams = (
            await session.scalars(select(Team).where(Team.direct.is_(False)).order_by(Team.id))
        ).all()
    if wanted is not None:
        for team in teams:
            if wanted in {str(team.id), team.name, team.external_id}:
                return team
        raise LookupError(
            f"no team {wanted!r}; teams: {', '.join(map(team_label, teams)) or 'none'}"
        )
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise LookupError("no teams yet: add the bot to a channel, or run `waarom demo`")
    raise LookupError(f"several teams; choose one with --team: {', '.join(map(team_label, teams))}")

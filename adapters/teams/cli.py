"""``waarom msteams …``: Teams-specific commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Microsoft Teams: the app package to upload.", no_args_is_help=True)


@app.command("package")
def package(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the zip.")] = Path(
        "waarom-teams.zip"
    ),
    app_id: Annotated[
        str | None,
        typer.Option("--app-id", help="The bot's Microsoft app id (default: MICROSOFT_APP_ID)."),
    ] = None,
    website: Annotated[
        str,
        typer.Option(help="https:// URL for the developer, privacy (/privacy), terms (/terms)."),
    ] = "https://github.com/waarom",
    developer: Annotated[str, typer.Option(help="Developer name shown in Teams.")] = "Waarom",
) -> None:
    """Build the Teams app zip (manifest with the app id filled in, and the icons)."""
    # Loaded here, not with the module: `waarom --help` must not wait for the Bot Framework.
    from adapters.teams.package import PackageError, build
    from adapters.teams.settings import TeamsSettings
    from bot.config import SettingsError, load_settings

    if app_id is None:
        try:
            app_id = load_settings().part(TeamsSettings).app_id
        except SettingsError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    if not app_id:
        typer.echo("Set MICROSOFT_APP_ID (or pass --app-id): the package names the bot.", err=True)
        raise typer.Exit(2)
    try:
        path = build(app_id, output, base_url=website, developer=developer)
    except PackageError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app).")

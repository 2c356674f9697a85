"""``waarom db``: the database migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import app, out, settings_or_exit

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations (run on every release)."""
    from bot.storage import db

    settings = settings_or_exit()
    db.upgrade(settings.database_url, revision)
    out.print(f"Database at revision {db.current_revision(settings.database_url)}.")


@db_app.command("revision", hidden=True)
def db_revision(message: Annotated[str, typer.Argument()]) -> None:
    """For developers: generate a migration from the models (check it by hand)."""
    from alembic import command

    from bot.storage import db

    settings = settings_or_exit()
    command.revision(db.alembic_config(settings.database_url), message=message, autogenerate=True)

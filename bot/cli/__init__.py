"""The ``waarom`` command line.

Each command builds the services through :mod:`bot.bootstrap` and enters asyncio with
``asyncio.run``; these modules only parse options, call the core and print results. They are
grouped by what they act on (:mod:`.feedback`, :mod:`.engine`, :mod:`.teams`,
:mod:`.processes`, :mod:`.orgs`, :mod:`.database`); each platform adds its own command
group (:func:`bot.registry.commands`). Heavy libraries (scikit-learn, the chat SDKs) are
imported inside the commands that use them, so ``waarom --help`` starts at once.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from bot import logs, registry
from bot.cli import database, engine, feedback, orgs, processes, teams  # noqa: F401  (commands)
from bot.cli.common import app, err
from bot.config import SettingsError

__all__ = ["app", "main"]


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logs.configure(verbose=verbose)


# After the core commands, in the order of the registry.
for _name, _commands in registry.commands():
    app.add_typer(_commands, name=_name)


def main() -> None:
    """The ``waarom`` command: no traceback reaches the operator's terminal (``-v`` logs it)."""
    try:
        app()
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(2)
    except Exception as exc:
        # sqlalchemy is loaded by then if the error is one of its own.
        database = sys.modules.get("sqlalchemy.exc")
        if database and isinstance(exc, database.OperationalError | database.InterfaceError):
            logging.getLogger(__name__).debug("database error", exc_info=True)
            err.print(f"[red]The database cannot be reached: {type(exc.orig).__name__}.[/red]")
            sys.exit(2)
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        # A database error's text can quote the row (customer text): name the kind only.
        said = "" if database and isinstance(exc, database.SQLAlchemyError) else f": {exc}"
        err.print(f"[red]Unexpected error: {type(exc).__name__}{said[:200]}[/red] (-v shows where)")
        sys.exit(1)

"""``waarom slack …``: Slack commands for operators and developers."""

from __future__ import annotations

import asyncio
import logging

import typer

log = logging.getLogger(__name__)

app = typer.Typer(help="Slack: run in Socket Mode for development.", no_args_is_help=True)


@app.command("socket")
def socket() -> None:
    """Connect to Slack over Socket Mode (SLACK_APP_TOKEN): no public URL needed."""
    # Loaded here, not with the module: `waarom --help` must not wait for the Slack SDK.
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from adapters.slack.app import SHUTDOWN_GRACE, build, share_connections
    from adapters.slack.settings import SlackSettings
    from bot import bootstrap
    from bot.config import SettingsError, load_settings
    from bot.storage import db

    try:
        settings = load_settings()
        token = settings.part(SlackSettings).app_token
        if token is None:
            raise SettingsError("SLACK_APP_TOKEN: required for Socket Mode (an xapp- token)")
        services = bootstrap.build(settings)
    except (SettingsError, db.DatabaseNotMigrated) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    app_token = token.get_secret_value()

    async def run() -> None:
        try:
            slack = build(services, socket=True)
            handler = AsyncSocketModeHandler(slack.bolt, app_token)
            connections = await share_connections(slack)
            typer.echo("Connected to Slack over Socket Mode; Ctrl-C stops.")
            try:
                await handler.start_async()  # type: ignore[no-untyped-call]
            finally:
                await slack.background.drain(SHUTDOWN_GRACE)
                await connections.close()
        finally:
            await services.close()

    try:
        asyncio.run(run())
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass

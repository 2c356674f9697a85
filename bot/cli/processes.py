"""The long-running processes: ``serve`` and ``clock``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bot import logs
from bot.cli.common import app, out, run, services_or_exit, settings_or_exit

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.delivery import Deliveries


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or 3000).")] = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: $WAAROM_HOST or 0.0.0.0).")
    ] = None,
) -> None:
    """Run the web process: Slack, Teams, the feedback webhook and /healthz."""
    from bot.web import serve as serve_http

    settings = settings_or_exit()
    if host:
        settings = settings.model_copy(update={"waarom_host": host})
    services = services_or_exit(settings)
    logs.service()
    # A platform's settings that only make sense together are checked as the app is built;
    # main() prints such a SettingsError as one line.
    serve_http(services, host=settings.waarom_host, port=port or settings.port)


def _deliveries(services: Services, *, console: bool) -> Deliveries:
    """One delivery per platform that can send with these settings."""
    import adapters.slack.app as slack_adapter
    from adapters.console.delivery import ConsoleDelivery
    from adapters.slack.delivery import SlackDelivery
    from adapters.teams import build as build_teams
    from adapters.teams.delivery import TeamsDelivery
    from bot.delivery import Deliveries, Delivery

    by_platform: dict[str, Delivery] = {}
    reason = slack_adapter.configured(services.settings, socket=True)
    if reason is None:
        by_platform["slack"] = SlackDelivery(
            slack_adapter.build(services, socket=True).sender,
            per_second=services.settings.waarom_slack_rate,
        )
    else:
        logging.getLogger(__name__).info("Slack not sending: %s", reason)
    by_platform["teams"] = TeamsDelivery(build_teams(services).sender)
    if console:
        by_platform["console"] = ConsoleDelivery(sys.stdout)
    return Deliveries(by_platform)


@app.command()
def clock(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
    at: Annotated[
        str | None,
        typer.Option(help="With --once: act as if it were this ISO time (UTC if no offset)."),
    ] = None,
    grace: Annotated[float, typer.Option(help="Hours within which a missed send is made up.")] = 6,
    lease: Annotated[
        float,
        typer.Option(
            help="Seconds after which an unconfirmed send of a stopped process is checked."
        ),
    ] = 600,
    console: Annotated[bool, typer.Option(help="Also 'send' to console teams (printed).")] = False,
) -> None:
    """Run the clock process: weekly digests, nudges and reminders, each sent once."""
    import os
    import signal
    import socket

    from bot.clock import Clock, ClockConfig
    from bot.scheduler import ClockProcess

    settings = settings_or_exit()
    services = services_or_exit(settings)
    logs.service()
    if at is not None:
        moment = dt.datetime.fromisoformat(at)
        fixed = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        services.now = lambda: fixed
    config = ClockConfig(grace=dt.timedelta(hours=grace), lease=dt.timedelta(seconds=lease))
    worker = f"{socket.gethostname()}:{os.getpid()}"

    async def go() -> None:
        deliveries: Deliveries | None = None
        try:
            deliveries = _deliveries(services, console=console)
            engine = Clock(services, deliveries, config, worker=worker)
            if once:
                report = await engine.start_up()
                kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.by_kind.items()))
                out.print(
                    f"sent {report.sent} ({kinds or 'nothing due'}), "
                    f"failed {report.failed}, expired {report.expired}"
                )
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await ClockProcess(engine).run(stop)
        finally:
            if deliveries is not None:
                await deliveries.close()
            await services.close()

    run(go())

"""The long-running processes: ``serve`` and ``clock``."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bot import logs
from bot.cli.common import app, out, services_or_exit, settings_or_exit, with_services

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.clock import Clock, ClockConfig, TickReport
    from bot.clock.delivery import Delivery


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or 3000).")] = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: $WAAROM_HOST or 0.0.0.0).")
    ] = None,
) -> None:
    """Run the web process: every configured platform, the feedback webhook and /healthz."""
    from bot.web import serve as serve_http

    settings = settings_or_exit()
    if host:
        settings = settings.model_copy(update={"waarom_host": host})
    # Not with_services: the server runs its own loop and closes the services on its way down.
    services = services_or_exit(settings)
    logs.service()
    # A platform's settings that only make sense together are checked as the app is built;
    # main() prints such a SettingsError as one line.
    serve_http(services, host=settings.waarom_host, port=port or settings.port)


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
    from bot.clock import ClockConfig

    settings = settings_or_exit()
    logs.service()
    config = ClockConfig(grace=dt.timedelta(hours=grace), lease=dt.timedelta(seconds=lease))
    with_services(lambda services: _run_clock(services, config, at, once, console), settings)


async def _run_clock(
    services: Services, config: ClockConfig, at: str | None, once: bool, console: bool
) -> None:
    """The clock with a delivery per platform, once (``--once``) or until a signal."""
    import os
    import socket

    from bot import registry
    from bot.clock import Clock

    if at is not None:
        moment = dt.datetime.fromisoformat(at)
        fixed = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        services.now = lambda: fixed
    deliveries = registry.deliveries(services, also=_printed() if console else None)
    try:
        engine = Clock(services, deliveries, config, worker=f"{socket.gethostname()}:{os.getpid()}")
        if once:
            _say(await engine.start_up())
        else:
            await _until_stopped(engine)
    finally:
        await deliveries.close()


def _printed() -> dict[str, Delivery]:
    """The console's delivery: scheduled messages printed, for trying the clock out."""
    from adapters.console.delivery import ConsoleDelivery
    from adapters.console.platform import adapter as console

    return {console.name: ConsoleDelivery(sys.stdout)}


def _say(report: TickReport) -> None:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.by_kind.items()))
    out.print(
        f"sent {report.sent} ({kinds or 'nothing due'}), "
        f"failed {report.failed}, expired {report.expired}"
    )


async def _until_stopped(engine: Clock) -> None:
    import signal

    from bot.clock.scheduler import ClockProcess

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await ClockProcess(engine).run(stop)

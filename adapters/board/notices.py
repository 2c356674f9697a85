"""Author notices from the board: a direct message on the author's own platform, sent with
the delivery of the chat adapter ``waarom serve`` mounted for it (console: printed)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from sqlalchemy import select

from bot.bootstrap import Services
from bot.delivery import DeliveryFailure, MemberTarget
from bot.messages import Notify
from bot.models import Installation, Member

log = logging.getLogger(__name__)

Notifier = Callable[[Sequence[Notify]], Awaitable[None]]


def _delivery(app: web.Application, platform: str) -> object | None:
    # Imported when a notice goes out: the board itself needs neither chat SDK.
    if platform == "slack":
        from adapters.slack.app import SLACK
        from adapters.slack.delivery import SlackDelivery

        slack = app.get(SLACK)
        return SlackDelivery(slack.sender) if slack is not None else None
    if platform == "teams":
        from adapters.teams.app import TEAMS
        from adapters.teams.delivery import TeamsDelivery

        teams = app.get(TEAMS)
        return TeamsDelivery(teams.sender) if teams is not None else None
    if platform == "console":
        from adapters.console.delivery import ConsoleDelivery

        return ConsoleDelivery(sys.stdout)
    return None


def notifier(app: web.Application, services: Services) -> Notifier:
    async def send(notices: Sequence[Notify]) -> None:
        for notice in notices:
            async with services.sessions() as session:
                row = (
                    await session.execute(
                        select(Member, Installation)
                        .join(Installation, Installation.id == Member.installation_id)
                        .where(Member.id == notice.member_id)
                    )
                ).first()
            if row is None:
                continue
            member, inst = row
            delivery = _delivery(app, inst.platform)
            if delivery is None:
                log.warning("board: no %s delivery for an author notice", inst.platform)
                continue
            target = MemberTarget(
                inst.platform, inst.external_id, member.id, member.external_id, member.address
            )
            try:
                await delivery.to_member(target, notice.message, "board")  # type: ignore[attr-defined]
            except DeliveryFailure as exc:
                log.warning("board: author notice not delivered: %s", exc)

    return send

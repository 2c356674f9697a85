"""Author notices from the board: a direct message on the author's own platform.

The core has already found where each notice goes (:class:`bot.messages.Notify` carries its
target); the board hands it to that platform's delivery, as the clock does, and so needs to
know no platform itself."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot import registry
from bot.bootstrap import Services
from bot.clock.delivery import Deliveries, DeliveryFailure
from bot.messages import Notify

log = logging.getLogger(__name__)

Notifier = Callable[[Sequence[Notify]], Awaitable[None]]


def notifier(services: Services) -> Notifier:
    found: list[Deliveries] = []

    async def send(notices: Sequence[Notify]) -> None:
        if not found:  # built on the first notice: a board that is only read needs none
            found.append(registry.deliveries(services))
        deliveries = found[0]
        for notice in notices:
            if notice.target.platform not in deliveries.platforms:
                log.warning("board: no %s delivery for an author notice", notice.target.platform)
                continue
            try:
                await deliveries.for_platform(notice.target.platform).to_member(
                    notice.target, notice.message, "board"
                )
            except DeliveryFailure as exc:
                log.warning("board: author notice not delivered: %s", exc)

    return send

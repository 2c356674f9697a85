"""The outbound port: how the clock reaches a team or a member without an inbound event.

Each platform adapter provides a :class:`Delivery`; the composition root hands the clock a
:class:`Deliveries` that picks one by platform. Failures are classified by the adapter:
:class:`TransientFailure` is retried with backoff, :class:`PermanentFailure` (channel archived,
bot removed, token revoked) disables the team and stops further sends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.messages import Message

log = logging.getLogger(__name__)


class DeliveryFailure(Exception):
    """A message could not be delivered; ``str()`` says why, in the platform's words."""


class TransientFailure(DeliveryFailure):
    """Worth trying again later: rate limits, 5xx, timeouts."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(DeliveryFailure):
    """Trying again will not help until someone acts: archived, removed, revoked."""


@dataclass(frozen=True, slots=True)
class TeamTarget:
    platform: str
    workspace_id: str
    conversation_id: str
    address: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class MemberTarget:
    platform: str
    workspace_id: str
    member_id: int
    user_id: str
    address: Mapping[str, Any] | None


class Delivery(Protocol):
    """``marker`` identifies the send; a platform that can attach it to the message (Slack's
    message metadata) can later say whether a send whose outcome was lost did arrive."""

    async def to_team(self, target: TeamTarget, message: Message, marker: str) -> dict[str, Any]:
        """Post to the team's conversation; returns where it landed (to update it later)."""
        ...

    async def to_member(
        self, target: MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        """Direct message to one member."""
        ...

    async def delivered(
        self, target: TeamTarget | MemberTarget, marker: str, since: datetime
    ) -> bool | None:
        """Whether a message with ``marker`` arrived after ``since``; None: cannot tell."""
        ...


class Deliveries:
    """Delivery by platform; a platform without one is reported, not silently skipped."""

    def __init__(self, by_platform: Mapping[str, Delivery]) -> None:
        self._by_platform = dict(by_platform)

    @property
    def platforms(self) -> list[str]:
        return sorted(self._by_platform)

    async def close(self) -> None:
        """Let go of what a delivery keeps open between sends (HTTP connections)."""
        # Closing is optional for a delivery (most keep nothing open); one that fails to close
        # must not keep the others open.
        for platform, delivery in self._by_platform.items():
            close = getattr(delivery, "close", None)
            if close is None:
                continue
            try:
                await close()
            except Exception:
                log.exception("%s delivery: could not close its connections", platform)

    def for_platform(self, platform: str) -> Delivery:
        try:
            return self._by_platform[platform]
        except KeyError:
            raise PermanentFailure(f"no delivery configured for {platform}") from None

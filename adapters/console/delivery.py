"""The clock's way out in the console: scheduled messages are printed, for trying the clock
without a chat workspace (``waarom clock --once`` after ``waarom demo``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TextIO

from adapters.console.render import render
from bot.clock.delivery import MemberTarget, TeamTarget
from bot.messages import Message


class ConsoleDelivery:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    async def to_team(self, target: TeamTarget, message: Message, marker: str) -> dict[str, Any]:
        return self._print(f"── to team {target.conversation_id} ──", message)

    async def to_member(
        self, target: MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        return self._print(f"── to {target.user_id} ──", message)

    async def delivered(
        self, target: TeamTarget | MemberTarget, marker: str, since: datetime
    ) -> bool | None:
        return None  # printed output keeps no record

    def _print(self, header: str, message: Message) -> dict[str, Any]:
        self.count += 1
        self.out.write(f"\n{header}\n{render(message)[0]}\n")
        self.out.flush()
        return {"console": self.count}

"""What the contract cases ask of a platform: say a line, press a button, submit a form, each
as one named member, and read back what that member was shown, as plain text.

Each platform's driver goes through its real adapter: the console in-process, Slack and
Teams over real HTTP against their loopback fakes. A driver remembers what each member was
last shown (a message's buttons, an opened form), so a case names a button by its label and
whose screen it is on, as a person would.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.bootstrap import Services

# The people in every case: two members of one team, neither of them a lead.
ANNA = "anna"
BOB = "bob"


class Driver(Protocol):
    platform: str
    services: Services

    async def say(self, text: str, *, member: str = ANNA) -> str:
        """``member`` types ``text`` as a command; the replies they were shown."""

    async def press(self, label: str, *, member: str = ANNA, on: str | None = None) -> str:
        """``member`` presses the button ``label`` on the last message with buttons shown to
        ``on`` (by default to ``member``); the replies ``member`` was shown."""

    async def submit(self, values: dict[str, str], *, member: str = ANNA) -> str:
        """``member`` submits the form last opened for them, filled with ``values``
        (again, if it was submitted before); the replies they were shown."""


def shown_texts(payload: Any) -> list[str]:
    """Every text in a Slack payload or Adaptive Card: the values of its ``text`` keys,
    and the titles of buttons."""
    if isinstance(payload, dict):
        own = [v for k, v in payload.items() if k in {"text", "title"} and isinstance(v, str)]
        return own + [text for value in payload.values() for text in shown_texts(value)]
    if isinstance(payload, list):
        return [text for item in payload for text in shown_texts(item)]
    return []

"""A chat command as typed, split into its word, its arguments and the text after the word.

People write ``ideas``, ``waarom ideas``, ``/waarom ideas`` (Slack passes the slash command's
name along when the text is typed as a message) or ``@Waarom ideas`` (a real mention is
removed by the adapter; a typed ``@waarom`` is dropped here). The bot's own name is dropped
once, before anything else, so ``/waarom feedback the export is slow`` stores "the export is
slow".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.ideas import STATUSES
from bot.i18n import Translator

# The bot's name typed in front, and what people put after it ("Waarom: ideas"; where the
# platform removed a real mention, only the ": " is left).
_BOT_NAME = re.compile(r"^(?:[/@]?waarom\b)?[\s:,]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Typed:
    word: str  # the command word in lower case; "" when nothing was typed
    args: tuple[str, ...]  # the words after it
    rest: str  # the text after the command word, as typed

    @property
    def first(self) -> str:
        return self.args[0] if self.args else ""


def parse(text: str) -> Typed:
    body = _BOT_NAME.sub("", text.strip(), count=1).strip()
    if not body:
        return Typed("", (), "")
    parts = body.split(None, 1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    return Typed(parts[0].lower(), tuple(rest.split()), rest)


def status_named(word: str, t: Translator) -> str | None:
    """The idea status a person named, in English or the team's language (``gedaan``)."""
    wanted = word.strip().lower()
    for status in STATUSES:
        if wanted in (status, t(f"status.{status}").lower()):
            return status
    return None


def status_names(t: Translator) -> str:
    """The statuses as the team reads them, for usage and error texts."""
    return ", ".join(t(f"status.{status}") for status in STATUSES)

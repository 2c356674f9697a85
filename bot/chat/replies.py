"""The few shapes of answer every handler gives: a private line, a refusal."""

from __future__ import annotations

from bot.chat import views
from bot.i18n import Translator
from bot.messages import Message, Outcome, Say


def private(message: Message) -> Say:
    return Say(message, private=True)


def told(t: Translator, key: str, **values: object) -> Say:
    """One line only the actor sees, in the language of ``t``."""
    return private(views.text_message(t(key, **values)))


def refused(t: Translator) -> list[Outcome]:
    return [told(t, "lead.only")]

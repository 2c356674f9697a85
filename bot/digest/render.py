"""The digest as a neutral message in the reader's language: its sections, top to bottom."""

from __future__ import annotations

from bot.digest.data import DigestData
from bot.digest.sections import SECTIONS
from bot.i18n import Translator
from bot.messages import Message


def render_digest(data: DigestData, t: Translator) -> Message:
    parts = tuple(part for section in SECTIONS for part in section.render(data, t))
    return Message(parts, t("digest.summary", week=data.week, count=data.count))

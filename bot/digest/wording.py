"""How the digest writes things for its reader: numbers the reader's way (Babel: "6,5" in
Dutch), the week's days, plurals, journey steps and who said a quote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_interval
from babel.numbers import format_decimal, format_percent

from bot.i18n import Translator
from bot.intake.markers import shown


def number(t: Translator, value: float, digits: int = 1, signed: bool = False) -> str:
    pattern = ("+" if signed and value > 0 else "") + "#,##0." + "0" * digits if digits else "0"
    return format_decimal(value, format=pattern if digits else None, locale=t.language)


def signed(value: float) -> str:
    return f"+{value:g}" if value > 0 else f"{value:g}"


def period(t: Translator, start: str, end: str) -> str:
    """The week's days as the reader writes them: "23–29 nov 2026", "Nov 23 – 29, 2026"."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return str(format_interval(first, last, "yMMMd", locale=t.language))


def percent(t: Translator, share: float) -> str:
    return str(format_percent(share, locale=t.language))


def plural(t: Translator, key: str, count: int, **values: Any) -> str:
    """``key.one`` or ``key.other`` for ``count`` (the two forms Dutch and English have)."""
    return t(f"{key}.{'one' if count == 1 else 'other'}", count=count, **values)


def step_name(t: Translator, step: str | None) -> str:
    """A journey step in the reader's language; a step of the source's own, as it was
    written (redacted, its markers in the reader's language)."""
    if not step:
        return ""
    known = t(f"steps.{step}")
    return shown(step, t) if known == f"steps.{step}" else known


def attribution(t: Translator, segment: str | None, step: str | None, score: float | None) -> str:
    bits = [shown(segment, t) if segment else t("digest.unknown_segment")]
    if step:
        bits.append(step_name(t, step))
    if score is not None:
        bits.append(t("digest.score_short", score=f"{score:g}"))
    return " · ".join(bits)

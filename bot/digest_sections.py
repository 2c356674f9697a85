"""The digest's sections about people rather than averages: pain and delight, what customers
put up with, and how groups differ; numbers written the reader's way (Babel: "6,5" in Dutch).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_interval
from babel.numbers import format_decimal, format_percent

from bot.differences import MIN_GROUP
from bot.i18n import Translator
from bot.markers import shown
from bot.messages import Heading, Paragraph, Part, Quote


def number(t: Translator, value: float, digits: int = 1, signed: bool = False) -> str:
    pattern = ("+" if signed and value > 0 else "") + "#,##0." + "0" * digits if digits else "0"
    return format_decimal(value, format=pattern if digits else None, locale=t.language)


def period(t: Translator, start: str, end: str) -> str:
    """The week's days as the reader writes them: "23–29 nov 2026", "Nov 23 – 29, 2026"."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return str(format_interval(first, last, "yMMMd", locale=t.language))


def percent(t: Translator, share: float) -> str:
    return str(format_percent(share, locale=t.language))


def plural(t: Translator, key: str, count: int, **values: Any) -> str:
    """``key.one`` or ``key.other`` for ``count`` (the two forms Dutch and English have)."""
    return t(f"{key}.{'one' if count == 1 else 'other'}", count=count, **values)


def feelings(t: Translator, data: Any) -> tuple[str, str]:
    return (
        t("digest.feelings"),
        t("digest.feelings_value", pain=data.pain, delight=data.delight, neutral=data.neutral),
    )


def put_up_with_parts(t: Translator, data: Any, attribution: Any) -> list[Part]:
    found = data.put_up_with or {}
    if not found.get("count"):
        return []
    kinds = ", ".join(
        f"{t(f'digest.burden.{kind}')} {count}" for kind, count in found["kinds"].items()
    )
    parts: list[Part] = [
        Heading(t("digest.put_up_with")),
        Paragraph(plural(t, "digest.put_up_with_n", found["count"], kinds=kinds)),
    ]
    parts.extend(
        Quote(
            shown(quote["text"], t),
            t("digest.burden." + quote["kind"])
            + " · "
            + attribution(t, quote["segment"], quote["step"], quote["score"]),
        )
        for quote in found["quotes"]
    )
    return parts


def differences_parts(t: Translator, data: Any) -> list[Part]:
    lines = []
    for group in data.differences:
        name = shown(group["segment"], t)
        if group.get("words"):
            words = ", ".join(f"“{w['word']}” ({w['count']})" for w in group["words"])
            lines.append(t("digest.differs_words", segment=name, count=group["count"], words=words))
        if group.get("feels"):
            lines.append(
                t(
                    f"digest.differs_{group['feels']}",
                    segment=name,
                    share=percent(t, group["share"]),
                    rest=percent(t, group["rest_share"]),
                )
            )
    if not lines:
        # Said, not left out: a reader should know that no difference means none that holds.
        lines.append(t("digest.differs_none", minimum=MIN_GROUP))
    return [Heading(t("digest.differences")), Paragraph("\n".join(lines))]

"""The digest's sections about people rather than averages: what customers put up with,
and how groups differ."""

from __future__ import annotations

from typing import Any

from bot.digest.analysis import Analysis
from bot.digest.data import DigestData
from bot.digest.section import Section
from bot.digest.wording import attribution, percent, plural
from bot.i18n import Translator
from bot.intake.markers import shown
from bot.messages import Heading, Paragraph, Part, Quote
from bot.voice.differences import MIN_GROUP, differences
from bot.voice.week_voice import put_up_with_of


def _put_up_with(week: Analysis) -> dict[str, Any]:
    period = week.period
    found = put_up_with_of(
        period.ids,
        period.texts,
        period.segments,
        period.steps,
        period.scores,
        week.sides,
        (week.feelings, period.burdens),
    )
    return {"put_up_with": found}


def _put_up_with_parts(data: DigestData, t: Translator) -> list[Part]:
    found = data.put_up_with or {}
    if data.count == 0 or not found.get("count"):
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


def _differences(week: Analysis) -> dict[str, Any]:
    found = differences(week.themes.counts, week.themes.word_for, week.period.segments, week.sides)
    return {"differences": found}


def _differences_parts(data: DigestData, t: Translator) -> list[Part]:
    if data.count == 0:
        return []
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


PUT_UP_WITH: Section[Analysis] = Section(_put_up_with, _put_up_with_parts)
DIFFERENCES: Section[Analysis] = Section(_differences, _differences_parts)

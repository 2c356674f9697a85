"""The week in numbers: how many items, their average score, pain and delight, and the
customer groups they came from."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bot.digest.analysis import Analysis
from bot.digest.data import DigestData
from bot.digest.section import Section
from bot.digest.wording import number, signed
from bot.i18n import Translator
from bot.intake.markers import shown
from bot.messages import Facts, Paragraph, Part


def _figures(week: Analysis) -> dict[str, Any]:
    scores = [score for score in week.period.scores if score is not None]
    previous_scores = [score for score in week.earlier.scores if score is not None]
    sides = Counter(week.sides)
    return {
        "count": len(week.period.ids),
        "previous_count": len(week.earlier.scores),
        "average": _average(scores),
        "previous_average": _average(previous_scores),
        "pain": sides["pain"],
        "delight": sides["delight"],
        "neutral": sides["neutral"],
        "scored": len(scores),
        "segments": _segments(week.period.segments, week.period.scores),
    }


def _average(scores: list[float]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


def _segments(segment_of: list[str | None], scores: list[float | None]) -> list[dict[str, Any]]:
    """Customer groups, largest first, with their count and average score."""
    by_segment: dict[str, list[float | None]] = defaultdict(list)
    for segment, score in zip(segment_of, scores, strict=True):
        by_segment[segment or ""].append(score)
    return [
        {
            "name": name,
            "count": len(values),
            "average": _average([v for v in values if v is not None]),
        }
        for name, values in sorted(by_segment.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _render(data: DigestData, t: Translator) -> list[Part]:
    if data.count == 0:
        return [Paragraph(t("digest.empty"))]
    change = data.count - data.previous_count
    facts = [(t("digest.count"), t("digest.count_value", count=data.count, change=signed(change)))]
    if data.average is not None:
        average = number(t, data.average)
        if data.previous_average is not None:
            change_average = round(data.average - data.previous_average, 1)
            average += f" ({number(t, change_average, signed=True)})"
        facts.append((t("digest.average"), average))
    facts.append(
        (
            t("digest.feelings"),
            t("digest.feelings_value", pain=data.pain, delight=data.delight, neutral=data.neutral),
        )
    )
    if data.segments:
        groups = ", ".join(
            f"{shown(s['name'], t) if s['name'] else t('digest.unknown_segment')} {s['count']}"
            for s in data.segments[:6]
        )
        facts.append((t("digest.segments"), groups))
    return [Facts(tuple(facts))]


FIGURES: Section[Analysis] = Section(_figures, _render)

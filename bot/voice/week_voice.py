"""The parts of a week's customer voice worked out column by column from what intake stored:
each item's side, the feelings of rows stored without one, what customers put up with, and
a theme's label in a team's language. They run over every item of a busy week, so they are
written for plain lists rather than per-item objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.voice.highlights import DELIGHT_AT_LEAST, PAIN_AT_MOST
from bot.voice.put_up_with import Burdened, burdens, put_up_with, sharpness
from bot.voice.sentiment import DELIGHT_AT_LEAST as TEXT_DELIGHT_AT_LEAST
from bot.voice.sentiment import PAIN_AT_MOST as TEXT_PAIN_AT_MOST
from bot.voice.sentiment import sentiment


def sides_of(scores: Sequence[float | None], feelings: Sequence[float]) -> list[str]:
    """:func:`bot.voice.highlights.side_of` of every item, written out: it runs for every item of
    a busy week, where a function call each would be a noticeable part of the digest."""
    return [
        ("pain" if score <= PAIN_AT_MOST else "delight" if score >= DELIGHT_AT_LEAST else "neutral")
        if score is not None
        else (
            "pain"
            if feeling <= TEXT_PAIN_AT_MOST
            else "delight"
            if feeling >= TEXT_DELIGHT_AT_LEAST
            else "neutral"
        )
        for score, feeling in zip(scores, feelings, strict=True)
    ]


def feelings_of(
    texts: Sequence[str], documents: Sequence[str], stored: Sequence[float | None]
) -> list[float]:
    # Rows written before intake stored a feeling are read from their text.
    return [
        sentiment(text, words[:2]) if feeling is None else feeling
        for text, words, feeling in zip(texts, documents, stored, strict=True)
    ]


def put_up_with_of(
    ids: list[int],
    texts: list[str],
    segment_of: list[str | None],
    step_of: list[str | None],
    all_scores: list[float | None],
    sides: list[str],
    feeling_and_burdens: tuple[list[float], list[str | None]],
) -> dict[str, Any]:
    feelings, stored = feeling_and_burdens
    # Rows written before intake stored burdens are read from their text.
    kinds_of = [burdens(texts[i]) if k is None else k for i, k in enumerate(stored)]
    found = put_up_with(
        kinds_of,
        lambda i: sharpness(texts[i], feelings[i], kinds_of[i]),
        lambda i: Burdened(
            ids[i], texts[i], segment_of[i], step_of[i], all_scores[i], sides[i], kinds_of[i]
        ),
    )
    return {"count": found.count, "kinds": dict(found.kinds), "quotes": list(found.quotes)}


def in_language(part: dict[str, Any], language: str) -> dict[str, Any]:
    """A theme or highlight with its theme's label in the team's language."""
    labels = part.get("labels", {})
    label = labels.get(language) or next(iter(labels.values()), None)
    kept = {key: value for key, value in part.items() if key != "labels"}
    if "theme" in part:
        return {**kept, "theme_label": label or part["theme"]}
    return {**kept, "label": label or part["name"]}

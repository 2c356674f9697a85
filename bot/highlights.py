"""Pick the few quotes that make a team *see* its customers.

Not the average customer, not the loudest group: a greedy selection that values specific
words over generic praise, and rewards each pick for adding a customer group, a theme, a
journey step or a side (pain or delight) not yet shown. Ties fall to the lower id, so the
same week always gives the same quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import content_words

PAIN_AT_MOST = 6.0
DELIGHT_AT_LEAST = 9.0
_NUMBER_RE = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    text: str  # the redacted text: the only form a highlight may show
    segment: str | None
    step: str | None
    score: float | None
    theme: int = -1


@dataclass(frozen=True, slots=True)
class Highlight:
    id: int
    text: str
    segment: str | None
    step: str | None
    score: float | None
    theme: int
    side: str  # "pain" | "delight" | "neutral"


def side_of(score: float | None) -> str:
    if score is None:
        return "neutral"
    if score <= PAIN_AT_MOST:
        return "pain"
    if score >= DELIGHT_AT_LEAST:
        return "delight"
    return "neutral"


def specificity(text: str) -> float:
    """How concrete a quote is: distinct meaningful words, with numbers (times, amounts,
    days) as a sign of a real situation. Very long texts gain nothing more."""
    _, content = content_words(text)
    distinct = len(set(content))
    if distinct < 3:
        return 0.0
    value = math.log1p(min(distinct, 25))
    if _NUMBER_RE.search(text):
        value += 0.5
    if len(text) > 400:  # a wall of text is hard to read in a digest
        value -= 0.5
    return value


def pick_highlights(candidates: Sequence[Candidate], k: int = 5) -> list[Highlight]:
    scored = [(c, specificity(c.text)) for c in candidates]
    pool = [(c, s) for c, s in scored if s > 0]
    chosen: list[Highlight] = []
    segments: set[str | None] = set()
    themes: set[int] = set()
    steps: set[str | None] = set()
    sides: set[str] = set()
    while pool and len(chosen) < k:
        best_index = 0
        best_value = -math.inf
        for index, (candidate, base) in enumerate(pool):
            side = side_of(candidate.score)
            value = base
            if candidate.segment not in segments:
                value += 2.0
            if candidate.theme >= 0 and candidate.theme not in themes:
                value += 1.5
            if side != "neutral" and side not in sides:
                value += 1.5
            if candidate.step not in steps:
                value += 0.5
            if value > best_value or (
                value == best_value and candidate.id < pool[best_index][0].id
            ):
                best_index, best_value = index, value
        candidate, _ = pool.pop(best_index)
        side = side_of(candidate.score)
        chosen.append(
            Highlight(
                candidate.id,
                candidate.text,
                candidate.segment,
                candidate.step,
                candidate.score,
                candidate.theme,
                side,
            )
        )
        segments.add(candidate.segment)
        themes.add(candidate.theme)
        steps.add(candidate.step)
        sides.add(side)
    return chosen

"""Pick the few quotes that make a team *see* its customers.

Not the average customer, not the loudest group: a greedy selection that values specific
words over generic praise, and rewards each pick for adding a customer group, a theme, a
journey step or a side (pain or delight) not yet shown. Ties fall to the lower id, so the
same week always gives the same quotes.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from bot.text import content_words

PAIN_AT_MOST = 6.0
DELIGHT_AT_LEAST = 9.0
_NUMBER_RE = re.compile(r"\d")


class Candidate(NamedTuple):
    id: int
    text: str  # the redacted text: the only form a highlight may show
    segment: str | None
    step: str | None
    score: float | None
    theme: int = -1
    # Distinct meaningful words, when the caller has already analysed the text.
    distinct_words: int | None = None


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


# log1p of the distinct word count, capped: very long texts gain nothing more.
_WORD_VALUE = tuple(math.log1p(n) for n in range(26))


def specificity(text: str, distinct_words: int | None = None) -> float:
    """How concrete a quote is: distinct meaningful words, with numbers (times, amounts,
    days) as a sign of a real situation. Very long texts gain nothing more."""
    distinct = len(set(content_words(text)[1])) if distinct_words is None else distinct_words
    if distinct < 3:
        return 0.0
    value = _WORD_VALUE[min(distinct, 25)]
    if _NUMBER_RE.search(text):
        value += 0.5
    if len(text) > 400:  # a wall of text is hard to read in a digest
        value -= 0.5
    return value


def pick_highlights(candidates: Iterable[Candidate], k: int = 5) -> list[Highlight]:
    # The bonus a candidate earns depends only on its (segment, theme, side, step); within
    # such a group the most specific one (then the lowest id) always wins. So each round only
    # the head of every group competes: linear in the candidates, not k times over them.
    # A group never gives more than k picks, so only its k best are kept (a heap each).
    groups: dict[tuple[str | None, int, str, str | None], list[tuple[float, int, Candidate]]] = {}
    for candidate in candidates:
        base = specificity(candidate.text, candidate.distinct_words)
        if base <= 0:
            continue
        key = (candidate.segment, candidate.theme, side_of(candidate.score), candidate.step)
        # Heap of the k best as (base, -id): the root is the weakest kept.
        entry = (base, -candidate.id, candidate)
        members = groups.get(key)
        if members is None:
            groups[key] = [entry]
        elif len(members) < k:
            heapq.heappush(members, entry)
        elif entry[:2] > members[0][:2]:
            heapq.heapreplace(members, entry)
    for key, members in groups.items():
        # Best last, so pop() takes it: highest base, then lowest id.
        groups[key] = [
            (-base, -negative_id, candidate)
            for base, negative_id, candidate in sorted(members, key=lambda item: item[:2])
        ]

    chosen: list[Highlight] = []
    segments: set[str | None] = set()
    themes: set[int] = set()
    steps: set[str | None] = set()
    sides: set[str] = set()
    while groups and len(chosen) < k:
        best_key = None
        best_rank: tuple[float, int] = (math.inf, 0)
        for key, members in groups.items():
            segment, theme, side, step = key
            negative_base, candidate_id, _ = members[-1]
            value = -negative_base
            if segment not in segments:
                value += 2.0
            if theme >= 0 and theme not in themes:
                value += 1.5
            if side != "neutral" and side not in sides:
                value += 1.5
            if step not in steps:
                value += 0.5
            rank = (-value, candidate_id)
            if rank < best_rank:
                best_key, best_rank = key, rank
        assert best_key is not None
        _, _, candidate = groups[best_key].pop()
        if not groups[best_key]:
            del groups[best_key]
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

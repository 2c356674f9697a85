"""Pick the few quotes that make a team *see* its customers.

Not the average customer, not the loudest group: a greedy selection that values specific
words over generic praise, and rewards each pick for adding a customer group (first of
all), a side (pain or delight) or a journey step not yet shown. Two quotes are never about
the same theme, and a week with both pain and delight shows both. Ties fall to the lower id,
so the same week always gives the same quotes.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.voice.sentiment import side_of_text
from bot.voice.text import content_words

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
    sentiment: float | None = None  # the text's feeling (bot.voice.sentiment), for unscored items
    side: str | None = None  # side_of(score, sentiment), when the caller has it already


@dataclass(frozen=True, slots=True)
class Highlight:
    id: int
    text: str
    segment: str | None
    step: str | None
    score: float | None
    theme: int
    side: str  # "pain" | "delight" | "neutral"


def side_of(score: float | None, sentiment: float | None = None) -> str:
    """Pain, delight or neutral: the score decides where there is one, else the text."""
    if score is None:
        return side_of_text(sentiment)
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


# Candidates of one (segment, theme, side, step) group, as (base, id, candidate) in some order.
_Key = tuple[str | None, int, str, str | None]
_Groups = dict[_Key, list[tuple[float, int, Candidate]]]


@dataclass(slots=True)
class _Shown:
    """What the quotes picked so far show: their groups, steps and sides."""

    segments: set[str | None] = field(default_factory=set)
    steps: set[str | None] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)


def pick_highlights(candidates: Iterable[Candidate], k: int = 5) -> list[Highlight]:
    groups = _best_per_group(candidates, k)
    chosen: list[Highlight] = []
    shown = _Shown()
    wanted_sides = {key[2] for key in groups} - {"neutral"}
    while groups and len(chosen) < k:
        best_key = _next_group(groups, shown, wanted_sides, k - len(chosen))
        if best_key is None:
            break
        _, _, candidate = groups[best_key].pop()
        if not groups[best_key]:
            del groups[best_key]
        side = best_key[2]
        if candidate.theme >= 0:
            # Never two quotes about the same problem.
            for key in [key for key in groups if key[1] == candidate.theme]:
                del groups[key]
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
        shown.segments.add(candidate.segment)
        shown.steps.add(candidate.step)
        shown.sides.add(side)
    return chosen


def _best_per_group(candidates: Iterable[Candidate], k: int) -> _Groups:
    """Each group's k most specific candidates, best last. A candidate's bonus depends only
    on its (segment, theme, side, step): in a group the most specific (then the lowest id)
    always wins, so each round only the heads compete (linear, not k times over the
    candidates), and a group never gives more than k picks (a heap of its k best each)."""
    groups: _Groups = {}
    # This loop sees every item of the week: specificity() is written out and the names it
    # needs are local, which makes it about a third faster on a busy week.
    word_value, has_number, push, replace = (
        _WORD_VALUE,
        _NUMBER_RE.search,
        heapq.heappush,
        heapq.heapreplace,
    )
    for candidate in candidates:
        distinct = candidate.distinct_words
        if distinct is None:
            base = specificity(candidate.text)
        elif distinct < 3:
            continue
        else:
            text = candidate.text
            base = word_value[distinct if distinct < 25 else 25]
            if has_number(text):
                base += 0.5
            if len(text) > 400:
                base -= 0.5
        if base <= 0:
            continue
        key = (
            candidate.segment,
            candidate.theme,
            candidate.side or side_of(candidate.score, candidate.sentiment),
            candidate.step,
        )
        # Heap of the k best as (base, -id): the root is the weakest kept.
        members = groups.get(key)
        if members is None:
            groups[key] = [(base, -candidate.id, candidate)]
        elif len(members) < k:
            push(members, (base, -candidate.id, candidate))
        else:
            weakest = members[0]
            if base > weakest[0] or (base == weakest[0] and -candidate.id > weakest[1]):
                replace(members, (base, -candidate.id, candidate))
    return _best_last(groups)


def _best_last(groups: _Groups) -> _Groups:
    """Each group's heap as a list with its best last, so pop() takes it: as (-base, id),
    highest base, then lowest id."""
    return {
        key: [
            (-base, -negative_id, candidate)
            for base, negative_id, candidate in sorted(members, key=lambda item: item[:2])
        ]
        for key, members in groups.items()
    }


def _next_group(groups: _Groups, shown: _Shown, wanted_sides: set[str], slots: int) -> _Key | None:
    """The group whose best candidate adds most to what is shown, with ``slots`` places left."""
    # The week has pain and delight: the last places go to the side not shown yet.
    missing = wanted_sides - shown.sides
    forced = missing if len(missing) >= slots else None
    best_key = None
    best_rank: tuple[float, int] = (math.inf, 0)
    # The themes each group not shown yet could still be quoted on: a pick that takes
    # a theme another group needs would leave that group out.
    options: dict[str | None, set[int]] = defaultdict(set)
    for segment, theme, _, _ in groups:
        if segment not in shown.segments:
            options[segment].add(theme)
    reachable = _coverable(options, slots)
    lost: dict[tuple[str | None, int], int] = {}
    for key, members in groups.items():
        segment, theme, side, step = key
        if forced is not None and side not in forced:
            continue
        negative_base, candidate_id, _ = members[-1]
        value = -negative_base
        if segment not in shown.segments:
            value += 4.0  # another customer group outweighs any wording
        if side != "neutral" and side not in shown.sides:
            value += 3.0
        if step not in shown.steps:
            value += 0.5
        if (segment, theme) not in lost:
            lost[(segment, theme)] = reachable - _coverage_after(options, slots, segment, theme)
        value -= 4.0 * lost[(segment, theme)]
        rank = (-value, candidate_id)
        if rank < best_rank:
            best_key, best_rank = key, rank
    return best_key


def _coverage_after(
    options: dict[str | None, set[int]], slots: int, segment: str | None, theme: int
) -> int:
    """Groups still coverable once (segment, theme) is quoted, that pick included."""
    rest = {
        other: themes - {theme} if theme >= 0 else themes
        for other, themes in options.items()
        if other != segment
    }
    return int(segment in options) + _coverable(rest, slots - 1)


def _coverable(options: dict[str | None, set[int]], slots: int) -> int:
    """How many groups can get a quote each in ``slots`` quotes, all on different themes
    (theme -1, none, may repeat): a maximum bipartite matching, by augmenting paths."""
    free = sum(1 for themes in options.values() if -1 in themes)
    matched: dict[int, str | None] = {}

    def augment(segment: str | None, seen: set[int]) -> bool:
        for theme in sorted(options[segment]):
            if theme in seen:
                continue
            seen.add(theme)
            if theme not in matched or augment(matched[theme], seen):
                matched[theme] = segment
                return True
        return False

    for segment in sorted(options, key=lambda s: s or ""):
        if -1 not in options[segment]:
            augment(segment, set())
    return min(slots, free + len(matched))

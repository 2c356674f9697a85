"""What customers put up with: the sacrifices a satisfaction score does not measure.

A score says how expectation met perception; it does not say that the customer waited twenty
minutes on hold, called three times, paid extra or drove five hours to get there. Those are
found in the text, Dutch and English, once at intake (:func:`burdens`, stored with the item),
and counted per week with the sharpest quotes (:func:`put_up_with`).

Four kinds:

- ``wait``: waiting, on hold, late, a delay ("20 min in de wacht", "pas na 3 dagen");
- ``repeat``: contacting again and again ("drie keer gebeld", "called three times");
- ``cost``: paying more than expected ("5 euro extra", "verzendkosten", "had to pay");
- ``effort``: travel, distance and doing it yourself ("5 hr drive", "zelf ophalen").
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

KINDS = ("wait", "repeat", "cost", "effort")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|"
    r"twintig|half|anderhalf|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
    r"twenty|several|meerdere|paar|few|many|multiple|zoveel|vaak)"
)
_UNIT = (
    r"(?:min(?:uten|uut|utes?|s)?|uur|uren|hours?|hrs?|h|dagen|dag|days?|weken|week|weeks|"
    r"maanden|maand|months?)"
)
_CONTACT = (
    r"(?:bel\w*|gebeld|call\w*|mail\w*|gemaild|e-?mailed|contact\w*|chat\w*|gevraagd|asked|"
    r"gemeld|melden|reported|klantenservice|support|geprobeerd|tried)"
)
# The words each kind starts from. A set intersection over the text's words (at C speed)
# tells which kinds to check closely; most feedback mentions none and costs only that.
_CUES = {
    "wait": _words(
        "wacht wachten wachtte wachtten gewacht wachttijd wachttijden wachtrij wait "
        "waited waiting waits hold queue queued late laat vertraging vertraagd delay "
        "delayed delays steeds still pas"
    ),
    "repeat": _words("keer keren maal malen times time opnieuw again nogmaals weer"),
    "cost": _words(
        "euro euros eur kosten betalen betaald bijbetalen bijbetaald pay paid charged "
        "charge fee fees toeslag boete verzendkosten administratiekosten overcharged "
        "surcharge"
    ),
    "effort": _words(
        "km kilometer kilometers mile miles rijden omrijden gereden reed drive drove "
        "driving reizen travel traveled travelled fietsen lopen lopend walk walked "
        "trein train zelf myself helemaal way had moest moesten sjouwen lugging"
    ),
}
_ALL_CUES = frozenset().union(*_CUES.values())
_MONEY = ("€", "$", "£")
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"[^\W\d_]+")
_WAIT = re.compile(
    r"wacht|wait|on hold|queue|te laat|too late|\blate\b|vertrag|delay|nog steeds (?:geen|niet|"
    r"niks|niets)|still (?:no|not|nothing|wait)|pas na"
)
_CLOSE: dict[str, re.Pattern[str]] = {
    "wait": _WAIT,
    "repeat": re.compile(
        rf"\b{_NUMBER}\s+(?:keer|keren|maal|malen|times)\b[^.!?]{{0,60}}{_CONTACT}"
        rf"|{_CONTACT}[^.!?]{{0,40}}\b{_NUMBER}\s+(?:keer|keren|maal|malen|times)\b"
        r"|\b(?:voor de|for the) (?:\d+(?:e|de|rd|th|nd)|derde|vierde|vijfde|third|fourth|"
        r"fifth|zoveelste|umpteenth) (?:keer|maal|time)\b"
        rf"|\b(?:opnieuw|weer|nogmaals|again)\s+{_CONTACT}|{_CONTACT}\s+(?:\w+\s+)?"
        r"(?:again|opnieuw)\b|\bagain and again\b|\bsteeds weer\b",
    ),
    "cost": re.compile(
        r"(?:€|\beur\b|\beuro'?s?\b|\$|£)\s?\d[^.!?]{0,30}\b(?:extra|meer|bij|kosten|fee|more)\b"
        r"|\d+(?:[.,]\d+)?\s?(?:€|euro|eur|dollars?|pounds?)\s(?:[^.!?]{0,30}\s)?"
        r"(?:extra|meer|bij|erbij|kosten|betalen|betaald|paid|pay|charged|fee|more)\b"
        r"|\b(?:extra kosten|bijbetal\w*|toeslag|administratiekosten|verzendkosten|boete|"
        r"surcharge|extra fee|hidden (?:fees|costs)|overcharged|charged (?:me|us|twice|extra)|"
        r"paid extra|pay extra|had to pay|moest(?:en)? (?:\w+ )?(?:bij)?betalen|"
        r"extra betalen|dubbel betaald|paid twice|twee keer betaald)\b",
    ),
    "effort": re.compile(
        rf"\b{_NUMBER}\s?(?:km|kilometers?|miles?|{_UNIT})\s?(?:\w+\s)?(?:rijden|omrijden|"
        r"reizen|fietsen|lopen|lopend|met de trein|drive|driving|ride|walk|travel|by train|"
        r"on the train|heen en terug|round trip)\b"
        r"|\b(?:rijden|gereden|reed|drive|drove|driving|travel\w*|reizen|fietsen|lopen|walk\w*)"
        rf"\s(?:\w+\s){{0,2}}{_NUMBER}\s?(?:km|kilometers?|miles?|{_UNIT})\b"
        r"|\b(?:helemaal naar|all the way to|moest(?:en)? (?:ik |we |zelf )?(?:\w+ )?naar|"
        r"had to (?:go|drive|walk|travel|bring|take|carry)|zelf (?:ophalen|brengen|"
        r"terugbrengen|regelen|repareren|uitzoeken|sjouwen)|took the train|walked home|"
        r"naar huis (?:lopen|gelopen)|sjouwen|lugging)\b",
    ),
}


def burdens(text: str) -> str:
    """The kinds of sacrifice ``text`` mentions, space-separated in :data:`KINDS` order
    (``"wait repeat"``); empty when none."""
    lowered = text.lower()
    present = _ALL_CUES.intersection(_WORDS.findall(lowered))
    money = any(symbol in text for symbol in _MONEY)
    if not present and not money:
        return ""
    found = [
        kind
        for kind in KINDS
        if (present.intersection(_CUES[kind]) or (money and kind == "cost"))
        and _CLOSE[kind].search(lowered)
    ]
    return " ".join(found)


class Burdened(NamedTuple):
    """One item of the week that may be quoted for what it put up with."""

    id: int
    text: str
    segment: str | None
    step: str | None
    score: float | None
    side: str
    kinds: str


@dataclass(frozen=True, slots=True)
class PutUpWith:
    count: int  # items with at least one kind
    kinds: tuple[tuple[str, int], ...]  # (kind, items), most first; only kinds found
    quotes: tuple[dict[str, object], ...]


def sharpness(text: str, sentiment: float | None, kinds: str) -> float:
    """How sharply a quote shows the sacrifice: a number ("45 min", "3 keer"), the feeling,
    more than one kind at once; a wall of text reads worse."""
    value = 1.0 if _DIGIT.search(text) else 0.0
    value += kinds.count(" ") * 0.5
    value -= min(sentiment or 0.0, 0.0)
    if len(text) > 300:
        value -= 1.0
    return value


def put_up_with(
    kinds_of: Sequence[str],
    sharpness_of: Callable[[int], float],
    item_of: Callable[[int], Burdened],
    quotes: int = 3,
) -> PutUpWith:
    """Count the week's items per kind (``kinds_of``: each item's :func:`burdens`) and pick
    the sharpest quotes: one per kind first, different customer groups where possible, ties
    to the lower position. Only the few items that can be quoted are built (``item_of``)."""
    members: dict[str, list[int]] = {kind: [] for kind in KINDS}
    total = 0
    for index, kinds in enumerate(kinds_of):
        if kinds:
            total += 1
            for kind in kinds.split():
                members[kind].append(index)
    order = sorted((k for k in KINDS if members[k]), key=lambda k: (-len(members[k]), k))
    chosen: list[dict[str, object]] = []
    seen: set[int] = set()
    seen_segments: set[str | None] = set()
    for kind in order:
        if len(chosen) == quotes:
            break
        best = heapq.nsmallest(
            2 * quotes, ((-sharpness_of(i), i) for i in members[kind] if i not in seen)
        )
        if not best:
            continue
        items = [item_of(i) for _, i in best]
        # A group not shown yet, if this kind has one; else the sharpest.
        item = next((it for it in items if it.segment not in seen_segments), items[0])
        seen.add(best[items.index(item)][1])
        seen_segments.add(item.segment)
        chosen.append(
            {
                "id": item.id,
                "text": item.text,
                "kind": kind,
                "segment": item.segment,
                "step": item.step,
                "score": item.score,
                "side": item.side,
            }
        )
    kinds_found = tuple((kind, len(members[kind])) for kind in order)
    return PutUpWith(total, kinds_found, tuple(chosen))

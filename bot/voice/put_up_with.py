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

from bot.voice.text import split_words

KINDS = ("wait", "repeat", "cost", "effort")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBERS = _words(
    "een één twee drie vier vijf zes zeven acht negen tien twaalf twintig half anderhalf a an "
    "one two three four five six seven eight nine ten twelve twenty several meerdere paar few "
    "many multiple zoveel vaak"
)
_ORDINALS = _words("derde vierde vijfde zesde third fourth fifth sixth zoveelste umpteenth")
_TIMES = _words("keer keren maal malen times")
_AGAIN = _words("opnieuw weer nogmaals again")
_CONTACT = _words(
    "bel bellen belde belden gebeld teruggebeld call called calling calls mail mailen mailde "
    "gemaild email emailed emails e-mail contact contacted contacting gecontacteerd chat "
    "chatted gechat gevraagd asked gemeld melden reported klantenservice support geprobeerd "
    "tried"
)
_MONEY_WORDS = _words("euro euros eur dollar dollars pound pounds")
_COST_WORDS = _words("extra meer bij erbij kosten betalen betaald paid pay charged fee more")
_COST_ALONE = _words(
    "toeslag administratiekosten verzendkosten boete surcharge overcharged bijbetalen "
    "bijbetaald bijbetaling"
)
_COST_PAIRS = {
    ("extra", "kosten"), ("extra", "fee"), ("extra", "betalen"), ("hidden", "fees"),
    ("hidden", "costs"), ("paid", "extra"), ("pay", "extra"), ("paid", "twice"),
    ("dubbel", "betaald"), ("charged", "me"), ("charged", "us"), ("charged", "twice"),
    ("charged", "extra"),
}  # fmt: skip
_DISTANCE = _words("km kilometer kilometers mile miles")
_DURATION = _words(
    "min mins minuten minuut minute minutes uur uren hour hours hr hrs h dag dagen day days"
)
_TRAVEL = _words(
    "rijden omrijden gereden reed drive drove driving ride rode reizen gereisd travel traveled "
    "travelled fietsen gefietst lopen gelopen lopend walk walked walking trein train"
)
_CARRY = _words("go drive walk travel bring take carry")
_YOURSELF = _words("ophalen brengen terugbrengen wegbrengen regelen repareren uitzoeken sjouwen")
_WAIT_WORDS = _words(
    "wacht wachten wachtte wachtten gewacht wachttijd wachttijden wachtrij wait waited "
    "waiting waits queue queued vertraging vertraagd delay delayed delays"
)
_WAIT_PAIRS = {
    ("on", "hold"), ("te", "laat"), ("too", "late"), ("pas", "na"), ("only", "after"),
    ("arrived", "late"), ("came", "late"), ("still", "no"), ("still", "not"),
    ("still", "nothing"), ("steeds", "geen"), ("steeds", "niet"), ("steeds", "niks"),
}  # fmt: skip
_WAIT_CUES = _WAIT_WORDS | {pair[0] for pair in _WAIT_PAIRS}
_COST_TRIPLES = (["had", "to", "pay"],)
_PAY = frozenset({"betalen", "bijbetalen"})
_EFFORT_PAIRS = {("helemaal", ("naar",)), ("walked", ("home",))}
_REPEAT_CUES = _TIMES | _AGAIN | {"keer", "maal", "time", "steeds"}
_COST_CUES = frozenset({pair[0] for pair in _COST_PAIRS} | {"had", "moest", "moesten", "betaald"})
_EFFORT_CUES = _TRAVEL | _words(
    "helemaal walked zelf moest moesten had way took sjouwen lugging huis"
)
_EFFORT_TRIPLES = (["took", "the", "train"], ["naar", "huis", "lopen"], ["naar", "huis", "gelopen"])
_DIGIT = re.compile(r"\d")


def burdens(text: str, words: list[str] | None = None) -> str:
    """The kinds of sacrifice ``text`` mentions, space-separated in :data:`KINDS` order
    (``"wait repeat"``); empty when none. ``words``: ``text`` as
    :func:`bot.voice.text.split_words` gives it, if already split."""
    money = "€" in text or "$" in text or "£" in text
    # Words split at spaces and punctuation at C speed, sentence ends kept as words of their
    # own; most feedback has none of the cues and stops here.
    tokens = split_words(text) if words is None else words
    present = _CUES.intersection(tokens)
    if not present and not money:
        return ""
    found = set()
    sentences: list[list[str]] | None = None
    # Each rule looks only at the sentences, and the words in them, it starts from.
    for kind, cues, rule in _RULES:
        if (money and kind == "cost") or not cues.isdisjoint(present):
            sentences = _sentences(tokens) if sentences is None else sentences
            if any(rule(sentence, money) for sentence in sentences):
                found.add(kind)
    return " ".join(kind for kind in KINDS if kind in found)


def _sentences(tokens: list[str]) -> list[list[str]]:
    sentences: list[list[str]] = [[]]
    for token in tokens:
        if token in ".!?;":
            sentences.append([])
        else:
            sentences[-1].append(token)
    return [sentence for sentence in sentences if sentence]


def _at(s: list[str], cues: frozenset[str]) -> list[tuple[int, str]]:
    """The positions of ``s`` a rule starts from."""
    return [(i, t) for i, t in enumerate(s) if t in cues]


def _number(token: str) -> bool:
    return token[0].isdigit() or token in _NUMBERS


def _ordinal(token: str) -> bool:
    return token in _ORDINALS or (
        token[0].isdigit() and token.endswith(("e", "de", "ste", "rd", "th", "nd"))
    )


def _waits(s: list[str], _money: bool) -> bool:
    """Waiting: "20 min in de wacht", "on hold", "pas na 3 dagen", "nog steeds geen"."""
    if not _WAIT_WORDS.isdisjoint(s):
        return True
    return any(tuple(s[i : i + 2]) in _WAIT_PAIRS for i, _ in _at(s, _WAIT_CUES))


def _repeats(s: list[str], _money: bool) -> bool:
    """Contacting again: "drie keer gebeld", "called three times", "voor de derde keer",
    "opnieuw gebeld", "again and again"."""
    contact = not _CONTACT.isdisjoint(s)
    for i, token in _at(s, _REPEAT_CUES):
        before, after = s[max(0, i - 3) : i], s[i + 1 : i + 3]
        if token in _TIMES and before and _number(before[-1]) and contact:
            return True
        ordinal = len(before) == 3 and before[0] in ("voor", "for") and before[1] in ("de", "the")
        if token in ("keer", "maal", "time") and ordinal and _ordinal(before[2]):
            return True
        if token in _AGAIN and (
            not _CONTACT.isdisjoint(after[:1])
            or not _CONTACT.isdisjoint(before[-2:])
            or after == ["and", "again"]
        ):
            return True
        if token == "steeds" and after[:1] == ["weer"]:
            return True
    return False


def _costs(s: list[str], money: bool) -> bool:
    """Paying more: "15 euro extra betalen", "verzendkosten", "charged twice", "had to pay"."""
    if not _COST_ALONE.isdisjoint(s):
        return True
    for i, token in _at(s, _COST_CUES):
        if tuple(s[i : i + 2]) in _COST_PAIRS or s[i : i + 3] in _COST_TRIPLES:
            return True
        if token in ("moest", "moesten") and not _PAY.isdisjoint(s[i + 1 : i + 4]):
            return True
        if token == "betaald" and s[max(0, i - 2) : i] == ["twee", "keer"]:
            return True
    priced = money or not _MONEY_WORDS.isdisjoint(s)
    return priced and any(t[0].isdigit() for t in s) and not _COST_WORDS.isdisjoint(s)


def _effort(s: list[str], _money: bool) -> bool:
    """Travel, distance, doing it yourself: "5 hr drive", "12 km fietsen", "had to drive",
    "zelf ophalen", "helemaal naar"."""
    for i, token in _at(s, _EFFORT_CUES):
        before, after = s[max(0, i - 4) : i], s[i + 1 : i + 4]
        # A distance or a duration next to the travel: "5 hr drive", "reed 2 uur", "40 km".
        if token in _TRAVEL and (_measured(after[:3]) or _measured(before)):
            return True
        if (token, tuple(after[:1])) in _EFFORT_PAIRS or token in ("sjouwen", "lugging"):
            return True
        if token == "zelf" and not _YOURSELF.isdisjoint(after[:1]):
            return True
        if token in ("moest", "moesten") and "naar" in after:
            return True
        if token == "had" and after[:1] == ["to"] and not _CARRY.isdisjoint(after[1:2]):
            return True
        if s[i - 2 : i + 2] == ["all", "the", "way", "to"] or s[i : i + 3] in _EFFORT_TRIPLES:
            return True
    return False


def _measured(words: list[str]) -> bool:
    """A number with a distance or duration among ``words``: "40 km", "2 uur", "40km"."""
    for i, word in enumerate(words):
        if word[0].isdigit() and word.endswith("km"):
            return True
        if i and (word in _DISTANCE or word in _DURATION) and _number(words[i - 1]):
            return True
    return False


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


# (kind, words without which the rule cannot match, rule); "wait" is one pattern above.
_RULES: tuple[tuple[str, frozenset[str], Callable[[list[str], bool], bool]], ...] = (
    ("wait", _WAIT_CUES, _waits),
    ("repeat", _REPEAT_CUES, _repeats),
    ("cost", _MONEY_WORDS | _COST_ALONE | _COST_CUES, _costs),
    ("effort", _EFFORT_CUES, _effort),
)
# A text with none of these words mentions no sacrifice: most feedback stops here.
_CUES = frozenset().union(*(cues for _, cues, _ in _RULES))

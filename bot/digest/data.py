"""The digest's figures: one JSON-ready object per team and week (docs/digest-json.md).

Each figure is declared here once; a section of :mod:`bot.digest.sections` computes the
figures it shows and renders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.voice.week_voice import in_language


@dataclass
class DigestData:
    team_id: int
    team_name: str
    language: str
    week: str
    start: str
    end: str
    count: int
    previous_count: int
    average: float | None
    previous_average: float | None
    pain: int  # every item: scores 0–6, or the text's feeling where there is no score
    delight: int  # every item: scores 9–10, or the text's feeling
    scored: int
    segments: list[dict[str, Any]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    highlights: list[dict[str, Any]] = field(default_factory=list)
    waarom: dict[str, str] | None = None
    ideas_logged: list[dict[str, Any]] = field(default_factory=list)
    ideas_done: list[dict[str, Any]] = field(default_factory=list)
    answered: int = 0
    nudged: int = 0
    neutral: int = 0
    put_up_with: dict[str, Any] = field(default_factory=dict)
    differences: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CustomerVoice:
    """What an organisation's customers said in one week (in one time zone's week): the
    figures of a digest every team of the organisation shares, so a fan-out computes them
    once. Themes and highlights carry their labels in every language the customers wrote."""

    figures: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        # A figure by its name, as on DigestData (``voice.themes``); the figures are declared
        # there once, not again here.
        if name.startswith("__") or name == "figures":
            raise AttributeError(name)
        try:
            return self.figures[name]
        except KeyError:
            raise AttributeError(name) from None

    def in_language(self, language: str) -> dict[str, Any]:
        """The figures as a team reads them: each theme's label in the team's language."""
        return {
            **self.figures,
            "themes": [in_language(theme, language) for theme in self.figures["themes"]],
            "highlights": [in_language(quote, language) for quote in self.figures["highlights"]],
        }

    @property
    def theme_words(self) -> Sequence[str]:
        """The strongest theme's words, for a prompt that fits them."""
        themes: list[dict[str, Any]] = self.figures["themes"]
        if not themes:
            return ()
        words: list[str] = themes[0]["keywords"]
        return words

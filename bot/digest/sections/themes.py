"""The week's themes, with their change against the week before."""

from __future__ import annotations

from typing import Any

from bot.digest.analysis import Analysis
from bot.digest.data import DigestData
from bot.digest.section import Section
from bot.digest.wording import signed
from bot.i18n import Translator
from bot.messages import Heading, Paragraph, Part


def _figures(week: Analysis) -> dict[str, Any]:
    # Every language's label is kept: the teams sharing this week choose theirs.
    themes = [
        {
            "name": theme.name,
            "keywords": list(theme.keywords),
            "count": theme.count,
            "previous": theme.previous,
            "labels": dict(theme.labels),
        }
        for theme in week.themes.themes
    ]
    return {"themes": themes}


def _render(data: DigestData, t: Translator) -> list[Part]:
    if data.count == 0 or not data.themes:
        return []
    lines = (
        t(
            "digest.theme_line",
            name=theme.get("label") or theme["name"],
            count=theme["count"],
            change=signed(theme["count"] - theme["previous"]),
        )
        for theme in data.themes
    )
    return [Heading(t("digest.themes")), Paragraph("\n".join(lines))]


THEMES: Section[Analysis] = Section(_figures, _render)

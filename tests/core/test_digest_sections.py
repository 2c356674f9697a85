"""The digest is its sections: every figure of the JSON computed by exactly one of them, and
every section both computed and shown."""

from __future__ import annotations

from dataclasses import fields

from bot.bootstrap import Services
from bot.digest import CustomerVoice, DigestData, TeamPart
from bot.digest.analysis import analyse
from bot.digest.reading import Earlier, Period
from bot.digest.sections import SECTIONS, TEAM, VOICE
from bot.digest.team import TeamWeek
from bot.storage.models import Team
from bot.week import Week


def test_every_section_is_computed_and_shown() -> None:
    assert set(VOICE) | set(TEAM) == set(SECTIONS)
    assert not set(VOICE) & set(TEAM)
    assert len(set(SECTIONS)) == len(SECTIONS)


def test_every_figure_comes_from_exactly_one_section(services: Services) -> None:
    quiet = analyse(Period([], [], [], [], [], [], [], []), Earlier([], [], []), 5)
    voice = [set(section.figures(quiet)) for section in VOICE]
    team = Team(id=1, name="t", language="en", timezone="Europe/Amsterdam")
    source = TeamWeek(
        team, Week.parse("2026-W46"), services.library, CustomerVoice({"themes": []}), TeamPart()
    )
    own = [set(section.figures(source)) for section in TEAM]
    keys = [key for found in voice + own for key in found]
    assert sorted(keys) == sorted(field.name for field in fields(DigestData))

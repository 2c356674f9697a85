"""The digest as a list of sections, each computing its figures and rendering them."""

from __future__ import annotations

from typing import Any

from bot.digest.analysis import Analysis
from bot.digest.section import Section
from bot.digest.sections.figures import FIGURES
from bot.digest.sections.highlights import HIGHLIGHTS
from bot.digest.sections.people import DIFFERENCES, PUT_UP_WITH
from bot.digest.sections.team import IDEAS, PARTICIPATION, PROMPT, TITLE
from bot.digest.sections.themes import THEMES
from bot.digest.team import TeamWeek

# The digest as its reader sees it, top to bottom.
SECTIONS: tuple[Section[Any], ...] = (
    TITLE,
    FIGURES,
    THEMES,
    HIGHLIGHTS,
    PUT_UP_WITH,
    DIFFERENCES,
    PROMPT,
    IDEAS,
    PARTICIPATION,
)
# Those computed from the customers' week, once for all teams of an organisation and time
# zone...
VOICE: tuple[Section[Analysis], ...] = (FIGURES, THEMES, HIGHLIGHTS, PUT_UP_WITH, DIFFERENCES)
# ...and those computed from the team itself.
TEAM: tuple[Section[TeamWeek], ...] = (TITLE, PROMPT, IDEAS, PARTICIPATION)

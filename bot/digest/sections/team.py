"""The digest's sections about the team itself: its title, the week's prompt, its ideas and
how many of its nudges were answered."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from bot.digest.data import DigestData
from bot.digest.section import Section
from bot.digest.team import TeamWeek
from bot.digest.wording import period, plural
from bot.engine.rotation import choose_prompt
from bot.i18n import Translator
from bot.intake.safe_text import one_line
from bot.messages import Divider, Heading, Paragraph, Part


def _title(source: TeamWeek) -> dict[str, Any]:
    team, week = source.team, source.week
    return {
        "team_id": team.id,
        "team_name": team.name,
        "language": team.language,
        "week": str(week),
        "start": week.monday().isoformat(),
        "end": (week.monday() + dt.timedelta(days=6)).isoformat(),
    }


def _title_parts(data: DigestData, t: Translator) -> list[Part]:
    return [
        Heading(t("digest.title", week=data.week, team=data.team_name or "—")),
        Paragraph(period(t, data.start, data.end), muted=True),
    ]


def _prompt(source: TeamWeek) -> dict[str, Any]:
    team = source.team
    waarom = choose_prompt(
        source.library,
        team.language,
        "waarom",
        recent=source.part.recent,
        theme_words=source.voice.theme_words,
        seed=f"{team.id}:{source.week}",
    )
    return {"waarom": {"id": waarom.id, "text": waarom.text}}


def _prompt_parts(data: DigestData, t: Translator) -> list[Part]:
    if not data.waarom:
        return []
    return [Divider(), Heading(t("digest.waarom")), Paragraph(data.waarom["text"])]


def _ideas(source: TeamWeek) -> dict[str, Any]:
    start, end = source.week.bounds(zoneinfo.ZoneInfo(source.team.timezone))
    ideas = source.part.ideas
    logged = [i for i in ideas if start <= i.created_at < end and i.merged_into_id is None]
    done = [i for i in ideas if i.status == "done" and i.done_at and start <= i.done_at < end]
    return {
        "ideas_logged": [
            {"id": i.id, "why": i.why, "how": i.how, "status": i.status} for i in logged
        ],
        "ideas_done": [{"id": i.id, "why": i.why, "how": i.how} for i in done],
    }


def _ideas_parts(data: DigestData, t: Translator) -> list[Part]:
    parts: list[Part] = [
        Divider(),
        Heading(t("digest.ideas")),
        Paragraph(plural(t, "digest.ideas_logged_n", len(data.ideas_logged))),
    ]
    if data.ideas_done:
        parts.append(Paragraph(t("digest.you_said_we_did")))
        parts.extend(Paragraph(f"#{i['id']} {one_line(i['how'])}") for i in data.ideas_done[:10])
    return parts


def _participation(source: TeamWeek) -> dict[str, Any]:
    return {"answered": source.part.answered, "nudged": source.part.nudged}


def _participation_parts(data: DigestData, t: Translator) -> list[Part]:
    if not data.nudged:
        return []
    line = plural(t, "digest.participation_n", data.nudged, answered=data.answered)
    return [Paragraph(line, muted=True)]


TITLE: Section[TeamWeek] = Section(_title, _title_parts)
PROMPT: Section[TeamWeek] = Section(_prompt, _prompt_parts)
IDEAS: Section[TeamWeek] = Section(_ideas, _ideas_parts)
PARTICIPATION: Section[TeamWeek] = Section(_participation, _participation_parts)

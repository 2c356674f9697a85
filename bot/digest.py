"""The weekly digest: one per team per ISO week.

The digest of week W covers the feedback received during W (Monday to Sunday in the team's
time zone) and goes out on the team's digest day of the week after.

:func:`build_digest` gathers the figures (plain data, JSON-ready); :func:`render_digest`
turns them into a neutral message in the team's language.
"""

from __future__ import annotations

import datetime as dt
import gc
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import repeat
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.differences import differences
from bot.digest_sections import (
    differences_parts,
    feelings,
    number,
    period,
    plural,
    put_up_with_parts,
)
from bot.highlights import Candidate, pick_highlights
from bot.i18n import Translator
from bot.markers import shown
from bot.messages import Divider, Facts, Heading, Message, Paragraph, Part, Quote
from bot.models import Digest, Feedback, Idea, Nudge, Team
from bot.prompts import PromptLibrary
from bot.rotation import choose_prompt
from bot.safe_text import one_line
from bot.text import terms
from bot.theme_labels import labelled
from bot.themes import themes_of
from bot.week_voice import feelings_of, in_language, put_up_with_of, sides_of


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        try:
            year, number = text.strip().upper().split("-W")
            week = cls(int(year), int(number))
            dt.date.fromisocalendar(week.year, week.number, 1)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W47") from None
        return week

    @classmethod
    def of(cls, moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> Week:
        year, number, _ = moment.astimezone(zone).isocalendar()
        return cls(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    def bounds(self, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """Monday 00:00 to the next Monday 00:00 in ``zone``, as UTC instants."""
        start = dt.datetime.combine(self.monday(), dt.time(), zone)
        end = dt.datetime.combine(self.monday() + dt.timedelta(days=7), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @classmethod
    def to_send(cls, moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> Week:
        """The week a digest sent at ``moment`` is about: the last complete week."""
        return cls.of(moment, zone).previous()

    def previous(self) -> Week:
        year, number, _ = (self.monday() - dt.timedelta(days=7)).isocalendar()
        return Week(year, number)


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


_PARTITION = 5000  # rows per fetch when reading a period
# Rows stored before feedback.terms existed (migration 0004 fills them in) are analysed from
# their text; every other row only has its stored words split.
_TEXT_IF_NO_TERMS = case((Feedback.terms.is_(None), Feedback.redacted), else_=None)


async def _rows(
    session: AsyncSession, org_id: int, start: dt.datetime, end: dt.datetime, *, texts: bool = True
) -> tuple[list[Any], ...]:
    """The period's feedback in id order, column by column: (id, redacted, score, segment,
    step, sentiment, burdens, terms).

    ``texts=False`` is for a period whose quotes are never shown (the week
    before): only (score, redacted, terms) are read, the text only where terms are missing."""
    columns: tuple[Any, ...] = (
        (
            Feedback.id,
            Feedback.redacted,
            Feedback.score,
            Feedback.segment,
            Feedback.step,
            Feedback.sentiment,
            Feedback.burdens,
        )
        if texts
        else (Feedback.score, _TEXT_IF_NO_TERMS.label("redacted"))
    )
    query = (
        select(*columns, Feedback.terms)
        .where(Feedback.org_id == org_id, Feedback.received_at >= start, Feedback.received_at < end)
        .order_by(Feedback.id)
        .execution_options(yield_per=_PARTITION)
    )
    # Streamed in partitions and kept column by column: a busy week never sits in memory as
    # row objects, and the loops below run over plain lists. Through the connection, as the
    # ORM adds nothing here but time per row.
    connection = await session.connection()
    result = await connection.stream(query)
    kept: tuple[list[Any], ...] = tuple([] for _ in range(len(columns) + 1))
    async for partition in result.partitions():
        for column, values in zip(kept, zip(*partition, strict=True), strict=True):
            column.extend(values)
    return kept


def _terms(texts: Sequence[str | None], stored: Sequence[str | None]) -> list[str]:
    return [
        terms(text or "") if words is None else words
        for text, words in zip(texts, stored, strict=True)
    ]


def _average(scores: list[float]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


@dataclass(frozen=True)
class CustomerVoice:
    """What an organisation's customers said in one week (in one time zone's week): the part
    of a digest every team of the organisation shares, so a fan-out computes it once."""

    count: int
    previous_count: int
    average: float | None
    previous_average: float | None
    pain: int
    delight: int
    scored: int
    segments: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    highlights: list[dict[str, Any]]
    neutral: int = 0
    put_up_with: dict[str, Any] = field(default_factory=dict)
    differences: list[dict[str, Any]] = field(default_factory=list)


class _CollectionPause:
    """Reading and scoring a busy week creates hundreds of thousands of small containers that
    all live until the digest is built. The cyclic garbage collector would scan them again
    and again (a quarter of the time at 100k items) and find nothing: this code makes no
    reference cycles, and reference counting frees everything else as usual.

    The pause is process-wide and lasts across the reads' awaits, so other coroutines run
    without cycle collection for that second or so too; overlapping digests share one pause,
    and the collector comes back when the last one ends, also when it fails."""

    def __init__(self) -> None:
        self._depth = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self._depth == 0:
            self._resume = gc.isenabled()
            gc.disable()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()


_without_cycle_collection = _CollectionPause()


async def customer_voice(
    session: AsyncSession, org_id: int, week: Week, zone: zoneinfo.ZoneInfo, *, highlights: int = 5
) -> CustomerVoice:
    with _without_cycle_collection():
        return await _customer_voice(session, org_id, week, zone, highlights)


async def _customer_voice(
    session: AsyncSession, org_id: int, week: Week, zone: zoneinfo.ZoneInfo, highlights: int
) -> CustomerVoice:
    start, end = week.bounds(zone)
    previous_start, _ = week.previous().bounds(zone)
    rows = await _rows(session, org_id, start, end)
    ids, texts, all_scores, segment_of, step_of, stored_feeling, stored_burdens, stored = rows
    previous_all_scores, previous_texts, previous_stored = await _rows(
        session, org_id, previous_start, start, texts=False
    )

    scores = [score for score in all_scores if score is not None]
    previous_scores = [score for score in previous_all_scores if score is not None]

    by_segment: dict[str, list[float | None]] = defaultdict(list)
    for segment, score in zip(segment_of, all_scores, strict=True):
        by_segment[segment or ""].append(score)
    segments = [
        {
            "name": name,
            "count": len(values),
            "average": _average([v for v in values if v is not None]),
        }
        for name, values in sorted(by_segment.items(), key=lambda item: (-len(item[1]), item[0]))
    ]

    # Each text's words, feeling and burdens were found once, at intake; all parts share them.
    current_terms = _terms(texts, stored)
    feelings = feelings_of(texts, current_terms, stored_feeling)
    sides = sides_of(all_scores, feelings)
    themes = labelled(
        themes_of(current_terms, _terms(previous_texts, previous_stored)), texts, current_terms
    )
    # Built column-wise at C speed (Candidate._make skips the per-item keyword handling).
    candidates = map(
        Candidate._make,
        zip(
            ids,
            texts,
            segment_of,
            step_of,
            all_scores,
            themes.assignment,
            # Distinct words, less one for the language code in front.
            [len(set(words.split())) - 1 for words in current_terms],
            repeat(None),
            sides,
        ),
    )
    chosen = pick_highlights(candidates, highlights)
    side_counts = Counter(sides)
    return CustomerVoice(
        count=len(ids),
        previous_count=len(previous_all_scores),
        average=_average(scores),
        previous_average=_average(previous_scores),
        pain=side_counts["pain"],
        delight=side_counts["delight"],
        neutral=side_counts["neutral"],
        scored=len(scores),
        segments=segments,
        themes=[
            {
                "name": t.name,
                "keywords": list(t.keywords),
                "count": t.count,
                "previous": t.previous,
                "labels": dict(t.labels),
            }
            for t in themes.themes
        ],
        highlights=[
            {
                "id": h.id,
                "text": h.text,
                "segment": h.segment,
                "step": h.step,
                "score": h.score,
                "side": h.side,
                "theme": themes.themes[h.theme].name if h.theme >= 0 else None,
                "labels": dict(themes.themes[h.theme].labels) if h.theme >= 0 else {},
            }
            for h in chosen
        ],
        put_up_with=put_up_with_of(
            ids, texts, segment_of, step_of, all_scores, sides, (feelings, stored_burdens)
        ),
        differences=differences(themes.counts, themes.word_for, segment_of, sides),
    )


async def build_digest(
    session: AsyncSession,
    team: Team,
    week: Week,
    library: PromptLibrary,
    *,
    highlights: int = 5,
    voice: CustomerVoice | None = None,
) -> DigestData:
    """The digest of ``team`` for ``week``; ``voice`` may be given when already computed
    for the team's organisation and time zone."""
    if voice is None:
        zone = zoneinfo.ZoneInfo(team.timezone)
        voice = await customer_voice(session, team.org_id, week, zone, highlights=highlights)
    part = (await team_parts(session, [(team, week)]))[team.id]
    return digest_of(team, week, library, voice, part)


@dataclass
class TeamPart:
    """What a digest says about the team itself: the prompts it got lately (newest first),
    the ideas it logged or finished in the week and the week's nudges."""

    recent: list[str] = field(default_factory=list)
    ideas: list[Any] = field(default_factory=list)
    nudged: int = 0
    answered: int = 0


# Many teams per query: a fan-out asks for the team parts of a chunk of teams at once.
_PER_QUERY = 500


async def team_parts(session: AsyncSession, teams: list[tuple[Team, Week]]) -> dict[int, TeamPart]:
    """The team part of the digest of each (team, week), by team id: one query per week
    and two per week and time zone among ``teams`` (three in all, nearly always), not three
    per team."""
    parts = {team.id: TeamPart() for team, _ in teams}
    groups: dict[tuple[Week, str], list[int]] = defaultdict(list)
    for team, week in teams:
        groups[(week, team.timezone)].append(team.id)
    by_week: dict[Week, list[int]] = defaultdict(list)
    for (week, _zone), ids in groups.items():
        by_week[week].extend(ids)
    for week, ids in by_week.items():
        for chunk in range(0, len(ids), _PER_QUERY):
            await _recent_prompts(session, week, ids[chunk : chunk + _PER_QUERY], parts)
    for (week, zone_name), ids in groups.items():
        start, end = week.bounds(zoneinfo.ZoneInfo(zone_name))
        for chunk in range(0, len(ids), _PER_QUERY):
            await _ideas_and_nudges(session, start, end, ids[chunk : chunk + _PER_QUERY], parts)
    return parts


async def _recent_prompts(
    session: AsyncSession, week: Week, team_ids: list[int], parts: dict[int, TeamPart]
) -> None:
    # The prompts of each team's 20 latest other digests; only the prompt id is read, not
    # the whole stored digest.
    latest = (
        select(
            Digest.team_id,
            Digest.week,
            Digest.payload[("waarom", "id")].as_string().label("prompt"),
            func.row_number()
            .over(partition_by=Digest.team_id, order_by=Digest.week.desc())
            .label("n"),
        )
        .where(Digest.team_id.in_(team_ids), Digest.week != str(week))
        .subquery()
    )
    rows = await session.execute(
        select(latest.c.team_id, latest.c.prompt)
        .where(latest.c.n <= 20)
        .order_by(latest.c.team_id, latest.c.week.desc())
    )
    for team_id, prompt in rows:
        if prompt:
            parts[team_id].recent.append(prompt)


async def _ideas_and_nudges(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    team_ids: list[int],
    parts: dict[int, TeamPart],
) -> None:
    ideas = await session.execute(
        select(
            Idea.team_id,
            Idea.id,
            Idea.why,
            Idea.how,
            Idea.status,
            Idea.created_at,
            Idea.done_at,
            Idea.merged_into_id,
        )
        .where(
            Idea.team_id.in_(team_ids),
            or_(
                and_(Idea.created_at >= start, Idea.created_at < end),
                and_(Idea.status == "done", Idea.done_at >= start, Idea.done_at < end),
            ),
        )
        .order_by(Idea.id)
    )
    for idea in ideas:
        parts[idea.team_id].ideas.append(idea)
    counts = await session.execute(
        select(Nudge.team_id, func.count(), func.count().filter(Nudge.status == "answered"))
        .where(Nudge.team_id.in_(team_ids), Nudge.sent_at >= start, Nudge.sent_at < end)
        .group_by(Nudge.team_id)
    )
    for team_id, nudged, answered in counts:
        parts[team_id].nudged, parts[team_id].answered = int(nudged), int(answered)


def digest_of(
    team: Team, week: Week, library: PromptLibrary, voice: CustomerVoice, part: TeamPart
) -> DigestData:
    """The digest from its two halves: the organisation's customer voice and the team part."""
    start, end = week.bounds(zoneinfo.ZoneInfo(team.timezone))
    waarom = choose_prompt(
        library,
        team.language,
        "waarom",
        recent=part.recent,
        theme_words=voice.themes[0]["keywords"] if voice.themes else (),
        seed=f"{team.id}:{week}",
    )
    logged = [i for i in part.ideas if start <= i.created_at < end and i.merged_into_id is None]
    done = [i for i in part.ideas if i.status == "done" and i.done_at and start <= i.done_at < end]
    return DigestData(
        team_id=team.id,
        team_name=team.name,
        language=team.language,
        week=str(week),
        start=week.monday().isoformat(),
        end=(week.monday() + dt.timedelta(days=6)).isoformat(),
        count=voice.count,
        previous_count=voice.previous_count,
        average=voice.average,
        previous_average=voice.previous_average,
        pain=voice.pain,
        delight=voice.delight,
        neutral=voice.neutral,
        scored=voice.scored,
        segments=voice.segments,
        themes=[in_language(theme, team.language) for theme in voice.themes],
        highlights=[in_language(h, team.language) for h in voice.highlights],
        put_up_with=voice.put_up_with,
        differences=voice.differences,
        waarom={"id": waarom.id, "text": waarom.text},
        ideas_logged=[{"id": i.id, "why": i.why, "how": i.how, "status": i.status} for i in logged],
        ideas_done=[{"id": i.id, "why": i.why, "how": i.how} for i in done],
        answered=part.answered,
        nudged=part.nudged,
    )


async def remember(session: AsyncSession, data: DigestData) -> None:
    """Keep the digest of a week; the first one built wins (one per team per week, by the
    unique constraint, also when two processes build it at the same moment)."""
    await remember_many(session, [data])


async def remember_many(session: AsyncSession, datas: list[DigestData]) -> None:
    """:func:`remember` for several digests in one statement."""
    if not datas:
        return
    now = dt.datetime.now(dt.UTC)
    values = [
        {"team_id": data.team_id, "week": data.week, "payload": data.to_json(), "created_at": now}
        for data in datas
    ]
    insert = (
        postgresql.insert(Digest)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(Digest)
    )
    await session.execute(
        insert.values(values).on_conflict_do_nothing(index_elements=["team_id", "week"])
    )


def _signed(value: float) -> str:
    return f"+{value:g}" if value > 0 else f"{value:g}"


def step_name(t: Translator, step: str | None) -> str:
    """A journey step in the reader's language; a step of the source's own, as it was
    written (redacted, its markers in the reader's language)."""
    if not step:
        return ""
    known = t(f"steps.{step}")
    return shown(step, t) if known == f"steps.{step}" else known


def attribution(t: Translator, segment: str | None, step: str | None, score: float | None) -> str:
    bits = [shown(segment, t) if segment else t("digest.unknown_segment")]
    if step:
        bits.append(step_name(t, step))
    if score is not None:
        bits.append(t("digest.score_short", score=f"{score:g}"))
    return " · ".join(bits)


def render_digest(data: DigestData, t: Translator) -> Message:
    parts: list[Part] = [
        Heading(t("digest.title", week=data.week, team=data.team_name or "—")),
        Paragraph(period(t, data.start, data.end), muted=True),
    ]
    if data.count == 0:
        parts.append(Paragraph(t("digest.empty")))
    else:
        change = data.count - data.previous_count
        facts = [
            (t("digest.count"), t("digest.count_value", count=data.count, change=_signed(change)))
        ]
        if data.average is not None:
            avg = number(t, data.average)
            if data.previous_average is not None:
                change_avg = round(data.average - data.previous_average, 1)
                avg += f" ({number(t, change_avg, signed=True)})"
            facts.append((t("digest.average"), avg))
        facts.append(feelings(t, data))
        if data.segments:
            facts.append(
                (
                    t("digest.segments"),
                    ", ".join(
                        f"{shown(s['name'], t) if s['name'] else t('digest.unknown_segment')} "
                        f"{s['count']}"
                        for s in data.segments[:6]
                    ),
                )
            )
        parts.append(Facts(tuple(facts)))
        if data.themes:
            parts.append(Heading(t("digest.themes")))
            parts.append(
                Paragraph(
                    "\n".join(
                        t(
                            "digest.theme_line",
                            name=theme.get("label") or theme["name"],
                            count=theme["count"],
                            change=_signed(theme["count"] - theme["previous"]),
                        )
                        for theme in data.themes
                    )
                )
            )
        if data.highlights:
            parts.append(Heading(t("digest.highlights")))
            parts.extend(
                Quote(shown(h["text"], t), attribution(t, h["segment"], h["step"], h["score"]))
                for h in data.highlights
            )
        parts.extend(put_up_with_parts(t, data, attribution))
        parts.extend(differences_parts(t, data))
    if data.waarom:
        parts.append(Divider())
        parts.append(Heading(t("digest.waarom")))
        parts.append(Paragraph(data.waarom["text"]))
    parts.append(Divider())
    parts.append(Heading(t("digest.ideas")))
    parts.append(Paragraph(plural(t, "digest.ideas_logged_n", len(data.ideas_logged))))
    if data.ideas_done:
        parts.append(Paragraph(t("digest.you_said_we_did")))
        parts.extend(Paragraph(f"#{i['id']} {one_line(i['how'])}") for i in data.ideas_done[:10])
    if data.nudged:
        parts.append(
            Paragraph(
                plural(t, "digest.participation_n", data.nudged, answered=data.answered),
                muted=True,
            )
        )
    summary = t("digest.summary", week=data.week, count=data.count)
    return Message(tuple(parts), summary)

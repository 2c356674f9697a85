"""Neutral messages and forms the chat handlers send: prompts, idea lists, help, home."""

from __future__ import annotations

from collections.abc import Sequence

from bot.clock.schedule import describe
from bot.digest.wording import attribution
from bot.engine.ideas import MAX_ANSWER, STATUSES
from bot.engine.prompts import Prompt
from bot.i18n import Translator
from bot.intake.markers import shown
from bot.intake.normalise import MAX_TEXT
from bot.intake.safe_text import one_line
from bot.messages import (
    Button,
    Choices,
    Divider,
    Field,
    Form,
    Heading,
    Message,
    Option,
    Paragraph,
    Part,
    Quote,
)
from bot.storage.models import Feedback, Idea, Nudge, Team

COMMANDS = ("help", "ask", "feedback", "ideas", "idea", "merge", "digest", "settings", "board")
LEAD_COMMANDS = ("idea", "merge", "settings")


def text_message(text: str, *, muted: bool = False) -> Message:
    return Message((Paragraph(text, muted=muted),), text)


def thanks_message(t: Translator, thanks: str, similar: Sequence[int]) -> Message:
    """The thanks for an answer; ideas like it each get a vote button (an idea someone had
    already is worth a vote more than a second copy)."""
    parts: list[Part] = [Paragraph(thanks)]
    if similar:
        parts.append(
            Choices(
                tuple(Button(t("idea.vote_button", id=i), "idea.vote", str(i)) for i in similar)
            )
        )
    return Message(tuple(parts), thanks)


def help_message(t: Translator, *, unknown: str | None = None, lead: bool = False) -> Message:
    parts: list[Part] = []
    if unknown:
        parts.append(Paragraph(t("help.unknown", word=unknown)))
    parts.append(Heading(t("help.title")))
    parts.append(Paragraph(t("help.intro")))
    lines = [t(f"help.cmd.{name}") for name in COMMANDS if lead or name not in LEAD_COMMANDS]
    parts.append(Paragraph("\n".join(lines)))
    if not lead:
        parts.append(Paragraph(t("help.leads_only"), muted=True))
    return Message(tuple(parts), t("help.title"))


def quote_text(feedback: Feedback) -> str:
    """The customer's words inside a sentence of ours: on one line, so they stay in it."""
    return f"“{one_line(feedback.redacted)}”"


def prompt_message(
    t: Translator, prompt: Prompt, nudge: Nudge, quote: Feedback | None, *, state: str | None = None
) -> Message:
    """A nudge: the customer's words, the question and Answer / Skip / Later.

    ``state`` ("answered", "skipped", "snoozed") replaces the buttons once acted upon.
    """
    parts: list[Part] = [Heading(t("nudge.title"))]
    if quote is not None:
        who = one_line(attribution(t, quote.segment, quote.step, quote.score))
        if prompt.kind == "quote":
            parts.append(
                Paragraph(
                    prompt.render(
                        quote=shown(quote_text(quote), t),
                        segment=shown(one_line(quote.segment or ""), t)
                        or t("digest.unknown_segment"),
                    )
                )
            )
            parts.append(Paragraph(who, muted=True))
        else:
            parts.append(Quote(shown(quote.redacted, t), who))
            parts.append(Paragraph(prompt.render()))
    else:
        parts.append(Paragraph(prompt.render(quote="", segment="")))
    if state is None:
        value = str(nudge.id)
        parts.append(
            Choices(
                (
                    Button(t("nudge.answer"), "nudge.answer", value, "primary"),
                    Button(t("nudge.skip"), "nudge.skip", value),
                    Button(t("nudge.later"), "nudge.later", value),
                )
            )
        )
    else:
        parts.append(Paragraph(t(f"nudge.state.{state}"), muted=True))
    return Message(tuple(parts), t("nudge.summary"))


def answer_form(
    t: Translator, nudge: Nudge, zo: Prompt | None, *, why: str = "", how: str = ""
) -> Form:
    return Form(
        form_id="answer",
        title=t("answer.title"),
        fields=(
            Field("why", t("answer.why"), MAX_ANSWER, hint=t("answer.why_hint"), initial=why),
            Field(
                "how",
                t("answer.how"),
                MAX_ANSWER,
                hint=zo.render() if zo else t("answer.how_hint"),
                initial=how,
            ),
        ),
        submit=t("answer.submit"),
        cancel=t("form.cancel"),
        language=t.language,
        context=str(nudge.id),
    )


def feedback_form(t: Translator, prefill: str = "") -> Form:
    return Form(
        form_id="feedback",
        title=t("feedback.title"),
        fields=(
            Field("text", t("feedback.text"), MAX_TEXT, initial=prefill[:MAX_TEXT]),
            Field(
                "segment",
                t("feedback.segment"),
                64,
                required=False,
                multiline=False,
                hint=t("feedback.segment_hint"),
            ),
        ),
        submit=t("feedback.submit"),
        cancel=t("form.cancel"),
        language=t.language,
        intro=t("feedback.intro"),
    )


def _settings_fields(t: Translator, team: Team) -> tuple[Field, ...]:
    lang = t.language

    def line(name: str, limit: int, initial: str, hint: str, required: bool = True) -> Field:
        return Field(
            name,
            t(f"settings.{name}"),
            limit,
            required=required,
            multiline=False,
            initial=initial,
            hint=hint,
        )

    return (
        Field(
            "language",
            t("settings.language"),
            2,
            multiline=False,
            initial=team.language,
            options=(Option("nl", "Nederlands"), Option("en", "English")),
        ),
        line("timezone", 64, team.timezone, "Europe/Amsterdam"),
        # Schedules as the team reads them ("ma 09:00"); either language's day names are
        # accepted back.
        line("digest", 32, describe(team.digest_schedule, lang), describe("mon 09:00", lang)),
        line("nudges", 64, describe(team.nudge_schedule, lang), describe("tue,thu 10:00", lang)),
        line("quiet", 32, team.quiet_hours or "", "18:00-08:00", required=False),
    )


def settings_form(t: Translator, team: Team) -> Form:
    return Form(
        form_id="settings",
        title=t("settings.title"),
        fields=_settings_fields(t, team),
        submit=t("settings.submit"),
        cancel=t("form.cancel"),
        language=t.language,
        context=str(team.id),
        intro=t("settings.intro"),
    )


def idea_line(t: Translator, idea: Idea, names: dict[int, str]) -> str:
    """``#12 [planned] how — author · owner: name`` and the why below it. What people wrote
    is folded onto its line, so an answer cannot add a line that looks like another idea."""
    status = t(f"status.{idea.status}")
    owner = (
        f" · {t('ideas.owner')}: {one_line(names[idea.owner_member_id])}"
        if idea.owner_member_id in names
        else ""
    )
    author = one_line(names.get(idea.author_member_id or 0, ""))
    by = f" — {author}" if author else ""
    votes = f" · {t('ideas.votes', count=idea.votes)}" if idea.votes else ""
    how, why = one_line(idea.how), one_line(idea.why)
    return f"#{idea.id} [{status}] {how}{by}{owner}{votes}\n    {t('ideas.why')}: {why}"


def ideas_message(
    t: Translator, ideas: Sequence[Idea], names: dict[int, str], *, status: str | None, total: int
) -> Message:
    title = t("ideas.title_status", status=t(f"status.{status}")) if status else t("ideas.title")
    if not ideas:
        return Message((Heading(title), Paragraph(t("ideas.none"))), title)
    parts: list[Part] = [
        Heading(title),
        Paragraph("\n".join(idea_line(t, idea, names) for idea in ideas)),
    ]
    if total > len(ideas):
        parts.append(Paragraph(t("ideas.more", shown=len(ideas), total=total), muted=True))
    # As the team reads them (and may type them: `ideas gedaan`).
    statuses = ", ".join(t(f"status.{status}") for status in STATUSES)
    parts.append(Paragraph(t("ideas.statuses", statuses=statuses), muted=True))
    return Message(tuple(parts), title)


def home_message(
    t: Translator,
    open_prompts: Sequence[tuple[Nudge, Prompt, Feedback | None]],
    mine: Sequence[Idea],
    newest: Sequence[Idea],
    names: dict[int, str],
) -> Message:
    parts: list[Part] = [Heading(t("home.title")), Paragraph(t("home.intro"))]
    parts.append(Heading(t("home.open_prompts")))
    if open_prompts:
        for nudge, prompt, quote in open_prompts:
            parts.extend(prompt_message(t, prompt, nudge, quote).parts[1:])
            parts.append(Divider())
    else:
        parts.append(Paragraph(t("home.no_open_prompts"), muted=True))
    parts.append(Heading(t("home.my_ideas")))
    parts.append(
        Paragraph(
            "\n".join(idea_line(t, i, names) for i in mine) if mine else t("home.no_ideas"),
            muted=not mine,
        )
    )
    parts.append(Heading(t("home.team_ideas")))
    parts.append(
        Paragraph(
            "\n".join(idea_line(t, i, names) for i in newest) if newest else t("ideas.none"),
            muted=not newest,
        )
    )
    return Message(tuple(parts), t("home.title"))

"""The chat surface, the same on every platform: commands, buttons, forms, home, welcome.

Adapters turn platform events into these calls and render the outcomes they return
(:mod:`bot.messages`). Each call writes in one database transaction.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import board_access, command_text, directory, orgs, quick_answer, team_settings, views
from bot.bootstrap import Services
from bot.digest import Week, build_digest, render_digest
from bot.feedback import store_feedback
from bot.i18n import Translator
from bot.ideas import (
    MAX_ANSWER,
    IdeaError,
    insert_idea,
    list_ideas,
    merge,
    move,
    recent_open_ideas,
    similar_ideas,
    team_idea,
)
from bot.intake import MAX_TEXT, FieldMap, Rejected, normalise, typed_text
from bot.markers import shown
from bot.messages import (
    Facts,
    Form,
    FormErrors,
    Heading,
    Message,
    Notify,
    OpenForm,
    Outcome,
    Paragraph,
    Say,
    UpdateOrigin,
)
from bot.models import Digest, Feedback, Idea, Installation, Member, Nudge, Team, TeamMember
from bot.nudges import new_nudge, nudge_content
from bot.origin import Origin
from bot.rotation import choose_prompt
from bot.schedule import describe

ALIASES = {
    "hulp": "help",
    "?": "help",
    "vraag": "ask",
    "ideeën": "ideas",
    "ideeen": "ideas",
    "idee": "idea",
    "samenvoegen": "merge",
    "instellingen": "settings",
    "overzicht": "digest",
    "bord": "board",
}
IDEAS_SHOWN = 15


@dataclass
class Context:
    services: Services
    session: AsyncSession
    origin: Origin
    installation: Installation
    team: Team
    member: Member
    t: Translator
    _lead: bool | None = None

    @property
    def now(self) -> dt.datetime:
        return self.services.now()

    async def is_lead(self) -> bool:
        """Whether the actor leads this team; looked up when first asked, as most requests
        (answers, clicks) never need it."""
        if self._lead is None:
            self._lead = await directory.is_lead(self.session, self.team, self.member)
        return self._lead


async def _context(services: Services, session: AsyncSession, origin: Origin) -> Context:
    found = await directory.known(
        session, origin.platform, origin.workspace_id, origin.conversation_id, origin.user_id
    )
    if found is not None:
        inst, team, member, joined = found
        directory.refresh_member(
            member,
            display_name=origin.user_name,
            timezone=origin.user_timezone,
            is_admin=origin.user_is_admin,
            address=origin.user_address,
        )
        directory.refresh_team(
            team, name=origin.conversation_name, address=origin.conversation_address
        )
    else:
        inst, team, member = await _first_contact(services, session, origin)
        joined = False
    if origin.direct and not team.direct:
        team.direct = True
    if not inst.active:
        # An event from a workspace we marked uninstalled: it has installed us again.
        inst.active = True
        inst.disabled_at = None
    if not joined:
        await session.flush()
        await directory.join(session, team.id, member.id)
    return Context(
        services, session, origin, inst, team, member, services.catalog.translator(team.language)
    )


async def _first_contact(
    services: Services, session: AsyncSession, origin: Origin
) -> tuple[Installation, Team, Member]:
    """Find or create what :func:`directory.known` did not find all of."""
    inst = await session.scalar(
        select(Installation).where(
            Installation.platform == origin.platform,
            Installation.external_id == origin.workspace_id,
        )
    )
    if inst is None:
        org = await directory.organisation(
            session, orgs.slug_of(services.settings, origin), create=True
        )
        inst = await directory.installation(
            session, origin.platform, origin.workspace_id, org_id=org.id, name=origin.workspace_name
        )
    member = await directory.member(
        session,
        inst.id,
        origin.user_id,
        display_name=origin.user_name,
        timezone=origin.user_timezone,
        is_admin=origin.user_is_admin,
        address=origin.user_address,
    )
    team = await directory.team(
        session,
        inst,
        origin.conversation_id,
        name=origin.conversation_name,
        language=services.settings.waarom_language,
        timezone=services.settings.waarom_timezone,
        address=origin.conversation_address,
    )
    return inst, team, member


async def _home_team(ctx: Context) -> Team:
    """In a 1:1 chat, the member's most recently joined channel team stands in for the team."""
    if not ctx.team.direct:
        return ctx.team
    found = await ctx.session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            TeamMember.member_id == ctx.member.id,
            Team.direct.is_(False),
            Team.active.is_(True),
            Team.external_id != "",  # made by a click without a conversation, once
        )
        .order_by(TeamMember.joined_at.desc(), Team.id.desc())
        .limit(1)
    )
    return found or ctx.team


def _private(message: Message) -> Say:
    return Say(message, private=True)


def _refuse(ctx: Context) -> list[Outcome]:
    return [_private(views.text_message(ctx.t("lead.only")))]


# --- commands --------------------------------------------------------------------------


async def handle_text(services: Services, origin: Origin, text: str) -> list[Outcome]:
    """A command as typed: ``ideas new``, ``feedback …``, ``help`` (empty: help)."""
    typed = command_text.parse(text)
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        if not typed.word:
            return [_private(views.help_message(ctx.t, lead=await ctx.is_lead()))]
        command = ALIASES.get(typed.word, typed.word)
        handler = _COMMANDS.get(command)
        if handler is None:
            return [
                _private(views.help_message(ctx.t, unknown=typed.word, lead=await ctx.is_lead()))
            ]
        # Everyone may read the settings (the refusal of a lead command points there).
        reading = command == "settings" and typed.first.lower() == "show"
        if command in views.LEAD_COMMANDS and not reading and not await ctx.is_lead():
            return _refuse(ctx)
        return await handler(ctx, list(typed.args), typed.rest)


async def _help(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    return [_private(views.help_message(ctx.t, lead=await ctx.is_lead()))]


async def _ask(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    team = await _home_team(ctx)
    nudge = await new_nudge(ctx.session, ctx.services.library, team, ctx.member, now=ctx.now)
    prompt, quote = await nudge_content(ctx.session, ctx.services.library, nudge)
    return [Say(views.prompt_message(ctx.t, prompt, nudge, quote), private=not ctx.team.direct)]


async def _store_chat_feedback(ctx: Context, text: str, segment: str | None) -> list[Outcome]:
    # The limits in the team's language first; intake's own reasons are the importer's.
    problems = _form_problems(ctx.t, "feedback", {"text": text, "segment": segment or ""})
    if problems:
        reason = " ".join(problems.values()).rstrip(".")
        return [_private(views.text_message(ctx.t("feedback.rejected", reason=reason)))]
    record = {"text": text, "segment": segment}
    try:
        item = normalise(
            record,
            FieldMap(received_at=None, score=None, step=None, external_id=None, source=None),
            zone=zoneinfo.ZoneInfo(ctx.team.timezone),
            default_source=f"chat:{ctx.origin.platform}",
            now=ctx.now,
        )
    except Rejected as exc:
        return [_private(views.text_message(ctx.t("feedback.rejected", reason=str(exc))))]
    stored = await store_feedback(ctx.session, ctx.team.org_id, [item], logged_by=ctx.member.id)
    key = "feedback.stored" if stored else "feedback.duplicate"
    return [_private(views.text_message(ctx.t(key, text=shown(item.redacted, ctx.t))))]


async def _feedback(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    if not args:
        return [OpenForm(views.feedback_form(ctx.t))]
    segment = None
    words = rest.split()
    if words and words[-1].startswith("#") and len(words[-1]) > 1:
        segment = words[-1][1:]
        rest = rest.rsplit(None, 1)[0] if len(words) > 1 else ""
    if not rest.strip():
        return [OpenForm(views.feedback_form(ctx.t))]
    return await _store_chat_feedback(ctx, rest, segment)


async def _names(session: AsyncSession, ideas: Sequence[Idea]) -> dict[int, str]:
    ids = {i.author_member_id for i in ideas} | {i.owner_member_id for i in ideas}
    ids.discard(None)
    if not ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name, Member.external_id).where(Member.id.in_(ids))
    )
    return {row.id: row.display_name or row.external_id for row in rows}


async def _team_ids_for(ctx: Context) -> list[int]:
    if not ctx.team.direct:
        return [ctx.team.id]
    rows = await ctx.session.scalars(
        select(TeamMember.team_id).where(TeamMember.member_id == ctx.member.id)
    )
    return list(rows.all())


async def _ideas(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    status = command_text.status_named(args[0], ctx.t) if args else None
    if args and status is None:
        named = command_text.status_names(ctx.t)
        return [
            _private(views.text_message(ctx.t("ideas.bad_status", status=args[0], statuses=named)))
        ]
    team_ids = await _team_ids_for(ctx)
    ideas = await list_ideas(ctx.session, team_ids, status, limit=IDEAS_SHOWN)
    total_query = (
        select(func.count())
        .select_from(Idea)
        .where(Idea.team_id.in_(team_ids), Idea.merged_into_id.is_(None))
    )
    if status:
        total_query = total_query.where(Idea.status == status)
    total = await ctx.session.scalar(total_query) or 0
    names = await _names(ctx.session, ideas)
    return [_private(views.ideas_message(ctx.t, ideas, names, status=status, total=total))]


async def _member_by_name(ctx: Context, name: str) -> Member | None:
    cleaned = name.lstrip("@").lower()
    rows = await ctx.session.scalars(
        select(Member).where(Member.installation_id == ctx.installation.id)
    )
    for member in rows:
        if cleaned in {member.display_name.lower(), member.external_id.lower()}:
            return member
    return None


def _author_notice(ctx: Context, idea: Idea, key: str, **values: object) -> list[Outcome]:
    if idea.author_member_id is None or idea.author_member_id == ctx.member.id:
        return []
    author_t = ctx.t  # the author reads the team's language
    return [Notify(idea.author_member_id, views.text_message(author_t(key, id=idea.id, **values)))]


async def _idea(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        named = command_text.status_names(ctx.t)
        return [_private(views.text_message(ctx.t("idea.usage", statuses=named)))]
    owner: Member | None = None
    if ctx.origin.mentions:
        owner = await directory.member(ctx.session, ctx.installation.id, ctx.origin.mentions[0])
    elif len(args) > 2:
        owner = await _member_by_name(ctx, " ".join(args[2:]))
        if owner is None:
            return [
                _private(views.text_message(ctx.t("idea.unknown_owner", name=" ".join(args[2:]))))
            ]
    try:
        idea = await team_idea(ctx.session, ctx.team, int(args[0].lstrip("#")))
        status_to = command_text.status_named(args[1], ctx.t) or args[1].lower()
        events = await move(
            ctx.session, idea, status_to, actor_id=ctx.member.id, now=ctx.now, owner=owner
        )
    except IdeaError as exc:
        if exc.key == "ideas.bad_status":
            exc.values["statuses"] = command_text.status_names(ctx.t)
        return [_private(views.text_message(ctx.t(exc.key, **exc.values)))]
    status = ctx.t(f"status.{idea.status}")
    if not events:
        return [_private(views.text_message(ctx.t("idea.unchanged", id=idea.id, status=status)))]
    outcomes: list[Outcome] = [
        _private(views.text_message(ctx.t("idea.moved", id=idea.id, status=status)))
    ]
    return outcomes + _author_notice(ctx, idea, "idea.author_moved", status=status)


async def _merge(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    if len(args) != 2 or not all(a.lstrip("#").isdigit() for a in args):
        return [_private(views.text_message(ctx.t("merge.usage")))]
    try:
        idea = await team_idea(ctx.session, ctx.team, int(args[0].lstrip("#")))
        into = await team_idea(ctx.session, ctx.team, int(args[1].lstrip("#")))
        await merge(ctx.session, idea, into, actor_id=ctx.member.id, now=ctx.now)
    except IdeaError as exc:
        return [_private(views.text_message(ctx.t(exc.key, **exc.values)))]
    done: list[Outcome] = [
        _private(views.text_message(ctx.t("merge.done", id=idea.id, into=into.id)))
    ]
    return done + _author_notice(ctx, idea, "merge.author", into=into.id)


async def _digest(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    team = await _home_team(ctx)
    week = Week.to_send(ctx.now, zoneinfo.ZoneInfo(team.timezone))
    data = await build_digest(ctx.session, team, week, ctx.services.library)
    return [_private(render_digest(data, ctx.services.catalog.translator(team.language)))]


_SETTINGS_FIELDS = team_settings.FIELDS


def _settings_summary(t: Translator, team: Team, leads: Sequence[str]) -> Message:
    facts = (
        (t("settings.language"), team.language),
        (t("settings.timezone"), team.timezone),
        (t("settings.digest"), describe(team.digest_schedule, t.language)),
        (t("settings.nudges"), describe(team.nudge_schedule, t.language)),
        (t("settings.quiet"), team.quiet_hours or "—"),
        (t("settings.reminder"), t("settings.reminder_value", hours=team.reminder_hours)),
        (t("settings.leads"), ", ".join(leads) or t("settings.no_leads")),
    )

    return Message(
        (Heading(t("settings.title")), Facts(facts), Paragraph(t("settings.how"), muted=True)),
        t("settings.title"),
    )


async def _lead_names(ctx: Context, team: Team) -> list[str]:
    ids = await directory.lead_ids(ctx.session, team.id)
    if not ids:
        return []
    rows = await ctx.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id))
    return [m.display_name or m.external_id for m in rows]


async def _settings(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    team = ctx.team
    if not args:
        return [OpenForm(views.settings_form(ctx.t, team))]
    name = args[0].lower()
    if name == "show":
        return [_private(_settings_summary(ctx.t, team, await _lead_names(ctx, team)))]
    if name == "leads":
        if not ctx.origin.mentions:
            return [_private(views.text_message(ctx.t("settings.leads_usage")))]
        members = [
            await directory.member(ctx.session, ctx.installation.id, uid)
            for uid in ctx.origin.mentions
        ]
        await ctx.session.flush()
        await directory.set_leads(ctx.session, team.id, {m.id for m in members})
        names = [m.display_name or m.external_id for m in members]
        return [_private(views.text_message(ctx.t("settings.leads_set", names=", ".join(names))))]
    if name not in _SETTINGS_FIELDS or len(args) < 2:
        return [_private(views.text_message(ctx.t("settings.usage")))]
    checked = team_settings.check({name: " ".join(args[1:])}, ctx.t, team)
    if checked.errors:
        return [_private(views.text_message(" ".join(checked.errors.values())))]
    return await _settings_saved(ctx, team, checked)


async def _board(ctx: Context, args: list[str], rest: str) -> list[Outcome]:
    """A one-time sign-in link to the board, for the actor only (never in the channel)."""
    public = ctx.services.settings.waarom_public_url
    if not public:
        return [_private(views.text_message(ctx.t("board_chat.unset")))]
    await ctx.session.flush()  # a member met for the first time has its id from here on
    token = await board_access.new_link(ctx.session, ctx.member.id, now=ctx.now)
    link = board_access.link_url(public, token)
    return [_private(views.text_message(ctx.t("board_chat.link", link=link)))]


_COMMANDS = {
    "help": _help,
    "ask": _ask,
    "feedback": _feedback,
    "ideas": _ideas,
    "idea": _idea,
    "merge": _merge,
    "digest": _digest,
    "settings": _settings,
    "board": _board,
}


# --- buttons ---------------------------------------------------------------------------


async def _own_nudge(ctx: Context, value: str) -> Nudge | None:
    if not value.isdigit():
        return None
    nudge = await ctx.session.get(Nudge, int(value))
    if nudge is None:
        return None
    team = await ctx.session.get(Team, nudge.team_id)
    # Only the member it was for (or anyone in its organisation for a team-wide prompt).
    if team is None or team.org_id != ctx.team.org_id:
        return None
    if nudge.member_id is not None and nudge.member_id != ctx.member.id:
        return None
    return nudge


async def handle_action(
    services: Services, origin: Origin, action: str, value: str
) -> list[Outcome]:
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        nudge = await _own_nudge(ctx, value)
        if nudge is None:
            return [_private(views.text_message(ctx.t("nudge.not_yours")))]
        prompt, quote = await nudge_content(session, services.library, nudge)
        if nudge.status == "answered":
            return [_private(views.text_message(ctx.t("nudge.already_answered")))]
        if action == "nudge.answer":
            zo = services.library.get(await _zo_for(ctx, nudge))
            return [OpenForm(views.answer_form(ctx.t, nudge, zo))]
        if action == "nudge.skip":
            nudge.status = "skipped"
            return [
                UpdateOrigin(views.prompt_message(ctx.t, prompt, nudge, quote, state="skipped"))
            ]
        if action == "nudge.later":
            nudge.status = "snoozed"
            nudge.snoozed_until = ctx.now + dt.timedelta(days=1)
            return [
                UpdateOrigin(views.prompt_message(ctx.t, prompt, nudge, quote, state="snoozed"))
            ]
        return [_private(views.text_message(ctx.t("action.unknown")))]


async def _zo_for(ctx: Context, nudge: Nudge) -> str:

    zo = choose_prompt(ctx.services.library, ctx.t.language, "zo", recent=[], seed=str(nudge.id))
    return zo.id


# --- forms -----------------------------------------------------------------------------


def _check_text(
    t: Translator, values: Mapping[str, str], name: str, limit: int, *, required: bool = True
) -> str | None:
    value = typed_text(values.get(name) or "")
    if required and not value:
        return t("form.required")
    if len(value) > limit:
        return t("form.too_long", limit=limit, length=len(value))
    return None


# Free-text fields per form: name, longest length, required.
_TEXT_FIELDS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "answer": (("why", MAX_ANSWER, True), ("how", MAX_ANSWER, True)),
    "feedback": (("text", MAX_TEXT, True), ("segment", 64, False)),
}


def _settings_values(values: Mapping[str, str]) -> dict[str, str]:
    # An emptied field keeps its setting, except quiet hours, where empty means none.
    return {
        name: value
        for name, value in values.items()
        if name in _SETTINGS_FIELDS and (name == "quiet" or value.strip())
    }


def _form_problems(t: Translator, form_id: str, values: Mapping[str, str]) -> dict[str, str]:
    if form_id == "settings":
        return team_settings.check(_settings_values(values), t).errors
    return {
        name: problem
        for name, limit, required in _TEXT_FIELDS.get(form_id, ())
        if (problem := _check_text(t, values, name, limit, required=required))
    }


def check_form(
    services: Services, form_id: str, values: Mapping[str, str], language: str
) -> dict[str, str]:
    """What is wrong with a submitted form, field name → problem in ``language``; empty
    when it may be stored. Needs no database, so an adapter can refuse a form before it
    stores anything (:func:`save_form` checks again).
    """
    return _form_problems(services.catalog.translator(language), form_id, values)


@dataclass(frozen=True, slots=True)
class SavedForm:
    """A submitted form once :func:`save_form` has committed it: what can be said about it
    already (problems, refusals, a stored feedback item, new settings) and, for an answer,
    the idea it became, whose thanks :func:`after_form` works out later."""

    outcomes: tuple[Outcome, ...] = ()
    idea_id: int | None = None
    language: str = ""


async def save_form(
    services: Services, origin: Origin, form_id: str, context: str, values: Mapping[str, str]
) -> SavedForm:
    """Store a submitted form in one transaction, committed when this returns, and nothing
    more: an adapter acknowledges the platform after it, so it holds only the write.
    Problems come back as :class:`FormErrors` (then nothing was stored)."""
    if form_id == "answer" and not check_form(
        services, form_id, values, services.settings.waarom_language
    ):
        # In one statement when nothing but the answer needs writing (PostgreSQL).
        quick = await quick_answer.store(services, origin, context, dict(values))
        if quick is not None:
            return SavedForm(idea_id=quick[0], language=quick[1])
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        if form_id == "settings":
            return SavedForm(tuple(await _submit_settings(ctx, context, values)))
        # The adapter may have checked already (check_form); this is the check that counts.
        errors = _form_problems(ctx.t, form_id, values)
        if errors:
            return SavedForm((FormErrors(errors),))
        if form_id == "answer":
            claimed = await _claim_answer(ctx, context, values)
            if isinstance(claimed, list):
                return SavedForm(tuple(claimed))
            return SavedForm(idea_id=claimed, language=ctx.t.language)
        if form_id == "feedback":
            return SavedForm(
                tuple(
                    await _store_chat_feedback(
                        ctx, values["text"], (values.get("segment") or "").strip() or None
                    )
                )
            )
        return SavedForm((_private(views.text_message(ctx.t("action.unknown"))),))


async def after_form(services: Services, saved: SavedForm) -> list[Outcome]:
    """What to say about a saved form: for an answer the thanks, with similar ideas, and
    the prompt shown as answered. Reads only; may run after the acknowledgement."""
    if saved.idea_id is None:
        return list(saved.outcomes)
    async with services.sessions() as session:
        idea = await session.get(Idea, saved.idea_id)
        nudge = await session.get(Nudge, idea.nudge_id) if idea and idea.nudge_id else None
        if idea is None or nudge is None:  # merged or removed since: nothing left to say
            return []
        t = services.catalog.translator(saved.language)
        return await _answered(services, session, t, idea, nudge)


async def handle_form(
    services: Services, origin: Origin, form_id: str, context: str, values: Mapping[str, str]
) -> list[Outcome]:
    """Store a submitted form and say what came of it (:func:`save_form`, then
    :func:`after_form`)."""
    return await after_form(services, await save_form(services, origin, form_id, context, values))


async def _submit_settings(ctx: Context, context: str, values: Mapping[str, str]) -> list[Outcome]:
    if not await ctx.is_lead():
        return _refuse(ctx)
    team = ctx.team
    if context.isdigit() and int(context) != team.id:
        found = await ctx.session.get(Team, int(context))
        # The form names the team it changes: leading the chat it was submitted from (say,
        # one's own direct chat with the bot) does not make one a lead of that team.
        if (
            found is None
            or found.installation_id != ctx.installation.id
            or not await directory.is_lead(ctx.session, found, ctx.member)
        ):
            return _refuse(ctx)
        team = found
    checked = team_settings.check(_settings_values(values), ctx.t, team)
    if checked.errors:
        return [FormErrors(checked.errors)]
    return await _settings_saved(ctx, team, checked)


async def _settings_saved(
    ctx: Context, team: Team, checked: team_settings.Checked
) -> list[Outcome]:
    team_settings.apply(team, checked.updates)
    t = ctx.services.catalog.translator(team.language)
    said: list[Outcome] = [_private(_settings_summary(t, team, await _lead_names(ctx, team)))]
    # Warnings in the language the change was asked in, like its errors.
    said += [_private(views.text_message(w)) for w in checked.warnings.values()]
    return said


# The prompt claimed atomically, and only if it is the actor's (or their team's, in their
# organisation): a double submit, or two web processes, make one idea. Built once, as it
# runs on every answer.
_nudges, _teams = Nudge.metadata.tables["nudges"].c, Team.metadata.tables["teams"].c
_CLAIM = (
    update(Nudge.metadata.tables["nudges"])
    .where(
        _nudges.id == bindparam("nudge"),
        _nudges.status != "answered",
        or_(_nudges.member_id == bindparam("member"), _nudges.member_id.is_(None)),
        _nudges.team_id.in_(select(_teams.id).where(_teams.org_id == bindparam("org"))),
    )
    .values(status="answered", answered_at=bindparam("now"))
    .returning(_nudges.team_id, _nudges.prompt_id, _nudges.feedback_id)
)


async def _claim_answer(
    ctx: Context, context: str, values: Mapping[str, str]
) -> int | list[Outcome]:
    """Claim the prompt and write the idea, in three statements; or the refusal, when the
    prompt is not the actor's or was answered already."""
    if not context.isdigit():
        return [_private(views.text_message(ctx.t("nudge.not_yours")))]
    claimed = (
        await ctx.session.execute(
            _CLAIM,
            {
                "nudge": int(context),
                "member": ctx.member.id,
                "org": ctx.team.org_id,
                "now": ctx.now,
            },
        )
    ).first()
    if claimed is None:  # say why: not theirs, or answered already
        key = "nudge.already_answered" if await _own_nudge(ctx, context) else "nudge.not_yours"
        return [_private(views.text_message(ctx.t(key)))]
    return await insert_idea(
        ctx.session,
        team_id=claimed.team_id,
        author_id=ctx.member.id,
        why=typed_text(values["why"]),
        how=typed_text(values["how"]),
        now=ctx.now,
        nudge_id=int(context),
        prompt_id=claimed.prompt_id,
        feedback_id=claimed.feedback_id,
    )


async def _answered(
    services: Services, session: AsyncSession, t: Translator, idea: Idea, nudge: Nudge
) -> list[Outcome]:
    prompt, quote = await nudge_content(session, services.library, nudge)
    others = await recent_open_ideas(session, nudge.team_id, exclude=idea.id)
    similar = similar_ideas(f"{idea.why} {idea.how}", others)
    thanks = t("answer.thanks", id=idea.id)
    if similar:
        thanks += " " + t("answer.similar", ids=", ".join(f"#{s.idea_id}" for s in similar))
    return [
        _private(views.text_message(thanks)),
        UpdateOrigin(views.prompt_message(t, prompt, nudge, quote, state="answered")),
    ]


# --- home, welcome, lifecycle -----------------------------------------------------------


async def home(services: Services, origin: Origin) -> Message:
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        open_nudges = (
            await session.scalars(
                select(Nudge)
                .where(Nudge.member_id == ctx.member.id, Nudge.status.in_(("sent", "snoozed")))
                .order_by(Nudge.sent_at.desc())
                .limit(3)
            )
        ).all()
        prompts = []
        for nudge in open_nudges:
            prompt, quote = await nudge_content(session, services.library, nudge)
            prompts.append((nudge, prompt, quote))
        mine = (
            await session.scalars(
                select(Idea)
                .where(Idea.author_member_id == ctx.member.id, Idea.merged_into_id.is_(None))
                .order_by(Idea.created_at.desc(), Idea.id.desc())
                .limit(10)
            )
        ).all()
        team = await _home_team(ctx)
        newest = await list_ideas(session, [team.id], limit=5)
        names = await _names(session, [*mine, *newest])
        return views.home_message(ctx.t, prompts, mine, newest, names)


async def joined(services: Services, origin: Origin) -> list[Outcome]:
    """The bot was added to a conversation: register it and say hello."""
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        ctx.team.active = True
        ctx.team.disabled_reason = None
        # Whoever added the bot leads the team until leads are set (not whoever spoke first).
        if ctx.team.added_by_member_id is None and origin.user_id:
            ctx.team.added_by_member_id = ctx.member.id
        return [Say(views.text_message(ctx.t("welcome", team=ctx.team.name or "")))]


async def feedback_form(services: Services, origin: Origin, prefill: str) -> Form:
    async with services.sessions() as session, session.begin():
        ctx = await _context(services, session, origin)
        return views.feedback_form(ctx.t, prefill)


async def conversation_removed(services: Services, origin: Origin) -> None:
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Team)
            .where(
                Team.installation_id
                == select(Installation.id)
                .where(
                    Installation.platform == origin.platform,
                    Installation.external_id == origin.workspace_id,
                )
                .scalar_subquery(),
                Team.external_id == origin.conversation_id,
            )
            .values(active=False, disabled_reason="removed")
        )


async def workspace_removed(services: Services, platform: str, workspace_id: str) -> None:
    """Uninstalled or tokens revoked: stop sending; keep every idea and its history."""
    async with services.sessions() as session, session.begin():
        inst = await session.scalar(
            select(Installation).where(
                Installation.platform == platform, Installation.external_id == workspace_id
            )
        )
        if inst is None:
            return
        inst.active = False
        inst.disabled_at = services.now()
        inst.bot_token_encrypted = None
        await session.execute(
            update(Team)
            .where(Team.installation_id == inst.id)
            .values(active=False, disabled_reason="uninstalled")
        )


__all__ = [
    "Context",
    "Digest",
    "Feedback",
    "SavedForm",
    "after_form",
    "check_form",
    "conversation_removed",
    "feedback_form",
    "handle_action",
    "handle_form",
    "handle_text",
    "home",
    "joined",
    "save_form",
    "workspace_removed",
]

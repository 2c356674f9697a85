"""The chat surface end to end through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from functools import partial
from types import SimpleNamespace

from sqlalchemy import func, select

from bot import chat
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.i18n import Catalog
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.intake.redaction import LEAK_PATTERNS
from bot.messages import Choices, FormErrors, Notify, OpenForm, Quote, Say, UpdateOrigin, plain_text
from bot.storage.models import Feedback, Idea, IdeaEvent, Nudge

# The console is the operator's own terminal: its adapter vouches for it (home).
LEAD = Origin("console", "ws1", "team-a", "lead", user_name="Lea", user_is_admin=True, home=True)
ANNA = Origin("console", "ws1", "team-a", "anna", user_name="Anna", home=True)


async def _feedback(
    services: Services, texts: list[tuple[str, float, str]], days_ago: int = 1
) -> None:
    from bot.storage.directory import organisation

    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        items = [
            normalise(
                {
                    "text": text,
                    "score": score,
                    "segment": segment,
                    "received_at": (services.now() - dt.timedelta(days=days_ago)).isoformat(),
                },
                FieldMap(step=None, external_id=None, source=None),
                zone=services.zone,
                default_source="test",
                now=services.now(),
            )
            for text, score, segment in texts
        ]
        await store_feedback(session, org.id, items)


async def _ask_and_answer(services: Services, origin: Origin, why: str, how: str) -> list:
    said = await chat.handle_text(services, origin, "ask")
    buttons = next(p for p in said[0].message.parts if isinstance(p, Choices)).buttons
    opened = await chat.handle_action(services, origin, buttons[0].action, buttons[0].value)
    form = opened[0].form
    return await chat.handle_form(
        services, origin, form.form_id, form.context, {"why": why, "how": how}
    )


async def test_ask_shows_a_redacted_customer_quote_with_three_actions(services: Services) -> None:
    await _feedback(
        services,
        [("Monteur kwam pas na 9 dagen; bel me op 06-12345678 of mail a@b.nl", 3, "forens")],
    )
    said = await chat.handle_text(services, ANNA, "ask")
    assert isinstance(said[0], Say)
    text = plain_text(said[0].message)
    assert "9 dagen" in text
    assert "06-12345678" not in text and "a@b.nl" not in text
    assert all(not pattern.search(text) for pattern in LEAK_PATTERNS)
    labels = [b.label for p in said[0].message.parts if isinstance(p, Choices) for b in p.buttons]
    assert labels == ["Answer", "Skip", "Later"]


async def test_an_answer_becomes_an_idea_linked_to_prompt_and_quote(services: Services) -> None:
    await _feedback(
        services,
        [("De app crasht bij het melden van een lekke band, 3 keer geprobeerd", 4, "student")],
    )
    outcomes = await _ask_and_answer(
        services,
        ANNA,
        "We testen de app niet op oude telefoons",
        "Test elke release op 3 oude toestellen",
    )
    assert "#1" in plain_text(outcomes[0].message)
    assert isinstance(outcomes[1], UpdateOrigin)
    assert "Answered" in plain_text(outcomes[1].message)
    async with services.sessions() as session:
        idea = (await session.scalars(select(Idea))).one()
        nudge = await session.get(Nudge, idea.nudge_id)
    assert (idea.why, idea.status) == ("We testen de app niet op oude telefoons", "new")
    assert nudge is not None and nudge.status == "answered"
    assert idea.prompt_id == nudge.prompt_id and idea.feedback_id == nudge.feedback_id is not None
    listed = await chat.handle_text(services, ANNA, "ideas")
    assert "Test elke release op 3 oude toestellen" in plain_text(listed[0].message)


async def test_an_over_long_or_empty_answer_is_refused_and_nothing_stored(
    services: Services,
) -> None:
    said = await chat.handle_text(services, ANNA, "ask")
    value = next(p for p in said[0].message.parts if isinstance(p, Choices)).buttons[0].value
    outcomes = await chat.handle_form(
        services, ANNA, "answer", value, {"why": "x" * 1001, "how": " "}
    )
    assert outcomes == [
        FormErrors(
            {"why": "At most 1000 characters (this is 1001).", "how": "Please fill this in."}
        )
    ]
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 0
        assert (await session.scalars(select(Nudge.status))).one() == "sent"


def test_forms_are_checked_without_the_database() -> None:
    # Only the catalog: an adapter can answer a submission at once, before any storing.
    check = partial(chat.check_form, SimpleNamespace(catalog=Catalog.load()))
    assert check("answer", {"why": "x" * 1001, "how": " "}, "en") == {
        "why": "At most 1000 characters (this is 1001).",
        "how": "Please fill this in.",
    }
    assert check("answer", {"how": "ok"}, "nl") == {"why": "Vul dit veld in."}
    assert check("answer", {"why": "a", "how": "b"}, "en") == {}
    assert check("feedback", {"text": "Slow", "segment": "s" * 65}, "en") == {
        "segment": "At most 64 characters (this is 65)."
    }
    assert check("feedback", {"text": "Slow"}, "en") == {}
    assert set(check("settings", {"timezone": "Mars/Base", "digest": "mon 09:00"}, "en")) == {
        "timezone"
    }
    assert check("settings", {"timezone": "", "quiet": ""}, "en") == {}


async def test_an_answer_like_an_open_idea_points_to_it(services: Services) -> None:
    await _ask_and_answer(
        services, ANNA, "Customers wait too long for the mechanic", "Schedule mechanics at night"
    )
    await _ask_and_answer(services, ANNA, "The invoice is unclear", "Show the VAT on its own line")
    like_first = await _ask_and_answer(
        services, LEAD, "Customers wait long for a mechanic", "Schedule the mechanics at night"
    )
    thanks = plain_text(like_first[0].message)
    assert "#3" in thanks and "Looks like: #1." in thanks
    # Closed ideas are not offered as the original.
    await chat.handle_text(services, LEAD, "idea 1 done")
    await chat.handle_text(services, LEAD, "idea 3 done")
    again = await _ask_and_answer(
        services, ANNA, "Customers wait for the mechanic", "Mechanics at night"
    )
    assert "Looks like" not in plain_text(again[0].message)


async def test_leads_move_ideas_and_the_author_is_told(services: Services) -> None:
    await chat.handle_text(services, LEAD, "help")  # the lead (an admin) joins first
    await _ask_and_answer(
        services, ANNA, "Klanten wachten op de monteur", "Monteur stuurt een sms vooraf"
    )
    refused = await chat.handle_text(services, ANNA, "idea 1 planned")
    assert refused[0].private and "Only team leads" in plain_text(refused[0].message)

    moved = await chat.handle_text(services, LEAD, "idea 1 planned Lea")
    assert "Idea #1 is now planned" in plain_text(moved[0].message)
    notice = moved[1]
    assert isinstance(notice, Notify) and "Your idea #1 is now: planned" in plain_text(
        notice.message
    )
    # Delivered where the core found the author: no adapter looks her up again.
    assert (notice.target.platform, notice.target.user_id) == ("console", "anna")
    done = await chat.handle_text(services, LEAD, "idea #1 done")
    assert "done" in plain_text(done[0].message)
    async with services.sessions() as session:
        idea = (await session.scalars(select(Idea))).one()
        kinds = (await session.scalars(select(IdeaEvent.kind).order_by(IdeaEvent.id))).all()
    assert idea.status == "done" and idea.done_at is not None and idea.owner_member_id is not None
    assert kinds == ["created", "status", "owner", "status"]
    bad = await chat.handle_text(services, LEAD, "idea 1 finished")
    assert "Unknown status" in plain_text(bad[0].message)


async def test_merging_a_duplicate(services: Services) -> None:
    await chat.handle_text(services, LEAD, "help")
    await _ask_and_answer(
        services, ANNA, "Monteur komt onaangekondigd", "Stuur een sms een uur vooraf"
    )
    again = await _ask_and_answer(
        services, LEAD, "Monteur komt zonder bericht", "Stuur vooraf een sms met de tijd"
    )
    assert "Looks like: #1" in plain_text(again[0].message)
    merged = await chat.handle_text(services, LEAD, "merge 1 2")
    assert "merged into #2" in plain_text(merged[0].message)
    listed = plain_text((await chat.handle_text(services, LEAD, "ideas"))[0].message)
    assert "#2" in listed and "#1 " not in listed


async def test_ideas_of_another_organisation_are_invisible(services: Services) -> None:
    mine = Origin("slack", "T1", "C1", "u1", user_is_admin=True)
    theirs = Origin("slack", "T2", "C2", "u2", user_is_admin=True)
    await _ask_and_answer(services, mine, "Geheim van T1", "Alleen voor T1")
    listed = plain_text((await chat.handle_text(services, theirs, "ideas"))[0].message)
    assert "Geheim" not in listed
    moved = await chat.handle_text(services, theirs, "idea 1 done")
    assert "no idea #1" in plain_text(moved[0].message)


async def test_feedback_command_logs_a_story_with_a_segment(services: Services) -> None:
    said = await chat.handle_text(
        services, ANNA, "feedback Klant belde: accu leeg na 20 km, mail piet@x.nl #senior"
    )
    assert "piet@x.nl" not in plain_text(said[0].message)
    async with services.sessions() as session:
        row = (await session.scalars(select(Feedback))).one()
    assert (row.segment, row.source) == ("senior", "chat:console")
    assert row.text == "Klant belde: accu leeg na 20 km, mail piet@x.nl"
    form = await chat.handle_text(services, ANNA, "feedback")
    assert isinstance(form[0], OpenForm) and form[0].form.form_id == "feedback"


async def test_unknown_commands_get_help_naming_the_word(services: Services) -> None:
    said = await chat.handle_text(services, ANNA, "waarom frobnicate now")
    text = plain_text(said[0].message)
    assert "frobnicate" in text and "ideas [status]" in text
    nl = Origin("console", "ws1", "team-a", "anna", home=True)
    services.catalog.text("nl", "help.title")
    assert (await chat.handle_text(services, nl, "hulp"))[0].private


async def test_settings_change_language_and_schedules(services: Services) -> None:
    changed = await chat.handle_text(services, LEAD, "settings language nl")
    assert "Taal" in plain_text(changed[0].message)
    bad = await chat.handle_text(services, LEAD, "settings digest someday 25:00")
    assert (
        "unknown day" in plain_text(bad[0].message)
        or "onbekende" in plain_text(bad[0].message).lower()
    )
    errors = await chat.handle_form(
        services, LEAD, "settings", "", {"timezone": "Mars/Base", "digest": "mon 09:00"}
    )
    assert isinstance(errors[0], FormErrors) and "timezone" in errors[0].errors
    refused = await chat.handle_text(services, ANNA, "settings")
    assert "lead" in plain_text(refused[0].message).lower()


async def test_digest_preview_and_home(services: Services) -> None:
    await _feedback(
        services,
        [(f"Levering {n} dagen te laat, moest vrij nemen", n % 10, "forens") for n in range(8)],
        days_ago=7,
    )
    said = await chat.handle_text(services, ANNA, "digest")
    assert said[0].private
    assert any(isinstance(p, Quote) for p in said[0].message.parts)
    await chat.handle_text(services, ANNA, "ask")
    home = await chat.home(services, ANNA)
    assert "Open questions for you" in plain_text(home)


def test_similarity_scores_match_scikit_learns_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from bot.engine.ideas import IdeaText, similar_ideas
    from bot.voice.text import stems

    texts = [
        "Klanten wachten te lang op de monteur. Plan monteurs ook 's avonds in",
        "Customers wait too long for the mechanic; schedule mechanics at night",
        "De factuur is onduidelijk, zet de btw apart",
        "Monteur komt te laat bij klanten, avondafspraken aanbieden",
        "The invoice is unclear: show VAT separately",
        "Klanten wachten lang op een monteur; plan de monteurs 's avonds in",
        "Customers wait long for a mechanic: schedule the mechanics at night",
    ]
    found_any = False
    for target in texts:
        others = [IdeaText(n, text) for n, text in enumerate(texts, 1) if text != target]
        matrix = TfidfVectorizer(analyzer=lambda tokens: tokens).fit_transform(
            [stems(text) for text in (target, *(o.text for o in others))]
        )
        expected = dict(
            zip((o.id for o in others), cosine_similarity(matrix[0], matrix[1:])[0], strict=True)
        )
        found_any = found_any or bool(similar_ideas(target, others))
        for found in similar_ideas(target, others, limit=len(others)):
            assert abs(found.similarity - expected[found.idea_id]) < 1e-9
        assert {f.idea_id for f in similar_ideas(target, others, limit=len(others))} == {
            n for n, score in expected.items() if score >= 0.35
        }
    assert found_any


async def test_the_reminder_delay_is_a_setting(services: Services) -> None:
    changed = await chat.handle_text(services, LEAD, "settings reminder 48")
    assert "Reminder after: 48 hours" in plain_text(changed[0].message)
    bad = await chat.handle_text(services, LEAD, "settings reminder 0")
    assert "from 1 to 168" in plain_text(bad[0].message)


async def test_a_workspace_that_comes_back_is_active_again(services: Services) -> None:
    await chat.handle_text(services, ANNA, "help")
    await chat.workspace_removed(services, "console", "ws1")
    await chat.handle_text(services, ANNA, "help")
    from bot.storage.models import Installation

    async with services.sessions() as session:
        inst = (await session.scalars(select(Installation))).one()
    assert inst.active and inst.disabled_at is None


async def test_whoever_added_the_bot_leads_not_whoever_spoke_first(services: Services) -> None:
    bob = Origin("console", "ws1", "team-b", "bob", user_name="Bob", home=True)
    cleo = Origin("console", "ws1", "team-b", "cleo", user_name="Cleo", home=True)
    await chat.handle_text(services, bob, "help")  # speaks before the bot is added
    await chat.joined(services, cleo)  # Cleo adds the bot
    refused = await chat.handle_text(services, bob, "settings language en")
    assert "Only team leads" in plain_text(refused[0].message)
    changed = await chat.handle_text(services, cleo, "settings language en")
    assert "Language" in plain_text(changed[0].message)


async def _nudge_status(services: Services) -> tuple[str, dt.datetime | None]:
    async with services.sessions() as session:
        nudge = (await session.scalars(select(Nudge))).one()
    return nudge.status, nudge.snoozed_until


async def test_later_on_a_skipped_prompt_leaves_it_skipped(services: Services) -> None:
    said = await chat.handle_text(services, ANNA, "ask")
    buttons = next(p for p in said[0].message.parts if isinstance(p, Choices)).buttons
    await chat.handle_action(services, ANNA, "nudge.skip", buttons[1].value)
    # "Later" pressed on a copy of the prompt that still shows its buttons (another device).
    later = await chat.handle_action(services, ANNA, "nudge.later", buttons[2].value)
    assert isinstance(later[0], UpdateOrigin)
    assert "Skipped" in plain_text(later[0].message)
    assert "ask again tomorrow" not in plain_text(later[0].message)
    # Not snoozed: the clock would otherwise remind her of a prompt she skipped.
    assert await _nudge_status(services) == ("skipped", None)


async def test_a_snoozed_prompt_can_still_be_skipped(services: Services) -> None:
    said = await chat.handle_text(services, ANNA, "ask")
    buttons = next(p for p in said[0].message.parts if isinstance(p, Choices)).buttons
    await chat.handle_action(services, ANNA, "nudge.later", buttons[2].value)
    assert (await _nudge_status(services))[0] == "snoozed"
    await chat.handle_action(services, ANNA, "nudge.skip", buttons[1].value)
    assert (await _nudge_status(services))[0] == "skipped"


async def test_an_author_whose_workspace_is_gone_is_not_told(services: Services) -> None:
    from bot.storage import directory
    from bot.storage.models import Installation, Member

    await chat.handle_text(services, ANNA, "help")
    async with services.sessions() as session:
        anna = (await session.scalars(select(Member))).one()
        found = await directory.reachable_member(session, anna.id)
    assert found is not None and (found.platform, found.workspace_id, found.user_id) == (
        "console",
        "ws1",
        "anna",
    )
    await chat.workspace_removed(services, "console", "ws1")
    async with services.sessions() as session:
        assert (await session.scalars(select(Installation.active))).one() is False
        assert await directory.reachable_member(session, anna.id) is None
        assert await directory.reachable_member(session, anna.id + 1000) is None


async def test_a_vote_pressed_again_is_taken_back_and_other_teams_ideas_get_none(
    services: Services,
) -> None:
    await _ask_and_answer(services, ANNA, "Invoices are hard to find", "Link them")

    def said(outcomes: list) -> str:
        return " ".join(plain_text(o.message) for o in outcomes)

    counted = await chat.handle_action(services, LEAD, "idea.vote", "1")
    assert "Your vote for #1 counts (1 in all)." in said(counted)
    taken = await chat.handle_action(services, LEAD, "idea.vote", "1")
    assert "Your vote for #1 is taken back." in said(taken)
    # Someone of another team (here: another organisation) cannot vote for it.
    stranger = Origin("console", "ws2", "team-z", "zed", user_name="Zed")
    refused = await chat.handle_action(services, stranger, "idea.vote", "1")
    assert "There is no idea #1" in said(refused)
    async with services.sessions() as session:
        assert await session.scalar(select(Idea.votes).where(Idea.id == 1)) == 0

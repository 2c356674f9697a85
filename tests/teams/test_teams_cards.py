"""Rendering: every neutral part becomes valid Adaptive Card 1.5, and text stays text: no
markdown, no mention, no hidden character, no line of its own where a card has one line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.teams import cards
from adapters.teams.proactive import card_activity
from bot.messages import (
    Button,
    Choices,
    Divider,
    Facts,
    Field,
    Form,
    Heading,
    Message,
    Option,
    Paragraph,
    Quote,
)
from tests.support.teams_support import assert_valid_card

EVERYTHING = Message(
    (
        Heading("This week"),
        Paragraph("12 customers spoke.", muted=True),
        Divider(),
        Quote("The app logs me out *every* time <at>Bob</at>", "a customer, onboarding"),
        Facts((("NPS", "42 (+3)"), ("Segment [pro]", "_all_"))),
        Choices(
            (Button("Answer", "nudge.answer", "7", "primary"), Button("Skip", "nudge.skip", "7"))
        ),
    ),
    "This week",
)
FORM = Form(
    "settings",
    "Settings",
    (
        Field(
            "language", "Language", options=(Option("nl", "Nederlands"), Option("en", "English"))
        ),
        Field("quiet", "Quiet hours", required=False, multiline=False, hint="18:00-08:00"),
    ),
    "Save",
    "Cancel",
    context="3",
    intro="Change how Waarom works here.",
)


def test_a_message_with_every_part_is_a_valid_card() -> None:
    card = cards.message_card(EVERYTHING)
    assert_valid_card(card)
    assert card["fallbackText"] == "This week"
    quote = card["body"][2]
    assert quote["separator"] is True
    # People's words are TextRuns: shown as typed, never as markdown or a mention.
    assert (
        quote["items"][0]["inlines"][0]["text"] == "“The app logs me out *every* time <at>Bob</at>”"
    )
    # Facts are TextRuns too (a FactSet's markdown escapes show on some clients).
    row = card["body"][3]["items"][1]
    assert [column["items"][0]["inlines"][0]["text"] for column in row["columns"]] == [
        "Segment [pro]",
        "_all_",
    ]
    actions = card["body"][4]["actions"]
    assert actions[0]["data"] == {"waarom_action": "nudge.answer", "waarom_value": "7"}
    assert actions[0]["style"] == "positive"


def test_forms_errors_and_answers_are_valid_cards() -> None:
    assert_valid_card(cards.form_card(FORM))
    refused = cards.form_card(
        FORM, values={"language": "en", "quiet": "nonsense"}, errors={"quiet": "Use HH:MM-HH:MM"}
    )
    assert_valid_card(refused)
    quiet = next(e for e in refused["body"] if e.get("id") == "quiet")
    assert quiet["value"] == "nonsense"
    assert_valid_card(cards.submitted_card(FORM, {"language": "en", "quiet": ""}))


def test_a_form_survives_the_round_trip_through_submit_data() -> None:
    card = cards.form_card(FORM)
    data = card["actions"][0]["data"]
    assert cards.form_from_spec(data[cards.SPEC]) == FORM
    assert data[cards.CONTEXT] == "3"


@given(st.text(max_size=200), st.text(max_size=50))
def test_any_text_renders_to_a_valid_card(text: str, label: str) -> None:
    message = Message((Heading(text), Quote(text, label), Facts(((label, text),))), text)
    assert_valid_card(cards.message_card(message))


MARKUP = "*bold* _it_ ~s~ `code` **strong** [link](https://evil.example) # heading"
WORDS = f"{MARKUP}\n> quote\n- item\n1. first\n<at>Bob</at> @here zero\u200bwidth \u202eevil"
SHOWN = f"{MARKUP}\n> quote\n- item\n1. first\n<at>Bob</at> @here zerowidth evil"
HOSTILE = Message(
    (
        Heading("\u202eevil team\n#999 [done] fake"),
        Paragraph(WORDS),
        Quote(WORDS, "a segment\n#999 [done] fake"),
        Facts((("Segment\n- x", "> quote\n<!here> **b**"),)),
        Choices((Button("Answer\u200b\nnow", "nudge.answer", "1"),)),
    ),
    summary="sum\u202emary\n#999",
)


def _texts(element: Any) -> list[tuple[str, str]]:
    """(element type, text) of every text a card shows."""
    found: list[tuple[str, str]] = []
    if isinstance(element, dict):
        for key in ("text", "title", "label", "placeholder", "fallbackText"):
            if isinstance(element.get(key), str):
                found.append((str(element.get("type", "AdaptiveCard")), element[key]))
        for value in element.values():
            found.extend(_texts(value))
    elif isinstance(element, list):
        for item in element:
            found.extend(_texts(item))
    return found


@pytest.mark.finding(7)
def test_people_text_is_shown_as_typed_never_as_markdown() -> None:
    card = cards.message_card(HOSTILE)
    assert_valid_card(card)
    shown = _texts(card)
    # Only TextRuns (never markdown) and titles of actions (plain) carry text.
    assert {kind for kind, _ in shown} <= {"TextRun", "Action.Submit", "AdaptiveCard"}
    raw = json.dumps(card, ensure_ascii=False)
    assert "\u202e" not in raw and "\u200b" not in raw
    heading, paragraph, quote, facts, actions = card["body"]
    assert heading["inlines"][0]["text"] == "evil team #999 [done] fake"
    assert paragraph["inlines"][0]["text"] == SHOWN
    assert quote["items"][0]["inlines"][0]["text"] == f"“{SHOWN}”"
    assert quote["items"][1]["inlines"][0]["text"] == "— a segment #999 [done] fake"
    [row] = facts["items"]
    assert [c["items"][0]["inlines"][0]["text"] for c in row["columns"]] == [
        "Segment - x",
        "> quote <!here> **b**",
    ]
    assert actions["actions"][0]["title"] == "Answer now"
    assert card["fallbackText"] == "summary #999"


def test_a_form_shows_labels_on_one_line_and_values_as_typed() -> None:
    form = Form(
        "answer",
        "Answer\u202e\nnow",
        (Field("why", "Why\n- list", hint="hint\u200b\nmore"),),
        "Send",
        "Cancel",
        intro="Intro\n> kept as typed",
    )
    card = cards.form_card(form, errors={"why": "Too\nlong\u202e"})
    assert_valid_card(card)
    title, intro, field, error = card["body"]
    assert title["inlines"][0]["text"] == "Answer now"
    assert intro["inlines"][0]["text"] == "Intro\n> kept as typed"
    assert (field["label"], field["placeholder"]) == ("Why - list", "hint more")
    assert error["inlines"][0]["text"] == "Too long"
    done = cards.submitted_card(form, {"why": "line one\n#999 [done] fake\u200b"})
    assert done["body"][2]["inlines"][0]["text"] == "line one\n#999 [done] fake"


def test_the_notification_summary_is_one_clean_line() -> None:
    card = cards.message_card(HOSTILE)
    assert card_activity(card, HOSTILE.summary).summary == "summary #999"

"""Rendering: every neutral part becomes valid Adaptive Card 1.5, and text stays text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from teams_support import assert_valid_card

from adapters.teams import cards
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
    assert card["body"][3]["facts"][1] == {"title": r"Segment \[pro\]", "value": r"\_all\_"}
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

"""Block Kit rendering: inside Slack's limits for any input, and people's text never a
mention, a link, formatting or a line of its own."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import render
from adapters.slack.text import chunks, cut_markup, literal
from bot.chat.views import home_message, ideas_message
from bot.i18n import Catalog
from bot.intake.safe_text import clean
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
from bot.storage.models import Idea
from tests.support.slack_support import (
    assert_valid_blocks,
    assert_valid_view,
    formatting,
    live_markup,
    parsed_texts,
)

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=7000)
parts = st.one_of(
    st.builds(Heading, texts),
    st.builds(Paragraph, texts, st.booleans()),
    st.builds(Quote, texts, texts),
    st.builds(Facts, st.lists(st.tuples(texts, texts), max_size=25).map(tuple)),
    st.builds(
        Choices,
        st.lists(
            st.builds(
                Button,
                texts,
                st.sampled_from(["nudge.answer", "idea.vote"]),
                st.text(max_size=3000),
            ),
            max_size=60,
        ).map(tuple),
    ),
    st.just(Divider()),
)
messages = st.builds(Message, st.lists(parts, max_size=80).map(tuple), texts)


@settings(max_examples=150, deadline=None)
@given(messages)
def test_any_message_renders_within_limits(message: Message) -> None:
    pages = render.message_pages(message)
    for page in pages:
        assert len(page["text"]) <= render.FALLBACK_TEXT
        assert page["text"]
        if "blocks" in page:
            assert_valid_blocks(page["blocks"])
    assert live_markup(pages) == []
    assert formatting(pages) == []


@settings(max_examples=100, deadline=None)
@given(messages)
def test_any_message_fits_the_home_tab(message: Message) -> None:
    view = render.home_view(message)
    assert_valid_view(view)


@given(texts, st.integers(min_value=10, max_value=3000))
def test_chunks_fit_and_lose_only_whitespace(text: str, limit: int) -> None:
    pieces = chunks(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


def test_mentions_and_entities_stay_text() -> None:
    message = Message(
        (Paragraph("Hey <!channel> & <@U123|boss>, see <https://evil.example|this>"),),
        summary="<!here> summary",
    )
    [page] = render.message_pages(message)
    # plain_text: Slack shows it as typed and parses nothing in it.
    assert page["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Hey <!channel> & <@U123|boss>, see <https://evil.example|this>",
        "emoji": True,
    }
    assert page["text"] == "&lt;!here&gt; summary"
    assert live_markup(page) == []


def test_a_long_list_is_paginated_not_cut() -> None:
    message = Message(tuple(Paragraph(f"idea {n}") for n in range(120)), summary="ideas")
    pages = render.message_pages(message)
    assert [len(page["blocks"]) for page in pages] == [50, 50, 20]
    assert pages[1]["text"] == "ideas (2/3)"
    shown = [b["text"]["text"] for page in pages for b in page["blocks"]]
    assert shown == [f"idea {n}" for n in range(120)]


def test_a_quote_is_a_rich_text_quote_of_the_words_as_typed() -> None:
    [block, context] = render.blocks_for(Message((Quote("one\ntwo > three", "a customer"),), "q"))
    assert block.to_dict() == {
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "one\ntwo > three"}]}
        ],
    }
    assert context.to_dict()["elements"][0] == {
        "type": "plain_text",
        "text": "— a customer",
        "emoji": True,
    }


def test_buttons_keep_the_core_action_and_get_unique_ids() -> None:
    choices = Choices(tuple(Button(f"b{n}", "idea.status", str(n)) for n in range(30)))
    blocks = [b.to_dict() for b in render.blocks_for(Message((choices,), "x"))]
    assert [len(b["elements"]) for b in blocks] == [25, 5]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(set(ids)) == 30
    assert {render.core_action(i) for i in ids} == {"idea.status"}


def test_modal_from_a_form() -> None:
    form = Form(
        form_id="settings",
        title="Team settings for the product team",
        fields=(
            Field(
                "language",
                "Language",
                options=tuple(Option(f"l{n}", f"Lang {n}") for n in range(150)),
                initial="l3",
            ),
            Field("why", "Waarom?", max_length=5000, initial="x" * 4000, hint="Say why"),
            Field("quiet", "Quiet hours", required=False, multiline=False),
        ),
        submit="Save these settings please",
        cancel="Cancel",
        context="42",
        intro="Change <!here> things",
    )
    view = render.modal_view(form, render.FormState("settings", "42", "C1", "1.2"))
    assert_valid_view(view)
    assert len(view["title"]["text"]) <= 24
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert len(inputs["language"]["element"]["options"]) == 100
    assert inputs["language"]["element"]["initial_option"]["value"] == "l3"
    assert inputs["why"]["element"]["max_length"] == 3000
    assert len(inputs["why"]["element"]["initial_value"]) == 3000
    assert inputs["quiet"]["optional"] is True
    assert render.FormState.decode(view["private_metadata"]) == render.FormState(
        "settings", "42", "C1", "1.2"
    )
    assert view["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Change <!here> things",
        "emoji": True,
    }


def test_submitted_values_are_read_back() -> None:
    state = {
        "why": {"why": {"type": "plain_text_input", "value": "Because"}},
        "how": {"how": {"type": "plain_text_input", "value": None}},
        "language": {"language": {"type": "static_select", "selected_option": {"value": "nl"}}},
    }
    assert render.form_values(state) == {"why": "Because", "how": "", "language": "nl"}


def test_slack_markup_becomes_plain_text() -> None:
    raw = (
        "Hi <@U1|anna>, <#C1|product> &amp; <!here>: "
        "see <https://x.example/a?b=1&amp;c=2|the page> &lt;3"
    )
    assert render.plain_from_slack(raw) == ("Hi @anna, #product & @here: see the page <3")


# --- people's text: shown as typed, never shaping the message -----------------------------

MARKUP = "*bold* _it_ ~s~ `code`"
WORDS = f"{MARKUP}\n> quote\n<!channel> @here zero\u200bwidth \u202eevil"
HOSTILE = Message(
    (
        Heading("\u202eevil team\n#999 [done] fake"),
        Paragraph(WORDS),
        Paragraph(WORDS, muted=True),
        Quote(WORDS, "a segment\n#999 [done] fake"),
        Facts((("Segment", MARKUP), ("Leads", "> quote\n<!here> @channel"))),
        Choices((Button("Answer\u200b\nnow", "nudge.answer", "1"),)),
    ),
    summary=f"{MARKUP} <!channel>\n> quote",
)
SHOWN = f"{MARKUP}\n> quote\n<!channel> @here zerowidth evil"


@pytest.mark.finding(7)
def test_people_text_never_formats_mentions_or_hides_characters() -> None:
    [page] = render.message_pages(HOSTILE)
    assert_valid_blocks(page["blocks"])
    assert live_markup(page) == []
    assert formatting(page) == []
    raw = json.dumps(page, ensure_ascii=False)
    assert "\u202e" not in raw and "\u200b" not in raw
    header, section, note, quote, attribution, facts, actions = page["blocks"]
    assert header["text"]["text"] == "evil team #999 [done] fake"
    assert section["text"] == {"type": "plain_text", "text": SHOWN, "emoji": True}
    assert note["elements"] == [{"type": "plain_text", "text": SHOWN, "emoji": True}]
    assert quote["elements"][0]["elements"] == [{"type": "text", "text": SHOWN}]
    assert attribution["elements"][0]["text"] == "— a segment #999 [done] fake"
    # Facts are mrkdwn for their bold labels: formatting characters become look-alikes, and a
    # value that starts with ">" starts with an invisible soft hyphen instead.
    assert [field["text"] for field in facts["fields"]] == [
        "*Segment*\n∗bold∗ ˍitˍ ∼s∼ ˋcodeˋ",
        "*Leads*\n\u00ad&gt; quote &lt;!here&gt; @channel",
    ]
    assert all(field["verbatim"] for field in facts["fields"])
    assert actions["elements"][0]["text"]["text"] == "Answer now"
    assert page["text"] == "∗bold∗ ˍitˍ ∼s∼ ˋcodeˋ &lt;!channel&gt; &gt; quote"


@pytest.mark.finding(7)
def test_the_home_tab_shows_people_text_the_same_way() -> None:
    view = render.home_view(HOSTILE)
    assert_valid_view(view)
    assert live_markup(view) == []
    assert formatting(view) == []
    assert all(clean(text) == text for text in parsed_texts(view) if "\u00ad" not in text)


@pytest.mark.finding(7)
def test_an_answer_cannot_add_a_line_to_the_ideas_list() -> None:
    t = Catalog.load().translator("en")
    ideas = [
        Idea(id=12, team_id=1, how="answer\n#999 [done] fake", why="> why", status="new"),
    ]
    listed = render.message_pages(ideas_message(t, ideas, {}, status=None, total=1))
    home = render.home_view(home_message(t, [], ideas, ideas, {}))
    for payload in (listed, home):
        shown = [
            line
            for block in (payload[0]["blocks"] if isinstance(payload, list) else payload["blocks"])
            if block["type"] == "section"
            for line in block["text"]["text"].splitlines()
        ]
        assert "#12 [new] answer #999 [done] fake" in shown
        assert "    why: > why" in shown
        assert not [line for line in shown if line.startswith("#999")]


def test_literal_mrkdwn_keeps_every_line_from_quoting_and_cuts_whole_entities() -> None:
    assert literal("a\n> b\n＞ c\n`x`") == "a\n\u00ad&gt; b\n\u00ad＞ c\nˋxˋ"
    assert cut_markup("ab &amp; cd", 6) == "ab …"
    assert cut_markup("ab &amp; cd", 9) == "ab &amp;…"

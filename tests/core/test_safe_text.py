"""People's text made fit to show: no hidden characters, and no line of its own where the
message has room for one line."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.views import home_message, ideas_message
from bot.digest import DigestData, render_digest
from bot.i18n import Catalog
from bot.intake.safe_text import clean, one_line
from bot.messages import plain_text
from bot.storage.models import Idea

FORGED = "answer\n#999 [done] fake"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@pytest.mark.finding(7)
def test_direction_overrides_and_zero_width_characters_are_removed() -> None:
    assert clean("\u202eevil\u202c") == "evil"
    assert clean("zero\u200bwidth\u200c\u200d\u2060\ufeff") == "zerowidth"
    assert clean("\u2066isolated\u2069 \u200emark\u200f \u061carabic") == "isolated mark arabic"
    assert clean("soft\u00adhyphen") == "softhyphen"


def test_control_characters_go_and_every_line_break_is_a_newline() -> None:
    assert clean("bell\x07 escape\x1b[2J del\x7f c1\x9b") == "bell escape[2J del c1"
    assert clean("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h") == "a\nb\nc\nd\ne\nf\ng\nh"
    assert clean("keeps\ttabs\nand newlines") == "keeps\ttabs\nand newlines"


def test_emoji_keep_their_joiners_and_flags_their_tags() -> None:
    for emoji in ("👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "👨🏽\u200d💻", "❤️\u200d🔥", SCOTLAND):
        assert clean(f"we {emoji} it") == f"we {emoji} it"
    # Between letters a joiner only hides something; tag characters alone carry hidden text.
    assert clean("pay\u200dpal") == "paypal"
    assert clean("ok\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065") == "ok"
    assert clean("\u200d👩") == "👩"


def test_one_line_folds_newlines_and_tabs_into_one_space() -> None:
    assert one_line(FORGED) == "answer #999 [done] fake"
    assert one_line("  a\t\tb \r\n\n c\u2028d  ") == "a b c d"
    assert one_line("\u202e> quote") == "> quote"


def test_every_format_character_of_this_python_is_covered() -> None:
    kept = {"\u200d"} | {chr(c) for c in range(0xE0020, 0xE0080)}  # only inside emoji
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cf", "Cc")
        and chr(code) not in kept | {"\n", "\t"}
        and clean(f"a{chr(code)}b") not in ("ab", "a\nb")
    ]
    assert missed == []


@given(texts)
def test_nothing_hidden_survives(text: str) -> None:
    for shown in (clean(text), one_line(text)):
        for index, char in enumerate(shown):
            category = unicodedata.category(char)
            if char == "\u200d":
                assert unicodedata.category(shown[index + 1]) == "So"
            elif "\U000e0020" <= char <= "\U000e007f":
                assert "🏴" in shown
            else:
                assert category not in ("Cf", "Zl", "Zp")
                assert category != "Cc" or char in "\n\t"
    assert "\n" not in one_line(text) and "\t" not in one_line(text)
    assert one_line(text) == " ".join(one_line(text).split())


# --- where the core builds a line from people's words --------------------------------------

T = Catalog.load().translator("en")
NAMES = {1: "Anna\n#998 [done] Piet", 2: "Bob"}


def _idea(number: int, how: str, why: str) -> Idea:
    return Idea(
        id=number, team_id=1, how=how, why=why, status="new", author_member_id=1, owner_member_id=2
    )


def _lines_starting_with_a_fake_idea(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith(("#998", "#999"))]


@pytest.mark.finding(7)
def test_an_answer_cannot_add_a_line_to_the_ideas_list_or_the_home_tab() -> None:
    ideas = [_idea(12, FORGED, "because\n\n#999 [done] also fake\u202e")]
    listed = plain_text(ideas_message(T, ideas, NAMES, status=None, total=1))
    home = plain_text(home_message(T, [], ideas, ideas, NAMES))
    for shown in (listed, home):
        assert _lines_starting_with_a_fake_idea(shown) == []
        assert "#12 [new] answer #999 [done] fake — Anna #998 [done] Piet · owner: Bob" in shown
        assert "    why: because #999 [done] also fake" in shown
        assert "\u202e" not in shown


@pytest.mark.finding(7)
def test_a_done_idea_cannot_add_a_line_to_the_digest() -> None:
    data = DigestData(
        team_id=1,
        team_name="Product",
        language="en",
        week="2026-W10",
        start="2026-03-02",
        end="2026-03-08",
        count=0,
        previous_count=0,
        average=None,
        previous_average=None,
        pain=0,
        delight=0,
        scored=0,
        ideas_done=[{"id": 12, "how": FORGED}],
    )
    shown = plain_text(render_digest(data, T))
    assert _lines_starting_with_a_fake_idea(shown) == []
    assert "#12 answer #999 [done] fake" in shown

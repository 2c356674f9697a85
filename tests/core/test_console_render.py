"""The terminal shows people's words without control sequences, reordering or hidden
characters, and one-line places (headings, attributions, facts, buttons) on one line."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from adapters.console.render import render
from bot.messages import Button, Choices, Facts, Heading, Message, Paragraph, Quote

FAKE = "\n#999 [done] fake"
HOSTILE = Message(
    (
        Heading(f"\u202eevil team{FAKE}"),
        Paragraph(f"answer\x1b[2J\x07 zero\u200bwidth{FAKE}"),
        Quote(f"*quote*\u202e{FAKE}", f"a segment{FAKE}"),
        Facts(((f"Segment{FAKE}", f"\x1b]0;pwned\x07value{FAKE}"),)),
        Choices((Button(f"Answer\u200b{FAKE}", "nudge.answer", "1"),)),
    ),
    "summary",
)


def test_hostile_text_shows_without_hidden_characters_and_on_its_own_lines_only() -> None:
    shown, buttons = render(HOSTILE)
    assert shown.splitlines() == [
        "evil team #999 [done] fake",
        "──────────────────────────",
        "answer[2J zerowidth",
        # A paragraph keeps the lines it was given (an answer shown in full).
        "#999 [done] fake",
        "  │ “*quote* #999 [done] fake”",
        "  │   — a segment #999 [done] fake",
        "  Segment #999 [done] fake  ]0;pwnedvalue #999 [done] fake",
        "  [1] Answer #999 [done] fake",
    ]
    assert [button.action for button in buttons] == ["nudge.answer"]


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_no_control_or_format_character_reaches_the_terminal(text: str) -> None:
    message = Message(
        (Heading(text), Paragraph(text), Quote(text, text), Facts(((text, text),))), text
    )
    shown, _ = render(message)
    assert not [
        char
        for index, char in enumerate(shown)
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")
        and char != "\n"
        and not (char == "\u200d" and unicodedata.category(shown[index + 1]) == "So")
        and not ("\U000e0020" <= char <= "\U000e007f")
    ]

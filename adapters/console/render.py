"""How neutral messages look in a terminal: plain lines, buttons numbered.

Every text passes ``bot.intake.safe_text``: control characters people wrote could otherwise clear
the screen, set the title or fake other output, and bidi overrides reorder what follows.
Headings, attributions, facts and button labels are folded onto one line.
"""

from __future__ import annotations

import textwrap

from bot.intake.safe_text import clean, one_line
from bot.messages import Button, Choices, Divider, Facts, Heading, Message, Paragraph, Quote

WIDTH = 78


def render(message: Message) -> tuple[str, list[Button]]:
    """The message as text, and its buttons in the order they are numbered."""
    lines: list[str] = []
    buttons: list[Button] = []
    for part in message.parts:
        match part:
            case Heading(text):
                title = one_line(text)
                lines.extend(["", title, "─" * min(len(title), WIDTH)])
            case Paragraph(text, muted):
                for paragraph in clean(text).split("\n"):
                    # A link stays whole, to be copied (a sign-in link has hyphens).
                    wrapped = textwrap.wrap(
                        paragraph,
                        WIDTH - 2,
                        subsequent_indent="  ",
                        break_long_words=False,
                        break_on_hyphens=False,
                    ) or [""]
                    lines.extend(f"({line})" if muted and line else line for line in wrapped)
            case Quote(text, attribution):
                quoted = textwrap.wrap(f"“{one_line(text)}”", WIDTH - 4)
                lines.extend("  │ " + line for line in quoted)
                if attribution:
                    lines.append(f"  │   — {one_line(attribution)}")
            case Facts(items):
                facts = [(one_line(label), one_line(value)) for label, value in items]
                width = max((len(label) for label, _ in facts), default=0)
                lines.extend(f"  {label.ljust(width)}  {value}" for label, value in facts)
            case Choices(options):
                start = len(buttons) + 1
                buttons.extend(options)
                labels = [f"[{start + i}] {one_line(b.label)}" for i, b in enumerate(options)]
                lines.append("  " + "   ".join(labels))
            case Divider():
                lines.append("")
    return "\n".join(lines).strip("\n"), buttons

"""How neutral messages look in a terminal: plain lines, buttons numbered."""

from __future__ import annotations

import re
import textwrap

from bot.messages import Button, Choices, Divider, Facts, Heading, Message, Paragraph, Quote

WIDTH = 78
# Control characters (C0 but tab and newline, DEL, C1): in a terminal, text people wrote
# could otherwise clear the screen, set the title or fake other output.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render(message: Message) -> tuple[str, list[Button]]:
    """The message as text, and its buttons in the order they are numbered."""
    lines: list[str] = []
    buttons: list[Button] = []
    for part in message.parts:
        match part:
            case Heading(text):
                lines.extend(["", text, "─" * min(len(text), WIDTH)])
            case Paragraph(text, muted):
                for paragraph in text.split("\n"):
                    wrapped = textwrap.wrap(paragraph, WIDTH - 2, subsequent_indent="  ") or [""]
                    lines.extend(f"({line})" if muted and line else line for line in wrapped)
            case Quote(text, attribution):
                lines.extend("  │ " + line for line in textwrap.wrap(f"“{text}”", WIDTH - 4))
                if attribution:
                    lines.append(f"  │   — {attribution}")
            case Facts(items):
                width = max(len(label) for label, _ in items) if items else 0
                lines.extend(f"  {label.ljust(width)}  {value}" for label, value in items)
            case Choices(options):
                start = len(buttons) + 1
                buttons.extend(options)
                lines.append(
                    "  " + "   ".join(f"[{start + i}] {b.label}" for i, b in enumerate(options))
                )
            case Divider():
                lines.append("")
    return _CONTROL.sub("", "\n".join(lines)).strip("\n"), buttons

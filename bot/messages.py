"""Platform-neutral messages: what the core says, not how a platform shows it.

The core returns these small frozen dataclasses; each adapter renders them natively (Block
Kit, Adaptive Cards, terminal text). All text in them is plain text: adapters escape it for
their platform, so no user-supplied text can become markup or a mention.

Headings, attributions, facts, labels, form titles and summaries are one line each: the
renderers fold any line break in them to a space, and show ``Paragraph`` and ``Quote`` text
with its lines (both through ``bot.intake.safe_text``, which also drops hidden characters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # bot.clock.delivery speaks of messages: at run time the name is only a note
    from bot.clock.delivery import MemberTarget


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    """A customer's words (always the redacted form) and who said it, in general terms."""

    text: str
    attribution: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """Label/value pairs, e.g. the digest's numbers."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True, slots=True)
class Choices:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Divider:
    pass


Part = Heading | Paragraph | Quote | Facts | Choices | Divider


@dataclass(frozen=True, slots=True)
class Message:
    parts: tuple[Part, ...]
    # Plain one-line text for notifications and platforms that cannot show the parts.
    summary: str


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    max_length: int = 2000
    required: bool = True
    multiline: bool = True
    hint: str = ""
    initial: str = ""
    # With options the field is a single choice instead of free text.
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    """Fields to fill in. ``form_id`` and ``context`` come back unchanged on submit."""

    form_id: str
    title: str
    fields: tuple[Field, ...]
    submit: str
    cancel: str
    context: str = ""
    intro: str = ""
    # The language of its texts; problems found on submit are told in it too.
    language: str = ""


# --- what a handler asks the adapter to do ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    """Post in the conversation the request came from; ``private``: only the actor sees it."""

    message: Message
    private: bool = False


@dataclass(frozen=True, slots=True)
class OpenForm:
    form: Form


@dataclass(frozen=True, slots=True)
class UpdateOrigin:
    """Replace the message whose button was pressed (e.g. to show a prompt was answered)."""

    message: Message


@dataclass(frozen=True, slots=True)
class Notify:
    """Tell another member, by direct message (e.g. the author of an idea that moved).

    The core has already found where they are reached (and left out a member whose
    workspace is gone); the adapter only delivers."""

    target: MemberTarget
    message: Message


@dataclass(frozen=True, slots=True)
class FormErrors:
    """The submitted form is not accepted; nothing was stored. Field name → problem."""

    errors: dict[str, str] = field(default_factory=dict)


Outcome = Say | OpenForm | UpdateOrigin | Notify | FormErrors


def plain_text(message: Message) -> str:
    """The message as plain lines, for logs, the console and fallbacks."""
    lines: list[str] = []
    for part in message.parts:
        match part:
            case Heading(text) | Paragraph(text):
                lines.append(text)
            case Quote(text, attribution):
                lines.append(f"“{text}”" + (f" — {attribution}" if attribution else ""))
            case Facts(items):
                lines.extend(f"{label}: {value}" for label, value in items)
            case Choices(buttons):
                lines.append(" | ".join(button.label for button in buttons))
            case Divider():
                lines.append("")
    return "\n".join(lines)

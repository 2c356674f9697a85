"""How Waarom looks in Slack: Block Kit from the core's neutral messages.

Every function here is pure. The output stays inside Slack's limits (text lengths, blocks
per message or view, elements per block, options per select): long text is split over
several blocks, long messages over several pages, and what still does not fit is cut with
an ellipsis.

All text in a neutral message is plain text, and much of it was written by people
(feedback, answers, names, segments), so it is shown where Slack parses nothing:
``plain_text`` objects for paragraphs, notes, headings and labels, and ``rich_text`` text
elements for quotes. There ``*bold*``, ``<!channel>``, ``<@U123>``, ``@here`` or a leading
``>`` are shown as typed and never format, link or notify. The two places that must be
mrkdwn (facts, whose labels are bold, and the message's notification ``text``) go through
``adapters.slack.text.literal``. Every text first passes ``bot.intake.safe_text``: hidden
characters out, and line breaks folded wherever a message has room for one line only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    RichTextBlock,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.blocks import (
    Option as SlackOption,
)
from slack_sdk.models.views import View

from adapters.slack.text import chunks, cut, cut_markup, literal
from bot.intake.safe_text import clean, one_line
from bot.messages import (
    Choices,
    Divider,
    Facts,
    Field,
    Form,
    Heading,
    Message,
    Paragraph,
    Quote,
)

# Slack's published limits (https://docs.slack.dev/reference/block-kit).
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
BUTTONS_PER_BLOCK = 25
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
INPUT_LABEL = 2000
INPUT_MAX_LENGTH = 3000
OPTIONS_PER_SELECT = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
# Slack documents no length for a rich text element; a quote is split as a section would be.
QUOTE_TEXT = SECTION_TEXT
FACT_LABEL = 300
# chat.postMessage accepts 40,000 characters of fallback text but truncates past 4,000.
FALLBACK_TEXT = 3000

FORM_CALLBACK = "waarom.form"
# action_id = "<core action>#<n>": unique within the block while keeping the core's name.
ACTION_SEPARATOR = "#"


def _mrkdwn(text: str) -> MarkdownTextObject:
    # verbatim: Slack leaves bare URLs, #channel and @here alone.
    return MarkdownTextObject(text=text, verbatim=True)


def _plain(text: str, limit: int) -> PlainTextObject:
    """One line of plain text (a heading, label, title, button or note of ours)."""
    # plain_text needs at least one character.
    return PlainTextObject(text=cut(one_line(text), limit) or " ", emoji=True)


def _lines(text: str, limit: int) -> list[str]:
    """Text that keeps its lines, cleaned and split to fit ``limit``; no empty pieces."""
    return [piece for piece in chunks(clean(text), limit) if piece.strip()]


def _sections(text: str) -> list[Block]:
    return [
        SectionBlock(text=PlainTextObject(text=piece, emoji=True))
        for piece in _lines(text, SECTION_TEXT)
    ]


def _notes(text: str) -> list[Block]:
    return [
        ContextBlock(elements=[PlainTextObject(text=piece, emoji=True)])
        for piece in _lines(text, CONTEXT_TEXT)
    ]


class _QuoteBlock(RichTextBlock):
    """A ``rich_text`` block holding one quote. It writes its dict itself: through slack_sdk's
    generic element objects, quotes made up half the time to render a digest."""

    def __init__(self, text: str) -> None:
        super().__init__(elements=[])
        self.quoted = text

    def to_dict(self) -> dict[str, Any]:
        quote = {"type": "rich_text_quote", "elements": [{"type": "text", "text": self.quoted}]}
        return {"type": "rich_text", "elements": [quote]}


def _quote(part: Quote) -> list[Block]:
    # A rich text quote: Slack draws the quote bar, and text elements are never parsed.
    blocks: list[Block] = [_QuoteBlock(piece) for piece in _lines(part.text, QUOTE_TEXT)]
    if part.attribution:
        blocks.append(ContextBlock(elements=[_plain("— " + part.attribution, 500)]))
    return blocks


def _fact(label: str, value: str) -> MarkdownTextObject:
    label, value = literal(cut(one_line(label), FACT_LABEL)), literal(one_line(value))
    text = f"*{label}*\n{value}" if label else value
    return _mrkdwn(cut_markup(text, FIELD_TEXT) or " ")


def _facts(part: Facts) -> list[Block]:
    fields = [_fact(label, value) for label, value in part.items]
    return [
        SectionBlock(fields=fields[start : start + FIELDS_PER_SECTION])
        for start in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def action_id(action: str, index: int) -> str:
    return cut(f"{action}{ACTION_SEPARATOR}{index}", ACTION_ID)


def core_action(slack_action_id: str) -> str:
    return slack_action_id.rsplit(ACTION_SEPARATOR, 1)[0]


def _choices(part: Choices) -> list[Block]:
    buttons = [
        ButtonElement(
            text=_plain(button.label, BUTTON_TEXT),
            action_id=action_id(button.action, index),
            value=button.value[:BUTTON_VALUE] or None,
            style=button.style,
        )
        for index, button in enumerate(part.buttons)
    ]
    return [
        ActionsBlock(elements=buttons[start : start + BUTTONS_PER_BLOCK])
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK)
    ]


def blocks_for(message: Message) -> list[Block]:
    blocks: list[Block] = []
    for part in message.parts:
        match part:
            case Heading(text):
                blocks.append(HeaderBlock(text=_plain(text, HEADER_TEXT)))
            case Paragraph(text, muted=True):
                blocks.extend(_notes(text))
            case Paragraph(text):
                blocks.extend(_sections(text))
            case Quote():
                blocks.extend(_quote(part))
            case Facts():
                blocks.extend(_facts(part))
            case Choices():
                blocks.extend(_choices(part))
            case Divider():
                blocks.append(DividerBlock())
    return blocks


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def fallback_text(message: Message) -> str:
    """The message's ``text``: what notifications show; Slack reads it as mrkdwn."""
    return cut_markup(literal(one_line(message.summary)), FALLBACK_TEXT)


def message_pages(message: Message) -> list[dict[str, Any]]:
    """``chat.postMessage`` arguments (``text`` + ``blocks``), one dict per page.

    A message with more blocks than Slack allows becomes several messages rather than a
    truncated one, so a long list of ideas arrives complete.
    """
    blocks = blocks_for(message)
    pages = [
        blocks[start : start + MESSAGE_BLOCKS] for start in range(0, len(blocks), MESSAGE_BLOCKS)
    ]
    # Slack wants some text when there are no blocks, and uses it for notifications.
    text = fallback_text(message) or " "
    if not blocks:
        return [{"text": text}]
    if len(pages) == 1:
        return [{"text": text, "blocks": _dicts(blocks)}]
    return [
        {
            "text": f"{cut_markup(text, FALLBACK_TEXT - 12)} ({number}/{len(pages)})",
            "blocks": _dicts(page),
        }
        for number, page in enumerate(pages, start=1)
    ]


def _fit_view(blocks: list[Block], more: str) -> list[Block]:
    if len(blocks) <= VIEW_BLOCKS:
        return blocks
    hidden = len(blocks) - (VIEW_BLOCKS - 1)
    return [
        *blocks[: VIEW_BLOCKS - 1],
        ContextBlock(elements=[_plain(more.format(hidden), CONTEXT_TEXT)]),
    ]


def home_view(message: Message) -> dict[str, Any]:
    """The App Home tab (``views.publish``)."""
    blocks = _fit_view(blocks_for(message), "… {} more")
    if not blocks:
        blocks = [SectionBlock(text=_plain(message.summary, SECTION_TEXT))]
    return View(type="home", blocks=blocks).to_dict()


# --- forms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormState:
    """What a modal carries between opening and submitting: the core's form id and
    context, and the message the form was opened from (to update it afterwards)."""

    form_id: str
    context: str = ""
    channel: str = ""
    message_ts: str = ""
    # For a form opened from an ephemeral message, which only its response_url can update.
    response_url: str = ""
    # The form's language, to name problems in it before the core is asked.
    language: str = ""

    def encode(self) -> str:
        data = {
            "f": self.form_id,
            "c": self.context,
            "ch": self.channel,
            "ts": self.message_ts,
            "ru": self.response_url,
            "l": self.language,
        }
        return json.dumps(
            {key: value for key, value in data.items() if value}, separators=(",", ":")
        )

    @classmethod
    def decode(cls, raw: str) -> FormState:
        data = json.loads(raw or "{}")
        return cls(
            form_id=data.get("f", ""),
            context=data.get("c", ""),
            channel=data.get("ch", ""),
            message_ts=data.get("ts", ""),
            response_url=data.get("ru", ""),
            language=data.get("l", ""),
        )


def _input(field: Field) -> InputBlock:
    element: Any
    if field.options:
        options = [
            SlackOption(
                value=option.value[:OPTION_VALUE], label=cut(one_line(option.label), OPTION_TEXT)
            )
            for option in field.options[:OPTIONS_PER_SELECT]
        ]
        initial = next(
            (o for o, f in zip(options, field.options, strict=False) if f.value == field.initial),
            None,
        )
        element = StaticSelectElement(action_id=field.name, options=options, initial_option=initial)
    else:
        limit = min(field.max_length, INPUT_MAX_LENGTH)
        element = PlainTextInputElement(
            action_id=field.name,
            multiline=field.multiline,
            max_length=limit,
            initial_value=field.initial[:limit] or None,
        )
    return InputBlock(
        block_id=field.name,
        label=_plain(field.label, INPUT_LABEL),
        element=element,
        hint=_plain(field.hint, INPUT_LABEL) if field.hint else None,
        optional=not field.required,
    )


def modal_view(form: Form, state: FormState) -> dict[str, Any]:
    """A modal for ``views.open``; ``state`` rides along in ``private_metadata``."""
    blocks: list[Block] = []
    if form.intro:
        blocks.extend(_sections(form.intro))
    blocks.extend(_input(field) for field in form.fields)
    metadata = state.encode()
    if len(metadata) > PRIVATE_METADATA:
        raise ValueError(f"form context of {form.form_id!r} is too long for a Slack modal")
    return View(
        type="modal",
        callback_id=FORM_CALLBACK,
        title=_plain(form.title, VIEW_TITLE),
        submit=_plain(form.submit, VIEW_TITLE),
        close=_plain(form.cancel, VIEW_TITLE),
        private_metadata=metadata,
        blocks=_fit_view(blocks, "… {} more"),
    ).to_dict()


def form_values(state_values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str]:
    """``view.state.values`` of a submitted modal → field name → text."""
    values: dict[str, str] = {}
    for block_id, actions in state_values.items():
        for element in actions.values():
            selected = element.get("selected_option")
            if selected is not None:
                values[block_id] = selected.get("value", "")
            else:
                values[block_id] = element.get("value") or ""
    return values


def form_errors(errors: dict[str, str]) -> dict[str, str]:
    """``response_action: errors`` wants block id → message; block ids are field names."""
    return {name: cut(one_line(problem), INPUT_LABEL) for name, problem in errors.items()}


_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_from_slack(text: str) -> str:
    """Slack message markup → the plain text a person saw (for prefilling forms)."""

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return (
                "#" if target.startswith("#C") else "@" if target[:2] in ("@U", "@W", "!s") else ""
            ) + label
        if target.startswith(("@", "#")):
            return target
        if target.startswith("!"):
            return "@" + target[1:]
        return target

    text = _LINK.sub(readable, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

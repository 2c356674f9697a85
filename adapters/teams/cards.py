"""How Waarom looks in Teams: neutral messages and forms rendered as Adaptive Cards.

Cards use schema version 1.5, the newest Teams renders. All text goes into
``RichTextBlock``/``TextRun`` elements, which Teams shows as plain text, so nothing a
customer or colleague typed can turn into markup (bold, a list, a heading), a link or a
mention. ``TextBlock`` and ``FactSet`` are not used: they render markdown, and a backslash
escape is honoured by some Teams clients and shown by others. Facts are therefore rows of
two columns. Every text passes ``bot.intake.safe_text`` first: hidden characters out, and line
breaks folded wherever the card has room for one line only (titles, labels, attributions).

Buttons and forms use ``Action.Submit``: Teams sends the action's ``data`` back as a message
whose ``value`` holds it, merged with the inputs of the card. The keys this module puts in
``data`` all start with ``waarom_`` so they never collide with a form's field names.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.intake.safe_text import clean, one_line
from bot.messages import (
    Button,
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

VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Keys of Action.Submit data (see the module docstring).
ACTION = "waarom_action"
VALUE = "waarom_value"
FORM = "waarom_form"
CONTEXT = "waarom_context"
SPEC = "waarom_spec"
CANCEL = "waarom_cancel"

_STYLES = {"primary": "positive", "danger": "destructive"}
# Facts: label and value columns in these proportions, the same in every row so they align.
_FACT_WIDTHS = (2, 3)


def _run(text: str, **style: Any) -> dict[str, Any]:
    """Text that keeps its lines (a paragraph, a quote, an answer)."""
    return {"type": "TextRun", "text": clean(text), **style}


def _line(text: str, **style: Any) -> dict[str, Any]:
    """Text that must stay on one line of its own (a heading, label or attribution)."""
    return {"type": "TextRun", "text": one_line(text), **style}


def _rich(*runs: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(runs), **props}


def _card(
    body: list[dict[str, Any]], *, summary: str, actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
        # Shown by clients that cannot render the card (and read by screen readers).
        "fallbackText": one_line(summary),
    }
    if actions:
        card["actions"] = actions
    return card


def _submit(
    title: str, data: dict[str, Any], style: str | None = None, **extra: Any
) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": one_line(title),
        "data": data,
        **extra,
    }
    if style:
        action["style"] = style
    return action


def button(item: Button) -> dict[str, Any]:
    return _submit(
        item.label,
        {ACTION: item.action, VALUE: item.value},
        _STYLES.get(item.style or ""),
    )


def _element(part: object) -> dict[str, Any]:
    match part:
        case Heading(text):
            return _rich(_line(text, weight="bolder", size="medium"))
        case Paragraph(text, muted):
            return _rich(_run(text, isSubtle=True) if muted else _run(text))
        case Quote(text, attribution):
            items: list[dict[str, Any]] = [_rich(_run(f"“{text}”", italic=True))]
            if attribution:
                items.append(_rich(_line(f"— {attribution}", isSubtle=True, size="small")))
            return {"type": "Container", "style": "emphasis", "items": items}
        case Facts(facts):
            return {"type": "Container", "items": [_fact(label, value) for label, value in facts]}
        case Choices(buttons):
            return {"type": "ActionSet", "actions": [button(item) for item in buttons]}
    raise TypeError(f"cannot render {type(part).__name__} in a card")


def _fact(label: str, value: str) -> dict[str, Any]:
    cells = (_line(label, weight="bolder"), _line(value))
    return {
        "type": "ColumnSet",
        "spacing": "small",
        "columns": [
            {"type": "Column", "width": width, "items": [_rich(cell)]}
            for width, cell in zip(_FACT_WIDTHS, cells, strict=True)
        ],
    }


def message_card(message: Message) -> dict[str, Any]:
    """A neutral message as one Adaptive Card."""
    body: list[dict[str, Any]] = []
    separate = False
    for part in message.parts:
        if isinstance(part, Divider):
            separate = bool(body)
            continue
        element = _element(part)
        if separate:
            element["separator"] = True
            element["spacing"] = "medium"
            separate = False
        body.append(element)
    if not body:
        body.append(_rich(_line(message.summary)))
    return _card(body, summary=message.summary)


# --- forms ---------------------------------------------------------------------------------


def form_spec(form: Form) -> dict[str, Any]:
    """The form as plain JSON, carried in the submit data so that a refused submit can be
    shown again, values kept, by whichever web process receives it. Lists, not tuples: the
    SDK's serializer would turn a tuple into its ``repr``."""
    spec: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(form)))
    return spec


class MalformedSubmit(ValueError):
    """A card submit whose ``waarom_*`` data we did not write: a tampered or foreign client."""


@dataclasses.dataclass(frozen=True)
class FormSubmit:
    """A form card's submit: the form (from its own data, to show it again) and the inputs."""

    form: Form
    values: dict[str, str]


_FORM = TypeAdapter(Form)


def form_from_spec(spec: object) -> Form:
    """The form a card carried; :class:`MalformedSubmit` for anything :func:`form_spec` would
    not have written (wrong types, missing parts, not an object)."""
    try:
        return _FORM.validate_python(spec)
    except ValidationError as exc:
        raise MalformedSubmit(f"form spec: {exc.error_count()} problems") from None


def read_submit(value: dict[str, Any]) -> FormSubmit:
    """A form submit's data, checked: the spec must be one and name the same form and
    context as the submit, and every input a string."""
    form = form_from_spec(value.get(SPEC))
    if value.get(FORM) != form.form_id or value.get(CONTEXT, "") != form.context:
        raise MalformedSubmit("form id or context differs from the spec")
    values: dict[str, str] = {}
    for key, item in value.items():
        if key.startswith("waarom_"):
            continue
        if item is not None and not isinstance(item, str):
            raise MalformedSubmit(f"input {key[:40]!r} is a {type(item).__name__}")
        values[key] = item or ""
    return FormSubmit(form, values)


def read_action(value: dict[str, Any]) -> tuple[str, str]:
    """A button's action and value; :class:`MalformedSubmit` unless both are strings."""
    action, choice = value.get(ACTION), value.get(VALUE, "")
    if not isinstance(action, str) or not isinstance(choice, str | None):
        raise MalformedSubmit("button data of the wrong type")
    return action, choice or ""


def _input(field: Field, value: str | None) -> dict[str, Any]:
    current = field.initial if value is None else value
    label = one_line(field.label)
    common: dict[str, Any] = {"id": field.name, "label": label, "isRequired": field.required}
    if field.required:
        common["errorMessage"] = label
    if field.options:
        element = {
            "type": "Input.ChoiceSet",
            **common,
            "style": "compact",
            "choices": [
                {"title": one_line(option.label), "value": option.value} for option in field.options
            ],
        }
        if current:
            element["value"] = current
        return element
    element = {
        "type": "Input.Text",
        **common,
        "isMultiline": field.multiline,
        # No maxLength: Teams would silently cut the text; the core refuses over-long answers
        # with the limit named, and the text stays in the field.
    }
    if field.hint:
        element["placeholder"] = one_line(field.hint)
    if current:
        element["value"] = current
    return element


def form_card(
    form: Form,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    origin: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The form as a card with inputs; with ``errors``, the problems are named next to the
    fields and every submitted value is kept. ``origin`` is the sealed id of the card that
    opened the form (:mod:`.seal`)."""
    values = values or {}
    errors = errors or {}
    body: list[dict[str, Any]] = [_rich(_line(form.title, weight="bolder", size="medium"))]
    if form.intro:
        body.append(_rich(_run(form.intro)))
    names = {field.name for field in form.fields}
    for key, problem in errors.items():
        if key not in names:
            body.append(_rich(_line(problem, color="attention")))
    for field in form.fields:
        body.append(_input(field, values.get(field.name)))
        if field.name in errors:
            body.append(_rich(_line(errors[field.name], color="attention"), spacing="small"))
    # The client sends this data back as it likes: the card that opened the form is named
    # only with a seal it cannot forge, so a submit cannot choose another card to update.
    data: dict[str, Any] = {FORM: form.form_id, CONTEXT: form.context, SPEC: form_spec(form)}
    data.update(origin or {})
    actions = [
        _submit(form.submit, data, "positive"),
        # associatedInputs "none": cancelling must not trip the client's required checks.
        _submit(form.cancel, {CANCEL: form.form_id}, associatedInputs="none"),
    ]
    return _card(body, summary=form.title, actions=actions)


def submitted_card(form: Form, values: dict[str, str]) -> dict[str, Any]:
    """What a form turns into once accepted: its answers, read-only, so it is not sent twice."""
    body: list[dict[str, Any]] = [_rich(_line(form.title, weight="bolder", size="medium"))]
    for field in form.fields:
        value = values.get(field.name, "")
        if field.options:
            value = next((o.label for o in field.options if o.value == value), value)
        body.append(_rich(_line(field.label, isSubtle=True, size="small"), spacing="small"))
        body.append(_rich(_run(value or "—"), spacing="none"))
    return _card(body, summary=form.title)

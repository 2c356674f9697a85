"""What is wrong with a submitted form, before anything is stored; needs no database."""

from __future__ import annotations

from collections.abc import Mapping

from bot.chat import team_settings
from bot.engine.ideas import MAX_ANSWER
from bot.i18n import Translator
from bot.intake.normalise import MAX_TEXT, typed_text

# Free-text fields per form: name, longest length, required.
_TEXT_FIELDS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "answer": (("why", MAX_ANSWER, True), ("how", MAX_ANSWER, True)),
    "feedback": (("text", MAX_TEXT, True), ("segment", 64, False)),
}


def _check_text(
    t: Translator, values: Mapping[str, str], name: str, limit: int, *, required: bool = True
) -> str | None:
    value = typed_text(values.get(name) or "")
    if required and not value:
        return t("form.required")
    if len(value) > limit:
        return t("form.too_long", limit=limit, length=len(value))
    return None


def settings_values(values: Mapping[str, str]) -> dict[str, str]:
    # An emptied field keeps its setting, except quiet hours, where empty means none.
    return {
        name: value
        for name, value in values.items()
        if name in team_settings.FIELDS and (name == "quiet" or value.strip())
    }


def form_problems(t: Translator, form_id: str, values: Mapping[str, str]) -> dict[str, str]:
    """Field name → problem, in the language of ``t``; empty when the form may be stored."""
    if form_id == "settings":
        return team_settings.check(settings_values(values), t).errors
    return {
        name: problem
        for name, limit, required in _TEXT_FIELDS.get(form_id, ())
        if (problem := _check_text(t, values, name, limit, required=required))
    }

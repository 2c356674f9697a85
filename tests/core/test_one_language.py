"""Every reply a team sees is in its language: a Dutch team reads no English and an English
team no Dutch, on every error and refusal path of the chat. SQLite and PostgreSQL.

The check is by vocabulary: the words that only the other language's catalog uses (``hours``
is English only, ``uren`` Dutch only; words both share, such as ``feedback``, say nothing)
must not appear in a reply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import bot
from bot import chat
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.messages import FormErrors, OpenForm, Say, plain_text

LOCALES = Path(bot.__file__).parent / "locales"
LEAD = Origin("console", "ws1", "team-a", "lead", user_name="Lea", user_is_admin=True, home=True)
ANNA = Origin("console", "ws1", "team-a", "anna", user_name="Anna", home=True)

# What people try, right and wrong: unknown commands, bad arguments, refusals.
TRIED = (
    (ANNA, "frobnicate"),
    (ANNA, "help"),
    (ANNA, "ideas nonsense"),
    (ANNA, "idea 1 done"),
    (ANNA, "settings language en"),
    (ANNA, "settings show"),
    (LEAD, "idea"),
    (LEAD, "idea 999 done"),
    (LEAD, "idea 1 sideways"),
    (LEAD, "merge 1"),
    (LEAD, "merge 998 999"),
    (LEAD, "settings"),
    (LEAD, "settings frob 1"),
    (LEAD, "settings leads"),
    (LEAD, "settings timezone Mars/Base"),
    (LEAD, "settings digest someday 25:00"),
    (LEAD, "settings digest mon,tue 09:00"),
    (LEAD, "settings nudges sat,sun 10:00"),
    (LEAD, "settings nudges tue 21:00"),
    (LEAD, "settings nudges fri,sat 10:00"),
    (LEAD, "settings quiet always"),
    (LEAD, "settings reminder 999"),
    (ANNA, "feedback " + "lang " * 1300),
    (ANNA, "digest"),
    (ANNA, "ask"),
)


def _vocabulary(language: str) -> set[str]:
    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, str):
            plain = re.sub(r"`[^`]*`|\{[^}]*\}", " ", value)
            words.update(w.lower() for w in re.findall(r"[^\W\d_]{4,}", plain))

    walk(yaml.safe_load((LOCALES / f"{language}.yaml").read_text("utf-8")))
    return words


def _shown(outcomes: list) -> list[str]:
    texts = []
    for outcome in outcomes:
        if isinstance(outcome, Say):
            texts.append(plain_text(outcome.message))
        elif isinstance(outcome, FormErrors):
            texts.extend(outcome.errors.values())
        elif isinstance(outcome, OpenForm):
            form = outcome.form
            texts += [form.title, form.intro or "", form.submit]
            texts += [f"{f.label} {f.hint or ''}" for f in form.fields]
    return texts


@pytest.mark.parametrize(("language", "other"), [("nl", "en"), ("en", "nl")])
async def test_every_error_path_is_in_the_teams_language(
    services: Services, language: str, other: str
) -> None:
    foreign = _vocabulary(other) - _vocabulary(language)
    await chat.handle_text(services, LEAD, f"settings language {language}")
    seen: list[tuple[str, str]] = []
    for origin, text in TRIED:
        seen += [(text, shown) for shown in _shown(await chat.handle_text(services, origin, text))]
    for form_id, values in (
        ("feedback", {"text": "", "segment": "x" * 100}),
        ("answer", {"why": "", "how": ""}),
        ("settings", {"nudges": "za 10:00", "quiet": "18:00-08:00", "timezone": "Nergens"}),
    ):
        outcomes = await chat.handle_form(services, LEAD, form_id, "", values)
        seen += [(form_id, shown) for shown in _shown(outcomes)]
    leaks = [
        (typed, sorted(foreign & {w.lower() for w in re.findall(r"[^\W\d_]{4,}", shown)}))
        for typed, shown in seen
    ]
    assert [(typed, words) for typed, words in leaks if words] == []
    assert len(seen) >= len(TRIED)

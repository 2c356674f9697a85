"""Redaction markers: stored as neutral codes, shown in the reader's language.

:func:`bot.intake.redaction.redact` puts a code such as ``[#phone]`` where personal data was; the
code means the same to every team, and a message shows it as ``[telefoon]`` to a Dutch team
and ``[phone]`` to an English one. Rows redacted before the codes carry the Dutch markers
they were given then; :func:`neutral` turns those into codes (migration 0006 does so for
stored rows).
"""

from __future__ import annotations

import re

from bot.i18n import Translator

KINDS = (
    "email",
    "phone",
    "iban",
    "card",
    "handle",
    "link",
    "bsn",
    "address",
    "birth_date",
    "name",
)
_CODE_RE = re.compile(r"\[#(" + "|".join(KINDS) + r")\]")
# The markers redaction wrote before they were codes, in Dutch whatever the team's language.
_LEGACY = {
    "[e-mail]": "[#email]",
    "[telefoon]": "[#phone]",
    "[iban]": "[#iban]",
    "[kaart]": "[#card]",
    "[@naam]": "[#handle]",
    "[link]": "[#link]",
    "[bsn]": "[#bsn]",
    "[adres]": "[#address]",
    "[geboortedatum]": "[#birth_date]",
    "[naam]": "[#name]",
}
_LEGACY_RE = re.compile("|".join(re.escape(marker) for marker in _LEGACY))


def code(kind: str) -> str:
    return f"[#{kind}]"


def shown(text: str, t: Translator) -> str:
    """``text`` with every marker in the reader's language."""
    if "[#" not in text:
        return text
    return _CODE_RE.sub(lambda found: t(f"markers.{found.group(1)}"), text)


def neutral(text: str) -> str:
    """``text`` with the old Dutch markers as codes."""
    if "[" not in text:
        return text
    return _LEGACY_RE.sub(lambda found: _LEGACY[found.group(0)], text)

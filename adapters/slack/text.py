"""Text for Slack: cutting to its limits, and mrkdwn that shows people's words literally.

Most text goes out as ``plain_text`` or rich text, which Slack never parses (see
:mod:`adapters.slack.render`); what has to be mrkdwn (facts, a message's notification
``text``) goes through :func:`literal`.
"""

from __future__ import annotations

import re

from bot.intake.safe_text import clean

ELLIPSIS = "…"

# mrkdwn has no escape for its formatting characters (a backslash shows, and still formats),
# and an invisible character around them can even make them format. So they are swapped for
# characters that look the same and that Slack never formats, as jsx-slack's <Escape> does;
# the fullwidth forms count as formatting too.
_LOOKALIKES = str.maketrans(
    {"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ", "＊": "﹡", "＿": "⸏", "｀": "ˋ"}
)
# ">" (escaped or fullwidth) at the start of a line makes a quote; an invisible soft hyphen in
# front of it means the line no longer starts with it.
_QUOTE_START = re.compile(r"^(?=&gt;|＞)", re.MULTILINE)
_SOFT_HYPHEN = "\u00ad"
_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


def escape(text: str) -> str:
    """Make text literal in Slack markup: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: str) -> str:
    """Text for mrkdwn that reads as what was typed and does nothing else: no mention, link,
    bold, italic, strike, code or quote can come out of it. Formatting characters become
    look-alikes; plain_text, where Slack allows it, keeps them as they are."""
    marked = escape(clean(text).translate(_LOOKALIKES))
    return _QUOTE_START.sub(_SOFT_HYPHEN, marked)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def cut_markup(text: str, limit: int) -> str:
    """:func:`cut` for escaped text: never ends inside an entity such as ``&amp;``."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + ELLIPSIS


def chunks(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most ``limit`` characters, breaking at line ends or
    spaces where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        brk = max(window.rfind("\n"), window.rfind(" "))
        size = brk + 1 if brk > limit // 2 else limit
        pieces.append(rest[:size].rstrip())
        rest = rest[size:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces

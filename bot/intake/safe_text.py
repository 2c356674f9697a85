"""Text that people wrote, made fit to show: nothing in it can hide, reorder or fake lines.

Customer quotes, answers, names, team names and segments come from outside; shown as they
are, they could reverse what follows them (U+202E), hide words (zero-width characters),
drive a terminal (control characters) or start a line that looks like ours (a newline in an
answer shown in a list). Renderers pass every text they show through :func:`clean`, and
every text in a one-line place (a heading, a label, an attribution, a list line) through
:func:`one_line`; the core folds people's words with :func:`one_line` where it builds such a
line itself (``#12 [planned] …``). Markup (Slack mrkdwn, Adaptive Card markdown) is each
renderer's business; this module knows no platform.

What is removed: control characters (Unicode category Cc) other than the newline and the
tab, and format characters (category Cf): bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F, U+061C), zero-width
space, non-joiner and joiner (U+200B–U+200D), the word joiner and invisible operators
(U+2060–U+2064), the byte order mark (U+FEFF), the soft hyphen, and the rest of Cf.

Two kinds of format character are kept, because emoji are made of them and people use
emoji: the zero-width joiner between two emoji (👩‍💻, 🏳️‍🌈: the joined form is one
picture), and tag characters when they complete a flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Anywhere else a joiner goes:
Persian or Indic text that relies on ZWNJ/ZWJ between letters is shown with the letters
joined differently, still readable; that costs less than letting invisible characters
split or disguise words. Variation selectors (U+FE0E, U+FE0F) are not format characters and
stay (they choose emoji or text presentation).

Line breaks of every kind (CR LF, CR, VT, FF, NEL, U+2028, U+2029, and the separators
U+001C–U+001E that Python also splits lines on) become a plain newline, so a renderer that
splits lines and a client that draws them agree on where a line starts.
"""

from __future__ import annotations

import re
import unicodedata

# Every line break Python's str.splitlines knows (CR LF is made one first), so none can
# start a line unseen.
_BREAK_CHARS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = re.compile(f"[{_BREAK_CHARS}]")

# Category Cf as of Unicode 15.1 (Python 3.11 ships 14.0; the extra code points are
# unassigned there, so listing them is harmless). tests/core/test_safe_text.py checks this
# list against the running Python's unicodedata.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# Controls other than tab and newline: the C0 set, DEL and the C1 set.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_ZWJ = "\u200d"
# A flag made of tag characters: black flag, tags, cancel tag (🏴󠁧󠁢󠁳󠁣󠁴󠁿 is Scotland).
_TAG_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
_HIDDEN = re.compile(f"[{_FORMAT}{_CONTROL}]|{_ZWJ}|(?P<flag>{_TAG_FLAG})")
# One character class for the common case, text with nothing to do: one quick scan.
_ANYTHING = re.compile(f"[{_BREAK_CHARS}{_FORMAT}{_CONTROL}{_ZWJ}]")
# What may precede a joiner in an emoji sequence, besides a pictograph.
_PRESENTATION = "\ufe0e\ufe0f"
_SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")


def _pictograph(char: str) -> bool:
    """Emoji are "other symbols" (So); skin tones are modifier symbols that end an emoji."""
    return unicodedata.category(char) == "So" or _SKIN_TONES[0] <= char <= _SKIN_TONES[1]


def _joins_emoji(text: str, start: int) -> bool:
    before = start - 1
    if before >= 0 and text[before] in _PRESENTATION:
        before -= 1
    after = start + 1
    return (
        before >= 0
        and after < len(text)
        and _pictograph(text[before])
        and unicodedata.category(text[after]) == "So"
    )


def _keep_or_drop(match: re.Match[str]) -> str:
    if match.group("flag"):
        return match.group(0)
    if match.group(0) == _ZWJ and _joins_emoji(match.string, match.start()):
        return _ZWJ
    return ""


def clean(text: str) -> str:
    """The text with hidden characters removed and every line break a newline; for places
    that show several lines (a quote, an answer in full)."""
    # Every character this removes or changes is non-printable to Python (categories C and
    # Z but the space), and str.isprintable answers for the common text at C speed.
    if text.isprintable() or _ANYTHING.search(text) is None:
        return text
    return _HIDDEN.sub(_keep_or_drop, _BREAKS.sub("\n", text.replace("\r\n", "\n")))


def one_line(text: str) -> str:
    """:func:`clean`, then every run of whitespace (newlines and tabs included) one space,
    so the text cannot start a line of its own; for names, titles, labels and list lines."""
    return " ".join(clean(text).split())

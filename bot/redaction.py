"""Derive the text that chat may show: customer words without personal data.

Feedback is stored as given; :func:`redact` is applied once, on the way in, and its result is
the only form any message ever shows. Phone numbers are found with Google's libphonenumber
(Dutch and international formats); IBANs and card numbers are confirmed by their checksums so
that order numbers and amounts are left alone.
"""

from __future__ import annotations

import re

import phonenumbers

EMAIL = "[e-mail]"
PHONE = "[telefoon]"
IBAN = "[iban]"
CARD = "[kaart]"
HANDLE = "[@naam]"
URL = "[link]"

_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_HANDLE_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}")
_IBAN_RE = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
_CARD_RE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
# Cheap gate before asking libphonenumber: a number written the way phone numbers are
# (starting with +, 00 or a trunk 0, or in brackets) with at least seven digits close together.
_MAYBE_PHONE_RE = re.compile(r"(?:\+|\(0|(?<!\d)0)\d?(?:[\s().\-/]{0,3}\d){6,}")
_TRAILING_PUNCT = ".,;:!?)]}"
_DIGIT_RE = re.compile(r"\d")


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def _luhn_valid(candidate: str) -> bool:
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _replace_url(match: re.Match[str]) -> str:
    url = match.group(0)
    stripped = url.rstrip(_TRAILING_PUNCT)
    return URL + url[len(stripped) :]


def _replace_iban(match: re.Match[str]) -> str:
    # The pattern may run into a following word ("… 7034 HERE"); try shorter readings.
    candidate = match.group(0)
    while candidate:
        if _iban_valid(candidate):
            return IBAN + match.group(0)[len(candidate) :]
        if " " not in candidate:
            break
        candidate = candidate.rsplit(" ", 1)[0]
    return match.group(0)


def _replace_card(match: re.Match[str]) -> str:
    return CARD if _luhn_valid(match.group(0)) else match.group(0)


def _redact_phones(text: str, region: str) -> str:
    if not _MAYBE_PHONE_RE.search(text):
        return text
    pieces: list[str] = []
    last = 0
    for found in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    ):
        pieces.append(text[last : found.start])
        pieces.append(PHONE)
        last = found.end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str, region: str = "NL") -> str:
    """Return ``text`` with e-mail addresses, phone numbers, IBANs, card numbers, handles
    and URLs replaced by neutral markers."""
    # Order matters: URLs and e-mail addresses contain things that look like handles and
    # numbers, so they go first; IBANs before phones and cards, which match their digits.
    # Each pattern only runs on a text that has what it needs (a cheap test in C), as most
    # feedback has no link, no @ and often no digit at all.
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        text = _URL_RE.sub(_replace_url, text)
    if "@" in text:
        text = _EMAIL_RE.sub(EMAIL, text)
        text = _HANDLE_RE.sub(HANDLE, text)
    if _DIGIT_RE.search(text):
        text = _IBAN_RE.sub(_replace_iban, text)
        text = _CARD_RE.sub(_replace_card, text)
        text = _redact_phones(text, region)
    return text


# Patterns that must never survive redaction; tests and renderers use them as a last check.
LEAK_PATTERNS: tuple[re.Pattern[str], ...] = (_URL_RE, _EMAIL_RE, _HANDLE_RE)

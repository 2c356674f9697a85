"""Derive the text that chat may show: customer words without personal data.

Feedback is stored as given; :func:`redact` is applied once, on the way in, and its result is
the only form any message ever shows. Phone numbers are found with Google's libphonenumber
(Dutch and international formats); IBANs, card numbers and BSNs are confirmed by their
checksums so that order numbers and amounts are left alone. Postcodes count only with a house
number, dates only as a date of birth and names only after "mijn naam is" and the like: a
postcode alone, an appointment's date or a capitalised word are not anyone's personal data.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from bot.intake.markers import neutral
from bot.intake.safe_text import clean

EMAIL = "[e-mail]"
PHONE = "[telefoon]"
IBAN = "[iban]"
CARD = "[kaart]"
HANDLE = "[@naam]"
URL = "[link]"
BSN = "[bsn]"
ADDRESS = "[adres]"
BIRTH_DATE = "[geboortedatum]"
NAME = "[naam]"

_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_HANDLE_RE = re.compile(r"(?<![\w@[])@[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}")
_IBAN_RE = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
_CARD_RE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
# Cheap gate before asking libphonenumber: a number written the way phone numbers are
# (starting with +, 00 or a trunk 0, or in brackets) with at least seven digits close together.
_MAYBE_PHONE_RE = re.compile(r"(?:\+|\(0|(?<!\d)0)\d?(?:[\s().\-/]{0,3}\d){6,}")
_TRAILING_PUNCT = ".,;:!?)]}"
_ASCII_DIGITS = b"0123456789"
_DIGIT_RE = re.compile(r"\d")
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")  # digits of other scripts: ٤, ४, ４

# Where a number starts (not inside another one, nor after a decimal point): nine digits,
# maybe grouped by dots or spaces (123.456.782, 1234 56 782), are a BSN if they pass the
# 11-proof; four digits and two letters (1234 AB, 1234AB, 1234ab) a Dutch postcode. One pass
# finds both: the lookbehinds come after the first digit, so that the pattern starts with a
# digit and the regex engine skips ahead to digits instead of trying every position.
_NUMBER_RE = re.compile(
    r"\d(?<!\d\d)(?<!\d[.,]\d)"
    r"(?:(?P<bsn>(?:[ .]?\d){8}(?!\d)(?![.,]\d))"
    r"|(?<=[1-9])(?P<postcode>\d{3}(?:[ ]?[A-Z]{2}|[a-z]{2})(?![A-Za-z])))"
)
# An address: a postcode with a house number (12, 12a, 12-2, 12 A, 12-hs), and the street
# before the number when there is one.
_POSTCODE = r"[1-9]\d{3}(?:[ ]?[A-Z]{2}|[a-z]{2})(?![A-Za-z])"
_HOUSE_NUMBER = r"\d{1,5}(?:[ ]?-[ ]?\d{1,4}|-?[A-Za-z]{1,3}(?!\w)|[ ][A-Z](?!\w))?(?![\d:])"
# A street: a capitalised word, maybe with more (Laan van Meerdervoort, Prins Hendrikkade).
_STREET = r"[A-Z][\w'’.-]*(?:[ ](?:van|de|der|den|het|'t|’t|ter|ten|la|le|[A-Z][\w'’.-]*)){0,3}"
_ADDRESS_RE = re.compile(
    rf"(?<![\w-])(?:(?:{_STREET}[ ]+)?{_HOUSE_NUMBER},?[ ]+{_POSTCODE}"
    rf"|{_POSTCODE},?[ ]+(?:(?:huisnummer|huisnr|nummer|nr)\.?[ ]*:?[ ]*)?{_HOUSE_NUMBER})"
)

# A date (12-03-1985, 12/3/85, 1985-03-12, 12 maart 1985, March 12, 1985) right after words
# that say it is someone's birthday; other dates (appointments, deliveries) stay.
_MONTH = (
    r"(?:jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|march|mrt|mar|apr(?:il)?|mei|may"
    r"|jun[ei]?|jul[iy]?|aug(?:ustus|ust)?|sep(?:tember|t)?|o[kc]t(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[-/. ]\d{1,2}[-/. ](?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    rf"|\d{{1,2}}(?:e|ste|de|st|nd|rd|th)?[ ]+(?:of[ ]+)?{_MONTH},?[ ]+\d{{4}}"
    rf"|{_MONTH}[ ]+\d{{1,2}}(?:st|nd|rd|th)?,?[ ]+\d{{4}})(?!\d)"
)
_BIRTH_RE = re.compile(
    r"(?P<context>\b(?:geboren|geboortedatum|geb\.|date[ ]of[ ]birth|birth[ ]?date|birthday"
    r"|born|d\.?o\.?b\b\.?)[ ]*[:-]?[ ]*(?:(?:is|was|op|on|the)[ ]+)?)"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)

# Names: capitalised words after "mijn naam is", "my name is", "ik heet" (always a name), or
# after "ik ben" / "I am" / "I'm" only when the name ends the phrase ("ik ben Jan, ...",
# "ik ben Jan en ...") so that "ik ben Trapkracht-klant sinds 2020" stays.
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_WORD = rf"[{_UPPER}][{_LOWER}]*(?:[-'’][{_UPPER}{_LOWER}][{_LOWER}]+)*"
_INFIX = r"(?:van|de|der|den|het|'t|’t|ter|ten|te|la|le|du|da|di|von|op|in)"
_FULL_NAME = (
    rf"(?:(?:[{_UPPER}]\.[ ]?)+(?:{_INFIX}[ ])*)?{_WORD}(?:[ ](?:{_INFIX}[ ])*{_WORD}){{0,3}}"
)
_NAME_RE = re.compile(
    rf"(?P<context>(?i:\b(?:mijn[ ]+naam[ ]+is|my[ ]+name[ ]+is|my[ ]+name's|ik[ ]+heet))"
    rf"[ ]*:?[ ]+)(?P<name>{_FULL_NAME})"
    rf"|(?P<weak>(?i:\b(?:ik[ ]+ben|i[ ]+am|i['’]m))[ ]+)(?P<weak_name>{_FULL_NAME})"
    r"(?=[ ]*(?:[.,!?;:)]|$)|[ ]+(?:en|and|uit|from|hier|here|hoor|trouwens|by the way)\b)"
)
# Capitalised words people say of themselves that are not names.
_NOT_NAMES = frozenset(
    {
        *("Nederlander", "Nederlandse", "Nederlands", "Belg", "Belgische", "Duitser", "Duitse"),
        *("Dutch", "Belgian", "German", "English", "British"),
        *("Student", "Klant", "Customer", "Sorry", "Blij", "Happy", "Boos", "Angry"),
    }
)


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


def _bsn_valid(candidate: str) -> bool:
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    total = sum(digit * weight for digit, weight in zip(digits, range(9, 1, -1), strict=False))
    return any(digits) and (total - digits[8]) % 11 == 0


def _redact_numbers(text: str) -> str:
    """BSNs, and addresses where there is a postcode."""
    pieces: list[str] = []
    last = 0
    postcode = False
    for match in _NUMBER_RE.finditer(text):
        if match.group("postcode") is not None:
            postcode = True
        elif _bsn_valid(match.group(0)):
            pieces.append(text[last : match.start()])
            pieces.append(BSN)
            last = match.end()
    if pieces:
        pieces.append(text[last:])
        text = "".join(pieces)
    return _ADDRESS_RE.sub(ADDRESS, text) if postcode else text


def _digit_count(text: str) -> int:
    # Deleting the ASCII digits from the UTF-8 bytes is done in C and counts them in a tenth
    # of the time a pattern takes (no other character's encoding contains those bytes). The
    # patterns also read digits of other scripts; a text with those is counted by pattern.
    if not text.isascii() and _OTHER_DIGIT_RE.search(text):
        return len(_DIGIT_RE.findall(text))
    encoded = text.encode("utf-8", "surrogatepass")
    return len(encoded) - len(encoded.translate(None, _ASCII_DIGITS))


# Plain substring tests (C speed) before the patterns: most feedback has none of these words.
def _maybe_birth(lowered: str) -> bool:
    return (
        "geb" in lowered
        or "birth" in lowered
        or "born" in lowered
        or "dob" in lowered
        or "d.o.b" in lowered
    )


def _maybe_name(lowered: str) -> bool:
    return (
        "naam is" in lowered
        or "name is" in lowered
        or "name's" in lowered
        or "ik heet" in lowered
        or "ik ben" in lowered
        or "i am" in lowered
        or "i'm" in lowered
        or "i’m" in lowered
    )


def _replace_birth_date(match: re.Match[str]) -> str:
    return match.group("context") + BIRTH_DATE


def _replace_name(match: re.Match[str]) -> str:
    if match.group("name"):
        return match.group("context") + NAME
    if match.group("weak_name").split(" ", 1)[0] in _NOT_NAMES:
        return match.group(0)
    return match.group("weak") + NAME


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
    """Return ``text`` with e-mail addresses, phone numbers, IBANs, card numbers, BSNs,
    addresses (postcode and house number), dates of birth, names people give, handles and URLs
    replaced by neutral markers."""
    # Order matters: URLs and e-mail addresses contain things that look like handles and
    # numbers, so they go first; IBANs before phones and cards, which match their digits;
    # phones before BSNs, whose nine digits may be part of a phone number.
    # Each pattern only runs on a text that has what it needs (a cheap test in C), as most
    # feedback has no link, no @ and often no digit at all.
    # Hidden characters first: a zero-width space inside a phone number or an e-mail address
    # would keep it from being recognised, and the renderers drop it anyway, showing the
    # number whole.
    text = clean(text)
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        text = _URL_RE.sub(_replace_url, text)
    if "@" in text:
        text = _EMAIL_RE.sub(EMAIL, text)
        text = _HANDLE_RE.sub(HANDLE, text)
    digits = _digit_count(text)
    if digits:
        text = _IBAN_RE.sub(_replace_iban, text)
        # A card number has 13 digits or more, a phone number 7, a BSN 9, a postcode 4.
        if digits >= 13:
            text = _CARD_RE.sub(_replace_card, text)
        if digits >= 7:
            text = _redact_phones(text, region)
        if digits >= 4 and _NUMBER_RE.search(text):
            text = _redact_numbers(text)
        if _maybe_birth(lowered):
            text = _BIRTH_RE.sub(_replace_birth_date, text)
    if _maybe_name(lowered):
        text = _NAME_RE.sub(_replace_name, text)
    return text


@functools.lru_cache(maxsize=4096)
def redact_label(value: str | None, limit: int) -> str | None:
    """A segment or journey step redacted with the old Dutch markers, within its column's
    ``limit``, as migration 0005 wrote them. Intake stores :func:`stored_label`."""
    if value is None:
        return None
    return redact(value)[:limit].rstrip() or None


# The start of a marker code cut off at a column's end: "[", "[#", "[#li".
_PARTIAL_CODE_RE = re.compile(r"\[(?:#[a-z_]*)?$")


@functools.lru_cache(maxsize=4096)
def stored_label(value: str | None, limit: int) -> str | None:
    """A segment or journey step as intake stores it and chat shows it: redacted, its markers
    neutral codes, and still within its column's ``limit``. Remembered, as an import has a
    handful of segments repeated on every row."""
    if value is None:
        return None
    label = neutral(redact(value))
    if len(label) > limit:
        # A marker can be longer than what it replaces, and an old marker a customer typed
        # ("[link]") grows as a code: cut to the column, never leaving half a marker behind.
        label = _PARTIAL_CODE_RE.sub("", label[:limit])
    return label.rstrip() or None


# Patterns that must never survive redaction; tests and renderers use them as a last check.
LEAK_PATTERNS: tuple[re.Pattern[str], ...] = (_URL_RE, _EMAIL_RE, _HANDLE_RE)

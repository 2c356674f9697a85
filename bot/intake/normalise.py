"""Normalise one piece of customer feedback, whatever it came from.

The CSV/JSON Lines importer and the ``POST /feedback`` webhook both hand raw records to
:func:`normalise`; a record it cannot accept raises :class:`Rejected` with a reason a person
can act on. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from bot.intake.markers import neutral
from bot.intake.redaction import redact, stored_label
from bot.voice.put_up_with import burdens
from bot.voice.sentiment import sentiment
from bot.voice.text import split_words, terms_of

MAX_TEXT = 5000
MAX_SEGMENT = 64
MAX_STEP = 32
MAX_SOURCE = 64
MAX_EXTERNAL_ID = 200
STEPS = ("orientation", "purchase", "delivery", "use", "service", "complaint", "leaving")

# Journey steps as exports name them, in Dutch and English.
_STEP_ALIASES = {
    "orientation": "orientation",
    "orientatie": "orientation",
    "oriëntatie": "orientation",
    "purchase": "purchase",
    "aankoop": "purchase",
    "koop": "purchase",
    "bestellen": "purchase",
    "delivery": "delivery",
    "levering": "delivery",
    "bezorging": "delivery",
    "use": "use",
    "usage": "use",
    "gebruik": "use",
    "service": "service",
    "support": "service",
    "klantenservice": "service",
    "complaint": "complaint",
    "klacht": "complaint",
    "complaints": "complaint",
    "leaving": "leaving",
    "opzeggen": "leaving",
    "opzegging": "leaving",
    "vertrek": "leaving",
    "churn": "leaving",
}

_DATE_FORMATS = (
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
_EPOCH_RE = re.compile(r"^\d{9,11}(?:\.\d+)?$")
# Bytes the file's encoding could not decode arrive as lone surrogates (surrogateescape).
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Rejected(ValueError):
    """The record cannot be stored; ``str()`` says why."""


class Undecodable(Rejected):
    """The record has bytes the file's encoding cannot decode: the whole file is probably in
    another encoding."""


@dataclass(frozen=True, slots=True)
class FeedbackIn:
    text: str
    redacted: str
    received_at: dt.datetime
    score: float | None
    segment: str | None
    step: str | None
    source: str
    external_id: str | None
    dedupe_key: str
    terms: str  # language and meaningful words of ``redacted``, see bot.voice.text.terms
    sentiment: float  # -1 (pain) … +1 (delight), see bot.voice.sentiment
    burdens: str  # what the customer put up with, see bot.voice.put_up_with


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Which column/key of a record holds which field (``None``: not present)."""

    text: str = "text"
    received_at: str | None = "received_at"
    score: str | None = "score"
    segment: str | None = "segment"
    step: str | None = "step"
    external_id: str | None = "external_id"
    source: str | None = "source"

    def columns(self) -> list[str]:
        return [
            c
            for c in (
                self.text,
                self.received_at,
                self.score,
                self.segment,
                self.step,
                self.external_id,
                self.source,
            )
            if c
        ]


def parse_received_at(value: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Parse ISO 8601, ``dd-mm-YYYY HH:MM``, ``YYYY-mm-dd HH:MM:SS ±zzzz`` or epoch seconds.

    A time without an offset is read in ``zone`` (the organisation's default time zone).
    """
    value = value.strip()
    try:
        return _parse_moment(value, zone)
    except (OverflowError, OSError):  # year 1 in a zone east of UTC, year 9999 west of it
        raise Rejected(f"date {value[:40]!r} is out of range") from None


def _parse_moment(value: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if _EPOCH_RE.match(value):
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(
            value.replace("Z", "+00:00") if value.endswith("Z") else value
        )
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise Rejected(f"unreadable date {value[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


def parse_score(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Rejected("score must be a number from 0 to 10")
    if isinstance(value, int | float):
        try:
            score = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise Rejected("score must be from 0 to 10 (NPS 0–10 or CSAT 1–5)") from None
    else:
        text = str(value).strip().replace(",", ".")
        try:
            score = float(text)
        except ValueError:
            raise Rejected(f"score {text[:20]!r} is not a number") from None
    if math.isnan(score) or not 0 <= score <= 10:
        raise Rejected("score must be from 0 to 10 (NPS 0–10 or CSAT 1–5)")
    return score


def parse_step(value: object) -> str | None:
    text = _optional_text(value, "step", 64)
    if text is None:
        return None
    return _STEP_ALIASES.get(text.lower(), text.lower()[:MAX_STEP])


def _shown_step(value: object, step: str | None) -> str | None:
    """The journey step as chat shows it: a known step, or the text given, redacted before
    it is shortened (a cut-off e-mail address would no longer be recognised) and
    lower-cased."""
    if step is None or step in STEPS:
        return step
    # Redacted before it is lower-cased: a name is found by its capital ("Jan Jansen").
    label = stored_label(_optional_text(value, "step", 64), MAX_STEP)
    return label.lower() if label else None


def _optional_text(value: object, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Rejected(f"{name} must be text")
    text = str(value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise Rejected(f"{name} is longer than {limit} characters")
    return _clean(text, name)


def _clean(text: str, name: str) -> str:
    # Nearly every value is plain printable text, which has neither surrogates nor control
    # characters; str.isprintable answers that at C speed, before any pattern runs.
    if text.isprintable():
        return text
    if _SURROGATE_RE.search(text):
        raise Undecodable(f"{name} is not valid text in this encoding (try --encoding)")
    return _CONTROL_RE.sub("", text)


def typed_text(text: str) -> str:
    """What a person typed in chat, as it is stored: stripped, without control characters
    (tab, newline and carriage return stay; PostgreSQL refuses NUL) and with unpaired
    surrogates, which no encoding can store, replaced."""
    return _SURROGATE_RE.sub("\ufffd", _CONTROL_RE.sub("", text)).strip()


def _text_of(record: Mapping[str, object], fields: FieldMap) -> str:
    raw_text = record.get(fields.text)
    if raw_text is None or (isinstance(raw_text, str) and not raw_text.strip()):
        raise Rejected(f"no text in {fields.text!r}")
    if not isinstance(raw_text, str):
        raise Rejected(f"{fields.text!r} must be text")
    text = _clean(raw_text.strip(), "text").strip()
    if not text:
        raise Rejected(f"no text in {fields.text!r}")
    if len(text) > MAX_TEXT:
        raise Rejected(f"text is {len(text)} characters; the limit is {MAX_TEXT}")
    return text


def _dedupe_key(
    external_id: str | None,
    text: str,
    when: str | None,
    segment: str | None,
    step: str | None,
    score: float | None,
) -> str:
    if external_id is not None:
        return "x:" + external_id
    # Without an id, the same content at the same (given) time is the same feedback; the
    # time as written counts, so rows without one still dedupe on re-import.
    parts = (text, when or "", segment or "", step or "", str(score))
    return "h:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _given(record: Mapping[str, object], name: str | None, limit: int) -> str | None:
    return _optional_text(record.get(name), name, limit) if name else None


def normalise(
    record: Mapping[str, object],
    fields: FieldMap,
    *,
    zone: zoneinfo.ZoneInfo,
    default_source: str,
    now: dt.datetime,
) -> FeedbackIn:
    text = _text_of(record, fields)
    raw_when = record.get(fields.received_at) if fields.received_at else None
    when_text = None if raw_when is None else str(raw_when).strip()
    received_at = parse_received_at(when_text, zone) if when_text else now
    if received_at > now + dt.timedelta(days=1):
        raise Rejected(f"date {when_text!r} is in the future")

    score = parse_score(record.get(fields.score)) if fields.score else None
    segment = _given(record, fields.segment, MAX_SEGMENT)
    step = parse_step(record.get(fields.step)) if fields.step else None
    external_id = _given(record, fields.external_id, MAX_EXTERNAL_ID)
    source = _given(record, fields.source, MAX_SOURCE) or default_source
    key = _dedupe_key(external_id, text, when_text, segment, step, score)
    if "&" in text:  # text copied out of web pages and e-mails: "&amp;" means "&"
        text = html.unescape(text)
    redacted = neutral(redact(text))  # markers as codes, shown in the reader's language
    words = split_words(redacted)  # split once for words, feeling and burdens
    analysed = terms_of(words)
    return FeedbackIn(
        text=text,
        redacted=redacted,
        received_at=received_at,
        score=score,
        # Segments and steps are labels chat shows beside a quote: only their redacted form
        # is kept (the content key above still reads them as given, so re-imports dedupe).
        segment=stored_label(segment, MAX_SEGMENT),
        step=_shown_step(record.get(fields.step) if fields.step else None, step),
        source=source,
        external_id=external_id,
        dedupe_key=key,
        terms=analysed,
        sentiment=sentiment(redacted, analysed[:2], words),
        burdens=burdens(redacted, words),
    )

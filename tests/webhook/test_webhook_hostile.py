"""Hostile input, generated: the webhook never fails with a 500 and never stores anything
wrongly, whatever the body, the headers or the items hold.

The pure parts (signature check, body parsing, item judging) get thousands of examples
without a server; the whole path gets fewer, over real HTTP on both databases, each checked
against what the database holds afterwards."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.intake import webhook
from bot.intake.normalise import Rejected
from bot.storage.models import Feedback
from tests.support.webhook_sender import SECRET, Sender

NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)
ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
FIELDS = ("text", "received_at", "score", "segment", "step", "external_id", "source", "org")

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "@everyone",
    "@here",
    "<@U024BE7LH>",
    "<#C024BE7LR|general>",
    "<https://evil.example|klik hier>",
    "*vet* _schuin_ ~weg~ `code` ```blok```",
    "> citaat\n> nog een",
    "[link](javascript:alert(1))",
    '{"type": "AdaptiveCard", "body": []}',
    "<at>Iedereen</at>",
    "'); DROP TABLE feedback; --",
    "%s %(text)s {text} $1",
    "\x00\x01\x1b[31m\x7f",
    "\u202egnirts desrever\u202c",
    "\u200b\ufeff",
    "a\r\nb\rc",
    "𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦",
    "\ud800",
    "\udfff lone",
    "x" * 5001,
    "é" * 4999,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=50)),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
dates = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["17-11-2026 09:30", "2026-11-17 10:00:00 +0100", "0001-01-01T00:00+05:00"]),
    hostile_text,
)
field_values = {
    "text": hostile_text | junk,
    "received_at": dates | junk,
    "score": st.one_of(st.integers(-3, 13), st.floats(), st.text(max_size=6), junk),
    "segment": hostile_text | junk,
    "step": st.sampled_from(["levering", "delivery", "KLACHT", ""]) | hostile_text | junk,
    "external_id": hostile_text | st.integers() | junk,
    "source": hostile_text | junk,
    "org": st.sampled_from(["default", "acme", "", "nope", None]) | hostile_text | junk,
}


# Hostile but acceptable: what must be stored exactly as given.
STORABLE = [t for t in HOSTILE if len(t) <= 5000 and not re.search("[\ud800-\udfff]", t)]
plausible = {
    "text": st.sampled_from(["Goede service.", "Te laat bezorgd!", *STORABLE])
    | st.text(min_size=1, max_size=80),
    "received_at": st.sampled_from(["17-11-2026 09:30", "2026-11-17T10:00:00Z", 1763400000]),
    "score": st.integers(0, 10) | st.sampled_from(["7,5", " 9 "]),
    "segment": st.sampled_from(["Zakelijk", "<!here>", "@everyone"]),
    "step": st.sampled_from(["levering", "delivery", "KLACHT"]),
    "external_id": st.text(min_size=1, max_size=20),
    "source": st.sampled_from(["nps", "*app*"]),
    "org": st.sampled_from(["default", "acme", "", None]),
}


@st.composite
def items(draw: st.DrawFn) -> object:
    """Mostly items that could be stored, with hostile text and now and then a field (or the
    whole item) replaced by junk, so both acceptance and rejection are exercised."""
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)  # not an object at all
    item: dict[str, object] = {}
    for name in ["text", *draw(st.sets(st.sampled_from(FIELDS[1:])))]:
        item[name] = draw(plausible[name])
    if draw(st.integers(0, 2)) == 0:
        name = draw(st.sampled_from(FIELDS))
        item[name] = draw(field_values[name])
    for name in draw(st.sets(st.text(max_size=6), max_size=2)):
        item.setdefault(name, draw(junk))  # unknown fields are ignored
    return item


def encode(value: object) -> bytes:
    # ensure_ascii keeps lone surrogates as "\\ud800" escapes, as a careless sender would.
    return json.dumps(value, ensure_ascii=True).encode()


def mangle(body: bytes, data: st.DataObject) -> bytes:
    """Flip, cut or splice bytes of a body: invalid UTF-8, broken JSON, trailing junk."""
    # Half the bodies stay intact, so that the items inside get judged too.
    how = data.draw(st.sampled_from(["flip", "cut", "splice", "none", "none", "none"]))
    if how == "none" or not body:
        return body
    at = data.draw(st.integers(0, len(body) - 1))
    if how == "flip":
        return body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
    if how == "cut":
        return body[:at]
    return body[:at] + data.draw(st.binary(min_size=1, max_size=8)) + body[at:]


# --- the pure parts, many examples ----------------------------------------------------


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300) | st.builds(encode, st.lists(items(), max_size=5)))
def test_parse_refuses_with_400_or_413_or_returns_items(body: bytes) -> None:
    refused: webhook.Refused | None = None
    try:
        parsed = webhook.parse(body)
    except webhook.Refused as exc:
        refused = exc
    if refused is not None:
        assert refused.status in (400, 413)
        assert str(refused)
    else:
        assert isinstance(parsed, list)
        assert len(parsed) <= webhook.MAX_ITEMS


@settings(max_examples=1000, deadline=None)
@given(items())
def test_an_item_is_judged_or_rejected_with_a_reason(item: object) -> None:
    try:
        org, feedback = webhook.judge(item, zone=ZONE, now=NOW)
    except Rejected as exc:
        reason = str(exc)
        assert reason
        return
    assert isinstance(item, dict)
    assert isinstance(item["text"], str)
    assert feedback.text.strip() == clean(item["text"]).strip()
    assert feedback.text.strip()
    assert len(feedback.text) <= 5000
    assert org and len(org) <= webhook.MAX_ORG
    for value in (feedback.text, feedback.segment, feedback.source, feedback.external_id, org):
        assert value is None or not re.search(
            "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", value
        )
    assert feedback.received_at <= NOW + dt.timedelta(days=1)
    assert feedback.score is None or 0 <= feedback.score <= 10


@settings(max_examples=2000, deadline=None)
@given(
    st.none() | st.text(max_size=20),
    st.none() | st.text(max_size=80),
    st.binary(max_size=50),
)
def test_any_headers_are_401_unless_signed(
    timestamp: str | None, signature: str | None, body: bytes
) -> None:
    status = 200
    try:
        webhook.verify(SECRET, timestamp, signature, body, now=NOW)
    except webhook.Refused as exc:
        status = exc.status
    if status == 200:
        # Only the right signature of a fresh timestamp gets through.
        assert timestamp is not None
        assert signature == webhook.sign(SECRET, timestamp, body)
    else:
        assert status == 401


def clean(text: str) -> str:
    """What the store keeps of a text: stripped, without control characters (tab, newline and
    carriage return stay)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text.strip())


# --- the whole path over HTTP, on both databases ---------------------------------------


async def _max_id(sender: Sender) -> int:
    async with sender.services.sessions() as session:
        return int(await session.scalar(select(func.max(Feedback.id))) or 0)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(items(), max_size=6) | items(), data=st.data())
async def test_hostile_requests_never_500_and_store_only_what_was_accepted(
    sender: Sender, batch: Any, data: st.DataObject
) -> None:
    if not hasattr(sender, "acme"):
        await sender.add_org("acme")
        sender.acme = True  # type: ignore[attr-defined]
    body = mangle(encode(batch), data)
    before = await _max_id(sender)

    answer = await sender.post(body)

    event(f"status {answer.status}")
    assert answer.status in (200, 400, 413), answer.body
    new = [(org, row) for org, row in await sender.rows() if row.id > before]
    if answer.status != 200:
        assert new == []
        return
    sent = json.loads(body)
    sent = sent if isinstance(sent, list) else [sent]
    result = answer.body
    rejected = {r["index"] for r in result["rejected"]}
    assert rejected <= set(range(len(sent)))
    assert all(isinstance(r["reason"], str) and r["reason"] for r in result["rejected"])
    assert result["stored"] + result["duplicates"] + len(rejected) == len(sent)
    assert len(new) == result["stored"]
    event(f"stored {min(result['stored'], 2)}+")
    # Every stored row is one of the accepted items, in its own organisation, with its text
    # as given (hostile markup included: escaping is the renderers' job, not the store's).
    accepted = Counter(
        (str(item.get("org") or "default").strip() or "default", clean(item["text"]).strip())
        for index, item in enumerate(sent)
        if index not in rejected
    )
    stored = Counter((org, row.text.strip()) for org, row in new)
    assert all(row.text.strip() for _, row in new)
    assert stored <= accepted
    # Items without usable text are never among the accepted.
    for index, item in enumerate(sent):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            assert index in rejected

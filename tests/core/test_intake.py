"""The normalisation both the importer and the webhook use, on hostile input."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intake.normalise import FieldMap, Rejected, normalise, parse_received_at

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-12T10:00:00+01:00", "2026-11-12T09:00:00+00:00"),
        ("2026-11-12T10:00:00Z", "2026-11-12T10:00:00+00:00"),
        ("12-11-2026 10:00", "2026-11-12T09:00:00+00:00"),  # Amsterdam, winter time
        ("12-07-2026 10:00", "2026-07-12T08:00:00+00:00"),  # Amsterdam, summer time
        ("2026-11-12 10:00:00 +0100", "2026-11-12T09:00:00+00:00"),
        ("1762941600", "2025-11-12T10:00:00+00:00"),
    ],
)
def test_common_date_formats(text: str, expected: str) -> None:
    assert parse_received_at(text, ZONE).isoformat() == expected


@pytest.mark.parametrize(
    "text",
    ["gisteren", "31-02-2026 10:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
def test_unreadable_or_impossible_dates_are_rejected(text: str) -> None:
    with pytest.raises(Rejected):
        parse_received_at(text, ZONE)


def test_text_of_only_control_characters_is_no_text() -> None:
    with pytest.raises(Rejected, match="no text"):
        normalise({"text": "\x00\x07\x1b"}, FieldMap(), zone=ZONE, default_source="t", now=NOW)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=80),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
records = st.dictionaries(
    st.sampled_from(
        ["text", "received_at", "score", "segment", "step", "external_id", "source", "x"]
    ),
    values,
    max_size=8,
)


@settings(max_examples=300, derandomize=True)
@given(records)
def test_any_record_is_stored_well_or_rejected_with_a_reason(record: dict[str, object]) -> None:
    try:
        item = normalise(record, FieldMap(), zone=ZONE, default_source="t", now=NOW)
    except Rejected as exc:
        reason = str(exc)
        assert reason, "a rejection always says why"
        return
    assert item.text.strip() and len(item.text) <= 5000
    assert item.received_at.tzinfo is not None
    assert item.score is None or 0 <= item.score <= 10
    assert item.dedupe_key.startswith(("x:", "h:"))

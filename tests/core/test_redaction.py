import datetime as dt
import re
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake.normalise import FieldMap, normalise
from bot.intake.redaction import LEAK_PATTERNS, redact, redact_label, stored_label


@pytest.mark.parametrize(
    ("text", "gone", "marker"),
    [
        ("mail me at jan.de.vries@example.nl please", "jan.de.vries@example.nl", "[e-mail]"),
        ("bel 06-12345678 even", "06-12345678", "[telefoon]"),
        ("bel +31 6 1234 5678", "1234 5678", "[telefoon]"),
        ("vast 020-1234567", "020-1234567", "[telefoon]"),
        ("tel: 010 - 123 45 67", "123 45 67", "[telefoon]"),
        ("call +44 20 7946 0958 now", "7946 0958", "[telefoon]"),
        ("IBAN NL91ABNA0417164300 graag", "NL91ABNA0417164300", "[iban]"),
        ("IBAN NL91 ABNA 0417 1643 00", "0417 1643", "[iban]"),
        ("BE68 5390 0754 7034 here", "5390 0754", "[iban]"),
        ("kaart 4111 1111 1111 1111", "4111 1111", "[kaart]"),
        ("zie https://trapkracht.nl/reset?token=abc123", "token=abc123", "[link]"),
        ("www.example.com/pad", "example.com", "[link]"),
        ("vraag @pietje_p maar", "@pietje_p", "[@naam]"),
        ("mijn BSN is 123456782", "123456782", "[bsn]"),
        ("BSN: 1234.56.782, graag", "1234.56.782", "[bsn]"),
        ("burgerservicenummer 123 456 782.", "123 456 782", "[bsn]"),
        ("stuur het naar 1234 AB 56 a.u.b.", "1234 AB 56", "[adres]"),
        ("adres 1234AB 56-2", "1234AB 56-2", "[adres]"),
        ("bezorgd op Dorpsstraat 12, 1234 AB", "Dorpsstraat 12", "[adres]"),
        ("Laan van Meerdervoort 12, 2517 AA Den Haag", "Meerdervoort 12", "[adres]"),
        ("postcode 1234 AB, huisnummer 12", "1234 AB", "[adres]"),
        ("ik ben geboren op 12-03-1985 dus", "12-03-1985", "[geboortedatum]"),
        ("geboortedatum: 12/03/1985", "12/03/1985", "[geboortedatum]"),
        ("Date of birth 1985-03-12", "1985-03-12", "[geboortedatum]"),
        ("I was born on March 12, 1985", "March 12", "[geboortedatum]"),
        ("DOB: 12 maart 1985", "maart 1985", "[geboortedatum]"),
        ("Mijn naam is Jan de Vries en ik wacht al weken", "Jan de Vries", "[naam]"),
        ("my name is Sarah O'Neill.", "Sarah", "[naam]"),
        ("Mijn naam is J. van der Berg", "Berg", "[naam]"),
        ("Hallo, ik ben Piet uit Utrecht", "Piet", "[naam]"),
        ("ik ben Anna, klant sinds 2019", "Anna", "[naam]"),
    ],
)
def test_personal_data_is_replaced(text: str, gone: str, marker: str) -> None:
    result = redact(text)
    assert gone not in result
    assert marker in result


@pytest.mark.parametrize(
    "text",
    [
        "Monteur kwam pas na 9 dagen, 3x met de trein naar Utrecht",
        "Order 123456789 kostte 45 euro",
        "afspraak op 12-11-2026 om 10:30",
        "postcode 1234 AB is altijd laat",
        "NL12 is geen rekening",
        "In 2019 en 2020 ging het goed",
        "De 3 fietsen van 1200 euro",
        "Factuur 123456789 van 12-03-1985",  # not a BSN (11-proof), not a birthday
        "ik ben tevreden, ik ben Trapkracht klant sinds 2020",
        "Ik ben Nederlander.",
        "I am Very happy with it",
        "my name is written wrong on the invoice",
    ],
)
def test_ordinary_numbers_and_dates_stay(text: str) -> None:
    assert redact(text) == text


def test_a_url_keeps_the_sentence_punctuation() -> None:
    assert redact("Zie https://x.nl/a.") == "Zie [link]."


emails = st.from_regex(r"[a-z][a-z0-9._]{0,10}@[a-z]{2,10}\.(nl|com|org)", fullmatch=True)
filler = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]), max_size=40)


@given(filler, emails, filler)
def test_no_email_address_survives(before: str, email: str, after: str) -> None:
    result = redact(f"{before} {email} {after}")
    assert email not in result
    assert not re.search(r"[\w.+-]+@[\w-]+\.[a-z]+", result)


@given(st.text(max_size=300))
def test_redaction_never_fails_and_is_stable(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_segments_and_steps_are_redacted_within_their_column() -> None:
    assert redact_label("Zakelijk", 64) == "Zakelijk"
    assert redact_label(None, 64) is None
    # A marker may be longer than what it replaces; the column's limit still holds.
    label = redact_label("a@b.nl " * 9, 64)
    assert label is not None and len(label) <= 64 and "@" not in label


@pytest.mark.parametrize(
    "text",
    [
        "vraag @pietje_p maar",
        "mail jan@example.nl of bel 06-12345678",
        "BSN 123456782, Dorpsstraat 12, 1234 AB, geboren op 12-03-1985, mijn naam is Jan",
    ],
)
def test_markers_are_left_alone_by_a_second_pass(text: str) -> None:
    # Stored redacted text (a digest's highlights) is redacted again when the rules grow.
    once = redact(text)
    assert redact(once) == once


@pytest.mark.finding(7)
def test_hidden_characters_do_not_hide_personal_data_from_redaction() -> None:
    hidden = "Bel 06\u200b12345678 of mail piet\u200b@x\u2060.nl, ‮IBAN NL91ABNA0417164300"
    redacted = redact(hidden)
    assert "12345678" not in redacted and "piet" not in redacted
    assert "0417164300" not in redacted
    assert all(not pattern.search(redacted) for pattern in LEAK_PATTERNS)


@pytest.mark.parametrize("limit", [32, 64])
def test_a_label_with_old_markers_still_fits_its_column(limit: int) -> None:
    # "[LINK]" typed by a customer becomes the code "[#link]", a character longer: a step of
    # exactly 32 characters once made PostgreSQL refuse the whole webhook batch.
    given = "[LINK]" + "0" * (limit - 6)
    label = stored_label(given.lower(), limit)
    assert label is not None and len(label) <= limit
    assert label.startswith("[#link]")
    # Cut off mid-marker, the half marker goes rather than showing as "[#li".
    cut = stored_label("x" * (limit - 4) + " [link]", limit)
    assert cut == "x" * (limit - 4)


def test_a_step_is_redacted_before_it_is_lower_cased() -> None:
    item = normalise(
        {"text": "Prima", "step": "Mijn naam is Jan Jansen"},
        FieldMap(step="step"),
        zone=zoneinfo.ZoneInfo("Europe/Amsterdam"),
        default_source="t",
        now=dt.datetime(2026, 11, 18, tzinfo=dt.UTC),
    )
    assert item.step == "mijn naam is [#name]"

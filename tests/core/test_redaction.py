import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.redaction import redact


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
        "postcode 1234 AB, huisnummer 12",
        "NL12 is geen rekening",
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

"""How a customer feels in a text, and the language of a short one: small hand-made examples
in Dutch and English, each asserting what a reader of the digest would notice.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bot.intake.normalise import FieldMap, normalise
from bot.voice.highlights import side_of
from bot.voice.sentiment import sentiment
from bot.voice.text import terms

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("better", "worse", "language"),
    [
        ("niet slecht", "slecht", "nl"),
        ("goed", "niet goed", "nl"),
        ("De app werkt", "De app werkt niet", "nl"),
        ("not bad", "bad", "en"),
        ("great", "not great", "en"),
        ("It arrived on time", "It did not arrive", "en"),
        ("Mooie fiets, maar de accu is prima", "Mooie fiets, maar de accu is slecht", "nl"),
    ],
)
def test_negation_turns_the_feeling(better: str, worse: str, language: str) -> None:
    assert sentiment(better, language) > sentiment(worse, language)


def test_negated_words_land_on_the_other_side() -> None:
    assert sentiment("niet slecht", "nl") > 0 > sentiment("slecht", "nl")
    assert sentiment("not great", "en") < 0 < sentiment("great", "en")
    assert sentiment("geen probleem", "nl") > 0 > sentiment("probleem", "nl")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Never again!", "en"),
        ("We will not be back.", "en"),
        ("Overpriced and the straps feel flimsy", "en"),
        ("Hier kom ik nooit meer terug", "nl"),
        ("Enige minpunt: de monteur was ongeïnteresseerd", "nl"),
    ],
)
def test_how_customers_say_they_are_let_down_is_pain(text: str, language: str) -> None:
    # Words the general lexicons lack or never read as a complaint, and a return that will
    # not happen: "not back" is what a customer expected of themselves, unmet.
    assert sentiment(text, language) < 0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Amazing food.", "en"),
        ("Great app", "en"),
        ("Snelle levering", "nl"),
        ("prima", "nl"),  # words both languages use stay with the default
        ("Super!", "nl"),
        ("Prima service", "nl"),  # a Dutch word settles it, whatever the loanword
        ("Service is prima", "nl"),
        ("Fiets & accu prima, zie [#link]", "nl"),
        ("👍", "nl"),
    ],
)
def test_a_short_text_without_function_words_gets_its_language(text: str, language: str) -> None:
    # Once every such text was Dutch, and "Amazing food." had no feeling at all.
    assert terms(text).split()[0] == language


def test_a_short_english_text_has_its_feeling() -> None:
    now = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)
    item = normalise({"text": "Amazing food."}, FieldMap(), zone=ZONE, default_source="t", now=now)
    assert item.sentiment is not None and item.sentiment > 0.5


def test_inflected_dutch_adjectives_keep_their_feeling() -> None:
    assert sentiment("Mooie fietsen en een toffe winkel", "nl") > 0.5
    assert sentiment("Wat een vreselijke ervaring", "nl") < -0.5
    assert sentiment("Teleurgestelde klant", "nl") < 0


def test_nouns_that_share_a_stem_with_an_adjective_carry_no_feeling() -> None:
    # The stemmer joins "ervaring" to "ervaren" (experienced) and "prijzen" to "prijzig".
    assert sentiment("Mijn ervaring met de monteur", "nl") == 0.0
    assert sentiment("De prijzen zijn per januari aangepast", "nl") == 0.0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I'll be back next week", "en"),
        ("Would not hesitate to return", "en"),  # the negation is about "hesitate"
        ("I can't wait to return!", "en"),
        ("No problems again this time", "en"),
        ("Ik kom graag terug", "nl"),
        ("Geld terug, geen gedoe", "nl"),  # "geen" belongs to the next clause
        ("Ik kom zeker terug, niets op aan te merken", "nl"),
    ],
)
def test_a_return_that_will_happen_is_no_complaint(text: str, language: str) -> None:
    assert sentiment(text, language) >= 0


@pytest.mark.parametrize(
    "text",
    [
        "Ik ben erg gefrustreerd",
        "Zeer geïrriteerd over de service",
        "Garantie geweigerd",
        "Ik wachtte een uur op de monteur",
        "Dure fiets voor wat je krijgt",
        "Een boze klant",
    ],
)
def test_participles_and_short_inflections_keep_their_feeling(text: str) -> None:
    assert sentiment(text, "nl") < 0


def test_intensifiers_and_softeners_scale_the_feeling() -> None:
    assert (
        sentiment("heel traag", "nl") < sentiment("traag", "nl") < sentiment("beetje traag", "nl")
    )
    assert sentiment("really great", "en") > sentiment("great", "en")
    assert sentiment("great!!", "en") > sentiment("great", "en")


def test_a_plain_text_says_nothing_either_way() -> None:
    assert sentiment("Ik heb de fiets op dinsdag opgehaald.", "nl") == 0.0
    assert sentiment("", "en") == 0.0


def test_the_score_decides_the_side_and_the_text_only_without_one() -> None:
    delighted = sentiment("Super vriendelijke monteur, top geholpen!", "nl")
    hurt = sentiment("Schandalig, al drie weken geen reactie", "nl")
    assert side_of(None, delighted) == "delight"
    assert side_of(None, hurt) == "pain"
    assert side_of(None, 0.0) == "neutral"
    assert side_of(3, delighted) == "pain"  # a low score outweighs polite words
    assert side_of(10, hurt) == "delight"

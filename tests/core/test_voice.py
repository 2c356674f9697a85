"""The customer voice sees people, not an average: sacrifices, groups, labels (feeling: in
test_sentiment.py).

Small hand-made examples in Dutch and English, each asserting what a reader of the digest
would notice.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from bot.i18n import Catalog
from bot.intake.markers import neutral, shown
from bot.intake.normalise import FieldMap, normalise
from bot.voice.differences import MIN_GROUP, differences
from bot.voice.glossary import root
from bot.voice.highlights import Candidate, pick_highlights
from bot.voice.put_up_with import Burdened, burdens, put_up_with, sharpness
from bot.voice.text import split_words, terms, terms_of, words
from bot.voice.theme_labels import labelled
from bot.voice.themes import Theme, ThemeResult, find_themes

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("20 min in de wacht gehangen bij de klantenservice", "wait"),
        ("Monteur kwam pas na 3 dagen", "wait"),
        ("Nog steeds geen reactie op mijn klacht", "wait"),
        ("Kept on hold for 40 minutes", "wait"),
        ("I called three times before anyone answered", "repeat"),
        ("Drie keer gebeld, niemand belde terug", "repeat"),
        ("Voor de derde keer een verkeerde factuur", "repeat"),
        ("Ik moest 15 euro extra betalen voor de bezorging", "cost"),
        ("They charged me twice for one month", "cost"),
        ("A 5 hr drive to the nearest shop", "effort"),
        ("Moest de fiets zelf ophalen, 12 km fietsen heen en terug", "effort"),
        ("Had to drive 40 km to return it and waited an hour", "wait effort"),
    ],
)
def test_what_customers_put_up_with_is_found_in_both_languages(text: str, kinds: str) -> None:
    assert burdens(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Mooie fiets, fijne service",
        "Ik fiets 2 keer per week naar mijn werk",
        "Battery range drops to 30 km when it freezes",
        "It was 43 euro a month",
        "45 min later weer op weg, top!",
    ],
)
def test_ordinary_mentions_of_time_money_and_distance_are_no_burden(text: str) -> None:
    assert burdens(text) == ""


def test_put_up_with_counts_kinds_and_quotes_the_sharpest_across_groups() -> None:
    texts = [
        (1, "Lang gewacht", "forens", -0.3),
        (2, "45 minuten in de wacht, drie keer gebeld en niemand hielp", "forens", -0.8),
        (3, "Waited 2 hours on hold", "student", -0.5),
        (4, "Had to pay 10 euro extra for delivery", "student", -0.4),
        (5, "Prima fiets", "senior", 0.6),
    ]
    kinds = [burdens(text) for _, text, _, _ in texts]
    found = put_up_with(
        kinds,
        lambda i: sharpness(texts[i][1], texts[i][3], kinds[i]),
        lambda i: Burdened(texts[i][0], texts[i][1], texts[i][2], None, None, "pain", kinds[i]),
        quotes=3,
    )
    assert found.count == 4
    assert dict(found.kinds) == {"wait": 3, "repeat": 1, "cost": 1}
    # The sharpest wait (a number, two kinds, the worst feeling) is the only repeat too: it
    # is quoted once, and the next kind goes to another group.
    assert [(q["kind"], q["id"]) for q in found.quotes] == [("wait", 2), ("cost", 4)]


def _week(
    groups: dict[str, tuple[int, int]], columns: int = 3
) -> tuple[sparse.csr_matrix, list[str]]:
    """Items per group: (items, of which using word 0); every item uses word 1."""
    rows, segments = [], []
    for name, (size, using) in groups.items():
        for i in range(size):
            rows.append([1 if i < using else 0, 1] + [0] * (columns - 2))
            segments.append(name)
    return sparse.csr_matrix(np.array(rows, dtype=float)), segments


def test_a_group_that_talks_about_something_notably_more_is_shown() -> None:
    counts, segments = _week({"gezin": (40, 25), "forens": (80, 3), "student": (60, 2)})
    found = differences(counts, ["bakfiets", "fiets", "x"].__getitem__, segments, ["neutral"] * 180)
    assert [(d["segment"], [w["word"] for w in d["words"]]) for d in found] == [
        ("gezin", ["bakfiets"])
    ]


def test_differences_need_support_so_noise_is_never_shown() -> None:
    # Three of a small group using a word is no difference, however rare the word elsewhere.
    counts, segments = _week({"senior": (MIN_GROUP - 1, 4), "forens": (80, 0), "gezin": (40, 1)})
    assert differences(counts, str, segments, ["neutral"] * len(segments)) == []
    counts, segments = _week({"senior": (30, 3), "forens": (80, 0), "gezin": (40, 0)})
    assert differences(counts, str, segments, ["neutral"] * len(segments)) == []


def test_a_group_that_feels_notably_more_pain_is_shown() -> None:
    counts, segments = _week({"student": (40, 0), "forens": (80, 0), "senior": (40, 0)})
    sides = ["pain" if s == "student" and i % 4 else "neutral" for i, s in enumerate(segments)]
    found = differences(counts, str, segments, sides)
    assert [(d["segment"], d["feels"]) for d in found] == [("student", "pain")]


def _theme_week(texts: list[str]) -> tuple[ThemeResult, list[str]]:
    documents = [terms(text) for text in texts]
    roots = ("wacht", "telefon", "wait", "phone")
    theme = Theme("wacht · telefoon", ("wacht", "telefoon"), len(texts), 0, roots)
    return ThemeResult((theme,), tuple(0 for _ in texts)), documents


def test_theme_labels_are_phrases_customers_wrote_never_markers_or_numbers() -> None:
    texts = [
        "Lang in de wacht aan de telefoon, zie [link]",
        "Weer lang in de wacht, bel me op [telefoon]",
        "[@naam] zegt: 30 minuten in de wacht",
        "Long wait on the phone, [link]",
        "Another long wait on the phone today",
    ]
    result, documents = _theme_week(texts)
    theme = labelled(result, texts, documents).themes[0]
    labels = dict(theme.labels)
    assert labels["nl"] == "lang in de wacht"
    assert labels["en"] == "wait on the phone"
    for label in labels.values():
        assert "[" not in label and "link" not in label and "naam" not in label
        assert not any(ch.isdigit() for ch in label)
    assert theme.label("nl") == "lang in de wacht" and theme.label("de") in labels.values()


def test_one_customers_phrase_does_not_name_a_theme() -> None:
    texts = [
        "My bike was stolen from the rack at work",
        "The bike rack at the station is full",
        "New bike rides well",
        "Bike lights stopped working",
    ]
    documents = [terms(text) for text in texts]
    roots = (root("bike", "en"), root("stolen", "en"))
    theme = Theme("fiets · stolen", ("fiets", "stolen"), len(texts), 0, roots)
    result = ThemeResult((theme,), tuple(0 for _ in texts))
    labels = dict(labelled(result, texts, documents).themes[0].labels)
    # "bike was stolen" joins both of the theme's words, but only one customer wrote it.
    assert labels["en"] == "bike"


def test_themes_that_say_the_same_are_merged_counts_and_all() -> None:
    texts = ["De accu loopt leeg", "Accu loopt snel leeg", "Accu leeg na een rit", "x"] * 3
    documents = [terms(text) for text in texts]
    one = Theme("accu · leeg", ("accu", "leeg"), 6, 2, ("accu", "leg"))
    two = Theme("leeg · accu", ("leeg", "accu"), 3, 1, ("leg", "accu"))
    assignment = tuple(0 if i % 4 in (0, 1) else 1 if i % 4 == 2 else -1 for i in range(12))
    merged = labelled(ThemeResult((one, two), assignment), texts, documents)
    assert [(t.count, t.previous) for t in merged.themes] == [(9, 3)]
    assert set(merged.assignment) == {0, -1}


def test_highlights_reach_every_group_on_different_themes_with_pain_and_delight() -> None:
    # The forens group has the most specific texts, on the themes the gezin and zakelijk
    # groups can only be quoted on: picking by wording alone would leave one of them out.
    items = [
        Candidate(6, "Fiets opgehaald en teruggebracht na de reparatie", "forens", None, 7, -1),
        Candidate(
            1, "Monteur kwam na 45 minuten, fiets weer heel, prima geholpen", "forens", None, 9, 0
        ),
        Candidate(
            2,
            "De app crasht bij inloggen sinds de update van dinsdag, erg lastig",
            "forens",
            None,
            2,
            1,
        ),
        Candidate(
            3, "Accu van de bakfiets loopt met die kou hard leeg halverwege", "gezin", None, 3, 1
        ),
        Candidate(
            4,
            "Factuur voor mijn werkgever klopt voor de derde keer niet",
            "zakelijk",
            None,
            None,
            0,
            None,
            -0.6,
        ),
        Candidate(
            5,
            "Thanks for the quick repair on Saturday morning, great team",
            "senior",
            None,
            None,
            2,
            None,
            0.8,
        ),
    ]
    picked = pick_highlights(items, 4)
    assert {h.segment for h in picked} == {"forens", "gezin", "zakelijk", "senior"}
    assert len({h.theme for h in picked}) == len(picked)
    assert {h.side for h in picked} >= {"pain", "delight"}
    assert picked == pick_highlights(list(reversed(items)), 4)


def test_intake_decodes_html_entities_and_finds_feeling_and_burdens_once() -> None:
    fields = FieldMap(received_at=None, score=None)
    item = normalise(
        {"text": "Fiets &amp; accu kapot, 3 keer gebeld &gt; niemand belt terug"},
        fields,
        zone=ZONE,
        default_source="test",
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert item.text.startswith("Fiets & accu kapot") and "> niemand" in item.text
    assert item.sentiment < 0
    assert item.burdens == "repeat"
    assert item.terms == terms(item.redacted)


def test_a_dutch_and_an_english_message_about_one_problem_share_a_theme() -> None:
    texts = [
        "De accu is weer leeg halverwege de rit",
        "Accu leeg na een korte rit in de kou",
        "Battery empty again halfway through the ride",
        "The battery was empty after a short ride",
        "De factuur klopt niet, dubbel betaald",
        "Factuur klopt alweer niet",
        "The invoice is wrong again, paid twice",
        "Invoice wrong, charged twice this month",
    ] * 2
    result = find_themes(texts)
    battery = {result.assignment[i] for i in (0, 1, 2, 3)}
    invoice = {result.assignment[i] for i in (4, 5, 6, 7)}
    assert len(battery) == 1 and len(invoice) == 1 and battery != invoice
    assert -1 not in battery | invoice


def test_markers_are_stored_neutral_and_shown_in_the_readers_language() -> None:
    catalog = Catalog.load()
    item = normalise(
        {"text": "Bel me op 06-12345678 of mail jan@example.nl, zie https://x.nl/a"},
        FieldMap(received_at=None, score=None),
        zone=ZONE,
        default_source="test",
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert item.redacted == "Bel me op [#phone] of mail [#email], zie [#link]"
    assert shown(item.redacted, catalog.translator("nl")) == (
        "Bel me op [telefoon] of mail [e-mail], zie [link]"
    )
    assert shown(item.redacted, catalog.translator("en")) == (
        "Bel me op [phone] of mail [e-mail], zie [link]"
    )
    # Rows redacted before the codes carry Dutch markers; they read as codes too.
    assert neutral("vraag [@naam] of bel [telefoon]") == "vraag [#handle] of bel [#phone]"


@pytest.mark.parametrize(
    "text",
    [
        "Monteur kwam pas na 3 dagen, didn't call back; e-bike a4 top_notch 12e keer",
        "Café’s crème: één fiets, naïef geregeld — 5 sterren",
    ],
)
def test_words_are_the_same_whichever_pattern_finds_them(text: str) -> None:
    unicode_words = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*").findall(text.lower())
    assert words(text) == unicode_words


_PIECES = st.sampled_from(
    ["monteur", "kwam", "niet", "de", "the", "app", "didn't", "e-bike", "café", "één", "12e",
     "a4", "x_y", "²", "[#link]", "[x]", "[", "]", "(", ")", "…", "“", "”", "‘", "’", "'",
     "-", ".", ",", "!", "?", ";", ":", "/", "*", "€", "£", "$", "@naam", "&", "\n", " ", "  "]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_terms_from_the_shared_split_are_the_terms_of_the_text(text: str) -> None:
    # Intake splits a text once for its words, feeling and burdens; the stored terms must be
    # exactly what terms() gives, which the digest uses for rows stored without them.
    assert terms_of(split_words(text)) == terms(text)


def test_a_theme_only_dutch_customers_wrote_about_is_named_in_english_for_english_teams() -> None:
    texts = ["Abonnement opzeggen per januari", "Opzeggen ging lastig", "Ik wil opzeggen"] * 2
    documents = [terms(text) for text in texts]
    theme = Theme("opzeggen · januari", ("opzeggen",), 6, 0, ("opzeg", "januari"))
    labels = dict(labelled(ThemeResult((theme,), (0,) * 6), texts, documents).themes[0].labels)
    assert labels["nl"].startswith("opzeggen") or labels["nl"] == "abonnement opzeggen"
    assert labels["en"] == "cancel"

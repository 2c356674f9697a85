"""Highlights, themes and prompt rotation on generated data (no database)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.prompts import load_library
from bot.engine.rotation import choose_prompt
from bot.voice.highlights import Candidate, pick_highlights, specificity
from bot.voice.themes import find_themes

TOPICS = {
    "levering": [
        "De bezorging van mijn fiets was {n} dagen te laat en niemand belde",
        "Pakket met accu kwam op het verkeerde adres, {n} keer gebeld",
    ],
    "app": [
        "De app crasht als ik een storing wil melden, al {n} keer geprobeerd",
        "Inloggen in de app lukt niet na de update van {n} november",
    ],
    "monteur": [
        "Monteur kwam binnen {n} uur en loste de lekke band meteen op",
        "Monteur was vriendelijk maar had het onderdeel niet bij, {n} dagen wachten",
    ],
    "prijs": [
        "Abonnement is {n} euro duurder geworden zonder uitleg",
        "Borg van {n} euro is veel voor een student",
    ],
}
SEGMENTS = ["forens"] * 8 + ["student"] * 3 + ["gezin"] * 2 + ["senior", "zakelijk"]


def generated(count: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    items = []
    for i in range(count):
        topic = rng.choice(list(TOPICS))
        segment = rng.choice(SEGMENTS)
        text = rng.choice(TOPICS[topic]).format(n=rng.randint(2, 30))
        if rng.random() < 0.15:
            text = rng.choice(["Top!", "prima", "great service", "Super"])
        # The largest group also scores highest: picking by score would show only them.
        score = rng.choice([9, 10]) if segment == "forens" else rng.randint(0, 8)
        items.append(
            Candidate(
                i + 1, f"{text} ({i})", segment, rng.choice(["use", "service", "delivery"]), score
            )
        )
    return items


def _coverage(chosen: list[Candidate] | list, field: str) -> int:
    return len({getattr(c, field) for c in chosen})


def test_highlights_cover_more_groups_and_themes_than_top_scored_or_newest() -> None:
    for seed in range(5):
        items = generated(300, seed)
        themes = find_themes([c.text for c in items])
        items = [
            Candidate(c.id, c.text, c.segment, c.step, c.score, themes.assignment[i])
            for i, c in enumerate(items)
        ]
        picked = pick_highlights(items, 5)
        top_scored = sorted(items, key=lambda c: (-(c.score or 0), c.id))[:5]
        newest = sorted(items, key=lambda c: -c.id)[:5]
        assert _coverage(picked, "segment") > _coverage(top_scored, "segment")
        assert _coverage(picked, "segment") >= _coverage(newest, "segment")
        assert _coverage(picked, "theme") >= max(
            _coverage(top_scored, "theme"), _coverage(newest, "theme")
        )
        assert {h.side for h in picked} >= {"pain", "delight"}


def test_highlights_skip_generic_praise_and_are_deterministic() -> None:
    items = generated(200, 7)
    first = pick_highlights(items, 5)
    assert first == pick_highlights(list(reversed(items)), 5)
    assert all(specificity(h.text) > 0 for h in first)
    assert not any(
        h.text.split(" (")[0] in {"Top!", "prima", "great service", "Super"} for h in first
    )


def test_themes_are_named_in_customer_words_with_change() -> None:
    current = [c.text for c in generated(200, 1)]
    previous = [c.text for c in generated(100, 2)]
    result = find_themes(current, previous)
    assert 2 <= len(result.themes) <= 5
    words = {w for theme in result.themes for w in theme.keywords}
    assert words & {"app", "monteur", "bezorging", "abonnement", "borg", "accu", "pakket"}
    assert sum(t.count for t in result.themes) <= len(current)
    assert any(t.previous > 0 for t in result.themes)
    assert find_themes(current, previous) == result


def test_themes_on_english_text() -> None:
    texts = [f"The delivery van was {n} hours late again" for n in range(10)] + [
        f"Battery range drops to {n} km in the cold" for n in range(10)
    ]
    names = " ".join(t.name for t in find_themes(texts).themes)
    assert "delivery" in names or "van" in names
    assert "battery" in names or "range" in names


LIBRARY = load_library()


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(["nl", "en"]),
    st.sampled_from(["waarom", "quote", "zo"]),
    st.integers(1, 60),
    st.lists(st.sampled_from(["app", "levering", "prijs", "delivery", "price"]), max_size=3),
)
def test_rotation_never_repeats_back_to_back(
    language: str, kind: str, rounds: int, theme: list[str]
) -> None:
    history: list[str] = []
    for round_ in range(rounds):
        prompt = choose_prompt(
            LIBRARY, language, kind, recent=history, theme_words=theme, seed=str(round_ % 3)
        )
        assert not history or prompt.id != history[0]
        assert prompt.language == language
        history.insert(0, prompt.id)


def test_rotation_prefers_prompts_that_fit_the_strongest_theme() -> None:
    prompt = choose_prompt(
        LIBRARY, "nl", "waarom", recent=[], theme_words=["levering", "bezorging"]
    )
    assert {"levering", "bezorging"} & set(prompt.keywords) or prompt.step == "delivery"

"""Names for themes that a person recognises, and one theme where the model found two.

A theme's strongest stems ("ondersteun · bak") are what the model sees, not what a reader
does. Its label is the short phrase its customers wrote most often: two or three words in a
row, starting and ending with a meaningful word and holding one of the theme's own words
("ondersteuning weg", "monteur kwam"), found separately for each language so a Dutch team
reads Dutch where its customers wrote Dutch. Redaction markers, handles, numbers and stop
words never start or end a label. Themes whose labels or keywords turn out the same are
merged, counts and all.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from bot.voice.glossary import root, word_for
from bot.voice.text import stop_words
from bot.voice.themes import Theme, ThemeResult

LANGUAGES = ("nl", "en")
LABEL_SAMPLE = 120  # documents per theme read for its label: enough for the common phrase
# Small words the stop-word list lacks that make a poor first or last word of a label.
_WEAK = frozenset({"per", "via", "vanaf", "sinds", "totdat", "etc"})
_MARKER_RE = re.compile(r"\[[^\[\]\s]{1,24}\]|@\w+|\S*\d\S*")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|[^\w\s]+")


def labelled(result: ThemeResult, texts: Sequence[str], documents: Sequence[str]) -> ThemeResult:
    """``result`` with a label per language on every theme (``texts``: the redacted texts,
    ``documents``: their stored terms, both in the order of ``result.assignment``), and themes
    that say the same merged."""
    if not result.themes:
        return result
    assignment = np.asarray(result.assignment)
    members = {
        number: np.flatnonzero(assignment == number)[:LABEL_SAMPLE].tolist()
        for number in range(len(result.themes))
    }
    themes = [
        replace(theme, labels=_labels(theme, members[number], texts, documents))
        for number, theme in enumerate(result.themes)
    ]
    return _merged(result, themes)


def _labels(
    theme: Theme, members: list[int], texts: Sequence[str], documents: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    phrases: dict[str, Counter[str]] = defaultdict(Counter)
    singles: dict[str, Counter[str]] = defaultdict(Counter)
    roots = set(theme.roots)
    for index in members:
        language = documents[index][:2]
        found, words = _phrases(texts[index], language, roots)
        phrases[language].update(found)
        singles[language].update(words)
    labels = []
    for language in sorted(set(phrases) | set(singles)):
        # A phrase several customers wrote (more of the theme's words rank it higher); else
        # the theme's strongest word as they spelled it. One customer's phrase is no name for
        # a theme: "bike was stolen" named sixteen messages of which four were about theft.
        scored = [
            (n + 0.5 * _own_words(phrase, language, theme.roots), phrase)
            for phrase, n in phrases[language].items()
            if n >= 2
        ]
        best = min(
            scored,
            key=lambda item: (-item[0], len(item[1].split()), item[1]),
            default=None,
        )
        if best is not None:
            labels.append((language, best[1]))
        elif singles[language]:
            labels.append((language, _strongest(singles[language], language, theme.roots)))
    for language in LANGUAGES:
        if language not in dict(labels):
            # Nobody wrote about it in this language: the glossary's word for its strongest
            # stem, so a team reads its own language ("cancel" for "opzeggen").
            word = next(filter(None, (word_for(r, language) for r in theme.roots)), None)
            if word is not None:
                labels.append((language, word))
    return tuple(sorted(labels))


def _phrases(text: str, language: str, roots: set[str]) -> tuple[set[str], set[str]]:
    """The 2–3 word phrases of ``text`` that could name the theme, and its theme words."""
    stops = stop_words(language)
    tokens = _WORD_RE.findall(_MARKER_RE.sub(" | ", text.lower()))
    meaningful = [
        len(token) >= 3 and token[0].isalpha() and token not in stops and token not in _WEAK
        for token in tokens
    ]
    own = [
        m and root(token, language) in roots for token, m in zip(tokens, meaningful, strict=True)
    ]
    phrases: set[str] = set()
    for start in range(len(tokens)):
        if not meaningful[start]:
            continue
        # Two or three meaningful words, or up to four with small ones between them
        # ("lang in de wacht").
        for size in (2, 3, 4):
            end = start + size
            if end > len(tokens) or not meaningful[end - 1]:
                continue
            gram = tokens[start:end]
            if (
                all(_is_word(word) for word in gram)
                and any(own[start:end])
                and sum(meaningful[start:end]) <= 3
            ):
                phrases.add(" ".join(gram))
    words = {token for token, mine in zip(tokens, own, strict=True) if mine}
    return phrases, words


def _own_words(phrase: str, language: str, roots: tuple[str, ...]) -> int:
    return len({root(word, language) for word in phrase.split()} & set(roots))


def _strongest(words: Counter[str], language: str, roots: tuple[str, ...]) -> str:
    """The written word of the theme's strongest stem that occurs; the commonest spelling."""
    rank = {root: i for i, root in enumerate(roots)}
    return min(
        words.items(),
        key=lambda item: (rank.get(root(item[0], language), len(rank)), -item[1], item[0]),
    )[0]


def _is_word(token: str) -> bool:
    return token[0].isalpha()


def _merged(result: ThemeResult, themes: list[Theme]) -> ThemeResult:
    into = list(range(len(themes)))
    for later in range(len(themes)):
        for earlier in range(later):
            if into[earlier] == earlier and _alike(themes[earlier], themes[later]):
                into[later] = earlier
                break
    if into == list(range(len(themes))):
        return replace(result, themes=tuple(themes))
    kept: list[Theme] = []
    position: dict[int, int] = {}
    for number, theme in enumerate(themes):
        target = into[number]
        if target == number:
            position[number] = len(kept)
            kept.append(theme)
        else:
            head = kept[position[target]]
            kept[position[target]] = replace(
                head, count=head.count + theme.count, previous=head.previous + theme.previous
            )
    assignment = tuple(position[into[a]] if a >= 0 else -1 for a in result.assignment)
    order = sorted(range(len(kept)), key=lambda i: -kept[i].count)
    renumber = {old: new for new, old in enumerate(order)}
    return replace(
        result,
        themes=tuple(kept[i] for i in order),
        assignment=tuple(renumber[a] if a >= 0 else -1 for a in assignment),
    )


def _alike(first: Theme, second: Theme) -> bool:
    shared_labels = set(first.labels) & set(second.labels)
    return bool(shared_labels) or len(set(first.roots) & set(second.roots)) >= 2

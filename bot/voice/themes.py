"""Group a period's feedback into a handful of named themes.

TF-IDF over stemmed content words and non-negative matrix factorisation (scikit-learn) find
groups of words that occur together; each theme is named by its strongest words as customers
wrote them. The model is fitted on this period and applied unchanged to the previous one, so
"change vs last week" compares like with like. NNDSVD initialisation makes it deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from bot.voice.glossary import root as shared_root
from bot.voice.text import terms

MAX_THEMES = 5
# Fitting on a deterministic sample keeps a 100k-item week fast; the fitted model then
# scores every item.
FIT_SAMPLE = 4000
MIN_DOCS = 6
_BLOCK = 20_000  # documents counted at a time


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    keywords: tuple[str, ...]
    count: int
    previous: int
    roots: tuple[str, ...] = ()  # the keywords' stems
    # A short phrase per language, as customers wrote it (see bot.voice.theme_labels).
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, language: str) -> str:
        found = dict(self.labels)
        return found.get(language) or next(iter(found.values()), self.name)

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class ThemeResult:
    themes: tuple[Theme, ...]
    # Index into ``themes`` for each current document (same order as given); -1: none.
    assignment: tuple[int, ...]
    # Each current document's words counted against the fitted vocabulary (one column per
    # stem), and the word customers wrote most for a column: for comparing groups.
    counts: sparse.csr_matrix | None = field(default=None, compare=False, repr=False)
    word_for: Callable[[int], str] = field(default=str, compare=False, repr=False)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def find_themes(
    current: Sequence[str], previous: Sequence[str] = (), *, max_themes: int = MAX_THEMES
) -> ThemeResult:
    """Themes of raw texts; see :func:`themes_of` for texts already analysed."""
    return themes_of(
        [terms(text) for text in current],
        [terms(text) for text in previous],
        max_themes=max_themes,
    )


def themes_of(
    current: Sequence[str], previous: Sequence[str] = (), *, max_themes: int = MAX_THEMES
) -> ThemeResult:
    """Themes from documents as :func:`bot.voice.text.terms` gives them (language and words)."""
    fitted = _fit(current, max_themes) if len(current) >= MIN_DOCS else None
    if fitted is None:
        return ThemeResult((), tuple(-1 for _ in current))
    counter, weighting, model = fitted
    vocabulary = counter.get_feature_names_out()
    columns = _Columns(counter.vocabulary_)
    current_counts = columns.counts(current)
    current_assignment = _assign(model, weighting.transform(current_counts))
    previous_assignment = (
        _assign(model, weighting.transform(columns.counts(previous)))
        if previous
        else np.array([], dtype=int)
    )
    # Named after both weeks are counted: a theme's words are the spellings written most.
    themes, index_map = _named(model, vocabulary, columns, current_assignment, previous_assignment)
    assignment = tuple(index_map.get(int(c), -1) for c in current_assignment)
    return ThemeResult(
        tuple(themes),
        assignment,
        current_counts,
        lambda column: columns.word_for(str(vocabulary[column])),
    )


def _fit(
    current: Sequence[str], max_themes: int
) -> tuple[CountVectorizer, TfidfTransformer, NMF] | None:
    """The word counter, weighting and model fitted on a sample of ``current``; None when
    nothing occurs twice (no themes to speak of)."""
    step = max(1, len(current) // FIT_SAMPLE)
    sample = [_stems(document) for document in current[::step]]
    counter = CountVectorizer(analyzer=_identity, min_df=2, max_df=0.5, max_features=3000)
    try:
        sample_counts = counter.fit_transform(sample)
    except ValueError:
        return None
    weighting = TfidfTransformer(sublinear_tf=True)
    sample_matrix = weighting.fit_transform(sample_counts)
    components = max(1, min(max_themes, sample_matrix.shape[1] - 1, len(sample) // MIN_DOCS))
    model = NMF(n_components=components, init="nndsvd", max_iter=300, random_state=0)
    model.fit(sample_matrix)
    return counter, weighting, model


def _named(
    model: NMF,
    vocabulary: np.ndarray,
    columns: _Columns,
    current: np.ndarray,
    previous: np.ndarray,
) -> tuple[list[Theme], dict[int, int]]:
    """The model's components with items this week as themes, largest first, and each
    component's index among them."""
    themes: list[Theme] = []
    index_map: dict[int, int] = {}
    order = sorted(range(model.n_components), key=lambda c: (-int((current == c).sum()), c))
    for component in order:
        count = int((current == component).sum())
        if count == 0:
            continue
        top = np.argsort(-model.components_[component], kind="stable")[:3]
        roots = tuple(str(vocabulary[i]) for i in top if model.components_[component][i] > 0)
        keywords = tuple(columns.word_for(root) for root in roots)
        if not keywords:
            continue
        index_map[component] = len(themes)
        themes.append(
            Theme(
                name=" · ".join(keywords[:2]),
                keywords=keywords,
                count=count,
                previous=int((previous == component).sum()),
                roots=roots,
            )
        )
    return themes, index_map


def _stems(document: str) -> list[str]:
    lang, _, words = document.partition(" ")
    return [shared_root(word, lang) for word in words.split()]


class _Columns:
    """Counts every document's words against the fitted vocabulary, in bulk.

    The vectorizer's own ``transform`` wants each document as a list of stems, which for a
    busy week means building and walking a hundred thousand small lists in Python. Here the
    documents of one language are split in one go, each distinct word is stemmed once, and
    numpy turns the word positions into the same count matrix.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self._vocabulary = vocabulary
        self._width = len(vocabulary)
        self._known: dict[str, dict[str, int]] = {}
        # To name a theme in customers' words: every word's stem, and how often it was written.
        self._roots: dict[str, dict[str, str]] = {}
        self._spellings: Counter[str] = Counter()

    def counts(self, documents: Sequence[str]) -> sparse.csr_matrix:
        rows: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        # In blocks: the split words of a whole busy week at once would cost more memory
        # than everything else the digest holds.
        for first in range(0, len(documents), _BLOCK):
            block = documents[first : first + _BLOCK]
            by_language: dict[str, list[int]] = {}
            for index, document in enumerate(block, start=first):
                by_language.setdefault(document[:2], []).append(index)
            for lang, indices in by_language.items():
                row, column = self._positions(lang, indices, documents)
                rows.append(row)
                columns.append(column)
        row_all = np.concatenate(rows) if rows else np.array([], dtype=np.int32)
        column_all = np.concatenate(columns) if columns else np.array([], dtype=np.int32)
        # COO to CSR adds up repeated (document, word) pairs: a word twice counts 2.
        return sparse.coo_matrix(
            (np.ones(len(row_all)), (row_all, column_all)),
            shape=(len(documents), self._width),
        ).tocsr()

    def _positions(
        self, lang: str, indices: list[int], documents: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every known word in the given documents of one language."""
        chosen = [documents[i] for i in indices]
        # terms() joins with single spaces: a document's token count (its language code
        # included) is its spaces plus one.
        lengths = np.fromiter((d.count(" ") + 1 for d in chosen), np.int32, len(chosen))
        tokens = " ".join(chosen).split(" ")
        known = self._known.setdefault(lang, {lang: -1})
        roots = self._roots.setdefault(lang, {})
        for word in set(tokens).difference(known):
            root = roots[word] = shared_root(word, lang)
            known[word] = self._vocabulary.get(root, -1)
        self._spellings.update(tokens)
        column = np.fromiter(map(known.__getitem__, tokens), np.int32, len(tokens))
        row = np.repeat(np.asarray(indices, dtype=np.int32), lengths)
        hit = column >= 0
        return row[hit], column[hit]

    def word_for(self, root: str) -> str:
        """The spelling of ``root`` customers wrote most, in every document counted."""
        candidates = {
            word: self._spellings[word]
            for roots in self._roots.values()
            for word, word_root in roots.items()
            if word_root == root
        }
        if not candidates:
            return root
        # Ties go to the shorter, then alphabetical, for determinism.
        return min(candidates.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def _assign(model: NMF, matrix: object) -> np.ndarray:
    weights = model.transform(matrix)
    best = weights.argmax(axis=1)
    # A document sharing no word with any theme belongs to none.
    best[weights.max(axis=1) <= 1e-9] = -1
    return best  # type: ignore[no-any-return]

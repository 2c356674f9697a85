"""Group a period's feedback into a handful of named themes.

TF-IDF over stemmed content words and non-negative matrix factorisation (scikit-learn) find
groups of words that occur together; each theme is named by its strongest words as customers
wrote them. The model is fitted on this period and applied unchanged to the previous one, so
"change vs last week" compares like with like. NNDSVD initialisation makes it deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.text import SurfaceForms

MAX_THEMES = 5
# Fitting on a deterministic sample keeps a 100k-item week fast; the fitted model then
# scores every item.
FIT_SAMPLE = 4000
MIN_DOCS = 6


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    keywords: tuple[str, ...]
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class ThemeResult:
    themes: tuple[Theme, ...]
    # Index into ``themes`` for each current document (same order as given); -1: none.
    assignment: tuple[int, ...]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def find_themes(
    current: Sequence[str], previous: Sequence[str] = (), *, max_themes: int = MAX_THEMES
) -> ThemeResult:
    forms = SurfaceForms()
    return themes_of(
        [forms.analyse(text) for text in current],
        [forms.analyse(text) for text in previous],
        forms,
        max_themes=max_themes,
    )


def themes_of(
    current_tokens: Sequence[list[str]],
    previous_tokens: Sequence[list[str]],
    forms: SurfaceForms,
    *,
    max_themes: int = MAX_THEMES,
) -> ThemeResult:
    """Themes from already analysed documents (stems, see :class:`SurfaceForms`)."""
    if len(current_tokens) < MIN_DOCS:
        return ThemeResult((), tuple(-1 for _ in current_tokens))
    step = max(1, len(current_tokens) // FIT_SAMPLE)
    sample = current_tokens[::step]
    vectorizer = TfidfVectorizer(
        analyzer=_identity, min_df=2, max_df=0.5, max_features=3000, sublinear_tf=True
    )
    try:
        sample_matrix = vectorizer.fit_transform(sample)
    except ValueError:  # nothing occurs twice: no themes to speak of
        return ThemeResult((), tuple(-1 for _ in current_tokens))
    components = max(1, min(max_themes, sample_matrix.shape[1] - 1, len(sample) // MIN_DOCS))
    model = NMF(n_components=components, init="nndsvd", max_iter=300, random_state=0)
    model.fit(sample_matrix)

    vocabulary = vectorizer.get_feature_names_out()
    current_assignment = _assign(model, vectorizer.transform(current_tokens))
    previous_assignment = (
        _assign(model, vectorizer.transform(previous_tokens))
        if previous_tokens
        else np.array([], dtype=int)
    )
    themes: list[Theme] = []
    index_map: dict[int, int] = {}
    order = sorted(range(components), key=lambda c: (-int((current_assignment == c).sum()), c))
    for component in order:
        count = int((current_assignment == component).sum())
        if count == 0:
            continue
        top = np.argsort(-model.components_[component], kind="stable")[:3]
        keywords = tuple(
            forms.word_for(str(vocabulary[i])) for i in top if model.components_[component][i] > 0
        )
        if not keywords:
            continue
        index_map[component] = len(themes)
        themes.append(
            Theme(
                name=" · ".join(keywords[:2]),
                keywords=keywords,
                count=count,
                previous=int((previous_assignment == component).sum()),
            )
        )
    assignment = tuple(index_map.get(int(c), -1) for c in current_assignment)
    return ThemeResult(tuple(themes), assignment)


def _assign(model: NMF, matrix: object) -> np.ndarray:
    weights = model.transform(matrix)
    best = weights.argmax(axis=1)
    # A document sharing no word with any theme belongs to none.
    best[weights.max(axis=1) <= 1e-9] = -1
    return best  # type: ignore[no-any-return]

"""How customer groups differ: what one group talks about or feels notably more than the rest.

The average customer does not exist; groups look alike until someone points out the
difference. For each group with enough feedback, every word is compared between the group
and everyone else by the weighted log-odds ratio with an informative Dirichlet prior (Monroe,
Colaresi & Quinn 2008, "Fightin' Words"): the prior, the week's own word counts, shrinks the
estimates of rare words, and the z-score says how sure the difference is. Words are counted
per customer (used or not): the comparison is of how many customers mention a word. Only a
word that a minimum number of the group's customers used and whose z-score clears a high
bar is shown, so a handful of texts is never presented as a difference. How a group feels
(its share of pain and of delight) is compared with a two-proportion z-test, same bar.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np
from scipy import sparse

MIN_GROUP = 20  # items a group needs before it is compared at all
MIN_SUPPORT = 5  # of the group's items that must use a word
MIN_Z = 3.0  # about p < 0.001 for one word; many words are compared, so the bar is high
PRIOR_SIZE = 0.1  # the prior's weight, as a share of the week's word count
MAX_WORDS = 3


def differences(
    counts: sparse.csr_matrix | None,
    word_for: Callable[[int], str],
    segments: Sequence[str | None],
    sides: Sequence[str],
) -> list[dict[str, object]]:
    """For each group (``segments``, one per row of ``counts``) with something notable: the
    words it uses more (``counts`` holds each item's words, one column per word) and whether
    it feels notably more pain or delight (``sides``: "pain", "delight" or "neutral")."""
    sizes = Counter(segments)
    names = sorted((s for s in sizes if s), key=lambda s: (-sizes[s], s))
    if len(names) < 2:
        return []
    index: dict[str | None, int] = {name: i for i, name in enumerate(names)}
    rows = np.fromiter(map(index.get, segments, repeat(-1)), np.int64, len(segments))
    result: list[dict[str, object]] = []
    side_array = np.asarray(sides)
    per_group = _group_counts(counts, rows, len(names)) if counts is not None else None
    for name, group in index.items():
        members = rows == group
        size = int(members.sum())
        if size < MIN_GROUP or size == len(segments):
            continue
        words = (
            _words(per_group, group, size, len(segments), word_for) if per_group is not None else []
        )
        feels = _feeling(side_array, members)
        if words or feels:
            result.append({"segment": name, "count": size, "words": words, **feels})
    return result


def _group_counts(counts: sparse.csr_matrix, rows: np.ndarray, groups: int) -> np.ndarray:
    # Items using a word (not how often): one long complaint should not outweigh five people.
    used = counts.astype(np.float64)
    used.data[:] = 1.0
    known = rows >= 0
    indicator = sparse.csr_matrix(
        (np.ones(int(known.sum())), (rows[known], np.flatnonzero(known))),
        shape=(groups, counts.shape[0]),
    )
    total = np.asarray(used.sum(axis=0)).ravel()
    return np.vstack([np.asarray((indicator @ used).todense()), total])


def _words(
    per_group: np.ndarray, group: int, size: int, items: int, word_for: Callable[[int], str]
) -> list[dict[str, object]]:
    mine = per_group[group]
    total = per_group[-1]
    rest = total - mine
    prior = PRIOR_SIZE * total + 0.01
    z = log_odds_z(mine, rest, size, items - size, prior, PRIOR_SIZE * items + 0.02)
    order = np.argsort(-z, kind="stable")
    found: list[dict[str, object]] = []
    for column in order[: MAX_WORDS * 4]:
        if z[column] < MIN_Z or len(found) == MAX_WORDS:
            break
        if mine[column] < MIN_SUPPORT:
            continue
        found.append(
            {
                "word": word_for(int(column)),
                "count": int(mine[column]),
                "z": round(float(z[column]), 1),
            }
        )
    return found


def log_odds_z(
    mine: np.ndarray,
    rest: np.ndarray,
    n_mine: int,
    n_rest: int,
    prior: np.ndarray,
    prior_sum: float,
) -> np.ndarray:
    """Monroe et al. (2008), eq. 16–18, per word and per customer: the z-score of the
    log-odds ratio that a customer of the group uses the word (``mine`` of ``n_mine``) against
    one of the rest (``rest`` of ``n_rest``), with the informative Dirichlet (here beta)
    prior ``prior`` of ``prior_sum``. Counting customers, not word tokens, keeps one group's
    favourite word from making every other word look rarer there."""
    used_mine, used_rest = mine + prior, rest + prior
    unused_mine = n_mine + prior_sum - used_mine
    unused_rest = n_rest + prior_sum - used_rest
    delta = np.log(used_mine / unused_mine) - np.log(used_rest / unused_rest)
    variance = 1 / used_mine + 1 / unused_mine + 1 / used_rest + 1 / unused_rest
    return np.asarray(delta / np.sqrt(variance))


def _feeling(sides: np.ndarray, members: np.ndarray) -> dict[str, object]:
    """Pain or delight notably more often in the group than in the rest, if either."""
    for side in ("pain", "delight"):
        hits = sides == side
        mine, rest = members.sum(), (~members).sum()
        share_mine = float((hits & members).sum()) / mine
        share_rest = float((hits & ~members).sum()) / rest
        pooled = float(hits.sum()) / len(sides)
        spread = math.sqrt(pooled * (1 - pooled) * (1 / mine + 1 / rest)) if 0 < pooled < 1 else 0
        if spread and (share_mine - share_rest) / spread >= MIN_Z:
            return {
                "feels": side,
                "share": round(share_mine, 3),
                "rest_share": round(share_rest, 3),
            }
    return {}

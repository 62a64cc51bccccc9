"""How the Whoosh engine orders matches: BM25F with a gentle recency prior (`RecencyBM25F`, and the same over
numpy arrays), the top of a ranking without a full sort, and the one document that stands for a reprint group.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from whoosh.scoring import BM25F

from index.document import EPOCH
from index.schema import (
    UNDATED,
)

# Recency prior: a score is multiplied by 1 + PRIOR * 2^(-age / HALF_LIFE). Gentle: it orders near-equal
# matches newest first without lifting a weak new match over a strong old one.
PRIOR = 0.15
HALF_LIFE_DAYS = 365.0


class RecencyBM25F(BM25F):
    """BM25F whose final score carries the gentle recency prior; `days` is the day array of the searcher."""

    use_final = True

    def __init__(self, **kwargs: float) -> None:
        super().__init__(B=0.75, K1=1.2, **kwargs)
        self.days: np.ndarray | None = None
        self.today = (dt.date.today() - EPOCH).days

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        days = self.days
        if days is None or docnum >= len(days):
            return score
        day = int(days[docnum])
        if day == UNDATED:
            return score
        age = max(0, self.today - day)
        return score * (1.0 + PRIOR * 2.0 ** (-age / HALF_LIFE_DAYS))


def with_recency(scores: np.ndarray, days: np.ndarray, today: int) -> np.ndarray:
    """`RecencyBM25F.final` over arrays: each score times 1 + PRIOR * 2^(-age / HALF_LIFE), undated unchanged."""
    age = np.maximum(0, today - days.astype(np.int64))
    factor = 1.0 + PRIOR * np.exp2(-age / HALF_LIFE_DAYS)
    return np.where(days == UNDATED, scores, scores * factor)


def top_ranked(
    values: np.ndarray,
    candidates: np.ndarray,
    limit: int,
    groups: np.ndarray | None,
    ties: np.ndarray | None = None,
) -> np.ndarray:
    """The positions in `candidates` of the first `limit` by `values` (one per candidate, highest first), ties by
    `ties` (lowest first; by default the document number, as Whoosh's collector breaks them); with `groups` (per
    document number), only the first document of each group, as Whoosh's collapse with a limit of 1 keeps it.

    Only the candidates at or above the limit-th value are sorted (np.partition), not all of them.
    """
    if not candidates.size or limit <= 0:
        return np.zeros(0, dtype=np.int64)
    ties = candidates if ties is None else ties
    want = limit if groups is None else 4 * limit
    while True:
        if want < candidates.size:
            # all candidates scoring at least the want-th best score: ties at the edge are all kept
            threshold = np.partition(values, candidates.size - want)[candidates.size - want]
            chosen = np.flatnonzero(values >= threshold)
        else:
            chosen = np.arange(candidates.size)
        order = chosen[np.lexsort((ties[chosen], -values[chosen]))]
        if groups is None:
            return order[:limit]
        _, first = np.unique(groups[candidates[order]], return_index=True)
        order = order[np.sort(first)]
        if order.size >= limit or want >= candidates.size:
            return order[:limit]
        want *= 4


def group_leaders(raw: np.ndarray, candidates: np.ndarray, grp: np.ndarray, group_size: np.ndarray) -> np.ndarray:
    """Which candidates stand for their reprint group: in each group the best raw score (before the recency
    prior), the earliest document on ties, as Whoosh's collapse keeps them (it compares matcher scores)."""
    keep = np.ones(candidates.size, dtype=bool)
    groups = grp[candidates]
    shared = np.flatnonzero(group_size[groups] > 1)
    if shared.size:
        order = shared[np.lexsort((candidates[shared], -raw[shared]))]
        _, first = np.unique(groups[order], return_index=True)
        keep[shared] = False
        keep[order[first]] = True
    return keep

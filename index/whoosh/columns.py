"""Per-document arrays of one Whoosh index generation (`Columns`): what filters, facet counts, sorts and reprint
grouping need, built from the keyword fields' postings once per generation, segment by segment
(`SegmentPart`), so counting a facet over 100k matches is a numpy bincount, not a grouped search.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.schema import (
    UNDATED,
)
from index.whoosh.evaluate import QueryCache


# ---------------------------------------------------------------------------------------------- columns
@dataclass(slots=True)
class FacetArrays:
    """One facet as a sparse matrix: pair k says document docs[k] has value values[vals[k]]."""

    values: list[str]
    index: dict[str, int]
    docs: np.ndarray
    vals: np.ndarray

    def mask(self, selected: Iterable[str], size: int) -> np.ndarray:
        ids = [self.index[v] for v in selected if v in self.index]
        out = np.zeros(size, dtype=bool)
        if ids:
            out[self.docs[np.isin(self.vals, ids)]] = True
        return out

    def counts(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))

    def first_value(self, size: int) -> np.ndarray:
        """Per document the id of one value (-1 for none): for single-valued facets like source."""
        out = np.full(size, -1, dtype=np.int32)
        out[self.docs] = self.vals
        return out


@dataclass(slots=True)
class Columns:
    """Per-document arrays of one index generation: what filters, facets, sorts and grouping need."""

    size: int
    live: np.ndarray
    ids: list[str]
    day: np.ndarray
    amount_top: np.ndarray
    grp: np.ndarray  # group number per document
    group_size: np.ndarray  # live documents per group number
    facets: dict[str, FacetArrays]
    cache: QueryCache = field(default_factory=QueryCache)  # lengths and frequent postings, filled by queries

    @classmethod
    def build(cls, reader: Any, facet_fields: Sequence[str], cache: dict[Any, SegmentPart] | None = None) -> Columns:
        """The arrays of `reader`, made of per-segment parts; `cache` keeps the parts of unchanged segments.

        Segments are immutable but for deletions, so after a commit only the new segments (and those that lost
        documents) are read again: the cost of a refresh follows what changed, not the size of the index.
        """
        previous = dict(cache or {})
        if cache is not None:
            cache.clear()
        parts: list[SegmentPart] = []
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment() if hasattr(leaf, "segment") else None
            key = (segment.segment_id() if segment is not None else id(leaf), leaf.doc_count_all(), leaf.doc_count())
            part = previous.get(key) or SegmentPart.build(leaf, facet_fields)
            if cache is not None:
                cache[key] = part
            parts.append(part)
        size = sum(p.size for p in parts)
        live = np.concatenate([p.live for p in parts]) if parts else np.zeros(0, dtype=bool)
        ids = [rid for p in parts for rid in p.ids]
        day = np.concatenate([p.day for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        amount = np.concatenate([p.amount_top for p in parts]) if parts else np.zeros(0, dtype=np.float64)
        groups: dict[str, int] = {}
        grp = np.fromiter(
            (groups.setdefault(key or f"#{i}", len(groups)) for i, key in enumerate(g for p in parts for g in p.grp)),
            dtype=np.int32,
            count=size,
        )
        group_size = np.bincount(grp[live], minlength=len(groups)) if size else np.zeros(0, dtype=np.int64)
        facets = {name: _merge_facet([p.facets[name] for p in parts], [p.size for p in parts]) for name in facet_fields}
        return cls(size, live, ids, day, amount, grp, group_size, facets)


@dataclass(slots=True)
class SegmentPart:
    """The arrays of one segment, with its own document numbers (0 = the segment's first document)."""

    size: int
    live: np.ndarray
    ids: list[str]
    grp: list[str]
    day: np.ndarray
    amount_top: np.ndarray
    facets: dict[str, FacetArrays]

    @classmethod
    def build(cls, leaf: Any, facet_fields: Sequence[str]) -> SegmentPart:
        size = leaf.doc_count_all()
        live = np.zeros(size, dtype=bool)
        if size:
            live[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
        ids = [_text(v) for v in _column(leaf, "id", size, "")]
        grp = [_text(v) for v in _column(leaf, "grp", size, "")]
        day = np.fromiter((int(v) for v in _column(leaf, "day", size, UNDATED)), dtype=np.int32, count=size)
        amount = np.fromiter(
            (float(v or 0.0) for v in _column(leaf, "amount_top", size, 0.0)), dtype=np.float64, count=size
        )
        facets = {name: _facet(leaf, name, live) for name in facet_fields}
        return cls(size, live, ids, grp, day, amount, facets)


def _merge_facet(parts: list[FacetArrays], sizes: list[int]) -> FacetArrays:
    values: list[str] = []
    index: dict[str, int] = {}
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    offset = 0
    for part, size in zip(parts, sizes, strict=True):
        if part.values:
            mapping = np.fromiter(
                (index.setdefault(v, len(index)) for v in part.values), dtype=np.int32, count=len(part.values)
            )
            docs.append(part.docs + offset)
            vals.append(mapping[part.vals])
        offset += size
    values = list(index)
    return FacetArrays(
        values,
        index,
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        np.concatenate(vals) if vals else np.zeros(0, dtype=np.int32),
    )


def _column(reader: Any, name: str, size: int, default: Any) -> Iterable[Any]:
    if size == 0:
        return []
    if reader.has_column(name):
        return list(reader.column_reader(name))
    return [default] * size


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value or "")


def _facet(reader: Any, name: str, live: np.ndarray) -> FacetArrays:
    values: list[str] = []
    docs_parts: list[np.ndarray] = []
    vals_parts: list[np.ndarray] = []
    if live.size and name in reader.schema:
        for term in reader.lexicon(name):
            value = _text(term)
            docs = np.fromiter(reader.postings(name, term).all_ids(), dtype=np.int64)
            docs = docs[live[docs]]
            if not docs.size:
                continue
            docs_parts.append(docs)
            vals_parts.append(np.full(docs.size, len(values), dtype=np.int32))
            values.append(value)
    docs_all = np.concatenate(docs_parts) if docs_parts else np.zeros(0, dtype=np.int64)
    vals_all = np.concatenate(vals_parts) if vals_parts else np.zeros(0, dtype=np.int32)
    return FacetArrays(values, {v: i for i, v in enumerate(values)}, docs_all, vals_all)


def month_labels(days: np.ndarray) -> np.ndarray:
    """ "YYYY-MM" for each day number."""
    months = (np.datetime64("1970-01-01", "D") + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return months.astype(str)

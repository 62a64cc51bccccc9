"""The search half of the Whoosh engine (`WhooshSearch`, mixed into `index.whoosh.engine.WhooshIndex`): what a
request becomes on a searcher and its generation's columns. The query is parsed by the shared parser
(`index.parse`) and evaluated with numpy (`index.whoosh.evaluate`); dates, amounts and facet filters are masks
over the columns (`index.whoosh.columns`); facet counts leave their own filter out; a page is ranked by BM25F
with the recency prior (`index.whoosh.ranking`), or by Whoosh's searcher where only it can score the query;
reprints fold into one hit with their outlets; snippets come from `index.highlight`. Histograms, exports and
more-like-this read the same masks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.sorting import FieldFacet

from index import SearchIndexError, qtree
from index.document import day_number, field_lang
from index.highlight import QueryMarker, snippet
from index.models import FACETS, FacetValue, Hit, Record, SearchRequest, SearchResult
from index.parse import NOTICE_ANY, ParsedQuery, QueryBuilder
from index.schema import UNDATED
from index.store import ArticleStore
from index.whoosh.columns import Columns, month_labels
from index.whoosh.compile import to_whoosh
from index.whoosh.evaluate import query_mask, query_scores
from index.whoosh.ranking import RecencyBM25F, group_leaders, top_ranked, with_recency

BATCH = 500  # records read from the store at a time by an export


class WhooshSearch:
    """Search, export, histogram and more-like-this of a Whoosh index; the index lends a searcher (`_borrow`)
    and the columns of its generation (`_cols`)."""

    schema: Schema
    store: ArticleStore
    _queries: QueryBuilder
    _local: threading.local

    def _borrow(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def _cols(self, searcher: Any) -> Columns:
        raise NotImplementedError

    def _matches(self, request: SearchRequest, searcher: Any, cols: Columns, *, scored: bool = True) -> _Matched:
        """The parsed query, its BM25F scores, its mask, the base mask (query, dates, amounts) and a mask per
        active facet filter.

        When the request is ranked by relevance (and `scored`), the query's scores are computed with the mask
        (None otherwise, or when a part of the query only Whoosh's searcher scores: `query_scores`).
        The search page asks `search` and then `histogram` of one request: the second call takes the first's
        matches (kept per thread for the next call only) instead of parsing and evaluating the query again.
        """
        scored = scored and request.sort == "relevance"
        key = dataclasses.replace(request, page=1, per_page=1, facets=True, group=True, sort="")
        memo = getattr(self._local, "matched", None)
        self._local.matched = None
        if memo is not None and memo[0] is cols and memo[1] == key and (memo[2] or not scored):
            matched: _Matched = memo[3]
            return matched
        matched = self._evaluate(request, searcher, cols, scored)
        self._local.matched = (cols, key, scored, matched)
        return matched

    def _evaluate(self, request: SearchRequest, searcher: Any, cols: Columns, scored: bool) -> _Matched:
        parsed = self._queries.parse(request.q, translate=request.xlang)
        bounds = self._bounds(request, searcher, cols)
        filters = {
            name: cols.facets[name].mask(values, cols.size)
            for name, values in request.filters().items()
            if values and name in cols.facets
        }
        # The documents any count or hit can come from: within the dates and amounts, and failing at most one
        # facet filter (a facet's own counts leave its filter out). Phrases check positions only there.
        within = bounds
        if len(filters) > 1:
            failed = np.zeros(cols.size, dtype=np.int8)
            for selected in filters.values():
                failed += ~selected
            within = failed <= 1 if within is None else within & (failed <= 1)
        qmask, scores = self._query_mask(parsed, searcher, cols, scored, within)
        if parsed.query is not None and not qmask.any() and parsed.plain and parsed.words > 1:
            # No article has all the words: fall back to any of them, and say so.
            anyword = self._queries.parse(request.q, any_word=True, translate=request.xlang)
            qmask, scores = self._query_mask(anyword, searcher, cols, scored, within)
            anyword.notice = anyword.notice or NOTICE_ANY
            parsed = anyword
        base = qmask if bounds is None else qmask & bounds
        return parsed, scores, qmask, base, filters

    def _bounds(self, request: SearchRequest, searcher: Any, cols: Columns) -> np.ndarray | None:
        """The documents within the request's dates and amounts; None when it has neither."""
        bounds: np.ndarray | None = None

        def narrow(mask: np.ndarray) -> None:
            nonlocal bounds
            bounds = mask if bounds is None else bounds & mask

        if request.date_from:
            narrow(cols.day >= day_number(request.date_from))
        if request.date_to:
            narrow((cols.day <= day_number(request.date_to)) & (cols.day > day_number("0001-01-02")))
        if request.amount_max is None and request.amount_min is not None and request.amount_min > 0:
            # "An amount of at least X" is "the largest amount is at least X": one comparison over the column,
            # where the range's terms are hundreds of posting lists at a million articles.
            narrow(cols.amount_top >= request.amount_min)
        elif request.amount_min is not None or request.amount_max is not None:
            amount_query = qtree.Range("amount", request.amount_min, request.amount_max)
            narrow(query_mask(amount_query, searcher, cols.size, cols.cache))
        return bounds

    def _query_mask(
        self, parsed: ParsedQuery, searcher: Any, cols: Columns, scored: bool, within: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The live documents the query matches, and their scores when `scored` and the evaluator scores it."""
        if parsed.query is None:
            return cols.live.copy(), None
        if not scored:
            return query_mask(parsed.query, searcher, cols.size, cols.cache, within) & cols.live, None
        mask, scores = query_scores(parsed.query, searcher, cols.size, cols.cache, within)
        return mask & cols.live, scores

    def search(self, request: SearchRequest) -> SearchResult:
        with self._borrow() as searcher:
            cols = self._cols(searcher)
            parsed, scores, qmask, base, filters = self._matches(request, searcher, cols)
            final = _all_of(base, filters)
            facets: dict[str, list[FacetValue]] = {}
            if request.facets:
                for name in FACETS:
                    arrays = cols.facets.get(name)
                    if arrays is None:
                        continue
                    # Datashare semantics: a facet's counts obey every other filter but not its own selection.
                    mask = _all_of(base, filters, skip=name)
                    counts = arrays.counts(mask) if arrays.values else np.zeros(0, dtype=np.int64)
                    selected = set(request.filters().get(name, []))
                    values = [
                        FacetValue(value, int(counts[i]))
                        for i, value in enumerate(arrays.values)
                        if counts[i] > 0 or value in selected
                    ]
                    values += [FacetValue(v, 0) for v in selected if v not in arrays.index]
                    values.sort(key=lambda v: (-v.count, v.value))
                    facets[name] = values
            total = int(np.count_nonzero(np.bincount(cols.grp[final]))) if request.group else int(final.sum())
            start = (request.page - 1) * request.per_page
            ranked = self._ranked(request, parsed, scores, searcher, cols, qmask, final, start + request.per_page)
            page = ranked[start : start + request.per_page]
            hits = self._hits(page, parsed, cols, with_groups=request.group)
            return parsed.result(total, request.page, request.per_page, hits, facets)

    def _ranked(
        self,
        request: SearchRequest,
        parsed: ParsedQuery,
        scores: np.ndarray | None,
        searcher: Any,
        cols: Columns,
        qmask: np.ndarray,
        final: np.ndarray,
        limit: int,
    ) -> list[tuple[int, float]]:
        """(docnum, score) of the first `limit` matches in the request's order, reprints folded if asked."""
        if request.sort == "relevance" and parsed.query is not None and scores is not None:
            # BM25F from the postings with numpy (`query_scores`), the recency prior and the top `limit`
            candidates = np.flatnonzero(final)
            if request.group:
                candidates = candidates[group_leaders(scores, candidates, cols.grp, cols.group_size)]
            values = scores[candidates]
            weighting = searcher.weighting
            if isinstance(weighting, RecencyBM25F) and weighting.use_final:
                values = with_recency(values, cols.day[candidates], weighting.today)
            chosen = top_ranked(values, candidates, limit, None)
            return [(int(candidates[i]), float(values[i])) for i in chosen]
        if request.sort == "relevance" and parsed.query is not None:
            q = to_whoosh(parsed.query, self.schema)  # Whoosh's searcher ranks what the evaluator cannot score
            weighting = searcher.weighting
            if isinstance(weighting, RecencyBM25F):
                weighting.days = cols.day
            kwargs: dict[str, Any] = {}
            if not np.array_equal(final, qmask):
                kwargs["filter"] = set(np.flatnonzero(final).tolist())
            if request.group:
                kwargs["collapse"] = FieldFacet("grp")
                kwargs["collapse_limit"] = 1
            results = searcher.search(q, limit=max(limit, 1), **kwargs)
            ranked = [(hit.docnum, float(hit.score or 0.0)) for hit in results]
            if request.group:
                # Whoosh's collapse lets reprints through when a filter set is given too (year=2024 with a
                # query showed both copies of one story: "2 found, showing 1-4"); the best-scored copy of each
                # group is kept here, and a short page is refilled from a longer list.
                folded = _first_of_groups(ranked, cols.grp)
                if len(folded) < min(limit, len(ranked)) and len(ranked) >= limit:
                    more = searcher.search(q, limit=4 * max(limit, 1), **kwargs)
                    folded = _first_of_groups([(h.docnum, float(h.score or 0.0)) for h in more], cols.grp)
                ranked = folded[:limit]
            return ranked
        docs = np.flatnonzero(final)
        day = cols.day[docs].astype(np.int64)
        if request.sort == "amount":  # largest first, then newest, then the later document
            values, ties = cols.amount_top[docs], -((day << 32) + docs)
        elif request.sort == "date_asc":  # oldest first, undated last, then the earlier document
            values, ties = -np.where(day == UNDATED, np.iinfo(np.int32).max, day).astype(np.float64), docs
        else:  # date, and relevance without a query: newest first, then the later document
            values, ties = day.astype(np.float64), -docs
        chosen = top_ranked(values, docs, limit, cols.grp if request.group else None, ties)
        return [(int(docs[i]), 0.0) for i in chosen]

    def _hits(
        self, ranked: list[tuple[int, float]], parsed: ParsedQuery, cols: Columns, *, with_groups: bool
    ) -> list[Hit]:
        ids = [cols.ids[d] for d, _ in ranked]
        records = self.store.get_many(ids)
        marker = QueryMarker(parsed)  # the translations' words marked apart in snippets (class "xlang")
        source = cols.facets["source"]
        by_source = source.first_value(cols.size) if with_groups else None
        hits = []
        for (docnum, score), record_id in zip(ranked, ids, strict=True):
            record = records.get(record_id)
            if record is None:
                continue
            body = record.text or record.lead
            spans, translated = marker.spans(body, {record.lang, *record.paragraph_langs})
            hit = Hit(record, score, snippet(body, spans, translated=translated))
            group = int(cols.grp[docnum])
            if by_source is not None and cols.group_size[group] > 1:
                hit.group_size = int(cols.group_size[group])
                members = np.flatnonzero((cols.grp == group) & cols.live)
                names = {source.values[v] for v in np.unique(by_source[members]).tolist() if v >= 0}
                names.discard(record.source.lower())
                hit.group_sources = sorted(names)
            hits.append(hit)
        return hits

    def iter_records(self, request: SearchRequest, limit: int) -> Iterator[Record]:
        with self._borrow() as searcher:
            cols = self._cols(searcher)
            parsed, scores, qmask, base, filters = self._matches(request, searcher, cols)
            final = _all_of(base, filters)
            ranked = self._ranked(request, parsed, scores, searcher, cols, qmask, final, limit)
        # The searcher goes back before the first record: a long export does not hold one.
        for start in range(0, len(ranked), BATCH):
            chunk = [cols.ids[d] for d, _ in ranked[start : start + BATCH]]
            records = self.store.get_many(chunk)
            for record_id in chunk:
                record = records.get(record_id)
                if record is not None:
                    yield record

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        record = self.store.get(record_id)
        if record is None:
            return []
        with self._borrow() as searcher:
            cols = self._cols(searcher)
            docnum = searcher.document_number(id=record_id)
            if docnum is None:
                return []
            lang = field_lang(record.lang) or "kk"
            fieldname = f"body_{lang}" if f"body_{lang}" in self.schema else "body_kk"
            text = " ".join([record.title, record.lead, record.text])
            terms = searcher.key_terms_from_text(fieldname, text, numterms=12)
            if not terms:
                return []
            q = wq.Or([wq.Term(fieldname, term, boost=weight) for term, weight in terms])
            group = int(cols.grp[docnum])
            exclude = set(np.flatnonzero(cols.grp == group).tolist()) | {docnum}
            results = searcher.search(q, limit=limit, mask=exclude)
            ranked = [(hit.docnum, float(hit.score or 0.0)) for hit in results]
            return self._hits(ranked, ParsedQuery(None), cols, with_groups=True)

    def histogram(self, request: SearchRequest, by: str = "lang") -> dict[str, dict[str, int]]:
        """{"2025-02": {"kk": 3, "ru": 5}, ...}: matches per month, split by language or region."""
        if by not in ("lang", "region"):
            raise SearchIndexError(f"histogram by {by!r}: choose lang or region")
        with self._borrow() as searcher:
            cols = self._cols(searcher)
            _parsed, _scores, _qmask, base, filters = self._matches(request, searcher, cols, scored=False)
            final = _all_of(base, filters) & (cols.day != UNDATED)
            arrays = cols.facets[by]
            keep = final[arrays.docs]
            docs = arrays.docs[keep]
            vals = arrays.vals[keep]
            if by == "region":
                regional = np.array([v.startswith("KZ-") for v in arrays.values], dtype=bool)
                if regional.size:
                    chosen = regional[vals]
                    docs, vals = docs[chosen], vals[chosen]
            out: dict[str, dict[str, int]] = {}
            if not docs.size:
                return out
            months = month_labels(cols.day[docs])
            for month, value in zip(months.tolist(), vals.tolist(), strict=True):
                bucket = out.setdefault(month, {})
                name = arrays.values[value]
                bucket[name] = bucket.get(name, 0) + 1
            return dict(sorted(out.items()))


# What a request matches: (parsed query, BM25F scores or None, query mask, base mask, a mask per facet filter)
_Matched = tuple[ParsedQuery, np.ndarray | None, np.ndarray, np.ndarray, dict[str, np.ndarray]]


def _all_of(base: np.ndarray, filters: dict[str, np.ndarray], skip: str = "") -> np.ndarray:
    """`base` and every facet filter but `skip` (a facet's counts ignore its own selection)."""
    out = base.copy()
    for name, mask in filters.items():
        if name != skip:
            out &= mask
    return out


def _first_of_groups(ranked: list[tuple[int, float]], grp: np.ndarray) -> list[tuple[int, float]]:
    """`ranked` with only the first document of each reprint group, order kept."""
    seen: set[int] = set()
    out: list[tuple[int, float]] = []
    for docnum, score in ranked:
        group = int(grp[docnum])
        if group not in seen:
            seen.add(group)
            out.append((docnum, score))
    return out

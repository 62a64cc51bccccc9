"""The benchmark's baseline: plain Whoosh, built the obvious way a newcomer would build it.

StemmingAnalyzer (English Porter stemming, as Whoosh ships it; Cyrillic words pass through unstemmed),
every text field stored for snippets, facets counted by `groupedby` over KEYWORD/ID columns (with
`allow_overlap` for the multi-valued ones), dates filtered with DateRange, amounts with NumericRange.
It answers the same `SearchRequest`s as our index, so `bench.run` can put both side by side; it is not
part of the product and nothing outside bench/ imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import fields, index, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.qparser import MultifieldParser
from whoosh.query import And, DateRange, Every, NumericRange, Or, Query, Term

from index.models import FACETS, FacetValue, Hit, Record, SearchRequest, SearchResult

_MULTI = ("region", "sector", "country")


def schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.ID(stored=True),
        source=fields.ID(stored=True, sortable=True),
        lang=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        month=fields.ID(stored=True, sortable=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        text=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        region=fields.KEYWORD(stored=True, commas=True),
        sector=fields.KEYWORD(stored=True, commas=True),
        country=fields.KEYWORD(stored=True, commas=True),
        published=fields.DATETIME(stored=True, sortable=True),
        amount=fields.NUMERIC(float, stored=True, sortable=True),
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:16])
    except ValueError:
        return None


class BaselineIndex:
    """A plain Whoosh index with the `SearchIndex` methods the benchmark calls."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(path)):
            self.ix = index.open_dir(str(path))
        else:
            self.ix = index.create_in(str(path), schema())
        self.parser = MultifieldParser(["title", "text"], self.ix.schema)

    def add(self, records: Iterable[Record]) -> int:
        n = 0
        writer = self.ix.writer(limitmb=256)
        for rec in records:
            writer.update_document(
                id=rec.id,
                url=rec.url,
                source=rec.source,
                lang=rec.lang,
                year=rec.year or "",
                month=(rec.published or "")[:7],
                title=rec.title,
                text=f"{rec.lead}\n\n{rec.text}",
                region=",".join(rec.regions),
                sector=",".join(rec.sectors),
                country=",".join(rec.countries),
                published=_date(rec.published),
                amount=max((a.kzt or 0.0 for a in rec.amounts), default=0.0),
            )
            n += 1
        writer.commit()
        return n

    def count(self) -> int:
        return int(self.ix.doc_count())

    def _query(self, request: SearchRequest) -> Query:
        parts: list[Query] = [self.parser.parse(request.q) if request.q.strip() else Every()]
        for name, values in request.filters().items():
            if values:
                parts.append(Or([Term(name, v) for v in values]))
        if request.date_from or request.date_to:
            parts.append(DateRange("published", _date(request.date_from), _date(request.date_to)))
        if request.amount_min is not None or request.amount_max is not None:
            parts.append(NumericRange("amount", request.amount_min, request.amount_max))
        return And(parts) if len(parts) > 1 else parts[0]

    def search(self, request: SearchRequest) -> SearchResult:
        query = self._query(request)
        facets: dict[str, Any] = {}
        if request.facets:
            for name in FACETS:
                facets[name] = sorting.FieldFacet(name, allow_overlap=name in _MULTI)
        kwargs: dict[str, Any] = {}
        if request.sort == "date":
            kwargs["sortedby"] = "published"
            kwargs["reverse"] = True
        with self.ix.searcher() as searcher:
            results = searcher.search_page(
                query, request.page, pagelen=request.per_page, groupedby=facets or None, terms=True, **kwargs
            )
            hits = []
            for hit in results:
                stored = hit.fields()
                record = Record(
                    id=stored["id"],
                    url=stored["url"],
                    source=stored["source"],
                    title=stored["title"],
                    lead="",
                    text="",
                    lang=stored["lang"],
                    published=stored["published"].isoformat() if stored.get("published") else None,
                    regions=stored.get("region", "").split(",") if stored.get("region") else [],
                    sectors=stored.get("sector", "").split(",") if stored.get("sector") else [],
                    countries=stored.get("country", "").split(",") if stored.get("country") else [],
                )
                hits.append(Hit(record=record, score=hit.score or 0.0, snippet=hit.highlights("text")))
            counts: dict[str, list[FacetValue]] = {}
            for name in facets:
                groups = results.results.groups(name)
                ranked = sorted(((k, len(v)) for k, v in groups.items() if k), key=lambda kv: -kv[1])
                counts[name] = [FacetValue(str(k), n) for k, n in ranked]
            return SearchResult(
                total=len(results), page=request.page, per_page=request.per_page, hits=hits, facets=counts
            )

    def histogram(self, request: SearchRequest, by: str = "lang") -> dict[str, dict[str, int]]:
        query = self._query(request)
        facet = sorting.MultiFacet([sorting.FieldFacet("month"), sorting.FieldFacet(by)])
        with self.ix.searcher() as searcher:
            results = searcher.search(query, groupedby={"h": facet}, limit=None)
            out: dict[str, dict[str, int]] = {}
            for (month, key), docs in results.groups("h").items():
                if month:
                    out.setdefault(month, {})[key] = len(docs)
            return out

    def close(self) -> None:
        self.ix.close()

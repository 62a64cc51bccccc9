"""TEMPORARY scaffold: an in-memory SearchIndex used only until index/engine.py lands. Delete then."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from pathlib import Path

from index import FacetValue, Hit, Record, SearchRequest, SearchResult


class ScaffoldIndex:
    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.records: dict[str, Record] = {}

    def add(self, records: Iterable[Record]) -> int:
        n = 0
        for r in records:
            self.records[r.id] = r
            n += 1
        by_text: dict[str, str] = {}
        for r in self.records.values():
            r.group_id = by_text.setdefault(r.text, r.id)
        counts: dict[str, int] = {}
        for r in self.records.values():
            counts[r.group_id] = counts.get(r.group_id, 0) + 1
        for r in self.records.values():
            if counts[r.group_id] == 1:
                r.group_id = ""
        return n

    def _values(self, r: Record, facet: str) -> list[str]:
        return {"region": r.regions, "sector": r.sectors, "country": r.countries, "lang": [r.lang],
                "source": [r.source], "year": [r.year or ""]}[facet]  # fmt: skip

    def _match(self, r: Record, req: SearchRequest, skip: str = "") -> bool:
        words = [w for w in req.q.lower().replace('"', " ").split() if w not in ("and", "or", "not")]
        blob = (r.title + " " + r.text).lower()
        if any(w.rstrip("*") not in blob for w in words):
            return False
        for facet, wanted in req.filters().items():
            if facet != skip and wanted and not set(wanted) & set(self._values(r, facet)):
                return False
        kzt = [a.kzt for a in r.amounts if a.kzt is not None]
        if req.amount_min is not None and not any(v >= req.amount_min for v in kzt):
            return False
        if req.amount_max is not None and not any(v <= req.amount_max for v in kzt):
            return False
        day = (r.published or "")[:10]
        if req.date_from and not (day and day >= req.date_from):
            return False
        return not (req.date_to and not (day and day <= req.date_to))

    def _sorted(self, req: SearchRequest) -> list[Record]:
        found = [r for r in self.records.values() if self._match(r, req)]
        if req.sort == "date_asc":
            found.sort(key=lambda r: r.published or "")
        elif req.sort == "amount":
            found.sort(key=lambda r: -max([a.kzt or 0 for a in r.amounts] or [0]))
        else:
            found.sort(key=lambda r: r.published or "", reverse=True)
        return found

    def search(self, request: SearchRequest) -> SearchResult:
        found = self._sorted(request)
        if request.group:
            seen: set[str] = set()
            folded = []
            for r in found:
                if r.group_id and r.group_id in seen:
                    continue
                seen.add(r.group_id)
                folded.append(r)
        else:
            folded = found
        start = (request.page - 1) * request.per_page
        hits = []
        for r in folded[start : start + request.per_page]:
            others = [
                o.source for o in self.records.values() if r.group_id and o.group_id == r.group_id and o.id != r.id
            ]
            snippet = html.escape(r.text[:160])
            for w in request.q.split():
                snippet = snippet.replace(html.escape(w), f"<mark>{html.escape(w)}</mark>")
            hits.append(Hit(r, 1.0, snippet, len(others) + 1, others))
        facets: dict[str, list[FacetValue]] = {}
        for facet in request.filters():
            counts: dict[str, int] = {}
            for r in self.records.values():
                if self._match(r, request, skip=facet):
                    for v in set(self._values(r, facet)):
                        if v:
                            counts[v] = counts.get(v, 0) + 1
            facets[facet] = [FacetValue(v, c) for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return SearchResult(len(folded), request.page, request.per_page, hits, facets)

    def get(self, record_id: str) -> Record | None:
        return self.records.get(record_id)

    def count(self) -> int:
        return len(self.records)

    def iter_records(self, request: SearchRequest, limit: int) -> Iterator[Record]:
        yield from self._sorted(request)[:limit]

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        r = self.records[record_id]
        return [Hit(o) for o in self.records.values() if o.id != r.id and set(o.regions) & set(r.regions)][:limit]

    def group(self, group_id: str) -> list[Record]:
        return [r for r in self.records.values() if r.group_id == group_id]

    def histogram(self, request: SearchRequest, by: str = "lang") -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self._sorted(request):
            if r.published:
                keys = [r.lang] if by == "lang" else [c for c in r.regions if c.startswith("KZ-")] or [""]
                for k in keys:
                    month = out.setdefault(r.published[:7], {})
                    month[k] = month.get(k, 0) + 1
        return out

    def generation(self) -> str:
        return str(len(self.records))

    def close(self) -> None:
        pass

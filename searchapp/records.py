"""JSON views of index records: one shape for the API, the CLI, exports and feeds (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from index.models import Hit, Record, SearchResult


def record_json(record: Record, *, full: bool = False) -> dict[str, Any]:
    """The API's article record; `full` adds text, lead, authors and fetched_at (GET /api/articles/<id>)."""
    out: dict[str, Any] = {
        "id": record.id,
        "url": record.url,
        "title": record.title,
        "source": record.source,
        "published": record.published[:10] if record.published else None,
        "lang": record.lang,
        "regions": list(record.regions),
        "sectors": list(record.sectors),
        "countries": list(record.countries),
        "amounts": [a.as_json() for a in record.amounts],
    }
    if full:
        out.update(
            {
                "text": record.text,
                "lead": record.lead,
                "authors": list(record.authors),
                "tags": list(record.tags),
                "fetched_at": record.fetched_at,
                "group_id": record.group_id,
                "evidence": [
                    {
                        "facet": e.facet,
                        "code": e.code,
                        "score": e.score,
                        "spans": [{"start": s.start, "end": s.end, "text": s.text} for s in e.spans],
                    }
                    for e in record.evidence
                ],
            }
        )
    return out


def hit_json(hit: Hit) -> dict[str, Any]:
    out = record_json(hit.record)
    out["snippet"] = hit.snippet
    out["score"] = round(hit.score, 4)
    if hit.group_size > 1:
        out["group"] = {"id": hit.record.group_id, "size": hit.group_size, "sources": list(hit.group_sources)}
    return out


def result_json(result: SearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "results": [hit_json(h) for h in result.hits],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in result.facets.items()
        },
    }
    if result.notice:
        out["notice"] = result.notice
    return out

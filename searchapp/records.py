"""One search, several views: the `Search` object and the JSON shape of records for API, CLI, exports and feeds.

`run_search(index, params, ...)` parses user parameters with the one parser (`searchapp.query`), asks the
index, and fills facet labels in the UI language. The result is a `Search`; the HTML page, `/api/search`,
`searchapp search`, the CSV/JSON export and the RSS/Atom feeds are all views of it (CONTRACT.md shapes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from index import SearchIndex
from index.facets.labels import label, parent
from index.models import FACETS, Hit, Record, SearchRequest, SearchResult
from searchapp.i18n import lang_name, t
from searchapp.query import parse_request, request_params
from searchapp.resources import search_slot

LABELLED_FACETS = ("region", "sector", "country")


def facet_label(facet: str, code: str, ui: str, outlets: Mapping[str, str] | None = None) -> str:
    """A facet value's label in the UI language: region, sector and country names, language and outlet names."""
    if facet == "source":
        return (outlets or {}).get(code, code)
    if facet == "lang":
        return lang_name(code, ui)
    if facet in LABELLED_FACETS:
        return label(facet, code, ui) or code
    return code


def facet_parent(facet: str, code: str) -> str | None:
    """The parent of a tree value: a district's region, a division's section; None at the top."""
    return parent(facet, code) if facet in ("region", "sector") else None


@dataclass(slots=True)
class Search:
    """A parsed request and the index's answer, with facet labels in `ui`: what every view renders."""

    request: SearchRequest
    result: SearchResult
    ui: str

    @property
    def params(self) -> dict[str, Any]:
        """Parameters that reproduce this search (links, exports, saved searches, feeds)."""
        return request_params(self.request)

    @property
    def pages(self) -> int:
        return max(1, -(-self.result.total // max(1, self.result.per_page)))

    def json(self) -> dict[str, Any]:
        return result_json(self.result)


_NOTICE_SYNTAX = re.compile(r"^The query has a syntax error \((?P<problem>.*)\); it was searched as plain words\.$")
_NOTICE_ANY = "No article has all of the words; showing articles with any of them."
_PROBLEMS = {
    "unbalanced quotes": "problem_quotes",
    "unbalanced parentheses": "problem_parens",
    "no words": "problem_no_words",
    "a field without a value": "problem_field",
    "it could not be read": "problem_unreadable",
}
_PROBLEM_PATTERNS = (
    (re.compile(r"^(?P<token>\S+) without a word after it$"), "problem_after"),
    (re.compile(r"^(?P<token>\S+) without a word before it$"), "problem_before"),
    (re.compile(r"^(?P<token>\S+) followed by (?P<other>\S+)$"), "problem_followed"),
)


def localize_notice(notice: str, ui: str) -> str:
    """The index's notice (English) in the UI language; a notice we do not know passes through unchanged."""
    if notice == _NOTICE_ANY:
        return t("notice_any", ui)
    match = _NOTICE_SYNTAX.match(notice)
    if not match:
        return notice
    problem = match["problem"]
    if problem in _PROBLEMS:
        problem = t(_PROBLEMS[problem], ui)
    else:
        for pattern, key in _PROBLEM_PATTERNS:
            found = pattern.match(problem)
            if found:
                problem = t(key, ui, **found.groupdict())
                break
    return t("notice_syntax", ui, problem=problem)


def parse_search(params: Mapping[str, Any], *, ui: str, settings: Mapping[str, Any]) -> SearchRequest:
    """The one parser with the app's limits; raises AppError with a message in `ui`."""
    return parse_request(
        params,
        lang=ui,
        per_page_default=settings["per_page"],
        max_per_page=settings["max_per_page"],
        max_query_chars=settings["max_query_chars"],
    )


def run_search(
    index: SearchIndex,
    params: Mapping[str, Any],
    *,
    ui: str,
    settings: Mapping[str, Any],
    outlets: Mapping[str, str] | None = None,
) -> Search:
    """Parse `params` (raising AppError in `ui` on bad input), search, and label the facets."""
    request = parse_search(params, ui=ui, settings=settings)
    with search_slot():
        result = index.search(request)
    result.notice = localize_notice(result.notice, ui)
    if result.expansion_capped:
        capped = t("notice_xlang_capped", ui)
        result.notice = f"{result.notice} {capped}" if result.notice else capped
    for name, values in result.facets.items():
        for value in values:
            if not value.label:
                value.label = facet_label(name, value.value, ui, outlets)
    return Search(request, result, ui)


def also_searched(expanded: Mapping[str, list[str]], limit: int = 12) -> str:
    """The translations searched beside the query, as one line ("зауыт, завод"), at most `limit` words."""
    words = [w for lang in ("kk", "ru") for w in expanded.get(lang, [])]
    text = ", ".join(words[:limit])
    return text + (" …" if len(words) > limit else "")


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
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in result.facets.get(name, [])]
            for name in (*FACETS, *(n for n in result.facets if n not in FACETS))
        },
    }
    if result.notice:
        out["notice"] = result.notice
    out["expanded"] = {lang: list(result.expanded.get(lang, [])) for lang in ("kk", "ru")}
    if result.expanded_tags:
        out["expanded_facets"] = list(result.expanded_tags)
    if result.expansion_capped:
        out["expanded_capped"] = True
    return out

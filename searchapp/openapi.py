"""The OpenAPI 3.1 document of the JSON API (served at /api/openapi.json), written to match CONTRACT.md.

The examples here are checked against real answers by tests/test_api.py, and every documented parameter is
sent to the real endpoint there, so this document cannot drift from the code unnoticed.
"""

from __future__ import annotations

from typing import Any

from index.models import SORTS

_STR = {"type": "string"}
_CODES = {"type": "array", "items": _STR}

AMOUNT_EXAMPLE = {"value": 120000000000, "currency": "KZT", "kzt": 120000000000, "text": "120 млрд тенге"}
RESULT_EXAMPLE: dict[str, Any] = {
    "id": "3f2a9c0d1b7e4a55",
    "url": "https://example.kz/news/2025/02/zavod.html",
    "title": "Түркістан облысында жаңа зауыт салынады",
    "source": "example.kz",
    "published": "2025-02-10",
    "lang": "kk",
    "regions": ["KZ-61", "611000000"],
    "sectors": ["C", "C24"],
    "countries": ["CN"],
    "amounts": [AMOUNT_EXAMPLE],
    "snippet": "... <mark>зауыт</mark> салынады ...",
    "score": 7.1234,
}
SEARCH_EXAMPLE: dict[str, Any] = {
    "total": 1,
    "page": 1,
    "per_page": 20,
    "results": [RESULT_EXAMPLE],
    "facets": {
        "region": [{"value": "KZ-61", "label": "Түркістан облысы", "count": 1}],
        "sector": [{"value": "C", "label": "Өңдеу өнеркәсібі", "count": 1}],
        "country": [{"value": "CN", "label": "Қытай", "count": 1}],
        "lang": [{"value": "kk", "label": "қазақша", "count": 1}],
        "source": [{"value": "example.kz", "label": "example.kz", "count": 1}],
        "year": [{"value": "2025", "label": "2025", "count": 1}],
    },
    "expanded": {"kk": [], "ru": ["завод"]},
}
ARTICLE_EXAMPLE: dict[str, Any] = {
    **{k: v for k, v in RESULT_EXAMPLE.items() if k not in ("snippet", "score")},
    "text": "Түркістан облысында жаңа зауыт салынады ...",
    "lead": "",
    "authors": ["А. Сейітова"],
    "tags": [],
    "fetched_at": "2025-02-10T09:12:44Z",
    "group_id": "",
    "evidence": [
        {
            "facet": "region",
            "code": "KZ-61",
            "score": 1.0,
            "spans": [{"start": 0, "end": 19, "text": "Түркістан облысында"}],
        }
    ],
}
ERROR_EXAMPLE = {"error": {"code": "bad_parameter", "message": "amount_min must be a number, not 'abc'"}}


def _param(
    name: str, description: str, schema: dict[str, Any], example: Any, *, repeat: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "example": example,
    }
    if repeat:
        out.update({"schema": {"type": "array", "items": schema}, "style": "form", "explode": True})
    else:
        out["schema"] = schema
    return out


SEARCH_PARAMETERS = [
    _param(
        "q",
        'Query: words, "phrases", AND, OR, NOT, prefix*, field:value; empty lists every article, newest first.',
        _STR,
        "зауыт",
    ),
    _param(
        "region",
        "ISO 3166-2:KZ region (KZ-61) or KATO district code; a district counts under its region.",
        {"type": "string", "pattern": r"^(KZ-\d{2}|\d{9})$"},
        ["KZ-61"],
        repeat=True,
    ),
    _param(
        "sector",
        "OKED section letter (C) or division (C24); a division counts under its section.",
        {"type": "string", "pattern": r"^[A-U](\d{2})?$"},
        ["C"],
        repeat=True,
    ),
    _param(
        "country",
        "Partner country, ISO 3166-1 alpha-2.",
        {"type": "string", "pattern": "^[A-Z]{2}$"},
        ["CN"],
        repeat=True,
    ),
    _param("lang", "Article language.", {"type": "string", "enum": ["kk", "ru", "en"]}, ["kk"], repeat=True),
    _param("source", "Outlet host name.", _STR, ["example.kz"], repeat=True),
    _param("year", "Publication year.", {"type": "string", "pattern": r"^\d{4}$"}, ["2025"], repeat=True),
    _param(
        "amount_min",
        "Smallest amount in tenge; an article matches when one of its amounts is in range.",
        {"type": "number", "minimum": 0},
        1000000,
    ),
    _param("amount_max", "Largest amount in tenge.", {"type": "number", "minimum": 0}, 1000000000000),
    _param("date_from", "Published on or after (YYYY-MM-DD).", {"type": "string", "format": "date"}, "2020-01-01"),
    _param("date_to", "Published on or before (YYYY-MM-DD).", {"type": "string", "format": "date"}, "2030-12-31"),
    _param("sort", "Order of results.", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "relevance"),
    _param(
        "xlang",
        "1 (default): the query is also searched in its translations, Kazakh <-> Russian (the answer's `expanded`"
        " lists them); 0: only the words as typed.",
        {"type": "integer", "enum": [0, 1], "default": 1},
        1,
    ),
    _param("page", "Result page, from 1 (smaller values are clamped to 1).", {"type": "integer", "default": 1}, 1),
    _param(
        "per_page",
        "Results per page (clamped to the server's maximum, 100 by default).",
        {"type": "integer", "default": 20},
        20,
    ),
    _param(
        "ui",
        "Language of facet labels and error messages (else the ui_lang cookie, Accept-Language).",
        {"type": "string", "enum": ["ru", "kk", "en"]},
        "kk",
    ),
]

_AMOUNT_SCHEMA = {
    "type": "object",
    "required": ["value", "currency", "kzt", "text"],
    "properties": {"value": {"type": "number"}, "currency": _STR, "kzt": {"type": ["number", "null"]}, "text": _STR},
}
_RECORD_PROPERTIES: dict[str, Any] = {
    "id": _STR,
    "url": _STR,
    "title": _STR,
    "source": _STR,
    "published": {"type": ["string", "null"], "format": "date"},
    "lang": _STR,
    "regions": _CODES,
    "sectors": _CODES,
    "countries": _CODES,
    "amounts": {"type": "array", "items": {"$ref": "#/components/schemas/Amount"}},
}
_FACET_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "label", "count"],
        "properties": {"value": _STR, "label": _STR, "count": {"type": "integer"}},
    },
}


def _json_response(description: str, ref: str, example: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}, "example": example}},
    }


def openapi_document(base_url: str) -> dict[str, Any]:
    """The document for a server at `base_url`."""
    error = _json_response("Bad input, explained in the UI language.", "Error", ERROR_EXAMPLE)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Qazaq Press Search API",
            "version": "0.1.0",
            "description": "Faceted search over the regional press of Kazakhstan, in Kazakh and Russian. Repeated "
            "filters are OR within a facet and AND across facets.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search articles with filters; facet counts over all matches.",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": _json_response("One page of results with facet counts.", "SearchResult", SEARCH_EXAMPLE),
                        "400": error,
                    },
                }
            },
            "/api/articles/{id}": {
                "get": {
                    "operationId": "article",
                    "summary": "One article with its clean text, lead, authors and evidence for each facet.",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": _STR, "example": RESULT_EXAMPLE["id"]},
                        SEARCH_PARAMETERS[-1],
                    ],
                    "responses": {
                        "200": _json_response("The article record.", "Article", ARTICLE_EXAMPLE),
                        "404": _json_response(
                            "No article with this id.",
                            "Error",
                            {"error": {"code": "not_found", "message": "There is no article with this id."}},
                        ),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Amount": _AMOUNT_SCHEMA,
                "Result": {
                    "type": "object",
                    "required": [*_RECORD_PROPERTIES, "snippet"],
                    "properties": {
                        **_RECORD_PROPERTIES,
                        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around matches"},
                        "score": {"type": "number"},
                        "group": {
                            "type": "object",
                            "description": "The reprint group, when other outlets published the same article.",
                            "properties": {"id": _STR, "size": {"type": "integer"}, "sources": _CODES},
                        },
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": ["total", "page", "per_page", "results", "facets"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                        "facets": {
                            "type": "object",
                            "properties": {
                                name: _FACET_SCHEMA
                                for name in ("region", "sector", "country", "lang", "source", "year")
                            },
                        },
                        "notice": {"type": "string", "description": "Set when the query was repaired."},
                        "expanded": {
                            "type": "object",
                            "description": "The words searched beside the query's own, per language (xlang=1).",
                            "properties": {lang: {"type": "array", "items": _STR} for lang in ("kk", "ru")},
                        },
                        "expanded_facets": {
                            "type": "array",
                            "items": _STR,
                            "description": "Facet values a place in the query also matched (region:KZ-63).",
                        },
                        "expanded_capped": {
                            "type": "boolean",
                            "description": "Set when a long query's translation stopped at the bound.",
                        },
                    },
                },
                "Article": {
                    "type": "object",
                    "required": [*_RECORD_PROPERTIES, "text", "lead", "authors", "fetched_at"],
                    "properties": {
                        **_RECORD_PROPERTIES,
                        "text": _STR,
                        "lead": _STR,
                        "authors": _CODES,
                        "tags": _CODES,
                        "fetched_at": _STR,
                        "group_id": _STR,
                        "evidence": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": _STR, "message": _STR},
                        }
                    },
                },
            }
        },
    }

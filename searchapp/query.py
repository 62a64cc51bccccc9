"""Turn user parameters (URL query, form, CLI flags, a saved search) into a validated `SearchRequest`.

One parser for every entry point, so a filter means the same thing in the UI, the API, the terminal and a
feed. Bad values raise `AppError` with a message in the user's words; oversized ones are clamped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from index.models import SORTS, SearchRequest
from searchapp.errors import AppError
from searchapp.i18n import t

FACET_PARAMS = ("region", "sector", "country", "lang", "source", "year")
_PATTERNS = {
    "region": re.compile(r"^(KZ-\d{2}|\d{9})$"),
    "sector": re.compile(r"^[A-U](\d{2})?$"),
    "country": re.compile(r"^[A-Z]{2}$"),
    "lang": re.compile(r"^(kk|ru|en)$"),
    "source": re.compile(r"^[\w.\-:\[\]]{1,255}$"),
    "year": re.compile(r"^\d{4}$"),
}
_NORMALISE: dict[str, Callable[[str], str]] = {
    "region": str.upper,
    "sector": str.upper,
    "country": str.upper,
    "lang": str.lower,
    "source": str.lower,
    "year": str.strip,
}


def tr(key: str, lang: str, **fields: Any) -> str:
    return t("param_" + key, lang, **fields)


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw: Iterable[Any]
    if getlist is not None:
        raw = getlist(name)
    else:
        value = params.get(name)
        raw = value if isinstance(value, list | tuple) else ([] if value is None else [value])
    out: list[str] = []
    for item in raw:
        # "a,b" is accepted as two values, as many API clients write repeated filters that way
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def _one(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)


def _int(params: Mapping[str, Any], name: str, default: int, lo: int, hi: int, lang: str) -> int:
    raw = _one(params, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AppError(tr("bad_number", lang, name=name, value=raw), code="bad_parameter") from None
    return min(max(value, lo), hi)  # page=-1 -> 1, per_page=100000 -> the maximum


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(params: Mapping[str, Any], name: str, default: bool, lang: str) -> bool:
    """A yes/no parameter: 1/0 (also true/false, yes/no, on/off); absent or empty is `default`."""
    raw = _one(params, name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise AppError(tr("bad_flag", lang, name=name, value=raw[:40]), code="bad_parameter")


def _amount(params: Mapping[str, Any], name: str, lang: str) -> float | None:
    raw = _one(params, name)
    if raw is None or raw.strip() == "":
        return None
    cleaned = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise AppError(tr("bad_number", lang, name=name, value=raw), code="bad_parameter") from None
    if not math.isfinite(value) or value < 0:
        raise AppError(tr("bad_number", lang, name=name, value=raw), code="bad_parameter")
    return value


def _date(params: Mapping[str, Any], name: str, lang: str) -> str | None:
    raw = _one(params, name)
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    try:
        return dt.date.fromisoformat(raw).isoformat() if len(raw) == 10 else _bad_date(name, raw, lang)
    except ValueError:
        return _bad_date(name, raw, lang)


def _bad_date(name: str, raw: str, lang: str) -> str:
    raise AppError(tr("bad_date", lang, name=name, value=raw), code="bad_parameter")


def parse_request(
    params: Mapping[str, Any],
    *,
    lang: str = "en",
    per_page_default: int = 20,
    max_per_page: int = 100,
    max_query_chars: int = 1000,
) -> SearchRequest:
    """Validate `params` into a SearchRequest; raise AppError (400) with a message in `lang`."""
    q = params.get("q")
    query = "" if q is None else str(q).strip()
    if len(query) > max_query_chars:
        raise AppError(tr("too_long", lang, length=len(query), limit=max_query_chars), code="query_too_long")
    request = SearchRequest(q=query)
    for name in FACET_PARAMS:
        values: list[str] = []
        for value in _values(params, name):
            value = _NORMALISE[name](value)
            if not _PATTERNS[name].match(value):
                raise AppError(tr("bad_value", lang, name=name, value=value[:80]), code="bad_parameter")
            if value not in values:
                values.append(value)
        setattr(request, name, values)
    request.amount_min = _amount(params, "amount_min", lang)
    request.amount_max = _amount(params, "amount_max", lang)
    if request.amount_min is not None and request.amount_max is not None and request.amount_min > request.amount_max:
        raise AppError(tr("range", lang, name="amount_min", other="amount_max"), code="bad_parameter")
    request.date_from = _date(params, "date_from", lang)
    request.date_to = _date(params, "date_to", lang)
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise AppError(tr("range", lang, name="date_from", other="date_to"), code="bad_parameter")
    sort = (_one(params, "sort") or "relevance").strip().lower()
    if sort not in SORTS:
        raise AppError(tr("bad_sort", lang, choices=", ".join(SORTS), value=sort[:40]), code="bad_parameter")
    request.sort = sort
    request.xlang = _flag(params, "xlang", True, lang)
    request.page = _int(params, "page", 1, 1, 10_000, lang)
    request.per_page = _int(params, "per_page", per_page_default, 1, max_per_page, lang)
    return request


def request_params(request: SearchRequest) -> dict[str, Any]:
    """The inverse of parse_request: parameters that reproduce `request` (for links, saved searches)."""
    out: dict[str, Any] = {}
    if request.q:
        out["q"] = request.q
    for name in FACET_PARAMS:
        values = getattr(request, name)
        if values:
            out[name] = list(values)
    for name in ("amount_min", "amount_max"):
        value = getattr(request, name)
        if value is not None:
            out[name] = int(value) if float(value).is_integer() else value
    for name in ("date_from", "date_to"):
        if getattr(request, name):
            out[name] = getattr(request, name)
    if request.sort != "relevance":
        out["sort"] = request.sort
    if not request.xlang:
        out["xlang"] = "0"  # only the words as typed: kept by links, saved searches and their feeds
    return out

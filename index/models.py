"""Typed records of the index layer: what enrichment finds, what is stored, what a search asks and answers.

searchapp speaks to the index only through these types and the functions of `index/__init__.py`, so the
engine behind them (Whoosh today) can be replaced without touching the web app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FACETS = ("region", "sector", "country", "lang", "source", "year")
SORTS = ("relevance", "date", "date_asc", "amount")


@dataclass(slots=True)
class Span:
    """Where in the text a fact was found: character offsets into `Record.text` (or the analysed text)."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Evidence:
    """One facet value with the spans that justify it."""

    facet: str  # region, sector, country, amount, date, lang
    code: str  # KZ-61, 611000000, C24, CN, KZT ...
    spans: list[Span] = field(default_factory=list)
    score: float = 1.0


@dataclass(slots=True)
class Amount:
    value: float
    currency: str  # ISO 4217
    kzt: float | None  # the value in tenge at the article's date; None when no rate is known
    text: str  # as written
    start: int = -1
    end: int = -1

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "currency": self.currency, "kzt": self.kzt, "text": self.text}


@dataclass(slots=True)
class Facts:
    """What enrichment extracts from a text. Codes are ordered by strength, strongest first."""

    lang: str = ""
    regions: list[str] = field(default_factory=list)  # ISO 3166-2:KZ codes, then KATO district codes
    sectors: list[str] = field(default_factory=list)  # OKED section letters and divisions (C, C24)
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-2, KZ left out
    amounts: list[Amount] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # ISO dates named in the text
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Record:
    """An article as the index stores it: the extracted article plus its facts and reprint group."""

    id: str
    url: str
    source: str
    title: str
    lead: str
    text: str
    lang: str
    published: str | None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fetched_at: str = ""
    paragraph_langs: list[str] = field(default_factory=list)  # one per paragraph of `text`
    regions: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    group_id: str = ""  # reprint group: the id of the group's first article; "" when alone
    warc_file: str = ""
    warc_offset: int = -1
    # The SimHash of `text` (crawler.dedup): set by the index when it adds the record (`index.whoosh.engine`), or
    # given by a caller that already has it. Kept in the store's own column, not in the record's JSON.
    simhash: int | None = None

    @property
    def year(self) -> str | None:
        return self.published[:4] if self.published else None


@dataclass(slots=True)
class SearchRequest:
    q: str = ""
    region: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    amount_min: float | None = None
    amount_max: float | None = None
    date_from: str | None = None  # YYYY-MM-DD
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True  # compute facet counts
    group: bool = True  # fold reprints into one hit
    xlang: bool = True  # also search the query's translations, kk <-> ru (index.crosslang)

    def filters(self) -> dict[str, list[str]]:
        return {
            "region": self.region,
            "sector": self.sector,
            "country": self.country,
            "lang": self.lang,
            "source": self.source,
            "year": self.year,
        }


@dataclass(slots=True)
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass(slots=True)
class Hit:
    record: Record
    score: float = 0.0
    snippet: str = ""  # HTML: escaped text with <mark> around matches
    group_size: int = 1  # articles in the reprint group shown by this hit
    group_sources: list[str] = field(default_factory=list)  # the other outlets of the group


@dataclass(slots=True)
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notice: str = ""  # e.g. the query had a syntax error and was searched as plain words
    # Cross-language search: the words searched beside the query's own, per language ({"kk": [...], "ru": [...]}),
    # the facet values also matched ("region:KZ-63"), and whether a long query's translation was cut short.
    expanded: dict[str, list[str]] = field(default_factory=dict)
    expanded_tags: list[str] = field(default_factory=list)
    expansion_capped: bool = False

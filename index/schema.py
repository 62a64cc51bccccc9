"""The Whoosh schema of the index: which fields exist, how each is analysed, which are columns.

Text is split by language into one field per language and part (`title_ru`, `body_kk`, ...), each with its
own analyzer (`index.analysis`); two folded fields (`fold_kk`, `fold_ru`) hold every paragraph again as the
search skeleton of `index.analysis.fold`, for queries typed without Kazakh letters or in Latin. Only the id is
stored: bodies and metadata live in SQLite (`index.store`), since Whoosh caps stored data at 4 GiB per segment.
Facet values are keywords (their postings give the per-facet arrays of `index.search`); the publication day is
a number of days since 1970-01-01, since Whoosh's DateRange costs 0.6-1.5 s even for one day.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from index.analysis import (
    english_analyzer,
    folded_kazakh_analyzer,
    folded_russian_analyzer,
    kazakh_analyzer,
    russian_analyzer,
)

LANGS = ("kk", "ru", "en")
TITLE_FIELDS = tuple(f"title_{lang}" for lang in LANGS)
BODY_FIELDS = tuple(f"body_{lang}" for lang in LANGS)
FOLD_FIELDS = ("fold_kk", "fold_ru")
TEXT_FIELDS = TITLE_FIELDS + BODY_FIELDS + FOLD_FIELDS
FACET_FIELDS = ("region", "sector", "country", "lang", "source", "year")

# The weight of each text field in BM25F: titles above bodies, the forgiving folded fields below the exact ones.
FIELD_BOOSTS = {
    "title_kk": 3.0,
    "title_ru": 3.0,
    "title_en": 3.0,
    "body_kk": 1.0,
    "body_ru": 1.0,
    "body_en": 1.0,
    "fold_kk": 0.6,
    "fold_ru": 0.6,
}
# Days since 1970-01-01 of an article whose date is unknown: below any real date, so it sorts last.
UNDATED = -100_000


def build_schema() -> Schema:
    analyzers = {"kk": kazakh_analyzer, "ru": russian_analyzer, "en": english_analyzer}
    fields: dict[str, object] = {
        "id": ID(stored=True, unique=True, sortable=True),
        "grp": ID(sortable=True),  # reprint group: the group id, or the article's own id when alone
        "day": NUMERIC(int, bits=32, signed=True, sortable=True, default=UNDATED),
        "amount": NUMERIC(float, bits=64),  # every amount in KZT, for "one amount in [min, max]"
        "amount_top": NUMERIC(float, bits=64, sortable=True, default=0.0),  # the largest, for sort=amount
    }
    for lang in LANGS:
        fields[f"title_{lang}"] = TEXT(analyzer=analyzers[lang](), phrase=True)
        fields[f"body_{lang}"] = TEXT(analyzer=analyzers[lang](), phrase=True)
    # No positions in the folded fields: phrases are matched on the language fields; positions there were a
    # third of the postings written per article and of the index size (issue #9).
    fields["fold_kk"] = TEXT(analyzer=folded_kazakh_analyzer(), phrase=False)
    fields["fold_ru"] = TEXT(analyzer=folded_russian_analyzer(), phrase=False)
    for name in FACET_FIELDS:
        fields[name] = KEYWORD(commas=False, scorable=False, lowercase=False)
    return Schema(**fields)  # type: ignore[arg-type]

"""What a record is as index fields, for both engines: text split by paragraph language, facets as keywords
with their parents, the publication day as a number, the amounts; and the reprint grouping threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from index.facets.labels import parent as label_parent
from index.models import Record
from index.schema import (
    FIELD_LANGS,
    LANGS,
    OTHER,
    UNDATED,
)

EPOCH = dt.date(1970, 1, 1)


def day_number(iso: str | None) -> int:
    """Days since 1970-01-01 of an ISO date (or date-time, or year-month); UNDATED when unknown."""
    if not iso:
        return UNDATED
    text = iso[:10]
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        return (dt.date.fromisoformat(text) - EPOCH).days
    except ValueError:
        return UNDATED


# SimHash distance within which two articles are one story. Measured on the demo press: its six reprint pairs
# differ in 0, 4, 6, 7, 7 and 8 bits, unrelated articles in 15 or more (crawler.dedup); random 64-bit pairs
# fall within 8 bits with odds of 2e-10, so 8 keeps false groups negligible at 100k articles. The pair at 8 bits
# sits on the threshold: no margin on that side.
MAX_GROUP_BITS = 8


def region_parent(code: str) -> str | None:
    """The region (KZ-xx) of a district KATO code; None for a region itself."""
    return label_parent("region", code)


def sector_parent(code: str) -> str | None:
    """The OKED section of a division (C24 -> C); None for a section."""
    return label_parent("sector", code)


def _with_parents(codes: Iterable[str], parent: Any) -> list[str]:
    out: list[str] = []
    for code in codes:
        for value in (code, parent(code)):
            if value and value not in out:
                out.append(value)
    return out


def field_lang(lang: str) -> str:
    """The language part of the text fields for a language code: kk, ru, en, `OTHER`, or "" (unknown)."""
    return lang if lang in LANGS or not lang else OTHER


def index_document(record: Record, neutral: bool = True) -> dict[str, Any]:
    """The Whoosh fields of a record: text split by paragraph language, facets as keywords, day and amounts.

    A paragraph in kk, ru or en goes to that language's fields (and a folded field); one in another language that
    crawler.langid named (tr, uk, ky...) to the neutral `*_other` fields only, never through the Kazakh or
    Russian stemmer; one of unknown language to both kk and ru. `neutral=False` (an index written before the
    `*_other` fields) treats the other languages as unknown.
    """
    lang_of = record.lang if record.lang in LANGS or (neutral and record.lang) else ""
    doc_field = field_lang(lang_of)
    paragraphs = record.text.split("\n\n") if record.text else []
    langs = list(record.paragraph_langs)
    if len(langs) != len(paragraphs):
        langs = [lang_of] * len(paragraphs)
    bodies: dict[str, list[str]] = {lang: [] for lang in FIELD_LANGS}
    fold_kk: list[str] = []
    fold_ru: list[str] = []
    # The title goes to the folded fields once (twice, as a rough title weight for queries typed in Latin,
    # was a posting list entry per title word more for every article; issue #9).
    if doc_field != OTHER:
        for text in (record.title, record.lead):
            (fold_ru if doc_field == "ru" else fold_kk).append(text)
    if record.lead:
        bodies[doc_field or "kk"].append(record.lead)
    for text, lang in zip(paragraphs, langs, strict=True):
        field = field_lang(lang if lang in LANGS or (neutral and lang) else lang_of)
        targets = [field] if field else ["kk", "ru"]
        for target in targets:
            bodies[target].append(text)
            if target != OTHER:
                (fold_ru if target == "ru" else fold_kk).append(text)
    document: dict[str, Any] = {
        "id": record.id,
        "grp": record.group_id or record.id,
        "day": day_number(record.published),
        "amount_top": 0.0,  # every sortable column gets a value in every document: see Columns.build
        "fold_kk": "\n".join(fold_kk),
        "fold_ru": "\n".join(fold_ru),
    }
    title_fields = [doc_field] if doc_field else ["kk", "ru"]
    for lang in title_fields:
        document[f"title_{lang}"] = record.title
    for lang, texts in bodies.items():
        if texts:
            document[f"body_{lang}"] = "\n".join(texts)
    amounts = [a.kzt for a in record.amounts if a.kzt is not None]
    if amounts:
        document["amount"] = amounts
        document["amount_top"] = max(amounts)
    facets = {
        "region": _with_parents(record.regions, region_parent),
        "sector": _with_parents(record.sectors, sector_parent),
        "country": list(dict.fromkeys(record.countries)),
        "lang": [record.lang] if record.lang else [],
        "source": [record.source.lower()] if record.source else [],
        "year": [record.year] if record.year else [],
    }
    for name, values in facets.items():
        if values:
            document[name] = " ".join(v.replace(" ", "_") for v in values)
    return document


# What reading a damaged Whoosh folder raises (a cut or garbled segment or TOC, a missing segment file): said
# in words, with the way out, instead of a traceback.

"""CSV and JSON exports of a result set, streamed row by row: another view of the same search.

`iter_records(request, limit)` of the index yields matches in sort order; these generators turn each into
one CSV row or one JSON array element as it comes, so a 50,000-row export never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping

from index.models import Record
from searchapp.records import record_json

CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "source",
    "outlet",
    "published",
    "lang",
    "regions",
    "sectors",
    "countries",
    "amounts_kzt",
    "amounts_text",
    "max_amount_kzt",
    "authors",
    "group_id",
)


def csv_row(record: Record, outlets: Mapping[str, str] | None = None) -> list[str]:
    """One record as CSV cells; list facets are joined with "; " (codes never contain it). `outlet` is the
    outlet's name where the sources name it (a host alone means little in a spreadsheet), else the host."""
    kzt = [a.kzt for a in record.amounts if a.kzt is not None]
    return [
        record.id,
        record.url,
        record.title,
        record.source,
        (outlets or {}).get(record.source.lower(), record.source),
        record.published[:10] if record.published else "",
        record.lang,
        "; ".join(record.regions),
        "; ".join(record.sectors),
        "; ".join(record.countries),
        "; ".join(f"{v:.0f}" for v in kzt),
        "; ".join(a.text for a in record.amounts),
        f"{max(kzt):.0f}" if kzt else "",
        "; ".join(record.authors),
        record.group_id,
    ]


def _defuse(cell: str) -> str:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def stream_csv(records: Iterable[Record], outlets: Mapping[str, str] | None = None) -> Iterator[str]:
    """A UTF-8 CSV with a BOM (so Excel reads Cyrillic right), header first, one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_defuse(cell) for cell in csv_row(record, outlets)])
        yield buffer.getvalue()


def stream_json(records: Iterable[Record]) -> Iterator[str]:
    """A JSON array of API article records (with lead, authors, evidence), one element per chunk."""
    yield "["
    first = True
    for record in records:
        item = record_json(record, full=True)
        del item["text"]  # bodies would make exports huge; the article API serves them one by one
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"

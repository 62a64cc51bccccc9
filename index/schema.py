"""The Whoosh schema of the index: which fields exist, how each is analysed, which are columns.

Text is split by language into one field per language and part (`title_ru`, `body_kk`, ...), each with its
own analyzer (`index.analysis`); text in any other language goes to `title_other` and `body_other` (neutral
analyzer). Two folded fields (`fold_kk`, `fold_ru`) hold every kk, ru, en paragraph again as the
search skeleton of `index.analysis.fold`, for queries typed without Kazakh letters or in Latin. Only the id is
stored: bodies and metadata live in SQLite (`index.store`), since Whoosh caps stored data at 4 GiB per segment.
Facet values are keywords (their postings give the per-facet arrays of `index.whoosh.columns`); the publication day is
a number of days since 1970-01-01, since Whoosh's DateRange costs 0.6-1.5 s even for one day.
"""

from __future__ import annotations

from typing import Any

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.formats import Positions

from index.analysis import (
    english_analyzer,
    folded_kazakh_analyzer,
    folded_russian_analyzer,
    kazakh_analyzer,
    neutral_analyzer,
    russian_analyzer,
)

LANGS = ("kk", "ru", "en")
# Text in any other language that crawler.langid names (tr, uk, ky...) goes to the `*_other` fields, analysed
# by the neutral analyzer: never through the Kazakh or Russian stemmer. Its facet value is its own code.
OTHER = "other"
FIELD_LANGS = (*LANGS, OTHER)
TITLE_FIELDS = tuple(f"title_{lang}" for lang in FIELD_LANGS)
BODY_FIELDS = tuple(f"body_{lang}" for lang in FIELD_LANGS)
FOLD_FIELDS = ("fold_kk", "fold_ru")
TEXT_FIELDS = TITLE_FIELDS + BODY_FIELDS + FOLD_FIELDS
FACET_FIELDS = ("region", "sector", "country", "lang", "source", "year")

# The weight of each text field in BM25F: titles above bodies, the forgiving folded fields below the exact ones.
FIELD_BOOSTS = {
    "title_kk": 3.0,
    "title_ru": 3.0,
    "title_en": 3.0,
    "title_other": 3.0,
    "body_kk": 1.0,
    "body_ru": 1.0,
    "body_en": 1.0,
    "body_other": 1.0,
    "fold_kk": 0.6,
    "fold_ru": 0.6,
}
# Days since 1970-01-01 of an article whose date is unknown: below any real date, so it sorts last.
UNDATED = -100_000


def _varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


class CompactPositions(Positions):
    """Whoosh's `Positions` with each posting's positions as varints: the count, then the gaps.

    Whoosh writes a 4-byte count and a pickled list of gaps, 14 bytes for a word met once in an article; this is
    2 or 3. The language fields' postings were 48 of the 73 MB of postings at 10k articles (issue #9). Indexes
    written before keep `Positions` in their pickled schema and read as they did.
    """

    def encode(self, poslist: Any) -> bytes:
        out = bytearray()
        _varint(len(poslist), out)
        base = 0
        for pos in poslist:
            _varint(pos - base, out)
            base = pos
        return bytes(out)

    @staticmethod
    def _numbers(valuestring: bytes) -> list[int]:
        numbers = []
        n = shift = 0
        for byte in valuestring:
            n |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
            else:
                numbers.append(n)
                n = shift = 0
        return numbers

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = []
        position = 0
        for gap in self._numbers(valuestring)[1:]:
            position += gap
            positions.append(position)
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        n = shift = 0
        for byte in valuestring:
            n |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return n
            shift += 7
        return n


class PackedValues:
    """The `CompactPositions` values of one posting block, kept as one string and split on first use.

    Whoosh's block format pickles a tuple of bytes, one per posting, at protocol 2, where each bytes object is
    a call of `_codecs.encode` on a latin-1 string: about 13 bytes of overhead for 2 or 3 bytes of positions.
    `index.whoosh.writer` puts this object in the block instead; unpickled, it reads as that tuple (Whoosh's matcher
    only indexes it), and is split only when a phrase asks for positions.
    """

    __slots__ = ("_items", "_packed")

    def __init__(self, packed: bytes) -> None:
        self._packed = packed
        self._items: tuple[bytes, ...] | None = None

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (PackedValues, (self._packed,))

    def _split(self) -> tuple[bytes, ...]:
        if self._items is None:
            items = []
            data = self._packed
            i = 0
            while i < len(data):
                start = i
                count = shift = 0
                while True:  # the count
                    byte = data[i]
                    i += 1
                    count |= (byte & 0x7F) << shift
                    if not byte & 0x80:
                        break
                    shift += 7
                for _ in range(count):  # then as many gaps
                    while data[i] & 0x80:
                        i += 1
                    i += 1
                items.append(data[start:i])
            self._items = tuple(items)
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._split()[index]

    def __len__(self) -> int:
        return len(self._split())

    def __iter__(self) -> Any:
        return iter(self._split())


def build_schema() -> Schema:
    analyzers = {"kk": kazakh_analyzer, "ru": russian_analyzer, "en": english_analyzer, OTHER: neutral_analyzer}
    fields: dict[str, object] = {
        "id": ID(stored=True, unique=True, sortable=True),
        "grp": ID(sortable=True),  # reprint group: the group id, or the article's own id when alone
        "day": NUMERIC(int, bits=32, signed=True, sortable=True, default=UNDATED),
        # Every amount in KZT, for "one amount in [min, max]": 8 terms a value (shift_step 8), not 16.
        "amount": NUMERIC(float, bits=64, shift_step=8),
        "amount_top": COLUMN(NumericColumn("d", default=0.0)),  # the largest, for sort=amount: a column only
    }
    for lang in FIELD_LANGS:
        for part in ("title", "body"):
            field = TEXT(analyzer=analyzers[lang](), phrase=True)
            field.format = CompactPositions()  # TEXT's default field_boost, 1.0
            fields[f"{part}_{lang}"] = field
    # No positions in the folded fields: phrases are matched on the language fields; positions there were a
    # third of the postings written per article and of the index size (issue #9).
    fields["fold_kk"] = TEXT(analyzer=folded_kazakh_analyzer(), phrase=False)
    fields["fold_ru"] = TEXT(analyzer=folded_russian_analyzer(), phrase=False)
    for name in FACET_FIELDS:
        fields[name] = KEYWORD(commas=False, scorable=False, lowercase=False)
    return Schema(**fields)  # type: ignore[arg-type]

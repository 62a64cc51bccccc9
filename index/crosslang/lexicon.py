"""The bilingual press lexicon (kk <-> ru): TSV files in `lexicon/`, read and stemmed with our own analyzers.

Each file has the header `kk<TAB>ru<TAB>pos<TAB>domain<TAB>source` and one pair a line; a word with two
translations is two lines; either side may be a multiword term ("күн электр станциясы" <-> "солнечная
электростанция"). Lines starting with "#" and blank lines are skipped; a line with too few columns is counted
as a problem (`Lexicon.problems`) and skipped, never fatal. The OKED division names (`index/facets/oked.tsv`,
already bilingual) are read as pairs too, domain "oked".

Both sides are analysed by the language fields' analyzers (`index.analysis`: the Kazakh stemmer, Russian
Snowball, their stop lists), so a query word in any inflected form meets its entry by stem: "заводы" and
"завод" both reach завод <-> зауыт, "ауруханада" reaches аурухана <-> больница.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.analysis import kazakh_analyzer, russian_analyzer

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
OKED = Path(__file__).resolve().parent.parent / "facets" / "oked.tsv"
HEADER = ("kk", "ru", "pos", "domain", "source")
LANGS = ("kk", "ru")
OTHER = {"kk": "ru", "ru": "kk"}
MAX_PHRASE_WORDS = 6  # longer entries are not phrases a reader types
MIN_TERM = 3  # letters of a one-word side's stem


@lru_cache(maxsize=1)
def _analyzers() -> dict[str, object]:
    return {"kk": kazakh_analyzer(), "ru": russian_analyzer()}


def analyse(text: str, lang: str) -> tuple[str, ...]:
    """The terms of `text` as the `lang` language fields index them (stop words dropped)."""
    analyzer = _analyzers()[lang]
    terms, _first = analyzer.terms(text)  # type: ignore[attr-defined]
    return tuple(terms)


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a query word or phrase is also searched as: a text in the other language, or a facet tag."""

    lang: str  # kk, ru; "" for a facet tag
    text: str  # as shown to the reader ("зауыт", "Өскемен", "region:KZ-63")
    terms: tuple[tuple[str, ...], ...]  # analysed forms: one tuple of terms each (a phrase when longer than one)
    kind: str  # lexicon, place, oked, sector, region


@dataclass(slots=True)
class Lexicon:
    """Entries by the analysed terms of their source side: (source lang, terms) -> targets in the other."""

    entries: dict[tuple[str, tuple[str, ...]], list[Target]] = field(default_factory=dict)
    longest: int = 1  # the most words of any source side
    pairs: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # "file:line: why", for `lexicon_report`
    files: list[str] = field(default_factory=list)

    def add(self, kk: str, ru: str, kind: str) -> bool:
        """Add a pair; False when a side is empty, only stop words or too long (a data problem). A word the
        stemmer cuts to one or two letters is left out without a problem (`skipped`)."""
        kk, ru = kk.strip(), ru.strip()
        if not kk or not ru:
            return False
        terms = {"kk": analyse(kk, "kk"), "ru": analyse(ru, "ru")}
        if not terms["kk"] or not terms["ru"] or max(len(t) for t in terms.values()) > MAX_PHRASE_WORDS:
            return False
        for lang, text in (("kk", kk), ("ru", ru)):
            side = terms[lang]
            if len(side) == 1 and len(side[0]) < MIN_TERM and len(side[0]) < len(text):
                self.skipped += 1  # a word the stemmer cut to one or two letters (егін -> ек) matches too much
                return True
        texts = {"kk": kk, "ru": ru}
        for lang in LANGS:
            other = OTHER[lang]
            target = Target(other, texts[other], (terms[other],), kind)
            bucket = self.entries.setdefault((lang, terms[lang]), [])
            if all(t.terms != target.terms for t in bucket):  # "ауруханалар" adds nothing to "аурухана"
                bucket.append(target)
            self.longest = max(self.longest, len(terms[lang]))
        self.pairs += 1
        return True

    def lookup(self, lang: str, terms: tuple[str, ...]) -> list[Target]:
        return self.entries.get((lang, terms), [])


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            yield number, row


def load(
    directory: Path = LEXICON_DIR, *, oked: Path | None = OKED, skip_sources: frozenset[str] = frozenset()
) -> Lexicon:
    """Every `*.tsv` of `directory` (sorted by name), then the OKED names; lines whose source column is in
    `skip_sources` are left out (an evaluation holding out the pairs derived from its own test text)."""
    lexicon = Lexicon()
    for path in sorted(directory.glob("*.tsv")):
        lexicon.files.append(path.name)
        for number, row in _rows(path):
            cells = [cell.strip() for cell in row]
            if number == 1 or tuple(c.lower() for c in cells[:2]) == HEADER[:2]:
                if tuple(c.lower() for c in cells[:5]) != HEADER:
                    lexicon.problems.append(f"{path.name}:{number}: the header is not {' '.join(HEADER)}")
                continue
            if len(cells) < 2:
                lexicon.problems.append(f"{path.name}:{number}: fewer than two columns")
                continue
            if len(cells) >= 5 and cells[4] in skip_sources:
                continue
            if not lexicon.add(cells[0], cells[1], "lexicon"):
                lexicon.problems.append(f"{path.name}:{number}: a side is empty, only stop words or too long")
    if oked is not None and oked.exists():
        for line in oked.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or line.count("|") < 2:
                continue
            _code, ru, kk = line.split("|")[:3]
            lexicon.add(kk, ru, "oked")
    return lexicon


_override: list[Lexicon] = []


@lru_cache(maxsize=1)
def _shipped() -> Lexicon:
    return load()


def lexicon() -> Lexicon:
    """The lexicon of the package, read once per process (or the one `use` set, for an evaluation)."""
    return _override[-1] if _override else _shipped()


def use(other: Lexicon | None) -> None:
    """Search with `other` instead of the shipped lexicon (None: the shipped one again). For evaluations."""
    _override.clear()
    if other is not None:
        _override.append(other)

"""Shared text machinery of the facet extractors: one tokenizer, letter folding and inflection-suffix tables.

Every extractor (regions, sectors, countries) matches words by stem + an allowed ending, not with a full stemmer:
a word is folded (lower case, Kazakh letters to their Russian-keyboard look-alikes, so "Қарағанды" and a
hurried "Караганды" meet), then its prefixes are looked up in a `Lexicon` of stems, and the rest of the word
must be one of the endings that stem's table allows. Lookups are cached per folded word, and the lexicons every
text meets (gazetteer, sectors, countries) share one `Memo` of the words already looked up: an article's words
are checked against it once, not once per lexicon.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

# Letters (any script) joined by hyphens: "Усть-Каменогорск", "Нұр-Сұлтан", "Túrkistan".
TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)*")
CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
LATIN_RE = re.compile(r"[a-zA-Z\u00c0-\u024f]")
MAX_MENTIONS = 2000  # mentions one extractor collects from one text: enough to rank, bounded for junk
MAX_TEXT = 400_000  # characters analysed; a longer "article" is cut here so one page cannot stall enrichment
CACHE_SIZE = 200_000  # folded words remembered per lexicon
HEAD = 3  # a `Lexicon` indexes its stems by this many first letters
RECENT = 4  # key sets a `Memo` remembers as filled: a text's and its title's

_FOLD = str.maketrans(
    {
        "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е",
        "‐": "-", "‑": "-", "i": "и",  # a Latin i slipped into a Cyrillic word
    }
)  # fmt: skip
_FOLD_PAIRS = tuple((chr(k), v) for k, v in _FOLD.items() if isinstance(v, str))
_LATIN_FOLD = str.maketrans(
    {
        "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "n", "ū": "u", "ü": "u", "ö": "o", "ä": "a", "ý": "u",
        "ú": "u", "ó": "o", "á": "a", "ǵ": "g", "ń": "n", "q": "k", "w": "u", "‐": "-", "‑": "-",
    }
)  # fmt: skip


def data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a data file of this package (sectors.txt, countries.txt ...)."""
    text = (Path(__file__).resolve().parent / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def fold(word: str) -> str:
    """Cyrillic fold: lower case, Kazakh-specific letters to Russian look-alikes, ё -> е."""
    return word.lower().translate(_FOLD)


def latin_fold(word: str) -> str:
    """ASCII skeleton of a Latin-script Kazakh word: both official alphabets and plain ASCII meet here."""
    low = word.lower().translate(_LATIN_FOLD)
    if not low.isascii():
        low = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    return low.replace("zh", "j").replace("kh", "k").replace("iy", "i").replace("yi", "i")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # folded form
    latin: bool  # a Latin-script word (matched against the Latin lexicon)
    upper: bool  # starts with a capital letter


class Tokens(Sequence[Token]):
    """The words of a text: keys as a list and a set for all extractors at once, and `Token` objects made
    only for the few words an extractor looks at closely (most words of an article are never needed)."""

    __slots__ = ("_made", "ends", "keys", "keyset", "latin", "latin_at", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int], keys: list[str], latin_at: set[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends
        self.keys = keys
        self.keyset = set(keys)  # read only: a `Memo` knows the sets it has filled by their identity
        self.latin_at = latin_at
        self.latin = bool(latin_at)
        self._made: dict[int, Token] = {}

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Token: ...

    @overload
    def __getitem__(self, index: slice) -> list[Token]: ...

    def __getitem__(self, index: int | slice) -> Token | list[Token]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.starts)))]
        if index < 0:
            index += len(self.starts)
        tok = self._made.get(index)
        if tok is None:
            start, end = self.starts[index], self.ends[index]  # IndexError ends iteration
            word = self.text[start:end]
            tok = Token(start, end, word, self.keys[index], index in self.latin_at, word[0].isupper())
            self._made[index] = tok
        return tok


def positions(keys: list[str], hits: set[str]) -> list[int]:
    """Indices of the tokens whose key is in `hits`."""
    if not hits:
        return []
    return list(compress(range(len(keys)), map(hits.__contains__, keys)))  # in C: this runs over every word


_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")  # split() alternates what lies between words and the words
_NOT_CYRILLIC_RE = re.compile(r"[^\u0400-\u04ff]")


def tokenize(text: str) -> Tokens:
    """Words of `text` with their folded keys: most of the speed of the extractors is here, so every step over
    all words runs in C. The whole text is folded at once (lower case and the letter fold keep its length and
    which characters are letters, for all but one exotic letter) and split into keys and what lies between
    them, whose lengths summed give the words' offsets."""
    low = text.lower()
    if len(low) != len(text):  # İ lower-cases to two characters: each word is folded alone
        spans = [m.span() for m in TOKEN_RE.finditer(text)]
        starts, ends = [s for s, _e in spans], [e for _s, e in spans]
        keys = [fold(text[s:e]) for s, e in spans]
    else:
        for a, b in _FOLD_PAIRS:  # chained replace is several times faster than str.translate with a dict
            if a in low:
                low = low.replace(a, b)
        parts = _SPLIT_RE.split(low)
        keys = parts[1::2]
        offsets = list(accumulate(map(len, parts)))
        starts, ends = offsets[0 : 2 * len(keys) : 2], offsets[1::2]
    latin_at: set[int] = set()
    firsts = "".join(map(text.__getitem__, starts))  # each word's first letter, as written
    if _NOT_CYRILLIC_RE.search(firsts) is not None:
        latin_at = {i for i, first in enumerate(firsts) if not "\u0400" <= first <= "\u04ff"}
    for i in list(latin_at):
        word = text[starts[i] : ends[i]]
        if not word.isascii() and CYRILLIC_RE.search(word) is not None:
            latin_at.discard(i)  # a Cyrillic word behind a Latin look-alike first letter
            keys[i] = fold(word)
        else:
            keys[i] = latin_fold(word)
    return Tokens(text, starts, ends, keys, latin_at)


def sentence_start(text: str, pos: int) -> bool:
    """True when only spaces and quotes separate `pos` from the start of the text or a sentence end."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0«\"'(—–-":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;…"


# Kazakh Cyrillic -> Latin: plain ASCII, the 2021 alphabet, the 2018 (acute) alphabet. Used for the
# gazetteer's Latin forms and English labels.
KAZ_ASCII = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "io", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
KAZ_2021 = dict(KAZ_ASCII, **{"ә": "ä", "ғ": "ğ", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "ш": "ş", "ч": "ç",
                                  "і": "ı", "щ": "şş"})  # fmt: skip
KAZ_2018 = dict(KAZ_ASCII, **{"ә": "á", "ғ": "ǵ", "ң": "ń", "ө": "ó", "ұ": "u", "ү": "ú", "у": "ý", "и": "ı",
                                  "й": "ı", "і": "i"})  # fmt: skip


# --- endings -------------------------------------------------------------------------------------------------

_KK_CASE = (
    "", "нын", "нин", "дын", "дин", "тын", "тин", "га", "ге", "ка", "ке", "на", "не", "а", "е", "ны", "ни", "ды",
    "ди", "ты", "ти", "н", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен", "мен",
    "бен", "пен", "дагы", "деги", "тагы", "теги", "ндагы", "ндеги", "ша", "ше", "нша", "нше", "ндай", "ндей",
    "дай", "дей", "тай", "тей", "нан", "ымен", "имен", "нынын", "ныни",
)  # fmt: skip
_KK_POSS = ("", "ы", "и", "сы", "си", "ым", "им", "мыз", "миз", "ымыз", "имиз", "ын", "ин", "нын")
_KK_PLURAL = ("", "лар", "лер", "дар", "дер", "тар", "тер")
_KK_DERIV = ("", "лык", "лик", "дык", "дик", "тык", "тик", "гы", "ги", "кы", "ки")


def _kk_endings() -> frozenset[str]:
    out: set[str] = set()
    for d in _KK_DERIV:
        for p in _KK_PLURAL:
            for s in _KK_POSS:
                for c in _KK_CASE:
                    out.add(d + p + s + c)
    return frozenset(out)


KK = _kk_endings()
# Kazakh endings for an inflected noun only (no -лық derivations): used where the derivation changes meaning.
KK_NOUN = frozenset(p + s + c for p in _KK_PLURAL for s in _KK_POSS for c in _KK_CASE)
# Places in Kazakh: "in/at X" (Қонаевта, Сәтбаевтағы): evidence that a person-like name is a place. Not the
# ablative: "Абайдан үйрен" (learn from Abai) is the poet.
KK_PLACE_CASE = frozenset({"да", "де", "та", "те", "нда", "нде", "дагы", "деги", "тагы", "теги", "ндагы", "ндеги"})
RU_NOUN_HARD = frozenset({"", "а", "у", "е", "ом", "ы", "ов", "ам", "ами", "ах"})  # Шымкент, Шымкента ...
RU_NOUN_A = frozenset({"а", "ы", "и", "е", "у", "ой", "ою", "ю", "я", "ей", "ам", "ами", "ах"})  # Астана, Караганды
RU_NOUN_SOFT = frozenset({"й", "я", "ю", "е", "ем", "и", "ь", "ью"})  # Семей, Сарань
RU_ADJ = frozenset(
    {"ий", "ый", "ой", "ая", "яя", "ое", "ее", "ие", "ые", "ого", "его", "ому", "ему", "ом", "ем", "ым", "им", "ей",
     "ую", "юю", "их", "ых", "ими", "ыми"}
)  # fmt: skip
EXACT = frozenset({""})
# Sentinel endings: any ending of up to PREFIX_MAX letters (sector terms: "металлург" -> металлургического).
PREFIX = frozenset({"\x00prefix"})
PREFIX_MAX = 8


def ru_noun_forms(name: str) -> tuple[str, frozenset[str]]:
    """Stem and endings of a Russian proper noun: Караганда -> (карагандa minus а, {ы, е, ой ...})."""
    key = fold(name)
    if key.endswith(("а", "я")) and len(key) > 3:
        return key[:-1], RU_NOUN_A
    if key.endswith(("й", "ь")) and len(key) > 3:
        return key[:-1], RU_NOUN_SOFT
    if key.endswith(("ы", "е", "о", "у", "и", "э", "ю")):
        return key, EXACT  # Алматы, Актобе, Кокшетау: indeclinable in Russian
    return key, RU_NOUN_HARD


def ru_adj_stem(adj: str) -> str:
    """ "Туркестанская" -> "туркестанск"; endings come from RU_ADJ."""
    key = fold(adj)
    for end in ("ская", "ский", "цкая", "цкий"):
        if key.endswith(end):
            return key[: -len(end) + 2]
    return key[:-2] if len(key) > 4 else key


# The answer for every word no stem matches, shared by all of them (most words of a text match nothing, and a
# list each was 56 bytes a word in every lexicon's memo). Callers only read answers.
_NOTHING: list[Any] = []


@dataclass(slots=True)
class Lexicon(Generic[T]):
    """Stems with their allowed endings; `lookup` answers every payload whose stem + ending spells the word."""

    stems: dict[str, list[tuple[frozenset[str], T]]] = field(default_factory=dict)
    cache: dict[str, list[T]] = field(default_factory=dict)
    hits: set[str] = field(default_factory=set)  # the keys of `cache` with a payload
    # Stem lengths to try for a word, longest first: by the word's first HEAD letters for stems that long, and
    # the shorter ones for every word. A word no stem starts like (most of them) costs one dict read, not a
    # slice and a read per stem length.
    heads: dict[str, tuple[int, ...]] = field(default_factory=dict)
    short: tuple[int, ...] = ()
    epoch: int = 0  # counts the times `cache` was emptied: a `Memo` over this lexicon then starts again

    def add(self, stem: str, endings: frozenset[str], payload: T) -> None:
        if not stem:
            return
        self.stems.setdefault(stem, []).append((endings, payload))
        size = len(stem)
        if size >= HEAD:
            self.heads[stem[:HEAD]] = tuple(sorted({size, *self.heads.get(stem[:HEAD], ())}, reverse=True))
        else:
            self.short = tuple(sorted({size, *self.short}, reverse=True))
        self.clear()

    def add_all(self, stems: Iterable[str], endings: frozenset[str], payload: T) -> None:
        for stem in stems:
            self.add(stem, endings, payload)

    def clear(self) -> None:
        self.cache.clear()
        self.hits.clear()
        self.epoch += 1

    def find(self, word: str) -> list[T]:
        """`lookup` without the cache."""
        found: list[T] = []
        n = len(word)
        # every stem length, longest first, except those no stem of the word's first HEAD letters has
        for size in self.heads.get(word[:HEAD], ()) + self.short:
            if size > n:
                continue
            entries = self.stems.get(word[:size])
            if entries:
                rest = word[size:]
                for endings, payload in entries:
                    ok = len(rest) <= PREFIX_MAX and "-" not in rest if endings is PREFIX else rest in endings
                    if ok and payload not in found:
                        found.append(payload)
        return found

    def lookup(self, word: str) -> list[T]:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        found = self.find(word)
        if len(self.cache) > 2 * CACHE_SIZE:  # `known` keeps it under CACHE_SIZE; direct calls under twice that
            self.clear()
        if found:
            self.cache[word] = found
            self.hits.add(word)
        else:
            self.cache[word] = found = _NOTHING
        return found


class Memo:
    """The words already looked up in a group of lexicons that every text is matched against (the gazetteer's
    Cyrillic names, the sector and country terms), kept once for all of them. A text's words are checked
    against it once, not once per lexicon, and a new word is looked up only in the lexicons that have a stem
    starting like it (most words have none). Each lexicon's `cache` then holds its hits only: a word in
    `seen` and not in a lexicon's `hits` matches nothing in it."""

    __slots__ = ("_by_head", "_by_short", "_epochs", "_recent", "_short", "lexicons", "seen")

    def __init__(self) -> None:
        self.lexicons: list[Lexicon[Any]] = []
        self.seen: set[str] = set()
        self._epochs: tuple[int, ...] = ()
        # the key sets filled last (a text's and its title's): the extractors of one text share them
        self._recent: tuple[set[str], ...] = ()
        self._by_head: dict[str, tuple[Lexicon[Any], ...]] = {}
        self._by_short: dict[str, tuple[Lexicon[Any], ...]] = {}
        self._short: tuple[int, ...] = ()

    def join(self, lex: Lexicon[Any]) -> None:
        if all(lex is not other for other in self.lexicons):
            self.lexicons.append(lex)
            self._epochs = ()

    def _start_again(self) -> None:
        """Forget what was seen: a lexicon changed or emptied its cache."""
        self.seen.clear()
        self._recent = ()
        by_head: dict[str, list[Lexicon[Any]]] = {}
        by_short: dict[str, list[Lexicon[Any]]] = {}
        for lex in self.lexicons:
            for head in lex.heads:
                by_head.setdefault(head, []).append(lex)
            for stem in lex.stems:
                if len(stem) < HEAD:
                    by_short.setdefault(stem, []).append(lex)
        self._by_head = {k: tuple(v) for k, v in by_head.items()}
        self._by_short = {k: tuple(v) for k, v in by_short.items()}
        self._short = tuple(sorted({len(stem) for stem in by_short}))
        self._epochs = tuple(lex.epoch for lex in self.lexicons)

    def known(self, keys: set[str]) -> None:
        """Fill the hits of every lexicon of the group for `keys` (read-only: the same set is not filled twice)."""
        if self._epochs != tuple(lex.epoch for lex in self.lexicons):
            self._start_again()
        elif any(keys is done for done in self._recent):
            return
        missing = keys.difference(self.seen)  # in C: most words of an article were seen before (Zipf)
        if missing:
            if len(self.seen) + len(missing) > CACHE_SIZE:
                for lex in self.lexicons:
                    lex.clear()
                self._start_again()
                missing = keys
            by_head, by_short, short = self._by_head, self._by_short, self._short
            for word in missing:
                lexicons = by_head.get(word[:HEAD], ())
                for size in short:
                    more = by_short.get(word[:size])
                    if more:
                        lexicons += tuple(lex for lex in more if all(lex is not other for other in lexicons))
                for lex in lexicons:
                    if word not in lex.cache:
                        found = lex.find(word)
                        if found:
                            lex.cache[word] = found
                            lex.hits.add(word)
            self.seen |= missing
        self._recent = (keys, *self._recent[: RECENT - 1])


# The lexicons every text is matched against share one memo; `known` uses it for those that joined it.
SHARED = Memo()


def known(lex: Lexicon[T], keys: set[str]) -> dict[str, list[T]]:
    """Fill `lex.hits` for every key in `keys`: then a key not in `hits` matches nothing in `lex`."""
    if any(lex is other for other in SHARED.lexicons):
        SHARED.known(keys)
        return lex.cache
    missing = keys.difference(lex.cache)  # in C, a set against a dict: most words of an article were seen before
    if missing:
        if len(lex.cache) + len(missing) > CACHE_SIZE:
            lex.clear()
            missing = keys
        for key in missing:
            lex.lookup(key)
    return lex.cache


_ASCII_TABLE = str.maketrans({k: v for k, v in KAZ_ASCII.items()} | {"-": "-"})


def latin_key(folded: str) -> str:
    """The Latin skeleton of a folded Cyrillic Kazakh word: what `latin_fold` makes of the word written in either
    Latin alphabet or in ASCII ("кытайлык" -> "kitailik", as from "qytaılyq", "qytailyq", "qytailyq")."""
    return latin_fold(folded.translate(_ASCII_TABLE))


@lru_cache(maxsize=64)
def union(*tables: frozenset[str]) -> frozenset[str]:
    """The union of ending tables, made once per combination: a lexicon entry holds a reference, not a copy
    (a copy of KK per gazetteer name cost about 90 MB of memory in every process that enriches text)."""
    return frozenset().union(*tables)


@lru_cache(maxsize=4)
def latin_endings(endings: frozenset[str]) -> frozenset[str]:
    """`endings` (folded Cyrillic) in Latin skeleton form; the sentinels map to themselves."""
    if endings is PREFIX or endings is EXACT:
        return endings
    return frozenset(e.translate(_ASCII_TABLE) for e in endings)

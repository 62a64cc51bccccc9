"""Text analysis for the index: one analyzer per language, and two folded ones that forgive how people type.

Each language field of the schema (`index.schema`) gets its analyzer here: Russian (PyStemmer Snowball, stop
words, ё -> е), Kazakh (our light stemmer of `index.analysis.kazakh`), English (Whoosh's Porter stemmer), and a
neutral one for every other language (lower case and fold only, no stemmer). The folded fields take every
paragraph through `index.analysis.fold`, so аймак, aımaq and aimaq meet аймақ: the Kazakh folded
field then stems the skeleton with the folded Kazakh stemmer, the Russian one stems with Snowball before folding.
A query is analysed by each field's analyzer in turn (`index.parse`).

All filters are importable classes without unpicklable state: Whoosh pickles the schema with its analyzers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import Any

import numpy as np
from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    StopFilter,
    Token,
)

from index.analysis import kazakh
from index.analysis.fold import fold_word
from index.analysis.russian import RUSSIAN_STOPWORDS, RussianStemFilter
from index.analysis.russian import stem as russian_stem

__all__ = [
    "FoldFilter",
    "KazakhFoldedStemFilter",
    "KazakhStemFilter",
    "MemoAnalyzer",
    "RussianStemFilter",
    "YoFilter",
    "english_analyzer",
    "folded_kazakh_analyzer",
    "folded_russian_analyzer",
    "kazakh_analyzer",
    "neutral_analyzer",
    "russian_analyzer",
]

# Words: letters and digits; hyphens split (Нұр-Сұлтан is two terms, and a query for either finds it).
TOKEN_PATTERN = r"\w+"


class _StatelessFilter(Filter):
    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class YoFilter(_StatelessFilter):
    """ё -> е: Russian and Kazakh texts write either."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            if "ё" in token.text:
                token.text = token.text.replace("ё", "е")
            yield token


class _StemFilter(_StatelessFilter):
    """Replaces each token that is not a stop word by its stem."""

    is_morph = True

    @staticmethod
    def stem(word: str) -> str:
        raise NotImplementedError

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        stem = self.stem
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


class KazakhStemFilter(_StemFilter):
    """The light Kazakh stemmer on lowercase Cyrillic tokens."""

    stem = staticmethod(kazakh.stem)


class FoldFilter(_StatelessFilter):
    """Folds a token (any case, Cyrillic or Latin) to the search skeleton of `index.analysis.fold`."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            token.text = fold_word(token.text)
            yield token


class KazakhFoldedStemFilter(_StemFilter):
    """The Kazakh stemmer's folded variant, on skeleton tokens."""

    stem = staticmethod(kazakh.stem_folded)


def _russian_chain() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | YoFilter()
        | StopFilter(stoplist=RUSSIAN_STOPWORDS, minsize=1)
        | RussianStemFilter()
    )


def _kazakh_chain() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | YoFilter()
        | StopFilter(stoplist=kazakh.KAZAKH_STOPWORDS, minsize=1)
        | KazakhStemFilter()
    )


def _folded_kazakh_chain() -> Analyzer:
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | KazakhFoldedStemFilter()


def _neutral_chain() -> Analyzer:
    """Every other language (Turkish, Ukrainian, Kyrgyz...): lower case and the fold of `index.analysis.fold`,
    no stop list, no stemmer (a Kazakh or Russian stemmer would cut their words wrong)."""
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter()


def _folded_russian_chain() -> Analyzer:
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | YoFilter() | RussianStemFilter() | FoldFilter()


# Each chain reads a word on its own (lowercase, ё, stop list, stemmer, fold: none looks at the neighbours), so
# what it makes of a word can be remembered. (chain, whether it has a stop list)
_CHAINS: dict[str, tuple[Callable[[], Analyzer], bool]] = {
    "ru": (_russian_chain, True),
    "kk": (_kazakh_chain, True),
    "fold_kk": (_folded_kazakh_chain, False),
    "fold_ru": (_folded_russian_chain, False),
    "neutral": (_neutral_chain, False),
}
_MEMO_MAX = 300_000  # words remembered per chain; cleared when full (Zipf: the common words come back at once)


class _Table:
    """What one chain made of the words it met: word -> term id (-1 for a stop word) and the terms by id.

    Full at `_MEMO_MAX` words, when the chain starts a new table (Zipf: the common words come back at once);
    whoever holds ids keeps the `names` list they index.
    """

    __slots__ = ("ids", "lock", "memo", "names")

    def __init__(self) -> None:
        self.memo: dict[str, int] = {}
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self.lock = threading.Lock()  # the server analyses queries in several threads

    def intern(self, term: str) -> int:
        tid = self.ids.get(term)
        if tid is None:
            with self.lock:  # a new id and its name together: two threads must not take the same id
                tid = self.ids.get(term)
                if tid is None:
                    self.names.append(term)
                    tid = self.ids[term] = len(self.names) - 1
        return tid


_tables: dict[str, _Table] = {name: _Table() for name in _CHAINS}
_NO_IDS = np.zeros(0, dtype=np.int32)
_chains: dict[str, Analyzer] = {}
_WORD = re.compile(TOKEN_PATTERN)


def _lower(word: str) -> str:
    return word.lower().replace("ё", "е")


def _ru_term(word: str) -> tuple[str, bool]:
    text = _lower(word)
    return (text, True) if text in RUSSIAN_STOPWORDS else (russian_stem(text), False)


def _kk_term(word: str) -> tuple[str, bool]:
    text = _lower(word)
    return (text, True) if text in kazakh.KAZAKH_STOPWORDS else (kazakh.stem(text), False)


def _fold_kk_term(word: str) -> tuple[str, bool]:
    return kazakh.stem_folded(fold_word(word)), False


def _fold_ru_term(word: str) -> tuple[str, bool]:
    return fold_word(russian_stem(_lower(word))), False


def _neutral_term(word: str) -> tuple[str, bool]:
    return fold_word(word), False


# What each chain makes of one word, as plain functions: the chains' filters applied in the same order without
# a Token and a generator per filter (tests/test_analysis_memo.py holds them equal to the chains).
_TERMS: dict[str, Callable[[str], tuple[str, bool]]] = {
    "ru": _ru_term,
    "kk": _kk_term,
    "fold_kk": _fold_kk_term,
    "fold_ru": _fold_ru_term,
    "neutral": _neutral_term,
}


class MemoAnalyzer(Analyzer):
    """One of the chains above as a single tokenizer that remembers each word's term and stop mark.

    The same tokens as the chain (text, positions renumbered past removed stop words as Whoosh's StopFilter
    does, character offsets, stop marks), but each distinct word goes through the filters once per process:
    per-token filter generators were most of the analysis time of indexing (issue #9). Pickled with the schema
    by its chain name only.
    """

    is_morph = True  # as the chains' stem filters say (Whoosh asks has_morph() for spelling)

    def __init__(self, chain: str) -> None:
        if chain not in _CHAINS:
            raise ValueError(f"unknown analysis chain {chain!r}")
        self.chain = chain

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.chain == self.chain

    def __hash__(self) -> int:
        return hash((type(self), self.chain))

    def _term(self, word: str) -> tuple[str, bool]:
        return _TERMS[self.chain](word)

    def _table(self, room: int = 1) -> _Table:
        """The chain's table, a new one if it has no room for `room` more words."""
        table = _tables[self.chain]
        if len(table.memo) + room > _MEMO_MAX:
            table = _tables[self.chain] = _Table()
        return table

    def _learn(self, word: str, table: _Table) -> int:
        tid = table.memo.get(word)
        if tid is None:
            text, stopped = self._term(word)
            tid = table.memo[word] = -1 if stopped else table.intern(text)
        return tid

    def _word_term(self, word: str) -> str | None:
        """The term of `word`, None for a stop word."""
        table = self._table()
        tid = self._learn(word, table)
        return None if tid < 0 else table.names[tid]

    def terms(self, value: str) -> tuple[list[str], int]:
        """The terms of `value` in order, stop words removed, and the position of the first.

        Term i sits at position `first + i`, as the tokens of `__call__(value, positions=True)` do.
        """
        found = [self._word_term(word) for word in _WORD.findall(value)]
        first = next((i for i, term in enumerate(found) if term is not None), 0)
        return [term for term in found if term is not None], first

    def term_ids(self, value: str) -> tuple[np.ndarray, int, list[str]]:
        """`terms(value)` as term ids, the position of the first, and the list of terms the ids index.

        What indexing needs (`index.whoosh.writer`, issue #9): each word costs one dict lookup in C (`map` of
        `dict.get` into `np.fromiter`); only words not met before go through Python.
        """
        words = _WORD.findall(value)
        table = self._table(len(words))
        if not words:
            return _NO_IDS, 0, table.names
        ids = np.fromiter(map(table.memo.get, words, repeat(-2, len(words))), dtype=np.int32, count=len(words))
        for i in np.flatnonzero(ids == -2).tolist():
            ids[i] = self._learn(words[i], table)
        first = 0
        if _CHAINS[self.chain][1]:
            kept = ids >= 0
            if not kept.all():
                first = int(kept.argmax())
                ids = ids[kept]
        return ids, first, table.names

    def term_id(self, term: str) -> tuple[int, list[str]]:
        """The id of a term (not a word: what an index already holds), and the list it indexes."""
        table = self._table()
        return table.intern(term), table.names

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        if not tokenize:
            chain = _chains.get(self.chain) or _CHAINS[self.chain][0]()
            yield from chain(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=False,
                mode=mode,
                **kwargs,
            )
            return
        renumber = _CHAINS[self.chain][1] and positions
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        kept: int | None = None  # StopFilter's renumbering: the first kept token keeps its position
        for pos, match in enumerate(_WORD.finditer(value), start_pos):
            word = match.group(0)
            found = self._word_term(word)
            stopped = found is None
            text = _lower(word) if found is None else found
            if stopped and removestops:
                continue
            t.text = text
            t.boost = 1.0
            t.stopped = stopped
            if keeporiginal:
                t.original = word  # type: ignore[attr-defined]
            if positions:
                if renumber and not stopped:
                    kept = pos if kept is None else kept + 1
                    t.pos = kept
                else:
                    t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


def russian_analyzer() -> Analyzer:
    return MemoAnalyzer("ru")


def kazakh_analyzer() -> Analyzer:
    return MemoAnalyzer("kk")


def english_analyzer() -> Analyzer:
    return StemmingAnalyzer(expression=TOKEN_PATTERN, minsize=1)


def folded_kazakh_analyzer() -> Analyzer:
    return MemoAnalyzer("fold_kk")


def folded_russian_analyzer() -> Analyzer:
    return MemoAnalyzer("fold_ru")


def neutral_analyzer() -> Analyzer:
    return MemoAnalyzer("neutral")

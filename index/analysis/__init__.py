"""Text analysis for the index: one analyzer per language, and two folded ones that forgive how people type.

Each language field of the schema (`index.schema`) gets its analyzer here: Russian (PyStemmer Snowball, stop
words, ё -> е), Kazakh (our light stemmer of `index.analysis.kazakh`), English (Whoosh's Porter stemmer). The
folded fields take every paragraph through `index.analysis.fold`, so аймак, aımaq and aimaq meet аймақ: the
Kazakh folded field then stems the skeleton with the folded Kazakh stemmer, the Russian one stems with Snowball
before folding. A query is analysed by each field's analyzer in turn (`index.search`).

All filters are importable classes without unpicklable state: Whoosh pickles the schema with its analyzers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, StemmingAnalyzer, StopFilter, Token

from index.analysis import kazakh
from index.analysis.fold import fold_word
from index.analysis.russian import RUSSIAN_STOPWORDS, RussianStemFilter

__all__ = [
    "FoldFilter",
    "KazakhFoldedStemFilter",
    "KazakhStemFilter",
    "RussianStemFilter",
    "YoFilter",
    "english_analyzer",
    "folded_kazakh_analyzer",
    "folded_russian_analyzer",
    "kazakh_analyzer",
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


def russian_analyzer() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | YoFilter()
        | StopFilter(stoplist=RUSSIAN_STOPWORDS, minsize=1)
        | RussianStemFilter()
    )


def kazakh_analyzer() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | YoFilter()
        | StopFilter(stoplist=kazakh.KAZAKH_STOPWORDS, minsize=1)
        | KazakhStemFilter()
    )


def english_analyzer() -> Analyzer:
    return StemmingAnalyzer(expression=TOKEN_PATTERN, minsize=1)


def folded_kazakh_analyzer() -> Analyzer:
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | KazakhFoldedStemFilter()


def folded_russian_analyzer() -> Analyzer:
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | YoFilter() | RussianStemFilter() | FoldFilter()

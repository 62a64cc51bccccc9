"""Russian stemming for the index: Snowball Russian through PyStemmer, as a Whoosh filter.

PyStemmer runs the Snowball algorithm in C (about a million words a second, against 35k for Whoosh's pure
Python one, which also has bugs: объем -> обь). Whoosh pickles the schema, analyzers included, into its table
of contents, and a C stemmer object does not pickle: so the filter is an importable class that builds its
stemmer lazily, on first use after construction or unpickling. ё is folded to е before stemming, as Russian
text writes either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import Filter, Token


def _words(text: str) -> list[str]:
    return text.split()


__all__ = ["RUSSIAN_STOPWORDS", "RussianStemFilter", "stem"]

# Function words that carry nothing for search; Whoosh's Russian stop list plus a few of the press.
RUSSIAN_STOPWORDS = frozenset(
    _words(
        """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
        вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
        нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
        была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем
        ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец
        два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя
        впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
        также это которые который которая которых также"""
    )
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return Stemmer.Stemmer("russian")


MIN_STEM = 3  # Snowball may leave two letters of a noun it reads as an adjective or a participle


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball Russian stem of one lowercase word (ё read as е).

    Snowball reads the end of some nouns as an adjective or participle ending and leaves two letters: аким -> ак
    (its forms акима, акиму, акимом -> аким), опыт -> оп. A word of four letters or more, ending in a consonant,
    whose stem is that short is kept whole when its genitive in -а stems back to it: so аким meets акима, while
    verbs (убил -> уб, as убить) keep Snowball's stem.
    """
    word = word.replace("ё", "е")
    stemmer = _stemmer()
    result = str(stemmer.stemWord(word))
    if len(result) < MIN_STEM <= len(word) - 1 and word[-1] not in _VOWELS and stemmer.stemWord(word + "а") == word:
        return word
    return result


_VOWELS = frozenset("аеёиоуыэюяйь")


class RussianStemFilter(Filter):
    """Stems Russian tokens with PyStemmer. Picklable: it holds no stemmer, `stem` builds one on first use."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token

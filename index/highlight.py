"""Snippets and marks: the words of a text that a query's analysed terms match, found the way the fields'
analyzers read them, and the HTML snippet around the best window of them (the translations' words marked
apart). Shared by both engines.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from whoosh.lang.porter import stem as porter_stem

from index import qtree
from index.analysis import kazakh, russian
from index.analysis.fold import fold_word
from index.crosslang import Expansion
from index.parse import ParsedQuery, QueryBuilder
from index.schema import (
    build_schema,
)

# ---------------------------------------------------------------------------------------------- snippets
_WORD = re.compile(r"\w+")
# The letters a word may start with in our texts, each with its skeleton (for Highlighter's first-letter test)
_FIRST_LETTERS = tuple(
    (ch, fold_word(ch))
    for ch in itertools.chain(map(chr, range(0x30, 0x7B)), map(chr, range(0xC0, 0x250)), map(chr, range(0x400, 0x530)))
    if _WORD.fullmatch(ch)
)
SNIPPET_SCAN_CHARS = 50_000  # where matches are looked for in very long texts


class Highlighter:
    """Marks the words of a text that a query's analysed terms match.

    Each word is read once, the way each field's analyzer reads it (Kazakh and Russian stems, the folded
    skeleton), through the memoised stemmers: running the field analyzers over every hit's text cost 100 ms a
    page.
    """

    def __init__(self, terms: dict[str, set[str]], prefixes: dict[str, list[str]]) -> None:
        def union(*names: str) -> set[str]:
            out: set[str] = set()
            for name in names:
                out |= terms.get(name, set())
            return out

        self.kk = union("title_kk", "body_kk")
        self.ru = union("title_ru", "body_ru")
        self.en = union("title_en", "body_en")
        self.fold_kk = terms.get("fold_kk", set())
        self.fold_ru = terms.get("fold_ru", set())
        self.prefixes = tuple(sorted({p for values in prefixes.values() for p in values if p}))
        self.active = bool(self.kk or self.ru or self.en or self.fold_kk or self.fold_ru or self.prefixes)
        # Stemmers only cut suffixes (and may change the last letter back from its voiced form), so a word can
        # match a term only if its skeleton starts with the term's skeleton less its last letter: most words
        # of a text are ruled out by this one test before any stemmer runs.
        heads = {fold_word(t)[:-1] or fold_word(t) for t in self.kk | self.ru | self.en | self.fold_kk | self.fold_ru}
        heads |= {fold_word(p) for p in self.prefixes}
        self.heads = tuple(sorted(h for h in heads if h))
        # Words whose first letter folds to a letter no head starts with cannot match: they are not even read.
        self._candidates = _candidate_words(frozenset(h[0] for h in self.heads))
        self._yes: set[str] = set()  # words of this query's hits judged so far, by the verdict
        self._no: set[str] = set()

    def _matches(self, word: str) -> bool:
        """Whether one word (whose skeleton starts with one of `heads`) matches a term or prefix."""
        lower = word.lower().replace("ё", "е")
        folded = fold_word(word)
        result = (
            (bool(self.kk) and kazakh.stem(lower) in self.kk)
            or (bool(self.ru) and russian.stem(lower) in self.ru)
            or (bool(self.en) and porter_stem(lower) in self.en)
            or (bool(self.fold_kk) and kazakh.stem_folded(folded) in self.fold_kk)
            or (bool(self.fold_ru) and fold_word(russian.stem(lower)) in self.fold_ru)
            or (bool(self.prefixes) and (lower.startswith(self.prefixes) or folded.startswith(self.prefixes)))
        )
        return result

    def match_spans(self, text: str) -> list[tuple[int, int]]:
        if not self.active:
            return []
        scan = text[:SNIPPET_SCAN_CHARS]
        # Only words that may match are read (`_candidate_words`); each distinct one is judged once a query.
        found = [(m.group(), m.span()) for m in self._candidates.finditer(scan)]
        words = {word for word, _ in found}
        new = list(words - self._yes - self._no)
        if new:
            heads = self.heads
            candidates = [
                word for word, folded in zip(new, map(fold_word, new), strict=True) if folded.startswith(heads)
            ]
            self._no.update(new)
            for word in candidates:
                if self._matches(word):
                    self._yes.add(word)
                    self._no.discard(word)
        yes = self._yes
        return [span for word, span in found if word in yes]


@lru_cache(maxsize=512)
def _candidate_words(initials: frozenset[str]) -> re.Pattern[str]:
    """The words whose skeleton may start with one of `initials`: all words but those whose first letter folds
    to another letter. Letters whose skeleton can change with the next letter (z+h, k+h, a lone c) or that fold
    to nothing are never skipped."""
    skipped = "".join(
        ch
        for ch, folded in _FIRST_LETTERS
        if folded and folded.isascii() and folded[0] not in initials and folded[0] not in "zkc"
    )
    return re.compile(rf"(?<!\w)[^\W{re.escape(skipped)}]\w*") if skipped else _WORD


def translated_terms(expansion: Expansion | None) -> dict[str, set[str]]:
    """The terms a parse's translations search, per language field (for marking them apart in snippets)."""
    out: dict[str, set[str]] = {}
    for item in expansion.items if expansion is not None else ():
        if item.target.lang and not item.negated:
            for terms in item.target.terms:
                for part in ("title", "body"):
                    out.setdefault(f"{part}_{item.target.lang}", set()).update(terms)
    return out


class QueryMarker:
    """Marks a query's words in texts, its translations apart: the words as typed with one `Highlighter`, the
    translations with another, run only on texts in a language the translations are in (a Russian article
    has no Kazakh translation to mark): marking costs what it cost before translation where it can.
    """

    def __init__(self, parsed: ParsedQuery) -> None:
        terms, prefixes = qtree.terms_of(parsed.query)
        translated = translated_terms(parsed.expansion)
        typed = {name: values - translated.get(name, set()) for name, values in terms.items()}
        self.typed = Highlighter(typed, prefixes)
        self.translations = Highlighter(translated, {})
        self.langs = {name.rsplit("_", 1)[-1] for name in translated}

    def spans(
        self, text: str, langs: Iterable[str] = ("kk", "ru")
    ) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
        """The spans to mark in `text` (whose paragraphs are in `langs`), and which of them are translations."""
        spans = self.typed.match_spans(text)
        if not self.translations.active or not self.langs.intersection(langs):
            return spans, set()
        extra = set(self.translations.match_spans(text)) - set(spans)
        return (sorted(set(spans) | extra), extra) if extra else (spans, set())


def query_marks(text: str, q: str, *, translate: bool = True) -> list[tuple[int, int, bool]]:
    """Where the words of query `q` (and, with `translate`, its translations) occur in `text`: (start, end,
    whether the word is a translation), in order. For pages that show a whole article found by a query."""
    spans, translated = QueryMarker(_mark_builder().parse(q[:1000], translate=translate)).spans(text)
    return [(start, end, (start, end) in translated) for start, end in spans]


@lru_cache(maxsize=1)
def _mark_builder() -> QueryBuilder:
    return QueryBuilder(build_schema())


def snippet(
    text: str, spans: Sequence[tuple[int, int]], width: int = 260, translated: set[tuple[int, int]] | None = None
) -> str:
    """An HTML snippet: the window of `text` with the most matches, escaped, matches in <mark>; the spans in
    `translated` (words of the query's translations) as <mark class="xlang">."""
    if not text:
        return ""
    if not spans:
        window = text[:width]
        cut = window.rfind(" ") if len(text) > width else -1
        body = window[:cut] if cut > width // 2 else window
        return html.escape(body) + ("…" if len(text) > len(body) else "")
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (start, _end) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= width:
            j += 1
        if j - i + 1 > best_count:
            best_start, best_count = start, j - i + 1
    # Start a little before the first match, at a word boundary.
    lo = max(0, best_start - 40)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < best_start else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > best_start else hi
    out = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in spans:
        if start < pos or end > hi:
            continue
        out.append(html.escape(text[pos:start]))
        tag = '<mark class="xlang">' if translated and (start, end) in translated else "<mark>"
        out.append(tag + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)

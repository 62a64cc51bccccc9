"""Query parsing, ranking, facet arrays and snippets: the search half of `index.engine`.

A query string keeps Whoosh's syntax (AND, OR, NOT, "phrases", prefix*, field:value) with friendly field
aliases (title:, body:, source:, lang:, region: ...). Every unfielded word is analysed by each text field's
analyzer and searched over all of them (BM25F, titles weighted above bodies, a gentle recency prior). A
syntax error (unbalanced quotes or parentheses, a lone operator) is never an exception: the query is searched
as plain words and the result carries a notice.

Facet counts and filters run on arrays keyed by Whoosh document number (`Columns`), built once per index
generation from the postings of the keyword fields, so counting a facet over 100k matches is a numpy bincount,
not a grouped search. Snippets are made here too: the record text, HTML-escaped, with <mark> around the words
that the query's analysed terms match.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.lang.porter import stem as porter_stem
from whoosh.qparser import AndGroup, MultifieldPlugin, OrGroup, QueryParser, syntax
from whoosh.qparser.plugins import Plugin
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F

from index.analysis import kazakh, russian
from index.analysis.fold import fold_word
from index.schema import BODY_FIELDS, FIELD_BOOSTS, FOLD_FIELDS, TEXT_FIELDS, TITLE_FIELDS, UNDATED

EPOCH = dt.date(1970, 1, 1)
# Recency prior: a score is multiplied by 1 + PRIOR * 2^(-age / HALF_LIFE). Gentle: it orders near-equal
# matches newest first without lifting a weak new match over a strong old one.
PRIOR = 0.15
HALF_LIFE_DAYS = 365.0

TEXT_ALIASES: dict[str, tuple[str, ...]] = {
    "title": TITLE_FIELDS,
    "body": BODY_FIELDS + FOLD_FIELDS,
    "text": BODY_FIELDS + FOLD_FIELDS,
    "заголовок": TITLE_FIELDS,
    "тақырып": TITLE_FIELDS,
}
KEYWORD_ALIASES: dict[str, tuple[str, str]] = {
    # alias: (field, case of its values)
    "source": ("source", "lower"),
    "site": ("source", "lower"),
    "lang": ("lang", "lower"),
    "language": ("lang", "lower"),
    "region": ("region", "upper"),
    "sector": ("sector", "upper"),
    "oked": ("sector", "upper"),
    "country": ("country", "upper"),
    "year": ("year", "lower"),
}

_CYRILLIC = re.compile("[\u0400-\u04ff]")
NOTICE_SYNTAX = "The query has a syntax error ({problem}); it was searched as plain words."
NOTICE_ANY = "No article has all of the words; showing articles with any of them."


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


class RecencyBM25F(BM25F):
    """BM25F whose final score carries the gentle recency prior; `days` is the day array of the searcher."""

    use_final = True

    def __init__(self, **kwargs: float) -> None:
        super().__init__(B=0.75, K1=1.2, **kwargs)
        self.days: np.ndarray | None = None
        self.today = (dt.date.today() - EPOCH).days

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        days = self.days
        if days is None or docnum >= len(days):
            return score
        day = int(days[docnum])
        if day == UNDATED:
            return score
        age = max(0, self.today - day)
        return score * (1.0 + PRIOR * 2.0 ** (-age / HALF_LIFE_DAYS))


# ---------------------------------------------------------------------------------------------- parsing
class _AliasPlugin(Plugin):
    """Expands title:/body: into their language fields and normalises the case of keyword values."""

    def filters(self, parser: QueryParser) -> list[tuple[Any, int]]:
        # after the fields plugin (100) names the nodes, before the multifield plugin (110)
        return [(self._expand, 105)]

    def _expand(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self._expand(parser, node)
                continue
            name = getattr(node, "fieldname", None) if node.has_fieldname else None
            if name is None:
                continue
            if name in TEXT_ALIASES:
                copies = []
                for target in TEXT_ALIASES[name]:
                    copy = _copy_node(node)
                    copy.set_fieldname(target, override=True)
                    copy.set_boost(FIELD_BOOSTS.get(target, 1.0))
                    copies.append(copy)
                group[i] = syntax.OrGroup(copies)
            elif name in KEYWORD_ALIASES:
                target, case = KEYWORD_ALIASES[name]
                node.set_fieldname(target, override=True)
                if hasattr(node, "text") and isinstance(node.text, str):
                    node.text = node.text.upper() if case == "upper" else node.text.lower()
        return group


def _copy_node(node: Any) -> Any:
    import copy

    return copy.copy(node)


@dataclass(slots=True)
class ParsedQuery:
    query: wq.Query | None  # None: match everything (empty query)
    notice: str = ""
    words: int = 0  # how many plain words the query has (for the any-word fallback)
    plain: bool = True  # no operators, fields or phrases: eligible for the any-word fallback


class QueryBuilder:
    """Builds Whoosh queries from user strings for one schema."""

    def __init__(self, schema: Schema) -> None:
        parse_schema = Schema()
        for name, fieldtype in schema.items():
            parse_schema.add(name, fieldtype)
        for alias in list(TEXT_ALIASES) + list(KEYWORD_ALIASES):
            if alias not in parse_schema:
                parse_schema.add(alias, TEXT())
        self.schema = schema
        self._parsers = {grouping: self._parser(parse_schema, grouping) for grouping in ("and", "or")}

    @staticmethod
    def _parser(schema: Schema, grouping: str) -> QueryParser:
        group = AndGroup if grouping == "and" else OrGroup.factory(0.9)
        parser = QueryParser(None, schema, group=group)
        parser.add_plugin(_AliasPlugin())
        parser.add_plugin(MultifieldPlugin(list(TEXT_FIELDS), fieldboosts=FIELD_BOOSTS))
        return parser

    def parse(self, text: str, *, any_word: bool = False) -> ParsedQuery:
        text = text.strip()
        if not text:
            return ParsedQuery(None)
        problem = syntax_problem(text)
        notice = ""
        if problem:
            notice = NOTICE_SYNTAX.format(problem=problem)
            text = plain_words(text)
            if not text:
                return ParsedQuery(wq.NullQuery, notice=notice)
        plain = not re.search(r'["():*?^]|\b(AND|OR|NOT)\b|(^|\s)[+-]', text)
        words = len(re.findall(r"\w+", text))
        parser = self._parsers["or" if any_word else "and"]
        try:
            parsed = parser.parse(text)
        except Exception:
            notice = NOTICE_SYNTAX.format(problem="it could not be read")
            parsed = parser.parse(plain_words(text))
        parsed = self._fix_wildcards(parsed, latin=not _CYRILLIC.search(text))
        return ParsedQuery(parsed, notice=notice, words=words, plain=plain)

    def _fix_wildcards(self, q: wq.Query, latin: bool = False) -> wq.Query:
        """Prefix and wildcard text is not analysed by Whoosh: lowercase it, or fold it for folded fields.

        A phrase on a field indexed without positions (the folded fields since issue #9: phrases are matched
        on the language fields) cannot keep its word order there. A phrase typed in Cyrillic is matched on the
        language fields, so there it matches nothing (all its words would let "аймақ индустриалды" through); a
        phrase typed in Latin letters has no language field to match, so there it asks for all its words.
        """
        if isinstance(q, wq.Phrase):
            fmt = self.schema[q.fieldname].format if q.fieldname in self.schema else None
            if fmt is not None and not fmt.supports("positions"):
                if latin and q.words:
                    return wq.And([wq.Term(q.fieldname, word) for word in q.words])
                return wq.NullQuery
            return q
        if isinstance(q, wq.Prefix | wq.Wildcard):
            name = q.fieldname
            if name in FOLD_FIELDS:
                q.text = fold_word(q.text)
            elif name in TEXT_FIELDS:
                q.text = q.text.lower().replace("ё", "е")
            return q
        if q.is_leaf():
            return q
        return q.apply(lambda child: self._fix_wildcards(child, latin))


_OPERATOR = re.compile(r"^(AND|OR|NOT|ANDNOT|ANDMAYBE)$")


def syntax_problem(text: str) -> str:
    """What is wrong with the query's syntax, in words; "" when nothing is."""
    if text.count('"') % 2:
        return "unbalanced quotes"
    outside = re.sub(r'"[^"]*"', "x", text)
    depth = 0
    for ch in outside:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return "unbalanced parentheses"
    if depth:
        return "unbalanced parentheses"
    tokens = re.sub(r"[()]", " ", outside).split()
    if not tokens:
        return "no words"
    for i, token in enumerate(tokens):
        if not _OPERATOR.match(token):
            continue
        if i == len(tokens) - 1:
            return f"{token} without a word after it"
        if token != "NOT" and i == 0:
            return f"{token} without a word before it"
        if _OPERATOR.match(tokens[i + 1]) and tokens[i + 1] != "NOT":
            return f"{token} followed by {tokens[i + 1]}"
    if re.search(r"(^|\s)\w+:(\s|$)", outside):
        return "a field without a value"
    return ""


def plain_words(text: str) -> str:
    """The words of a query without its operators and syntax."""
    return " ".join(w for w in re.findall(r"\w+", text) if not _OPERATOR.match(w))


def _term_docs(reader: Any, fieldname: str, text: Any) -> np.ndarray:
    """The document numbers of one term's postings in one segment, read a block at a time.

    Whoosh's own `docs_for_query` walks a matcher tree one posting at a time in Python; for a word searched
    over eight fields that was a third of a search. Whoosh 3's block reader keeps a block's ids in `_ids`;
    any other matcher falls back to `all_ids()`.
    """
    try:
        m = reader.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64)
    if not (hasattr(m, "_read_ids") and hasattr(m, "_next_block") and hasattr(m, "_ids")):
        return np.fromiter(m.all_ids(), dtype=np.int64)
    parts: list[np.ndarray] = []
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        parts.append(np.asarray(m._ids, dtype=np.int64))
        m._next_block()
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def query_mask(q: wq.Query, searcher: Any, size: int) -> np.ndarray:
    """The documents `q` matches as a bool array over the searcher's document numbers (deleted ones included).

    Terms, And, Or (without minmatch), AndNot and Not are combined with numpy from the postings; phrases,
    prefixes, ranges and the rest go through Whoosh's matchers.
    """
    if isinstance(q, wq.Term):
        out = np.zeros(size, dtype=bool)
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if (q.fieldname, q.text) in reader:
                docs = _term_docs(reader, q.fieldname, q.text)
                if docs.size:
                    out[docs + offset] = True
        return out
    if isinstance(q, wq.Or) and not getattr(q, "minmatch", 0):
        out = np.zeros(size, dtype=bool)
        for child in q.subqueries:
            out |= query_mask(child, searcher, size)
        return out
    if isinstance(q, wq.And):
        found: np.ndarray | None = None
        for child in q.subqueries:
            part = query_mask(child, searcher, size)
            found = part if found is None else found & part
            if not found.any():
                break
        return found if found is not None else np.ones(size, dtype=bool)
    if isinstance(q, wq.AndNot):
        return query_mask(q.a, searcher, size) & ~query_mask(q.b, searcher, size)
    if isinstance(q, wq.Not):
        return ~query_mask(q.query, searcher, size)
    out = np.zeros(size, dtype=bool)
    docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
    if docs.size:
        out[docs] = True
    return out


def query_terms(q: wq.Query | None) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """The analysed terms of a query per field, and its prefixes per field (for snippets)."""
    terms: dict[str, set[str]] = {}
    prefixes: dict[str, list[str]] = {}
    if q is None:
        return terms, prefixes
    for sub in _leaves(q):
        if isinstance(sub, wq.Prefix):
            prefixes.setdefault(sub.fieldname, []).append(sub.text)
        elif isinstance(sub, wq.Wildcard):
            stem = re.split(r"[*?]", sub.text, maxsplit=1)[0]
            if stem:
                prefixes.setdefault(sub.fieldname, []).append(stem)
        elif isinstance(sub, wq.Term) and isinstance(sub.text, str):
            terms.setdefault(sub.fieldname, set()).add(sub.text)
        elif isinstance(sub, wq.Phrase):
            terms.setdefault(sub.fieldname, set()).update(w for w in sub.words if isinstance(w, str))
    return terms, prefixes


def _leaves(q: wq.Query) -> Iterable[wq.Query]:
    if isinstance(q, wq.Not):
        return
    if q.is_leaf() or isinstance(q, wq.Phrase):
        yield q
        return
    for child in q.children():
        yield from _leaves(child)


# ---------------------------------------------------------------------------------------------- snippets
_WORD = re.compile(r"\w+")
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
        self._seen: dict[str, bool] = {}

    def _matches(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is not None:
            return known
        lower = word.lower().replace("ё", "е")
        folded = fold_word(word)
        if not folded.startswith(self.heads):
            self._seen[word] = False
            return False
        result = (
            (bool(self.kk) and kazakh.stem(lower) in self.kk)
            or (bool(self.ru) and russian.stem(lower) in self.ru)
            or (bool(self.en) and porter_stem(lower) in self.en)
            or (bool(self.fold_kk) and kazakh.stem_folded(folded) in self.fold_kk)
            or (bool(self.fold_ru) and fold_word(russian.stem(lower)) in self.fold_ru)
            or (bool(self.prefixes) and (lower.startswith(self.prefixes) or folded.startswith(self.prefixes)))
        )
        self._seen[word] = result
        return result

    def match_spans(self, text: str) -> list[tuple[int, int]]:
        if not self.active:
            return []
        return [m.span() for m in _WORD.finditer(text, 0, SNIPPET_SCAN_CHARS) if self._matches(m.group())]


def snippet(text: str, spans: Sequence[tuple[int, int]], width: int = 260) -> str:
    """An HTML snippet: the window of `text` with the most matches, escaped, matches in <mark>."""
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
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)


# ---------------------------------------------------------------------------------------------- columns
@dataclass(slots=True)
class FacetArrays:
    """One facet as a sparse matrix: pair k says document docs[k] has value values[vals[k]]."""

    values: list[str]
    index: dict[str, int]
    docs: np.ndarray
    vals: np.ndarray

    def mask(self, selected: Iterable[str], size: int) -> np.ndarray:
        ids = [self.index[v] for v in selected if v in self.index]
        out = np.zeros(size, dtype=bool)
        if ids:
            out[self.docs[np.isin(self.vals, ids)]] = True
        return out

    def counts(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.vals[mask[self.docs]], minlength=len(self.values))

    def first_value(self, size: int) -> np.ndarray:
        """Per document the id of one value (-1 for none): for single-valued facets like source."""
        out = np.full(size, -1, dtype=np.int32)
        out[self.docs] = self.vals
        return out


@dataclass(slots=True)
class Columns:
    """Per-document arrays of one index generation: what filters, facets, sorts and grouping need."""

    size: int
    live: np.ndarray
    ids: list[str]
    day: np.ndarray
    amount_top: np.ndarray
    grp: np.ndarray  # group number per document
    group_size: np.ndarray  # live documents per group number
    facets: dict[str, FacetArrays]

    @classmethod
    def build(cls, reader: Any, facet_fields: Sequence[str], cache: dict[Any, SegmentPart] | None = None) -> Columns:
        """The arrays of `reader`, made of per-segment parts; `cache` keeps the parts of unchanged segments.

        Segments are immutable but for deletions, so after a commit only the new segments (and those that lost
        documents) are read again: the cost of a refresh follows what changed, not the size of the index.
        """
        previous = dict(cache or {})
        if cache is not None:
            cache.clear()
        parts: list[SegmentPart] = []
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment() if hasattr(leaf, "segment") else None
            key = (segment.segment_id() if segment is not None else id(leaf), leaf.doc_count_all(), leaf.doc_count())
            part = previous.get(key) or SegmentPart.build(leaf, facet_fields)
            if cache is not None:
                cache[key] = part
            parts.append(part)
        size = sum(p.size for p in parts)
        live = np.concatenate([p.live for p in parts]) if parts else np.zeros(0, dtype=bool)
        ids = [rid for p in parts for rid in p.ids]
        day = np.concatenate([p.day for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        amount = np.concatenate([p.amount_top for p in parts]) if parts else np.zeros(0, dtype=np.float64)
        groups: dict[str, int] = {}
        grp = np.fromiter(
            (groups.setdefault(key or f"#{i}", len(groups)) for i, key in enumerate(g for p in parts for g in p.grp)),
            dtype=np.int32,
            count=size,
        )
        group_size = np.bincount(grp[live], minlength=len(groups)) if size else np.zeros(0, dtype=np.int64)
        facets = {name: _merge_facet([p.facets[name] for p in parts], [p.size for p in parts]) for name in facet_fields}
        return cls(size, live, ids, day, amount, grp, group_size, facets)


@dataclass(slots=True)
class SegmentPart:
    """The arrays of one segment, with its own document numbers (0 = the segment's first document)."""

    size: int
    live: np.ndarray
    ids: list[str]
    grp: list[str]
    day: np.ndarray
    amount_top: np.ndarray
    facets: dict[str, FacetArrays]

    @classmethod
    def build(cls, leaf: Any, facet_fields: Sequence[str]) -> SegmentPart:
        size = leaf.doc_count_all()
        live = np.zeros(size, dtype=bool)
        if size:
            live[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
        ids = [_text(v) for v in _column(leaf, "id", size, "")]
        grp = [_text(v) for v in _column(leaf, "grp", size, "")]
        day = np.fromiter((int(v) for v in _column(leaf, "day", size, UNDATED)), dtype=np.int32, count=size)
        amount = np.fromiter(
            (float(v or 0.0) for v in _column(leaf, "amount_top", size, 0.0)), dtype=np.float64, count=size
        )
        facets = {name: _facet(leaf, name, live) for name in facet_fields}
        return cls(size, live, ids, grp, day, amount, facets)


def _merge_facet(parts: list[FacetArrays], sizes: list[int]) -> FacetArrays:
    values: list[str] = []
    index: dict[str, int] = {}
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    offset = 0
    for part, size in zip(parts, sizes, strict=True):
        if part.values:
            mapping = np.fromiter(
                (index.setdefault(v, len(index)) for v in part.values), dtype=np.int32, count=len(part.values)
            )
            docs.append(part.docs + offset)
            vals.append(mapping[part.vals])
        offset += size
    values = list(index)
    return FacetArrays(
        values,
        index,
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        np.concatenate(vals) if vals else np.zeros(0, dtype=np.int32),
    )


def _column(reader: Any, name: str, size: int, default: Any) -> Iterable[Any]:
    if size == 0:
        return []
    if reader.has_column(name):
        return list(reader.column_reader(name))
    return [default] * size


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value or "")


def _facet(reader: Any, name: str, live: np.ndarray) -> FacetArrays:
    values: list[str] = []
    docs_parts: list[np.ndarray] = []
    vals_parts: list[np.ndarray] = []
    if live.size and name in reader.schema:
        for term in reader.lexicon(name):
            value = _text(term)
            docs = np.fromiter(reader.postings(name, term).all_ids(), dtype=np.int64)
            docs = docs[live[docs]]
            if not docs.size:
                continue
            docs_parts.append(docs)
            vals_parts.append(np.full(docs.size, len(values), dtype=np.int32))
            values.append(value)
    docs_all = np.concatenate(docs_parts) if docs_parts else np.zeros(0, dtype=np.int64)
    vals_all = np.concatenate(vals_parts) if vals_parts else np.zeros(0, dtype=np.int32)
    return FacetArrays(values, {v: i for i, v in enumerate(values)}, docs_all, vals_all)


def month_labels(days: np.ndarray) -> np.ndarray:
    """ "YYYY-MM" for each day number."""
    months = (np.datetime64("1970-01-01", "D") + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return months.astype(str)

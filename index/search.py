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

import copy
import datetime as dt
import html
import io
import itertools
import pickle
import re
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import TEXT, Schema
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.qparser import AndGroup, MultifieldPlugin, OrGroup, QueryParser, syntax
from whoosh.qparser.plugins import Plugin
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, unpack_int
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.analysis import kazakh, russian
from index.analysis.fold import fold_word
from index.crosslang import Expansion, TranslatePlugin
from index.models import FacetValue, Hit, SearchResult
from index.schema import (
    BODY_FIELDS,
    FIELD_BOOSTS,
    FOLD_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    UNDATED,
    CompactPositions,
    PackedValues,
)

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
                # an index written before the `*_other` fields existed lacks them
                schema = parser.schema
                for target in (t for t in TEXT_ALIASES[name] if schema is None or t in schema):
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
    return copy.copy(node)


@dataclass(slots=True)
class ParsedQuery:
    query: wq.Query | None  # None: match everything (empty query)
    notice: str = ""
    words: int = 0  # how many plain words the query has (for the any-word fallback)
    plain: bool = True  # no operators, fields or phrases: eligible for the any-word fallback
    scores: np.ndarray | None = None  # BM25F per document when computed with numpy (`query_scores`)
    expansion: Expansion | None = None  # what cross-language translation added (None: not translated)

    def result(
        self, total: int, page: int, per_page: int, hits: list[Hit], facets: dict[str, list[FacetValue]]
    ) -> SearchResult:
        """The answer to a search of this query, with its notice and what translation added: one for every engine."""
        result = SearchResult(total, page, per_page, hits, facets, self.notice)
        if self.expansion is not None:
            result.expanded = self.expansion.by_lang()
            result.expanded_tags = self.expansion.tags()
            result.expansion_capped = self.expansion.capped
        return result


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
        self._translator = TranslatePlugin()
        self._parsers = {
            (grouping, translate): self._parser(parse_schema, grouping, self._translator if translate else None)
            for grouping in ("and", "or")
            for translate in (False, True)
        }

    @staticmethod
    def _parser(schema: Schema, grouping: str, translator: TranslatePlugin | None) -> QueryParser:
        group = AndGroup if grouping == "and" else OrGroup.factory(0.9)
        parser = QueryParser(None, schema, group=group)
        if translator is not None:
            parser.add_plugin(translator)  # kk <-> ru: words also searched in their translations (issue 18)
        parser.add_plugin(_AliasPlugin())
        fields = [name for name in TEXT_FIELDS if name in schema]  # an older index lacks the `*_other` fields
        parser.add_plugin(MultifieldPlugin(fields, fieldboosts=FIELD_BOOSTS))
        return parser

    def parse(self, text: str, *, any_word: bool = False, translate: bool = False) -> ParsedQuery:
        """The query of `text`; with `translate`, each word also searched in the other language
        (`index.crosslang`), what was added in `ParsedQuery.expansion`."""
        parsed = self._parse(text, any_word=any_word, translate=translate)
        if translate:
            parsed.expansion = self._translator.expansion()
        return parsed

    def _parse(self, text: str, *, any_word: bool, translate: bool) -> ParsedQuery:
        if translate:
            self._translator.begin()
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
        parser = self._parsers[("or" if any_word else "and", translate)]
        try:
            parsed = parser.parse(text)
        except Exception:
            notice = NOTICE_SYNTAX.format(problem="it could not be read")
            if translate:
                self._translator.begin()
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


# Whoosh's field-length byte -> length table (its lengths are stored as one byte per document and field)
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class _Block:
    """One W3 posting block of a term, its data read but not decoded until asked (`data`)."""

    __slots__ = ("compression", "last", "raw")

    def __init__(self, last: int, compression: int, raw: bytes) -> None:
        self.last = last
        self.compression = compression
        self.raw = raw

    def data(self) -> tuple[Any, Any, Any]:
        """(docnum deltas, weights, values) as Whoosh's W3 codec pickled them."""
        raw = zlib.decompress(self.raw) if self.compression else self.raw
        data: tuple[Any, Any, Any] = loads(raw)
        return data


def _raw_blocks(reader: Any, fieldname: str, btext: bytes) -> list[_Block] | None:
    """A term's posting blocks of one segment from one read of the postings file; None where this reader is
    not a W3 segment or the term's postings are inlined in its term info (then a matcher reads them).

    Whoosh's matcher makes a seek and three reads a block; a common word at a million articles has thousands.
    """
    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    if postfile is None or not hasattr(postfile, "get"):
        return None
    try:
        info = reader.term_info(fieldname, btext)
    except TermNotFound:
        return []
    if not isinstance(info, W3TermInfo) or info.is_inlined():
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's tuple
        length = length[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        return None  # not a block list: the matcher says what is wrong
    blocks: list[_Block] = []
    pos = 4
    while pos < len(raw):
        begin = pos + _INT_SIZE
        end = begin + abs(unpack_int(raw[pos:begin])[0])
        head = io.BytesIO(raw[begin:end])
        _count, last, _max_weight, compression, _min_length, _max_length = pickle.load(head)
        blocks.append(_Block(last, compression, raw[begin + head.tell() : end]))
        pos = end
    return blocks


def _term_postings(reader: Any, fieldname: str, text: Any, weights: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The document numbers (and, if asked, term frequencies) of one term's postings in one segment.

    Read a block at a time: Whoosh's own `docs_for_query` walks a matcher tree one posting at a time in Python;
    for a word searched over eight fields that was a third of a search. Whoosh 3's blocks hold delta-coded ids
    and weights; any other matcher is walked posting by posting.
    """
    btext = text if isinstance(text, bytes) else None
    blocks = _raw_blocks(reader, fieldname, btext) if btext is not None else None
    if blocks is not None:
        # All the blocks' numbers gathered in plain lists, then a few numpy calls for the whole term: a common
        # word at a million articles has thousands of blocks, and numpy calls a block were most of reading it.
        deltas: list[int] = []
        sizes: list[int] = []
        block_weights: list[Any] = []
        for block in blocks:
            block_deltas, w, _values = block.data()
            deltas += block_deltas
            sizes.append(len(block_deltas))
            if weights:
                if w is None or isinstance(w, float | int):
                    block_weights += [1.0 if w is None else float(w)] * len(block_deltas)
                else:
                    block_weights += w
        # each block's first delta is its first docnum: the running sums start again at every block
        docs = _restarted_cumsum(np.asarray(deltas, dtype=np.int64), np.asarray(sizes, dtype=np.int64))
        found = np.asarray(block_weights, dtype=np.float64) if weights else None
        deleted = getattr(reader, "deleted_docs_set", None)
        if deleted and docs.size:  # as the FilterMatcher Whoosh wraps a segment with deletions in
            live = ~np.isin(docs, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
            docs = docs[live]
            found = found[live] if found is not None else None
        return docs, found
    try:
        m = reader.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64), (np.zeros(0) if weights else None)
    if not all(hasattr(m, a) for a in ("_read_data", "_next_block", "_data", "_byteids", "_blocklength")):
        ids: list[int] = []
        freqs: list[float] = []
        while m.is_active():
            ids.append(m.id())
            if weights:
                freqs.append(m.weight())
            m.next()
        return np.array(ids, dtype=np.int64), (np.array(freqs, dtype=np.float64) if weights else None)
    id_parts = []
    weight_parts = []
    while m.is_active():
        if m._data is None:
            m._read_data()
        block_ids = np.asarray(m._data[0], dtype=np.int64)
        id_parts.append(block_ids if m._byteids else np.cumsum(block_ids))
        if weights:
            weight_parts.append(_block_weights(m._data[1], m._blocklength))
        m._next_block()
    return _joined(id_parts, weight_parts, weights)


def _block_weights(w: Any, count: int) -> np.ndarray:
    if w is None or isinstance(w, float | int):
        return np.full(count, 1.0 if w is None else float(w))
    if isinstance(w, array) and w.typecode == "f":
        return np.frombuffer(w, dtype=np.float32).astype(np.float64)
    return np.asarray(w, dtype=np.float64)


def _joined(
    id_parts: list[np.ndarray], weight_parts: list[np.ndarray], weights: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    if not id_parts:
        return np.zeros(0, dtype=np.int64), (np.zeros(0) if weights else None)
    docs = id_parts[0] if len(id_parts) == 1 else np.concatenate(id_parts)
    if not weights:
        return docs, None
    return docs, (weight_parts[0] if len(weight_parts) == 1 else np.concatenate(weight_parts))


# Decoded postings of frequent terms are kept per index generation, up to this many bytes: a common word's
# postings over 100k articles are hundreds of pickled, compressed blocks per field, tens of milliseconds to
# read again for every query that has it. Terms with fewer postings are cheap to read and not kept.
POSTINGS_CACHE_BYTES = 128 << 20
POSTINGS_CACHE_MIN = 2048


class QueryCache:
    """What the queries of one index generation share: per-field document lengths (BM25F) and, in a
    least-recently-used store bounded in bytes, the decoded postings of frequent terms."""

    def __init__(self, limit: int = POSTINGS_CACHE_BYTES) -> None:
        self.lengths: dict[str, np.ndarray] = {}
        self.limit = limit
        self._postings: OrderedDict[tuple[Any, str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def postings(
        self, reader: Any, fieldname: str, btext: bytes, weights: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """`_term_postings` of one segment, from the store when the term is frequent."""
        if self.limit <= 0:
            return _term_postings(reader, fieldname, btext, weights)
        segment = reader.segment() if hasattr(reader, "segment") else None
        key = (segment.segment_id() if segment is not None else id(reader), fieldname, btext)
        with self._lock:
            kept = self._postings.get(key)
            if kept is not None:
                self._postings.move_to_end(key)
        if kept is not None:
            return kept[0], (kept[1].astype(np.float64) if weights else None)
        docs, freqs = _term_postings(reader, fieldname, btext, True)
        if docs.size >= POSTINGS_CACHE_MIN and freqs is not None:
            # Kept compact, 6 bytes a posting instead of 16 (the store holds almost three times as many terms):
            # document numbers as int32, frequencies (whole numbers) as uint16 when they fit.
            small = docs.astype(np.int32)
            counts = freqs.astype(np.uint16)
            if not np.array_equal(counts, freqs):
                counts = freqs.astype(np.float32) if np.array_equal(freqs.astype(np.float32), freqs) else freqs
            with self._lock:
                if key not in self._postings:
                    self._postings[key] = (small, counts)
                    self._bytes += small.nbytes + counts.nbytes
                    while self._bytes > self.limit and self._postings:
                        _, (d, f) = self._postings.popitem(last=False)
                        self._bytes -= d.nbytes + f.nbytes
        return docs, (freqs if weights else None)


class _Evaluation:
    """What evaluating one query tree needs: the searcher, its size, and the generation's `QueryCache`."""

    def __init__(
        self, searcher: Any, size: int, cache: QueryCache | None, scored: bool, within: np.ndarray | None = None
    ) -> None:
        # `within`: the documents whose answer counts (the rest pass no filter anyway); phrases are checked on
        # positions only there. Outside it a mask may say anything.
        self.within = within
        self.searcher = searcher
        self.size = size
        self.leaves = searcher.leaf_searchers()
        self.cache = cache if cache is not None else QueryCache(limit=0)
        self.scored = scored
        self.scorable = scored  # cleared when a part of the tree has no numpy scoring

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Per document (global number) the length of `fieldname`, as Whoosh's scorer reads it."""
        out = self.cache.lengths.get(fieldname)
        if out is None:
            out = np.zeros(self.size, dtype=np.float64)
            for sub, offset in self.leaves:
                codes = _length_codes(sub.reader(), fieldname)
                out[offset : offset + codes.size] = _LENGTHS[codes]
            self.cache.lengths[fieldname] = out
        return out

    def term(self, fieldname: str, text: Any, boost: float) -> tuple[np.ndarray, np.ndarray | None]:
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size) if self.scored else None
        self.add_term(fieldname, text, boost, mask, scores)
        return mask, scores

    def add_term(self, fieldname: str, text: Any, boost: float, mask: np.ndarray, scores: np.ndarray | None) -> None:
        """A term's documents into `mask` and its scores added to `scores`: an Or of terms (a word over eight
        fields) fills one pair of arrays instead of a pair a term (at 1M articles 9 MB a pair)."""
        schema = self.searcher.schema
        if fieldname not in schema:
            return
        fieldtype = schema[fieldname]
        try:
            btext = fieldtype.to_bytes(text) if isinstance(text, str) else text
        except ValueError:
            return
        weighting = self.searcher.weighting
        bm25 = scores is not None and fieldtype.scorable
        if bm25 and not isinstance(weighting, BM25F):
            self.scorable = False  # another weighting model: Whoosh scores it
        for sub, offset in self.leaves:
            docs, freqs = self.cache.postings(sub.reader(), fieldname, btext, scores is not None)
            if not docs.size:
                continue
            docs = docs + offset
            mask[docs] = True
            if scores is None or freqs is None:
                continue
            if bm25:
                # BM25F as Whoosh's BM25FScorer computes it: idf and average length of the whole index
                B = weighting._field_B.get(fieldname, weighting.B)
                K1 = weighting.K1
                idf = self.searcher.idf(fieldname, btext)
                avgfl = self.searcher.avg_field_length(fieldname) or 1
                fl = self.field_lengths(fieldname)[docs]
                part = idf * ((freqs * (K1 + 1)) / (freqs + K1 * ((1 - B) + B * fl / avgfl)))
            else:  # an unscored field (keywords): the posting's weight
                part = freqs
            scores[docs] += part * boost if boost != 1.0 else part

    def run(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray | None]:
        """The documents `q` matches, and their scores (None when not scored or not scorable here)."""
        size = self.size
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Or) and not getattr(q, "minmatch", 0):
            if getattr(q, "scale", None):
                self.scorable = False  # the any-word fallback's coordination bonus: Whoosh scores it
            mask = np.zeros(size, dtype=bool)
            scores = np.zeros(size) if self.scored else None
            for child in q.subqueries:
                if isinstance(child, wq.Term):
                    self.add_term(child.fieldname, child.text, child.boost, mask, scores)
                    continue
                cmask, cscores = self.run(child)
                mask |= cmask
                if scores is not None and cscores is not None:
                    scores += cscores
            return mask, _boosted(scores, q.boost)
        if isinstance(q, wq.And):
            found: np.ndarray | None = None
            scores = np.zeros(size) if self.scored else None
            for child in q.subqueries:
                cmask, cscores = self.run(child)
                found = cmask if found is None else found & cmask
                if scores is not None and cscores is not None:
                    scores += cscores
                if not found.any():
                    break
            if found is None:
                return np.ones(size, dtype=bool), scores
            if scores is not None:
                scores[~found] = 0.0
            return found, _boosted(scores, q.boost)
        if isinstance(q, wq.AndNot):
            amask, ascores = self.run(q.a)
            bmask, _ = _Evaluation(self.searcher, size, self.cache, scored=False, within=self.within).run(q.b)
            mask = amask & ~bmask
            if ascores is not None:
                ascores[~mask] = 0.0
            return mask, ascores
        if isinstance(q, wq.Not):
            inner, _ = _Evaluation(self.searcher, size, self.cache, scored=False, within=self.within).run(q.query)
            mask = ~inner
            # Whoosh's InverseMatcher scores every document it matches 1.0
            return mask, (mask * q.boost).astype(np.float64) if self.scored else None
        if q is wq.NullQuery:
            return np.zeros(size, dtype=bool), (np.zeros(size) if self.scored else None)
        if isinstance(q, wq.NumericRange):
            # a tiered set of term ranges over the prefix-coded numbers (Whoosh's own expansion)
            simple = q.simplify(self.searcher.reader())
            if isinstance(simple, wq.ConstantScoreQuery):
                simple = simple.child
            if not isinstance(simple, wq.NumericRange):
                mask, _ = _Evaluation(self.searcher, size, self.cache, scored=False, within=self.within).run(simple)
                self.scorable = False  # a range is scored by Whoosh
                return mask, None
        if isinstance(q, wq.Phrase) and q.slop == 1:
            mask = self.phrase_mask(q)
        elif isinstance(q, wq.TermRange | wq.Prefix | wq.Wildcard):
            mask = self.expanded_mask(q)
        else:
            mask = np.zeros(size, dtype=bool)
            docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
            if docs.size:
                mask[docs] = True
        if not self.scored:
            return mask, None
        if isinstance(q, wq.Phrase):
            # Whoosh scores a phrase as the sum of its words' scores in that field, times the phrase's boost
            scores = np.zeros(size)
            for word in q.words:
                _, wscores = self.term(q.fieldname, word, 1.0)
                if wscores is not None:
                    scores += wscores
            scores[~mask] = 0.0
            return mask, _boosted(scores, q.boost)
        self.scorable = False  # prefixes, ranges and the rest: Whoosh scores them
        return mask, None

    def expanded_mask(self, q: wq.MultiTerm) -> np.ndarray:
        """The documents of any of the terms a prefix, wildcard or term range expands to in each segment."""
        mask = np.zeros(self.size, dtype=bool)
        fieldname = q.field() or ""
        for sub, offset in self.leaves:
            reader = sub.reader()
            for btext in q._btexts(reader):
                docs, _ = _term_postings(reader, fieldname, btext, False)
                if docs.size:
                    mask[docs + offset] = True
        return mask

    def phrase_mask(self, q: wq.Phrase) -> np.ndarray:
        """The documents where the phrase's words stand side by side in order (Whoosh's phrase with slop 1).

        The words' postings are intersected first; positions are decoded only for the documents that have all
        of them, and matched as (document, position - k) keys of the k-th word, intersected with numpy.
        """
        mask = np.zeros(self.size, dtype=bool)
        schema = self.searcher.schema
        if q.fieldname not in schema or not q.words:
            return mask
        fieldtype = schema[q.fieldname]
        fmt = fieldtype.format
        if fmt is None or not fmt.supports("positions"):
            return mask  # Whoosh raises here unless degraded; our parser never builds such a phrase
        try:
            words = [fieldtype.to_bytes(w) if isinstance(w, str) else w for w in q.words]
        except ValueError:
            return mask
        for sub, offset in self.leaves:
            reader = sub.reader()
            if any((q.fieldname, w) not in reader for w in words):
                continue
            candidates: np.ndarray | None = None
            for word in words:
                docs, _ = self.cache.postings(reader, q.fieldname, word, False)
                candidates = docs if candidates is None else _intersect_sorted(candidates, docs)
                if not candidates.size:
                    break
            if candidates is not None and self.within is not None:
                candidates = candidates[self.within[candidates + offset]]
            if candidates is None or not candidates.size:
                continue
            if len(words) > 1:
                keys: np.ndarray | None = None
                for k, word in enumerate(words):
                    wkeys = _position_keys(reader, q.fieldname, word, candidates, fmt) - k
                    keys = wkeys if keys is None else _intersect_sorted(keys, wkeys)
                    if not keys.size:
                        break
                candidates = _distinct_sorted(keys >> _POS_BITS) if keys is not None else candidates[:0]
            mask[candidates + offset] = True
        return mask


_POS_BITS = 32


def _intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two ascending arrays of distinct values: a binary search of the shorter in the
    longer (`np.intersect1d` sorts both together again: most of a phrase's time at 1M articles)."""
    if a.size > b.size:
        a, b = b, a
    if not a.size:
        return a
    at = np.minimum(np.searchsorted(b, a), b.size - 1)
    return a[b[at] == a]


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """An ascending array without its repeats."""
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _ascending(keys: np.ndarray) -> np.ndarray:
    """Position keys in order without repeats. Read from blocks they come that way (documents ascending, a
    document's positions ascending): checked in one pass, sorted only if not."""
    if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        return np.unique(keys)
    return keys


def _position_keys(reader: Any, fieldname: str, text: bytes, docs: np.ndarray, fmt: Any) -> np.ndarray:
    """(document << 32) + position of each occurrence of a term in the documents `docs` (sorted) of a segment."""
    blocks = _raw_blocks(reader, fieldname, text)
    if blocks is not None:
        return _block_position_keys(blocks, docs, fmt)
    m = reader.postings(fieldname, text)
    docnums: list[np.ndarray] = []
    values: list[bytes] = []
    block_reader = all(hasattr(m, a) for a in ("_read_data", "_next_block", "_data", "_byteids", "_read_values"))
    while m.is_active():
        if not block_reader:
            docnum = m.id()
            i = int(np.searchsorted(docs, docnum))
            if i < docs.size and docs[i] == docnum:
                docnums.append(np.array([docnum], dtype=np.int64))
                values.append(m.value())
            m.next()
            continue
        if m._data is None:
            m._read_data()
        ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64)) if not m._byteids else np.asarray(m._data[0])
        lo, hi = np.searchsorted(docs, [ids[0], ids[-1] + 1])
        if hi > lo:
            wanted = np.flatnonzero(np.isin(ids, docs[lo:hi], assume_unique=True))
            if wanted.size:
                if getattr(m, "_values", None) is None:
                    m._read_values()
                block_values = m._values
                docnums.append(ids[wanted])
                values.extend(block_values[i] for i in wanted.tolist())
        m._next_block()
    return _keys_of_values(docnums, values, fmt)


def _block_position_keys(blocks: list[_Block], docs: np.ndarray, fmt: Any) -> np.ndarray:
    """`_position_keys` from a term's raw blocks, a few numpy calls for all of them: a block none of `docs`
    falls in is not even decompressed (its docnum range is in its header), and the packed values of the blocks
    read are decoded at once. Values in another format are decoded value by value (`_decoded_keys`)."""
    if not blocks or not isinstance(fmt, CompactPositions):
        return _decoded_keys(blocks, docs, fmt)
    lasts = np.fromiter((block.last for block in blocks), dtype=np.int64, count=len(blocks))
    firsts = np.concatenate(([0], lasts[:-1] + 1))
    reach = np.flatnonzero(np.searchsorted(docs, lasts, side="right") > np.searchsorted(docs, firsts))
    if not reach.size:
        return np.zeros(0, dtype=np.int64)
    deltas: list[int] = []
    packed: list[bytes] = []
    sizes: list[int] = []
    for number in reach.tolist():
        block_deltas, _weights, block_values = blocks[number].data()
        if not isinstance(block_values, PackedValues):
            return _decoded_keys(blocks, docs, fmt)
        deltas += block_deltas
        packed.append(block_values._packed)
        sizes.append(len(block_deltas))
    counts = np.asarray(sizes, dtype=np.int64)
    gaps = np.asarray(deltas, dtype=np.int64)
    # each block's first delta is its first docnum: the running sums start again at every block
    ids = _restarted_cumsum(gaps, counts)
    wanted = np.flatnonzero(np.isin(ids, docs))
    if not wanted.size:
        return np.zeros(0, dtype=np.int64)
    got = _packed_positions(packed, wanted, counts)
    if got is None:
        return _decoded_keys(blocks, docs, fmt)
    n, pos = got
    return _ascending((np.repeat(ids[wanted], n) << _POS_BITS) + pos)


def _decoded_keys(blocks: list[_Block], docs: np.ndarray, fmt: Any) -> np.ndarray:
    """`_block_position_keys` value by value, for packed values that do not decode as a whole."""
    docnums: list[np.ndarray] = []
    values: list[bytes] = []
    for block in blocks:
        deltas, _weights, block_values = block.data()
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        wanted = np.flatnonzero(np.isin(ids, docs, assume_unique=True))
        docnums.append(ids[wanted])
        values.extend(block_values[i] for i in wanted.tolist())
    return _keys_of_values(docnums, values, fmt)


def _keys_of_values(docnums: list[np.ndarray], values: list[bytes], fmt: Any) -> np.ndarray:
    """Position keys of postings given value by value (`docnums` in runs, one value per document)."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    counts, positions = _decode_positions(fmt, values)
    return np.unique((np.repeat(np.concatenate(docnums), counts) << _POS_BITS) + positions)


def _varints(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Every varint in `buf` (bytes as uint8) and the index of each one's last byte; None if cut short."""
    ends = np.flatnonzero(buf < 0x80)  # the last byte of each number
    if not ends.size or ends[-1] != buf.size - 1:
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    shifts = 7 * (np.arange(buf.size) - np.repeat(starts, ends - starts + 1))
    return np.add.reduceat((buf & 0x7F).astype(np.int64) << shifts, starts), ends


def _packed_positions(
    packed: list[bytes], wanted: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The position counts and positions of the postings `wanted` (indices over all the blocks, whose posting
    counts are `sizes`) of blocks' packed values.

    Each posting's value is a count and as many gaps: all the numbers are decoded at once with numpy, and only
    the step from one value's count to the next is a loop, over plain ints.
    """
    decoded = _varints(np.frombuffer(b"".join(packed), dtype=np.uint8))
    if decoded is None:
        return None
    numbers = decoded[0]
    listed = numbers.tolist()
    starts: list[int] = []
    i = 0
    end = len(listed)
    while i < end:
        starts.append(i)
        i += 1 + listed[i]
    if i != end or len(starts) != int(sizes.sum()):
        return None
    first = np.asarray(starts, dtype=np.int64)[wanted]
    counts = numbers[first]
    # the gaps of each wanted value: first + 1 .. first + count
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    index = np.repeat(first + 1, counts) + within
    return counts, _restarted_cumsum(numbers[index], counts)


def _decode_positions(fmt: Any, values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Per posting value the number of positions, and all the positions in a row.

    Decoded in bulk for the two formats of our indexes: `index.schema.CompactPositions` (varints: a count, then
    the gaps) with numpy, and Whoosh's `Positions` (a 4-byte count and a pickled list of gaps) unpickled, the
    gaps summed with numpy; any other format decodes itself, value by value.
    """
    kind = getattr(type(fmt), "decode_positions", None)
    if kind is CompactPositions.decode_positions:
        decoded = _decode_varints(values)
        if decoded is not None:
            return decoded
    elif kind is Positions.decode_positions:
        gap_lists = [loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b".") for v in values]
        counts = np.fromiter(map(len, gap_lists), dtype=np.int64, count=len(gap_lists))
        gaps = np.fromiter(itertools.chain.from_iterable(gap_lists), dtype=np.int64, count=int(counts.sum()))
        return counts, _restarted_cumsum(gaps, counts)
    lists = [fmt.decode_positions(v) for v in values]
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return counts, np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))


def _decode_varints(values: list[bytes]) -> tuple[np.ndarray, np.ndarray] | None:
    """`CompactPositions` values in bulk: every varint of all values at once, then each value's count and gaps."""
    decoded = _varints(np.frombuffer(b"".join(values), dtype=np.uint8))
    if decoded is None:
        return None
    numbers, ends = decoded
    # each value's numbers: the first is the count of positions, the rest are the gaps
    value_ends = np.cumsum(np.fromiter(map(len, values), dtype=np.int64, count=len(values)))
    first = np.concatenate(([0], np.searchsorted(ends, value_ends[:-1] - 1, side="right")))
    counts = numbers[first]
    gaps = np.delete(numbers, first)
    if int(counts.sum()) != gaps.size:
        return None
    return counts, _restarted_cumsum(gaps, counts)


def _restarted_cumsum(gaps: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The running sums of `gaps`, starting again at each of the runs of `counts` gaps."""
    total = np.cumsum(gaps)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)] if total.size else 0, 0)
    return total - np.repeat(before, counts)


def _boosted(scores: np.ndarray | None, boost: float) -> np.ndarray | None:
    if scores is not None and boost != 1.0:
        scores *= boost
    return scores


def _length_codes(reader: Any, fieldname: str) -> np.ndarray:
    """One segment's length bytes of a field (0 where a document has none), read as one block."""
    size = reader.doc_count_all()
    out = np.zeros(size, dtype=np.uint8)
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        for docnum in range(size):
            out[docnum] = length_to_byte(reader.doc_field_length(docnum, fieldname, 0) or 0)
        return out
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return out
    if all(hasattr(column, a) for a in ("_dbfile", "_basepos", "_count", "_fixedlen")) and column._fixedlen == 1:
        count = min(column._count, size)
        if count:
            out[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
        return out
    return np.fromiter((int(v) for v in column), dtype=np.uint8, count=size)


def query_mask(
    q: wq.Query, searcher: Any, size: int, cache: QueryCache | None = None, within: np.ndarray | None = None
) -> np.ndarray:
    """The documents `q` matches as a bool array over the searcher's document numbers (deleted ones included).

    Terms, And, Or (without minmatch), AndNot and Not are combined with numpy from the postings; phrases,
    prefixes, ranges and the rest go through Whoosh's matchers.
    """
    return _Evaluation(searcher, size, cache, scored=False, within=within).run(q)[0]


def query_scores(
    q: wq.Query, searcher: Any, size: int, cache: QueryCache | None = None, within: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The mask of `q` and its BM25F scores (before the recency prior) as Whoosh would compute them.

    Scores are summed per node as Whoosh's matchers sum them (And and Or add their children's scores, a boost
    multiplies, a phrase scores as its words); None when the tree has a part only Whoosh scores (prefixes,
    ranges, the any-word coordination bonus). `cache` is what the queries of this index generation share.
    """
    evaluation = _Evaluation(searcher, size, cache, scored=True, within=within)
    mask, scores = evaluation.run(q)
    return mask, (scores if evaluation.scorable else None)


def with_recency(scores: np.ndarray, days: np.ndarray, today: int) -> np.ndarray:
    """`RecencyBM25F.final` over arrays: each score times 1 + PRIOR * 2^(-age / HALF_LIFE), undated unchanged."""
    age = np.maximum(0, today - days.astype(np.int64))
    factor = 1.0 + PRIOR * np.exp2(-age / HALF_LIFE_DAYS)
    return np.where(days == UNDATED, scores, scores * factor)


def top_ranked(
    values: np.ndarray,
    candidates: np.ndarray,
    limit: int,
    groups: np.ndarray | None,
    ties: np.ndarray | None = None,
) -> np.ndarray:
    """The positions in `candidates` of the first `limit` by `values` (one per candidate, highest first), ties by
    `ties` (lowest first; by default the document number, as Whoosh's collector breaks them); with `groups` (per
    document number), only the first document of each group, as Whoosh's collapse with a limit of 1 keeps it.

    Only the candidates at or above the limit-th value are sorted (np.partition), not all of them.
    """
    if not candidates.size or limit <= 0:
        return np.zeros(0, dtype=np.int64)
    ties = candidates if ties is None else ties
    want = limit if groups is None else 4 * limit
    while True:
        if want < candidates.size:
            # all candidates scoring at least the want-th best score: ties at the edge are all kept
            threshold = np.partition(values, candidates.size - want)[candidates.size - want]
            chosen = np.flatnonzero(values >= threshold)
        else:
            chosen = np.arange(candidates.size)
        order = chosen[np.lexsort((ties[chosen], -values[chosen]))]
        if groups is None:
            return order[:limit]
        _, first = np.unique(groups[candidates[order]], return_index=True)
        order = order[np.sort(first)]
        if order.size >= limit or want >= candidates.size:
            return order[:limit]
        want *= 4


def group_leaders(raw: np.ndarray, candidates: np.ndarray, grp: np.ndarray, group_size: np.ndarray) -> np.ndarray:
    """Which candidates stand for their reprint group: in each group the best raw score (before the recency
    prior), the earliest document on ties, as Whoosh's collapse keeps them (it compares matcher scores)."""
    keep = np.ones(candidates.size, dtype=bool)
    groups = grp[candidates]
    shared = np.flatnonzero(group_size[groups] > 1)
    if shared.size:
        order = shared[np.lexsort((candidates[shared], -raw[shared]))]
        _, first = np.unique(groups[order], return_index=True)
        keep[shared] = False
        keep[order[first]] = True
    return keep


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
        terms, prefixes = query_terms(parsed.query)
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
    from index.schema import build_schema

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
    cache: QueryCache = field(default_factory=QueryCache)  # lengths and frequent postings, filled by queries

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


def warm_lengths(searcher: Any, size: int, cache: QueryCache, fieldnames: Iterable[str]) -> None:
    """Read the document lengths of `fieldnames` into a generation's cache now, as its first query would."""
    evaluation = _Evaluation(searcher, size, cache, scored=True)
    for name in fieldnames:
        evaluation.field_lengths(name)

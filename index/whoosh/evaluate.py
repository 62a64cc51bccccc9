"""The Whoosh engine's query evaluator: which documents a query tree (`index.qtree`) matches, and their BM25F
scores, computed with numpy straight from Whoosh's posting blocks (W3 codec) instead of Whoosh's matchers, a
posting at a time. Only what Whoosh alone can expand or match (numeric ranges' tiers, prefixes' terms, the
rare node kinds) is compiled to a Whoosh query here (`index.whoosh.compile`).

Scores are what Whoosh's own BM25F scorer gives (`tests/test_search_fast.py` compares them); a part of a
query that only Whoosh scores (prefixes, ranges, the any-word coordination bonus) leaves the ranking to
Whoosh's searcher. Decoded postings of frequent terms and the field lengths are kept per index generation
(`QueryCache`).
"""

from __future__ import annotations

import io
import itertools
import pickle
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, unpack_int
from whoosh.util.numeric import byte_to_length, length_to_byte

from index import qtree
from index.schema import (
    CompactPositions,
    PackedValues,
)
from index.whoosh.compile import to_whoosh

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

    def run(self, node: qtree.Node) -> tuple[np.ndarray, np.ndarray | None]:
        """The documents `node` matches, and their scores (None when not scored or not scorable here)."""
        size = self.size
        if isinstance(node, qtree.Term):
            return self.term(node.field, node.text, node.boost)
        if isinstance(node, qtree.Or) and node.min_match <= 1:
            if node.scale:
                self.scorable = False  # the any-word fallback's coordination bonus: Whoosh scores it
            mask = np.zeros(size, dtype=bool)
            scores = np.zeros(size) if self.scored else None
            for child in node.children:
                if isinstance(child, qtree.Term):
                    self.add_term(child.field, child.text, child.boost, mask, scores)
                    continue
                cmask, cscores = self.run(child)
                mask |= cmask
                if scores is not None and cscores is not None:
                    scores += cscores
            return mask, _boosted(scores, node.boost)
        if isinstance(node, qtree.And):
            found: np.ndarray | None = None
            scores = np.zeros(size) if self.scored else None
            for child in node.children:
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
            return found, _boosted(scores, node.boost)
        if isinstance(node, qtree.AndNot):
            amask, ascores = self.run(node.positive)
            bmask, _ = self._unscored().run(node.negative)
            mask = amask & ~bmask
            if ascores is not None:
                ascores[~mask] = 0.0
            return mask, ascores
        if isinstance(node, qtree.Not):
            inner, _ = self._unscored().run(node.child)
            mask = ~inner
            # Whoosh's InverseMatcher scores every document it matches 1.0
            return mask, (mask * node.boost).astype(np.float64) if self.scored else None
        if isinstance(node, qtree.Nothing):
            return np.zeros(size, dtype=bool), (np.zeros(size) if self.scored else None)
        q = to_whoosh(node, self.searcher.schema)  # what only Whoosh knows how to expand or match
        if isinstance(q, wq.NumericRange):
            # a tiered set of term ranges over the prefix-coded numbers (Whoosh's own expansion)
            simple = q.simplify(self.searcher.reader())
            if isinstance(simple, wq.ConstantScoreQuery):
                simple = simple.child
            if not isinstance(simple, wq.NumericRange):
                self.scorable = False  # a range is scored by Whoosh
                return self._unscored().expansion_mask(simple), None
        if isinstance(node, qtree.Phrase) and node.slop == 0:
            mask = self.phrase_mask(node)
        elif isinstance(q, wq.TermRange | wq.Prefix | wq.Wildcard):
            mask = self.expanded_mask(q)
        else:
            mask = np.zeros(size, dtype=bool)
            docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
            if docs.size:
                mask[docs] = True
        if not self.scored:
            return mask, None
        if isinstance(node, qtree.Phrase):
            # Whoosh scores a phrase as the sum of its words' scores in that field, times the phrase's boost
            scores = np.zeros(size)
            for word in node.words:
                _, wscores = self.term(node.field, word, 1.0)
                if wscores is not None:
                    scores += wscores
            scores[~mask] = 0.0
            return mask, _boosted(scores, node.boost)
        self.scorable = False  # prefixes, ranges and the rest: Whoosh scores them
        return mask, None

    def _unscored(self) -> _Evaluation:
        """An evaluation of the same documents that only matches (for the negated parts and range expansions)."""
        return _Evaluation(self.searcher, self.size, self.cache, scored=False, within=self.within)

    def expansion_mask(self, q: wq.Query) -> np.ndarray:
        """The documents of Whoosh's expansion of a numeric range: an Or of term ranges and terms over the
        prefix-coded numbers (any other query: Whoosh's matcher)."""
        if isinstance(q, wq.Or) and not q.minmatch:
            mask = np.zeros(self.size, dtype=bool)
            for child in q.subqueries:
                mask |= self.expansion_mask(child)
            return mask
        if isinstance(q, wq.Term):
            mask = np.zeros(self.size, dtype=bool)
            self.add_term(q.fieldname, q.text, q.boost, mask, None)
            return mask
        if isinstance(q, wq.TermRange | wq.Prefix | wq.Wildcard):
            return self.expanded_mask(q)
        mask = np.zeros(self.size, dtype=bool)
        if q is not wq.NullQuery:
            docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
            mask[docs] = True
        return mask

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

    def phrase_mask(self, node: qtree.Phrase) -> np.ndarray:
        """The documents where the phrase's words stand side by side in order (Whoosh's phrase with slop 1).

        The words' postings are intersected first; positions are decoded only for the documents that have all
        of them, and matched as (document, position - k) keys of the k-th word, intersected with numpy.
        """
        mask = np.zeros(self.size, dtype=bool)
        schema = self.searcher.schema
        if node.field not in schema or not node.words:
            return mask
        fieldtype = schema[node.field]
        fmt = fieldtype.format
        if fmt is None or not fmt.supports("positions"):
            return mask  # Whoosh raises here unless degraded; our parser never builds such a phrase
        try:
            words = [fieldtype.to_bytes(w) if isinstance(w, str) else w for w in node.words]
        except ValueError:
            return mask
        for sub, offset in self.leaves:
            reader = sub.reader()
            if any((node.field, w) not in reader for w in words):
                continue
            candidates: np.ndarray | None = None
            for word in words:
                docs, _ = self.cache.postings(reader, node.field, word, False)
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
                    wkeys = _position_keys(reader, node.field, word, candidates, fmt) - k
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
    q: qtree.Node, searcher: Any, size: int, cache: QueryCache | None = None, within: np.ndarray | None = None
) -> np.ndarray:
    """The documents the tree `q` matches as a bool array over the searcher's document numbers (deleted ones
    included).

    Terms, And, Or (without minmatch), AndNot, Not and side-by-side phrases are combined with numpy from the
    postings; prefixes, wildcards and ranges are expanded by Whoosh and their terms read here; the rest goes
    through Whoosh's matchers (`index.whoosh.compile`).
    """
    return _Evaluation(searcher, size, cache, scored=False, within=within).run(q)[0]


def query_scores(
    q: qtree.Node, searcher: Any, size: int, cache: QueryCache | None = None, within: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The mask of `q` and its BM25F scores (before the recency prior) as Whoosh would compute them.

    Scores are summed per node as Whoosh's matchers sum them (And and Or add their children's scores, a boost
    multiplies, a phrase scores as its words); None when the tree has a part only Whoosh scores (prefixes,
    ranges, the any-word coordination bonus). `cache` is what the queries of this index generation share.
    """
    evaluation = _Evaluation(searcher, size, cache, scored=True, within=within)
    mask, scores = evaluation.run(q)
    return mask, (scores if evaluation.scorable else None)


def warm_lengths(searcher: Any, size: int, cache: QueryCache, fieldnames: Iterable[str]) -> None:
    """Read the document lengths of `fieldnames` into a generation's cache now, as its first query would."""
    evaluation = _Evaluation(searcher, size, cache, scored=True)
    for name in fieldnames:
        evaluation.field_lengths(name)

"""Whoosh's W3 codec layout, written and read without Whoosh's per-posting calls: a term's postings as the
pickled block tuples, block headers and term infos that `whoosh.codec.whoosh3.W3PostingsWriter` writes
(`write_term`), a merged segment's blocks copied with their docnums moved (`copy_term`), a segment's terms
streamed from its term table (`segment_terms`), and the term index entries (`add_terms`). What changes it is
Whoosh's on-disk format; which postings go where is `index.whoosh.writer`'s business.
"""

from __future__ import annotations

import heapq
import io
import itertools
import pickle
import zlib
from collections.abc import Iterator, Sequence
from pickle import dumps, loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.filedb.filetables import _lengths as _LENGTHS
from whoosh.system import _INT_SIZE, _LONG_SIZE, pack_int, pack_ushort, unpack_int, unpack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.schema import PackedValues

BLOCK = 128  # postings per block: W3Codec's blocklimit
COMPRESSION = 3  # W3Codec's zlib level
# Blocks from this many pickled bytes are zlib-compressed. Whoosh starts at 80, which compresses nearly every
# one-posting block (the PackedValues class name alone is 30 bytes) for a few bytes each, at 17 µs a call: from
# 160 the segment is 0.8% larger and written 14% faster (10k articles, issue #9).
COMPRESS_FROM = 2 * COMPRESSION_MIN_SIZE

_INFO_SIZE = W3TermInfo._struct.size + _LONG_SIZE + _INT_SIZE  # a term info with an extent, not inlined


def write_field(
    postfile: Any,
    sources: list[Iterator[tuple[bytes, int, Any]]],
    fixed: int | None,
    lengths: bytes | None,
    packed: bool,
    copy_blocks: bool,
) -> tuple[list[bytes], bytearray]:
    """A field's terms from its sources (merged in term order) as W3 blocks written to `postfile` from where
    it stands; the terms and their term infos (`_INFO_SIZE` bytes each), in order."""
    position = postfile.tell()
    chunks: list[bytes] = []
    keys: list[bytes] = []
    infos = bytearray()
    merged = sources[0] if len(sources) == 1 else heapq.merge(*sources)  # one source: in order already
    for btext, group in itertools.groupby(merged, key=_first):
        items = [item[2] for item in group]
        before = len(chunks)
        if copy_blocks and all(_copyable(item) for item in items):
            terminfo = copy_term(chunks, position, items)
        else:
            parts = [_materialise(item, fixed) for item in items]
            terminfo = write_term(chunks, position, parts, fixed, lengths, packed)
        if terminfo is not None:
            position += sum(len(c) for c in chunks[before:])
            keys.append(btext)
            infos += terminfo.to_bytes()
        if len(chunks) > 4096:
            postfile.write(b"".join(chunks))
            chunks.clear()
    postfile.write(b"".join(chunks))
    if len(infos) != len(keys) * _INFO_SIZE:
        raise ValueError("a term info of unexpected size (inlined postings?)")
    return keys, infos


def moved(infos: bytes | bytearray, base: int) -> bytes | bytearray:
    """Term infos (`_INFO_SIZE` bytes each) with their postings offset (big-endian, after the struct) moved by
    `base`: a field's postings written to a file of their own, then copied to `base` in the segment's."""
    if not infos or not base:
        return infos
    table = np.frombuffer(infos, dtype=np.uint8).reshape(-1, _INFO_SIZE).copy()
    at = W3TermInfo._struct.size
    offsets = table[:, at : at + _LONG_SIZE].copy().view(">i8")
    table[:, at : at + _LONG_SIZE] = (offsets + base).astype(">i8").view(np.uint8).reshape(-1, _LONG_SIZE)
    return table.tobytes()


def _first(item: tuple[bytes, int, Any]) -> bytes:
    return item[0]


class Joined(Sequence[bytes]):
    """The values of a term's postings, one string cut at `offsets` (one more than postings): a slice gives
    the slice's values already joined, as a one-item list (what `write_term` joins into a block)."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes, offsets: list[int]) -> None:
        self.data = data
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @staticmethod
    def concat(parts: list[Joined]) -> Joined:
        datas = []
        offsets = [0]
        for part in parts:
            first = part.offsets[0]
            datas.append(part.data[first : part.offsets[-1]])
            shift = offsets[-1] - first
            offsets += [o + shift for o in part.offsets[1:]]
        return Joined(b"".join(datas), offsets)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            s, e, _ = index.indices(len(self))
            return [self.data[self.offsets[s] : self.offsets[e]]]
        i = range(len(self))[index]
        return self.data[self.offsets[i] : self.offsets[i + 1]]

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self)):
            yield self.data[self.offsets[i] : self.offsets[i + 1]]


_READ_CHUNK = 1 << 20  # bytes of a segment's term table read at a time in a merge
_TERMINFO = W3TermInfo._struct
_NO_ID = 0xFFFFFFFF


def _terminfo(value: bytes) -> W3TermInfo:
    """`W3TermInfo.from_bytes` without its constructor chain (a merge reads every term of every segment)."""
    flags, weight, df, minbyte, maxbyte, maxweight, minid, maxid = _TERMINFO.unpack_from(value)
    info = W3TermInfo.__new__(W3TermInfo)
    info._weight = weight
    info._df = df
    info._minlength = byte_to_length(minbyte)
    info._maxlength = byte_to_length(maxbyte)
    info._maxweight = maxweight
    info._minid = None if minid == _NO_ID else minid
    info._maxid = None if maxid == _NO_ID else maxid
    if flags:
        info._inlined = loads(value[_TERMINFO.size :])
        info._offset = info._length = None
    else:
        info._inlined = None
        info._offset = unpack_long(value[_TERMINFO.size : _TERMINFO.size + _LONG_SIZE])[0]
        info._length = unpack_int(value[_TERMINFO.size + _LONG_SIZE : _TERMINFO.size + _LONG_SIZE + _INT_SIZE])[0]
    return info


def segment_terms(
    reader: Any, fieldname: str, basedoc: int, docmap: dict[int, int] | None, order: int
) -> Iterator[tuple[bytes, int, Any]]:
    """(term, order, postings) of one field of a segment being merged, its docnums mapped into the new segment.

    The term table is read front to back a megabyte at a time: Whoosh's `items_from` makes four seeks and reads
    a term, and a merge of ten segments of 10,000 articles meets millions of them.
    """
    terms = reader._terms
    if fieldname not in terms.indexed_field_names():
        return
    postfile = terms._postfile
    tindex = terms._tindex
    prefix = pack_ushort(terms._fieldmap[fieldname])
    pos = tindex.closest_key_pos(prefix)
    if pos is None:
        return
    dbfile = tindex.dbfile
    eod = tindex.endofdata
    head = _LENGTHS.size
    buf = b""
    i = 0  # where the next term starts in buf, which holds the file from offset `pos` - i
    need = head
    while pos < eod:
        if len(buf) - i < need:
            size = min(max(_READ_CHUNK, need), eod - pos)
            if size < need:
                raise ValueError("a segment's term table ends in the middle of a term")
            buf = dbfile.get(pos, size)
            i = 0
        keylen, datalen = _LENGTHS.unpack_from(buf, i)
        need = head + keylen + datalen
        if len(buf) - i < need:
            continue  # read on
        start = i + head
        key = buf[start : start + keylen]
        if key[:2] != prefix:
            return
        yield key[2:], order, (postfile, _terminfo(buf[start + keylen : i + need]), basedoc, docmap)
        pos += need
        i += need
        need = head


def _materialise(source: Any, fixed: int | None) -> tuple[Sequence[int], Sequence[float], Sequence[bytes] | None]:
    """A source's postings of one term as (ids, weights, values) in the new segment's docnums."""
    if len(source) == 3:
        return source
    postfile, terminfo, basedoc, docmap = source
    ids, weights, values = _read_postings(postfile, terminfo, fixed)
    if docmap is None:
        return [basedoc + i for i in ids], weights, values
    keep = [k for k, i in enumerate(ids) if i in docmap]
    return (
        [docmap[ids[k]] for k in keep],
        [weights[k] for k in keep],
        [values[k] for k in keep] if values is not None else None,
    )


def _copyable(source: Any) -> bool:
    """A merged segment's term whose blocks can be copied: no deleted documents and not inlined."""
    return len(source) == 4 and source[3] is None and not source[1].is_inlined()


def copy_term(out: list[bytes], start: int, sources: list[Any]) -> W3TermInfo | None:
    """One term's postings from merged segments (in docnum order, all `_copyable`) as their own W3 blocks,
    each block's docnums moved by its segment's first docnum in the new one; its term info from theirs.

    A block of a segment holds its first docnum whole and the rest as gaps, so only that one number, the
    block's last docnum and the last-block mark change. Nothing is cut into blocks again: a merge costs a
    few calls a block instead of a few a posting (a bulk load's closing merge, `SearchIndex.optimize`).
    """
    blocks: list[tuple[bytes, bytes]] = []
    weight = 0.0
    df = 0
    minlength: int | None = None
    maxlength = 0
    maxweight: float = 0
    for postfile, terminfo, basedoc, _docmap in sources:
        offset, length = terminfo.extent()
        if isinstance(length, tuple):
            length = length[0]
        raw = postfile.get(offset, length)
        if raw[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"bad postings block tag at offset {offset}")
        pos = 4
        while pos < len(raw):
            blocklength = abs(unpack_int(raw[pos : pos + _INT_SIZE])[0])
            begin = pos + _INT_SIZE
            end = begin + blocklength
            pos = end
            if not basedoc:
                info = io.BytesIO(raw[begin:end])
                pickle.load(info)
                blocks.append((raw[begin : begin + info.tell()], raw[begin + info.tell() : end]))
                continue
            buffer = io.BytesIO(raw[begin:end])
            count, last, block_max, compression, bmin, bmax = pickle.load(buffer)
            data = raw[begin + buffer.tell() : end]
            if compression:
                data = zlib.decompress(data)
            ids, weights, values = loads(data)
            data = dumps(((ids[0] + basedoc, *ids[1:]), weights, values), 2)
            compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
            if compression:
                data = zlib.compress(data, compression)
            blocks.append((dumps((count, last + basedoc, block_max, compression, bmin, bmax), 2), data))
        weight += terminfo.weight()
        df += terminfo.doc_frequency()
        low = terminfo.min_length()
        if low and (minlength is None or low < minlength):
            minlength = low
        maxlength = max(maxlength, terminfo.max_length())
        maxweight = max(maxweight, terminfo.max_weight())
    if not blocks:
        return None
    out.append(WHOOSH3_HEADER_MAGIC)
    written = len(WHOOSH3_HEADER_MAGIC)
    final = len(blocks) - 1
    for number, (infobytes, data) in enumerate(blocks):
        blocklength = len(infobytes) + len(data)
        out.append(pack_int(-blocklength if number == final else blocklength))
        out.append(infobytes)
        out.append(data)
        written += _INT_SIZE + blocklength
    first, last_source = sources[0], sources[-1]
    terminfo = W3TermInfo()
    terminfo._weight = weight
    terminfo._df = df
    terminfo._minlength = minlength
    terminfo._maxlength = maxlength
    terminfo._maxweight = maxweight
    terminfo._minid = first[1].min_id() + first[2]
    terminfo._maxid = last_source[1].max_id() + last_source[2]
    terminfo.set_extent(start, written)
    return terminfo


def _read_postings(
    postfile: Any, terminfo: Any, fixed: int | None
) -> tuple[list[int], list[float], list[bytes] | None]:
    """Every posting of a term of a W3 segment, block by block, without a matcher."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        return list(ids), [float(w) for w in weights], list(values) if fixed != 0 else None
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's tuple
        length = length[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"bad postings block tag at offset {offset}")
    pos = 4
    out_ids: list[int] = []
    out_weights: list[float] = []
    out_values: list[bytes] | None = [] if fixed != 0 else None
    while pos < len(raw):
        blocklength = unpack_int(raw[pos : pos + _INT_SIZE])[0]
        last = blocklength < 0
        blocklength = abs(blocklength)
        start = pos + _INT_SIZE
        end = start + blocklength
        buffer = io.BytesIO(raw[start:end])
        info = pickle.load(buffer)  # the block's info tuple; its pickle ends where the data begins
        count, compression = info[0], info[3]
        data = raw[start + buffer.tell() : end]
        if compression:
            data = zlib.decompress(data)
        mini_ids, mini_weights, mini_values = loads(data)
        base = 0
        for delta in mini_ids:
            base += delta
            out_ids.append(base)
        if mini_weights is None:
            out_weights.extend([1.0] * count)
        elif isinstance(mini_weights, float):
            out_weights.extend([mini_weights] * count)
        else:
            out_weights.extend(mini_weights)
        if out_values is not None:
            if fixed is None or fixed < 0:
                out_values.extend(mini_values)
            else:
                out_values.extend(mini_values[i : i + fixed] for i in range(0, len(mini_values), fixed))
        pos = end
        if last:
            break
    return out_ids, out_weights, out_values


def length_bytes(pdr: Any, fieldname: str, doccount: int) -> bytes | None:
    """The new segment's field length byte of every document (0: no length), or None without a length column."""
    reader = pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        return None
    out = np.zeros(doccount, dtype=np.uint8)
    try:
        raw = reader._dbfile.get(reader._basepos, reader._count)
        written = np.frombuffer(raw, dtype=np.uint8)
    except AttributeError:  # another column reader: ask it document by document
        written = np.fromiter((reader[d] for d in range(doccount)), dtype=np.uint8, count=doccount)
    out[: len(written)] = written[:doccount]
    return out.tobytes()


def write_term(
    out: list[bytes],
    start: int,
    parts: list[tuple[Sequence[int], Sequence[float], Sequence[bytes] | None]],
    fixed: int | None,
    lengths: bytes | None,
    packed: bool = False,
) -> W3TermInfo | None:
    """One term's postings (parts in docnum order) as W3 blocks appended to `out`, to be written at offset
    `start` of the postings file; its term info, or None if it has no postings."""
    values: Sequence[bytes] | None
    if len(parts) == 1:
        ids, weights, values = parts[0]
    else:
        ids = list(itertools.chain.from_iterable(p[0] for p in parts))
        weights = list(itertools.chain.from_iterable(p[1] for p in parts))
        joined = [p[2] for p in parts if isinstance(p[2], Joined)]
        if fixed == 0:
            values = None
        elif len(joined) == len(parts):
            values = Joined.concat(joined)
        else:
            values = list(itertools.chain.from_iterable(p[2] or () for p in parts))
    count = len(ids)
    if not count:
        return None
    out.append(WHOOSH3_HEADER_MAGIC)
    written = len(WHOOSH3_HEADER_MAGIC)
    total_weight = 0.0
    maxweight: float = 0
    minbyte = 0
    maxbyte = 0
    for s in range(0, count, BLOCK):
        e = min(s + BLOCK, count)
        block_ids = ids[s:e]
        block_weights = weights[s:e]
        if e - s == 1:
            deltas: Any = (block_ids[0],)
        else:
            deltas = tuple([block_ids[0]] + [b - a for a, b in itertools.pairwise(block_ids)])
        first_weight = block_weights[0]
        if block_weights.count(first_weight) == e - s:
            mini_weights: Any = None if first_weight == 1.0 else float(first_weight)
        else:
            mini_weights = tuple(block_weights)
        if packed:
            mini_values: Any = PackedValues(b"".join(values[s:e]))  # type: ignore[index]
        elif fixed is None or fixed < 0:
            mini_values = tuple(values[s:e])  # type: ignore[index]
        elif fixed == 0:
            mini_values = None
        else:
            mini_values = b"".join(values[s:e])  # type: ignore[index]
        databytes = dumps((deltas, mini_weights, mini_values), 2)
        compression = COMPRESSION if len(databytes) >= COMPRESS_FROM else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        block_max_weight: float = max(block_weights)
        if block_max_weight <= 0:
            block_max_weight = 0  # as W3PostingsWriter starts it
        if lengths is not None:
            lbytes = [lengths[d] for d in block_ids]
            bmax = max(lbytes)
            bmin = min(lbytes) or min((b for b in lbytes if b), default=0)
        else:
            bmin = bmax = 0
        infobytes = dumps((e - s, int(block_ids[-1]), block_max_weight, compression, bmin, bmax), 2)
        blocklength = len(infobytes) + len(databytes)
        out.append(pack_int(-blocklength if e == count else blocklength))
        out.append(infobytes)
        out.append(databytes)
        written += _INT_SIZE + blocklength
        total_weight += float(sum(block_weights))
        if block_max_weight > maxweight:
            maxweight = block_max_weight
        if bmin and (minbyte == 0 or bmin < minbyte):
            minbyte = bmin
        if bmax > maxbyte:
            maxbyte = bmax
    terminfo = W3TermInfo()
    terminfo._weight = total_weight
    terminfo._df = count
    terminfo._minlength = byte_to_length(minbyte) if minbyte else None
    terminfo._maxlength = byte_to_length(maxbyte)
    terminfo._maxweight = maxweight
    terminfo._minid = int(ids[0])
    terminfo._maxid = int(ids[-1])
    terminfo.set_extent(start, written)
    return terminfo


def add_terms(tindex: Any, prefix: bytes, keys: list[bytes], infos: bytes | bytearray) -> None:
    """`OrderedHashWriter.add` of (prefix + key, term info) for many keys in order, in one write: the same
    file, without a tell and three writes per term."""
    dbfile = tindex.dbfile
    pos = dbfile.tell()
    chunks: list[bytes | memoryview] = []
    index_append = tindex.index.append
    buckets = tindex.buckets
    hashfn = tindex.hashfn
    head = _LENGTHS.pack
    last = tindex.lastkey
    view = memoryview(infos)
    for number, btext in enumerate(keys):
        key = prefix + btext
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        index_append(pos)
        value = view[number * _INFO_SIZE : (number + 1) * _INFO_SIZE]
        chunks += (head(len(key), _INFO_SIZE), key, value)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += _LENGTHS.size + len(key) + _INFO_SIZE
        last = key
    dbfile.write(b"".join(chunks))
    tindex.lastkey = last


assert all(length_to_byte(byte_to_length(b)) == b for b in range(256))  # lengths are kept as their bytes

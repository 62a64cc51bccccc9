"""A Whoosh segment writer whose postings cost a few list appends each, not a trip through Whoosh's pool.

Whoosh's `SegmentWriter` sends every posting of every document through a chain of Python calls: the field's
`index()` with a `Token` per word, a tuple into the posting pool, a pickle into a temporary run file, a heap
merge of the runs, and the codec's `add_posting` one call at a time. At 700 postings an article that was 14 ms
of the 19 ms an article cost to index (issue #9, bench/out profiles). `FastSegmentWriter` keeps Whoosh's
segment format, table of contents, locking, deletions and per-document files (stored fields, columns, field
lengths), and replaces the posting path:

- text fields analysed by `index.analysis.MemoAnalyzer` give a document's terms as one numpy array of term ids
  (`MemoAnalyzer.term_ids`, a dict lookup in C per word), kept as it is; at flush one stable sort of all of a
  field's tokens makes its postings, frequencies and position varints at once (`_array_terms`). Other fields
  go through `field.index()` into per-posting arrays;
- at commit, each field's terms are written in byte order, block by block, in the W3 codec's layout (the same
  pickled block tuples, block headers and term infos that `whoosh.codec.whoosh3.W3PostingsWriter` writes:
  `index.whoosh.w3`);
- a long bulk load spills each `SEGMENT_DOCS` documents' postings to disk as flat sorted arrays (`_chunk`) and
  writes one segment from all of them at the end, term by term (`_spill`, `_chunk_terms`): no segment is
  written and then merged again, and memory holds one run of documents. Where there is a second core, about
  half of the fields are written by a worker process and copied in (`_write_fields_in_two`);
- a merge of older segments (Whoosh's merge policy on commit) streams their posting blocks term by term into
  the new segment instead of replaying each posting through the pool.

Readers cannot tell the difference: `tests/test_writer.py` compares every posting, term statistic and field
length of a segment written both ways. The writer needs the W3 codec; with any other codec it leaves the work to
Whoosh's own path.
"""

from __future__ import annotations

import os
import pickle
import shutil
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (
    W3FieldWriter,
)
from whoosh.formats import Characters, Existence, Frequency, Positions
from whoosh.reading import SegmentReader
from whoosh.system import _INT_SIZE, pack_uint, pack_ushort
from whoosh.writing import SegmentWriter

from crawler.workers import WorkerPool
from index.analysis import MemoAnalyzer
from index.schema import CompactPositions
from index.whoosh.w3 import Joined, add_terms, length_bytes, moved, segment_terms, write_field

__all__ = ["FastSegmentWriter"]

_SMALL_POSITIONS = 4096  # single-position values are made once and shared
# Documents whose postings the writer holds in memory before it spills them (or, where it cannot spill, starts
# another segment). A token costs 4 bytes in memory and an article has about 1,100 (bench corpus); the flush of
# a run peaks at about 50 bytes a token of its largest field: some 150 MB at 10,000 articles.
SEGMENT_DOCS = 10_000


class _Field:
    """A field's postings in memory, in the order they were added (docnum order), one flat array each.

    Term i of `vocab` owns the postings whose `tids` entry is i; at flush time one stable sort groups them.
    Flat arrays cost a few list appends per posting, where an object per term cost four attribute lookups.
    """

    def __init__(self, name: str, fieldobj: Any) -> None:
        self.name = name
        self.fieldobj = fieldobj
        fmt = fieldobj.format or Existence()  # a column-only field has no format (and no postings)
        self.fixed = fmt.fixed_value_size()
        self.boost = float(getattr(fmt, "field_boost", 1.0))
        # Postings this writer makes itself: positions (Whoosh's or a subclass that only encodes them otherwise)
        # and frequencies; others (Characters, Existence, ...) through the field's own index().
        if isinstance(fmt, Positions) and not isinstance(fmt, Characters):
            self.kind = "Positions"
        elif type(fmt) is Frequency:
            self.kind = "Frequency"
        else:
            self.kind = type(fmt).__name__
        analyzer = getattr(fieldobj, "analyzer", None)
        self.memo: MemoAnalyzer | None = None
        self.encode: Any = None
        self.single: list[bytes] = []
        if (
            isinstance(analyzer, MemoAnalyzer)
            and self.kind in ("Positions", "Frequency")
            and not fieldobj.separate_spelling()
            and not fieldobj.vector
        ):
            self.memo = analyzer
            if self.kind == "Positions":
                self.encode = fmt.encode
                self.single = [fmt.encode([p]) for p in range(_SMALL_POSITIONS)]
        # Token arrays (`push`) instead of postings: a memo field whose values the flush can encode in bulk,
        # CompactPositions varints or Frequency's 4-byte counts (`_array_terms`).
        self.tokens = self.memo is not None and (
            isinstance(fmt, CompactPositions) or (self.kind == "Frequency" and self.fixed == _INT_SIZE)
        )
        self.vocab: dict[Any, int] = {}
        self.tids = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.values: list[bytes] | None = [] if self.fixed != 0 else None
        # With `tokens`: each run of tokens (a document's field, or one replayed posting) as its term ids into
        # `names` (the analysis chain's list of terms), and per run its docnum, its length and the position of
        # its first token (the rest follow one by one), or its positions given (`spread`, by run). Runs of a
        # chain's earlier list of terms (it starts another when full) wait in `older`.
        self.runs: list[np.ndarray] = []
        self.names: list[str] | None = None
        self.older: list[tuple[list[str], list[np.ndarray]]] = []
        self.run_docs = array("I")
        self.run_lens = array("I")
        self.run_firsts = array("I")
        self.spread: dict[int, list[int]] = {}

    def has_postings(self) -> bool:
        return bool(self.runs or self.older) if self.tokens else bool(self.vocab)

    def push(
        self, docnum: int, tids: np.ndarray, first: int, names: list[str], positions: list[int] | None = None
    ) -> None:
        """A run of tokens of document `docnum` (ids of terms in `names`) at positions `first`, `first + 1`,
        ... or at `positions`."""
        if names is not self.names:
            if self.runs:
                assert self.names is not None
                self.older.append((self.names, self.runs))
                self.runs = []
            self.names = names
        if positions is not None:
            self.spread[len(self.run_lens)] = positions
        self.runs.append(tids)
        self.run_docs.append(docnum)
        self.run_lens.append(len(tids))
        self.run_firsts.append(first)

    def add(self, docnum: int, terms: list[Any], weights: list[float], values: list[bytes] | None) -> None:
        vocab = self.vocab
        setdefault = vocab.setdefault
        self.tids.extend([setdefault(term, len(vocab)) for term in terms])
        self.docs.extend([docnum] * len(terms))
        self.weights.extend(weights)
        if self.values is not None:
            self.values.extend(values or [b""] * len(terms))


def _freq_bytes() -> list[bytes]:
    return [pack_uint(f) for f in range(256)]


_FREQ = _freq_bytes()


class FastSegmentWriter(SegmentWriter):
    """`whoosh.writing.SegmentWriter` with the posting path described in the module docstring."""

    def __init__(self, ix: Any, *, segment_docs: int = SEGMENT_DOCS, copy_blocks: bool = False, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # Merged segments' blocks copied as they are (their first docnum moved) instead of re-cut into blocks of
        # 128 postings: the same postings and term statistics, blocks cut where the segments met (`w3.copy_term`).
        self.copy_blocks = copy_blocks
        fw = self.fieldwriter
        self._fast = (
            isinstance(fw, W3FieldWriter)
            and all(hasattr(fw, name) for name in ("_postfile", "_tindex", "_fieldid"))
            and all(hasattr(fw._tindex, name) for name in ("dbfile", "index", "buckets", "hashfn", "lastkey"))
        )
        self.segment_docs = segment_docs
        self._fields: dict[str, _Field] = {}
        self._merged: list[tuple[Any, int, dict[int, int] | None]] = []  # (segment, first docnum, docmap)
        self._done: list[Any] = []  # segments written by this writer, committed with it
        self.rolled = False  # whether this writer cut its documents into more than one segment
        # A long bulk load into a folder spills each `segment_docs` documents' postings to disk as flat arrays
        # (`_spill`) and writes one segment from them at the end: no segment written and merged again.
        folder = getattr(self.storage, "folder", None)
        self._spill_root = Path(folder) / f"spill-{self.indexname}-{self.newsegment.segment_id()}" if folder else None
        self._spills: list[Path] = []
        self._run_start = 0  # the docnum the postings in memory start at
        if folder:
            for stale in Path(folder).glob(f"spill-{self.indexname}-*"):  # a killed writer's (we hold the lock)
                shutil.rmtree(stale, ignore_errors=True)

    # ------------------------------------------------------------------------------------------ segments
    def _roll(self) -> None:
        """Write the segment in memory to disk and start another: memory stays bounded in a long bulk load.

        The finished segments join the index in the same commit as the rest (`_commit_toc`), so a cancelled
        or killed write still adds nothing; their files are then removed by the next commit's clean-up.
        """
        self._done.append(self._finalize_segment())
        self.rolled = True
        self.newsegment = self.codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.docnum = self.docbase = 0
        self._added = False

    def _commit_toc(self, segments: list[Any]) -> None:
        if self._done:
            current = [s for s in segments if s is self.newsegment]
            segments = [s for s in segments if s is not self.newsegment] + self._done + current
        super()._commit_toc(segments)

    def _spill(self) -> None:
        """Write the postings in memory to a spill folder as `_chunk` arrays and start afresh."""
        assert self._spill_root is not None
        folder = self._spill_root / str(len(self._spills))
        folder.mkdir(parents=True)
        for name, field in self._fields.items():
            if field.has_postings():
                arrays = _token_chunk(field) if field.tokens else _posting_chunk(field)
                for key, array in arrays.items():
                    np.save(folder / f"{name}.{key}.npy", array)
        self._spills.append(folder)
        self._fields.clear()
        self._run_start = self.docnum

    def _remove_spills(self) -> None:
        if self._spill_root is not None:
            shutil.rmtree(self._spill_root, ignore_errors=True)
        self._spills.clear()

    def cancel(self, **kwargs: Any) -> None:
        try:
            super().cancel(**kwargs)
        finally:
            self._remove_spills()

    # ------------------------------------------------------------------------------------------ adding
    def _field(self, name: str) -> _Field:
        field = self._fields.get(name)
        if field is None:
            field = self._fields[name] = _Field(name, self.schema[name])
        return field

    def add_document(self, **fields: Any) -> None:
        if not self._fast:
            super().add_document(**fields)
            return
        if any(name.startswith("_") for name in fields):
            # Whoosh's per-document boosts and custom stored values: the index never sends them.
            raise ValueError(f"FastSegmentWriter takes no special fields: {sorted(fields)}")
        self._check_state()
        self._check_fields(self.schema, fields)
        if self.segment_docs and self.docnum - self._run_start >= self.segment_docs and not self._merged:
            if self._spill_root is not None:
                self._spill()
            else:
                self._roll()
        perdoc = self.perdocwriter
        docnum = self.docnum
        perdoc.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None:
                    continue
                field = self._field(name)
                fieldobj = field.fieldobj
                length = 0
                if fieldobj.indexed:
                    if field.memo is not None:
                        length = self._add_text(field, docnum, value)
                    else:
                        length = self._add_items(field, docnum, value)
                    if not fieldobj.scorable:
                        length = 0
                perdoc.add_field(name, fieldobj, value if fieldobj.stored else None, length)
                column = fieldobj.column_type
                if column:
                    perdoc.add_column_value(name, column, fieldobj.to_column_value(value))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_text(self, field: _Field, docnum: int, value: Any) -> int:
        assert field.memo is not None
        text = value if isinstance(value, str) else " ".join(value)
        if field.tokens:
            tids, first, names = field.memo.term_ids(text)
            if len(tids):
                field.push(docnum, tids, first, names)
            return len(tids)
        terms, first = field.memo.terms(text)
        boost = field.boost
        if field.kind == "Frequency":
            counts = Counter(terms)
            freqs = list(counts.values())
            field.add(
                docnum,
                list(counts),
                [f * boost for f in freqs],
                [_FREQ[f] if f < 256 else _pack_uint(f) for f in freqs],
            )
            return len(terms)
        positions: dict[str, list[int]] = {}
        for pos, term in enumerate(terms, first):
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        single = field.single
        encode = field.encode
        poslists = list(positions.values())
        field.add(
            docnum,
            list(positions),
            [len(p) * boost for p in poslists],
            [single[p[0]] if len(p) == 1 and p[0] < _SMALL_POSITIONS else encode(p) for p in poslists],
        )
        return len(terms)

    def _add_items(self, field: _Field, docnum: int, value: Any) -> int:
        items = list(field.fieldobj.index(value))
        field.add(
            docnum,
            [item[0] for item in items],
            [item[2] for item in items],
            [item[3] or b"" for item in items],
        )
        return sum(item[1] for item in items)

    def add_reader(self, reader: Any) -> None:
        if not self._fast or not isinstance(reader, SegmentReader):
            # Another kind of reader: its postings are replayed one by one into the in-memory tables.
            self._check_state()
            basedoc = self.docnum
            names = {n for n in reader.indexed_field_names() if n in self.schema}
            docmap = self.write_per_doc(set(self.schema.names()) | names, reader)
            for fieldname, btext, docnum, weight, vbytes in reader.iter_postings():
                if fieldname in self.schema:
                    newdoc = docmap[docnum] if docmap is not None else basedoc + docnum
                    field = self._field(fieldname)
                    if field.tokens:  # as tokens again: the term `freq` times, at its positions if it has them
                        assert field.memo is not None
                        tid, terms = field.memo.term_id(btext.decode("utf-8"))
                        fmt = field.fieldobj.format
                        if field.kind == "Frequency":
                            freq = fmt.decode_frequency(vbytes)
                            field.push(newdoc, np.full(freq, tid, dtype=np.int32), 0, terms)
                        else:
                            positions = fmt.decode_positions(vbytes)
                            field.push(newdoc, np.full(len(positions), tid, dtype=np.int32), 0, terms, positions)
                    else:
                        field.add(newdoc, [btext], [weight], [vbytes or b""])
            self._added = True
            return
        self._check_state()
        basedoc = self.docnum
        names = {n for n in reader.indexed_field_names() if n in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | names, reader)
        # The reader is closed by the merge policy right after this: its segment is read again at flush time
        # (its files are deleted only once the new table of contents is written).
        self._merged.append((reader.segment(), basedoc, docmap))
        self._added = True

    # ------------------------------------------------------------------------------------------ writing
    def _flush_segment(self) -> None:
        if not self._fast:
            super()._flush_segment()
            return
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        readers = [SegmentReader(self.storage, self.schema, segment) for segment, _, _ in self._merged]
        try:
            self._write_postings(pdr, readers)
        finally:
            for reader in readers:
                reader.close()
            pdr.close()
            self._remove_spills()
        self.fieldwriter.close()
        self._fields.clear()
        self._merged.clear()

    def _write_postings(self, pdr: Any, readers: list[Any]) -> None:
        fw = self.fieldwriter
        postfile = fw._postfile
        tindex = fw._tindex
        parallel = PARALLEL_FIELDS and bool(self._spills) and not readers and (os.cpu_count() or 1) > 1
        if parallel and any(field.has_postings() for field in self._fields.values()):
            self._spill()  # the last run too: a second process reads every field's postings from the spills
        names: set[str] = {name for name, field in self._fields.items() if field.has_postings()}
        for folder in self._spills:
            names.update(path.name.split(".")[0] for path in folder.glob("*.terms.npy"))
        for reader in readers:
            names.update(n for n in reader._terms.indexed_field_names() if n in self.schema)
        doccount = self.docnum
        specs = {name: _spec(self.schema[name], pdr, name, doccount) for name in sorted(names)}
        if parallel:
            self._write_fields_in_two(specs)
            return
        for name, (_name, fixed, packed, lengths) in specs.items():
            fw.start_field(name, self.schema[name])
            field = self._fields.get(name)
            sources: list[Iterator[tuple[bytes, int, Any]]] = _spilled_terms(self._spills, name)
            if field is not None and field.has_postings():
                sources.append(_array_terms(field, -1) if field.tokens else _memory_terms(field, -1))
            for index, (reader, (_segment, basedoc, docmap)) in enumerate(zip(readers, self._merged, strict=True)):
                sources.append(segment_terms(reader, name, basedoc, docmap, index))
            keys, infos = write_field(postfile, sources, fixed, lengths, packed, self.copy_blocks)
            add_terms(tindex, pack_ushort(fw._fieldid), keys, infos)
            fw.finish_field()

    def _write_fields_in_two(self, specs: dict[str, _FieldSpec]) -> None:
        """The closing write of a spilled bulk load on two cores: each field's postings and terms are written
        to files of their own, about half of the postings by a worker process and the rest here, then put
        together in field order (the postings copied, their term infos' offsets moved). Fields are independent,
        and a bench load has two of each size (Kazakh and Russian): 70 s -> about 40 s at 100k articles."""
        assert self._spill_root is not None
        out = self._spill_root / "fields"
        out.mkdir()
        sizes = {name: sum(_spilled_bytes(folder, name) for folder in self._spills) for name in specs}
        halves: tuple[list[_FieldSpec], list[_FieldSpec]] = ([], [])
        loads = [0, 0]
        for name in sorted(specs, key=lambda n: -sizes[n]):  # the larger fields first, each to the lighter half
            half = 0 if loads[0] <= loads[1] else 1
            halves[half].append(specs[name])
            loads[half] += sizes[name]
        spills = [str(folder) for folder in self._spills]
        with WorkerPool(1) as pool:
            theirs = pool.submit(write_fields, spills, halves[1], str(out))
            write_fields(spills, halves[0], str(out))
            theirs.result()
        fw = self.fieldwriter
        postfile = fw._postfile
        for name in specs:
            fw.start_field(name, self.schema[name])
            base = postfile.tell()
            with open(out / f"{name}.pst", "rb") as part:
                shutil.copyfileobj(part, postfile, 1 << 20)
            with open(out / f"{name}.terms", "rb") as part:
                keys, infos = pickle.load(part)
            add_terms(fw._tindex, pack_ushort(fw._fieldid), keys, moved(infos, base))
            fw.finish_field()


# Whether a spilled bulk load's closing write uses a second process (`_write_fields_in_two`); tests turn it off
# to check the one-process path gives the same segment.
PARALLEL_FIELDS = True
_FieldSpec = tuple[str, int | None, bool, bytes | None]  # name, fixed value size, packed positions, lengths


def _spec(fieldobj: Any, pdr: Any, name: str, doccount: int) -> _FieldSpec:
    lengths = length_bytes(pdr, name, doccount) if fieldobj.scorable else None
    return name, fieldobj.format.fixed_value_size(), isinstance(fieldobj.format, CompactPositions), lengths


def write_fields(spills: list[str], specs: list[_FieldSpec], out: str) -> None:
    """Each field's postings from the spills to OUT/<field>.pst (offsets from 0) and its terms, with their
    term infos, to OUT/<field>.terms: half of `_write_fields_in_two`, run in either process."""
    folders = [Path(folder) for folder in spills]
    for name, fixed, packed, lengths in specs:
        with open(Path(out) / f"{name}.pst", "wb") as postfile:
            keys, infos = write_field(postfile, _spilled_terms(folders, name), fixed, lengths, packed, False)
        with open(Path(out) / f"{name}.terms", "wb") as termfile:
            pickle.dump((keys, bytes(infos)), termfile, protocol=pickle.HIGHEST_PROTOCOL)


def _spilled_terms(spills: list[Path], name: str) -> list[Iterator[tuple[bytes, int, Any]]]:
    """A term source for each spill that holds the field, memory-mapped, in docnum order."""
    sources = []
    for number, folder in enumerate(spills):
        if (folder / f"{name}.terms.npy").exists():
            arrays = {
                # plain views of the mapped files: a memmap's slices cost a Python call each
                path.name[len(name) + 1 : -4]: np.load(path, mmap_mode="r").view(np.ndarray)
                for path in folder.glob(f"{name}.*.npy")
                if path.name.count(".") == 2
            }
            sources.append(_chunk_terms(arrays, -1 - len(spills) + number))
    return sources


def _spilled_bytes(folder: Path, name: str) -> int:
    return sum(path.stat().st_size for path in folder.glob(f"{name}.*.npy") if path.name.count(".") == 2)


def _pack_uint(n: int) -> bytes:
    return bytes(pack_uint(n))


def _memory_terms(field: _Field, order: int) -> Iterator[tuple[bytes, int, Any]]:
    """(term, order, (ids, weights, values)) of the postings added to a field, terms in byte order."""
    tids = np.frombuffer(field.tids, dtype=np.uint32)
    grouping = np.argsort(tids, kind="stable")  # stable: each term's postings stay in docnum order
    ends = np.cumsum(np.bincount(tids, minlength=len(field.vocab))).tolist()
    docs = np.frombuffer(field.docs, dtype=np.uint32)[grouping]
    weights: np.ndarray = np.frombuffer(field.weights, dtype=np.float32)[grouping]
    if np.array_equal(weights, np.floor(weights)):
        # Whole weights (term frequencies) as ints: a block pickles them in 2 bytes each where a float takes 9.
        weights = weights.astype(np.int64)
    values = list(map(field.values.__getitem__, grouping.tolist())) if field.values is not None else None
    keys = sorted((k.encode("utf-8") if isinstance(k, str) else k, tid) for k, tid in field.vocab.items())
    for btext, tid in keys:
        start = ends[tid - 1] if tid else 0
        end = ends[tid]
        yield (
            btext,
            order,
            (docs[start:end].tolist(), weights[start:end].tolist(), values[start:end] if values is not None else None),
        )


def _varints(numbers: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Non-negative `numbers` (below 2**32) as LEB128 varints (`index.schema._varint`), one string, and where
    each starts."""
    numbers = numbers.astype(np.uint32, copy=False)
    sizes = np.ones(len(numbers), dtype=np.uint8)
    for bits in (7, 14, 21, 28):
        more = numbers >= (1 << bits)
        if not more.any():
            break
        sizes += more
    del more
    ends: np.ndarray = np.cumsum(sizes, dtype=np.int32 if len(numbers) < (1 << 31) // 5 else np.int64)
    total = int(ends[-1]) if len(ends) else 0
    starts = np.subtract(ends, sizes, out=ends)
    out = np.empty(total, dtype=np.uint8)
    out[starts] = numbers & 0x7F  # every number's first byte; longer ones get their continuation bit below
    for k in range(1, int(sizes.max(initial=1))):
        has = np.flatnonzero(sizes > k)
        out[starts[has] + (k - 1)] |= 0x80
        out[starts[has] + k] = (numbers[has] >> (7 * k)) & 0x7F
    return out.tobytes(), starts


def _unified(field: _Field) -> tuple[np.ndarray, list[str]]:
    """All of a field's token runs as one array of ids into one list of terms."""
    assert field.names is not None
    if not field.older:
        return np.concatenate(field.runs), field.names
    ids: dict[str, int] = {}
    parts = []
    for names, runs in [*field.older, (field.names, field.runs)]:
        if not runs:
            continue
        tids = np.concatenate(runs)
        present = np.flatnonzero(np.bincount(tids, minlength=len(names)))
        lut = np.full(len(names), -1, dtype=np.int32)
        lut[present] = [ids.setdefault(names[tid], len(ids)) for tid in present.tolist()]
        parts.append(lut[tids])
    return np.concatenate(parts), list(ids)


def _token_chunk(field: _Field) -> dict[str, np.ndarray]:
    """A field kept as token runs as a `_chunk`: every posting, its frequency and its positions' varints made
    at once with numpy; the same postings and value bytes as a posting at a time (tests/test_writer.py)."""
    lens = np.frombuffer(field.run_lens, dtype=np.uint32).astype(np.int64)
    tids, names = _unified(field)
    field.runs, field.older = [], []  # the field is done with: its memory goes as it is read
    docs = np.repeat(np.frombuffer(field.run_docs, dtype=np.uint32), lens)
    grouping = np.argsort(tids, kind="stable")  # stable: a term's tokens stay in docnum, then position, order
    tids = tids[grouping]
    docs = docs[grouping]
    positions = None
    if field.kind != "Frequency":
        starts = np.cumsum(lens) - lens
        positions = np.arange(len(tids), dtype=np.int32) - np.repeat(
            (starts - np.frombuffer(field.run_firsts, dtype=np.uint32)).astype(np.int32), lens
        )
        for run, spread in field.spread.items():
            positions[starts[run] : starts[run] + lens[run]] = spread
        positions = positions[grouping]
    del grouping
    n = len(tids)
    posting = np.ones(n, dtype=bool)
    posting[1:] = (tids[1:] != tids[:-1]) | (docs[1:] != docs[:-1])
    heads = np.flatnonzero(posting).astype(np.int32)  # each posting's first token
    del posting
    freqs = np.diff(heads, append=np.int32(n))
    post_tids = tids[heads]
    if positions is None:
        data = np.frombuffer(freqs.astype(">u4").tobytes(), dtype=np.uint8)
        offsets = np.arange(len(heads) + 1, dtype=np.int64) * _INT_SIZE
    else:
        # CompactPositions.encode of each posting: its count, then its positions as gaps from 0
        gaps = np.diff(positions, prepend=0)
        gaps[heads] = positions[heads]
        del positions
        numbers = np.insert(gaps, heads, freqs)
        del gaps
        packed, at = _varints(numbers)
        del numbers
        data = np.frombuffer(packed, dtype=np.uint8)
        offsets = np.append(at[heads + np.arange(len(heads))], len(data)).astype(np.int64)
    weights: np.ndarray = freqs.astype(np.float32) * np.float32(field.boost)
    if np.array_equal(weights, np.floor(weights)):
        weights = weights.astype(np.int32)  # whole: as ints, as `_memory_terms` gives them
    term_heads = np.flatnonzero(np.append(True, post_tids[1:] != post_tids[:-1]))
    bounds = np.append(term_heads, len(heads))
    post_docs = docs[heads]
    del tids, docs, heads
    keys = [names[tid].encode("utf-8") for tid in post_tids[term_heads].tolist()]
    # Terms in byte order, their postings and value bytes moved to match: each term's stay in one piece.
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    counts = np.diff(bounds)[order]
    new_bounds = np.concatenate([[0], np.cumsum(counts)])
    moved = np.repeat(bounds[:-1][order] - new_bounds[:-1], counts) + np.arange(len(post_docs))
    byte_starts = offsets[bounds[:-1]][order]
    byte_counts = offsets[bounds[1:]][order] - byte_starts
    new_byte_starts = np.concatenate([[0], np.cumsum(byte_counts)])
    data = data[np.repeat(byte_starts - new_byte_starts[:-1], byte_counts) + np.arange(len(data))]
    offsets = np.concatenate([[0], np.cumsum(np.diff(offsets)[moved])])
    return _chunk([keys[i] for i in order.tolist()], new_bounds, post_docs[moved], weights[moved], data, offsets)


def _posting_chunk(field: _Field) -> dict[str, np.ndarray]:
    """A field kept as postings (`_Field.add`) as a `_chunk`."""
    keys: list[bytes] = []
    bounds = [0]
    docs: list[int] = []
    weights: list[float] = []
    values: list[bytes] | None = [] if field.values is not None else None
    for btext, _order, (ids, term_weights, term_values) in _memory_terms(field, 0):
        keys.append(btext)
        docs += ids
        bounds.append(len(docs))
        weights += term_weights
        if values is not None:
            values += term_values
    data = offsets = None
    if values is not None:
        data = np.frombuffer(b"".join(values), dtype=np.uint8)
        offsets = np.cumsum([0, *map(len, values)], dtype=np.int64)
    weight_array = np.array(weights)
    if not np.array_equal(weight_array, np.floor(weight_array)):
        weight_array = weight_array.astype(np.float32)
    return _chunk(keys, np.array(bounds, dtype=np.int64), np.array(docs, dtype=np.uint32), weight_array, data, offsets)


def _chunk(
    keys: list[bytes],
    bounds: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
    data: np.ndarray | None,
    offsets: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """A field's postings as flat arrays, terms in byte order: what a spilled run of a bulk load keeps on disk
    (`FastSegmentWriter._spill`). Term i is `terms[term_offsets[i]:term_offsets[i + 1]]`; its postings are
    `docs[a:b]` and `weights[a:b]` (whole weights as ints) with a, b = `bounds[i]`, `bounds[i + 1]`; posting
    j's value is `data[offsets[j]:offsets[j + 1]]` (no `data` when the format has no values)."""
    arrays: dict[str, np.ndarray] = {
        "terms": np.frombuffer(b"".join(keys), dtype=np.uint8),
        "term_offsets": np.cumsum([0, *map(len, keys)], dtype=np.int64),
        "bounds": bounds.astype(np.int64),
        "docs": docs,
        "weights": weights if weights.dtype == np.float32 else weights.astype(np.int32),
    }
    if data is not None and offsets is not None:
        arrays["data"] = data
        arrays["offsets"] = offsets.astype(np.int64)
    return arrays


def _chunk_terms(arrays: dict[str, np.ndarray], order: int) -> Iterator[tuple[bytes, int, Any]]:
    """(term, order, (ids, weights, values)) of a `_chunk`, terms in byte order. The arrays may be views of
    mapped files: they are read a stretch of terms at a time (at most `_TERMS_AT_ONCE` terms, and past
    `_POSTINGS_AT_ONCE` postings only one), so a bulk load's closing write holds a little of each spill."""
    term_offsets = arrays["term_offsets"]
    bounds = arrays["bounds"]
    docs = arrays["docs"]
    weights = arrays["weights"]
    data = arrays.get("data")
    offsets = arrays.get("offsets")
    count = len(bounds) - 1
    start = 0
    while start < count:
        end = min(start + _TERMS_AT_ONCE, count)
        end = max(start + 1, min(end, int(np.searchsorted(bounds, bounds[start] + _POSTINGS_AT_ONCE, "right")) - 1))
        cut = term_offsets[start : end + 1].tolist()
        terms = arrays["terms"][cut[0] : cut[-1]].tobytes()
        stretch = (bounds[start : end + 1] - bounds[start]).tolist()
        first, last = int(bounds[start]), int(bounds[end])
        doc_list = docs[first:last].tolist()
        weight_list = weights[first:last].tolist()
        value_data = b""
        value_offsets: list[int] = []
        if data is not None and offsets is not None:
            cuts = offsets[first : last + 1]
            value_data = data[int(cuts[0]) : int(cuts[-1])].tobytes()
            value_offsets = (cuts - cuts[0]).tolist()
        for i in range(end - start):
            a, b = stretch[i], stretch[i + 1]
            values = Joined(value_data, value_offsets[a : b + 1]) if value_offsets else None
            yield (
                terms[cut[i] - cut[0] : cut[i + 1] - cut[0]],
                order,
                (doc_list[a:b], weight_list[a:b], values),
            )
        start = end


_TERMS_AT_ONCE = 4096
_POSTINGS_AT_ONCE = 65536


def _array_terms(field: _Field, order: int) -> Iterator[tuple[bytes, int, Any]]:
    """`_memory_terms` of a field kept as token runs (`_token_chunk`)."""
    yield from _chunk_terms(_token_chunk(field), order)

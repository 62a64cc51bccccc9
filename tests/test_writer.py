"""`index.whoosh.writer.FastSegmentWriter` writes the same segments as Whoosh's own writer.

Two Whoosh indexes on disk get the same documents (synthetic press articles through the index's real schema and
`index_document`), in the same commits, with replacements, deletions and the merges Whoosh's merge policy makes
of them: one through `whoosh.writing.SegmentWriter`, one through `FastSegmentWriter`. Every term, term statistic,
posting block header and block content of every segment must be equal, and searches must find the same documents.
"""

from __future__ import annotations

import io
import pickle
import zlib
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser
from whoosh.writing import SegmentWriter

import index.whoosh.writer as writer_module
from bench import corpus
from index.document import index_document
from index.schema import build_schema
from index.whoosh.writer import FastSegmentWriter


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    items = list(corpus.Generator(corpus.CorpusSpec(n=160, seed=5)).articles())
    docs = [index_document(corpus.to_record(item)) for item in items]
    # A word repeated far apart (positions past the shared single-position values), and one written 300 times
    # (a frequency past the byte-sized cache), in a document of each language field.
    docs[0]["body_kk"] = " ".join(["аймақ"] + ["сөз"] * 300 + ["аймақ"] * 2 + ["жол"] * 4200)
    docs[1]["fold_ru"] = " ".join(["zavod"] * 300)
    return docs


def _build(path: Path, writer_class: Any, documents: list[dict[str, Any]]) -> Any:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(), indexname="MAIN")
    batches = [documents[0:40], documents[40:60], documents[60:70], documents[70:75], documents[75:80]]
    for number, batch in enumerate(batches):
        writer = writer_class(ix, compound=False)
        if number == 2:
            writer.delete_by_term("id", documents[3]["id"])
        for doc in batch:
            writer.update_document(**doc)
        if number == 3:
            writer.update_document(**{**documents[10], "title_kk": "Жаңа тақырып"})  # a replaced document
        writer.commit()
    # Many small commits: Whoosh's merge policy merges them (with the deletion above) into one segment.
    for start in range(80, 160, 8):
        writer = writer_class(ix, compound=False)
        for doc in documents[start : start + 8]:
            writer.add_document(**doc)
        writer.commit()
    return ix


def _blocks(raw: bytes) -> list[tuple[Any, Any]]:
    """The (header, data) tuples of a term's W3 posting blocks.

    Compared unpickled: our writer shares one bytes object for equal single-position values, which pickle
    writes once and then refers to, so the same block can be a few bytes shorter (and then under the size
    from which blocks are compressed).
    """
    assert raw[:4] == b"W3Bl"
    pos, out = 4, []
    while pos < len(raw):
        length = abs(int.from_bytes(raw[pos : pos + 4], "big", signed=True))
        buffer = io.BytesIO(raw[pos + 4 : pos + 4 + length])
        info = pickle.load(buffer)
        data = raw[pos + 4 + buffer.tell() : pos + 4 + length]
        count, last_id, max_weight, compressed, min_length, max_length = info
        ids, weights, values = pickle.loads(zlib.decompress(data) if compressed else data)
        block = (ids, weights, values if values is None or isinstance(values, bytes) else tuple(values))
        out.append(((count, last_id, max_weight, min_length, max_length), block))
        pos += 4 + length
    return out


def _segments(ix: Any) -> list[dict[str, Any]]:
    out = []
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            terms = leaf._terms
            items = []
            for (fieldname, btext), terminfo in terms.items():
                start, length = terminfo.extent()
                length = length[0] if isinstance(length, tuple) else length  # as from_bytes leaves it
                stats = (
                    terminfo.weight(),
                    terminfo.doc_frequency(),
                    terminfo.min_length(),
                    terminfo.max_length(),
                    terminfo.max_weight(),
                    terminfo.min_id(),
                    terminfo.max_id(),
                )
                items.append((fieldname, btext, stats, _blocks(terms._postfile.get(start, length))))
            lengths = {
                name: [leaf.doc_field_length(d, name) for d in range(leaf.doc_count_all())]
                for name in ("title_kk", "body_kk", "body_ru", "fold_kk", "fold_ru")
            }
            out.append({"docs": leaf.doc_count_all(), "items": items, "lengths": lengths})
    return out


def test_segments_are_identical_to_whooshs(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    stock = _build(tmp_path / "stock", SegmentWriter, documents)
    fast = _build(tmp_path / "fast", FastSegmentWriter, documents)
    expected, got = _segments(stock), _segments(fast)
    assert len(expected) >= 2, "the merge and the later commits should leave several segments"
    assert [s["docs"] for s in got] == [s["docs"] for s in expected]
    for want, have in zip(expected, got, strict=True):
        assert len(have["items"]) == len(want["items"]) > 1000
        for a, b in zip(want["items"], have["items"], strict=True):
            assert a == b, f"term {a[0]}:{a[1]!r} differs"
        assert have["lengths"] == want["lengths"]


def test_searches_find_the_same_documents(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    stock = _build(tmp_path / "stock", SegmentWriter, documents)
    fast = _build(tmp_path / "fast", FastSegmentWriter, documents)
    queries = [("body_kk", "аймақ"), ("body_ru", "завод"), ("fold_ru", "zavod"), ("body_kk", '"сөз аймақ"')]
    for field, text in queries:
        found = []
        for ix in (stock, fast):
            with ix.searcher() as searcher:
                q = QueryParser(field, ix.schema).parse(text)
                found.append([(hit["id"], round(hit.score, 4)) for hit in searcher.search(q, limit=50)])
        assert found[0] == found[1]
    with fast.searcher() as searcher:
        q = QueryParser("body_kk", fast.schema).parse('"сөз аймақ"')
        assert documents[0]["id"] in [hit["id"] for hit in searcher.search(q)]


def _flat(segment: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each term's statistics and postings as one run, wherever its blocks are cut."""
    out = []
    for fieldname, btext, stats, blocks in segment["items"]:
        ids: list[int] = []
        weights: list[Any] = []
        values: list[Any] = []
        for _header, (deltas, mini_weights, mini_values) in blocks:
            base = 0
            for delta in deltas:
                base += delta
                ids.append(base)
            count = len(deltas)
            weights += list(mini_weights) if isinstance(mini_weights, tuple) else [mini_weights or 1.0] * count
            values += list(mini_values) if mini_values is not None else [None] * count
        assert [h[0] for h, _b in blocks] and all(h[1] == b[0][0] + sum(b[0][1:]) for h, b in blocks)
        out.append((fieldname, btext, stats, ids, [float(w) for w in weights], values))
    return out


def test_copied_blocks_merge_to_the_same_postings(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """A bulk load's closing merge copies blocks (`copy_blocks=True`): the same terms, statistics and postings
    as Whoosh's merge, only cut into blocks where the segments met."""
    built = {}
    for name, copy in (("stock", False), ("copied", True)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), build_schema(), indexname="MAIN")
        for start in range(0, 160, 40):  # four segments: each commit's 40 are too many for Whoosh to merge
            writer = FastSegmentWriter(ix, compound=False)
            for doc in documents[start : start + 40]:
                writer.add_document(**doc)
            writer.commit(merge=False)
        assert len(ix._segments()) == 4
        writer = FastSegmentWriter(ix, compound=False, copy_blocks=True) if copy else SegmentWriter(ix, compound=False)
        writer.commit(optimize=True)
        assert len(ix._segments()) == 1
        built[name] = ix
    stock, copied = _segments(built["stock"]), _segments(built["copied"])
    assert stock[0]["docs"] == copied[0]["docs"] == 160
    want, have = _flat(stock[0]), _flat(copied[0])
    assert len(want) == len(have) > 1000
    for a, b in zip(want, have, strict=True):
        assert a == b, f"term {a[0]}:{a[1]!r} differs"
    assert stock[0]["lengths"] == copied[0]["lengths"]
    # Where segments met, a block is cut short: the copy really copied.
    assert any(len(blocks) > 1 and blocks[0][0][0] < 128 for *_x, blocks in copied[0]["items"])


def test_a_full_term_table_midway_changes_nothing(
    tmp_path: Path, documents: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analysis chain starts a new term table when its memo is full (`index.analysis._MEMO_MAX`): a field's
    token runs then index two lists of terms, which the flush unifies by term."""
    import index.analysis as analysis

    stock = _build(tmp_path / "stock", SegmentWriter, documents)
    monkeypatch.setattr(analysis, "_MEMO_MAX", 5000)  # full every few documents
    before = {name: (id(table), len(table.ids)) for name, table in analysis._tables.items()}
    fast = _build(tmp_path / "fast", FastSegmentWriter, documents)
    # every chain these kk/ru documents feed started a new table midway (the neutral chain of other languages
    # is fed nothing here)
    fed = [n for n, table in analysis._tables.items() if id(table) != before[n][0] or len(table.ids) > before[n][1]]
    assert len(fed) >= 2
    assert all(id(analysis._tables[name]) != before[name][0] for name in fed)
    expected, got = _segments(stock), _segments(fast)
    assert [s["docs"] for s in got] == [s["docs"] for s in expected]
    for want, have in zip(expected, got, strict=True):
        assert have["items"] == want["items"]
        assert have["lengths"] == want["lengths"]


def test_postings_of_another_kind_of_reader_are_replayed(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """`add_reader` of a reader that is not one segment (here a MultiReader of two) replays its postings: as
    tokens again in the fields kept as token runs. The result holds the same postings as Whoosh's replay.

    A schema without sortable columns: Whoosh's own `write_per_doc` cannot copy a sortable ID column from a
    MultiReader (it writes str where the column wants bytes), with either writer."""
    from whoosh.fields import ID, Schema
    from whoosh.reading import MultiReader

    full = build_schema()
    names = ("body_kk", "body_ru", "fold_kk", "fold_ru")

    def schema() -> Any:
        return Schema(id=ID(stored=True), **{name: full[name] for name in names})

    def doc(number: int) -> dict[str, Any]:
        return {"id": documents[number]["id"], **{n: documents[number][n] for n in names if n in documents[number]}}

    source = tmp_path / "source"
    source.mkdir()
    ix = whoosh_index.create_in(str(source), schema(), indexname="MAIN")
    for start in (0, 30):
        writer = FastSegmentWriter(ix, compound=False)
        for number in range(start, start + 30):
            writer.add_document(**doc(number))
        writer.commit(merge=False)
    built = {}
    for name, writer_class in (("stock", SegmentWriter), ("fast", FastSegmentWriter)):
        (tmp_path / name).mkdir()
        target = whoosh_index.create_in(str(tmp_path / name), schema(), indexname="MAIN")
        writer = writer_class(target, compound=False)
        for number in range(100, 110):
            writer.add_document(**doc(number))
        with ix.reader() as reader:
            assert isinstance(reader, MultiReader)
            writer.add_reader(reader)
        for number in range(110, 115):
            writer.add_document(**doc(number))
        writer.commit(merge=False)
        with target.reader() as reader:
            leaf = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
            terms = leaf._terms
            built[name] = [
                (fieldname, btext, _blocks(terms._postfile.get(*_extent(info))))
                for (fieldname, btext), info in terms.items()
            ]
    assert len(built["stock"]) == len(built["fast"]) > 1000
    for a, b in zip(built["stock"], built["fast"], strict=True):
        assert a == b, f"term {a[0]}:{a[1]!r} differs"


def _extent(terminfo: Any) -> tuple[int, int]:
    start, length = terminfo.extent()
    return start, length[0] if isinstance(length, tuple) else length


def test_varints_in_bulk_are_compact_positions_varints() -> None:
    import numpy as np

    from index.schema import _varint
    from index.whoosh.writer import _varints

    numbers = [0, 1, 127, 128, 300, 16383, 16384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**32 - 1, 5]
    data, starts = _varints(np.array(numbers, dtype=np.int64))
    want = bytearray()
    offsets = []
    for n in numbers:
        offsets.append(len(want))
        _varint(n, want)
    assert data == bytes(want)
    assert starts.tolist() == offsets


@pytest.mark.parametrize("parallel", [True, False], ids=["two-processes", "one-process"])
def test_a_long_load_spills_to_disk_and_writes_one_segment_as_if_it_had_not(
    tmp_path: Path, documents: list[dict[str, Any]], parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `segment_docs` documents the postings in memory go to a spill folder (`_spill`); the commit writes
    one segment from the spills and the rest (half of the fields in a worker process, or all here), equal to
    the segment written without spilling, and removes the folder. A cancelled write and a killed one (its
    folder left behind) leave nothing either."""
    monkeypatch.setattr(writer_module, "PARALLEL_FIELDS", parallel)
    built = {}
    for name, segment_docs in (("whole", 0), ("spilled", 30)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), build_schema(), indexname="MAIN")
        writer = FastSegmentWriter(ix, compound=False, segment_docs=segment_docs)
        for doc in documents:
            writer.add_document(**doc)
        spills = list((tmp_path / name).glob("spill-*"))
        if segment_docs:
            assert len(writer._spills) == 5 and len(spills) == 1
            assert {p.name for p in spills[0].iterdir()} == {str(n) for n in range(5)}
        else:
            assert not spills
        writer.commit(merge=False)
        assert not list((tmp_path / name).glob("spill-*"))
        assert len(ix._segments()) == 1
        built[name] = _segments(ix)
    assert built["whole"][0]["docs"] == 160
    assert len(built["whole"][0]["items"]) > 1000
    assert built["spilled"] == built["whole"]

    ix = whoosh_index.open_dir(str(tmp_path / "spilled"), indexname="MAIN")
    writer = FastSegmentWriter(ix, compound=False, segment_docs=30)
    for doc in documents[:70]:
        writer.add_document(**{**doc, "id": doc["id"] + "-again"})
    assert len(list((tmp_path / "spilled").glob("spill-*"))) == 1
    writer.cancel()
    assert not list((tmp_path / "spilled").glob("spill-*"))
    stale = tmp_path / "spilled" / "spill-MAIN-killedwriter" / "0"
    stale.mkdir(parents=True)
    FastSegmentWriter(ix, compound=False).cancel()
    assert not stale.parent.exists()
    assert ix.doc_count() == 160

"""The article store: every record's body and metadata in SQLite beside the inverted index.

Whoosh keeps only the id of an article (it caps stored data at 4 GiB per segment, and pickled stored fields
are slow to read); the record itself, as JSON, lives here in `articles.sqlite` of the index folder, with the
64-bit SimHash of its text, which a writer holds in memory (`_Fingerprints`) to find near-duplicates (reprints
of one story by other outlets) at add time. `index.whoosh.engine` writes here inside its one writer
lock, before committing Whoosh, so a reader never meets a hit whose record is missing. WAL mode lets readers
keep reading the last committed state while a long write runs. The JSON is stored zlib-compressed (a BLOB):
Cyrillic text takes two bytes a letter in UTF-8 and the store was 1.4x the article text (issue #9); stores
written before keep their JSON text rows, which are read as they are.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.models import Amount, Evidence, Record, Span

ZLIB_LEVEL = 1  # bench corpus records: 0.44x the text at 0.55 ms each; level 6: 0.38x at 1.1 ms (issue #9)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    group_id TEXT NOT NULL DEFAULT '',
    simhash INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_group ON articles(group_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def record_to_dict(record: Record) -> dict[str, Any]:
    """A record as plain JSON data (the SimHash left out: it has a column of its own)."""
    data: dict[str, Any] = {
        name: getattr(record, name)
        for name in Record.__dataclass_fields__
        if name not in ("amounts", "evidence", "simhash")
    }
    data["amounts"] = [
        {"value": a.value, "currency": a.currency, "kzt": a.kzt, "text": a.text, "start": a.start, "end": a.end}
        for a in record.amounts
    ]
    data["evidence"] = [
        {
            "facet": e.facet,
            "code": e.code,
            "score": e.score,
            "spans": [[s.start, s.end, s.text] for s in e.spans],
        }
        for e in record.evidence
    ]
    return data


def record_to_json(record: Record) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, separators=(",", ":"))


def record_to_blob(record: Record) -> bytes:
    return zlib.compress(record_to_json(record).encode("utf-8"), ZLIB_LEVEL)


def record_from_json(text: str | bytes) -> Record:
    """A record from its stored row: compressed JSON (bytes) or, in a store written before, JSON text."""
    if isinstance(text, bytes):
        text = zlib.decompress(text).decode("utf-8")
    return record_from_dict(json.loads(text))


def record_from_dict(data: dict[str, Any]) -> Record:
    """A record from `record_to_dict`'s data (which it consumes)."""
    amounts = [Amount(**a) for a in data.pop("amounts", [])]
    evidence = [
        Evidence(e["facet"], e["code"], [Span(*s) for s in e.get("spans", [])], e.get("score", 1.0))
        for e in data.pop("evidence", [])
    ]
    known = {k: v for k, v in data.items() if k in Record.__dataclass_fields__}
    return Record(**known, amounts=amounts, evidence=evidence)


class _Fingerprints:
    """Every article's SimHash in one numpy array, with its id, group and order: `ArticleStore.near` in memory.

    A near-duplicate search looks in a multi-index (Manku, Jain and Das Sarma, "Detecting near-duplicates for
    web crawling", WWW 2007): the 64 bits are cut into four 16-bit blocks, and two fingerprints within `max_bits`
    (8) of each other agree in some block to within `max_bits // 4` (2) bits. Each block's values are sorted
    once (`_Blocks`); a query reads the rows whose block value lies within 2 bits of its own (137 values a
    block) and checks their full distance. Rows added since the last sort, or changed, are checked one by one,
    and the blocks are sorted again when there are `RESORT` of them. At 1M articles this reads about 1% of the
    rows, where an XOR over all of them cost 2 ms an article; SimHash bands in SQLite were slower still, as
    news texts share vocabulary and band values collide (1.1 ms an article at 6,000 articles; issue #9).
    """

    RESORT = 16384  # rows checked one by one before the blocks are sorted again (a sort of 1M rows: ~0.2 s)

    def __init__(self, rows: Iterable[tuple[str, int, str, int]]) -> None:
        self.index: dict[str, int] = {}
        self.ids: list[str] = []
        self.groups: list[str] = []
        self.seqs: list[int] = []
        self.hashes = np.zeros(1024, dtype=np.uint64)
        self._blocks: _Blocks | None = None  # over rows [0, _blocks.rows)
        self._changed: list[int] = []  # sorted rows whose hash changed since: checked one by one
        for record_id, simhash, group_id, seq in rows:
            self.put(record_id, simhash, group_id, seq)

    def get(self, record_id: str) -> tuple[int, str, int] | None:
        i = self.index.get(record_id)
        return None if i is None else (int(self.hashes[i]), self.groups[i], self.seqs[i])

    def put(self, record_id: str, simhash: int, group_id: str, seq: int) -> None:
        i = self.index.get(record_id)
        if i is None:
            i = self.index[record_id] = len(self.ids)
            self.ids.append(record_id)
            self.groups.append(group_id)
            self.seqs.append(seq)
            if i >= len(self.hashes):
                self.hashes = np.concatenate([self.hashes, np.zeros(len(self.hashes), dtype=np.uint64)])
        else:
            self.groups[i] = group_id
            self.seqs[i] = seq
            if self._blocks is not None and i < self._blocks.rows and int(self.hashes[i]) != simhash:
                self._changed.append(i)
        self.hashes[i] = simhash

    def set_group(self, record_id: str, group_id: str) -> None:
        i = self.index.get(record_id)
        if i is not None:
            self.groups[i] = group_id

    def max_seq(self) -> int:
        return max(self.seqs, default=0)

    def near(self, simhash: int, max_bits: int, exclude: str) -> list[tuple[str, str, int, int]]:
        n = len(self.ids)
        query = np.uint64(simhash)
        radius = max_bits // _Blocks.COUNT
        if radius >= len(_Blocks.MASKS) or n < self.RESORT:
            rows = np.arange(n)  # few rows, or a radius the masks do not cover: every row
        else:
            blocks = self._blocks
            if blocks is None or n - blocks.rows + len(self._changed) >= self.RESORT:
                blocks = self._blocks = _Blocks(self.hashes[:n])
                self._changed = []
            rows = np.concatenate(
                [
                    blocks.rows_near(simhash, radius),
                    np.arange(blocks.rows, n),
                    np.asarray(self._changed, dtype=np.int64),
                ]
            )
        hashes = self.hashes[rows]
        distances = np.bitwise_count(hashes ^ query)
        hit = (distances <= max_bits) & (hashes != 0)
        close, first = np.unique(rows[hit], return_index=True)
        close_distances = distances[hit][first]
        return [
            (self.ids[i], self.groups[i], self.seqs[i], d)
            for i, d in zip(close.tolist(), close_distances.tolist(), strict=True)
            if self.ids[i] != exclude
        ]


class _Blocks:
    """The rows of a fingerprint array sorted by each of its four 16-bit blocks (`_Fingerprints`)."""

    COUNT = 4
    WIDTH = 16
    # The XOR masks of a block within r bits, for r = 0, 1, 2: 1, 17 and 137 masks.
    MASKS: tuple[np.ndarray, ...] = ()

    def __init__(self, hashes: np.ndarray) -> None:
        self.rows = len(hashes)
        size = 1 << self.WIDTH
        order = np.empty(self.COUNT * self.rows, dtype=np.int64)
        starts = np.empty(self.COUNT * size + 1, dtype=np.int64)
        for b in range(self.COUNT):
            values = ((hashes >> np.uint64(b * self.WIDTH)) & np.uint64(size - 1)).astype(np.int64)
            order[b * self.rows : (b + 1) * self.rows] = np.argsort(values, kind="stable")
            counts = np.bincount(values, minlength=size)
            starts[b * size : (b + 1) * size] = b * self.rows + np.cumsum(counts) - counts
        starts[-1] = len(order)
        self.order = order
        self.starts = starts

    def rows_near(self, simhash: int, radius: int) -> np.ndarray:
        """Rows some block of which is within `radius` bits of `simhash`'s (a row may come more than once)."""
        size = 1 << self.WIDTH
        keys = np.concatenate(
            [b * size + (((simhash >> (b * self.WIDTH)) & (size - 1)) ^ self.MASKS[radius]) for b in range(self.COUNT)]
        )
        lo = self.starts[keys]
        lengths = self.starts[keys + 1] - lo
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, dtype=np.int64)
        # positions lo[k] .. lo[k] + lengths[k] for every key, in one array
        offsets = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        return self.order[offsets]


def _masks(width: int, upto: int) -> tuple[np.ndarray, ...]:
    """For r = 0 .. upto, every `width`-bit XOR mask of at most r bits."""
    return tuple(
        np.asarray(
            [sum(1 << i for i in bits) for k in range(r + 1) for bits in itertools.combinations(range(width), k)],
            dtype=np.int64,
        )
        for r in range(upto + 1)
    )


_Blocks.MASKS = _masks(_Blocks.WIDTH, 2)


class ArticleStore:
    """SQLite table of records; one connection per thread (sqlite3 connections are not shared)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._prints: _Fingerprints | None = None  # every SimHash in memory, once near() or a write needs them
        self._prints_version = -1
        self._next_seq = 1
        if not readonly:
            conn = self._conn()
            conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    # ------------------------------------------------------------------ reading
    def get(self, record_id: str) -> Record | None:
        row = self._conn().execute("SELECT data, group_id FROM articles WHERE id = ?", (record_id,)).fetchone()
        return self._record(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        conn = self._conn()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row_id, data, group_id in conn.execute(
                f"SELECT id, data, group_id FROM articles WHERE id IN ({marks})", chunk
            ):
                out[row_id] = self._record((data, group_id))
        return out

    @staticmethod
    def _record(row: tuple[str | bytes, str]) -> Record:
        record = record_from_json(row[0])
        record.group_id = row[1]  # the column is the truth: a later reprint may have opened the group
        return record

    def group(self, group_id: str) -> list[Record]:
        if not group_id:
            return []
        rows = (
            self._conn()
            .execute("SELECT data, group_id FROM articles WHERE group_id = ? ORDER BY seq", (group_id,))
            .fetchall()
        )
        return [self._record(row) for row in rows]

    def count(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM articles").fetchone()[0])

    def version(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def iter_ids(self) -> Iterator[str]:
        for (row_id,) in self._conn().execute("SELECT id FROM articles ORDER BY seq"):
            yield row_id

    def near(self, simhash: int, max_bits: int, exclude: str) -> list[tuple[str, str, int, int]]:
        """Articles whose SimHash is within `max_bits` of `simhash`: (id, group_id, seq, distance)."""
        if simhash == 0:
            return []
        return self._fingerprints().near(simhash, max_bits, exclude)

    def has(self, record_id: str) -> bool:
        """Whether the store holds this id (in a write: what this write has put too)."""
        return self._fingerprints().get(record_id) is not None

    def _fingerprints(self) -> _Fingerprints:
        """The fingerprints of the committed store, loaded once and kept in step by this process's writes."""
        version = self.version()
        if self._prints is None or (self._prints_version != version and not self._conn().in_transaction):
            rows = self._conn().execute("SELECT id, simhash, group_id, seq FROM articles ORDER BY seq").fetchall()
            self._prints = _Fingerprints((i, _unsigned(h), g, q) for i, h, g, q in rows)
            self._prints_version = version
        return self._prints

    # ------------------------------------------------------------------ writing (inside the index's writer lock)
    def begin(self) -> None:
        self._conn().execute("BEGIN IMMEDIATE")
        # Inside the write lock: another process's commit since the fingerprints were loaded is seen here.
        if self._prints_version != self.version():
            self._prints = None
        self._next_seq = 1 + self._fingerprints().max_seq()

    def commit(self) -> None:
        conn = self._conn()
        conn.execute(
            "INSERT INTO meta(key, value) VALUES('version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        conn.execute("COMMIT")
        self._prints_version = self.version()

    def rollback(self) -> None:
        conn = self._conn()
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        self._prints = None  # they may hold records that were not committed

    def put(self, record: Record, simhash: int) -> None:
        """Insert or replace a record; between `begin` and `commit`."""
        prints = self._fingerprints()
        known = prints.get(record.id)
        if known is not None:
            seq = known[2]
        else:
            seq = self._next_seq
            self._next_seq += 1
        self._conn().execute(
            "INSERT OR REPLACE INTO articles(id, seq, group_id, simhash, source, data) VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, seq, record.group_id, _signed(simhash), record.source, record_to_blob(record)),
        )
        prints.put(record.id, simhash, record.group_id, seq)

    def set_group(self, ids: Iterable[str], group_id: str) -> None:
        ids = list(ids)
        self._conn().executemany("UPDATE articles SET group_id = ? WHERE id = ?", [(group_id, i) for i in ids])
        if self._prints is not None:
            for record_id in ids:
                self._prints.set_group(record_id, group_id)

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

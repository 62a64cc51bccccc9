"""`WhooshIndex`: the `SearchIndex` of `index/__init__.py` on Whoosh (inverted index) and SQLite (records).

Layout of the index folder: `whoosh/` (segments, table of contents) and `articles.sqlite` (`index.store`).
Writes go through one writer at a time: `add` takes Whoosh's write lock, retrying on LockError until a
deadline, writes the records to SQLite, then the documents to Whoosh, and commits SQLite before Whoosh, so
that every document a reader can find has its record. Reprint groups are assigned here, at add time, from the
SimHash of `crawler.dedup`. Postings are written by `writer.FastSegmentWriter` (Whoosh's segment format,
without Whoosh's per-posting pool); a long load spills its postings to disk every `SEGMENT_DOCS` documents and
ends as one segment.

Readers borrow a searcher from a pool for the length of one call (a Whoosh searcher serves one thread at a
time) and a stale one is replaced when the index's generation changes; until a writer commits they keep
seeing the old index (Whoosh segments are immutable, SQLite runs in WAL mode). Search itself (parsing, facets
on numpy arrays, snippets) is in `index.whoosh.search` (`WhooshSearch`, mixed in here).

A search needs the facet columns of its generation (`Columns`, seconds to build at a million articles). A
serving process calls `warm()`: it builds them before the first request, then a warmer thread builds them for
each new generation as it appears, with a searcher of its own and outside the index's lock; until they are ready,
requests answer from the generation before. A pre-forking server's parent builds them once and hands them down
to its workers (`hand_down`). A rebuilt folder swapped in by `searchapp reindex` is opened and warmed
beside the old one; requests keep answering from the old folder (the pool's searchers hold its segments open)
until the new one is ready. A request that finds no idle searcher of the old folder waits for one, or for the
swap, at most `WARM_WAIT` seconds, then opens the new folder itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import pickle
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from crawler.dedup import simhash
from index import SearchIndex, SearchIndexError
from index.document import MAX_GROUP_BITS, index_document
from index.models import Record
from index.parse import QueryBuilder
from index.schema import FACET_FIELDS, TEXT_FIELDS, build_schema
from index.store import ArticleStore
from index.whoosh.columns import Columns, SegmentPart
from index.whoosh.evaluate import warm_lengths
from index.whoosh.ranking import RecencyBM25F
from index.whoosh.search import WhooshSearch
from index.whoosh.writer import SEGMENT_DOCS, FastSegmentWriter

__all__ = ["WhooshIndex"]

# Facet columns a pre-forking server's parent built before it forked its workers (`hand_down`): the first index
# a worker opens starts with them (keyed by folder and generation, so another folder never matches) and the
# workers share their pages copy-on-write instead of each building and holding its own.
_HANDED_DOWN: dict[Any, Any] = {}


def _simhash(text: str) -> int:
    return int(simhash(text))


INDEX_NAME = "MAIN"
LOCK_TIMEOUT = 120.0  # seconds a writer waits for another writer before giving up
WARM_POLL = 0.5  # seconds between the warmer's looks for a new generation or a rebuilt folder
WARM_WAIT = 1.0  # longest a request waits for the warmer's swap to a rebuilt folder
FOLDER_ATTR = "_searchapp_folder"  # on each searcher: the identity of the folder it reads
log = logging.getLogger(__name__)
DAMAGE = (EOFError, OSError, pickle.UnpicklingError, struct.error, zlib.error, whoosh_index.IndexError)


def damaged(path: Path, exc: BaseException) -> SearchIndexError:
    return SearchIndexError(
        f"the index in {path} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); "
        "if it is damaged, rebuild it from the archive with `searchapp reindex`"
    )


def drop_handed_down() -> None:
    """Forget the columns `hand_down` left (the parent, once its workers have forked with them)."""
    _HANDED_DOWN.clear()


class WhooshIndex(WhooshSearch, SearchIndex):
    """The index of one data folder's `index/` directory."""

    def __init__(self, path: Path, *, readonly: bool = False, segment_docs: int = SEGMENT_DOCS) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.segment_docs = segment_docs
        self._whoosh_dir = self.path / "whoosh"
        try:
            if readonly and not (
                whoosh_index.exists_in(str(self._whoosh_dir), indexname=INDEX_NAME)
                and (self.path / "articles.sqlite").exists()
            ):
                raise SearchIndexError(f"there is no index in {self.path} yet: crawl or reindex first")
            if not readonly:
                self._create()
            self._ix = whoosh_index.open_dir(str(self._whoosh_dir), indexname=INDEX_NAME, readonly=readonly)
        except DAMAGE as exc:
            raise damaged(self.path, exc) from exc
        self.schema = self._ix.schema
        self.store = ArticleStore(self.path / "articles.sqlite", readonly=readonly)
        self._identity = (0, 0)
        self._identity = self._folder_identity()
        self._queries = QueryBuilder(self.schema)
        self._local = threading.local()
        self._searchers: list[Any] = []  # every open searcher, for close()
        self._idle: list[tuple[tuple[int, int], Any]] = []  # (folder identity, searcher) not lent out
        self._lock = threading.Lock()
        self._columns: dict[Any, Columns] = {}
        self._parts: dict[Any, SegmentPart] = {}  # per-segment arrays, reused across generations
        if _HANDED_DOWN.get("folder") == self._identity:  # left by `hand_down`: the first index takes them
            self._columns, self._parts = _HANDED_DOWN.pop("columns"), _HANDED_DOWN.pop("parts")
            _HANDED_DOWN.clear()
        self._closed = False
        # Stores of replaced folders, closed two replacements later: a request that took the store just before
        # a reindex swapped the folder finishes on it (closing it at once failed that request with a 500).
        self._retired: list[ArticleStore] = []
        self._warmer: threading.Thread | None = None
        self._stop = threading.Event()
        self._swapped = threading.Condition(self._lock)  # a swap, or a searcher given back
        self._building = threading.Lock()  # one build of columns at a time, outside `_lock`

    def _create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._whoosh_dir.mkdir(exist_ok=True)
        # Two processes opening a fresh data folder at once must not both create the index.
        with open(self.path / ".create.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if not whoosh_index.exists_in(str(self._whoosh_dir), indexname=INDEX_NAME):
                    whoosh_index.create_in(str(self._whoosh_dir), build_schema(), indexname=INDEX_NAME)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------------------------------------ writing
    def _writer(self, copy_blocks: bool = False) -> Any:
        # compound=False: Whoosh copies a compound segment file into memory in every reader that opens it
        # (BufferFile), i.e. once per searcher thread: the server held 2.7 GB at 10k articles. Separate segment
        # files are read through the OS cache: 192 MB (bench/, issue #9).
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                return FastSegmentWriter(
                    self._ix,
                    segment_docs=self.segment_docs,
                    copy_blocks=copy_blocks,
                    timeout=1.0,
                    delay=0.05,
                    compound=False,
                )
            except whoosh_index.LockError:
                if time.monotonic() > deadline:
                    raise SearchIndexError(
                        f"the index is being written by another process for over {LOCK_TIMEOUT:.0f} s; try again later"
                    ) from None

    def add(self, records: Iterable[Record]) -> int:
        if self.readonly:
            raise SearchIndexError("this index was opened read-only")
        iterator = iter(records)
        first = next(iterator, None)
        if first is None:
            return 0
        writer = self._writer()
        written = 0
        seen: set[str] = set()
        neutral = "body_other" in self.schema  # an index written before the neutral fields has none
        try:
            self.store.begin()
            for record in itertools.chain([first], iterator):
                # A new article needs nothing replaced: add_document skips update_document's lookup of the id
                # in every segment (most of a small batch's cost once there are many). Whoosh never holds an id
                # the store lacks (the store commits first); an id met twice in one add() replaces only what
                # was committed before.
                new = not self.store.has(record.id) and record.id not in seen
                simhash = record.simhash if record.simhash is not None else _simhash(record.text)
                self._assign_group(record, simhash)
                self.store.put(record, simhash)
                document = index_document(record, neutral)
                if new:
                    writer.add_document(**document)
                else:
                    writer.update_document(**document)
                seen.add(record.id)
                written += 1
        except BaseException:
            self.store.rollback()
            writer.cancel()
            raise
        self.store.commit()  # records first: a document Whoosh shows always has its record
        writer.commit()
        if writer.rolled:
            # A bulk load cut into segments (only where the writer cannot spill: a storage without a folder):
            # one segment searches about twice as fast as ten (bench/, issue #9).
            self.optimize()
        return written

    def optimize(self) -> None:
        """Merge the index into one segment, copying posting blocks (`FastSegmentWriter(copy_blocks=True)`)."""
        if self.readonly:
            raise SearchIndexError("this index was opened read-only")
        if len(self._ix._segments()) < 2:
            return
        writer = self._writer(copy_blocks=True)
        try:
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            raise

    def _assign_group(self, record: Record, simhash: int) -> None:
        near = self.store.near(simhash, MAX_GROUP_BITS, exclude=record.id)
        if not near:
            record.group_id = ""
            return
        # The group of the closest, then oldest, article; a lone article opens its group with its own id.
        near.sort(key=lambda row: (row[3], row[2]))
        other_id, other_group, _seq, _distance = near[0]
        group_id = other_group or other_id
        if not other_group:
            self.store.set_group([other_id], group_id)
        record.group_id = group_id

    # ------------------------------------------------------------------------------------------ reading
    def _folder_identity(self) -> tuple[int, int]:
        """Which index folder `path` names now: `searchapp reindex` builds a new one and renames it into place."""
        try:
            stat = os.stat(self.path / "articles.sqlite")
        except FileNotFoundError:
            return self._identity
        return (stat.st_dev, stat.st_ino)

    def _follow_replacement(self, force: bool = False) -> bool:
        """Reopen Whoosh and SQLite when the folder was replaced by a rebuilt index; open files keep the old.

        With a warmer running (and not `force`), the warmer does it once the new folder is warm: returns True
        while such a replacement is pending, the old folder still in use."""
        identity = self._folder_identity()
        if identity == self._identity:
            return False
        if self._warmer is not None and self._warmer.is_alive() and not force:
            return True
        with self._lock:
            if identity == self._identity:
                return False
            ix = self._retry(self._open_whoosh)
            self._install(identity, ix, ArticleStore(self.path / "articles.sqlite", readonly=self.readonly), {}, {})
        return False

    def _open_whoosh(self) -> Any:
        return whoosh_index.open_dir(str(self._whoosh_dir), indexname=INDEX_NAME, readonly=self.readonly)

    def _install(
        self,
        identity: tuple[int, int],
        ix: Any,
        store: ArticleStore,
        columns: dict[Any, Columns],
        parts: dict[Any, SegmentPart],
    ) -> None:
        """Make a rebuilt folder's Whoosh index and store the current ones (the caller holds the lock)."""
        self._retired.append(self.store)
        self._ix, self.store, self._identity = ix, store, identity
        self._columns, self._parts = columns, parts
        done = self._retired[:-_KEEP_RETIRED]
        del self._retired[:-_KEEP_RETIRED]
        self._swapped.notify_all()
        for old in done:
            old.close()

    # ------------------------------------------------------------------------------------------ warming
    def warm(self) -> None:
        """Build the current generation's facet columns now, then keep each new generation's ready in a thread."""
        if self._closed:
            raise SearchIndexError("the index is closed")
        with self._borrow() as searcher:
            self._cols(searcher)
        with self._lock:
            if self._warmer is None:
                self._warmer = threading.Thread(target=self._keep_warm, name="index-warmer", daemon=True)
                self._warmer.start()

    def hand_down(self) -> None:
        """Build the current generation's columns and leave them to the next index this process, or a process
        forked from it, opens (`searchapp serve` calls it in the parent before forking its workers)."""
        with self._borrow() as searcher:
            self._cols(searcher)
        _HANDED_DOWN.update(folder=self._identity, columns=dict(self._columns), parts=dict(self._parts))

    def _keep_warm(self) -> None:
        while not self._stop.wait(WARM_POLL):
            try:
                identity = self._folder_identity()
                if identity != self._identity:
                    self._prepare_replacement(identity)
                else:
                    self._warm_latest()
            except (SearchIndexError, *DAMAGE) as exc:  # a folder caught mid-swap: the next look sees it whole
                log.debug("index warmer: %s", exc)
            except Exception:  # the warmer must outlive any one failure, or a swap would wait for it forever
                log.exception("index warmer")

    def _warm_latest(self) -> None:
        """Build the newest generation's columns with a searcher of its own, then lend that searcher to requests;
        meanwhile they keep answering from the previous generation (`_take`)."""
        with self._lock:
            identity, ix = self._identity, self._ix
        if self._has_columns(identity, ix.latest_generation()):
            return
        searcher = self._open_searcher(identity, ix)
        try:
            self._cols(searcher)
        finally:
            self._give_back(identity, searcher)

    def _has_columns(self, identity: tuple[int, int], generation: int) -> bool:
        return any(key[0] == identity and key[1] == generation for key in self._columns)

    def _warming_newer(self, identity: tuple[int, int]) -> bool:
        """A newer generation is committed and the warmer has not built its columns yet (a request then answers
        from the previous one rather than build them itself: seconds at a million articles)."""
        warmer = self._warmer
        if warmer is None or not warmer.is_alive() or warmer is threading.current_thread():
            return False
        return not self._has_columns(identity, self._ix.latest_generation())

    def _prepare_replacement(self, identity: tuple[int, int]) -> None:
        """Open and warm a rebuilt folder beside the old one, then swap it in."""
        started = time.monotonic()
        ix = self._retry(self._open_whoosh)
        store = ArticleStore(self.path / "articles.sqlite", readonly=self.readonly)
        searcher = self._retry(lambda: ix.searcher(weighting=_weighting()))
        setattr(searcher, FOLDER_ATTR, identity)
        reader = searcher.reader()
        parts: dict[Any, SegmentPart] = {}
        cols = self._build_columns(searcher, parts)
        key = (identity, reader.generation(), reader.doc_count_all(), reader.doc_count())
        with self._lock:
            current = self._identity == identity or self._folder_identity() != identity
            if not current:
                self._install(identity, ix, store, {key: cols}, parts)
                self._searchers.append(searcher)
                self._idle.append((identity, searcher))
        if current:  # a request swapped first, or the folder was replaced again meanwhile
            with contextlib.suppress(Exception):
                searcher.close()
            store.close()
            return
        log.info("index: a rebuilt folder is in use, warmed in %.1f s", time.monotonic() - started)

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[Any]:
        """A searcher of the index in use, lent to this thread for the length of the block."""
        if self._closed:
            raise SearchIndexError("the index is closed")
        try:
            identity, searcher = self._take()
        except DAMAGE as exc:
            raise damaged(self.path, exc) from exc
        try:
            yield searcher
        finally:
            self._give_back(identity, searcher)

    def _give_back(self, identity: tuple[int, int], searcher: Any) -> None:
        """A lent searcher back into the pool; one of a replaced folder is closed."""
        with self._lock:
            if identity == self._identity and not self._closed:
                self._idle.append((identity, searcher))
                self._swapped.notify_all()
                return
        self._forget(searcher)

    def _searcher(self) -> Any:
        """A searcher of the index in use kept out of the pool, for tests and tools that read the segments
        beside the engine; it is closed with the index."""
        if self._closed:
            raise SearchIndexError("the index is closed")
        try:
            return self._take()[1]
        except DAMAGE as exc:
            raise damaged(self.path, exc) from exc

    def _take(self) -> tuple[tuple[int, int], Any]:
        pending = self._follow_replacement()
        deadline = time.monotonic() + WARM_WAIT
        stale: list[Any] = []
        with self._lock:
            while True:
                stale += [s for i, s in self._idle if i != self._identity]
                self._idle = [(i, s) for i, s in self._idle if i == self._identity]
                if self._idle:
                    identity, searcher = self._idle.pop()
                    break
                if not pending or self._identity == self._folder_identity():
                    identity, searcher = self._identity, None
                    break
                # A rebuilt folder is warming: wait for an old-folder searcher to come back, or for the swap.
                left = deadline - time.monotonic()
                if left <= 0:
                    identity, searcher = self._identity, None
                    break
                self._swapped.wait(left)
        for old in stale:
            self._forget(old)
        if searcher is not None and (pending or searcher.up_to_date() or self._warming_newer(identity)):
            # (while a swap is pending, up_to_date would read the new folder's table of contents)
            return identity, searcher
        if searcher is not None:
            # A new searcher, not searcher.refresh(): refresh reuses the readers of unchanged segments, and a
            # reused reader misses deletions committed since (a replaced record would be counted twice).
            self._forget(searcher)
        elif pending and self._folder_identity() != self._identity:
            log.info("index: a request opens the rebuilt folder before the warmer is done")
            self._follow_replacement(force=True)
        with self._lock:
            identity, ix = self._identity, self._ix
        return identity, self._open_searcher(identity, ix)

    def _open_searcher(self, identity: tuple[int, int], ix: Any) -> Any:
        """A new searcher of `ix` (the folder of `identity`), closed with the index."""
        searcher = self._retry(lambda: ix.searcher(weighting=_weighting()))
        setattr(searcher, FOLDER_ATTR, identity)
        with self._lock:
            self._searchers.append(searcher)
        return searcher

    def _forget(self, searcher: Any) -> None:
        with self._lock:
            self._searchers = [s for s in self._searchers if s is not searcher]
        with contextlib.suppress(Exception):
            searcher.close()

    @staticmethod
    def _retry(fn: Any) -> Any:
        # A commit may delete a merged segment just as a reader opens it: try again on the next TOC.
        for attempt in range(20):
            try:
                return fn()
            except OSError:
                if attempt == 19:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _cols(self, searcher: Any) -> Columns:
        reader = searcher.reader()
        folder = getattr(searcher, FOLDER_ATTR, self._identity)
        key = (folder, reader.generation(), reader.doc_count_all(), reader.doc_count())
        cols = self._columns.get(key)
        if cols is None:
            # built outside `_lock`: other threads meanwhile borrow and give back searchers, and answer
            with self._building:
                cols = self._columns.get(key)
                if cols is None:
                    cols = self._build_columns(searcher, self._parts)
                    with self._lock:
                        # this generation and the one before (threads still on it during a swap)
                        self._columns = {**dict(list(self._columns.items())[-1:]), key: cols}
        return cols

    @staticmethod
    def _build_columns(searcher: Any, parts: dict[Any, SegmentPart]) -> Columns:
        """A generation's facet columns, and the text fields' lengths every scored query reads."""
        cols = Columns.build(searcher.reader(), FACET_FIELDS, parts)
        warm_lengths(searcher, cols.size, cols.cache, TEXT_FIELDS)
        return cols

    def generation(self) -> str:
        self._follow_replacement()
        return f"{self._identity[1]}.{self._ix.latest_generation()}.{self.store.version()}"

    def count(self) -> int:
        with self._borrow() as searcher:
            return int(searcher.doc_count())

    def get(self, record_id: str) -> Record | None:
        self._follow_replacement()
        return self.store.get(record_id)

    def group(self, group_id: str) -> list[Record]:
        self._follow_replacement()
        records = self.store.group(group_id)
        if not records:
            record = self.store.get(group_id)
            return [record] if record else []
        return records

    def close(self) -> None:
        self._closed = True
        self._stop.set()
        if self._warmer is not None and self._warmer is not threading.current_thread():
            self._warmer.join(timeout=10)
        with self._lock:
            for searcher in self._searchers:
                with contextlib.suppress(Exception):
                    searcher.close()
            self._searchers.clear()
            self._idle.clear()
            retired, self._retired = self._retired, []
        for store in retired:
            store.close()
        self.store.close()


_KEEP_RETIRED = 2


def _weighting() -> RecencyBM25F:
    return RecencyBM25F(**{f"{name}_B": 0.5 for name in TEXT_FIELDS if name.startswith("title_")})

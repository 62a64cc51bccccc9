"""The pipeline: crawl -> archive -> extract -> ingest -> index, and reindex from the archive alone.

`crawl()` runs the crawler (`crawler.crawl.Crawler`) with an `IndexSink` that sends each archived article
page through `crawler.extract.extract` and `index.ingest.to_record` (`index.ingest.record_of`, in a worker
process of `crawler.workers` where there is a second core) into the index, in batches committed every
`COMMIT_EVERY` pages and at the end (the crawler marks pages delivered only after a commit, so a killed
crawl re-delivers the rest on restart). `reindex()` rebuilds the index in a new folder from the WARC archive
(the latest response per URL, the pages the crawl treated as articles) and swaps it in when it is complete,
so searches answer from the old index until then. Used by `searchapp crawl`, `reindex`, `watch`, `demo` and
the admin actions of the web app.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import sqlite3
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.archive import ArchiveWriter, iter_responses, read_record
from crawler.crawl import CrawlConfig, Crawler, CrawlStats, check_delays
from crawler.errors import CrawlerError
from crawler.frontier import Frontier
from crawler.models import Fetched
from crawler.progress import Progress
from crawler.sources import Source, command_line_source
from crawler.workers import WorkerLost, WorkerPool
from index import REBUILT_MARK, SearchIndex, SearchIndexError, open_index
from index.config import EngineConfig
from index.ingest import record_of
from index.models import Record
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.settings import load_settings

# Pages per index commit. A commit's segment costs per distinct term, and most terms of a small segment are its
# own: an article cost 7.9 ms CPU to index in commits of 200, 6.4 ms in one of 2,000 (index/whoosh/writer.py); but
# commits of 500 took the full crawl benchmark from 293 to 340 MB (issue #3 allows 300).
COMMIT_EVERY = 200
# Extraction and enrichment run in a worker process where there is a second core (0: in the crawl's process).
EXTRACT_WORKERS = 1 if (os.cpu_count() or 1) > 1 else 0


@dataclass(slots=True)
class CrawlSummary:
    stats: CrawlStats
    indexed: int = 0
    no_article: dict[str, int] = field(default_factory=dict)  # extraction's reasons, counted

    def __str__(self) -> str:
        return f"{self.stats}; {self.indexed} articles indexed"


@dataclass(slots=True)
class ReindexSummary:
    responses: int = 0  # response records read
    pages: int = 0  # article pages (latest per URL) sent to extraction
    indexed: int = 0
    duplicates: int = 0
    damage: list[str] = field(default_factory=list)
    no_article: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        damaged = f", {len(self.damage)} damaged archive file(s) skipped in part" if self.damage else ""
        return (
            f"{self.responses} archived responses, {self.pages} article pages, {self.indexed} articles indexed{damaged}"
        )


class IndexSink:
    """The crawler's sink: extraction and enrichment in a worker process, the index in batches, in order.

    `page` hands a page to the worker (at most two batches are out at once); `advance` collects what the worker
    has finished, adds a batch to the index once `batch` records are ready, and says how many of the pages
    handed over so far are durable (indexed, or holding no article); `commit` waits for them all. The crawler
    marks pages delivered by that count, so a killed crawl delivers the rest again on restart. With
    `workers=0`, extraction runs in this process. `close` stops the worker.
    """

    def __init__(self, index: SearchIndex, batch: int = COMMIT_EVERY, workers: int | None = None) -> None:
        workers = EXTRACT_WORKERS if workers is None else workers
        self.index = index
        self.batch_size = batch
        self.indexed = 0
        self.no_article: Counter[str] = Counter()
        self.in_flight = 2 * batch  # pages out at the worker at most: it has work while a batch is indexed
        self._pool = WorkerPool(workers, warm_up="index.ingest:warm_up") if workers > 0 else None
        self._out: deque[Future[Record | str]] = deque()  # handed to the worker, in order
        self._ready: list[Record] = []  # back from the worker, not yet in the index
        self._taken = 0  # pages back from extraction (in order)
        self._durable = 0

    def page(self, fetched: Fetched, source: Source | None) -> None:
        rules: dict[str, Any] | None = dict(source.rules) if source is not None and source.rules else None
        if self._pool is None:
            self._take(record_of(fetched, rules))
        else:
            self._out.append(self._pool.submit(record_of, fetched, rules))
            while len(self._out) > self.in_flight:
                self._take(self._out.popleft().result())
        self.advance()

    def advance(self) -> int:
        while self._out and self._out[0].done():
            self._take(self._out.popleft().result())
        if len(self._ready) >= self.batch_size:
            self._add()
        return self._durable

    def commit(self) -> None:
        while self._out:
            self._take(self._out.popleft().result())
        self._add()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close(cancel=True)
            self._pool = None
        self._out.clear()

    def _take(self, outcome: Record | str) -> None:
        self._taken += 1
        if isinstance(outcome, str):
            self.no_article[outcome] += 1
            if not self._ready:  # everything before it is in the index
                self._durable = self._taken
        else:
            self._ready.append(outcome)

    def _add(self) -> None:
        if self._ready:
            self.indexed += self.index.add(self._ready)
            self._ready = []
        self._durable = self._taken


def _save_rules(frontier: Frontier, sources: Iterable[Source]) -> None:
    """Keep each source's extraction rules beside the frontier, so reindex extracts as the crawl did."""
    frontier.db.execute("CREATE TABLE IF NOT EXISTS source_rules (id TEXT PRIMARY KEY, rules TEXT NOT NULL)")
    with frontier.transaction():
        for source in sources:
            frontier.db.execute(
                "INSERT OR REPLACE INTO source_rules (id, rules) VALUES (?, ?)", (source.id, json.dumps(source.rules))
            )


def _disk_full(exc: BaseException | None) -> bool:
    """A write failed for lack of room: no space, over quota, or over a file size limit (also as SQLite says it)."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        if isinstance(exc, sqlite3.OperationalError) and ("full" in str(exc) or "disk I/O" in str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


DISK_FULL = "the disk is full (or a file size limit was reached): the crawl stopped; free some space and run it again"


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Ask glibc for at most `arenas` malloc arenas in this process (M_ARENA_MAX), unless the environment chose.

    A crawl runs a thread per host beside the index writer; glibc gives threads arenas of their own (up to 8
    per core), each holding on to its own free memory. Issue #3 bounds the pipeline's memory. No-op off glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-8, arenas)  # M_ARENA_MAX


def crawl(
    paths: DataPaths,
    sources: Iterable[Source],
    *,
    max_pages: int | None = None,
    delay: float | None = None,
    settings: Mapping[str, Any] | None = None,
    extra_start_urls: Iterable[str] = (),
    progress: bool = True,
    revisit_all: bool = False,
) -> CrawlSummary:
    """Crawl `sources` (plus URLs named on the command line) into the archive and the index.

    Known pages are revisited when their schedule says (`crawler.revisit`), all of them with `revisit_all`."""
    limit_malloc_arenas()
    values = dict(settings) if settings is not None else load_settings({"data": str(paths.root)})
    try:
        chosen = list(sources) + command_line_source(list(extra_start_urls))
        if not chosen:
            raise CrawlerError("no sources to crawl: name URLs or give a sources file")
        pace = float(values["crawl_delay"] if delay is None else delay)
        if pace < 0:
            raise CrawlerError("--delay must be 0 or more seconds")
        if max_pages is not None and max_pages < 1:
            raise CrawlerError("--max-pages must be at least 1")
        check_delays(pace, chosen)
    except CrawlerError as exc:
        raise AppError(str(exc)) from exc
    config = CrawlConfig(
        user_agent=values["user_agent"],
        delay=pace,
        max_bytes=int(values["max_page_bytes"]),
        deadline=float(values["fetch_timeout"]),
        max_pages=max_pages,
        commit_every=COMMIT_EVERY,
        revisit_all=revisit_all,
    )
    try:
        recover_swap(paths)
        paths.ensure()
        frontier = Frontier(paths.frontier)
    except (OSError, sqlite3.Error) as exc:
        raise AppError(f"cannot open the data folder {paths.root}: {exc}") from exc
    writer: ArchiveWriter | None = None
    index: SearchIndex | None = None
    sink: IndexSink | None = None
    failed = True
    try:
        writer = ArchiveWriter(paths.archive)
        index = open_index(paths.index)
        _save_rules(frontier, chosen)
        sink = IndexSink(index)
        with Progress("crawl", enabled=progress) as line:
            crawler = Crawler(chosen, frontier, writer, config, sink, line)
            stats = crawler.run()
            summary = CrawlSummary(stats, sink.indexed, dict(sink.no_article))
            line.finish(f"crawl: {summary}")
        failed = False
        return summary
    except (CrawlerError, SearchIndexError, OSError, sqlite3.Error) as exc:
        if _disk_full(exc):
            raise AppError(DISK_FULL) from exc
        if isinstance(exc, WorkerLost):
            raise AppError(f"{exc}; the crawl stopped, nothing is lost: run it again") from exc
        if isinstance(exc, CrawlerError | SearchIndexError):
            raise AppError(str(exc)) from exc
        raise
    finally:
        # After a failure, closing may fail the same way (a full disk): the first error is the one to report.
        for closer in (sink, writer, index, frontier):
            if closer is None:
                continue
            try:
                closer.close()
            except (OSError, sqlite3.Error):
                if not failed:
                    raise


def _load_rules(paths: DataPaths) -> dict[str, dict[str, Any]]:
    if not paths.frontier.exists():
        return {}
    db = sqlite3.connect(f"file:{paths.frontier}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id, rules FROM source_rules").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()
    return {str(i): json.loads(r) for i, r in rows}


def _source_of_urls(paths: DataPaths) -> dict[str, str]:
    if not paths.frontier.exists():
        return {}
    db = sqlite3.connect(f"file:{paths.frontier}?mode=ro", uri=True)
    try:
        return {str(u): str(s) for u, s in db.execute("SELECT url, source FROM urls WHERE role = 'article'")}
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()


def reindex(paths: DataPaths, *, progress: bool = True, workers: int = 1) -> ReindexSummary:
    """Rebuild the index from the archive alone (no network): the latest response per URL, analysed by
    `workers` processes (on OpenSearch each also loads its share into the cluster: `reindex_cluster`)."""
    summary = ReindexSummary()
    if not 1 <= workers <= 64:
        raise AppError("--workers must be from 1 to 64")
    try:
        engine = EngineConfig.from_env()
    except SearchIndexError as exc:
        raise AppError(str(exc)) from exc
    if not paths.archive.is_dir() or not any(paths.archive.iterdir()):
        raise AppError(f"nothing to reindex: the archive {paths.archive} is empty; run `searchapp crawl` first")
    recover_swap(paths)
    rules = _load_rules(paths)
    source_of = _source_of_urls(paths)
    latest: dict[str, tuple[str, int, str]] = {}  # url -> (warc_file, offset, body hash)
    with Progress("reindex: reading the archive", enabled=progress) as line:
        for item in iter_responses(paths.archive, on_damage=summary.damage.append):
            summary.responses += 1
            line.advance()
            fetched = item.fetched
            if item.role != "article" or fetched.status != 200 or item.truncated or not fetched.body.strip():
                continue
            digest = hashlib.sha1(fetched.body).hexdigest()
            latest.pop(fetched.url, None)  # re-insert: dict order becomes the order of the latest fetches
            latest[fetched.url] = (fetched.warc_file, fetched.warc_offset, digest)
        line.finish(f"reindex: {summary.responses} responses read")
    if engine.engine == "opensearch":
        return _reindex_cluster(paths, engine, latest, rules, source_of, workers, progress, summary)
    new_dir = paths.index.parent / (paths.index.name + ".new")
    shutil.rmtree(new_dir, ignore_errors=True)
    index = open_index(new_dir)
    sink: IndexSink | None = None
    try:
        # Larger batches than a crawl's: nothing searches the new index before the swap.
        sink = IndexSink(index, batch=COMMIT_EVERY * 4, workers=workers if workers > 1 else None)
        owners: dict[str, str] = {}
        with Progress("reindex", total=len(latest), enabled=progress) as line:
            for url, (warc_file, offset, digest) in latest.items():
                line.advance()
                if owners.setdefault(digest, url) != url:
                    summary.duplicates += 1
                    continue
                fetched = read_record(paths.archive, warc_file, offset)
                source_rules = rules.get(source_of.get(url, ""), {})
                sink.page(fetched, Source(id="archive", name="archive", rules=source_rules))
                summary.pages += 1
            sink.commit()
            summary.indexed = sink.indexed
            summary.no_article = dict(sink.no_article)
            line.finish(f"reindex: {summary}")
        if progress:
            Progress("reindex", enabled=True).say("reindex: merging the new index into one segment")
        index.optimize()
    except WorkerLost as exc:
        raise AppError(f"{exc}; the reindex stopped, the index in use is unchanged: run it again") from exc
    finally:
        if sink is not None:
            sink.close()
        index.close()
    swap_in(paths, new_dir)
    return summary


def swap_in(paths: DataPaths, new_dir: Path) -> None:
    """Put a complete rebuilt index folder (`index.new`) in the place of the index; servers follow it."""
    (new_dir / REBUILT_MARK).touch()  # complete: a kill during the swap is finished by the next open_index
    _swap(paths.index, new_dir, paths.index.parent / (paths.index.name + ".old"))


def _reindex_cluster(
    paths: DataPaths,
    engine: EngineConfig,
    latest: dict[str, tuple[str, int, str]],
    rules: dict[str, dict[str, Any]],
    source_of: dict[str, str],
    workers: int,
    progress: bool,
    summary: ReindexSummary,
) -> ReindexSummary:
    """The OpenSearch half of `reindex`: the same pages, loaded by worker processes into a new index."""
    from searchapp.reindex_cluster import reindex_cluster

    owners: dict[str, str] = {}
    items = []
    for url, (warc_file, offset, digest) in latest.items():
        if owners.setdefault(digest, url) != url:
            summary.duplicates += 1
            continue
        items.append((url, warc_file, offset, rules.get(source_of.get(url, ""), {})))
    summary.pages = len(items)
    try:
        summary.indexed, summary.no_article, _resumed = reindex_cluster(paths, engine, items, workers, progress)
    except SearchIndexError as exc:
        raise AppError(f"{exc}; the reindex stopped, the index in use is unchanged: run it again") from exc
    return summary


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without it
    raise OSError(code, os.strerror(code), str(a))


def recover_swap(paths: DataPaths) -> None:
    """Finish a two-rename swap cut short by a kill: index.old exists only once index.new is complete."""
    current = paths.index
    new_dir = current.parent / (current.name + ".new")
    old_dir = current.parent / (current.name + ".old")
    if not current.exists() and new_dir.is_dir() and old_dir.is_dir():
        new_dir.rename(current)
        shutil.rmtree(old_dir, ignore_errors=True)


def _swap(current: Path, new_dir: Path, old_dir: Path) -> None:
    """Put the rebuilt index in place. One atomic exchange where the system has it, so a kill at any moment
    leaves a complete index in place; else two renames (index -> index.old, index.new -> index)."""
    if current.exists() and _exchange(current, new_dir):
        shutil.rmtree(new_dir, ignore_errors=True)  # now the old index
        return
    shutil.rmtree(old_dir, ignore_errors=True)
    if current.exists():
        current.rename(old_dir)
    new_dir.rename(current)
    shutil.rmtree(old_dir, ignore_errors=True)

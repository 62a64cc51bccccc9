"""The crawl frontier in SQLite (DATA/crawl/frontier.sqlite): every URL, its state, and each host's pace.

A URL is `queued`, `fetching`, `done`, `failed` (gave up after retries), `gone` (404/410: remembered, never
asked again), `blocked` (robots.txt) or `skipped` (a trap, off-site, over budget, refused). Each row keeps
what a revisit needs (ETag, Last-Modified, content hash) and where its response sits in the archive.
`delivered = 0` marks an archived article page the pipeline has not committed yet.

Runs make resuming exact. A run starts when the previous one ended (its queue drained) and re-queues the
hubs (start pages, section fronts, feeds, sitemaps) and the finished URLs whose revisit is due
(`next_visit`, set by `crawler.revisit` from the page's age and what its last visit found), or every finished
URL when asked for a full revisit; revisits queue behind the new URLs the hubs name. A run that was
interrupted (kill -9, Ctrl-C, --max-pages) is resumed instead: rows left `fetching` go back to the queue,
finished rows stay finished, undelivered pages are delivered again from the archive. WAL mode and one short
transaction per fetched URL keep the file consistent whenever the process dies.

Frontier files written before the schedule existed gain its columns when opened (`_migrate`); their finished
URLs fall due spread over the following week instead of all on the next run.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crawler import revisit

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    source TEXT NOT NULL,
    role TEXT NOT NULL,            -- robots, start, feed, sitemap, article, page
    prio INTEGER NOT NULL,         -- lower first: robots, hubs, articles, other pages
    depth INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued',
    run INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    status INTEGER,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    canonical TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    warc_file TEXT NOT NULL DEFAULT '',
    warc_offset INTEGER NOT NULL DEFAULT -1,
    delivered INTEGER NOT NULL DEFAULT 1,
    fetched_at TEXT NOT NULL DEFAULT '',
    first_seen REAL NOT NULL DEFAULT 0,
    published REAL NOT NULL DEFAULT 0,     -- the page's publication time when a sitemap, feed or the page says
    visited REAL NOT NULL DEFAULT 0,       -- when it was last fetched
    revisit_every REAL NOT NULL DEFAULT 0, -- the interval the schedule chose at that visit (seconds)
    next_visit REAL NOT NULL DEFAULT 0     -- when a run may ask for it again
);
CREATE INDEX IF NOT EXISTS urls_queue ON urls (state, host, prio, next_try);
CREATE INDEX IF NOT EXISTS urls_hash ON urls (content_hash) WHERE content_hash != '';
CREATE INDEX IF NOT EXISTS urls_undelivered ON urls (delivered) WHERE delivered = 0;
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    next_allowed REAL NOT NULL DEFAULT 0,
    robots TEXT,
    robots_at REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL
);
"""

PRIORITY = {"robots": 0, "start": 1, "feed": 1, "sitemap": 1, "article": 2, "page": 3}
REVISIT_PRIORITY = 10  # added to a revisit's priority: after the hubs and the new URLs they name
FINISHED = ("done", "failed", "gone", "blocked", "skipped")
# The columns the revisit schedule added, for frontier files made before it.
SCHEDULE_COLUMNS = ("first_seen", "published", "visited", "revisit_every", "next_visit")
MIGRATION_SPREAD = 7 * revisit.DAY
MIGRATION_DELAY = revisit.HOUR  # the earliest a migrated URL falls due: none on the very next run
_HUB_SQL = f"(role IN {revisit.HUB_ROLES!r} OR (role = 'page' AND depth <= {revisit.HUB_PAGE_DEPTH}))"


@dataclass(slots=True)
class Entry:
    """A frontier row the crawler works on."""

    url: str
    host: str
    source: str
    role: str
    depth: int
    attempts: int
    etag: str
    last_modified: str
    content_hash: str
    state: str = "queued"

    @property
    def known(self) -> bool:
        """Fetched before: this fetch is a revisit."""
        return bool(self.content_hash or self.etag or self.last_modified)


@dataclass(slots=True)
class Outcome:
    """How a fetch of one URL ended, for `Frontier.finish`."""

    state: str
    status: int = 0
    note: str = ""
    etag: str | None = None  # None keeps the stored value
    last_modified: str | None = None
    content_hash: str | None = None
    canonical: str = ""
    warc_file: str = ""
    warc_offset: int = -1
    delivered: bool = True
    fetched_at: str = ""
    visit: str = ""  # for the schedule: new, changed, unchanged, failed ("" derives it from `state`)
    published: float = 0.0  # the publication time the page states (Unix seconds), 0 when it says none


class Frontier:
    """One SQLite connection, used from the crawler's main thread only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: survives a killed process
        self._migrate()
        self.db.executescript(SCHEMA)
        self.db.execute("CREATE INDEX IF NOT EXISTS urls_due ON urls (next_visit)")
        self.run = 0
        self._host_counts: dict[str, int] = {}
        self._only = ""  # SQL condition: the sources of this crawl (a data folder may hold others' URLs)
        self._only_args: tuple[str, ...] = ()
        self._rng = random.Random()

    def _migrate(self) -> None:
        """Add the schedule's columns to a frontier made before it; its finished URLs fall due over a week, from
        an hour on (a random offset could be 0: that URL fell due on the first run)."""
        columns = {str(row[1]) for row in self.db.execute("PRAGMA table_info(urls)")}
        if not columns or "next_visit" in columns:
            return
        now = time.time()
        with self.transaction():
            for name in SCHEDULE_COLUMNS:
                if name not in columns:
                    self.db.execute(f"ALTER TABLE urls ADD COLUMN {name} REAL NOT NULL DEFAULT 0")
            self.db.execute(
                "UPDATE urls SET first_seen = ?, next_visit = ? + (abs(random()) % ?), revisit_every = ?",
                (now, now + MIGRATION_DELAY, int(MIGRATION_SPREAD - MIGRATION_DELAY), revisit.DAY),
            )

    def only_sources(self, ids: Iterable[str]) -> None:
        """Work on the URLs of these sources only; the others stay queued for a crawl that names them."""
        self._only_args = tuple(ids)
        self._only = f" AND source IN ({', '.join('?' * len(self._only_args))})" if self._only_args else ""

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic step (a URL finished with the links it revealed); nested uses join the outer one."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------------------------

    def begin_run(self, revisit_all: bool = False, now: float | None = None) -> tuple[int, bool]:
        """Resume the unfinished run or start a new one. Returns (run id, resumed).

        A new run queues the hubs and the finished URLs whose revisit is due (all of them with `revisit_all`),
        the revisits behind everything else."""
        now = time.time() if now is None else now
        row = self.db.execute("SELECT id, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        with self.transaction():
            if row is not None and row[1] is None:
                self.run = int(row[0])
                self.db.execute("UPDATE urls SET state = 'queued' WHERE state = 'fetching'")
                if revisit_all:  # asked of a resumed run too: what it finished already is asked again
                    self._requeue(True, now)
                return self.run, True
            cur = self.db.execute("INSERT INTO runs (started) VALUES (?)", (time.time(),))
            self.run = int(cur.lastrowid or 0)
            self._requeue(revisit_all, now)
        return self.run, False

    def _requeue(self, revisit_all: bool, now: float) -> None:
        """Queue the hubs and the due revisits (every finished URL with `revisit_all`), revisits behind the rest.
        Revisits are conditional GETs; gone URLs stay gone, skipped ones skipped."""
        due = "1" if revisit_all else f"({_HUB_SQL} OR next_visit <= ?)"
        self.db.execute(
            "UPDATE urls SET state = 'queued', attempts = 0, next_try = 0, "
            f"prio = CASE WHEN {_HUB_SQL} THEN prio % {REVISIT_PRIORITY} "
            f"ELSE prio % {REVISIT_PRIORITY} + {REVISIT_PRIORITY} END "
            f"WHERE state IN ('done', 'failed', 'blocked', 'fetching') AND {due}",
            () if revisit_all else (now,),
        )

    def due_count(self, now: float | None = None) -> int:
        """Finished URLs (not hubs) whose revisit is due: what the next run would ask again."""
        row = self.db.execute(
            f"SELECT COUNT(*) FROM urls WHERE state IN ('done', 'failed', 'blocked') AND NOT {_HUB_SQL} "
            f"AND next_visit <= ?{self._only}",
            (time.time() if now is None else now, *self._only_args),
        ).fetchone()
        return int(row[0])

    def finish_run(self) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), self.run))

    # -- URLs -------------------------------------------------------------------------------------------------

    def host_count(self, host: str) -> int:
        if host not in self._host_counts:
            row = self.db.execute("SELECT COUNT(*) FROM urls WHERE host = ?", (host,)).fetchone()
            self._host_counts[host] = int(row[0])
        return self._host_counts[host]

    def add_many(self, rows: Iterable[tuple[str, str, str, str, int]], state: str = "queued", note: str = "") -> int:
        """Insert (url, host, source, role, depth) rows unless known; returns how many were new."""
        added = 0
        now = time.time()
        with self.transaction():
            for url, host, source, role, depth in rows:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO urls (url, host, source, role, prio, depth, state, note, first_seen) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (url, host, source, role, PRIORITY.get(role, 3), depth, state, note, now),
                )
                if cur.rowcount:
                    added += 1
                    self._host_counts[host] = self.host_count(host) + 1
        return added

    def set_published(self, dates: dict[str, float]) -> None:
        """Publication times a sitemap or feed states, for URLs whose own page has not said one yet."""
        with self.transaction():
            self.db.executemany(
                "UPDATE urls SET published = ? WHERE url = ? AND published = 0",
                ((when, url) for url, when in dates.items() if when > 0),
            )

    def known(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone() is not None

    def queued_hosts(self) -> dict[str, float]:
        """Hosts with queued URLs -> the earliest time one of them may be tried."""
        rows = self.db.execute(
            f"SELECT host, MIN(next_try) FROM urls WHERE state = 'queued'{self._only} GROUP BY host", self._only_args
        )
        return {str(h): float(t) for h, t in rows}

    def next_for_host(self, host: str, now: float) -> Entry | None:
        row = self.db.execute(
            "SELECT url, host, source, role, depth, attempts, etag, last_modified, content_hash FROM urls "
            f"WHERE state = 'queued' AND host = ? AND next_try <= ?{self._only} ORDER BY prio, rowid LIMIT 1",
            (host, now, *self._only_args),
        ).fetchone()
        if row is None:
            return None
        self.db.execute("UPDATE urls SET state = 'fetching' WHERE url = ?", (row[0],))
        url, host_, source, role, depth, attempts, etag, last_modified, content_hash = row
        return Entry(url, host_, source, role, int(depth), int(attempts), etag, last_modified, content_hash, "fetching")

    def host_next_try(self, host: str) -> float | None:
        """When the earliest queued URL of `host` may be tried; None when it has none queued."""
        row = self.db.execute(
            f"SELECT MIN(next_try) FROM urls WHERE state = 'queued' AND host = ?{self._only}", (host, *self._only_args)
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def retry(self, url: str, when: float, note: str) -> None:
        self.db.execute(
            "UPDATE urls SET state = 'queued', attempts = attempts + 1, next_try = ?, note = ? WHERE url = ?",
            (when, note, url),
        )

    def finish(self, url: str, outcome: Outcome, now: float | None = None) -> None:
        """Record how a fetch of `url` ended and, for a page that may be revisited, when to ask again."""
        self._schedule(url, outcome, time.time() if now is None else now)
        self.db.execute(
            "UPDATE urls SET state = ?, status = ?, note = ?, run = ?, attempts = attempts + 1, "
            "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
            "content_hash = COALESCE(?, content_hash), canonical = ?, "
            "warc_file = CASE WHEN ? != '' THEN ? ELSE warc_file END, "
            "warc_offset = CASE WHEN ? != '' THEN ? ELSE warc_offset END, "
            "delivered = ?, fetched_at = CASE WHEN ? != '' THEN ? ELSE fetched_at END WHERE url = ?",
            (
                outcome.state,
                outcome.status,
                outcome.note,
                self.run,
                outcome.etag,
                outcome.last_modified,
                outcome.content_hash,
                outcome.canonical,
                outcome.warc_file,
                outcome.warc_file,
                outcome.warc_file,
                outcome.warc_offset,
                int(outcome.delivered),
                outcome.fetched_at,
                outcome.fetched_at,
                url,
            ),
        )

    def _schedule(self, url: str, outcome: Outcome, now: float) -> None:
        kind = outcome.visit or {"done": "unchanged", "failed": "failed", "blocked": "failed"}.get(outcome.state)
        if kind is None:
            return  # gone and skipped URLs are never asked again
        row = self.db.execute("SELECT revisit_every, first_seen, published FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None:
            return
        previous, first_seen, published = (float(v) for v in row)
        published = outcome.published or published
        interval = revisit.next_interval(revisit.Visit(kind, published), previous, first_seen, now)
        self.db.execute(
            "UPDATE urls SET published = ?, visited = ?, revisit_every = ?, next_visit = ? WHERE url = ?",
            (published, now, interval, now + revisit.spread(interval, self._rng), url),
        )

    def hash_owner(self, content_hash: str, url: str) -> str | None:
        """Another URL already holding this exact body, if any."""
        row = self.db.execute(
            "SELECT url FROM urls WHERE content_hash = ? AND url != ? AND state = 'done' LIMIT 1", (content_hash, url)
        ).fetchone()
        return str(row[0]) if row else None

    def undelivered(self) -> list[tuple[str, str, str, int]]:
        """(url, source, warc_file, warc_offset) of archived article pages the pipeline has not committed."""
        rows = self.db.execute(
            f"SELECT url, source, warc_file, warc_offset FROM urls WHERE delivered = 0{self._only} ORDER BY rowid",
            self._only_args,
        ).fetchall()
        return [(str(u), str(s), str(f), int(o)) for u, s, f, o in rows]

    def mark_delivered(self, urls: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("UPDATE urls SET delivered = 1 WHERE url = ?", ((u,) for u in urls))

    def counts(self) -> dict[str, int]:
        rows = self.db.execute(f"SELECT state, COUNT(*) FROM urls WHERE 1{self._only} GROUP BY state", self._only_args)
        return {str(s): int(n) for s, n in rows}

    def states(self) -> dict[str, str]:
        """url -> state of every URL (for tests and reports)."""
        return {str(u): str(s) for u, s in self.db.execute("SELECT url, state FROM urls")}

    # -- hosts ------------------------------------------------------------------------------------------------

    def host_robots(self, host: str) -> tuple[str | None, float]:
        row = self.db.execute("SELECT robots, robots_at FROM hosts WHERE host = ?", (host,)).fetchone()
        return (row[0], float(row[1])) if row else (None, 0.0)

    def set_robots(self, host: str, text: str) -> None:
        self.db.execute(
            "INSERT INTO hosts (host, robots, robots_at) VALUES (?, ?, ?) "
            "ON CONFLICT(host) DO UPDATE SET robots = excluded.robots, robots_at = excluded.robots_at",
            (host, text, time.time()),
        )

    def next_allowed(self, host: str) -> float:
        row = self.db.execute("SELECT next_allowed FROM hosts WHERE host = ?", (host,)).fetchone()
        return float(row[0]) if row else 0.0

    def set_next_allowed(self, host: str, when: float) -> None:
        self.db.execute(
            "INSERT INTO hosts (host, next_allowed) VALUES (?, ?) "
            "ON CONFLICT(host) DO UPDATE SET next_allowed = excluded.next_allowed",
            (host, when),
        )

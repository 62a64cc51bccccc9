"""The crawl loop: schedule hosts politely, fetch, archive, discover, and hand article pages to a sink.

`Crawler.run()` drives everything from one thread that owns the frontier, the archive writer and the sink;
a small pool of worker threads only performs HTTP requests, at most one per host at a time, and a host is
asked again only after its delay (the larger of ours and its robots.txt Crawl-delay; longer after a 429 or
503 with Retry-After). Each response is written to the archive first; then one frontier transaction records
how the URL ended together with the links it revealed, so a kill at any moment leaves a state the next run
resumes exactly. Article pages go to the `Sink` (extract -> index in `searchapp.pipeline`); the frontier marks
them delivered only after the sink commits, and a restart delivers the rest again from the archive. A
`PipelinedSink` works on its own schedule (extraction in another process, the index in batches) and tells
how many of the pages it was handed are durable; the crawler keeps fetching meanwhile.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from crawler.archive import ArchiveWriter, Exchange, as_fetched, read_record
from crawler.discover import looks_like_xml_links, parse_html, parse_xml_links
from crawler.errors import CrawlerError
from crawler.fetch import Fetcher, FetchResult
from crawler.frontier import Entry, Frontier, Outcome
from crawler.models import Fetched
from crawler.progress import Progress
from crawler.revisit import timestamp
from crawler.robots import ROBOTS_TTL, RobotsPolicy, agent_token, robots_text, robots_url
from crawler.safety import UnsafeTarget, is_loopback_host
from crawler.sources import Source
from crawler.urls import host_of, normalize_url, trap_reason

MIN_PUBLIC_DELAY = 0.5  # below this, only for loopback or allow_private sources
MAX_RETRY_AFTER = 300.0
MAX_SITEMAP_DEPTH = 4


class Sink(Protocol):
    """Where article pages go: `page` for each archived article response, `commit` to make them durable."""

    def page(self, fetched: Fetched, source: Source) -> None: ...

    def commit(self) -> None: ...


@runtime_checkable
class PipelinedSink(Sink, Protocol):
    """A sink that commits on its own: `commit` is called only at the end of a run."""

    def advance(self) -> int:
        """Do the work that is ready; return how many of the pages handed over so far are durable (pages
        become durable in the order they were handed over)."""
        ...


@dataclass(slots=True)
class CrawlConfig:
    user_agent: str
    delay: float = 1.0
    max_bytes: int = 10_000_000
    deadline: float = 20.0
    max_pages: int | None = None
    max_attempts: int = 3
    retry_base: float = 1.0  # first retry after about this many seconds, doubling, with jitter
    max_depth: int = 4  # hops from a seed through pages that are not articles
    commit_every: int = 50
    workers: int = 8
    revisit_all: bool = False  # revisit every known URL now, not only those whose revisit is due


@dataclass(slots=True)
class CrawlStats:
    fetched: int = 0  # responses received and archived, robots.txt included
    robots: int = 0  # of which robots.txt files (--max-pages counts pages only)
    revisits: int = 0  # of which revisits of pages fetched before
    articles: int = 0  # article pages handed to the sink
    not_modified: int = 0
    unchanged: int = 0  # 200 with the same body as last time
    duplicates: int = 0
    errors: int = 0
    retries: int = 0
    gone: int = 0
    blocked: int = 0
    skipped: int = 0
    refused: int = 0
    redelivered: int = 0
    queued: int = 0
    resumed: bool = False
    finished: bool = False  # the queue drained (False when stopped by --max-pages)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    first_error: str = ""

    def __str__(self) -> str:
        rate = self.fetched / self.seconds if self.seconds else 0.0
        parts = [
            f"{self.fetched - self.robots} pages fetched ({self.revisits} revisits)",
            f"{self.articles} article pages to extraction",
            f"{self.not_modified} not modified",
            f"{self.errors} errors",
            f"{self.gone} gone",
            f"{self.blocked} blocked by robots.txt",
            f"{self.skipped + self.refused} skipped",
            f"{self.queued} still queued",
        ]
        tail = "" if self.finished else " (stopped early: run again to resume)"
        return ", ".join(parts) + f" in {self.seconds:.1f}s ({rate:.1f} pages/s){tail}"


def check_delays(delay: float, sources: list[Source]) -> None:
    """Refuse a delay below MIN_PUBLIC_DELAY for any source that is not on loopback or allowed private."""
    for source in sources:
        effective = source.delay if source.delay is not None else delay
        if effective >= MIN_PUBLIC_DELAY or (source.allow_private and source.from_command_line is False):
            continue
        public = [h for h in sorted(source.hosts) if not is_loopback_host(h)]
        if public:
            raise CrawlerError(
                f"a delay of {effective:g} s is only allowed for sites on this machine (loopback); "
                f"{public[0]} ({source.id}) needs at least {MIN_PUBLIC_DELAY:g} s"
            )


def retry_after(value: str, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(slots=True)
class _Done:
    """A request finished by a worker: its result and where the archive put it."""

    entry: Entry
    result: FetchResult | Exception
    exchange: Exchange | None = None
    warc_file: str = ""
    offset: int = -1
    archive_error: OSError | None = None


@dataclass(slots=True)
class _Host:
    busy: bool = False
    next_allowed: float = 0.0
    robots: RobotsPolicy | None = None
    crawl_delay: float | None = None


class Crawler:
    def __init__(
        self,
        sources: list[Source],
        frontier: Frontier,
        archive: ArchiveWriter,
        config: CrawlConfig,
        sink: Sink | None = None,
        progress: Progress | None = None,
        read_archived: Callable[[str, int], Fetched] | None = None,
    ) -> None:
        if not sources:
            raise CrawlerError("no sources to crawl: name URLs or give a sources file")
        self.sources = {s.id: s for s in sources}
        self.source_of_host: dict[str, Source] = {}
        for source in sources:
            for host in source.hosts:
                self.source_of_host.setdefault(host, source)
        self.frontier = frontier
        frontier.only_sources(self.sources)
        self.archive = archive
        self.config = config
        self.sink = sink
        self.pipelined = sink if isinstance(sink, PipelinedSink) else None
        self.progress = progress
        self.read_archived = read_archived or (lambda f, o: read_record(archive.folder, f, o))
        allowed = {h for s in sources if s.allow_private for h in s.hosts}
        self.fetcher = Fetcher(
            config.user_agent, max_bytes=config.max_bytes, deadline=config.deadline, allowed_private=allowed
        )
        self.agent = agent_token(config.user_agent)
        self.hosts: dict[str, _Host] = {}
        self.ready: dict[str, float] = {}
        self.stats = CrawlStats()
        self.pending: list[str] = []  # delivered to the sink, not yet committed
        self.settled = 0  # pages handed to the sink and marked delivered
        self.redirect_hops: dict[str, int] = {}
        self._last_refresh = 0.0
        self._last_status = 0.0
        self._last_exchange: Exchange | None = None
        self._robots_inflight: set[Future[_Done]] = set()

    # -- the loop ---------------------------------------------------------------------------------------------

    def run(self) -> CrawlStats:
        started = time.monotonic()
        _, self.stats.resumed = self.frontier.begin_run(revisit_all=self.config.revisit_all)
        try:
            self._redeliver()
            self._seed()
            self._loop()
        except BaseException:
            # Stopping on an error (disk full, Ctrl-C): commit what the sink holds if it still can; what it
            # cannot is delivered again from the archive by the next run. The first error is the one to tell.
            with contextlib.suppress(Exception):
                self._commit()
            self.fetcher.close()
            raise
        self._commit()
        self.fetcher.close()
        counts = self.frontier.counts()
        self.stats.queued = counts.get("queued", 0) + counts.get("fetching", 0)
        self.stats.seconds = time.monotonic() - started
        return self.stats

    def _seed(self) -> None:
        rows = []
        for source in self.sources.values():
            for url, kind in source.seeds():
                # A start URL that matches the article patterns is an article (and still a place to find links).
                article = kind == "start" and source.article_patterns and source.is_article(url)
                rows.append((url, host_of(url), source.id, "article" if article else kind, 0))
        self.frontier.add_many(rows)
        self._refresh(force=True)

    def _redeliver(self) -> None:
        """Article pages archived by an interrupted run but not committed by the sink: deliver them again."""
        for url, source_id, warc_file, offset in self.frontier.undelivered():
            source = self.sources.get(source_id)
            if source is None or self.sink is None:
                continue
            fetched = self.read_archived(warc_file, offset)
            self.sink.page(fetched, source)
            self.pending.append(url)
            self.stats.redelivered += 1
        self._commit()

    def _loop(self) -> None:
        cfg = self.config
        inflight: dict[Future[_Done], str] = {}
        with ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="fetch") as pool:
            try:
                while True:
                    budget_left = cfg.max_pages is None or self._pages_asked(inflight) < cfg.max_pages
                    if budget_left:
                        self._submit(pool, inflight, cfg.max_pages)
                    if not inflight:
                        if not budget_left:
                            return
                        wait_for = self._idle_wait()
                        if wait_for is None:
                            self._refresh(force=True)
                            wait_for = self._idle_wait()
                        if wait_for is None:
                            self.frontier.finish_run()
                            self.stats.finished = True
                            return
                        time.sleep(min(wait_for, 0.5))
                        continue
                    done, _ = wait(list(inflight), timeout=self._idle_wait() or 0.5, return_when=FIRST_COMPLETED)
                    for future in done:
                        host = inflight.pop(future)
                        self._robots_inflight.discard(future)
                        self.hosts[host].busy = False
                        self._handle(future.result())
                    self._settle()
                    self._show()
            finally:
                for future in inflight:
                    future.cancel()

    def _pages_asked(self, inflight: dict[Future[_Done], str]) -> int:
        """Pages fetched or being fetched: what --max-pages counts (robots.txt files are not pages)."""
        return self.stats.fetched - self.stats.robots + len(inflight) - len(self._robots_inflight)

    def _idle_wait(self) -> float | None:
        """Seconds until some host may be asked again; None when nothing is queued anywhere."""
        self._refresh()
        if not self.ready:
            return None
        now = time.time()
        soonest = min(max(t, self._host(h).next_allowed) for h, t in self.ready.items())
        return max(0.01, soonest - now)

    def _refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_refresh > 1.0:
            self._last_refresh = now
            self.ready = self.frontier.queued_hosts()

    def _host(self, host: str) -> _Host:
        state = self.hosts.get(host)
        if state is None:
            state = self.hosts[host] = _Host(next_allowed=self.frontier.next_allowed(host))
        return state

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        inflight: dict[Future[_Done], str],
        max_pages: int | None,
    ) -> None:
        now = time.time()
        for host in list(self.ready):
            if len(inflight) >= self.config.workers:
                return
            if max_pages is not None and self._pages_asked(inflight) >= max_pages:
                return
            state = self._host(host)
            if state.busy or state.next_allowed > now or self.ready[host] > now:
                continue
            if state.robots is None:
                robots, robots_at = self.frontier.host_robots(host)
                if robots is not None and time.time() - robots_at < ROBOTS_TTL:
                    state.robots = RobotsPolicy(robots, self.agent)
                    state.crawl_delay = state.robots.crawl_delay()
            if state.robots is None:
                entry = Entry(robots_url(self._scheme_url(host)), host, "", "robots", 0, 0, "", "", "")
            else:
                found = self._next_allowed_entry(host, state, now)
                if found is None:
                    later = self.frontier.host_next_try(host)
                    if later is None:
                        self.ready.pop(host, None)
                    else:
                        self.ready[host] = later
                    continue
                entry = found
            state.busy = True
            future = pool.submit(self._fetch, entry)
            inflight[future] = host
            if entry.role == "robots":
                self._robots_inflight.add(future)

    def _scheme_url(self, host: str) -> str:
        row = self.frontier.db.execute("SELECT url FROM urls WHERE host = ? LIMIT 1", (host,)).fetchone()
        return str(row[0]) if row else f"http://{host}/"

    def _next_allowed_entry(self, host: str, state: _Host, now: float) -> Entry | None:
        while True:
            entry = self.frontier.next_for_host(host, now)
            if entry is None:
                return None
            assert state.robots is not None
            if entry.role != "robots" and not state.robots.allowed(entry.url):
                self.frontier.finish(entry.url, Outcome("blocked", note="disallowed by robots.txt"))
                self.stats.blocked += 1
                continue
            return entry

    def _fetch(self, entry: Entry) -> _Done:
        """In a worker thread: the request, then its archive record (written and fsynced right here)."""
        try:
            result = self.fetcher.fetch(entry.url, etag=entry.etag, last_modified=entry.last_modified)
        except UnsafeTarget as exc:
            return _Done(entry, exc)
        done = _Done(entry, result)
        if result.status:
            done.exchange = Exchange(
                url=result.url,
                request_headers=result.request_headers,
                status=result.status,
                reason=result.reason,
                response_headers=result.headers,
                body=result.body,
                fetched_at=result.fetched_at,
                truncated=result.truncated,
                role=entry.role,
            )
            try:
                done.warc_file, done.offset = self.archive.write(done.exchange)
            except OSError as exc:
                done.archive_error = exc
        return done

    # -- one finished request ---------------------------------------------------------------------------------

    def _handle(self, done: _Done) -> None:
        entry, result = done.entry, done.result
        if done.archive_error is not None:
            exc = done.archive_error
            raise CrawlerError(f"cannot write the archive ({exc.strerror or exc}); stopped, nothing is lost") from exc
        state = self._host(entry.host)
        now = time.time()
        delay = self._delay(entry.host)
        state.next_allowed = now + delay
        if isinstance(result, Exception):
            self.stats.refused += 1
            if entry.role == "robots":
                self._robots_done(entry.host, "")
            else:
                self.frontier.finish(entry.url, Outcome("skipped", note=str(result)))
            return
        if done.exchange is not None:
            self.stats.fetched += 1
            self.stats.robots += entry.role == "robots"
            self.stats.revisits += entry.known
            if self.progress is not None:
                self.progress.advance()
        self._last_exchange = done.exchange
        warc_file, offset = done.warc_file, done.offset
        with self.frontier.transaction():
            self.frontier.set_next_allowed(entry.host, state.next_allowed)
            if entry.role == "robots":
                self._handle_robots(entry, result)
            else:
                self._handle_page(entry, result, warc_file, offset, now)

    def _robots_done(self, host: str, text: str) -> None:
        self.frontier.set_robots(host, text)
        state = self._host(host)
        state.robots = RobotsPolicy(text, self.agent)
        state.crawl_delay = state.robots.crawl_delay()
        state.next_allowed = time.time() + self._delay(host)

    def _handle_robots(self, entry: Entry, result: FetchResult) -> None:
        text = robots_text(result.status, result.body) if result.status and not result.error else ""
        self._robots_done(entry.host, text)
        if result.status in (429, 503):
            pause = retry_after(result.header("retry-after"), time.time()) or self.config.retry_base
            state = self._host(entry.host)
            state.next_allowed = max(state.next_allowed, time.time() + min(pause, MAX_RETRY_AFTER))

    def _delay(self, host: str) -> float:
        source = self.source_of_host.get(host)
        delay = source.delay if source is not None and source.delay is not None else self.config.delay
        crawl_delay = self.hosts[host].crawl_delay if host in self.hosts else None
        return max(delay, crawl_delay or 0.0)

    def _retry(self, entry: Entry, note: str, pause: float | None = None) -> None:
        if entry.attempts + 1 >= self.config.max_attempts:
            self._fail(entry, f"gave up: {note}")
            return
        if pause is None:
            pause = self.config.retry_base * (2**entry.attempts) * random.uniform(0.5, 1.5)
        when = time.time() + pause
        self.frontier.retry(entry.url, when, note)
        self.ready[entry.host] = min(self.ready.get(entry.host, when), when)
        self.stats.retries += 1

    def _handle_page(self, entry: Entry, result: FetchResult, warc_file: str, offset: int, now: float) -> None:
        status = result.status
        source = self.sources.get(entry.source)
        if status == 0:
            if result.retryable:
                self._retry(entry, result.error or "no answer")
            else:
                self._fail(entry, result.error)
            return
        if status in (429, 503):
            pause = min(retry_after(result.header("retry-after"), now) or self.config.retry_base, MAX_RETRY_AFTER)
            state = self._host(entry.host)
            state.next_allowed = max(state.next_allowed, now + pause)
            self.frontier.set_next_allowed(entry.host, state.next_allowed)
            self._retry(entry, f"HTTP {status}", pause)
            return
        if status >= 500 or (result.retryable and result.error):
            self._retry(entry, f"HTTP {status}" + (f": {result.error}" if result.error else ""))
            return
        if status in (404, 410):
            self.frontier.finish(entry.url, Outcome("gone", status=status, note=f"HTTP {status}"))
            self.stats.gone += 1
            return
        if status == 304:
            self.frontier.finish(
                entry.url,
                Outcome("done", status=304, note="not modified", fetched_at=result.fetched_at, visit="unchanged"),
            )
            self.stats.not_modified += 1
            return
        if 300 <= status < 400:
            self._redirect(entry, result, source)
            return
        if status != 200 or result.error:
            self._fail(entry, result.error or f"HTTP {status}", status)
            return
        assert source is not None
        body_hash = hashlib.sha1(result.body).hexdigest()
        outcome = Outcome(
            "done",
            status=200,
            etag=result.header("etag"),
            last_modified=result.header("last-modified"),
            content_hash=body_hash,
            warc_file=warc_file,
            warc_offset=offset,
            fetched_at=result.fetched_at,
            visit="new" if not entry.content_hash else "unchanged" if body_hash == entry.content_hash else "changed",
        )
        deliver = False
        if looks_like_xml_links(result.body, result.content_type):
            self._discover_xml(entry, result, source)
        else:
            links = parse_html(result.body, result.header("content-type"))
            outcome.published = timestamp(links.published)
            canonical = self._canonical(entry, links.canonical, source)
            outcome.canonical = canonical
            self._discover_html(entry, links.links, source)
            deliver = entry.role == "article"
            if deliver and body_hash == entry.content_hash:
                deliver = False
                outcome.note = "unchanged"
                self.stats.unchanged += 1
            elif deliver and (owner := self.frontier.hash_owner(body_hash, entry.url)):
                deliver = False
                outcome.note = f"duplicate of {owner}"
                self.stats.duplicates += 1
            elif deliver and canonical and canonical != entry.url and self._canonical_done(canonical):
                deliver = False
                outcome.note = f"duplicate of canonical {canonical}"
                self.stats.duplicates += 1
        outcome.delivered = not (deliver and self.sink is not None)
        self.frontier.finish(entry.url, outcome)
        if deliver and self.sink is not None:
            assert self._last_exchange is not None
            self.sink.page(as_fetched(self._last_exchange, warc_file, offset), source)
            self.pending.append(entry.url)
            self.stats.articles += 1
            if self.pipelined is not None:
                self._settle()
            elif len(self.pending) >= self.config.commit_every:
                self._commit()

    def _fail(self, entry: Entry, note: str, status: int = 0) -> None:
        self.frontier.finish(entry.url, Outcome("failed", status=status, note=note))
        self.stats.errors += 1
        self.stats.first_error = self.stats.first_error or f"{entry.url}: {note}"

    def _commit(self) -> None:
        if self.sink is None or not self.pending:
            return
        self.sink.commit()
        self._mark_delivered(len(self.pending))

    def _settle(self) -> None:
        """Mark delivered what a pipelined sink has made durable on its own schedule."""
        if self.pipelined is not None:
            self._mark_delivered(self.pipelined.advance() - self.settled)

    def _mark_delivered(self, count: int) -> None:
        if count > 0:
            self.frontier.mark_delivered(self.pending[:count])
            del self.pending[:count]
            self.settled += count

    # -- discovery --------------------------------------------------------------------------------------------

    def _accept(self, url: str, source: Source, base: str | None = None) -> str:
        """The normalised URL when discovery may follow it on this source, else ""."""
        try:
            target = normalize_url(url, base)
        except CrawlerError:
            return ""
        if host_of(target) not in source.hosts or trap_reason(target):
            return ""
        return target

    def _add(self, rows: list[tuple[str, str, str, str, int]], source: Source) -> None:
        room: list[tuple[str, str, str, str, int]] = []
        for row in rows:
            if self.frontier.host_count(row[1]) + len(room) >= source.max_pages:
                break
            room.append(row)
        if self.frontier.add_many(room):
            for row in room:
                self.ready[row[1]] = min(self.ready.get(row[1], 0.0), 0.0)

    def _discover_xml(self, entry: Entry, result: FetchResult, source: Source) -> None:
        links = parse_xml_links(result.body)
        if links.error:
            self.stats.notes.append(f"{entry.url}: {links.error}")
        rows = []
        dates: dict[str, float] = {}
        for raw in links.urls:
            url = self._accept(raw, source, entry.url)
            if url:
                role = "article" if source.is_article(url) else "page"
                rows.append((url, host_of(url), source.id, role, entry.depth + 1))
                if raw in links.dates:
                    dates[url] = timestamp(links.dates[raw])
        if entry.depth < MAX_SITEMAP_DEPTH:
            for raw in links.sitemaps:
                url = self._accept(raw, source, entry.url)
                if url:
                    rows.append((url, host_of(url), source.id, "sitemap", entry.depth + 1))
        self._add(rows, source)
        if dates:
            self.frontier.set_published(dates)

    def _discover_html(self, entry: Entry, links: list[str], source: Source) -> None:
        depth = entry.depth + 1
        rows = []
        for raw in links:
            url = self._accept(raw, source, entry.url)
            if not url:
                continue
            is_article = source.is_article(url)
            if source.article_patterns and is_article:
                rows.append((url, host_of(url), source.id, "article", depth))
            elif depth <= self.config.max_depth:
                rows.append((url, host_of(url), source.id, "article" if is_article else "page", depth))
        self._add(rows, source)

    def _canonical(self, entry: Entry, raw: str, source: Source) -> str:
        """The page's canonical URL when it is a believable one (same outlet, an article, not the front page)."""
        if not raw:
            return ""
        url = self._accept(raw, source, entry.url)
        if not url or not source.is_article(url) or url.rstrip("/").count("/") < 3:
            return ""
        if url != entry.url and not self.frontier.known(url):
            # Known now under the URL we fetched: not worth a request of its own.
            self.frontier.add_many([(url, host_of(url), source.id, "article", entry.depth)], "skipped")
            self.frontier.finish(url, Outcome("skipped", note=f"canonical of {entry.url}"))
        return url

    def _canonical_done(self, canonical: str) -> bool:
        row = self.frontier.db.execute(
            "SELECT state, delivered FROM urls WHERE url = ? AND state = 'done'", (canonical,)
        ).fetchone()
        return row is not None

    def _redirect(self, entry: Entry, result: FetchResult, source: Source | None) -> None:
        location = result.header("location")
        hops = self.redirect_hops.get(entry.url, 0) + 1
        note = f"HTTP {result.status} to {location[:300]}"
        target = self._accept(location, source, entry.url) if source is not None and location else ""
        if not target:
            self.frontier.finish(entry.url, Outcome("done", status=result.status, note=note + " (not followed)"))
            return
        if hops > 10:
            self._fail(entry, "too many redirects", result.status)
            return
        if target == entry.url or self.frontier.known(target):
            # A loop, or a page we have (or will have) anyway.
            self.frontier.finish(entry.url, Outcome("done", status=result.status, note=note))
            return
        self.redirect_hops[target] = hops
        assert source is not None
        if entry.role in ("feed", "sitemap"):
            role = entry.role
        elif source.is_article(target) and (source.article_patterns or entry.role == "article"):
            role = "article"
        else:
            role = "start" if entry.role == "start" else "page"
        self._add([(target, host_of(target), entry.source, role, entry.depth)], source)
        self.frontier.finish(entry.url, Outcome("done", status=result.status, note=note))

    def _show(self) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if now - self._last_status < 1.0:
            return
        self._last_status = now
        counts = self.frontier.counts()
        queued = counts.get("queued", 0) + counts.get("fetching", 0)
        self.progress.status = (
            f"queued {queued}, articles {self.stats.articles}, errors {self.stats.errors}, "
            f"not modified {self.stats.not_modified}"
        )

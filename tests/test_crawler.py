"""The crawler against a misbehaving site on loopback: politeness, HTTP trouble, traps, archive, resume.

Every case runs the real crawler (httpx, SQLite frontier, WARC writer) against `tests.mocksite.MockServer`,
with a sink that records the article pages it receives. Extraction and the index are not involved here;
`tests/test_pipeline.py` covers the whole flow.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive import iter_archive, iter_responses, read_record
from crawler.charset import detect_charset
from crawler.crawl import CrawlConfig, Crawler, CrawlStats, check_delays
from crawler.discover import parse_xml_links
from crawler.errors import CrawlerError
from crawler.fetch import Fetcher
from crawler.frontier import Frontier
from crawler.models import Fetched
from crawler.safety import UnsafeTarget, check_target
from crawler.sources import Source
from crawler.urls import normalize_url
from tests.conftest import ROOT
from tests.mocksite import MockServer

UA = "KzPressSearchTest/0.1 (+https://example.invalid/contact)"


class RecordingSink:
    def __init__(self) -> None:
        self.pages: list[Fetched] = []
        self.commits = 0

    def page(self, fetched: Fetched, source: Source) -> None:
        self.pages.append(fetched)

    def commit(self) -> None:
        self.commits += 1

    @property
    def paths(self) -> set[str]:
        return {p.url.split("/", 3)[3] for p in self.pages}


class BatchingSink(RecordingSink):
    """A pipelined sink: pages become durable five at a time on its own schedule; page `fail_at` fails, and
    then so does every commit (a sink that broke mid-batch)."""

    def __init__(self, fail_at: int = 0) -> None:
        super().__init__()
        self.fail_at = fail_at
        self.durable = 0

    def page(self, fetched: Fetched, source: Source) -> None:
        if len(self.pages) + 1 == self.fail_at:
            raise OSError("the sink broke")
        super().page(fetched, source)

    def advance(self) -> int:
        self.durable = len(self.pages) - len(self.pages) % 5
        return self.durable

    def commit(self) -> None:
        if self.fail_at:
            raise OSError("the sink is broken")
        super().commit()
        self.durable = len(self.pages)


@pytest.fixture(scope="session")
def site() -> Iterator[MockServer]:
    server = MockServer(articles=3)
    yield server
    server.stop()


def crawl(
    server: MockServer,
    data: Path,
    start: list[str] = (),  # type: ignore[assignment]
    *,
    feeds: list[str] = (),  # type: ignore[assignment]
    sitemaps: list[str] = (),  # type: ignore[assignment]
    patterns: tuple[str, ...] = (r"^/news/",),
    allow_private: bool = True,
    sink: RecordingSink | None = None,
    source_id: str = "mock",
    **config: object,
) -> tuple[CrawlStats, dict[str, str], RecordingSink]:
    import re

    from crawler.archive import ArchiveWriter

    source = Source(
        id=source_id,
        name=source_id,
        start=[server.url(p) for p in start],
        feeds=[server.url(p) for p in feeds],
        sitemaps=[server.url(p) for p in sitemaps],
        article_patterns=[re.compile(p) for p in patterns],
        allow_private=allow_private,
    )
    settings: dict[str, object] = {
        "user_agent": UA,
        "delay": 0.0,
        "max_bytes": 2_000_000,
        "deadline": 1.5,
        "retry_base": 0.1,
    }
    settings.update(config)
    sink = sink or RecordingSink()
    frontier = Frontier(data / "crawl" / "frontier.sqlite")
    writer = ArchiveWriter(data / "archive")
    try:
        stats = Crawler([source], frontier, writer, CrawlConfig(**settings), sink).run()  # type: ignore[arg-type]
        states = {u.split("/", 3)[3]: s for u, s in frontier.states().items()}
    finally:
        writer.close()
        frontier.close()
    return stats, states, sink


def test_discovery_follows_patterns_and_obeys_robots(site: MockServer, tmp_path: Path) -> None:
    stats, states, sink = crawl(site, tmp_path, ["/"])
    assert {"news/a0.html", "news/a1.html", "news/a2.html", "news/from-section.html"} <= sink.paths
    assert states["private/secret.html"] == "blocked"
    assert site.hits["/private/secret.html"] == 0
    assert stats.finished and stats.errors == 0
    user_agents = {headers.get("User-Agent") for _, headers in site.log}
    assert user_agents == {UA}


def test_crawl_delay_of_robots_txt_is_honoured(tmp_path: Path) -> None:
    server = MockServer(robots="User-agent: *\nCrawl-delay: 1\n", articles=2)
    try:
        _, _, sink = crawl(server, tmp_path, ["/"])
    finally:
        server.stop()
    assert {"news/a0.html", "news/a1.html"} <= sink.paths
    gaps = [b - a for a, b in zip(server.times, server.times[1:], strict=False)]
    assert len(gaps) >= 3 and min(gaps) >= 0.9  # our delay is 0; robots.txt asks for 1 s


def test_unreachable_robots_means_allowed(tmp_path: Path) -> None:
    server = MockServer(robots=None, articles=2)
    try:
        _, states, sink = crawl(server, tmp_path, ["/"])
    finally:
        server.stop()
    assert {"news/a0.html", "news/a1.html"} <= sink.paths
    assert states["private/secret.html"] == "done"  # no robots.txt: nothing is disallowed


def test_redirect_chain_and_loop(site: MockServer, tmp_path: Path) -> None:
    _, states, sink = crawl(site, tmp_path, ["/r/1", "/loop/a"], patterns=(r"^/(news|r|loop)/",))
    assert "news/redirected.html" in sink.paths
    assert states["r/1"] == states["r/2"] == "done"
    assert site.hits["/loop/a"] == 1 and site.hits["/loop/b"] == 1


def test_404_and_410_are_remembered_and_not_retried(site: MockServer, tmp_path: Path) -> None:
    _, states, _ = crawl(site, tmp_path, ["/gone404", "/gone410"])
    assert states["gone404"] == states["gone410"] == "gone"
    crawl(site, tmp_path, ["/gone404", "/gone410"])  # a second, new run
    assert site.hits["/gone404"] == 1 and site.hits["/gone410"] == 1


def test_500_then_success_and_429_with_retry_after(site: MockServer, tmp_path: Path) -> None:
    started = time.monotonic()
    stats, states, sink = crawl(site, tmp_path, ["/flaky", "/too-many"], patterns=(r"^/(flaky|too-many)$",))
    assert states["flaky"] == states["too-many"] == "done"
    assert {"flaky", "too-many"} <= sink.paths
    assert site.hits["/flaky"] == 2 and site.hits["/too-many"] == 2
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert stats.retries == 2


def test_slow_host_trickle_and_dropped_connection_fail_in_time(site: MockServer, tmp_path: Path) -> None:
    started = time.monotonic()
    _, states, sink = crawl(site, tmp_path, ["/slow", "/trickle", "/trickle-headers", "/drop"], max_attempts=2)
    assert states["slow"] == states["trickle"] == states["trickle-headers"] == states["drop"] == "failed"
    assert site.hits["/slow"] == 2 and site.hits["/drop"] == 2
    assert time.monotonic() - started < 16  # deadlines of 1.5 s, not the 4 s trickles or the 3 s sleep
    with sqlite3.connect(tmp_path / "crawl" / "frontier.sqlite") as db:
        notes = dict(db.execute("SELECT url, note FROM urls"))
    assert "too slow" in notes[site.url("/trickle")]
    assert "too slow" in notes[site.url("/trickle-headers")]
    assert "timed out" in notes[site.url("/slow")]
    assert not sink.pages


def test_windows_1251_page_archived_as_served(site: MockServer, tmp_path: Path) -> None:
    _, states, sink = crawl(site, tmp_path, ["/cp1251.html"], patterns=(r"\.html$",))
    assert states["cp1251.html"] == "done"
    (page,) = sink.pages
    assert "charset" not in page.headers.get("content-type", "")
    assert detect_charset(page.body, page.headers["content-type"]) == "cp1251"
    assert "Шымкента" in page.body.decode("cp1251")
    archived = [f for f in iter_archive(tmp_path / "archive") if f.url.endswith("/cp1251.html")]
    assert archived[0].body == page.body  # the raw bytes, not a UTF-8 copy


def test_big_page_pdf_empty_body_and_gzip_bomb_are_skipped(site: MockServer, tmp_path: Path) -> None:
    started = time.monotonic()
    _, states, sink = crawl(
        site, tmp_path, ["/big.html", "/pdf.html", "/empty.html", "/bomb.html"], patterns=(r"\.html$",)
    )
    assert not sink.pages
    assert all(states[p] == "failed" for p in ("big.html", "pdf.html", "empty.html", "bomb.html"))
    with sqlite3.connect(tmp_path / "crawl" / "frontier.sqlite") as db:
        notes = {u.rsplit("/", 1)[1]: n for u, n in db.execute("SELECT url, note FROM urls")}
    assert "size cap" in notes["big.html"] and "size cap" in notes["bomb.html"]
    assert "PDF" in notes["pdf.html"]
    assert "empty" in notes["empty.html"]
    archived = {r.fetched.url.rsplit("/", 1)[1]: r for r in iter_responses(tmp_path / "archive")}
    assert archived["big.html"].truncated == "length"
    assert len(archived["big.html"].fetched.body) <= 2_000_000
    assert len(archived["bomb.html"].fetched.body) <= 2_000_000
    assert time.monotonic() - started < 20


def test_brotli_is_decoded_and_broken_gzip_is_a_failure(site: MockServer, tmp_path: Path) -> None:
    _, states, sink = crawl(site, tmp_path, ["/brotli.html", "/broken-gzip.html"], patterns=(r"\.html$",))
    assert sink.paths == {"brotli.html"}
    assert b"brotli" in sink.pages[0].body and sink.pages[0].headers["x-crawler-content-encoding"] == "br"
    assert states["broken-gzip.html"] == "failed"


def test_sitemap_index_pointing_to_itself_rss_and_atom(site: MockServer, tmp_path: Path) -> None:
    _, states, sink = crawl(site, tmp_path, sitemaps=["/sitemap-self.xml"], feeds=["/rss.xml", "/atom.xml"])
    assert {"news/from-sitemap.html", "news/from-rss.html", "news/from-atom.html"} <= sink.paths
    assert site.hits["/sitemap-self.xml"] >= 1
    assert states["sitemap-self.xml"] == "done"


def test_sitemap_self_reference_fetched_once_per_run(tmp_path: Path) -> None:
    server = MockServer()
    try:
        crawl(server, tmp_path, sitemaps=["/sitemap-self.xml"])
    finally:
        server.stop()
    assert server.hits["/sitemap-self.xml"] == 1


def test_infinite_calendar_is_left_alone(site: MockServer, tmp_path: Path) -> None:
    stats, _, _ = crawl(site, tmp_path, ["/calendar/2025/01/"])
    assert stats.finished
    calendar_hits = sum(n for p, n in site.hits.items() if p.startswith("/calendar/"))
    assert calendar_hits <= 12


def test_conditional_get_on_second_run(site: MockServer, tmp_path: Path) -> None:
    _, _, first = crawl(site, tmp_path, ["/etag.html"], patterns=(r"^/etag",))
    assert first.paths == {"etag.html"}
    before = site.hits["/etag.html"]
    stats, _, _ = crawl(site, tmp_path, ["/etag.html"], patterns=(r"^/etag",))
    assert site.hits["/etag.html"] == before, "an article fetched a moment ago is not due for a revisit"
    assert stats.finished and stats.revisits == 0
    stats, states, second = crawl(site, tmp_path, ["/etag.html"], patterns=(r"^/etag",), revisit_all=True)
    assert states["etag.html"] == "done"
    assert stats.not_modified == 1 and stats.revisits == 1 and not second.pages
    last_request = [headers for path, headers in site.log if path == "/etag.html"][-1]
    assert last_request.get("If-None-Match") == '"v1"'
    assert last_request.get("If-Modified-Since") == "Mon, 10 Feb 2025 10:00:00 GMT"


def test_ssrf_refused_unless_allowed(site: MockServer, tmp_path: Path) -> None:
    for url in ("http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/"):
        with pytest.raises(UnsafeTarget):
            check_target(url)
    check_target(site.url("/"), {site.url("/").split("/")[2]})
    stats, states, sink = crawl(site, tmp_path, ["/", "/ssrf.html"], allow_private=False)
    assert not sink.pages and stats.refused >= 2
    assert all(s == "skipped" for s in states.values())
    assert site.hits["/ssrf.html"] == 0


def test_the_connected_address_is_checked_too(site: MockServer) -> None:
    """A name that resolved to a public address at the check but connects to loopback (DNS rebinding)."""
    import socket

    fetcher = Fetcher(UA)
    sock = socket.create_connection(site.server_address[:2])
    try:
        with pytest.raises(UnsafeTarget, match="when connecting"):
            fetcher._check_peer("rebinding.example.kz", sock)
        fetcher.allowed_private.add("rebinding.example.kz")
        fetcher._check_peer("rebinding.example.kz", sock)
    finally:
        sock.close()
        fetcher.close()


def test_non_http_schemes_and_giant_urls_are_refused() -> None:
    for url in ("ftp://example.kz/a", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"):
        with pytest.raises(CrawlerError):
            normalize_url(url)
    with pytest.raises(CrawlerError, match="8 KB"):
        normalize_url("http://example.kz/" + "a" * 9000)
    fetcher = Fetcher(UA)
    try:
        with pytest.raises(UnsafeTarget):
            fetcher.fetch("file:///etc/passwd")
    finally:
        fetcher.close()


def test_xml_bomb_fails_safely(site: MockServer, tmp_path: Path) -> None:
    lol = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    lol += "<urlset><url><loc>&b;</loc></url></urlset>"
    assert "unsafe" in parse_xml_links(lol.encode()).error
    stats, states, _ = crawl(site, tmp_path, sitemaps=["/xmlbomb.xml"])
    assert stats.finished and states["xmlbomb.xml"] == "done"
    assert any("unsafe XML" in note for note in stats.notes)


def test_delay_zero_only_for_loopback() -> None:
    public = Source(id="kz", name="kz", start=["https://tengrinews.kz/"])
    with pytest.raises(CrawlerError, match="only allowed"):
        check_delays(0.0, [public])
    check_delays(1.0, [public])
    check_delays(0.0, [Source(id="lo", name="lo", start=["http://127.0.0.1:9/"], from_command_line=True)])


def test_archive_survives_a_cut_tail(site: MockServer, tmp_path: Path) -> None:
    crawl(site, tmp_path, ["/"])
    (warc,) = list((tmp_path / "archive").iterdir())
    whole = list(iter_archive(tmp_path / "archive"))
    last = whole[-1]
    assert read_record(tmp_path / "archive", last.warc_file, last.warc_offset).body == last.body
    data = warc.read_bytes()
    warc.write_bytes(data[: last.warc_offset + 200])  # kill -9 in the middle of the last record
    damage: list[str] = []
    survivors = list(iter_archive(tmp_path / "archive", on_damage=damage.append))
    assert [f.url for f in survivors] == [f.url for f in whole[:-1]]
    assert damage and warc.name in damage[0]


CHILD = """
import re, sys, os
from pathlib import Path
from crawler.archive import ArchiveWriter
from crawler.crawl import CrawlConfig, Crawler
from crawler.frontier import Frontier
from crawler.sources import Source

data, base = Path(sys.argv[1]), sys.argv[2]

class FileSink:
    def __init__(self):
        self.buffer = []
    def page(self, fetched, source):
        self.buffer.append(fetched.url)
    def commit(self):
        with open(data / "articles.txt", "a") as out:
            out.write("".join(u + "\\n" for u in self.buffer))
            out.flush()
            os.fsync(out.fileno())
        self.buffer = []

patterns = [re.compile("^/news/")]
source = Source(id="mock", name="mock", start=[base + "/"], article_patterns=patterns, allow_private=True)
frontier = Frontier(data / "frontier.sqlite")
writer = ArchiveWriter(data / "archive")
config = CrawlConfig(user_agent="KzPressSearchTest/0.1", delay=0.0, commit_every=7, workers=2)
Crawler([source], frontier, writer, config, FileSink()).run()
"""


def test_kill_9_and_restart_ends_with_the_same_articles(tmp_path: Path) -> None:
    server = MockServer(articles=60)
    server.slow_article = 0.03
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        data = tmp_path / "data"
        data.mkdir()
        child = subprocess.Popen([sys.executable, str(script), str(data), server.base], env=env)
        deadline = time.monotonic() + 30
        while sum(n for p, n in server.hits.items() if p.startswith("/news/")) < 25:
            assert time.monotonic() < deadline and child.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        with sqlite3.connect(data / "frontier.sqlite") as db:
            done = {u for (u,) in db.execute("SELECT url FROM urls WHERE state = 'done'")}
        hits_at_kill = dict(server.hits)
        assert 0 < len(done) < 62
        subprocess.run([sys.executable, str(script), str(data), server.base], env=env, check=True, timeout=60)
        delivered = set((data / "articles.txt").read_text().split())
        expected = {server.url(f"/news/a{i}.html") for i in range(60)} | {server.url("/news/from-section.html")}
        assert delivered == expected
        for url in done:
            path = "/" + url.split("/", 3)[3]
            assert server.hits[path] == hits_at_kill[path], f"{path} was fetched again after it was finished"
    finally:
        server.stop()


def test_max_pages_stops_early_and_the_next_run_resumes(tmp_path: Path) -> None:
    server = MockServer(articles=6)
    try:
        stats, _, first = crawl(server, tmp_path, ["/"], max_pages=4)
        # --max-pages counts pages: the robots.txt fetched first is not one of the four
        assert stats.fetched - stats.robots == 4 and stats.robots == 1
        assert sum(n for path, n in server.hits.items() if path != "/robots.txt") == 4
        assert not stats.finished and stats.queued > 0
        stats, _, second = crawl(server, tmp_path, ["/"])
        assert stats.finished and stats.resumed
    finally:
        server.stop()
    assert {f"news/a{i}.html" for i in range(6)} <= first.paths | second.paths
    assert not first.paths & second.paths
    assert all(n == 1 for path, n in server.hits.items() if path != "/robots.txt")


def test_a_crawl_leaves_other_sources_urls_alone(tmp_path: Path) -> None:
    one, two = MockServer(articles=2), MockServer(articles=2)
    try:
        crawl(one, tmp_path, ["/"], source_id="one")
        hits_one = sum(one.hits.values())
        stats, _, _sink = crawl(two, tmp_path, ["/"], source_id="two")
    finally:
        one.stop()
        two.stop()
    # (the two sites serve the same bodies: the second's articles are fetched, then kept out as duplicates)
    assert stats.finished and two.hits["/news/a0.html"] == two.hits["/news/a1.html"] == 1
    assert sum(one.hits.values()) == hits_one  # the first source's URLs wait for a crawl that names it


def test_a_pipelined_sink_gets_pages_marked_delivered_once_it_says_they_are_durable(tmp_path: Path) -> None:
    server = MockServer(articles=20)
    try:
        stats, _, sink = crawl(server, tmp_path / "whole", ["/"], sink=BatchingSink(), commit_every=3)
        assert stats.finished and len(sink.pages) == stats.articles >= 20
        assert sink.commits == 1  # only at the end: the sink commits on its own schedule, not every 3 pages
        whole = Frontier(tmp_path / "whole" / "crawl" / "frontier.sqlite")
        try:
            assert whole.undelivered() == []
        finally:
            whole.close()

        broken = BatchingSink(fail_at=13)
        with pytest.raises(OSError, match="the sink broke"):
            crawl(server, tmp_path / "broken", ["/"], sink=broken)
        frontier = Frontier(tmp_path / "broken" / "crawl" / "frontier.sqlite")
        try:
            left = [url for url, *_ in frontier.undelivered()]
        finally:
            frontier.close()
        assert len(broken.pages) == 12 and broken.durable == 10
        assert left == [p.url for p in broken.pages[10:]]  # handed over but not durable: delivered again next run

        _, _, again = crawl(server, tmp_path / "broken", ["/"])
        assert {p.url for p in broken.pages[:10]}.isdisjoint(p.url for p in again.pages)
        assert {p.url for p in broken.pages[:10]} | {p.url for p in again.pages} == {p.url for p in sink.pages}
    finally:
        server.stop()

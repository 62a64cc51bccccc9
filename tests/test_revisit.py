"""Revisits by schedule: a watch cycle asks for the hubs, the new stories and only the revisits that are due.

The outlet is a real HTTP server on loopback (in the style of `tests.mocksite`) holding 5,000 articles that
earlier runs already know, published over two years, and 10 new ones: a front page, a section front, an RSS
feed and a sitemap that lists every article. The frontier learns the 5,000 through its own API, as if the last
run had fetched them a day ago; the cycle under test is a real `searchapp watch --once`. The server counts
every request, with its time, so the test sees what the crawler asked and how politely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import revisit
from crawler.frontier import Frontier, Outcome
from crawler.urls import host_of
from tests.mocksite import Handler

KNOWN = 5000
NEW = 10
DELAY = 0.05
TOPICS = ("зауыт", "мектеп", "аурухана", "көпір", "жол", "су құбыры", "электр желісі", "бау-бақша")
PLACES = ("Павлодар", "Екібастұз", "Ақсу", "Баянауыл", "Ертіс", "Шарбақты")


def article_html(n: int, published: dt.datetime, marker: str) -> bytes:
    """An article page whose words differ from every other's (no duplicates, no reprint groups)."""
    rng = random.Random(n)
    place, topic = PLACES[n % len(PLACES)], TOPICS[(n // len(PLACES)) % len(TOPICS)]
    words = " ".join(rng.choice(("жаңа", "үлкен", "қалалық", "аудандық", "облыстық")) for _ in range(6))
    title = f"{place} қаласында {topic} №{n} {marker}".strip()
    paragraphs = [
        f"{place} қаласында {words} {topic} салынып жатыр, құны {n + 3} миллиард теңге. {marker}",
        f"Жоба бойынша {n % 97 + 20} адам жұмысқа алынады, құрылыс {2020 + n % 7} жылы басталған.",
        f"Әкімдік өкілі {topic} келесі жылы толық іске қосылатынын айтты, тұрғындар оны {words} деп бағалады.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="kk"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'</head><body><article><h1>{title}</h1><div class="article-body">{body}</div></article></body></html>'
    ).encode()


class Outlet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, now: dt.datetime) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        span = 730 * 24 * 3600
        # Known articles published over the last two years, oldest first; the new ones within the last hour.
        self.published = {n: now - dt.timedelta(seconds=span * (KNOWN - n) / KNOWN + 3600) for n in range(KNOWN)}
        self.visible = KNOWN
        self.lock = threading.Lock()
        self.log: list[tuple[float, str]] = []  # (arrival time, path) of every request
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def publish_new(self, now: dt.datetime) -> list[str]:
        for i in range(NEW):
            self.published[KNOWN + i] = now - dt.timedelta(minutes=50 - i)
        self.visible = KNOWN + NEW
        return [self.url(f"/news/{KNOWN + i}.html") for i in range(NEW)]

    def body(self, n: int) -> bytes:
        return article_html(n, self.published[n], "жаңалық" if n >= KNOWN else "")

    @staticmethod
    def etag(n: int) -> str:
        return f'"a{n}"'

    def latest(self, count: int = 20) -> list[int]:
        return list(range(self.visible - 1, max(-1, self.visible - 1 - count), -1))

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(Handler):
    """The mock site's handler (its `send`), with the outlet's routes."""

    server: Outlet  # type: ignore[assignment]

    def do_GET(self) -> None:
        outlet = self.server
        path = urlsplit(self.path).path
        with outlet.lock:
            outlet.log.append((time.monotonic(), path))
        if path == "/robots.txt":
            self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif path in ("/", "/section/ekonomika/"):
            links = "".join(f'<a href="/news/{n}.html">{n}</a>' for n in outlet.latest())
            self.send(200, f'<html><body><a href="/section/ekonomika/">Экономика</a>{links}</body></html>'.encode())
        elif path == "/rss.xml":
            items = "".join(
                f"<item><title>{n}</title><link>{outlet.url(f'/news/{n}.html')}</link>"
                f"<pubDate>{outlet.published[n].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
                for n in outlet.latest()
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
            self.send(200, body.encode(), "application/rss+xml")
        elif path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{outlet.url(f'/news/{n}.html')}</loc>"
                f"<lastmod>{outlet.published[n].date().isoformat()}</lastmod></url>"
                for n in range(outlet.visible)
            )
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            self.send(200, body.encode(), "application/xml")
        elif path.startswith("/news/") and path.endswith(".html") and path[6:-5].isdigit():
            n = int(path[6:-5])
            if n >= outlet.visible:
                self.send(404, b"no such page")
            elif self.headers.get("If-None-Match") == outlet.etag(n):
                self.send(304, b"", ETag=outlet.etag(n))
            else:
                self.send(200, outlet.body(n), ETag=outlet.etag(n))
        else:
            self.send(404, b"no such page")


@pytest.fixture()
def outlet() -> Iterator[Outlet]:
    server = Outlet(dt.datetime.now(dt.UTC))
    yield server
    server.stop()


def write_sources(outlet: Outlet, path: Path) -> Path:
    path.write_text(
        "[[source]]\n"
        'id = "outlet"\nname = "Ертіс жаңалықтары"\nlang = ["kk"]\n'
        f'start = ["{outlet.url("/")}"]\nfeeds = ["{outlet.url("/rss.xml")}"]\n'
        f'sitemaps = ["{outlet.url("/sitemap.xml")}"]\n'
        "article_patterns = ['^/news/\\d+\\.html$']\nallow_private = true\n"
        f"delay = {DELAY}\n",
        encoding="utf-8",
    )
    return path


def seed_known(outlet: Outlet, frontier_path: Path, when: float) -> None:
    """What earlier runs left: every known article fetched at `when` (a day ago), scheduled from its age."""
    frontier = Frontier(frontier_path)
    try:
        urls = [outlet.url(f"/news/{n}.html") for n in range(KNOWN)]
        frontier.add_many((url, host_of(url), "outlet", "article", 1) for url in urls)
        with frontier.transaction():
            frontier.db.execute("UPDATE urls SET first_seen = ?", (when,))
            for n, url in enumerate(urls):
                body = outlet.body(n)
                frontier.finish(
                    url,
                    Outcome(
                        "done",
                        status=200,
                        etag=outlet.etag(n),
                        content_hash=hashlib.sha1(body).hexdigest(),
                        visit="new",
                        published=outlet.published[n].timestamp(),
                    ),
                    now=when,
                )
        frontier.begin_run(now=when)  # the earlier run, drained and finished
        frontier.finish_run()
    finally:
        frontier.close()


def test_the_schedule_backs_off_with_age_and_unchanged_answers_and_closes_in_on_changes() -> None:
    now = 1_750_000_000.0
    fresh = revisit.next_interval(revisit.Visit("new", now - 600), 0, now, now)
    week = revisit.next_interval(revisit.Visit("new", now - 7 * revisit.DAY), 0, now, now)
    old = revisit.next_interval(revisit.Visit("new", now - 400 * revisit.DAY), 0, now, now)
    assert fresh == revisit.MIN_INTERVAL  # hours for a new story
    assert revisit.DAY <= week < 7 * revisit.DAY  # days for a week-old one
    assert old >= 30 * revisit.DAY  # months for an old one
    unchanged = revisit.next_interval(revisit.Visit("unchanged", now - 600), fresh, now, now)
    assert unchanged == 2 * fresh
    changed = revisit.next_interval(revisit.Visit("changed", now - 7 * revisit.DAY), 8 * week, now, now)
    assert changed == 4 * week
    longest = revisit.MAX_INTERVAL
    assert revisit.next_interval(revisit.Visit("unchanged", now), longest, now, now) == longest


def test_an_old_frontier_file_gains_the_schedule_and_spreads_its_revisits(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "frontier.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE urls (url TEXT PRIMARY KEY, host TEXT NOT NULL, source TEXT NOT NULL, role TEXT NOT NULL, "
        "prio INTEGER NOT NULL, depth INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'queued', "
        "run INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_try REAL NOT NULL DEFAULT 0, "
        "status INTEGER, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '', "
        "content_hash TEXT NOT NULL DEFAULT '', canonical TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', "
        "warc_file TEXT NOT NULL DEFAULT '', warc_offset INTEGER NOT NULL DEFAULT -1, "
        "delivered INTEGER NOT NULL DEFAULT 1, fetched_at TEXT NOT NULL DEFAULT '')"
    )
    old.executemany(
        "INSERT INTO urls (url, host, source, role, prio, depth, state, content_hash) VALUES (?, 'h', 's', ?, ?, ?, "
        "'done', 'x')",
        [(f"http://h/news/{i}", "article", 2, 1) for i in range(1000)] + [("http://h/", "start", 1, 0)],
    )
    old.commit()
    old.close()
    frontier = Frontier(path)
    try:
        now = time.time()
        assert frontier.due_count(now + 0.9 * revisit.HOUR) == 0  # nothing falls due at once, nor within the hour ...
        assert 100 <= frontier.due_count(now + 3.5 * revisit.DAY) <= 900  # ... but spread over the week
        assert frontier.due_count(now + 7 * revisit.DAY + 60) == 1000
        frontier.begin_run(now=now)
        assert frontier.counts() == {"queued": 1, "done": 1000}  # the front page, a hub, is asked every run
    finally:
        frontier.close()


@pytest.mark.slow
def test_a_watch_cycle_asks_the_hubs_the_new_stories_and_only_the_due_revisits(outlet: Outlet, tmp_path: Path) -> None:
    import feedparser

    from searchapp import create_app
    from searchapp.cli import main

    data = tmp_path / "data"
    sources = write_sources(outlet, tmp_path / "sources.toml")
    frontier_path = data / "crawl" / "frontier.sqlite"
    seed_known(outlet, frontier_path, time.time() - revisit.DAY)

    app = create_app({"data": str(data), "TESTING": True})
    saved = app.test_client().post("/api/saved-searches", json={"name": "жаңалық", "q": "жаңалық"}).get_json()
    rss = "/" + saved["rss"].split("://", 1)[1].split("/", 1)[1]

    new_urls = outlet.publish_new(dt.datetime.now(dt.UTC))
    frontier = Frontier(frontier_path)
    started = time.time()
    due = frontier.due_count(started)
    due_by_end = frontier.due_count(started + 600)
    frontier.close()
    assert 0 < due <= KNOWN * 0.05, due  # the young articles of a day ago are due again, the old ones not

    first = len(outlet.log)
    assert main(["watch", "--once", "--sources", str(sources), "--data", str(data)]) == 0
    cycle = outlet.log[first:]
    paths = [path for _, path in cycle]

    hubs = ["/robots.txt", "/", "/section/ekonomika/", "/rss.xml", "/sitemap.xml"]
    new_paths = {urlsplit(u).path for u in new_urls}
    known_asked = [p for p in paths if p.startswith("/news/") and p not in new_paths]
    assert sorted(p for p in paths if p in hubs) == sorted(hubs)  # each hub once
    assert sorted(p for p in paths if p in new_paths) == sorted(new_paths)  # each new story once
    assert len(paths) == len(hubs) + NEW + len(known_asked)  # nothing else
    assert len(set(known_asked)) == len(known_asked)
    assert due <= len(known_asked) <= due_by_end <= KNOWN * 0.05
    # Revisits wait for the new stories.
    last_new = max(i for i, p in enumerate(paths) if p in new_paths)
    assert all(i > last_new for i, p in enumerate(paths) if p in known_asked)
    # Politeness, measured where it matters: never two requests to the host closer than the delay.
    times = [t for t, _ in cycle]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= DELAY * 0.9, min(gaps)

    if app.extensions.get("searchapp.index") is not None:
        app.extensions["searchapp.index"].close()
    app = create_app({"data": str(data), "TESTING": True})
    try:
        feed = app.test_client().get(rss)
    finally:
        if app.extensions.get("searchapp.index") is not None:
            app.extensions["searchapp.index"].close()
    assert feed.status_code == 200
    links = {entry.link for entry in feedparser.parse(feed.data).entries}
    assert set(new_urls) <= links

    # Nothing due when the cycle began is due still: each page asked was scheduled again, an hour or more on
    # (the spread makes an hour 0.9 to 1.1).
    frontier = Frontier(frontier_path)
    try:
        assert frontier.due_count(started) == 0
        soonest = frontier.db.execute(
            "SELECT MIN(next_visit - visited), COUNT(*) FROM urls WHERE visited >= ? AND role = 'article'", (started,)
        ).fetchone()
        assert soonest[1] == NEW + len(known_asked) and soonest[0] >= 0.9 * revisit.MIN_INTERVAL
    finally:
        frontier.close()


def test_crawl_revisit_all_asks_every_known_page_again(outlet: Outlet, tmp_path: Path) -> None:
    from searchapp.cli import main

    data = tmp_path / "data"
    outlet.visible = 30  # a small outlet: a full revisit of 5,000 pages is not what this checks
    sources = write_sources(outlet, tmp_path / "sources.toml")
    assert main(["crawl", "--sources", str(sources), "--data", str(data)]) == 0
    first = len(outlet.log)
    assert main(["crawl", "--sources", str(sources), "--data", str(data)]) == 0
    again = [p for _, p in outlet.log[first:] if p.startswith("/news/")]
    assert again == []  # everything was fetched a moment ago: nothing is due
    first = len(outlet.log)
    assert main(["crawl", "--revisit", "all", "--sources", str(sources), "--data", str(data)]) == 0
    again = [p for _, p in outlet.log[first:] if p.startswith("/news/")]
    assert sorted(again) == sorted(f"/news/{n}.html" for n in range(30))

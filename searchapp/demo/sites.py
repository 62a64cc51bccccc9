"""The demo press sites on loopback: routing, a thin HTTP server, and `DemoSites` for the demo and tests.

Last step of the demo's own flow (content -> outlets -> templates -> here): `render(site, target, headers)`
is a pure function from a request to a `Response`, so tests can call it without a socket; `DemoSites`
starts one `ThreadingHTTPServer` per outlet on 127.0.0.1 and writes the sources file the crawler reads.
Run `python -m searchapp.demo.sites --port-base 8101` to serve the sites by hand and point
`searchapp crawl` at them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from searchapp.demo import render as r
from searchapp.demo.boilerplate import e, w
from searchapp.demo.content import ContentError, DemoArticle, Expect, load_articles, parse_article
from searchapp.demo.outlets import FEED_ITEMS, OUTLETS, OUTLETS_BY_ID, Site, hidden, section_label
from searchapp.demo.templates import TEMPLATES, ListView, OntustikTemplate

FRONT_ITEMS = 10
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
    b'<rect width="640" height="360" fill="#c8d3dc"/></svg>\n'
)


def render(site: Site, target: str, headers: Mapping[str, str] | None = None) -> r.Response:
    """The response of `site` to a GET of `target` (path and query) with the given request headers."""
    page = route(site, target)
    return r.respond(page, headers or {}, gzip_ok=site.outlet.gzip)


def route(site: Site, target: str) -> r.Page:
    parts = urlsplit(target)
    path = quote(unquote(parts.path)) or "/"  # the form tag_path() writes, whatever the client escaped
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    outlet = site.outlet
    try:
        if path == "/robots.txt":
            return r.Page(r.robots(outlet.disallowed(), site.url("/sitemap.xml")), "text/plain; charset=utf-8")
        if path == outlet.feed_path:
            return _feed(site)
        if path.startswith("/sitemap"):
            return _sitemap(site, path)
        if path.startswith("/img/") and path.endswith(".svg"):
            return r.Page(PLACEHOLDER_SVG, "image/svg+xml")
        for lang in outlet.langs:
            if path == outlet.front_path(lang):
                return _front(site, lang)
        article = site.by_path.get(path)
        if article is not None:
            return _html(site, TEMPLATES[outlet.id].article(site, article), article.published)
        if path in site.lists:
            return _listing(site, path, query)
        if path == "/reklama/":
            return _ads(site)
        if outlet.calendar and path == "/calendar":
            return _calendar(site, query.get("month"))
        template = TEMPLATES[outlet.id]
        if path.startswith("/print/") and isinstance(template, OntustikTemplate):
            printed = site.by_path.get(path.removeprefix("/print"))
            if printed is not None:
                return _html(site, template.print_page(site, printed), printed.published)
    except _NotFound:
        pass
    return _not_found(site)


class _NotFound(Exception):
    pass


def _html(site: Site, text: str, last_modified: datetime | None, status: int = 200) -> r.Page:
    charset = site.outlet.charset
    # The old CMS declares its charset in the page only, as many did: the header says just text/html.
    content_type = "text/html" if charset != "utf-8" else "text/html; charset=utf-8"
    return r.Page(text.encode(charset, errors="xmlcharrefreplace"), content_type, last_modified, status)


def _newest(articles: Sequence[DemoArticle]) -> datetime | None:
    return max((a.published for a in articles), default=None)


def _front(site: Site, lang: str) -> r.Page:
    latest = site.visible(lang)[:FRONT_ITEMS]
    view = ListView(lang, site.outlet.name, site.outlet.front_path(lang), latest, front=True)
    return _html(site, TEMPLATES[site.outlet.id].listing(site, view), _newest(latest))


def _listing(site: Site, path: str, query: Mapping[str, str]) -> r.Page:
    listing, n = site.lists[path]
    if n is None:
        raw = query.get(site.outlet.page_param or "", "1")
        n = int(raw) if raw.isdigit() else 0
    if not 1 <= n <= listing.pages:
        raise _NotFound
    if listing.kind == "all":
        heading = w(listing.lang, "all_news")
    elif listing.kind == "section":
        heading = section_label(listing.key, listing.lang)
    else:
        heading = f"#{listing.key}"
    if n > 1:
        heading += f" — {w(listing.lang, 'page')} {n}"
    shown = listing.page(n)
    view = ListView(
        listing.lang,
        heading,
        site.outlet.page_path(listing.path, n),
        shown,
        prev_path=site.outlet.page_path(listing.path, n - 1) if n > 1 else None,
        next_path=site.outlet.page_path(listing.path, n + 1) if n < listing.pages else None,
    )
    return _html(site, TEMPLATES[site.outlet.id].listing(site, view), _newest(shown))


def _calendar(site: Site, month: str | None) -> r.Page:
    """The crawler trap: every month links to the next and the previous one, without end."""
    if month is None:
        newest = site.articles[0].published if site.articles else datetime(2025, 1, 1)
        month = f"{newest:%Y-%m}"
    found = MONTH.match(month)
    if found is None or not 1000 < int(found[1]) < 9999:
        raise _NotFound
    year, mon = int(found[1]), int(found[2])
    prev_month = f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"
    next_month = f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"
    lang = site.outlet.default_lang
    events = tuple(a for a in site.visible(lang) if f"{a.published:%Y-%m}" == month)
    view = ListView(
        lang,
        f"{w(lang, 'calendar')}: {month}",
        f"/calendar?month={month}",
        events,
        prev_path=f"/calendar?month={prev_month}",
        next_path=f"/calendar?month={next_month}",
        prev_label=f"← {prev_month}",
        next_label=f"{next_month} →",
    )
    return _html(site, TEMPLATES[site.outlet.id].listing(site, view), None)


def _feed(site: Site) -> r.Page:
    latest = sorted((a for a in site.articles if not hidden(a)), key=lambda a: a.published, reverse=True)
    items = [
        r.FeedItem(a.title, site.article_url(a), a.published, a.lead, a.authors, (section_label(a.section, a.lang),))
        for a in latest[:FEED_ITEMS]
    ]
    lang = site.outlet.default_lang
    body = r.rss(site.outlet.name, site.url("/"), w(lang, "all_news"), lang, items, site.outlet.charset)
    # windows-1251 is declared in the XML declaration only, like the outlet's pages.
    content_type = "application/rss+xml" if site.outlet.charset != "utf-8" else "application/rss+xml; charset=utf-8"
    return r.Page(body, content_type, _newest([a for a in latest[:FEED_ITEMS]]))


def _sitemap(site: Site, path: str) -> r.Page:
    years = sorted({a.published.year for a in site.articles}, reverse=True)
    xml = "application/xml"
    if path == "/sitemap.xml" and site.outlet.yearly_sitemaps:
        entries = [(site.url(f"/sitemap-{y}.xml"), _year_newest(site, y)) for y in years]
        return r.Page(r.sitemap_index(entries), xml, _newest(site.articles))
    if path == "/sitemap.xml":
        return r.Page(r.urlset((site.article_url(a), a.published) for a in site.articles), xml, _newest(site.articles))
    found = re.fullmatch(r"/sitemap-(\d{4})\.xml", path)
    if site.outlet.yearly_sitemaps and found and int(found[1]) in years:
        mine = [a for a in site.articles if a.published.year == int(found[1])]
        return r.Page(r.urlset((site.article_url(a), a.published) for a in mine), xml, _newest(mine))
    raise _NotFound


def _year_newest(site: Site, year: int) -> datetime:
    return max(a.published for a in site.articles if a.published.year == year)


def _ads(site: Site) -> r.Page:
    """The advertising page the footers link to: a page with no story, as every site has."""
    lang = site.outlet.default_lang
    text = "Жарнама бөлімі: +7 (700) 000-00-00" if lang == "kk" else "Отдел рекламы: +7 (700) 000-00-00"
    return _html(site, _plain(site, w(lang, "ads"), text), None)


def _not_found(site: Site) -> r.Page:
    lang = site.outlet.default_lang
    text = "Бет табылмады" if lang == "kk" else "Страница не найдена"
    return _html(site, _plain(site, "404", text), None, status=404)


def _plain(site: Site, title: str, text: str) -> str:
    lang = site.outlet.default_lang
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{site.outlet.charset}"><title>{e(title)}</title>'
        f'</head><body><h1>{e(title)}</h1><p>{e(text)}</p><p><a href="/">{w(lang, "home")}</a></p></body></html>\n'
    )


@dataclass(frozen=True, slots=True)
class OutletInfo:
    id: str
    name: str
    base_url: str
    langs: tuple[str, ...]

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


@dataclass(frozen=True, slots=True)
class ExpectedArticle:
    """An article a polite crawler should collect, with the gold the tests compare against."""

    url: str
    outlet: str
    source: str  # host:port, as the index's `source` facet names it
    article: DemoArticle
    reprint_of_url: str | None  # the original's URL when this is a reprint

    shows_time: bool = True

    @property
    def lang(self) -> str:
        return self.article.lang

    @property
    def expect(self) -> Expect:
        return self.article.expect

    @property
    def published(self) -> str:
        """What a reader of the page can know: `YYYY-MM-DDTHH:MM`, or the day where the outlet shows no time."""
        return f"{self.article.published:%Y-%m-%dT%H:%M}" if self.shows_time else f"{self.article.published:%Y-%m-%d}"


def _handler(sites: DemoSites, outlet_id: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do; every response has a length
        server_version = "DemoPress/1.0"
        timeout = 30
        # buffer the response: headers and body written apart meet Nagle's algorithm and the client's delayed
        # ACK, a 40 ms stall on every page (flushed by the base class after each request)
        wbufsize = 1 << 16

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def _answer(self, head: bool) -> None:
            response = render(sites.site(outlet_id), self.path, dict(self.headers.items()))
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            if not head and response.status != 304:
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo's output is the progress line, not an access log

    return Handler


class DemoSites:
    """`with DemoSites() as demo:` serves every outlet on 127.0.0.1 until the block ends.

    `port_base=0` picks free ports; otherwise outlet i listens on port_base + i.
    """

    def __init__(self, host: str = "127.0.0.1", port_base: int = 0, content: Path | None = None) -> None:
        self.host = host
        self.port_base = port_base
        self.content = content
        self._sites: dict[str, Site] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self) -> DemoSites:
        if not self._servers:
            self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> DemoSites:
        """Load the content and start the servers; OSError when a port cannot be bound."""
        articles = load_articles(self.content)
        unknown = sorted(set(articles) - set(OUTLETS_BY_ID))
        if unknown:
            raise ContentError(f"content for unknown outlet(s) {', '.join(unknown)}; known: {', '.join(OUTLETS_BY_ID)}")
        try:
            for i, outlet in enumerate(OUTLETS):
                port = self.port_base + i if self.port_base else 0
                server = ThreadingHTTPServer((self.host, port), _handler(self, outlet.id))
                server.daemon_threads = True
                self._servers.append(server)
                base_url = f"http://{self.host}:{server.server_port}"
                self._sites[outlet.id] = Site.build(outlet, base_url, articles.get(outlet.id, []))
                thread = threading.Thread(target=server.serve_forever, name=f"demo-{outlet.id}", daemon=True)
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def site(self, outlet_id: str) -> Site:
        return self._sites[outlet_id]

    @property
    def outlets(self) -> list[OutletInfo]:
        return [OutletInfo(s.outlet.id, s.outlet.name, s.base_url, s.outlet.langs) for s in self._sites.values()]

    def articles(self) -> Iterator[tuple[Site, DemoArticle]]:
        for site in self._sites.values():
            for article in site.articles:
                yield site, article

    def expected_articles(self) -> list[ExpectedArticle]:
        """Every article outside the robots-disallowed paths, with its gold."""
        urls = {a.key: site.article_url(a) for site, a in self.articles()}
        out = []
        for site, article in self.articles():
            if not site.allowed(site.outlet.article_path(article)):
                continue
            original = urls.get(article.reprint_of or "")
            out.append(
                ExpectedArticle(
                    site.article_url(article), site.outlet.id, urlsplit(site.base_url).netloc, article, original
                )
            )
        return out

    def add_article(self, outlet_id: str, article: DemoArticle | Mapping[str, Any]) -> str:
        """Publish an article now (a record or a content-file line); returns its URL."""
        if not isinstance(article, DemoArticle):
            article = parse_article(outlet_id, dict(article))
        article = dataclasses.replace(article, outlet=outlet_id)
        with self._lock:
            site = self._sites[outlet_id]
            if article.lang not in site.outlet.langs:
                raise ValueError(f"{outlet_id} publishes in {', '.join(site.outlet.langs)}, not {article.lang}")
            if any(a.slug == article.slug for a in site.articles):
                raise ValueError(f"{outlet_id} already has an article {article.slug!r}")
            self._sites[outlet_id] = site = site.with_article(article)
        return site.article_url(article)

    def write_sources(self, path: Path) -> Path:
        """The sources file (TOML) that points the crawler at these sites."""
        path.parent.mkdir(parents=True, exist_ok=True)
        blocks = [f"# Written by the demo for its loopback sites ({len(self._sites)} outlets).\n"]
        for site in self._sites.values():
            outlet = site.outlet
            lines = [
                "[[source]]",
                f"id = {_toml(outlet.id)}",
                f"name = {_toml(outlet.name)}",
                f"lang = {_toml(list(outlet.langs))}",
                f"start = {_toml([site.url(outlet.front_path(lang)) for lang in outlet.langs])}",
                f"feeds = {_toml([site.url(outlet.feed_path)])}",
                f"sitemaps = {_toml([site.url('/sitemap.xml')])}",
                f"article_patterns = ['{outlet.article_pattern()}']",
                "allow_private = true",
                "delay = 0.0",
            ]
            rules = SOURCE_RULES.get(outlet.id)
            if rules:
                lines.append("[source.rules]")
                lines.extend(f"{key} = {_toml(value)}" for key, value in rules.items())
            blocks.append("\n".join(lines) + "\n")
        path.write_text("\n".join(blocks), encoding="utf-8")
        return path


# Extraction hints where a template strays from what generic extraction expects.
SOURCE_RULES: dict[str, dict[str, Any]] = {
    "ertis": {"lead": "p.post-lead"},
    "sarbiz": {"lead": "div.news-detail__preview"},
    "ontustik": {"title": "h1.title", "body": "div.text", "lead": "div.anons", "drop": [".comment-list", ".also"]},
    "batys": {"drop": [".read-also", ".jp-relatedposts", ".comments-area"]},
}


def _toml(value: Any) -> str:
    """A TOML value; JSON strings without ASCII escaping are valid TOML basic strings."""
    return json.dumps(value, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m searchapp.demo.sites",
        description="Serve the bundled demo press sites on loopback until Ctrl-C (for trying `searchapp crawl`).",
    )
    parser.add_argument("--port-base", type=int, default=8101, help="port of the first outlet; the others follow")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--sources", type=Path, help="also write a sources file for `searchapp crawl --sources`")
    args = parser.parse_args(argv)
    try:
        with DemoSites(args.host, args.port_base) as demo:
            for info in demo.outlets:
                print(f"{info.id:10} {info.name:18} {info.base_url}/")
            if args.sources:
                print(f"sources written to {demo.write_sources(args.sources)}")
            print("Ctrl-C stops.")
            threading.Event().wait()
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"cannot serve the demo sites: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

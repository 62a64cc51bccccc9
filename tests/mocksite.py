"""A misbehaving press site on 127.0.0.1 for the crawler tests: one route per case the crawler must survive.

Modelled on scrapy's tests/mockserver: a real HTTP server in a thread, started once per session, counting
the requests it receives per path so tests can assert what was (not) fetched again.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{canonical}"></head><body><h1>{title}</h1>
<div class="article-body"><p>{body}</p>
<p>Павлодар облысында жаңа зауыт салынды, инвестиция көлемі 12 миллиард теңге.</p></div>
{links}</body></html>"""


def article(path: str, title: str, links: str = "", canonical: str | None = None) -> bytes:
    body = f"Мақала {title}: аймақтағы кәсіпорындар жұмысы туралы жаңалық, нөмірі {abs(hash(path)) % 1000}."
    return ARTICLE.format(title=title, body=body, links=links, canonical=canonical or path).encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    server: MockServer
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one segment: no 40 ms Nagle/delayed-ACK stall per response

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.hits[path] += 1
            count = self.server.hits[path]
            self.server.log.append((path, dict(self.headers.items())))
            self.server.times.append(time.monotonic())
        self.server.route(self, path, count)


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, robots: str | None = "User-agent: *\nDisallow: /private/\n", articles: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.robots = robots
        self.articles = articles
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, dict[str, str]]] = []
        self.times: list[float] = []  # when each request of `log` arrived
        self.lock = threading.Lock()
        self.slow_article = 0.0
        self._bomb = gzip.compress(b"\0" * 60_000_000, compresslevel=9)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on purpose (caps, deadlines) are the point of these routes

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def route(self, h: Handler, path: str, count: int) -> None:
        if path == "/robots.txt":
            if self.robots is None:
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)  # unreachable: the connection just dies
                return
            h.send(200, self.robots.encode(), "text/plain")
        elif path == "/":
            links = "".join(f'<a href="/news/a{i}.html">a{i}</a>' for i in range(self.articles))
            links += '<a href="/private/secret.html">secret</a><a href="/section/">section</a>'
            h.send(200, f"<html><body>{links}</body></html>".encode())
        elif path == "/section/":
            h.send(
                200, b'<html><body><a href="/news/from-section.html">x</a><a href="mailto:a@b.kz">m</a></body></html>'
            )
        elif path.startswith("/news/") or path.startswith("/private/"):
            if self.slow_article:
                time.sleep(self.slow_article)
            h.send(200, article(path, path.rsplit("/", 1)[-1]))
        elif path == "/r/1":
            h.send(301, b"", Location="/r/2")
        elif path == "/r/2":
            h.send(302, b"", Location=self.url("/news/redirected.html"))
        elif path == "/loop/a":
            h.send(302, b"", Location="/loop/b")
        elif path == "/loop/b":
            h.send(302, b"", Location="/loop/a")
        elif path == "/gone404":
            h.send(404, b"not here")
        elif path == "/gone410":
            h.send(410, b"gone")
        elif path == "/flaky":
            if count == 1:
                h.send(500, b"oops")
            else:
                h.send(200, article(path, "flaky"))
        elif path == "/too-many":
            if count == 1:
                h.send(429, b"slow down", Retry_After="1")
            else:
                h.send(200, article(path, "patient"))
        elif path == "/slow":
            time.sleep(3)
            h.send(200, article(path, "slow"))
        elif path == "/trickle":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            try:
                for _ in range(40):
                    h.wfile.write(b"<p>x</p>")
                    h.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/trickle-headers":
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            h.wfile.flush()
            try:
                for i in range(40):
                    h.wfile.write(f"X-Slow-{i}: y\r\n".encode())
                    h.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            h.close_connection = True
        elif path == "/drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/cp1251.html":
            text = "<html><head><title>Новости</title></head><body><p>Жители Шымкента получили новые автобусы: " * 3
            h.send(200, (text + "</p></body></html>").encode("cp1251"), "text/html")
        elif path == "/big.html":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<p>" + b"a" * 65_000 + b"</p>"
            try:
                for _ in range(20_000_000 // len(chunk)):
                    h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                h.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif path == "/pdf.html":
            h.send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n" + b"0" * 5000, "text/html")
        elif path == "/empty.html":
            h.send(200, b"")
        elif path == "/bomb.html":
            h.send(200, self._bomb, "text/html", Content_Encoding="gzip")
        elif path == "/broken-gzip.html":
            h.send(200, b"\x1f\x8b\x08\x00not really gzip at all", "text/html", Content_Encoding="gzip")
        elif path == "/brotli.html":
            import brotli

            h.send(200, brotli.compress(article(path, "brotli")), "text/html", Content_Encoding="br")
        elif path == "/etag.html":
            if h.headers.get("If-None-Match") == '"v1"':
                h.send(304, b"", "", ETag='"v1"')
            else:
                h.send(200, article(path, "etag"), ETag='"v1"', Last_Modified="Mon, 10 Feb 2025 10:00:00 GMT")
        elif path == "/sitemap-self.xml":
            me = self.url("/sitemap-self.xml")
            child = self.url("/sitemap-news.xml")
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{me}</loc></sitemap><sitemap><loc>{child}</loc></sitemap></sitemapindex>"
            )
            h.send(200, body.encode(), "application/xml")
        elif path == "/sitemap-news.xml":
            body = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f"<url><loc>{self.url('/news/from-sitemap.html')}</loc><news:news><news:title>t</news:title>"
                "</news:news></url></urlset>"
            )
            h.send(200, body.encode(), "application/xml")
        elif path == "/rss.xml":
            body = (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f"<item><title>a</title><link>{self.url('/news/from-rss.html')}</link></item>"
                "</channel></rss>"
            )
            h.send(200, body.encode(), "application/rss+xml")
        elif path == "/atom.xml":
            body = (
                '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                f'<entry><title>a</title><link rel="alternate" href="{self.url("/news/from-atom.html")}"/></entry>'
                "</feed>"
            )
            h.send(200, body.encode(), "application/atom+xml")
        elif path == "/xmlbomb.xml":
            lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            lol += "".join(
                f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9)
            )
            lol += ']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol8;</loc></url></urlset>'
            h.send(200, lol.encode(), "application/xml")
        elif path.startswith("/calendar/"):
            parts = path.strip("/").split("/")
            year, month = int(parts[1]), int(parts[2])
            nxt = (year + (month == 12), month % 12 + 1)
            prv = (year - (month == 1), (month - 2) % 12 + 1)
            links = f'<a href="/calendar/{nxt[0]}/{nxt[1]:02d}/">next</a>'
            links += f'<a href="/calendar/{prv[0]}/{prv[1]:02d}/">prev</a>'
            links += f'<a href="/calendar/{year}/{month:02d}/?session={count}&amp;x=1&amp;y=2&amp;z=3&amp;w=4">same</a>'
            h.send(200, f"<html><body>{links}</body></html>".encode())
        elif path == "/ssrf.html":
            h.send(200, b'<html><body><a href="http://10.0.0.1/news/a.html">x</a></body></html>')
        else:
            h.send(404, b"no such page")

"""One HTTP request, done carefully: the crawler's only door to the network.

`Fetcher.fetch(url)` makes one GET with httpx (no automatic redirects: the crawler follows them itself, one
politeness slot per hop), sends the conditional headers of a revisit, streams the body through its own gzip
and brotli decoders with a cap on the decoded size (compression bombs), stops at the size cap, at a total
deadline (a server trickling bytes) or at the first bytes of a PDF or image served as HTML, and hands back a
`FetchResult` that says what happened in words. The SSRF guard (`crawler.safety`) runs before each request.
It never raises for what a server does; it raises `UnsafeTarget` for a URL it refuses.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import brotli
import httpx

from crawler.archive import iso_now
from crawler.errors import CrawlerError
from crawler.safety import UnsafeTarget, check_target, is_public

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,application/atom+xml,text/xml;q=0.8"
ACCEPT_LANGUAGE = "kk,ru;q=0.9,en;q=0.5"
ERROR_BODY_BYTES = 65_536  # an error page is kept for the archive, but not a big one
# Media types worth reading: pages, feeds, sitemaps, robots.txt.
_TEXT_TYPES = ("text/html", "application/xhtml", "xml", "text/plain", "application/rss", "application/atom")
# Magic numbers of files that are not pages even when a server calls them text/html.
_MAGIC = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP file"),
    (b"\xd0\xcf\x11\xe0", "an Office file"),
    (b"\x1f\x8b", "a gzip file"),
)


@dataclass(slots=True)
class FetchResult:
    """What one request brought back. `status` is 0 when no response arrived."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # decoded from gzip/br, capped
    truncated: str = ""  # WARC-Truncated: length, time, disconnect, unspecified
    error: str = ""  # why the body is not usable, in words; "" when it is
    retryable: bool = False  # a later attempt may do better (timeouts, dropped connections, 5xx)
    fetched_at: str = ""

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()


class _Decoder:
    """Incremental Content-Encoding decoder that never produces more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        self._zlib: Any = None
        self._brotli: Any = None
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.encoding == "br":
            self._brotli = brotli.Decompressor()
        elif self.encoding not in ("", "identity"):
            raise ValueError(f"unsupported content encoding {encoding!r}")

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decoded bytes of `data`; at most `limit` (more input left over means the cap is passed)."""
        if self._zlib is not None:
            out: bytes = self._zlib.decompress(data, limit)
            if self._zlib.unconsumed_tail:
                out += b"\0"  # more is waiting: signal the overflow without decoding it
            return out
        if self._brotli is not None:
            out = self._brotli.process(data, output_buffer_limit=limit)
            if len(out) >= limit or not self._brotli.can_accept_more_data():
                out += b"\0"
            return out
        return data[:limit] + (b"\0" if len(data) > limit else b"")


def sniff_binary(head: bytes) -> str:
    """What a body that starts with `head` is, when it is a file rather than a page; "" for text."""
    stripped = head.lstrip()
    for magic, name in _MAGIC:
        if stripped.startswith(magic):
            return name
    return ""


class Fetcher:
    """A shared httpx client with the crawler's headers, caps and deadlines. Thread-safe for one request per host."""

    def __init__(
        self,
        user_agent: str,
        *,
        max_bytes: int = 10_000_000,
        deadline: float = 20.0,
        allowed_private: set[str] | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.allowed_private: set[str] = allowed_private if allowed_private is not None else set()
        self._sockets: dict[str, socket.socket] = {}
        self._lock = threading.Lock()
        step = min(10.0, deadline)
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(connect=step, read=step, write=step, pool=deadline),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=30),
            headers={"Accept-Encoding": "gzip, br"},
            trust_env=False,  # no proxy from the environment: the SSRF guard checks where we really connect
        )

    def close(self) -> None:
        self.client.close()

    def _tracer(self, host: str) -> Callable[[str, dict[str, Any]], None]:
        """An httpx trace hook that remembers the socket of the host's connection (one per host)."""

        def trace(event: str, info: dict[str, Any]) -> None:
            if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
                stream = info.get("return_value")
                sock = stream.get_extra_info("socket") if stream is not None else None
                if sock is None:
                    return
                if event == "connection.connect_tcp.complete":
                    self._check_peer(host, sock)
                with self._lock:
                    self._sockets[host] = sock

        return trace

    def _check_peer(self, host: str, sock: socket.socket) -> None:
        """The address really connected to passes the SSRF guard too (a DNS answer may change after the check)."""
        if host in self.allowed_private or host.rsplit(":", 1)[0].strip("[]") in self.allowed_private:
            return
        peer = str(sock.getpeername()[0]).split("%", 1)[0]
        if not is_public(ipaddress.ip_address(peer)):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            raise UnsafeTarget(f"refused: {host} resolved to a private or loopback address ({peer}) when connecting")

    def _cut(self, host: str) -> None:
        """The watchdog: end the host's connection so the blocked read returns."""
        with self._lock:
            sock = self._sockets.pop(host, None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def fetch(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """GET `url`. Raises UnsafeTarget when the guard refuses it; everything else is in the result."""
        try:
            check_target(url, self.allowed_private)
        except UnsafeTarget:
            raise
        except CrawlerError as exc:  # the name does not resolve: like a dropped connection, worth a retry
            return FetchResult(url=url, request_headers=[], error=str(exc), retryable=True, fetched_at=iso_now())
        headers = {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Language": ACCEPT_LANGUAGE,
            "Accept-Encoding": "gzip, br",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = FetchResult(url=url, request_headers=list(headers.items()), fetched_at=iso_now())
        started = time.monotonic()
        host = urlsplit(url).netloc
        # The deadline covers the whole exchange, headers included: a watchdog shuts the host's socket down
        # when it passes (a server can trickle its headers a byte at a time within every read timeout).
        watchdog = threading.Timer(self.deadline + 0.5, self._cut, (host,))
        watchdog.daemon = True
        watchdog.start()
        try:
            with self.client.stream("GET", url, headers=headers, extensions={"trace": self._tracer(host)}) as response:
                result.status = response.status_code
                result.reason = response.reason_phrase
                result.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
                self._read_body(response, result, started)
        except httpx.TimeoutException as exc:
            result.error = f"timed out ({type(exc).__name__})"
            result.retryable = True
            if result.status:
                result.truncated = "time"
        except (httpx.TransportError, httpx.DecodingError) as exc:
            result.error = f"connection failed: {type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            result.retryable = True
            if result.status:
                result.truncated = "disconnect"
        except httpx.InvalidURL as exc:
            result.error = f"invalid URL: {exc}"
        except (zlib.error, brotli.error) as exc:
            result.error = f"broken compressed body: {exc}"
            result.truncated = "unspecified"
        finally:
            watchdog.cancel()
        if time.monotonic() - started > self.deadline and result.error and "too slow" not in result.error:
            result.error = f"too slow: no full answer within {self.deadline:g} s ({result.error})"
        if result.status >= 500 or result.status in (408, 429):
            result.retryable = True
        return result

    def _read_body(self, response: httpx.Response, result: FetchResult, started: float) -> None:
        status = result.status
        if status == 304 or 300 <= status < 400 or status == 204:
            return
        cap = self.max_bytes if status == 200 else min(self.max_bytes, ERROR_BODY_BYTES)
        ctype = result.content_type
        if status == 200 and ctype and not any(t in ctype for t in _TEXT_TYPES):
            result.error = f"not a page: {ctype}"
            result.truncated = "unspecified"
            return
        declared = response.headers.get("content-length", "")
        try:
            decoder = _Decoder(response.headers.get("content-encoding", ""))
        except ValueError as exc:
            result.error = str(exc)
            result.truncated = "unspecified"
            return
        if (
            status == 200
            and declared.isdigit()
            and int(declared) > self.max_bytes
            and decoder.encoding in ("", "identity")
        ):
            result.error = f"larger than the size cap ({int(declared):,} bytes)"
            result.truncated = "length"
            return
        parts: list[bytes] = []
        size = 0
        raw_size = 0
        sniffed = False
        for chunk in response.iter_raw():  # no chunk_size: it would buffer, and hide a trickle from the deadline
            raw_size += len(chunk)
            out = decoder.feed(chunk, cap - size + 1)
            parts.append(out)
            size += len(out)
            if not sniffed and size >= 8:
                sniffed = True
                kind = sniff_binary(b"".join(parts)[:16])
                if kind and status == 200:
                    result.error = f"not a page: {kind} served as {ctype or 'no type'}"
                    result.truncated = "unspecified"
                    break
            if size > cap or raw_size > cap:
                result.error = f"larger than the size cap ({cap:,} bytes)"
                result.truncated = "length"
                break
            if time.monotonic() - started > self.deadline:
                result.error = f"too slow: no full answer within {self.deadline:g} s"
                result.truncated = "time"
                result.retryable = True
                break
        body = b"".join(parts)
        result.body = body[:cap]
        if not sniffed and status == 200 and (kind := sniff_binary(body[:16])):
            result.error = f"not a page: {kind} served as {ctype or 'no type'}"
            result.truncated = "unspecified"
        if status == 200 and not result.error and not body.strip():
            result.error = "empty body"

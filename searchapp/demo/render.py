"""What every demo outlet shares below its page templates: dates as the press writes them, RSS and
sitemaps, robots.txt, and HTTP semantics (ETag, Last-Modified, 304, gzip).

Pure functions from records to bytes; `sites.py` routes requests to them and a thin server sends the
result. Feeds and sitemaps are built with ElementTree so their escaping is right by construction, and every
output is deterministic (gzip with mtime 0, no clocks), which is what lets conditional GET answer 304.
"""

from __future__ import annotations

import gzip
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

LOCAL = timezone(timedelta(hours=5), "KZ")  # all of Kazakhstan has kept UTC+5 since March 2024
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("dc", DC_NS)  # RSS's <author> wants an e-mail address; bylines go in dc:creator

MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")  # fmt: skip
MONTHS_KK = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
             "қараша", "желтоқсан")  # fmt: skip


def date_numeric(when: datetime) -> str:
    """`10.02.2025 16:17`: old CMSs and news tickers."""
    return f"{when:%d.%m.%Y %H:%M}"


def date_ru(when: datetime) -> str:
    """`10 февраля 2025`."""
    return f"{when.day} {MONTHS_RU[when.month - 1]} {when.year}"


def date_kk_comma(when: datetime) -> str:
    """`21 Сәуір, 2018`: Kazakh sites capitalise the month."""
    return f"{when.day} {MONTHS_KK[when.month - 1].capitalize()}, {when.year}"


def date_kk_year(when: datetime) -> str:
    """`2024 жылғы 15 наурыз`."""
    return f"{when.year} жылғы {when.day} {MONTHS_KK[when.month - 1]}"


def local_iso(when: datetime) -> str:
    """ISO 8601 with the Kazakhstan offset: `2025-02-10T16:17:00+05:00`."""
    return when.replace(tzinfo=LOCAL).isoformat()


def http_date(when: datetime) -> str:
    return format_datetime(when.replace(tzinfo=LOCAL).astimezone(UTC), usegmt=True)


def rfc822_local(when: datetime) -> str:
    """RSS dates as Kazakhstan sites write them: local time with its offset, `Mon, 10 Feb 2025 16:17:00 +0500`."""
    return format_datetime(when.replace(tzinfo=LOCAL))


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered resource before HTTP: its bytes, type and the time it last changed (local time)."""

    body: bytes
    content_type: str
    last_modified: datetime | None = None
    status: int = 200


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def respond(page: Page, request_headers: Mapping[str, str], *, gzip_ok: bool) -> Response:
    """HTTP for a rendered page: validators, 304 on a match, gzip when both sides want it."""
    lower = {k.lower(): v for k, v in request_headers.items()}
    body = page.body
    tag = hashlib.sha1(body).hexdigest()[:20]
    headers: list[tuple[str, str]] = [("Content-Type", page.content_type)]
    compress = gzip_ok and page.status == 200 and _accepts_gzip(lower.get("accept-encoding", ""))
    if gzip_ok:
        headers.append(("Vary", "Accept-Encoding"))
    if compress:
        tag += "-gz"  # a different representation has a different entity tag
    if page.status == 200:
        headers.append(("ETag", f'"{tag}"'))
        if page.last_modified is not None:
            headers.append(("Last-Modified", http_date(page.last_modified)))
        if _not_modified(page, f'"{tag}"', lower):
            return Response(304, tuple(h for h in headers if h[0] != "Content-Type"), b"")
    if compress:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    return Response(page.status, tuple(headers), body)


def _accepts_gzip(value: str) -> bool:
    for part in value.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            return not (params.strip().startswith("q=") and _float(q) == 0.0)
    return False


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def _not_modified(page: Page, tag: str, lower: Mapping[str, str]) -> bool:
    match = lower.get("if-none-match")
    if match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or tag in tags
    since = lower.get("if-modified-since")
    if since is None or page.last_modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return page.last_modified.replace(tzinfo=LOCAL) <= when


@dataclass(frozen=True, slots=True)
class FeedItem:
    title: str
    url: str
    published: datetime
    description: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def rss(title: str, link: str, description: str, lang: str, items: Sequence[FeedItem], encoding: str) -> bytes:
    """An RSS 2.0 channel; `encoding` is the outlet's charset (characters outside it become references)."""
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    _text(channel, "title", title)
    _text(channel, "link", link)
    _text(channel, "description", description)
    _text(channel, "language", lang)
    if items:
        _text(channel, "lastBuildDate", rfc822_local(max(i.published for i in items)))
    for item in items:
        node = ET.SubElement(channel, "item")
        _text(node, "title", item.title)
        _text(node, "link", item.url)
        ET.SubElement(node, "guid", isPermaLink="true").text = item.url
        _text(node, "pubDate", rfc822_local(item.published))
        _text(node, "description", item.description)
        for author in item.authors:
            _text(node, f"{{{DC_NS}}}creator", author)
        for category in item.categories:
            _text(node, "category", category)
    return _xml(root, encoding)


def urlset(entries: Iterable[tuple[str, datetime]]) -> bytes:
    """A sitemap: (url, last modified) pairs."""
    return _sitemap("urlset", "url", entries)


def sitemap_index(entries: Iterable[tuple[str, datetime]]) -> bytes:
    """A sitemap index: (sitemap url, last modified) pairs."""
    return _sitemap("sitemapindex", "sitemap", entries)


def _sitemap(root_tag: str, entry_tag: str, entries: Iterable[tuple[str, datetime]]) -> bytes:
    root = ET.Element(root_tag, xmlns=SITEMAP_NS)
    for url, lastmod in entries:
        node = ET.SubElement(root, entry_tag)
        _text(node, "loc", url)
        _text(node, "lastmod", local_iso(lastmod))
    return _xml(root, "utf-8")


def robots(disallowed: Iterable[str], sitemap: str) -> bytes:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), "", f"Sitemap: {sitemap}", ""]
    return "\n".join(lines).encode("ascii")


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _xml(root: ET.Element, encoding: str) -> bytes:
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding=encoding, xml_declaration=True)
    return body + b"\n"

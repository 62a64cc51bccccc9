"""URL hygiene for the crawler: normalisation, host names (IDN), and the trap rules of discovery.

Every URL that enters the frontier goes through `normalize_url` first, so one page has one spelling there
(lower-case host in punycode, no default port, no fragment, no session ids or tracking parameters). Then
`trap_reason` says whether discovery should leave the URL alone: calendars that go on for ever, endless
query strings, repeated path segments, giant URLs.
"""

from __future__ import annotations

import re
import time
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import idna

from crawler.errors import CrawlerError

MAX_URL_BYTES = 8192  # refused outright (an attack or a bug, never a page)
MAX_CRAWL_URL = 1024  # discovery does not follow longer links: real article URLs are short
MAX_QUERY_PARAMS = 4
MAX_PATH_SEGMENTS = 12

# Parameters that name a visitor, not a page: dropping them makes one page one URL.
_DROP_PARAMS = re.compile(
    r"^(utm_[a-z]+|fbclid|gclid|yclid|_openstat|phpsessid|jsessionid|sid|sessionid|session_id|aspsessionid\w*|"
    r"cfid|cftoken|from|ref|share)$",
    re.IGNORECASE,
)
# ;jsessionid=... in the path (Java servlets)
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
# A date in a path or query (2025/02, 2025-02-10, year=2025): calendars and date archives. A year far from today
# is a calendar running away. A bare number is not a date: article ids like /news/1950.html are common.
_DATE = re.compile(
    r"(?<![\d])(1\d\d\d|2\d\d\d)[/_.-](?:0?[1-9]|1[0-2])(?![\d])"
    r"|(?:year|yr|y|date|god)=(\d{4})",
    re.IGNORECASE,
)
_CALENDAR_WORD = re.compile(r"(calendar|kalendar|календар|событи|events?)", re.IGNORECASE)
_ENCODED_DOT = re.compile(r"%2e", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_of(url: str) -> str:
    """The host (and a non-default port) of a normalised URL, as the frontier keys hosts."""
    return urlsplit(url).netloc


def ascii_host(host: str) -> str:
    """A host name in its ASCII (punycode) form: кітап.kz -> xn--80akp8a.kz. Raises CrawlerError when invalid."""
    host = host.strip().rstrip(".").strip().lower()  # "kz ." is "kz", as a browser reads it
    if not host:
        raise CrawlerError("a URL without a host name")
    if any(ch.isspace() for ch in host):
        raise CrawlerError(f"not a valid host name: {host!r}")
    if host.startswith("[") or all(part.isdigit() for part in host.split(".")) or host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise CrawlerError(f"not a valid host name: {host!r}") from exc


def normalize_url(url: str, base: str | None = None) -> str:
    """The one spelling of a URL the frontier keeps. Raises CrawlerError for what is not an http(s) URL."""
    url = url.strip()
    if base is not None:
        try:
            url = urljoin(base, url)
        except ValueError as exc:
            raise CrawlerError(f"not a valid URL: {url[:200]!r}") from exc
    if len(url.encode("utf-8", "replace")) > MAX_URL_BYTES:
        raise CrawlerError(f"URL longer than {MAX_URL_BYTES // 1024} KB refused")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise CrawlerError(f"not a valid URL: {url[:200]!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise CrawlerError(f"only http and https URLs are crawled, not {scheme or 'a relative URL'}: {url[:200]!r}")
    host = ascii_host(parts.hostname or "")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    # %2e is a dot (an unreserved character): decoded first, so "%2e%2e" is removed as the ".." it is.
    path = _remove_dot_segments(_ENCODED_DOT.sub(".", _PATH_SESSION.sub("", parts.path))) or "/"
    # Percent-encode what needs it and nothing else, so Cyrillic paths have one spelling.
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _DROP_PARAMS.match(k)]
    query = urlencode(query_pairs, doseq=True) if query_pairs else ""
    return urlunsplit(SplitResult(scheme, netloc, path, query, ""))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: /a/../b -> /b, /a/./b -> /a/b."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/".join(out)


def trap_reason(url: str, *, now_year: int | None = None) -> str:
    """Why discovery should not follow this (normalised) URL, or "" when it may."""
    if len(url) > MAX_CRAWL_URL:
        return "URL too long"
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > MAX_PATH_SEGMENTS:
        return "path too deep"
    if len(segments) - len(set(segments)) >= 3:
        return "repeated path segments"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if len(pairs) > MAX_QUERY_PARAMS:
        return "too many query parameters"
    if len(parts.query) > 200:
        return "query string too long"
    year_now = now_year or time.gmtime().tm_year
    dates = [a or b for a, b in _DATE.findall(parts.path) + _DATE.findall(parts.query)]
    if any(not 1990 <= int(year) <= year_now + 1 for year in dates):
        return "calendar beyond any real date"
    if dates and _CALENDAR_WORD.search(unquote(parts.path)):
        return "calendar page"
    return ""


def path_and_query(url: str) -> str:
    """What robots.txt rules and article patterns look at."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")

"""The sources file: which outlets to crawl, where to start, which URLs are articles.

`load_sources(path)` reads a TOML file of `[[source]]` tables (format in docs/crawling.md and `crawler/sources.toml`,
the bundled list of Kazakhstan outlets) into `Source` records and checks every field, so a typo stops the
crawl before it starts with a message that names the file, the source and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import CrawlerError
from crawler.urls import host_of, normalize_url, path_and_query

DEFAULT_SOURCES = Path(__file__).resolve().parent / "sources.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_RULE_KEYS = {"title", "body", "date", "authors", "lead", "drop"}
_KEYS = {
    "id",
    "name",
    "lang",
    "start",
    "feeds",
    "sitemaps",
    "article_patterns",
    "allow_private",
    "delay",
    "rules",
    "max_pages",
    "hosts",
}


class SourcesError(CrawlerError):
    """A sources file that cannot be used; the message names the file and the field."""


@dataclass(slots=True)
class Source:
    """One outlet: its start URLs, feeds, sitemaps, the regexes that recognise its article URLs."""

    id: str
    name: str
    lang: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    article_patterns: list[re.Pattern[str]] = field(default_factory=list)
    allow_private: bool = False
    delay: float | None = None
    rules: dict[str, Any] = field(default_factory=dict)
    max_pages: int = 50_000  # per-host page budget: the last line of defence against traps
    extra_hosts: list[str] = field(default_factory=list)  # other hosts of the same outlet (www., m.)
    from_command_line: bool = False

    @property
    def hosts(self) -> set[str]:
        """Every host discovery may stay on: the hosts of the seeds and the extra hosts."""
        found = {host_of(u) for u in (*self.start, *self.feeds, *self.sitemaps)}
        found.update(self.extra_hosts)
        return found

    def seeds(self) -> list[tuple[str, str]]:
        """(url, kind) of every start URL, feed and sitemap."""
        return (
            [(u, "start") for u in self.start]
            + [(u, "feed") for u in self.feeds]
            + [(u, "sitemap") for u in self.sitemaps]
        )

    def is_article(self, url: str) -> bool:
        """Does the URL look like an article page? Without patterns every page is a candidate."""
        if not self.article_patterns:
            return True
        target = path_and_query(url)
        return any(p.search(target) for p in self.article_patterns)


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{where} must be a list of strings")
    return list(value)


def _urls(value: Any, where: str) -> list[str]:
    out = []
    for raw in _strings(value, where):
        try:
            out.append(normalize_url(raw))
        except CrawlerError as exc:
            raise SourcesError(f"{where}: {exc}") from exc
    return out


def parse_source(table: Mapping[str, Any], where: str) -> Source:
    """One `[[source]]` table -> Source; `where` names it in error messages."""
    unknown = set(table) - _KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    sid = table.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise SourcesError(f"{where}: id must be a short lower-case name (letters, digits, - and _), not {sid!r}")
    where = f"{where} ({sid})"
    name = table.get("name", sid)
    if not isinstance(name, str):
        raise SourcesError(f"{where}: name must be a string")
    patterns = []
    for raw in _strings(table.get("article_patterns", []), f"{where}: article_patterns"):
        try:
            patterns.append(re.compile(raw))
        except re.error as exc:
            raise SourcesError(f"{where}: article pattern {raw!r} is not a valid regex: {exc}") from exc
    delay = table.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0):
        raise SourcesError(f"{where}: delay must be a number of seconds >= 0")
    allow_private = table.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise SourcesError(f"{where}: allow_private must be true or false")
    rules = table.get("rules", {})
    if not isinstance(rules, dict) or set(rules) - _RULE_KEYS:
        raise SourcesError(f"{where}: rules may only hold {', '.join(sorted(_RULE_KEYS))}")
    max_pages = table.get("max_pages", 50_000)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise SourcesError(f"{where}: max_pages must be a positive whole number")
    source = Source(
        id=sid,
        name=name,
        lang=_strings(table.get("lang", []), f"{where}: lang"),
        start=_urls(table.get("start", []), f"{where}: start"),
        feeds=_urls(table.get("feeds", []), f"{where}: feeds"),
        sitemaps=_urls(table.get("sitemaps", []), f"{where}: sitemaps"),
        article_patterns=patterns,
        allow_private=allow_private,
        delay=float(delay) if delay is not None else None,
        rules=dict(rules),
        max_pages=max_pages,
        extra_hosts=[
            host_of(normalize_url(f"http://{h}/")) for h in _strings(table.get("hosts", []), f"{where}: hosts")
        ],
    )
    if not source.seeds():
        raise SourcesError(f"{where}: needs at least one start URL, feed or sitemap")
    return source


def load_sources(path: str | Path | None = None) -> list[Source]:
    """The sources of a TOML file (default: the bundled Kazakhstan outlets). Raises SourcesError in words."""
    file = Path(path) if path is not None else DEFAULT_SOURCES
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"sources file not found: {file}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read sources file {file}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"sources file {file} is not valid TOML: {exc}") from exc
    tables = data.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourcesError(f"{file}: sources are [[source]] tables")
    if not tables:
        raise SourcesError(f"{file}: no sources: add at least one [[source]] table")
    sources = [parse_source(t, f"{file.name}: source {i + 1}") for i, t in enumerate(tables)]
    seen: set[str] = set()
    for s in sources:
        if s.id in seen:
            raise SourcesError(f"{file}: source id {s.id!r} appears twice")
        seen.add(s.id)
    return sources


def command_line_source(urls: list[str]) -> list[Source]:
    """Sources for URLs named on the command line: one per host, private addresses allowed, no patterns."""
    by_host: dict[str, Source] = {}
    for raw in urls:
        try:
            url = normalize_url(raw)
        except CrawlerError as exc:
            raise SourcesError(f"{raw[:200]}: {exc}") from exc
        host = host_of(url)
        sid = re.sub(r"[^a-z0-9_-]", "-", host.lower())[:40].strip("-") or "url"
        source = by_host.setdefault(host, Source(id=sid, name=host, allow_private=True, from_command_line=True))
        source.start.append(url)
    return list(by_host.values())

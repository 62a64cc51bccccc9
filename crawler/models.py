"""Records that leave the crawler: a fetched response and the article extracted from it.

These are the hand-off types of the flow crawler -> index -> searchapp. The index imports them; the
crawler never imports the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def article_id(url: str) -> str:
    """A stable id for an article: it depends on the canonical URL only, so reindexing keeps it."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Fetched:
    """One archived HTTP response, as read back from the WARC archive."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601, UTC
    warc_file: str = ""  # file name inside the archive folder
    warc_offset: int = -1  # offset of the response record in that file


@dataclass(slots=True)
class Paragraph:
    text: str
    lang: str = ""  # ISO 639-1 of this paragraph: kk, ru, en; "" when unknown


@dataclass(slots=True)
class Article:
    """A clean news article: what extraction makes of one page."""

    url: str  # canonical URL
    source: str  # the outlet's host name (netloc)
    title: str
    paragraphs: list[Paragraph]
    lang: str  # ISO 639-1 of the article as a whole
    lead: str = ""
    # ISO 8601 with the precision that is known: "2025", "2025-02", "2025-02-10" or "2025-02-10T16:17"
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fetched_at: str = ""
    fetch_url: str = ""  # the URL that was fetched, before canonicalisation
    warc_file: str = ""
    warc_offset: int = -1

    @property
    def id(self) -> str:
        return article_id(self.url)

    @property
    def text(self) -> str:
        """The clean body: paragraphs separated by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def published_day(self) -> str | None:
        """YYYY-MM-DD when the day is known, else the known prefix."""
        return self.published[:10] if self.published else None

"""robots.txt: what each host lets us fetch, and how slowly.

Parsing is protego's (the maintained parser Scrapy uses), including Crawl-delay and Sitemap lines. What a
missing or failing robots.txt means follows common practice (and RFC 9309): a 4xx answer means no rules,
and so does a host whose robots.txt cannot be fetched at all or answers 5xx, so that one broken file does
not shut an outlet out of the archive; the crawler retries robots.txt on the next run.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from protego import Protego

ROBOTS_TTL = 24 * 3600.0  # re-read robots.txt once a day
MAX_CRAWL_DELAY = 60.0  # a Crawl-delay above this is a typo or a wish to be left alone; we cap it


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def robots_text(status: int, body: bytes) -> str:
    """The rules to use for a robots.txt answer: its text for 2xx, no rules for anything else."""
    if 200 <= status < 300:
        return body.decode("utf-8", "replace")
    return ""


class RobotsPolicy:
    """The rules of one host for our user agent (`agent`: the product token, e.g. KzPressSearch)."""

    __slots__ = ("_rules", "agent", "text")

    def __init__(self, text: str, agent: str) -> None:
        self.text = text
        self.agent = agent
        self._rules = Protego.parse(text) if text.strip() else None

    def allowed(self, url: str) -> bool:
        return self._rules is None or bool(self._rules.can_fetch(url, self.agent))

    def crawl_delay(self) -> float | None:
        if self._rules is None:
            return None
        delay = self._rules.crawl_delay(self.agent)
        return min(float(delay), MAX_CRAWL_DELAY) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self._rules.sitemaps) if self._rules is not None else []


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: 'KzPressSearch/0.1 (+...)' -> 'KzPressSearch'."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or user_agent

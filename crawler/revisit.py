"""When to ask for a known URL again: the revisit schedule the frontier keeps per URL (`next_visit`).

A crawl run fetches the hubs (start pages, section fronts, feeds, sitemaps) every time, because they are where
new stories appear; the new URLs they name come next; a known article or page is asked again only when its
revisit is due. The interval between two visits of one URL follows two observations:

- the article's age: a story published an hour ago still changes (corrections, updates, a photo added), one
  from last year almost never does. The first interval is a quarter of the age, at least `MIN_INTERVAL`;
- what the last visit found: an unchanged answer (304, or the same body) doubles the interval; a changed body
  halves it. The interval never exceeds `MAX_INTERVAL`, so every page is seen again within half a year.

A new story is thus asked again after hours, a week-old one after days, a month-old one after weeks, an old one
after months. Each interval is spread by +-10% so pages first seen together do not all fall due together.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from dataclasses import dataclass

HOUR = 3600.0
DAY = 24 * HOUR
MIN_INTERVAL = 1 * HOUR
MAX_INTERVAL = 180 * DAY
AGE_SHARE = 0.25  # the first interval is this share of the article's age
SPREAD = 0.1
HUB_ROLES = ("start", "feed", "sitemap")
HUB_PAGE_DEPTH = 1  # a page linked from a start page (a section front) is a hub too


@dataclass(frozen=True, slots=True)
class Visit:
    """What a fetch found, for the schedule: `new` (first answer), `changed`, `unchanged` or `failed`."""

    kind: str
    published: float = 0.0  # the page's publication time (Unix seconds) when known, else 0


def is_hub(role: str, depth: int) -> bool:
    """Hubs are fetched on every run: they name the new URLs."""
    return role in HUB_ROLES or (role == "page" and depth <= HUB_PAGE_DEPTH)


def age_interval(age: float) -> float:
    return min(MAX_INTERVAL, max(MIN_INTERVAL, age * AGE_SHARE))


def next_interval(visit: Visit, previous: float, first_seen: float, now: float) -> float:
    """Seconds until the next visit (before the spread), from what this visit found."""
    born = visit.published if 0 < visit.published <= now else first_seen or now
    by_age = age_interval(now - born)
    if visit.kind == "changed" and previous > 0:
        interval = previous / 2
    elif visit.kind in ("unchanged", "failed") and previous > 0:
        interval = max(by_age, previous * 2)
    else:
        interval = by_age
    return min(MAX_INTERVAL, max(MIN_INTERVAL, interval))


def spread(interval: float, rng: random.Random | None = None) -> float:
    return interval * (rng or random).uniform(1 - SPREAD, 1 + SPREAD)


def timestamp(text: str) -> float:
    """Unix seconds of an ISO date ("2025-02-10", "2025-02-10T16:17:00+05:00") or an HTTP date; 0 if neither."""
    text = (text or "").strip()
    if not text:
        return 0.0
    if len(text) == 7 and text[4] == "-":  # a month alone: its first day
        text += "-01"
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()

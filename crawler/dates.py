"""Publication dates of news pages, with the precision the page gives ("2025-02-10T16:17", "2024-03", "2024").

Extraction calls `find_published(tree, url)`. The order follows how much each signal can be trusted:
machine-readable metadata first (JSON-LD `datePublished`, meta tags such as `article:published_time`,
`<time datetime>`); then the date printed in the article's date element, read by our own parser, which knows
the forms this press prints and htmldate does not (htmldate, asked first, would take a parseable date from a
sidebar over an unparsed Kazakh one); then htmldate's markup and URL search. Our parser reads
`10.02.2025 16:17`, `10 февраля 2025`, `21 Сәуір, 2018`,
`2024 жылғы 15 наурыз`, `15 наурыз 2024 ж.`, Kazakh months in Cyrillic and in both Latin alphabets, Russian
months in the genitive and nominative. `parse_date` and `find_dates` are that parser on plain text; the
facets use it too. Dates before 1990 or after tomorrow are rejected as misreadings.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

MIN_YEAR = 1990

_KK_MONTHS = {
    # Cyrillic; the stems also match inflected forms ("наурызда", "қазанның").
    "қаңтар": 1,
    "ақпан": 2,
    "наурыз": 3,
    "сәуір": 4,
    "мамыр": 5,
    "маусым": 6,
    "шілде": 7,
    "тамыз": 8,
    "қыркүйек": 9,
    "қазан": 10,
    "қараша": 11,
    "желтоқсан": 12,
    # typed on a Russian keyboard
    "кантар": 1,
    "акпан": 2,
    "сауир": 4,
    "сəуір": 4,
    "шилде": 7,
    "кыркуйек": 9,
    "казан": 10,
    "караша": 11,
    "желтоксан": 12,
    # Latin, 2018 (acute) alphabet
    "qańtar": 1,
    "aqpan": 2,
    "naýryz": 3,
    "sáýir": 4,
    "mamyr": 5,
    "maýsym": 6,
    "shilde": 7,
    "tamyz": 8,
    "qyrkúıek": 9,
    "qyrkúiek": 9,
    "qazan": 10,
    "qarasha": 11,
    "jeltoqsan": 12,
    # Latin, 2021 alphabet and plain ASCII
    "qañtar": 1,
    "qantar": 1,
    "nauryz": 3,
    "säuır": 4,
    "säuir": 4,
    "sauir": 4,
    "mausym": 6,
    "şılde": 7,
    "şilde": 7,
    "qyrküiek": 9,
    "qyrkuiek": 9,
    "qyrkuyek": 9,
    "qaraşa": 11,
}
_RU_MONTHS = {
    "январь": 1,
    "января": 1,
    "янв": 1,
    "февраль": 2,
    "февраля": 2,
    "фев": 2,
    "февр": 2,
    "март": 3,
    "марта": 3,
    "мар": 3,
    "апрель": 4,
    "апреля": 4,
    "апр": 4,
    "май": 5,
    "мая": 5,
    "июнь": 6,
    "июня": 6,
    "июн": 6,
    "июль": 7,
    "июля": 7,
    "июл": 7,
    "август": 8,
    "августа": 8,
    "авг": 8,
    "сентябрь": 9,
    "сентября": 9,
    "сен": 9,
    "сент": 9,
    "октябрь": 10,
    "октября": 10,
    "окт": 10,
    "ноябрь": 11,
    "ноября": 11,
    "ноя": 11,
    "нояб": 11,
    "декабрь": 12,
    "декабря": 12,
    "дек": 12,
}
_EN_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ]
    )
    for name in names.split()
}
_EXACT = {**_RU_MONTHS, **_EN_MONTHS, **_KK_MONTHS}
# Kazakh months take case endings; Russian ones only the two forms listed. Longest stems first, so that
# "қазан" does not shadow a longer name.
_KK_STEMS = sorted(_KK_MONTHS.items(), key=lambda kv: -len(kv[0]))


def month_number(word: str) -> int | None:
    """The month a word names (Kazakh in any case, Russian genitive or nominative, English), else None."""
    w = unicodedata.normalize("NFC", word).lower().rstrip(".")
    if w in _EXACT:
        return _EXACT[w]
    if len(w) >= 5:
        for stem, number in _KK_STEMS:
            if w.startswith(stem) and len(w) - len(stem) <= 5:
                return number
    return None


_W = r"[^\W\d_]+\.?"
# A month name that opens a pattern must start a word: unanchored, `[^\W\d_]+` would be tried (and run to the
# word's end) at every letter of a long word, quadratic in its length (a 16,000-letter word took 24 s).
_WORD_START = r"(?<![^\W\d_])"
_YEAR_WORD = r"(?:жылғы|жылы|жыл|ж\.?|jylǵy|jylğy|jyly|jyl|j\.|года|год|г\.?)"
_DAY_SUFFIX = r"(?:-?(?:ші|шы|i|ı|nші))?"
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d.:]?\d)")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2}))?")),
    ("dmy", re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})(?![\d.]\d)")),
    (
        "d_month_y",
        re.compile(rf"(?<!\d)(?P<d>\d{{1,2}}){_DAY_SUFFIX}[\s\xa0]*(?P<mon>{_W})[\s\xa0,]*(?P<y>\d{{4}})(?!\d)"),
    ),
    (
        "y_d_month",
        re.compile(
            rf"(?<!\d)(?P<y>\d{{4}})[\s\xa0]*(?:{_YEAR_WORD})?[\s\xa0,]*(?P<d>\d{{1,2}}){_DAY_SUFFIX}[\s\xa0]*(?P<mon>{_W})",
            re.IGNORECASE,
        ),
    ),
    ("month_d_y", re.compile(rf"{_WORD_START}(?P<mon>{_W})[\s\xa0]+(?P<d>\d{{1,2}}),?[\s\xa0]+(?P<y>\d{{4}})(?!\d)")),
    ("y_month", re.compile(rf"(?<!\d)(?P<y>\d{{4}})[\s\xa0]*(?:{_YEAR_WORD})?[\s\xa0]*(?P<mon>{_W})", re.IGNORECASE)),
    ("month_y", re.compile(rf"{_WORD_START}(?P<mon>{_W})[\s\xa0,]+(?P<y>\d{{4}})(?!\d)")),
]


@dataclass(slots=True, frozen=True)
class DateMatch:
    """A date found in text: ISO with the known precision, and where it was written."""

    value: str
    start: int
    end: int


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _valid(y: int, m: int | None, d: int | None, today: dt.date) -> bool:
    if y < MIN_YEAR:
        return False
    latest = today + dt.timedelta(days=1)
    try:
        if m is None:
            return y <= latest.year
        if d is None:
            return (y, m) <= (latest.year, latest.month) and 1 <= m <= 12
        return dt.date(y, m, d) <= latest
    except ValueError:
        return False


def _format(y: int, m: int | None, d: int | None, hm: tuple[int, int] | None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    if hm is None:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}T{hm[0]:02d}:{hm[1]:02d}"


def _time_near(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A clock time written next to a date, on the same line: "10.02.2025 16:17", "09:05, 30 Qańtar 2026"."""
    after = text[end : end + 24].split("\n", 1)[0]
    m = re.match(
        r"[\s\xa0,|/–—-]*(?:г\.|года|ж\.|жылы|жылғы)?[\s\xa0,|/–—-]*(?:в|at|сағ\.?|saǵat)?[\s\xa0]*" + _TIME.pattern,
        after,
    )
    if m:
        return int(m.group(1)), int(m.group(2))
    before = text[max(0, start - 16) : start].rsplit("\n", 1)[-1]
    m = re.search(_TIME.pattern + r"[\s\xa0,|/–—-]*$", before)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None


def _iter_dates(text: str, today: dt.date) -> Iterator[DateMatch]:
    # Spans already read, disjoint and sorted by start: a bisect finds an overlap in log time (a page of
    # thousands of dates, a scan of the list for each was quadratic).
    starts: list[int] = []
    ends: list[int] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            at = bisect.bisect_left(starts, end)
            if at and ends[at - 1] > start:
                continue
            y = int(m.group("y"))
            groups = m.groupdict()
            if groups.get("mon") is not None:
                month = month_number(groups["mon"])
                if month is None:
                    continue
            else:
                month = int(groups["m"])
            day = int(groups["d"]) if groups.get("d") else None
            if not _valid(y, month, day, today):
                continue
            hm: tuple[int, int] | None = None
            if day is not None:
                if kind == "iso" and groups.get("H"):
                    hm = (int(groups["H"]), int(groups["M"]))
                else:
                    hm = _time_near(text, start, end)
            starts.insert(at, start)
            ends.insert(at, end)
            yield DateMatch(_format(y, month, day, hm), start, end)


def find_dates(text: str, *, today: dt.date | None = None) -> list[DateMatch]:
    """Every date written in `text`, in reading order."""
    found = list(_iter_dates(text[:200_000], today or _today()))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str, *, today: dt.date | None = None) -> str | None:
    """The first date written in `text`, most precise reading first at the same place; None when none."""
    found = find_dates(text, today=today)
    return found[0].value if found else None


def parse_iso(value: str, *, today: dt.date | None = None) -> str | None:
    """A machine-readable date ("2025-02-10T16:17:00+05:00", "2025-02-10", "2024-03") in our format."""
    value = value.strip()
    m = re.match(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?)?)?", value)
    if not m:
        return parse_date(value, today=today)
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else None
    d = int(m.group(3)) if m.group(3) else None
    if not _valid(y, mo, d, today or _today()):
        return None
    hm = (int(m.group(4)), int(m.group(5))) if m.group(4) and d is not None else None
    if hm is not None and not (0 <= hm[0] < 24):
        hm = None
    return _format(y, mo, d, hm)


# --- dates in HTML --------------------------------------------------------------------------------------

_META_NAMES = (
    "article:published_time",
    "og:published_time",
    "published_time",
    "article.published",
    "datepublished",
    "date_published",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.created",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "date",
)
_DATE_HINT = re.compile(r"date|time|publish|posted|created|dated|datetime|meta|byline|news-info|info", re.I)


def _jsonld_dates(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = node.get(key)
            if isinstance(value, str):
                yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node:
                yield from _jsonld_dates(node[key])
    elif isinstance(node, list):
        for item in node:
            yield from _jsonld_dates(item)


def structured_date(tree: Any, today: dt.date) -> str | None:
    """JSON-LD, then meta tags, then `<time datetime>`: the dates a page states for machines."""
    for script in tree.xpath('//script[contains(translate(@type,"JSON","json"),"ld+json")]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):
            continue
        for value in _jsonld_dates(data):
            parsed = parse_iso(value, today=today)
            if parsed:
                return parsed
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content") or ""
    for name in _META_NAMES:
        if metas.get(name):
            parsed = parse_iso(metas[name], today=today)
            if parsed:
                return parsed
    times = tree.xpath("//time[@datetime]")
    # A <time> marked as the publication date wins over the first one (which may be a "last updated").
    times.sort(key=lambda t: 0 if (t.get("itemprop") == "datePublished" or t.get("pubdate") is not None) else 1)
    for t in times:
        parsed = parse_iso(t.get("datetime") or "", today=today)
        if parsed:
            return parsed
    return None


_OUTSIDE_TAGS = frozenset(("nav", "footer", "aside", "script", "style", "noscript", "a"))
_OUTSIDE_CLASS = re.compile(
    r"sidebar|widget|related|popular|similar|more-news|news-list|lenta|feed|top-?bar|footer|"
    r"comment|weather|currency|rates|menu|banner|promo",
    re.I,
)
_HEADER_CLASS = re.compile(r"header|masthead", re.I)
_STORY_TAGS = frozenset(("article", "main"))


def _outside_article(el: Any) -> bool:
    """Is the element in the page's furniture (the site header with today's date, sidebar lists, comments)?
    A header inside the story's <article> or <main> is the story's own (headline, date, byline)."""
    node = el
    in_header = False
    while node is not None:
        if node.tag in _STORY_TAGS:
            return False
        if node.tag in _OUTSIDE_TAGS:
            return True
        hint = " ".join(filter(None, (node.get("class"), node.get("id"))))
        if hint and _OUTSIDE_CLASS.search(hint):
            return True
        if node.tag == "header" or (hint and _HEADER_CLASS.search(hint)):
            in_header = True
        node = node.getparent()
    return in_header


def visible_date(tree: Any, today: dt.date) -> str | None:
    """A date printed for readers, in an element whose class, id or itemprop says date/time/meta, not in a
    header, sidebar or comment; inside the article element first when the page marks one."""
    scopes = tree.xpath('//article | //main | //*[@itemprop="articleBody"]/.. | //*[contains(@itemtype,"Article")]')
    # Around the headline: its parent and grandparent hold the story's own date on most layouts, before any
    # list of other stories in a column the page has not marked as such.
    for h1 in tree.xpath("//h1")[:1]:
        parent = h1.getparent()
        near = [p for p in (parent, parent.getparent() if parent is not None else None) if p is not None]
        scopes = [*near, *scopes]
    for scope in [*scopes, tree]:
        for el in scope.iter():
            if not isinstance(el.tag, str):
                continue
            hint = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
            if not hint or not _DATE_HINT.search(hint) or _outside_article(el):
                continue
            text = el.text_content()
            if len(text) < 300:
                found = parse_date(text, today=today)
                if found:
                    return found
    return None


def _htmldate(tree: Any, url: str | None) -> str | None:
    from htmldate import find_date

    try:
        return find_date(
            copy.deepcopy(tree), url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d"
        )
    except (ValueError, TypeError):
        return None


def find_published(tree: Any, url: str | None = None, *, today: dt.date | None = None) -> str | None:
    """The publication date of a page (`tree` is its lxml document), or None when it states none."""
    today = today or _today()
    found = structured_date(tree, today)
    if found:
        return _refine(found, tree, today)
    shown = visible_date(tree, today)
    if shown:
        return shown
    guessed = _htmldate(tree, url)
    if guessed:
        parsed = parse_iso(guessed, today=today)
        if parsed:
            return _refine(parsed, tree, today)
    return None


def _refine(day: str, tree: Any, today: dt.date) -> str:
    """Add the clock time printed on the page to a date-only reading of the same day."""
    if len(day) != 10:
        return day
    shown = visible_date(tree, today)
    if shown and shown.startswith(day) and len(shown) > len(day):
        return shown
    return day


def parse_html_date(html: str, url: str | None = None) -> str | None:
    """`find_published` on an HTML string (for tests and the analyzer)."""
    tree = lxml_html.fromstring(html)
    return find_published(tree, url)

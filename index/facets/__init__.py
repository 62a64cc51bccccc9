"""Enrichment of article text: language, regions, sectors, partner countries, amounts and dates, with evidence.

`extract_facts(text, lang=, published=, title=)` is what ingest (index/ingest.py) and `searchapp analyze`
call. Each extractor lives in its own module and returns codes with the spans of `text` that justify them:
regions.py (ISO 3166-2:KZ and KATO districts from the generated gazetteer), sectors.py (OKED sections and
divisions), countries.py (ISO 3166-1 alpha-2), amounts.py (money with ISO 4217 currency and a KZT value from
rates.py). The text is tokenized once and shared. Language comes from crawler.langid and dates named in the
text from crawler.dates, the extraction stage's own parsers, so the whole product reads text one way.
Bad input (empty, binary-looking, megabytes long) gives an empty or bounded result, never an exception:
texts are cut at MAX_TEXT characters.
"""

from __future__ import annotations

import re

from crawler.dates import find_dates
from crawler.langid import detect  # the language model itself loads on first use
from index.models import Amount, Evidence, Facts, Span

from .amounts import find_amounts
from .countries import find_countries
from .regions import find_regions, resolve
from .sectors import find_sectors, score_sectors
from .text import MAX_TEXT, tokenize

__all__ = ["extract_facts"]

MAX_SPANS = 20  # evidence spans kept per code: enough to show why, bounded for huge texts
MAX_DATES = 50
DATE_TEXT = 100_000


def _detect_lang(text: str) -> str:
    return detect(text[:20_000])


# A 4-digit year alone: "(?<!\d)(?:19|20)" written with the look-behind after the literal digits, which lets the
# regex engine jump from one "1" or "2" to the next instead of trying every position (three times faster).
_YEAR = re.compile(r"(?:19|20)(?<!\d\d\d)\d\d(?!\d)")
_DATE_BEFORE, _DATE_AFTER = 48, 40  # every form the date parser reads has a 4-digit year within these reaches


def _find_dates(text: str) -> list[tuple[str, int, int]]:
    # The parser only runs on windows around 4-digit years (every date form it reads has one), which keeps it
    # from costing more than all the other extractors together. It is linear in its input (long letter runs
    # once made it quadratic), so the windows need no cleaning.
    sample = text[:DATE_TEXT]
    windows: list[list[int]] = []
    for m in _YEAR.finditer(sample):
        start, end = max(0, m.start() - _DATE_BEFORE), min(len(sample), m.end() + _DATE_AFTER)
        while start > 0 and not sample[start - 1].isspace():
            start -= 1
        while end < len(sample) and not sample[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    out: list[tuple[str, int, int]] = []
    for start, end in windows:
        for d in find_dates(sample[start:end]):
            out.append((d.value, start + d.start, start + d.end))
            if len(out) >= MAX_DATES:
                return out
    return out


def _spans(text: str, pairs: list[tuple[int, int]]) -> list[Span]:
    seen: set[tuple[int, int]] = set()
    out: list[Span] = []
    for start, end in pairs:
        if (start, end) in seen:
            continue
        seen.add((start, end))
        out.append(Span(start, end, text[start:end]))
        if len(out) >= MAX_SPANS:
            break
    return out


def extract_facts(text: str, *, lang: str | None = None, published: str | None = None, title: str = "") -> Facts:
    """Facts of `text` (spans are offsets into it); `title` mentions weigh more but carry no spans."""
    text = (text or "")[:MAX_TEXT]
    title = (title or "")[:2000]
    facts = Facts()
    facts.lang = lang if lang is not None else _detect_lang(f"{title}\n{text}" if title else text)
    if not text.strip() and not title.strip():
        return facts
    tokens = tokenize(text)
    title_tokens = tokenize(title)

    # Regions and districts
    mentions, title_scores = find_regions(text, title, tokens)
    ranked, by_code = resolve(mentions, title_scores, len(text))
    for code, score in ranked:
        facts.regions.append(code)
        spans = _spans(text, [(m.start, m.end) for m in by_code.get(code, [])])
        facts.evidence.append(Evidence("region", code, spans, round(score, 3)))

    # Sectors
    sector_mentions = find_sectors(tokens)
    title_codes = [code for code, _s, _e in find_sectors(title_tokens)]
    for code, score in score_sectors(sector_mentions, title_codes, len(text)):
        facts.sectors.append(code)
        pairs = [(s, e) for c, s, e in sector_mentions if c == code or (len(code) == 1 and c[0] == code)]
        facts.evidence.append(Evidence("sector", code, _spans(text, pairs), round(score, 3)))

    # Partner countries: every named country counts; order by mentions (title first)
    country_hits = find_countries(tokens, text)
    title_countries = [c for c, _s, _e in find_countries(title_tokens, title)]
    counts: dict[str, float] = {}
    for code, _s, _e in country_hits:
        counts[code] = counts.get(code, 0.0) + 1.0
    for code in title_countries:
        counts[code] = counts.get(code, 0.0) + 3.0
    counts.pop("KZ", None)
    for code, score in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        facts.countries.append(code)
        pairs = [(s, e) for c, s, e in country_hits if c == code]
        facts.evidence.append(Evidence("country", code, _spans(text, pairs), score))

    # Amounts: every one in the evidence, each distinct value once in the facts
    seen: set[tuple[float, str]] = set()
    for amount in find_amounts(text, published):
        facts.evidence.append(
            Evidence("amount", amount.currency, [Span(amount.start, amount.end, amount.text)], amount.kzt or 0.0)
        )
        key = (amount.value, amount.currency)
        if key not in seen:
            seen.add(key)
            facts.amounts.append(
                Amount(amount.value, amount.currency, amount.kzt, amount.text, amount.start, amount.end)
            )

    # Dates named in the text
    for value, start, end in _find_dates(text):
        if value not in facts.dates:
            facts.dates.append(value)
        facts.evidence.append(Evidence("date", value, [Span(start, end, text[start:end])], 1.0))
    if facts.lang:
        facts.evidence.append(Evidence("lang", facts.lang, [], 1.0))
    return facts

"""The demo outlets' articles: loaded from `content/<outlet>[.<lang>].jsonl` and checked line by line.

This is the first step of the demo: the site engine (`sites.py`) renders these records into pages, and the
tests compare what the pipeline finds with each article's `expect` gold. Every line is validated on load so
that a writer's slip (a missing field, a bad date, a duplicate slug) stops with the file and line named,
instead of turning into a broken page far away. The format is described in `content/FORMAT.md`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from searchapp.errors import AppError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REPRINT = re.compile(r"^[a-z0-9]+/[a-z0-9]+(?:-[a-z0-9]+)*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
LANGS = ("kk", "ru")
FIELDS = (
    "slug",
    "section",
    "lang",
    "title",
    "lead",
    "paragraphs",
    "published",
    "authors",
    "tags",
    "reprint_of",
    "expect",
)
AMOUNT_FIELDS = {"text", "value", "currency", "value_max"}
EXPECT_LISTS = ("regions", "districts", "sectors", "countries")


class ContentError(AppError):
    """A content file that does not follow FORMAT.md; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class ExpectedAmount:
    text: str  # exactly as written in the article
    value: float  # in units of the currency
    currency: str  # ISO 4217
    value_max: float | None = None  # upper end of a range ("10-15 млрд теңге")


@dataclass(frozen=True, slots=True)
class Expect:
    """The annotator's reading of an article: what enrichment should find."""

    regions: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    amounts: tuple[ExpectedAmount, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoArticle:
    outlet: str
    slug: str
    section: str
    lang: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    published: datetime  # local time of the outlet (Kazakhstan, UTC+5), naive
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    reprint_of: str | None = None  # "<outlet>/<slug>"
    expect: Expect = Expect()

    @property
    def key(self) -> str:
        return f"{self.outlet}/{self.slug}"


def content_dir() -> Traversable:
    """The bundled content folder (package data, so it travels inside the wheel)."""
    return resources.files("searchapp.demo") / "content"


def load_articles(folder: Traversable | Path | None = None) -> dict[str, list[DemoArticle]]:
    """Every outlet's articles, newest first, keyed by outlet id (the file name up to its first dot)."""
    base = folder if folder is not None else content_dir()
    by_outlet: dict[str, list[DemoArticle]] = {}
    seen: dict[str, str] = {}  # outlet/slug -> "file line N", to name both places of a duplicate
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".jsonl") or not entry.is_file():
            continue
        outlet, _, rest = entry.name.removesuffix(".jsonl").partition(".")
        file_lang = rest or None
        if not SLUG.match(outlet) or (file_lang is not None and file_lang not in LANGS):
            raise ContentError(f"{entry.name}: name must be <outlet>.jsonl or <outlet>.<kk|ru>.jsonl")
        for number, article in _read(entry, outlet, file_lang):
            where = f"{entry.name} line {number}"
            if article.key in seen:
                raise ContentError(f"{where}: slug {article.slug!r} already used at {seen[article.key]}")
            seen[article.key] = where
            by_outlet.setdefault(outlet, []).append(article)
    for articles in by_outlet.values():
        articles.sort(key=lambda a: (a.published, a.slug), reverse=True)
    _check_reprints(by_outlet)
    return by_outlet


def _read(entry: Traversable, outlet: str, file_lang: str | None) -> Iterable[tuple[int, DemoArticle]]:
    try:
        text = entry.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{entry.name}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{entry.name} line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ContentError(f"{where}: not JSON ({exc.msg}, column {exc.colno})") from exc
        try:
            article = parse_article(outlet, raw)
        except ValueError as exc:
            raise ContentError(f"{where}: {exc}") from exc
        if file_lang is not None and article.lang != file_lang:
            raise ContentError(f"{where}: lang is {article.lang!r} but the file holds {file_lang!r} articles")
        yield number, article


def parse_article(outlet: str, raw: Any) -> DemoArticle:
    """One content record, checked; ValueError says what is wrong in the writer's terms."""
    if not isinstance(raw, dict):
        raise ValueError("each line must be a JSON object")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    missing = [name for name in FIELDS if name not in raw]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    slug = _text(raw, "slug")
    section = _text(raw, "section")
    for name, value in (("slug", slug), ("section", section)):
        if not SLUG.match(value):
            raise ValueError(f"{name} {value!r} must be lowercase ASCII words joined by hyphens")
    lang = _text(raw, "lang")
    if lang not in LANGS:
        raise ValueError(f"lang must be kk or ru, not {lang!r}")
    published_text = _text(raw, "published")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", published_text):
            raise ValueError(published_text)
        published = datetime.strptime(published_text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ValueError(f"published must be YYYY-MM-DDTHH:MM, not {published_text!r}") from None
    reprint_of = raw["reprint_of"]
    if reprint_of is not None and (not isinstance(reprint_of, str) or not REPRINT.match(reprint_of)):
        raise ValueError(f"reprint_of must be null or '<outlet>/<slug>', not {reprint_of!r}")
    return DemoArticle(
        outlet=outlet,
        slug=slug,
        section=section,
        lang=lang,
        title=_text(raw, "title"),
        lead=_text(raw, "lead"),
        paragraphs=_texts(raw, "paragraphs", nonempty=True),
        published=published,
        authors=_texts(raw, "authors"),
        tags=_texts(raw, "tags"),
        reprint_of=reprint_of,
        expect=_expect(raw["expect"]),
    )


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


def _texts(raw: Mapping[str, Any], name: str, *, nonempty: bool = False) -> tuple[str, ...]:
    value = raw[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name} must be a list of non-empty strings")
    if nonempty and not value:
        raise ValueError(f"{name} must not be empty")
    return tuple(v.strip() for v in value)


def _expect(raw: Any) -> Expect:
    if not isinstance(raw, dict):
        raise ValueError("expect must be an object")
    unknown = sorted(set(raw) - {*EXPECT_LISTS, "amounts"})
    if unknown:
        raise ValueError(f"unknown field(s) in expect: {', '.join(unknown)}")
    lists = {name: _texts(raw, name) if name in raw else () for name in EXPECT_LISTS}
    amounts = []
    for item in raw.get("amounts", []):
        if not isinstance(item, dict) or not {"text", "value", "currency"} <= set(item) <= AMOUNT_FIELDS:
            raise ValueError("each expect.amounts item must have text, value, currency (and optionally value_max)")
        value = _number(item["value"])
        value_max = None if item.get("value_max") is None else _number(item["value_max"])
        currency = item["currency"]
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            raise ValueError(f"expect.amounts currency must be an ISO 4217 code like KZT, not {currency!r}")
        amounts.append(ExpectedAmount(_text(item, "text"), value, currency, value_max))
    return Expect(
        regions=lists["regions"],
        districts=lists["districts"],
        sectors=lists["sectors"],
        countries=lists["countries"],
        amounts=tuple(amounts),
    )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"expect.amounts values must be non-negative numbers, not {value!r}")
    return float(value)


def _check_reprints(by_outlet: Mapping[str, list[DemoArticle]]) -> None:
    """A reprint must point at an article that exists, or the duplicate-detection gold would be wrong."""
    keys = {a.key for articles in by_outlet.values() for a in articles}
    for articles in by_outlet.values():
        for article in articles:
            if article.reprint_of is not None and article.reprint_of not in keys and _outlet_loaded(article, by_outlet):
                raise ContentError(f"{article.key}: reprint_of {article.reprint_of!r} names no article")


def _outlet_loaded(article: DemoArticle, by_outlet: Mapping[str, list[DemoArticle]]) -> bool:
    # While the writers are still producing files, a reprint may point at an outlet not yet written.
    return (article.reprint_of or "").split("/")[0] in by_outlet

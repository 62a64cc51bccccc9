"""Extraction: an archived page (`Fetched`) becomes a clean `Article`, or no article with the reason why.

It sits between the archive and the index: the crawler and `reindex` call `extract` on every archived
response, `searchapp extract` on saved files. Steps: decode the bytes with the right charset (header, BOM,
meta, then a cp1251/koi8-r/utf-8 heuristic: regional sites still serve windows-1251 without saying so);
find the body with trafilatura (favouring precision) or with the site's CSS rules (BeautifulSoup, lxml);
drop the Kazakh and Russian boilerplate lines trafilatura keeps (`crawler.clean`); normalise the text
(`crawler.normalize`); read title, lead, authors, tags, canonical URL and date (`crawler.dates`); give
each paragraph and the article a language (`crawler.langid`).

An archive must never drop a real article in silence, so "no article" is said only on positive evidence,
and logged with its reason (logger `crawler.extract`, INFO): a "not found" page served with status 200
(`kind="error"`), a section front or tag page (`kind="front"`: the body is links and teasers of linked
stories, with no paragraph of the page's own prose and no sign that the page is one article), a page with
no text of its own (`kind="no_text"`: scripts, an empty shell, an image). When trafilatura's precise mode
finds a body that looks like a list, or too little, its default and recall-favouring modes are asked
before our own fallback; a short body that is not a list is still an article.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler import charset
from crawler.clean import clean_paragraphs, is_boilerplate
from crawler.dates import _outside_article, find_published, parse_date, parse_iso
from crawler.errors import CrawlerError
from crawler.langid import detect_paragraphs
from crawler.models import Article, Fetched, Paragraph
from crawler.normalize import normalize_text

log = logging.getLogger(__name__)

MIN_WORDS = 30  # a body shorter than this makes extraction ask trafilatura's other modes for more
MIN_TEXT_WORDS = 10  # fewer words than this in every mode: the page has no text of its own
PROSE_WORDS = 40  # a paragraph this long that is no link's text is the page's own prose, not a teaser
MAX_HTML_CHARS = 2_000_000  # longer documents are cut: no news page is this long, and parsing must stay fast
MAX_ELEMENTS = 4_000  # elements of a page read at most (a busy news page has 1,000-3,000)
FAST_ABOVE_ELEMENTS = 2_500  # above this, trafilatura without its fallback extractors
MAX_TEXT_CHARS = 300_000  # characters of page text read at most (a long article has 50,000)
MAX_PARAGRAPH_CHARS = 20_000  # a single "paragraph" longer than this is cut at a sentence end

# "Not found" pages served with status 200. A bare 404 counts only at the start of the title: "В 404 школах
# области..." is news.
_NOT_FOUND = re.compile(
    r"^\W*(?:404|ошибка 404|error 404)\b|страница не найдена|страница не существует|бет табылмады|"
    r"парақша табылмады|page not found|404 not found|page (?:does not|doesn't) exist",
    re.IGNORECASE,
)


@dataclass(slots=True)
class ExtractResult:
    """What extraction made of a page: an article, or None and the reason (for the log). `kind` sorts the
    reasons: "error" (a "not found" page, an HTTP error), "front" (a section front or tag page), "no_text"
    (no text of its own), "not_html", "unparseable"."""

    article: Article | None
    reason: str = ""
    kind: str = ""


# --- decoding ------------------------------------------------------------------------------------------


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The page as text and the charset used (crawler.charset reads it; this picks the Content-Type header)."""
    content_type = next((value for key, value in (headers or {}).items() if key.lower() == "content-type"), "")
    return charset.decode_html(body, content_type)


# --- helpers on the lxml tree ---------------------------------------------------------------------------


_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _parse(html: str) -> Any:
    # lxml refuses str input with an XML encoding declaration (the text is already decoded), and refuses to
    # take back text with control characters or lone surrogates when the tree is edited: both go first.
    html = _XML_UNSAFE.sub("", re.sub(r"^\s*<\?xml[^>]*\?>", "", html[:MAX_HTML_CHARS]))
    if not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _meta(tree: Any, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(
                f'//meta[translate(@{attr},"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}"]/@content'
            )
            for value in found:
                if str(value).strip():
                    return str(value).strip()
    return ""


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.text_content() if el is not None else "").strip()


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type,"JSON","json"),"ld+json")]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                out.append(node)
                if "@graph" in node:
                    stack.append(node["@graph"])
    return out


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _split_names(text: str) -> list[str]:
    text = re.sub(r"^\s*(?:автор|авторы|author|by|авторы материала|мәтін|тілші)\s*[:\-—]?\s*", "", text, flags=re.I)
    parts = re.split(r"\s*(?:,|;|\band\b|\bи\b|\bжәне\b)\s*", text)
    return [p.strip() for p in parts if 2 <= len(p.strip()) <= 60]


# --- title, canonical, lead, authors, tags ---------------------------------------------------------------


_TRAILING_SITE = re.compile(r"^(.*\S)\s+(?:\||—|–|-|::|/|·)\s+([^|—–]{1,40})$")
_LEADING_SITE = re.compile(r"^([^|]{1,30})\s+\|\s+(.*\S)$")


def _strip_site_name(title: str, site: str) -> str:
    """The title without the site's name: "Заголовок | Газета", "Газета | Заголовок", "Заголовок - Газета".
    A colon is not a separator here: "Аким: ..." is how Russian headlines quote people."""
    if site:
        for sep in ("|", "—", "–", "-", "::", "/", "·", ":"):
            for candidate in (f" {sep} {site}", f"{site} {sep} "):
                if candidate in title and title.replace(candidate, "", 1).strip():
                    return title.replace(candidate, "", 1).strip()
    m = _TRAILING_SITE.match(title)
    if m and len(m.group(2)) < len(m.group(1)):
        return m.group(1)
    m = _LEADING_SITE.match(title)
    if m and len(m.group(1)) < len(m.group(2)):
        return m.group(2)
    return title


def _title(tree: Any) -> str:
    site = _meta(tree, "og:site_name")
    # Many sites put their logo in an <h1> on every page: that one is the site's name, not the story's.
    names = _site_names(tree)
    h1s = [
        t for h in tree.xpath("//h1") if (t := _text(h)) and t.lower() not in names and not h.xpath('.//a[@href="/"]')
    ]
    og = _meta(tree, "og:title", "twitter:title")
    page = _text(next(iter(tree.xpath("//title")), None))
    for candidate in (og, page):
        if not candidate:
            continue
        # The <h1> is the article's own heading when the page's title holds it.
        for h1 in h1s:
            if len(h1) >= 10 and h1 in candidate:
                return h1
        if candidate is og:
            return _strip_site_name(candidate, site)
    if h1s:
        return h1s[0]
    return _strip_site_name(page, site) if page else ""


def _canonical(tree: Any, url: str) -> str:
    for href in [*tree.xpath('//link[@rel="canonical"]/@href'), _meta(tree, "og:url")]:
        href = str(href).strip()
        if href:
            absolute = urljoin(url, href)
            if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
                return absolute
    return url


def _authors(tree: Any, ld: list[dict[str, Any]], from_rules: list[str]) -> list[str]:
    if from_rules:
        return from_rules
    for node in ld:
        names = _names(node.get("author"))
        if names:
            return [n.strip() for n in names if n.strip()]
    meta = _meta(tree, "author", "article:author")
    if meta and not meta.startswith("http"):
        return _split_names(meta)
    for el in tree.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class,"author") or contains(@class,"byline")]'
    ):
        # A commenter's name under the story, an author list in a sidebar: not the byline. (A link with
        # rel=author is judged by where it stands.)
        if _outside_article(el.getparent() if el.tag == "a" and el.getparent() is not None else el):
            continue
        text = _text(el)
        if text and len(text) <= 80:
            return _split_names(text)
    return []


def _tags(tree: Any, ld: list[dict[str, Any]]) -> list[str]:
    tags = [str(t).strip() for t in tree.xpath('//meta[@property="article:tag"]/@content') if str(t).strip()]
    if not tags:
        for node in ld:
            kw = node.get("keywords")
            if isinstance(kw, str):
                tags = [k.strip() for k in kw.split(",") if k.strip()]
            elif isinstance(kw, list):
                tags = [str(k).strip() for k in kw if str(k).strip()]
            if tags:
                break
    if not tags:
        links = tree.xpath('//*[contains(@class,"tags") or contains(@class,"tag-list")]//a | //a[@rel="tag"]')
        tags = [_text(a).lstrip("#") for a in links if _text(a)]
    seen: dict[str, None] = {}
    for t in tags:
        seen.setdefault(normalize_text(t), None)
    return [t for t in seen if t][:30]


_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lead|intro|preview|anons|announce|subtitle|standfirst|summary|excerpt)(?:$|[\s_-])", re.I
)


def _lead(tree: Any) -> str:
    """The standfirst printed above the body, when the page marks it by class."""
    for el in tree.xpath("//body//*[@class]"):
        if el.tag in ("meta", "script", "a", "img") or not _LEAD_CLASS.search(el.get("class", "")):
            continue
        if _outside_article(el):
            continue
        text = _text(el)
        if 20 <= len(text) <= 1000:
            return text
    return ""


# --- body ------------------------------------------------------------------------------------------------

_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")


def _paragraphs_of(el: Any) -> list[str]:
    """Block-level texts of an element; its plain text lines when it has no blocks."""
    blocks = [b for b in el.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in b.iterancestors())]
    if blocks:
        return [_text(b) for b in blocks if _text(b)]
    return [line.strip() for line in el.text_content().splitlines() if line.strip()]


# Chinese and Japanese write words without spaces: two of their characters count as a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) + len(_CJK.findall(p)) // 2 for p in paragraphs)


def _fallback_body(tree: Any) -> list[str]:
    """The element holding the most paragraph text in its own children: old table layouts, where
    trafilatura finds nothing, keep the story in one table cell."""
    best, best_score = None, 0
    for el in tree.iter("td", "div", "article", "section", "main"):
        if _outside_article(el):
            continue
        score = sum(len(_text(c)) for c in el if c.tag in ("p", "b", "strong", "font"))
        score += len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        if score > best_score:
            best, best_score = el, score
    return _paragraphs_of(best) if best is not None else []


NOSCRIPT_KEEP_CHARS = 200  # a <noscript> with more text than this holds the page for readers without JavaScript


def _prune(tree: Any) -> int:
    """Make the tree cheap to process, whatever the page: scripts other than JSON-LD, styles and inline
    SVG go, and any text node longer than a long paragraph is cut (a 5 MB single paragraph, a data blob).
    A <noscript> holding the page's text (some sites serve their story there, or leave one unclosed so that
    it swallows the page) is unwrapped, not dropped. Returns the number of elements left."""
    for el in list(tree.iter("noscript")):
        if len(el.text_content().strip()) > NOSCRIPT_KEEP_CHARS and el.getparent() is not None:
            el.drop_tag()
    doomed = [
        el
        for el in tree.iter("script", "style", "noscript", "template", "svg")
        if not (el.tag == "script" and "ld+json" in (el.get("type") or "").lower())
    ]
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            tail = el.tail
            prev = el.getprevious()
            parent.remove(el)
            if tail:  # keep the text that followed the removed element
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    chars = elements = 0
    cut_at = None
    for elements, el in enumerate(tree.iter(), start=1):
        if el.text and len(el.text) > MAX_PARAGRAPH_CHARS:
            el.text = _cut(el.text)
        if el.tail and len(el.tail) > MAX_PARAGRAPH_CHARS:
            el.tail = _cut(el.tail)
        # Indentation is not text: a template's whitespace can outweigh its story.
        for part in (el.text, el.tail):
            if part:
                chars += len(part) - part.count(" ") - part.count("\n") - part.count("\t")
        if elements > MAX_ELEMENTS or chars > MAX_TEXT_CHARS:
            cut_at = el
            break
    if cut_at is not None:
        # Everything after this point in document order goes: no article is that far down a sane page, and
        # the extractors' cost grows faster than the page.
        node = cut_at
        while node is not None:
            parent = node.getparent()
            if parent is not None:
                for sibling in list(node.itersiblings()):
                    parent.remove(sibling)
            node = parent
    return elements


def _bodies(url: str, tree: Any, size: int) -> Iterator[tuple[str, list[str]]]:
    """Candidate bodies, asked for one at a time: trafilatura favouring precision, its default mode, its
    recall-favouring mode, then our fallback (the element with the most paragraph text). On very big pages
    trafilatura runs without its second opinions (readability, jusText): they cost more than the page's size,
    and the story is rarely what such a page is about."""
    fast = size > FAST_ABOVE_ELEMENTS
    laid_out = copy.deepcopy(tree)
    _untable_layout(laid_out)
    yield "precision", _trafilatura_body(copy.deepcopy(laid_out), url, favor_precision=True, fast=fast)
    yield "default", _trafilatura_body(copy.deepcopy(laid_out), url, fast=fast)
    yield "recall", _trafilatura_body(laid_out, url, favor_recall=True, fast=fast)
    yield FALLBACK, _fallback_body(tree)


# A table cell holding these is page layout, not a cell of data.
_LAYOUT_INSIDE = frozenset(("table", "p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "blockquote", "form", "article"))
LAYOUT_CELL_CHARS = 400  # a cell with more text than this is a column of the page (text between <br>s), not data


def _untable_layout(tree: Any) -> None:
    """Tables that lay out the page (old sites put header, story and sidebar in cells) become plain blocks, so
    that trafilatura, told to keep tables, keeps the data tables of a story (results, prices, timetables)
    and judges a layout like any page of blocks. A layout table: a cell holding blocks or a long text."""
    for table in list(tree.iter("table")):
        cells = [c for row in _rows(table) for c in row if c.tag in ("td", "th")]
        layout = any(
            len(_text(c)) > LAYOUT_CELL_CHARS or any(d.tag in _LAYOUT_INSIDE for d in c.iterdescendants())
            for c in cells
        )
        if layout:
            for el in [table, *(g for g in table if g.tag in ("thead", "tbody", "tfoot")), *_rows(table), *cells]:
                el.tag = "div"


def _rows(table: Any) -> list[Any]:
    """The table's own rows (not those of a table nested in a cell)."""
    rows = [r for r in table if r.tag == "tr"]
    for group in table:
        if group.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in group if r.tag == "tr")
    return rows


FALLBACK = "largest text block"


def _trafilatura_body(
    tree: Any, url: str, *, favor_precision: bool = False, favor_recall: bool = False, fast: bool = False
) -> list[str]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    return [line for line in (text or "").split("\n") if line.strip()]


class RuleError(CrawlerError):
    """A site rule that is not a valid CSS selector: a mistake in the sources file."""


def _select(soup: Any, field: str, selector: Any, *, one: bool) -> Any:
    try:
        return soup.select_one(str(selector)) if one else soup.select(str(selector))
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError (a ValueError) and others
        raise RuleError(f"site rule {field!r}: {selector!r} is not a valid CSS selector ({exc})") from exc


RULE_FIELDS = ("title", "body", "date", "authors", "lead", "drop")


def check_rules(rules: Mapping[str, Any]) -> None:
    """Raise RuleError when site rules name an unknown field or hold a selector that is not valid CSS
    (for the sources loader, so a mistake stops the crawl before it starts rather than at the first page)."""
    import soupsieve

    for name, value in rules.items():
        if name not in RULE_FIELDS:
            raise RuleError(f"site rule {name!r} is unknown; known: {', '.join(RULE_FIELDS)}")
        selectors = value if name == "drop" and isinstance(value, list) else [value]
        for selector in selectors:
            if not isinstance(selector, str) or not selector.strip():
                raise RuleError(f"site rule {name!r}: a CSS selector must be a non-empty string, not {selector!r}")
            try:
                soupsieve.compile(selector)
            except Exception as exc:  # soupsieve's SelectorSyntaxError and its other errors
                raise RuleError(f"site rule {name!r}: {selector!r} is not a valid CSS selector ({exc})") from exc


def _apply_rules(html: str, rules: Mapping[str, Any]) -> dict[str, Any]:
    """Site rules: CSS selectors read with BeautifulSoup (lxml parser). Returns the fields they give."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    drop = rules.get("drop") or []
    for selector in [drop] if isinstance(drop, str) else drop:
        for el in _select(soup, "drop", selector, one=False):
            el.decompose()
    out: dict[str, Any] = {}
    for name in ("title", "date", "lead"):
        if rules.get(name):
            found = _select(soup, name, rules[name], one=True)
            if found is not None:
                value = (found.get("datetime") or found.get("content")) if name == "date" else None
                out[name] = str(value) if value else " ".join(found.get_text(" ").split())
    if rules.get("authors"):
        found_all = _select(soup, "authors", rules["authors"], one=False)
        out["authors"] = [n for el in found_all for n in _split_names(el.get_text(" "))]
    if rules.get("body"):
        body = _select(soup, "body", rules["body"], one=True)
        if body is not None:
            tree = lxml_html.fragment_fromstring(str(body), create_parent="div")
            out["body"] = _paragraphs_of(tree)
    return out


def _cut(text: str) -> str:
    if len(text) <= MAX_PARAGRAPH_CHARS:
        return text
    cut = text[:MAX_PARAGRAPH_CHARS]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > MAX_PARAGRAPH_CHARS // 2 else cut


def _drop_furniture(paragraphs: Iterable[str], title: str, lead: str, published: str | None) -> list[str]:
    """Body lines that repeat the title or the lead, or are the date line (a short line giving the article's
    own day: "Termin: 29.02.2020, 19 Uhr" in a story published in January is text), go."""
    out: list[str] = []
    for p in paragraphs:
        if p == title or (lead and p == lead):
            continue
        if published and len(p) <= 40 and len(p.split()) <= 6 and (parse_date(p) or "")[:10] == published[:10]:
            continue
        out.append(p)
    return out


def _site_names(tree: Any) -> set[str]:
    """Names the site gives itself: og:site_name, the text of the link to its home page."""
    names = {_meta(tree, "og:site_name")}
    for a in tree.xpath('//a[@href="/" or contains(@class,"logo")]'):
        names.add(_text(a))
    return {n.lower() for n in names if n}


@dataclass(slots=True)
class _Links:
    """The texts of a page's links: all of them, and the headline-like ones (four words or more)."""

    anchors: set[str]
    headlines: set[str]

    @classmethod
    def of(cls, tree: Any) -> _Links:
        # Links to other pages: a table of contents pointing into the page itself ("#part-2") is no list of stories.
        found = tree.xpath('//body//a[not(starts-with(normalize-space(@href), "#"))]')
        anchors = {t for a in found if (t := normalize_text(_text(a)))}
        return cls(anchors, {t for t in anchors if len(t.split()) >= 4})

    def linked(self, paragraph: str) -> bool:
        """Is the paragraph a link's text or a teaser: one that opens with a linked headline, or is mostly one?
        A sentence that links to another story in its middle is prose ("Ранее мы писали, что ...")."""
        if paragraph in self.anchors:
            return True
        # a table's row ("| 05.03 | Headline teaser |") is judged cell by cell
        parts = [paragraph, *(c.strip() for c in paragraph.split("|"))] if paragraph.startswith("|") else [paragraph]
        for part in parts:
            opening = part.lstrip("-–—•·*>» \t")
            if part in self.anchors or any(
                opening.startswith(h) or (h in part and 2 * len(h) >= len(part)) for h in self.headlines
            ):
                return True
        return False


# JSON-LD types a page gives when it is one piece of writing.
_ARTICLE_TYPES = re.compile(r"article|posting|report|review|recipe|howto", re.I)


def _declares_article(tree: Any, ld: list[dict[str, Any]]) -> bool:
    """Does the page say it is one article (og:type, JSON-LD type)? A front says "website" or nothing."""
    if _meta(tree, "og:type").lower() in ("article", "blog", "blogposting", "newsarticle"):
        return True
    for node in ld:
        types = node.get("@type")
        for t in types if isinstance(types, list) else [types]:
            if isinstance(t, str) and _ARTICLE_TYPES.search(t) and not re.search(r"collection|list|search", t, re.I):
                return True
    return False


def _listing_evidence(tree: Any, title: str, paragraphs: list[str], links: _Links) -> str:
    """Why the body looks like a list of stories (a front page, a section, a tag page), or ""."""
    if paragraphs and sum(1 for p in paragraphs if p in links.anchors) > 0.5 * len(paragraphs) >= 2:
        return "a list of links (section front or tag page)"
    teasers = sum(1 for p in paragraphs if links.linked(p))
    if teasers >= 3 and teasers >= 0.4 * len(paragraphs):
        return "paragraphs are teasers of linked stories (a list page)"
    if title.lower() in _site_names(tree):
        return "the page is titled with the site's name (a front or section page)"
    return ""


def _own_prose(paragraphs: list[str], links: _Links) -> bool:
    """Is there a paragraph of the page's own prose: long, and no link's text or teaser?"""
    return any(_words([p]) >= PROSE_WORDS and not links.linked(p) for p in paragraphs)


_warm = False


def warm_up() -> None:
    """Load once what extraction loads lazily (the language model, htmldate, trafilatura, jusText's stop
    lists), so that no page pays for it mid-crawl. The first `extract_html` call does it."""
    global _warm
    if _warm:
        return
    from htmldate import find_date  # noqa: F401
    from trafilatura import external

    from crawler.langid import _Model

    _Model.get()
    if getattr(external, "JT_STOPLIST", None) is None:
        external.jt_stoplist_init()
    _warm = True


def extract_html(
    html: bytes | str,
    url: str,
    headers: Mapping[str, str] | None = None,
    rules: Mapping[str, Any] | None = None,
) -> ExtractResult:
    """Extract the article of one page (bytes are decoded by `decode_html`)."""
    warm_up()
    text = decode_html(html, headers)[0] if isinstance(html, bytes) else html
    text = text[:MAX_HTML_CHARS]
    tree = _parse(text)
    if tree is None:
        return _none(url, "empty or unparseable page", "unparseable")
    size = _prune(tree)
    page_title = _text(next(iter(tree.xpath("//title")), None))
    h1 = _text(next(iter(tree.xpath("//h1")), None))
    if _NOT_FOUND.search(page_title) or (h1 and _NOT_FOUND.search(h1) and len(h1) < 80):
        return _none(url, f"a 'not found' page: {page_title or h1!r}", "error")

    ruled = _apply_rules(text, rules) if rules else {}
    lead = normalize_text(ruled.get("lead") or _lead(tree))
    title = normalize_text(ruled.get("title") or _title(tree))
    published = None
    if ruled.get("date"):
        published = parse_iso(ruled["date"]) if re.match(r"\d{4}-\d", ruled["date"]) else parse_date(ruled["date"])
    if published is None:
        published = find_published(tree, url)
    if lead and is_boilerplate(lead):
        lead = ""
    ld = _jsonld(tree)
    links = _Links.of(tree)
    bodies = iter([("site rules", ruled["body"])]) if "body" in ruled else _bodies(url, tree, size)
    paragraphs, why, kind = _choose_body(bodies, links, tree, ld, title, lead, published)
    if paragraphs is None:
        return _none(url, why, kind)
    if why:
        log.info("article at %s kept although %s: %s", url, kind, why)
    if not title:
        title = paragraphs[0][:120]

    canonical = _canonical(tree, url)
    langs, lang = detect_paragraphs([*paragraphs])
    if not lang and title:
        lang = detect_paragraphs([title])[1]
    article = Article(
        url=canonical,
        source=urlsplit(canonical).netloc.lower(),
        title=title,
        paragraphs=[Paragraph(p, lg) for p, lg in zip(paragraphs, langs, strict=True)],
        lang=lang,
        lead=lead,
        published=published,
        authors=[normalize_text(a) for a in _authors(tree, ld, ruled.get("authors") or [])],
        tags=_tags(tree, ld),
        fetch_url=url,
    )
    return ExtractResult(article, "")


def _choose_body(
    bodies: Iterator[tuple[str, list[str]]],
    links: _Links,
    tree: Any,
    ld: list[dict[str, Any]],
    title: str,
    lead: str,
    published: str | None,
) -> tuple[list[str] | None, str, str]:
    """The first candidate body that is an article: (paragraphs, "", ""). A body that looks like a list is
    one only against the page's own evidence (a paragraph of its own prose, a page declaring itself an
    article): then the next candidate is asked first, and this one kept if none is better, with the
    evidence as (paragraphs, why, "a list"). No article: (None, reason, kind), on positive evidence only."""
    declared = _declares_article(tree, ld)
    listed: tuple[list[str], str] | None = None  # the first body that looked like a list, and why
    countered: list[str] | None = None  # the first list-like body the page's own evidence says is an article
    short: list[str] = []  # the longest body shorter than MIN_WORDS
    for name, raw in bodies:
        paragraphs = _finish(raw, title, lead, published)
        if _words(paragraphs) < MIN_WORDS:
            # The most precise short body that has some text; a later one only when it has twice the text (the
            # looser modes glue the heading to a one-paragraph story), our fallback when trafilatura has none.
            bar = 2 * _words(short) if _words(short) >= MIN_TEXT_WORDS else _words(short)
            if _words(paragraphs) > bar and (name != FALLBACK or _words(short) < MIN_TEXT_WORDS):
                short = paragraphs
            continue
        why = _listing_evidence(tree, title, paragraphs, links)
        own = declared or _own_prose(paragraphs, links)
        if not why:
            # Once a body looked like a list, another is believed only with evidence of an article of its own
            # (from trafilatura: the largest block of a front page, or its teasers alone, are not its article).
            if listed is None or (own and name != FALLBACK):
                return paragraphs, "", ""
            continue
        if countered is None and own:
            countered = paragraphs
        if listed is None:
            listed = (paragraphs, why)
    if countered is not None and listed is not None:
        return countered, listed[1], "a list"
    if listed is not None:
        return None, listed[1], "front"
    if _words(short) >= MIN_TEXT_WORDS and not _listing_evidence(tree, title, short, links):
        return short, "", ""
    return None, f"no text of its own ({_words(short)} words): scripts, media or an empty page", "no_text"


def _finish(raw: list[str], title: str, lead: str, published: str | None) -> list[str]:
    """A candidate body made clean: normalised, boilerplate lines and page furniture gone."""
    paragraphs = clean_paragraphs(normalize_text(_cut(p.strip())) for p in raw)
    return _drop_furniture(paragraphs, title, lead, published)


def extract(fetched: Fetched, rules: Mapping[str, Any] | None = None) -> ExtractResult:
    """Extract the article of an archived response; non-HTML and error responses give no article."""
    if fetched.status >= 400:
        return _none(fetched.url, f"HTTP status {fetched.status}", "error")
    content_type = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), "")
    if content_type and not re.search(r"html|xml", content_type, re.IGNORECASE):
        return _none(fetched.url, f"not an HTML page ({content_type.split(';')[0].strip()})", "not_html")
    result = extract_html(fetched.body, fetched.url, fetched.headers, rules)
    if result.article is None:
        return result
    article = result.article
    article.fetched_at = fetched.fetched_at
    article.fetch_url = fetched.url
    article.warc_file = fetched.warc_file
    article.warc_offset = fetched.warc_offset
    return result


def _none(url: str, reason: str, kind: str) -> ExtractResult:
    """No article, and why: logged here, the one place every such decision passes."""
    log.info("no article at %s (%s): %s", url, kind, reason)
    return ExtractResult(None, reason, kind)

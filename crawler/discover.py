"""Discovery: the URLs a fetched feed, sitemap or page points to, and the canonical URL a page claims.

Pure functions over bytes: `parse_xml_links` reads RSS 2.0, RSS 1.0, Atom, sitemaps, sitemap indexes and
news sitemaps (parsed with defusedxml, so entity expansion bombs and external entities fail safely);
`parse_html` reads a page's links (honouring <base> and rel=nofollow) and its canonical URL (link
rel=canonical, else og:url). The crawler decides which of these URLs to follow (`crawler.crawl`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree

from crawler.charset import decode_body
from crawler.dates import structured_date

_XML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.DOTALL)
MAX_XML_BYTES = 50_000_000  # the sitemap protocol's own limit, uncompressed


@dataclass(slots=True)
class XmlLinks:
    kind: str  # feed, sitemap, sitemapindex; "" when the XML is none of these
    urls: list[str] = field(default_factory=list)  # pages (feed items, sitemap <url>s)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index
    error: str = ""
    # url -> the publication (or last modification) date the file states for it, as written there
    dates: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class HtmlLinks:
    links: list[str] = field(default_factory=list)  # absolute URLs, in page order, not yet normalised
    canonical: str = ""
    nofollow: bool = False  # <meta name=robots content=nofollow>
    published: str = ""  # the publication date the page states for machines (JSON-LD, meta, <time>)


def looks_like_xml_links(body: bytes, content_type: str = "") -> bool:
    """Is this a feed or a sitemap rather than a page?"""
    if body[:2] == b"\x1f\x8b":
        return True  # a gzipped sitemap file (sitemap.xml.gz)
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    return bool(_XML_START.match(head)) or (("xml" in content_type or "rss" in content_type) and b"<html" not in head)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_xml_links(body: bytes) -> XmlLinks:
    """Links of a feed or sitemap. Never raises: a broken or hostile file gives `error`."""
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
                body = unzipped.read(MAX_XML_BYTES + 1)
        except (OSError, EOFError) as exc:
            return XmlLinks("", error=f"broken gzip: {exc}")
        if len(body) > MAX_XML_BYTES:
            return XmlLinks("", error="sitemap larger than 50 MB")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return XmlLinks("", error=f"refused unsafe XML ({type(exc).__name__})")
    except (ParseError, ValueError) as exc:
        return XmlLinks("", error=f"not well-formed XML: {exc}")
    name = _local(root.tag)
    result = XmlLinks("")
    if name in ("urlset", "sitemapindex"):
        result.kind = "sitemap" if name == "urlset" else "sitemapindex"
        target = result.urls if name == "urlset" else result.sitemaps
        for child in root:
            loc_text, when = "", ""
            for node in child.iter():
                name_ = _local(node.tag)
                if name_ == "loc" and _text(node) and not loc_text:
                    loc_text = _text(node)
                elif name_ == "publication_date" or (name_ == "lastmod" and not when):
                    when = _text(node)
            if loc_text:
                target.append(loc_text)
                if when and name == "urlset":
                    result.dates[loc_text] = when
    elif name in ("rss", "RDF"):
        result.kind = "feed"
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = next((c for c in item if _local(c.tag) == "link"), None)
            guid = next((c for c in item if _local(c.tag) == "guid"), None)
            url = ""
            if _text(link):
                url = _text(link)
            elif guid is not None and guid.get("isPermaLink", "true") == "true" and _text(guid).startswith("http"):
                url = _text(guid)
            if url:
                result.urls.append(url)
                when = next((_text(c) for c in item if _local(c.tag) in ("pubDate", "date")), "")
                if when:
                    result.dates[url] = when
    elif name == "feed":
        result.kind = "feed"
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            for link in entry:
                if _local(link.tag) == "link" and link.get("rel", "alternate") == "alternate" and link.get("href"):
                    url = link.get("href", "")
                    result.urls.append(url)
                    when = next((_text(c) for c in entry if _local(c.tag) in ("published", "updated")), "")
                    if when:
                        result.dates[url] = when
                    break
    return result


def parse_html(body: bytes, content_type: str = "") -> HtmlLinks:
    """Links and canonical URL of a page (relative URLs resolved against the page's <base> when it has one)."""
    result = HtmlLinks()
    text = decode_body(body, content_type)
    if not text.strip():
        return result
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return result
    base = doc.xpath("//base/@href")
    base_url = str(base[0]).strip() if base else ""
    for meta in doc.xpath("//meta[@name]"):
        if str(meta.get("name", "")).lower() == "robots" and "nofollow" in str(meta.get("content", "")).lower():
            result.nofollow = True
    for link in doc.xpath("//link[@rel][@href]"):
        if "canonical" in str(link.get("rel", "")).lower().split():
            result.canonical = str(link.get("href", "")).strip()
            break
    if not result.canonical:
        for meta in doc.xpath("//meta[@property='og:url'][@content]"):
            result.canonical = str(meta.get("content", "")).strip()
            break
    result.published = structured_date(doc, dt.date.today()) or ""
    if result.nofollow:
        return result
    for anchor in doc.xpath("//a[@href]"):
        if "nofollow" in str(anchor.get("rel", "")).lower():
            continue
        href = str(anchor.get("href", "")).strip()
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            result.links.append(urljoin(base_url, href) if base_url else href)
    return result

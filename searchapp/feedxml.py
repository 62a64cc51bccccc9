"""RSS 2.0 and Atom 1.0 documents, built with ElementTree from one feed view of a search result.

Pure: a `Feed` in, bytes out. Ids never change when an article is re-indexed: they derive from the article
id, which derives from the canonical URL only.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import format_datetime

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM)
ET.register_namespace("dc", DC)


@dataclass(slots=True)
class Category:
    scheme: str  # region, sector, country, lang, source
    term: str  # the code
    label: str


@dataclass(slots=True)
class Entry:
    id: str  # a stable URN
    title: str
    link: str  # the original article
    page: str  # our article page
    published: dt.datetime
    updated: dt.datetime
    summary: str  # plain text
    lang: str
    sources: list[str] = field(default_factory=list)  # outlets of a reprint group, first is this entry's
    related: list[str] = field(default_factory=list)  # links to the other copies
    categories: list[Category] = field(default_factory=list)


@dataclass(slots=True)
class Feed:
    id: str
    title: str
    subtitle: str
    self_url: str  # this document
    html_url: str  # the search page
    updated: dt.datetime
    lang: str
    entries: list[Entry]


def _rfc822(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _summary(entry: Entry) -> str:
    if len(entry.sources) > 1:
        return f"{entry.summary} [{', '.join(entry.sources)}]".strip()
    return entry.summary


# Characters XML 1.0 cannot carry at all, even escaped: C0 controls but tab/newline/return, surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _bytes(root: ET.Element) -> bytes:
    for node in root.iter():
        if node.text:
            node.text = _NOT_XML.sub("", node.text)
        for key, value in node.attrib.items():
            node.attrib[key] = _NOT_XML.sub("", value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rss(feed: Feed) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = feed.title
    ET.SubElement(channel, "link").text = feed.html_url
    ET.SubElement(channel, "description").text = feed.subtitle or feed.title
    ET.SubElement(channel, "language").text = feed.lang
    ET.SubElement(channel, "lastBuildDate").text = _rfc822(feed.updated)
    ET.SubElement(channel, "generator").text = "Qazaq Press Search"
    ET.SubElement(channel, f"{{{ATOM}}}link", {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"})
    for entry in feed.entries:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry.title
        ET.SubElement(item, "link").text = entry.link
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = entry.id
        ET.SubElement(item, "pubDate").text = _rfc822(entry.published)
        ET.SubElement(item, "description").text = _summary(entry)
        ET.SubElement(item, "comments").text = entry.page
        if entry.lang:
            ET.SubElement(item, f"{{{DC}}}language").text = entry.lang
        for category in entry.categories:
            ET.SubElement(item, "category", {"domain": category.scheme}).text = category.term
    return _bytes(root)


def atom(feed: Feed) -> bytes:
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed.lang})
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed.id
    ET.SubElement(root, f"{{{ATOM}}}title").text = feed.title
    if feed.subtitle:
        ET.SubElement(root, f"{{{ATOM}}}subtitle").text = feed.subtitle
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _iso(feed.updated)
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": feed.self_url})
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": feed.html_url})
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Qazaq Press Search"
    ET.SubElement(root, f"{{{ATOM}}}generator").text = "Qazaq Press Search"
    for entry in feed.entries:
        attrs = {"{http://www.w3.org/XML/1998/namespace}lang": entry.lang} if entry.lang else {}
        node = ET.SubElement(root, f"{{{ATOM}}}entry", attrs)
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": entry.link})
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "via", "type": "text/html", "href": entry.page})
        for other in entry.related:
            ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "related", "type": "text/html", "href": other})
        ET.SubElement(node, f"{{{ATOM}}}published").text = _iso(entry.published)
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _iso(entry.updated)
        ET.SubElement(node, f"{{{ATOM}}}summary", {"type": "text"}).text = _summary(entry)
        for category in entry.categories:
            ET.SubElement(
                node,
                f"{{{ATOM}}}category",
                {"term": category.term, "scheme": f"urn:kzpress:facet:{category.scheme}", "label": category.label},
            )
    return _bytes(root)


def opml(title: str, outlines: list[tuple[str, str, str]]) -> bytes:
    """OPML 2.0 subscription list: (title, feed URL, html URL) per feed."""
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for text, xml_url, html_url in outlines:
        ET.SubElement(
            body, "outline", {"type": "rss", "text": text, "title": text, "xmlUrl": xml_url, "htmlUrl": html_url}
        )
    return _bytes(root)

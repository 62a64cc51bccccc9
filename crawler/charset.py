"""Which character set a page is written in: header, byte-order mark, meta tag, then a Cyrillic heuristic.

The archive keeps the bytes as served; this module only says how to read them. Regional sites in Russian
still serve windows-1251 (and now and then koi8-r) without saying so in the header, so when nothing declares
a charset and the bytes are not UTF-8 the heuristic picks the Cyrillic code page whose reading looks like
real text (mostly lower-case letters).
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _cyrillic_score(text: str) -> float:
    """Share of lower-case letters among Cyrillic letters: about 0.9 in real text, low in a wrong code page."""
    letters = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not letters:
        return 0.0
    return sum(1 for c in letters if c.islower()) / len(letters)


def guess_cyrillic(body: bytes) -> str:
    """windows-1251 or koi8-r, whichever reading of the (non-UTF-8) bytes looks like text."""
    sample = body[:65536]
    scores = {name: _cyrillic_score(sample.decode(name, "replace")) for name in ("cp1251", "koi8_r")}
    best = max(scores, key=lambda name: (scores[name], name == "cp1251"))
    return codecs.lookup(best).name


def detect_charset(body: bytes, content_type: str = "") -> str:
    """The Python codec name to decode `body` with."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = _HEADER.search(content_type or "")
    if declared and (from_header := _known(declared.group(1))):
        return from_header
    head = body[:4096]
    for pattern in (_XML_DECL, _META):
        found = pattern.search(head)
        if found and (from_body := _known(found.group(1).decode("ascii", "replace"))):
            return from_body
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A page cut at the size cap may end inside a character: UTF-8 up to the cut still counts.
        if exc.start >= len(body) - 3:
            return "utf-8"
    return guess_cyrillic(body)


def decode_body(body: bytes, content_type: str = "") -> str:
    """The text of `body`, undecodable bytes replaced."""
    name = detect_charset(body, content_type)
    if name == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    return body.decode(name, "replace")

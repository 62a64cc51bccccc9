"""Which character set a page is written in, and its text: the one decoder of the crawler and extraction.

The archive keeps the bytes as served; this module only says how to read them. Order: a byte-order mark;
then valid UTF-8 (text in a Cyrillic single-byte code page is practically never valid UTF-8, whatever the page
declares), or UTF-8 with a stray bad byte or two among many good sequences (a template glued from two
sources); then what the page declares (header, XML declaration, meta tag), unless another Cyrillic code page
reads clearly better; then the code page (windows-1251, koi8-r, kz-1048, iso-8859-5) whose reading looks most
like real text. Regional sites in Russian still serve windows-1251 without saying so, and now and then declare
the wrong charset. A page in a Western code page (declared latin-1 or windows-1252, or undeclared German or
French read as Cyrillic into words like "fьr") is not taken for Cyrillic: a Cyrillic reading of it puts
Cyrillic letters inside Latin words, which real text does not do.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_ALIASES = {"kz-1048": "kz1048", "strk1048-2002": "kz1048", "win-1251": "cp1251", "x-cp1251": "cp1251"}
_CYRILLIC_PAGES = ("cp1251", "koi8-r", "kz1048", "iso8859-5")
# Frequent lower-case Cyrillic letters: the right reading makes most letters lower-case and frequent.
_FREQUENT = frozenset("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфёъ")


def codec_name(name: str | None) -> str | None:
    """The canonical codec name of a declared charset, or None when Python has no such codec."""
    if not name:
        return None
    name = name.strip().lower()
    try:
        return codecs.lookup(_ALIASES.get(name, name)).name
    except LookupError:
        return None


def _cyrillic_score(text: str) -> float:
    letters = [c for c in text[:20000] if c.isalpha() and not c.isascii()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if c in _FREQUENT) / len(letters)


_WORD = re.compile(r"[^\W\d_]+")
_WESTERN = "cp1252"


def _mixed_share(text: str) -> float:
    """The share of Cyrillic letters that sit in words also holding ASCII Latin letters ("fьr", "Mдrz"): near
    zero in real Russian or Kazakh text, near one in a Western page read with a Cyrillic code page."""
    cyrillic = mixed = 0
    for word in _WORD.findall(text[:20000]):
        n = sum(1 for c in word if "\u0400" <= c <= "\u04ff")
        if n:
            cyrillic += n
            if any(c.isascii() for c in word):
                mixed += n
    return mixed / cyrillic if cyrillic else 0.0


def _looks_cyrillic_misread(text: str) -> bool:
    """Is this Western (latin-1/cp1252) reading really Cyrillic? Then most of its non-ASCII letters make whole
    words of their own ("Ïðèâåò"); in real Western text they sit inside ASCII words ("für", "été")."""
    alone = total = 0
    for word in _WORD.findall(text[:20000]):
        n = sum(1 for c in word if not c.isascii())
        total += n
        if n == len(word) and n >= 3:
            alone += n
    return total >= 20 and alone > 0.5 * total


def _mostly_utf8(body: bytes) -> bool:
    """UTF-8 with a few bad bytes: many good multi-byte sequences for each bad one. Cyrillic single-byte text
    read as UTF-8 gives almost no good sequence (its letters are bytes 0xC0-0xFF side by side)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    return good >= 20 * max(bad, 1)


def _declared(body: bytes, content_type: str) -> list[str]:
    found: list[str] = []
    header = _HEADER.search(content_type or "")
    if header and (name := codec_name(header.group(1))):
        found.append(name)
    head = body[:4096]
    for pattern in (_XML_DECL, _META):
        match = pattern.search(head)
        if match and (name := codec_name(match.group(1).decode("ascii", "replace"))):
            found.append(name)
    return found


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """The text of `body` and the codec used to read it; undecodable bytes are replaced."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace"), "utf-16"
    declared = _declared(body, content_type)
    if body.isascii():
        return body.decode("ascii"), declared[0] if declared else "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 or _mostly_utf8(body):  # cut at the size cap inside a character; stray bytes
            return body.decode("utf-8", "replace"), "utf-8"
    candidates = [name for name in declared if name not in ("utf-8", "ascii")]
    if candidates and candidates[0] not in _CYRILLIC_PAGES:
        # A Western (or other) code page declared: it stands unless its reading is Cyrillic misread.
        reading = body.decode(candidates[0], "replace")
        if not _looks_cyrillic_misread(reading):
            return reading, candidates[0]
    readings: dict[str, str] = {}
    for name in [*candidates, *_CYRILLIC_PAGES]:
        if name not in readings:
            readings[name] = body.decode(name, "replace")
    best = max(readings, key=lambda name: _cyrillic_score(readings[name]))
    # what the page declares stands unless another code page reads clearly better (a wrong declaration)
    if candidates and _cyrillic_score(readings[candidates[0]]) >= _cyrillic_score(readings[best]) - 0.05:
        best = candidates[0]
    if best in _CYRILLIC_PAGES and _mixed_share(readings[best]) > 0.5:
        western = body.decode(_WESTERN, "replace")
        if not _looks_cyrillic_misread(western):
            return western, _WESTERN
    return readings[best], best


def detect_charset(body: bytes, content_type: str = "") -> str:
    """The codec name to decode `body` with."""
    return decode_html(body, content_type)[1]


def decode_body(body: bytes, content_type: str = "") -> str:
    """The text of `body`, undecodable bytes replaced."""
    return decode_html(body, content_type)[0]

"""Text normalisation for extracted article text: the first thing done to every string extraction keeps.

Extraction calls `normalize_text` on titles, leads and paragraphs before language ID, so every later stage
(langid, facets, the index) sees one form of each word: Unicode NFC, no soft hyphens or zero-width
characters, and Latin look-alike letters inside Cyrillic words put back to Cyrillic (typists on a Russian
keyboard use a Latin "i" for the Kazakh "і"; pasted text brings Latin "a", "c", "o" into Cyrillic words).
"ё" is kept for display; folding it for search is the index's job.
"""

from __future__ import annotations

import re
import unicodedata

# Soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM, left-to-right/right-to-left marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f"), None)
# Spaces that are not U+0020 but mean one: no-break, narrow no-break, thin, figure, ideographic...
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")

# Latin letters that look like Cyrillic ones, with the Cyrillic letter they stand for. Latin "i" is the
# Kazakh/Ukrainian "і" (there is no Cyrillic "i" without a dot in Russian words, so it can only be і).
_LATIN_TO_CYR = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "i": "і",
        "A": "А",
        "B": "В",
        "C": "С",
        "E": "Е",
        "H": "Н",
        "K": "К",
        "M": "М",
        "O": "О",
        "P": "Р",
        "T": "Т",
        "X": "Х",
        "Y": "У",
        "I": "І",
    }
)
# A word with at least one Cyrillic letter and at least one look-alike Latin letter.
_MIXED_WORD = re.compile(r"\b(?=\w*[\u0400-\u04ff])(?=\w*[acepoxyiABCEHKMOPTXYI])\w+\b")
_HAS_LATIN_NON_LOOKALIKE = re.compile(r"[bdfghjklmnqrstuvwzDFGJLNQRSUVWZ]")


def _repair_word(match: re.Match[str]) -> str:
    word = match.group(0)
    # A word that also has Latin letters with no Cyrillic twin ("iPhone-ы", "Kazakhstan-да") is a real
    # mix of scripts, not a typo: leave it alone.
    if _HAS_LATIN_NON_LOOKALIKE.search(word):
        return word
    return word.translate(_LATIN_TO_CYR)


def normalize_text(text: str) -> str:
    """NFC, invisible characters removed, odd spaces made plain, look-alikes in Cyrillic words repaired."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    if text.isascii():
        return text
    return _MIXED_WORD.sub(_repair_word, text)

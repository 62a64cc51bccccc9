"""Duplicates: exact (content hash) and near (SimHash) fingerprints of article text.

The crawler uses `content_hash` to skip a body it already has under another URL; the index
(`index.ingest`) stores `simhash` per article and groups reprints of one story across outlets: texts whose
fingerprints differ in at most a few of 64 bits. Fingerprints are taken over word shingles (three words in a
row) of the lower-cased text, with ё read as е, so they work the same for Kazakh and Russian Cyrillic, Latin
Kazakh, and text that lost its punctuation on the way.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 3
_WITH_BIT = [[v for v in range(16) if v >> bit & 1] for bit in range(4)]
NEAR_BITS = 8  # at most this many differing bits: the same story (unrelated news texts differ in ~32, rarely < 18)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("ё", "е")) if not w.isdigit() or len(w) > 1]


def content_hash(text: str) -> str:
    """A hash of the text that ignores case, spacing and punctuation: equal for the same words in order."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


def _hash64(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str) -> int:
    """A 64-bit SimHash over word shingles; 0 for a text without words."""
    tokens = words(text)
    if not tokens:
        return 0
    if len(tokens) < SHINGLE:
        shingles = Counter([" ".join(tokens)])
    else:
        shingles = Counter(" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))
    # Count, per 4-bit slice of the hash, how often each nibble value occurs; a bit is set when more than half
    # of the (weighted) shingles have it. Same result as the textbook per-bit loop, a quarter of the work.
    table = [0] * 256
    for shingle, count in shingles.items():
        h = _hash64(shingle)
        for pos in range(16):
            table[pos * 16 + ((h >> (4 * pos)) & 15)] += count
    total = sum(shingles.values())
    result = 0
    for pos in range(16):
        row = table[pos * 16 : pos * 16 + 16]
        for bit in range(4):
            ones = sum(row[v] for v in _WITH_BIT[bit])
            if 2 * ones > total:
                result |= 1 << (4 * pos + bit)
    return result


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints."""
    return (a ^ b).bit_count()


def near_duplicates(a: int, b: int, bits: int = NEAR_BITS) -> bool:
    return hamming(a, b) <= bits

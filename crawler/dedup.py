"""Duplicates: exact (content hash) and near (SimHash) fingerprints of article text.

The crawler uses `content_hash` to skip a body it already has under another URL; the index
(`index.ingest`) stores `simhash` per article and groups reprints of one story across outlets: texts whose
fingerprints differ in at most a few of 64 bits. Fingerprints are taken over the words and two-word shingles
of the lower-cased text, with ё read as е, so they work the same for Kazakh and Russian Cyrillic, Latin
Kazakh, and text that lost its punctuation on the way.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"\w+", re.UNICODE)
# Single words and two-word shingles together: on the demo press the six reprint pairs differ in 0, 4, 6, 7, 7 and 8
# bits, unrelated articles in 15 or more (three-word shingles as before: 5, 5, 6, 6, 9, 13 and 19). Two-word
# shingles alone (2-11 bits) missed a reprint of a 34-word story with a source line added: with few shingles
# the per-bit majority is close to a tie, and the words, shared by the copies, steady it (issue #9).
SHINGLE = 2
UNIGRAMS = True  # also hash single words (see above)
NEAR_BITS = 8  # at most this many differing bits: the same story (unrelated news texts differ in ~32, rarely < 18)
_CACHE_MAX = 200_000  # words whose 64-bit hash is remembered across articles (Zipf: most words repeat)
_word_hashes: dict[str, int] = {}
# splitmix64's finaliser: mixes a shingle's combined word hashes into an evenly spread 64-bit value.
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("ё", "е")) if not w.isdigit() or len(w) > 1]


def content_hash(text: str) -> str:
    """A hash of the text that ignores case, spacing and punctuation: equal for the same words in order."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


def _word_hashes_of(tokens: list[str]) -> npt.NDArray[np.uint64]:
    """The 64-bit hash of each word (blake2b): each distinct word hashed once, and remembered across articles."""
    distinct = set(tokens)
    missing = distinct.difference(_word_hashes)  # in C: most words were seen before (Zipf)
    if missing:
        if len(_word_hashes) + len(missing) > _CACHE_MAX:
            _word_hashes.clear()
            missing = distinct
        blake2b, from_bytes = hashlib.blake2b, int.from_bytes
        for word in missing:
            _word_hashes[word] = from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
    return np.fromiter(map(_word_hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def simhash(text: str) -> int:
    """A 64-bit SimHash over word shingles; 0 for a text without words."""
    tokens = words(text)
    if not tokens:
        return 0
    # Words are hashed once each (blake2b, remembered); shingle hashes are combined from them in numpy, and
    # the per-bit majority is counted over the unpacked bits: no Python loop per shingle or per bit.
    hashes = _word_hashes_of(tokens)
    with np.errstate(over="ignore"):
        if len(hashes) < SHINGLE:
            shingles = _mix(np.array([hashes.sum()], dtype=np.uint64))
        else:
            n = len(hashes) - SHINGLE + 1
            shingles = hashes[:n].copy()
            for j in range(1, SHINGLE):
                shingles = _mix(shingles * np.uint64(31 + 2 * j) + hashes[j : j + n])
            if UNIGRAMS:
                shingles = np.concatenate([_mix(hashes), shingles])
    # One row of 64 bits per shingle (unpacked flat: twice as fast as along an axis), summed per column in
    # int32 (a count cannot reach 2**31: that many shingles would not fit in memory).
    bits = np.unpackbits(shingles.view(np.uint8), bitorder="little").reshape(-1, 64)
    majority = bits.sum(axis=0, dtype=np.int32) > len(shingles) // 2
    return int.from_bytes(np.packbits(majority, bitorder="little").tobytes(), "little")


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints."""
    return (a ^ b).bit_count()


def near_duplicates(a: int, b: int, bits: int = NEAR_BITS) -> bool:
    return hamming(a, b) <= bits

"""SimHash fingerprints are stored in the index: however the word hashes are computed and remembered, the
fingerprint of a text must stay the one its definition gives (a reference written plainly, bit by bit, here)."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from crawler import dedup
from crawler.dedup import simhash, words

_MASK = 2**64 - 1


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _reference(text: str) -> int:
    hashes = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words(text)]
    if not hashes:
        return 0
    if len(hashes) < 2:
        shingles = [_mix(sum(hashes) & _MASK)]
    else:
        pairs = [_mix((a * 33 + b) & _MASK) for a, b in itertools.pairwise(hashes)]
        shingles = [_mix(h) for h in hashes] + pairs
    out = 0
    for bit in range(64):
        if sum(s >> bit & 1 for s in shingles) * 2 > len(shingles):
            out |= 1 << bit
    return out


TEXTS = [
    "",
    "Бір",
    "5 5",
    "Ёлка и елка: ЁЛКА. Алматы облысында 2025 жылы 3 мектеп салынады, бюджеті 5 млрд теңге.",
    "Астана — Қазақстанның астанасы. Астана — Қазақстанның астанасы. Túrkistan oblysy, 2021 jyly.",
    " ".join(f"сөз{i % 37} word{i % 11}" for i in range(500)),
]


@pytest.mark.parametrize("text", TEXTS)
def test_fingerprint_is_the_reference_one(text: str) -> None:
    assert simhash(text) == _reference(text)


def test_fingerprint_does_not_depend_on_what_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    text = TEXTS[-1]
    first = simhash(text)
    dedup._word_hashes.clear()
    assert simhash(text) == first
    # a memo smaller than one text's words: it is emptied and refilled mid-way
    monkeypatch.setattr(dedup, "_CACHE_MAX", 10)
    for other in TEXTS:
        assert simhash(other) == _reference(other)
    assert len(dedup._word_hashes) <= len(set(words(text)))
    assert simhash(text) == first

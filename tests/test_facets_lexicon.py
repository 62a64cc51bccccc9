"""`Lexicon.lookup` finds stems through an index of their first letters: it must answer exactly what trying every
stem length, longest first, answers (the order of payloads decides which code an extractor takes first)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from index.facets import countries, regions, sectors
from index.facets.text import (
    _FOLD,
    CYRILLIC_RE,
    EXACT,
    KK,
    PREFIX,
    PREFIX_MAX,
    RU_NOUN_A,
    TOKEN_RE,
    Lexicon,
    Memo,
    fold,
    latin_fold,
    positions,
    tokenize,
)

_ENDINGS = [EXACT, KK, PREFIX, RU_NOUN_A]


def _every_length(lex: Lexicon[str], word: str) -> list[str]:
    """The answer by brute force: every stem length, longest first, and each stem's entries in order."""
    found: list[str] = []
    for size in sorted({len(stem) for stem in lex.stems}, reverse=True):
        for endings, payload in lex.stems.get(word[:size], []) if size <= len(word) else []:
            rest = word[size:]
            ok = len(rest) <= PREFIX_MAX and "-" not in rest if endings is PREFIX else rest in endings
            if ok and payload not in found:
                found.append(payload)
    return found


_letters = st.text(alphabet="абвгкнсты-", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(
    stems=st.lists(st.tuples(_letters, st.integers(0, len(_ENDINGS) - 1), st.sampled_from("xyz")), max_size=30),
    words=st.lists(st.text(alphabet="абвгкнсты-", max_size=14), max_size=30),
)
def test_lookup_answers_what_every_stem_length_answers(stems: list[tuple[str, int, str]], words: list[str]) -> None:
    lex: Lexicon[str] = Lexicon()
    for stem, ending, payload in stems:
        lex.add(stem, _ENDINGS[ending], payload)
    for word in words + [stem + "ы" for stem, _e, _p in stems] + [stem for stem, _e, _p in stems]:
        assert lex.lookup(word) == _every_length(lex, word), word


def test_the_product_lexicons_answer_as_every_stem_length_does() -> None:
    text = (
        "Қарағанды облысында, Шымкентте және Түркістан облысының Сарыағаш ауданында Қытай мен Ресейдің "
        "инвесторлары металлургия зауытын, жылыжай кешенін салады. В Карагандинской области и в Алматы "
        "строят птицефабрику; Túrkistan oblysynda qytaılyq kásipkerler. Ал-Фараби ауданы, ШҚО-да, США."
    )
    keys = set(tokenize(text).keys) | {"к", "ка", "кар", "а", "аб"}
    lexicons: list[Lexicon[Any]] = [
        regions.gazetteer().cyr,
        regions.gazetteer().lat,
        countries.lexicon()[0],
        *sectors.lexicon()[::2],
    ]
    for lex in lexicons:
        fresh: Lexicon[object] = Lexicon()
        for stem, entries in lex.stems.items():
            for endings, payload in entries:
                fresh.add(stem, endings, payload)
        for key in keys:
            assert fresh.lookup(key) == _every_length(fresh, key), key  # type: ignore[arg-type]
        assert any(fresh.lookup(key) for key in keys)


def test_positions_are_the_indices_of_hit_keys_in_order() -> None:
    keys = ["a", "b", "a", "c", "b"]
    assert positions(keys, {"a", "b"}) == [0, 1, 2, 4]
    assert positions(keys, {"z"}) == []
    assert positions(keys, set()) == []


@settings(max_examples=100, deadline=None)
@given(
    stems=st.lists(st.tuples(_letters, st.integers(0, len(_ENDINGS) - 1), st.integers(0, 2)), max_size=30),
    texts=st.lists(st.lists(st.text(alphabet="абвгкнсты-", min_size=1, max_size=12), max_size=20), max_size=4),
    late=st.tuples(_letters, st.integers(0, 2)),
)
def test_a_shared_memo_fills_every_lexicon_as_lookup_would(
    stems: list[tuple[str, int, int]], texts: list[list[str]], late: tuple[str, int]
) -> None:
    """After `Memo.known(keys)`, a key is among a lexicon's hits exactly when `lookup` finds it something; a
    stem added later (or a cache emptied) makes the memo start again."""
    group = [Lexicon[str]() for _ in range(3)]
    memo = Memo()
    for lex in group:
        memo.join(lex)
    for stem, ending, which in stems:
        group[which].add(stem, _ENDINGS[ending], stem)

    def check(keys: set[str]) -> None:
        memo.known(keys)
        for lex in group:
            for key in keys:
                assert (key in lex.hits) == bool(lex.find(key)), key
                assert lex.lookup(key) == _every_length(lex, key), key

    for words in texts:
        check(set(words))
    keys = {w for words in texts for w in words} | {late[0] + "ы"}
    check(keys)
    group[late[1]].add(late[0], PREFIX, "late")
    check(keys)
    memo.known(keys)  # the same set again: nothing to do, and the answers stay right
    group[0].clear()
    check(keys)


def _tokens_by_regex(text: str) -> tuple[list[tuple[int, int]], list[str], set[int]]:
    """Spans, keys and Latin words of `text` the plain way: every match of TOKEN_RE, keys cut from the text folded
    whole (each word folded alone when lower case changes the text's length)."""
    low = text.lower()
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    if len(low) == len(text):
        folded = low.translate(_FOLD)
        keys = [folded[s:e] for s, e in spans]
    else:
        keys = [fold(text[s:e]) for s, e in spans]
    latin = set()
    for i, (s, e) in enumerate(spans):
        if not "\u0400" <= text[s] <= "\u04ff":
            word = text[s:e]
            if not word.isascii() and CYRILLIC_RE.search(word) is not None:
                keys[i] = fold(word)
            else:
                latin.add(i)
                keys[i] = latin_fold(word)
    return spans, keys, latin


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="АаӘәҚқІіЁёOoIiİıΣσςΟAa-‐‑ '’.,«»1_\n\u00a0\u0301", max_size=60))
def test_tokenize_cuts_the_words_and_keys_the_plain_way_does(text: str) -> None:
    tokens = tokenize(text)
    spans, keys, latin = _tokens_by_regex(text)
    assert list(zip(tokens.starts, tokens.ends, strict=True)) == spans
    assert [tok.text for tok in tokens] == [text[s:e] for s, e in spans]
    assert tokens.keys == keys
    assert tokens.latin_at == latin

"""Ranking, phrases, ranges and snippets computed with numpy give Whoosh's answers (issue #9).

A few hundred generated articles (bench.corpus) in an index of several segments with deleted documents: the
scores of `query_scores` are Whoosh's BM25F scores, a page is the order of Whoosh's collector over all matches,
phrase and range masks are Whoosh's documents, snippets mark what the word-by-word highlighter marked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from whoosh.formats import Positions
from whoosh.sorting import FieldFacet

from bench import corpus
from index import qtree
from index.analysis.fold import fold_word
from index.highlight import _WORD, Highlighter
from index.models import SearchRequest
from index.schema import CompactPositions
from index.whoosh.compile import to_whoosh
from index.whoosh.engine import WhooshIndex
from index.whoosh.evaluate import QueryCache, _decode_positions, query_mask, query_scores
from index.whoosh.ranking import top_ranked
from index.whoosh.ranking import with_recency as recency

N = 360


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshIndex]:
    folder = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(corpus.CorpusSpec(n=N, seed=5), folder)
    records = [corpus.to_record(item) for item in corpus.read_items(folder)]
    ix = WhooshIndex(tmp_path_factory.mktemp("ix") / "index")
    # three commits (three segments unless Whoosh merges them), then some records written again: deletions
    for start in range(0, N, N // 3):
        ix.add(records[start : start + N // 3])
    ix.add(records[:15])
    yield ix
    ix.close()


def _words(index: WhooshIndex) -> dict[str, list[str]]:
    """Frequent and rare words of the corpus, per language, taken from the stored records."""
    searcher = index._searcher()
    cols = index._cols(searcher)
    records = index.store.get_many(cols.ids[:80])
    out: dict[str, list[str]] = {"kk": [], "ru": []}
    for record in records.values():
        words = [w.lower() for w in _WORD.findall(record.text) if len(w) > 3]
        out.setdefault(record.lang, []).extend(words[:6] + words[-2:])
    return out


def _queries(index: WhooshIndex) -> list[str]:
    words = _words(index)
    qs: list[str] = []
    for lang in ("kk", "ru"):
        w = words[lang]
        qs += [w[0], w[5], w[17], f"{w[1]} {w[2]}", f"{w[3]} {w[40]}", f'"{w[0]} {w[1]}"', f'"{w[8]} {w[9]}"']
        qs += [f"{w[0]} NOT {w[1]}", f"title:{w[2]}", f"{w[4]} OR {w[30]}", f"{w[6]} region:KZ-75"]
    return qs


def _whoosh_scores(index: WhooshIndex, q: qtree.Node) -> dict[int, float]:
    """Whoosh's own scores of a parsed query, by its searcher."""
    searcher = index._searcher()
    cols = index._cols(searcher)
    searcher.weighting.days = cols.day
    return {hit.docnum: float(hit.score or 0.0) for hit in searcher.search(to_whoosh(q, index.schema), limit=None)}


def test_numpy_bm25f_scores_are_whooshs(index: WhooshIndex) -> None:
    searcher = index._searcher()
    cols = index._cols(searcher)
    assert len(searcher.leaf_searchers()) > 1 and cols.live.sum() < cols.size  # segments and deletions
    checked = 0
    for text in _queries(index):
        parsed = index._queries.parse(text)
        assert parsed.query is not None
        mask, scores = query_scores(parsed.query, searcher, cols.size, QueryCache())
        assert scores is not None, text
        slow = _whoosh_scores(index, parsed.query)
        live = mask & cols.live
        assert sorted(slow) == np.flatnonzero(live).tolist(), text
        docs = np.array(sorted(slow), dtype=np.int64)
        if docs.size:
            ours = recency(scores[docs], cols.day[docs], searcher.weighting.today)
            assert np.allclose(ours, [slow[d] for d in docs.tolist()], rtol=1e-12, atol=1e-12), text
            checked += 1
    assert checked >= 15


def test_a_page_is_whooshs_order_with_reprints_folded(index: WhooshIndex) -> None:
    searcher = index._searcher()
    cols = index._cols(searcher)
    for text, group in itertools.product(_queries(index), (True, False)):
        # the query the engine searches: the words, or any of them when no article has all (Whoosh scores that)
        parsed = index._matches(SearchRequest(q=text), searcher, cols)[0]
        assert parsed.query is not None
        searcher.weighting.days = cols.day
        collapse = {"collapse": FieldFacet("grp"), "collapse_limit": 1} if group else {}
        hits = searcher.search(to_whoosh(parsed.query, index.schema), limit=None, **collapse)
        order = [hit.docnum for hit in sorted(hits, key=lambda hit: (-float(hit.score or 0.0), hit.docnum))]
        for page in (1, 2):
            result = index.search(SearchRequest(q=text, per_page=7, page=page, group=group, facets=False))
            want = [cols.ids[d] for d in order[(page - 1) * 7 : page * 7]]
            assert [h.record.id for h in result.hits] == want, (text, group, page)


def test_top_ranked_breaks_ties_by_document_number_and_keeps_the_best_of_a_group() -> None:
    values = np.array([1.0, 3.0, 3.0, 2.0, 3.0, 0.5])
    candidates = np.array([10, 4, 7, 2, 1, 3])
    assert candidates[top_ranked(values, candidates, 3, None)].tolist() == [1, 4, 7]
    groups = np.zeros(11, dtype=np.int32)
    groups[[1, 4]] = 1  # 1 and 4 are one story; 7 and 10 another
    groups[[7, 10]] = 2
    groups[2], groups[3] = 3, 4
    assert candidates[top_ranked(values, candidates, 3, groups)].tolist() == [1, 7, 2]
    assert candidates[top_ranked(values, candidates, 9, groups)].tolist() == [1, 7, 2, 3]
    assert top_ranked(values[:0], candidates[:0], 5, None).size == 0


def test_phrase_and_range_masks_are_whooshs(index: WhooshIndex) -> None:
    searcher = index._searcher()
    size = index._cols(searcher).size
    words = _words(index)
    queries: list[qtree.Node] = []
    for lang in ("kk", "ru"):
        w = words[lang]
        for a, b in itertools.pairwise(w[:30]):
            phrase = index._queries.parse(f'"{a} {b}"').query
            assert phrase is not None
            queries.append(phrase)
        queries.append(qtree.Phrase(f"body_{lang}", (w[0][:4], w[1][:4], w[2][:4])))
    queries += [qtree.Range("amount", lo, hi) for lo, hi in ((1e6, None), (None, 5e8), (1e7, 1e10), (3.5, 3.5))]
    queries += [qtree.Prefix("body_kk", words["kk"][3][:3]), qtree.Term("region", "KZ-75")]
    found = 0
    for q in queries:
        slow = np.zeros(size, dtype=bool)
        slow[list(searcher.docs_for_query(to_whoosh(q, searcher.schema)))] = True
        assert np.array_equal(query_mask(q, searcher, size, QueryCache()), slow), q
        found += int(slow.any())
    assert found > len(queries) // 3


def test_the_postings_cache_gives_the_same_answers_and_stays_in_its_bounds(index: WhooshIndex) -> None:
    searcher = index._searcher()
    size = index._cols(searcher).size
    cache = QueryCache(limit=40_000)
    for text in _queries(index) * 2:
        q = index._queries.parse(text).query
        assert q is not None
        mask, scores = query_scores(q, searcher, size, cache)
        mask0, scores0 = query_scores(q, searcher, size, QueryCache(limit=0))
        assert np.array_equal(mask, mask0) and scores is not None and scores0 is not None
        assert np.array_equal(scores, scores0)
        assert cache._bytes <= cache.limit


def _old_spans(highlighter: Highlighter, text: str) -> list[tuple[int, int]]:
    """The highlighter's spans as it found them word by word before issue #9's set-based pass."""
    out = []
    for m in _WORD.finditer(text):
        word = m.group()
        if fold_word(word).startswith(highlighter.heads) and highlighter._matches(word):
            out.append(m.span())
    return out


def test_snippet_spans_are_the_word_by_word_spans(index: WhooshIndex) -> None:
    searcher = index._searcher()
    cols = index._cols(searcher)
    records = list(index.store.get_many(cols.ids[:40]).values())
    queries = [*_queries(index), "эконом*", "oblys", "облыс*"]
    marked = 0
    for text in queries:
        terms, prefixes = qtree.terms_of(index._queries.parse(text).query)
        highlighter = Highlighter(terms, prefixes)
        reference = Highlighter(terms, prefixes)
        for record in records:
            spans = highlighter.match_spans(record.text)
            assert spans == _old_spans(reference, record.text), text
            marked += bool(spans)
    assert marked > 20


class _Doubled(Positions):
    """A format that decodes its own way: the generic path of `_decode_positions`."""

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return [2 * p for p in super().decode_positions(valuestring)]


@pytest.mark.parametrize("fmt", [Positions(), CompactPositions(), _Doubled()])
def test_positions_decode_in_bulk_as_one_by_one(fmt: Positions) -> None:
    lists = [[0], [3, 10, 300, 70_000], [5, 6], [1_000_000, 1_000_001, 2**31]]
    values = [fmt.encode(poslist) for poslist in lists]
    if type(fmt) is Positions:
        values[0] = values[0][:-1]  # a value stored without the pickle's closing stop byte reads the same
    counts, positions = _decode_positions(fmt, values)
    assert counts.tolist() == [len(p) for p in lists]
    assert positions.tolist() == [p for v in values for p in fmt.decode_positions(v)]


@pytest.mark.parametrize("sort", ["date", "date_asc", "amount", "relevance"])
def test_sorted_listings_are_the_full_sort_cut_to_a_page(index: WhooshIndex, sort: str) -> None:
    searcher = index._searcher()
    cols = index._cols(searcher)
    for q, group in itertools.product(["", _words(index)["kk"][0]], (True, False)):
        request = SearchRequest(q=q, sort=sort, per_page=9, page=2, group=group, facets=False)
        _parsed, _scores, _qmask, base, _filters = index._matches(request, searcher, cols)
        if sort == "relevance" and q:
            continue  # ranked by score: test_a_page_is_whooshs_order_with_reprints_folded
        docs = np.flatnonzero(base)
        day = cols.day[docs].astype(np.int64)
        if sort == "amount":
            order = np.lexsort((-docs, -day, -cols.amount_top[docs]))
        elif sort == "date_asc":
            order = np.lexsort((docs, np.where(day == -100_000, np.iinfo(np.int32).max, day)))
        else:
            order = np.lexsort((-docs, -day))
        docs = docs[order]
        if group:
            _, first = np.unique(cols.grp[docs], return_index=True)
            docs = docs[np.sort(first)]
        result = index.search(request)
        assert [h.record.id for h in result.hits] == [cols.ids[d] for d in docs[9:18]], (q, sort, group)


def test_phrases_over_many_blocks_are_whooshs(tmp_path: pytest.TempPathFactory) -> None:
    """One segment of 900 articles: frequent words have several posting blocks of 128, phrases skip the blocks
    that hold none of their candidates and decode packed positions with numpy, and still find Whoosh's."""
    items = list(corpus.Generator(corpus.CorpusSpec(n=900, seed=8)).articles())
    ix = WhooshIndex(tmp_path / "one")  # type: ignore[operator]
    ix.add(corpus.to_record(item) for item in items)
    searcher = ix._searcher()
    size = ix._cols(searcher).size
    assert len(searcher.leaf_searchers()) == 1
    phrases: list[str] = []
    for item in items[:40]:
        words = [w.lower() for w in _WORD.findall(item["paragraphs"][0])]
        phrases += [f'"{words[3]} {words[4]}"', f'"{words[10]} {words[11]} {words[12]}"']
    multi_block = 0
    found = 0
    for text in phrases:
        q = ix._queries.parse(text).query
        assert q is not None
        slow = np.zeros(size, dtype=bool)
        slow[list(searcher.docs_for_query(to_whoosh(q, searcher.schema)))] = True
        assert np.array_equal(query_mask(q, searcher, size, QueryCache()), slow), text
        found += int(slow.any())
        for leaf in qtree.leaves(q):
            if isinstance(leaf, qtree.Phrase) and leaf.field.startswith("body"):
                multi_block += any(searcher.doc_frequency(leaf.field, w) > 128 for w in leaf.words)
    assert found >= 0.9 * len(phrases)  # taken from the articles (a stop word or a hyphen can break one)
    assert multi_block > 10
    ix.close()


def test_a_lower_amount_bound_reads_the_column_and_finds_what_the_range_finds(index: WhooshIndex) -> None:
    searcher = index._searcher()
    cols = index._cols(searcher)
    tried = 0
    for low in (1.0, 3.5e6, 1e8, 2.5e9, 4e10):
        request = SearchRequest(amount_min=low, per_page=500, group=False, facets=False)
        _parsed, _scores, _qmask, base, _filters = index._matches(request, searcher, cols)
        by_terms = query_mask(qtree.Range("amount", low, None), searcher, cols.size) & cols.live
        assert np.array_equal(base, by_terms), low
        tried += int(by_terms.any())
    assert tried >= 3


def test_phrases_under_two_filters_count_what_whoosh_finds(index: WhooshIndex) -> None:
    """With two or more facet filters a phrase checks positions only in documents that fail at most one of
    them: totals and every facet's counts (which leave their own filter out) stay what Whoosh's phrase gives."""
    searcher = index._searcher()
    cols = index._cols(searcher)
    words = _words(index)
    checked = 0
    for lang in ("kk", "ru"):
        for a, b in itertools.pairwise(words[lang][:24]):
            parsed = index._queries.parse(f'"{a} {b}"').query
            assert parsed is not None
            slow = np.zeros(cols.size, dtype=bool)
            slow[list(searcher.docs_for_query(to_whoosh(parsed, searcher.schema)))] = True
            slow &= cols.live
            if not slow.any():
                continue
            doc = int(np.flatnonzero(slow)[0])
            source = cols.facets["source"].values[cols.facets["source"].first_value(cols.size)[doc]]
            request = SearchRequest(q=f'"{a} {b}"', lang=[lang], source=[source], group=False, per_page=50)
            result = index.search(request)
            lang_mask = cols.facets["lang"].mask([lang], cols.size)
            source_mask = cols.facets["source"].mask([source], cols.size)
            assert result.total == int((slow & lang_mask & source_mask).sum()) > 0
            for name, other in (("lang", source_mask), ("source", lang_mask)):
                arrays = cols.facets[name]
                want = arrays.counts(slow & other)
                got = {v.value: v.count for v in result.facets[name]}
                assert got == {arrays.values[i]: int(c) for i, c in enumerate(want) if c > 0}, name
            checked += 1
    assert checked >= 4

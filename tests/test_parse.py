"""The parser's product is our own tree (`index.qtree`), and it loses nothing of what Whoosh's parser read.

Whoosh's query parser reads the syntax inside `index.parse`; what leaves the module is the tree. The Whoosh
engine compiles the tree back where Whoosh's searcher ranks (`index.whoosh.compile`): for its results to stay
the ones Whoosh's own query gave, the compiled query must be that query, attribute for attribute (Whoosh's
`==` ignores some, such as an Or's coordination bonus). Checked over the syntax's every construct, with and
without translation, and over every query of the retrieval gold set.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from whoosh import query as wq

from bench.eval_retrieval import load_queries
from index import qtree
from index.parse import QueryBuilder
from index.schema import build_schema
from index.whoosh.compile import to_whoosh

SYNTAX = [
    "бидай",
    "астық экспорты",
    "пшеница урожай Костанай",
    "wheat export",
    "astyk eksporty",
    '"астық экспорты"',
    '"urozhai pshenitsy"',
    '"экспорт пшеницы" Казахстан',
    "экспорт*",
    "бида?",
    "title:астық",
    "заголовок:пшеница",
    "body:урожай",
    "text:зерно",
    "source:Kazinform.KZ",
    "region:kz-55",
    "lang:KK",
    "sector:a01",
    "year:2024",
    "source:*",
    "*",
    "астық AND экспорт",
    "астық OR экспорт",
    "астық NOT экспорт",
    "NOT экспорт",
    "астық ANDNOT экспорт",
    "астық ANDMAYBE экспорт",
    "астық REQUIRE экспорт",
    "(астық OR бидай) AND (экспорт OR импорт)",
    "астық^2 экспорт",
    "title:(астық экспорт)^3",
    "day:20000",
    "day:[19000 TO 20000]",
    "day:{19000 TO 20000]",
    "amount:[1000000 TO]",
    "amount:[TO 5000000.5]",
    "title_kk:[а TO б]",
    '"астық экспорты',
    "астық AND",
    "(астық экспорт",
    "title:",
    "OR OR",
    "день:1",
    "~",
]


# where in the query string a part was typed: Whoosh keeps it for its own query correction, no search reads it
WHERE_TYPED = {"startchar", "endchar", "char_ranges"}


def _same(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two Whoosh queries differ in any attribute (recursively); [] when they are the same."""
    if isinstance(a, wq.Query) or isinstance(b, wq.Query):
        if type(a) is not type(b):
            return [f"{where}: {type(a).__name__} != {type(b).__name__}"]
        diffs: list[str] = []
        for key in sorted((set(vars(a)) | set(vars(b))) - WHERE_TYPED):
            diffs += _same(getattr(a, key, None), getattr(b, key, None), f"{where}.{key}")
        return diffs + ([] if a.boost == b.boost else [f"{where}.boost"])
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b) or type(a) is not type(b):
            return [f"{where}: {a!r} != {b!r}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _same(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


@pytest.fixture(scope="module")
def builder() -> QueryBuilder:
    return QueryBuilder(build_schema())


def _check(builder: QueryBuilder, text: str, *, any_word: bool = False, translate: bool = False) -> None:
    read = builder._read(text, any_word=any_word, translate=translate)[0]
    parsed = builder.parse(text, any_word=any_word, translate=translate)
    if read is None:
        assert parsed.query is None
        return
    assert parsed.query is not None
    assert not isinstance(parsed.query, wq.Query)
    compiled = to_whoosh(parsed.query, builder.schema)
    assert _same(compiled, read) == [], (text, parsed.query)


@pytest.mark.parametrize("text", SYNTAX)
@pytest.mark.parametrize("any_word", [False, True])
def test_the_tree_holds_all_that_whoosh_read(builder: QueryBuilder, text: str, any_word: bool) -> None:
    _check(builder, text, any_word=any_word)
    _check(builder, text, any_word=any_word, translate=True)


def test_every_gold_query_survives_the_tree(builder: QueryBuilder) -> None:
    queries = load_queries()
    assert len(queries) > 50
    for query in queries:
        for any_word in (False, True):
            _check(builder, query.q, any_word=any_word, translate=True)
            _check(builder, query.q, any_word=any_word)


def test_the_tree_keeps_what_the_engines_need(builder: QueryBuilder) -> None:
    # the any-word fallback's coordination bonus, a field wildcard, a number's value, a phrase's slop
    anyword = builder.parse("астық экспорт", any_word=True).query
    assert isinstance(anyword, qtree.Or) and anyword.min_match == 1
    assert builder.parse("астық экспорт").query != anyword
    bonus = to_whoosh(qtree.Or((qtree.Term("title_kk", "астық"),), scale=0.9), builder.schema)
    assert isinstance(bonus, wq.Or) and bonus.scale == pytest.approx(0.9)
    assert builder.parse("source:*").query == qtree.All(field="source")
    assert builder.parse("day:20000").query == qtree.Term("day", "20000")
    phrase = builder.parse('title_kk:"астық экспорты"').query
    assert isinstance(phrase, qtree.Phrase) and phrase.slop == 0 and len(phrase.words) == 2
    # a phrase on a field without positions: all its words when typed in Latin, nothing when in Cyrillic
    assert builder.parse('fold_kk:"astyk eksport"').query == qtree.And(
        (qtree.Term("fold_kk", "astyk"), qtree.Term("fold_kk", "eksport"))
    )
    assert builder.parse('fold_kk:"астық экспорт"').query == qtree.Nothing()
    # prefixes are lowercased, or folded on the folded fields
    prefix = builder.parse("ЭКСПОРТ*").query
    assert isinstance(prefix, qtree.Or)
    texts = {c.field: c.text for c in prefix.children if isinstance(c, qtree.Prefix)}
    assert texts["title_ru"] == "экспорт" and texts["fold_kk"] != "ЭКСПОРТ"
    # the nodes are frozen values: an engine cannot change a parse another request shares
    with pytest.raises(dataclasses.FrozenInstanceError):
        prefix.boost = 2.0  # type: ignore[misc]

"""The memoised analyzers give exactly the tokens of the filter chains they replace (issue #9)."""

from __future__ import annotations

import pickle

import pytest

from index.analysis import _CHAINS, MemoAnalyzer

TEXTS = [
    "Павлодар облысында жаңа болат құю зауыты іске қосылды, ал Ертіс бойындағы 12 ауылда жол жөнделеді.",
    "В Шымкенте и в Туркестане открыли новый автобусный парк; её маршруты — до конца года. И ещё 4 млрд тенге.",
    "Aımaqta jańa zauyt salynady: aimaqta zhana zauyt. Нұр-Сұлтан мен Алматы, а также и в и на.",
    "",
    "   ,,, ",
]


@pytest.mark.parametrize("chain", sorted(_CHAINS))
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"positions": True, "chars": True},
        {"positions": True, "chars": True, "removestops": False},
        {"positions": True, "mode": "query", "start_pos": 5, "start_char": 7},
    ],
)
def test_same_tokens_as_the_chain(chain: str, options: dict[str, object]) -> None:
    old = _CHAINS[chain][0]()
    new = MemoAnalyzer(chain)
    for text in TEXTS:
        for _ in range(2):  # the second pass reads the memo
            want = [t.copy() for t in old(text, **options)]
            got = [t.copy() for t in new(text, **options)]
            assert [(t.text, t.stopped, getattr(t, "pos", None)) for t in got] == [
                (t.text, t.stopped, getattr(t, "pos", None)) for t in want
            ]
            if options.get("chars"):
                assert [(t.startchar, t.endchar) for t in got] == [(t.startchar, t.endchar) for t in want]


def _words() -> list[str]:
    """Words of both languages in every case, with ё, stop words, digits and Latin: the demo press's own."""
    import json
    import re
    from pathlib import Path

    words: set[str] = set()
    for path in sorted((Path(__file__).parents[1] / "searchapp" / "demo" / "content").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(re.findall(r"\w+", json.dumps(json.loads(line), ensure_ascii=False)))
    words.update(w.upper() for w in list(words)[:500])
    words.update(["ЁЛКА", "ещё", "и", "мен", "Aımaq", "2024", "_", "ӘӨҮҰҚҒҢҺІ"])
    return sorted(words)


@pytest.mark.parametrize("chain", sorted(_CHAINS))
def test_each_word_as_the_chain_reads_it(chain: str) -> None:
    old = _CHAINS[chain][0]()
    new = MemoAnalyzer(chain)
    words = _words()
    assert len(words) > 3000
    for word in words:
        tokens = list(old(word, removestops=False))
        assert new._term(word) == (tokens[0].text, bool(tokens[0].stopped)), word


@pytest.mark.parametrize("chain", sorted(_CHAINS))
def test_terms_are_the_indexed_tokens(chain: str) -> None:
    analyzer = MemoAnalyzer(chain)
    for text in [*TEXTS, "и в на", "и Павлодар мен Алматы и"]:
        tokens = [(t.text, t.pos) for t in analyzer(text, positions=True)]
        terms, first = analyzer.terms(text)
        assert [(term, first + i) for i, term in enumerate(terms)] == tokens


def test_pickles_by_name() -> None:
    analyzer = MemoAnalyzer("kk")
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer
    with pytest.raises(ValueError):
        MemoAnalyzer("xx")

"""The retrieval floors: MRR >= 0.9 over the judged queries, and every Kazakh inflection group found by each form."""

from __future__ import annotations

from pathlib import Path

from bench.eval_retrieval import evaluate, load_corpus, load_queries

KINDS = {"kk-inflection", "kk-keyboard", "kk-latin-2018", "kk-latin-2021", "kk-ascii", "ru-inflection", "phrase"}


def test_the_test_set_is_judged_and_complete() -> None:
    queries = load_queries()
    ids = {record.id for record in load_corpus()}
    assert len(queries) >= 60
    assert {q.kind for q in queries} >= KINDS
    for query in queries:
        assert query.relevant, query.q
        assert set(query.relevant) <= ids, query.q  # every judgment names an article of the corpus


def test_retrieval_floors(tmp_path: Path) -> None:
    report = evaluate(tmp_path, crosslang=False)  # the cross-language set has its own test (test_crosslang)
    assert report.ours.mrr >= 0.9
    assert report.ours.recall_at_10 >= 0.9
    assert report.incomplete_groups(report.ours) == {}
    assert report.groups() >= 6
    # Every way of typing Kazakh is served, where a plain Whoosh index finds nothing.
    kinds = report.by_kind(report.ours)
    for kind in ("kk-keyboard", "kk-latin-2018", "kk-latin-2021", "kk-ascii", "ru-inflection"):
        assert kinds[kind][0] >= 0.9, kind
    assert report.ours.mrr > report.baseline.mrr
    assert report.as_typed.mrr >= 0.9  # the floors hold with translation off too (xlang=0)

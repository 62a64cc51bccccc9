"""Quality floors of the facets, measured by bench/eval_facets.py on our gold set (and KazNERD where present)."""

from __future__ import annotations

import pytest

from bench.eval_facets import (
    FLOORS,
    PROJECT_FLOORS,
    PROJECTS_DIR,
    evaluate_gold,
    evaluate_kaznerd,
    evaluate_kaznerd_values,
    evaluate_projects,
    load_gold,
)
from tests.conftest import shared_data


def test_gold_set_shape() -> None:
    items = load_gold()
    assert len(items) >= 150
    langs = [i["lang"] for i in items]
    assert abs(langs.count("ru") - langs.count("kk")) <= 10
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert {"text", "regions", "sectors", "countries", "amounts"} <= set(item)


@pytest.mark.parametrize("facet", sorted(FLOORS))
def test_gold_floor(facet: str) -> None:
    score = evaluate_gold()[facet]
    precision, recall = FLOORS[facet]
    assert score.precision >= precision, score.errors
    assert score.recall >= recall, score.errors


@pytest.mark.slow
def test_kaznerd_money_floor() -> None:
    path = shared_data("kk", "kaznerd-valid.jsonl")
    scores = evaluate_kaznerd(path)
    assert scores is not None
    assert scores["amounts"].precision >= 0.98
    assert scores["amounts"].recall >= 0.95


@pytest.mark.slow
def test_kaznerd_money_values() -> None:
    """Issue 19: on KazNERD's MONEY spans, amounts have the span's value (derived from the digit twin of each
    sentence, see bench.eval_facets.kaznerd_money): precision >= 0.99, no amount of another value, recall >= 0.97."""
    path = shared_data("kk", "kaznerd-valid.jsonl")
    result = evaluate_kaznerd_values(path)
    assert result is not None
    score, wrong, hows = result
    assert sum(hows.values()) >= 400  # every span valued but a handful
    assert wrong == 0, [e for e in score.errors if "WRONG" in e]
    assert score.precision >= 0.99, score.errors
    assert score.recall >= 0.97, score.errors


def test_multi_topic_investment_stories() -> None:
    """Issue 19: stories that list projects in several industries, each named once or twice, get each project's
    sector (our own 40 stories, half Kazakh, half Russian, in tests/data/facets/projects/)."""
    items = [item for path in sorted(PROJECTS_DIR.glob("*.jsonl")) for item in load_gold([path])]
    langs = [item["lang"] for item in items]
    assert len(items) >= 40 and langs.count("kk") >= 20 and langs.count("ru") >= 20
    for lang in ("ru", "kk"):
        score = evaluate_projects(lang)
        assert score.precision >= PROJECT_FLOORS[0] - 0.05, (lang, score.errors)  # each language near the floor
    score = evaluate_projects()
    assert score.precision >= PROJECT_FLOORS[0], score.errors
    assert score.recall >= PROJECT_FLOORS[1], score.errors


def test_oked_terms_are_built_from_the_classifier() -> None:
    """index/facets/oked-terms.txt is what bench/build_oked_terms.py makes of ../shared/data/oked/oked.csv."""
    from bench.build_oked_terms import OUT, build

    lines = build(shared_data("oked", "oked.csv"))
    assert OUT.read_text(encoding="utf-8").splitlines() == lines
    assert any(line.startswith("C*:") and "обрабатыва_промышлен" in line for line in lines)

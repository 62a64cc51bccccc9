"""Quality floors of the facets, measured by bench/eval_facets.py on our gold set (and KazNERD where present)."""

from __future__ import annotations

import pytest

from bench.eval_facets import FLOORS, evaluate_gold, evaluate_kaznerd, load_gold
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

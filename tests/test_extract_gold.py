"""The extraction gold set (tests/data/extract/): the floors of issue #4, measured by bench/eval_extract.py."""

from __future__ import annotations

from bench.eval_extract import BOILERPLATE_MARKERS, evaluate, load_gold, ours, plain_trafilatura
from crawler.extract import extract_html
from crawler.langid import detect


def test_gold_set_is_big_enough_and_varied() -> None:
    pages = load_gold()
    articles = [p for p in pages if p.is_article]
    assert len(articles) >= 40
    own_templates = {p.name.rsplit("-", 1)[0] for p in articles if p.name.startswith("own-")}
    assert len(own_templates) >= 5
    assert {p.meta["lang"] for p in articles} == {"kk", "ru"}
    assert any(p.name.startswith("own-notfound") for p in pages) and any(p.name.endswith("-front") for p in pages)


def test_floors_on_the_gold_set() -> None:
    pages = load_gold()
    mine = evaluate(ours, pages)
    theirs = evaluate(plain_trafilatura, pages)
    f1 = sum(mine.f1) / len(mine.f1)
    assert f1 >= 0.97, mine.misses
    assert f1 > sum(theirs.f1) / len(theirs.f1)
    assert sum(mine.date) / len(mine.date) >= 0.97, mine.misses
    assert sum(mine.title) / len(mine.title) >= 0.95, mine.misses
    assert sum(mine.lang) / len(mine.lang) >= 0.97
    assert sum(mine.authors) / len(mine.authors) >= 0.9, mine.misses
    assert all(mine.no_article), "a page without an article gave one"
    assert mine.boilerplate_pages == []


def test_no_boilerplate_marker_in_any_body() -> None:
    for page in load_gold():
        if not page.is_article:
            continue
        article = extract_html(page.html, page.meta["url"], page.meta.get("headers")).article
        assert article is not None, page.name
        assert not BOILERPLATE_MARKERS.search(article.text), page.name
        assert not BOILERPLATE_MARKERS.search(article.lead), page.name


def test_mixed_pages_route_the_russian_quote_to_russian() -> None:
    for page in load_gold():
        if "paragraph_langs" not in page.meta:
            continue
        article = extract_html(page.html, page.meta["url"], page.meta.get("headers")).article
        assert article is not None
        assert [p.lang for p in article.paragraphs] == page.meta["paragraph_langs"], page.name
        assert article.lang == "kk"


def test_gold_truth_languages_agree_with_the_detector_on_titles() -> None:
    # A check on the gold itself: a mislabelled page would make every figure above lie.
    for page in load_gold():
        if page.is_article:
            assert detect(page.meta["title"] + ". " + page.meta["paragraphs"][0]) == page.meta["lang"], page.name

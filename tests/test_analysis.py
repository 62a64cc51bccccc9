"""Analyzers and folding: how the index reads Kazakh, Russian and Latin Kazakh text, and that Whoosh can pickle it."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analysis import (
    english_analyzer,
    folded_kazakh_analyzer,
    folded_russian_analyzer,
    kazakh_analyzer,
    russian_analyzer,
)
from index.analysis.fold import fold, fold_word
from index.analysis.russian import stem as russian_stem


def _terms(analyzer: object, text: str) -> list[str]:
    assert callable(analyzer)
    return [t.text for t in analyzer(text)]


@pytest.mark.parametrize(
    "typed",
    ["индустриалды аймақ", "индустриалды аймак", "indýstrialdy aımaq", "industrialdy aimağy", "industrialdy aimaq"],
)
def test_every_way_of_typing_folds_to_one_skeleton(typed: str) -> None:
    assert fold(typed).replace("aimagy", "aimak") == "industrialdy aimak"


def test_keyboard_letters_fold_to_their_russian_neighbours() -> None:
    assert fold("әғқңөұүһі") == fold("агкноуухи") == "agknouuhi"
    assert fold_word("Ёлка") == fold_word("елка") == "elka"


def test_dotted_and_dotless_capital_i_fold_without_stray_marks() -> None:
    # "İ".lower() is two code points in Python; the fold maps each letter explicitly.
    assert fold_word("İSTANBUL") == "istanbul"
    assert fold_word("Iran") == fold_word("ıran") == "iran"
    assert fold_word("Óskemen") == fold_word("Өскемен") == fold_word("Oskemen") == "oskemen"
    assert fold_word("Zhezkazgan") == fold_word("Жезқазған") == "jezkazgan"


@given(st.text(max_size=40))
def test_fold_never_fails_and_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded


def test_russian_stemmer_is_snowball_and_reads_yo_as_ye() -> None:
    assert russian_stem("объём") == russian_stem("объем")
    assert russian_stem("заводов") == russian_stem("завод") == "завод"
    assert _terms(russian_analyzer(), "и заводов в Шымкенте") == ["завод", "шымкент"]  # stop words dropped


def test_kazakh_analyzer_stems_and_drops_stop_words() -> None:
    assert _terms(kazakh_analyzer(), "Павлодар облысында және аймағында") == ["павлодар", "облыс", "аймақ"]


def test_folded_analyzers() -> None:
    assert _terms(folded_kazakh_analyzer(), "Aımaǵynda аймағында аймак") == ["aimak"] * 3
    assert _terms(folded_russian_analyzer(), "Шымкенте Shymkent") == ["shymkent", "shymkent"]


@pytest.mark.parametrize(
    "make", [russian_analyzer, kazakh_analyzer, english_analyzer, folded_kazakh_analyzer, folded_russian_analyzer]
)
def test_analyzers_survive_pickling(make: object) -> None:
    # Whoosh pickles the schema, analyzers included, into the index's table of contents.
    assert callable(make)
    analyzer = make()
    copy = pickle.loads(pickle.dumps(analyzer))
    text = "Аймағындағы заводов объём aımaq"
    assert _terms(copy, text) == _terms(analyzer, text)


def test_ascii_c_is_ts_but_ch_stays() -> None:
    assert fold_word("ferrosilicii") == fold_word("ферросилиций") == "ferrosilitsii"
    assert fold_word("чемпион") == fold_word("chempion") == "chempion"

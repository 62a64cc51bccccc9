"""Text normalisation: NFC, invisible characters, Latin look-alikes inside Cyrillic words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize import normalize_text


def test_nfc_composes_decomposed_letters() -> None:
    decomposed = "и\u0306"  # и + combining breve
    assert normalize_text(decomposed) == "й"


def test_soft_hyphens_and_zero_width_characters_are_removed() -> None:
    assert normalize_text("ин\u00adвес\u200bти\u200cция\ufeff") == "инвестиция"


def test_odd_spaces_become_plain_spaces() -> None:
    assert normalize_text("120\u00a0млрд\u202fтенге") == "120 млрд тенге"


def test_latin_lookalikes_inside_cyrillic_words_are_repaired() -> None:
    # Latin a, o, c, e, p, x, y and i typed inside Kazakh and Russian words.
    assert normalize_text("Aлмaты облысындa") == "Алматы облысында"
    assert normalize_text("cөзi") == "сөзі"
    assert normalize_text("пpoект") == "проект"


def test_real_mixed_script_words_and_latin_words_are_left_alone() -> None:
    text = "iPhone-ы сатылымы Kazakhstan-да өсті, Coca-Cola зауыты"
    assert normalize_text(text) == text


def test_yo_is_kept_for_display() -> None:
    assert normalize_text("ёлка и Семёновка") == "ёлка и Семёновка"


def test_empty_and_ascii_text() -> None:
    assert normalize_text("") == ""
    assert normalize_text("plain ASCII text") == "plain ASCII text"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі acepoxyiABCEHKMOPTXYI\u00ad\u200b\u00a0-."
        ),
        max_size=60,
    )
)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\u00ad" not in once and "\u200b" not in once

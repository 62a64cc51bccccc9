"""Amount facet: every form of money in Russian and Kazakh text, never jobs, hectares, percents or years."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.facets.amounts import MAX_KZT, find_amounts
from index.facets.rates import LATEST_YEAR, RATES, rate, to_kzt, year_of


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("выделят 123 млрд тенге", 123e9, "KZT"),
        ("на сумму 300,7 млн долларов", 300.7e6, "USD"),
        ("инвестиции $160 млн", 160e6, "USD"),
        ("бюджет 1 трлн тенге", 1e12, "KZT"),
        ("58 миллиард теңге бөлінді", 58e9, "KZT"),
        ("33 млрд теңгені салады", 33e9, "KZT"),
        ("кредит 2,5 млрд долл. на проект", 2.5e9, "USD"),
        ("грант €40 млн", 40e6, "EUR"),
        ("1,2 миллиона евро", 1.2e6, "EUR"),
        ("500 мың теңге", 500e3, "KZT"),
        ("зарплата 1 700 000 тенге", 1.7e6, "KZT"),
        ("зарплата 1\u00a0700\u00a0000 тенге", 1.7e6, "KZT"),
        ("үш жарым миллион теңге", 3.5e6, "KZT"),
        ("он миллиард үш жүз миллион теңге", 10.3e9, "KZT"),
        ("пять миллиардов тенге", 5e9, "KZT"),
        ("полтора миллиона долларов", 1.5e6, "USD"),
        ("300 млн АҚШ доллары", 300e6, "USD"),
        ("5 млн рублей", 5e6, "RUB"),
        ("200 млн юаней", 200e6, "CNY"),
        ("4,5 млрд тг.", 4.5e9, "KZT"),
        ("1 млрд 200 млн теңге", 1.2e9, "KZT"),
        ("5 тыс. тенге", 5e3, "KZT"),
        ("120 млрд теңгеге дейін", 120e9, "KZT"),
    ],
)
def test_amount_forms(text: str, value: float, currency: str) -> None:
    found = find_amounts(text, "2024-05-01")
    assert [(a.value, a.currency) for a in found] == [(value, currency)]
    amount = found[0]
    assert text[amount.start : amount.end] == amount.text
    assert amount.kzt == pytest.approx(value * rate(currency, "2024-05-01"))


@pytest.mark.parametrize("text", ["от 10 до 15 млрд тенге", "10-15 млрд теңге", "10–15 млрд теңге"])
def test_range_gives_both_ends(text: str) -> None:
    found = find_amounts(text)
    assert [(a.value, a.currency) for a in found] == [(10e9, "KZT"), (15e9, "KZT")]
    assert found[0].text == found[1].text  # the whole range is the text of both ends


@pytest.mark.parametrize(
    "text",
    [
        "открыли 3 000 рабочих мест",
        "засеяли 1 700 гектаров",
        "40 пайыз",
        "в 2027 году",
        "471 просмотр",
        "1e999 млрд тенге",
        "999999999999999999999 тенге",
        "он приехал. Тенге укрепился",
        "",
    ],
)
def test_not_money(text: str) -> None:
    assert find_amounts(text) == []


def test_absurd_values_are_dropped() -> None:
    assert find_amounts("9 999 999 трлн тенге") == []  # 1e19 KZT: a parsing accident
    assert all(a.kzt is not None and a.kzt <= MAX_KZT for a in find_amounts("900 трлн тенге"))


def test_number_never_starts_inside_another() -> None:
    text = "x" * 230 + " 1 700 000 тенге"  # the number begins just before the search window
    assert [a.value for a in find_amounts(text)] == [1.7e6]


def test_rates_by_year() -> None:
    assert year_of("2016-03-01") == 2016
    assert year_of(None) == LATEST_YEAR
    assert year_of("1999-01-01") == min(RATES)
    assert year_of("garbage") == LATEST_YEAR
    assert to_kzt(10, "USD", "2016-01-01") == pytest.approx(10 * RATES[2016]["USD"])
    assert to_kzt(10, "KZT") == 10
    assert to_kzt(10, "XAU") is None
    for year, table in RATES.items():
        assert set(table) == {"USD", "EUR", "RUB", "CNY"}, year
        assert table["EUR"] > table["USD"] > table["CNY"] > table["RUB"] > 0


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789 ,.\u00a0млрдтенгеңтыс$€", max_size=80))
def test_garbage_numbers_are_bounded(text: str) -> None:
    for amount in find_amounts(text):
        assert amount.value > 0
        assert amount.kzt is None or amount.kzt <= MAX_KZT


def test_scaled_number_inherits_the_currency_before_it() -> None:
    found = find_amounts("Стоимость — 33 млрд тенге, из них 12 млрд выделит бюджет.")
    assert [(a.value, a.currency) for a in found] == [(33e9, "KZT"), (12e9, "KZT")]
    assert [a.value for a in find_amounts("33 млрд тенге, из них 12 млрд кубометров газа")] == [33e9]
    assert [a.value for a in find_amounts("Выделено 5 млрд тенге. В 2023 году 3 млн человек")] == [5e9]


def test_tiyn_is_a_hundredth_of_a_tenge() -> None:
    found = find_amounts("бір тиын көтерсе, бұлар 50 тиынға көтереді")
    assert [(a.value, a.currency) for a in found] == [(0.01, "KZT"), (0.5, "KZT")]


# Kazakh amounts in words (issue 19, part 3): each form with its value. A number read in part is worse than none.
@pytest.mark.parametrize(
    ("text", "values", "currency"),
    [
        ("жүз жетпіс жеті бүтін оннан алты миллиард теңге", [177.6e9], "KZT"),  # decimal: tenths
        ("бір бүтін жүзден он бес миллиард теңге", [1.15e9], "KZT"),  # hundredths
        ("екі бүтін мыңнан бес жүз миллион доллар", [2.5e6], "USD"),  # thousandths
        ("отыз төрт бүтін бес миллиард теңге", [34.5e9], "KZT"),  # "бүтін" without the denominator
        ("он алты да тоғыз миллиард теңге", [16.9e9], "KZT"),  # a spoken decimal comma
        ("үш жарым миллион теңге", [3.5e6], "KZT"),  # жарым: and a half
        ("жарты миллиард теңгеден астам", [0.5e9], "KZT"),  # жарты: half
        ("екі миллион жарым теңге", [2.5e6], "KZT"),
        ("ширек миллион теңге", [0.25e6], "KZT"),  # ширек: a quarter
        ("80-нен 200 теңгеге дейін", [80, 200], "KZT"),  # ranges with -нан ... дейін, digits and words
        ("сексеннен екі жүз теңгеге дейін", [80, 200], "KZT"),
        ("бестен он мың теңгеге дейін", [5e3, 10e3], "KZT"),
        ("он-он бес мың теңге", [10e3, 15e3], "KZT"),  # the first end borrows the scale of the second
        ("бес жүз мың – жеті жүз мың теңгеге дейін", [500e3, 700e3], "KZT"),
        ("үш пен бес доллар шамасында", [3, 5], "USD"),
        ("бес миллард теңге", [5e9], "KZT"),  # misspellings of the scale words
        ("бес милиард теңге", [5e9], "KZT"),
        ("жеті миллиярд теңге", [7e9], "KZT"),
        ("үш милион теңге", [3e6], "KZT"),
        ("миллиардтаған теңге", [1e9], "KZT"),  # "billions of": the scale as the lower bound
        ("миллиондаған доллар", [1e6], "USD"),
        ("ондаған миллиард теңге", [10e9], "KZT"),
        ("Төрт жарым миллиондай ( і ) теңге", [4.5e6], "KZT"),  # a transcription mark inside the number
        ("бес миллиардтан астам теңге", [5e9], "KZT"),  # case forms of the number words
        ("екі миллиардқа жуық теңге", [2e9], "KZT"),
        ("жүз мыңдай теңге", [100e3], "KZT"),
        ("алты жүз елу сегіз теңгеге", [658], "KZT"),
        ("үш триллион үш жүз жетпіс жеті миллиард теңге", [3.377e12], "KZT"),
        ("3, 5 миллиард доллар", [3.5e9], "USD"),  # a decimal comma with a space after it
        ("Триллион теңгеге", [1e12], "KZT"),
        ("екі миллиард 300 миллион теңге", [2.3e9], "KZT"),  # words, then digits: one number
    ],
)
def test_kazakh_amounts_in_words(text: str, values: list[float], currency: str) -> None:
    found = find_amounts(text)
    assert [(a.value, a.currency) for a in found] == [(v, currency) for v in values]
    assert all(text[a.start : a.end] == a.text for a in found)


@pytest.mark.parametrize(
    "text",
    [
        "бес алты миллион теңге",  # two units in a row: not one number
        "бір он миллион теңге",  # units before tens: off the grammar
        "бірнеше миллиард теңге",  # several billion: no number given
        "онда теңге бағамы әлсіреді",  # онда (there), not ten
        "оны теңгеге айырбастады",  # оны (it), not ten
        "доллармен бірге теңге де әлсіреді",  # бірге (together), not one
        "үш ширек миллион теңге",  # three quarters or three and a quarter: not read
        "бес миллион 5 млрд теңге",  # a smaller scale before a larger one: not one number
    ],
)
def test_kazakh_words_that_are_not_whole_numbers_give_nothing(text: str) -> None:
    assert find_amounts(text) == []


def test_ablative_without_deyin_keeps_only_the_amount_with_the_currency() -> None:
    # "rose from 53 530 to 66 913 tenge": only the second has its currency written
    assert [a.value for a in find_amounts("53530-дан 66913 теңгеге өсті")] == [66913]

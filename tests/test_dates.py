"""Publication dates: structured metadata first, then the printed dates of this press, with known precision."""

from __future__ import annotations

import base64
import datetime as dt
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from crawler.dates import find_dates, month_number, parse_date, parse_html_date, parse_iso

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.02.2025 16:17", "2025-02-10T16:17"),
        ("16:17 / 10.02.2025", "2025-02-10T16:17"),
        ("10 февраля 2025", "2025-02-10"),
        ("10 февраля 2025 года в 16:17", "2025-02-10T16:17"),
        ("5 мая 2019 г., 12:00", "2019-05-05T12:00"),
        ("Март 2024", "2024-03"),
        ("21 Сәуір, 2018", "2018-04-21"),
        ("2024 жылғы 15 наурыз", "2024-03-15"),
        ("2024 жылы 15 наурызда", "2024-03-15"),
        ("15 наурыз 2024 ж.", "2024-03-15"),
        ("2023 жылғы қыркүйекте", "2023-09"),
        ("наурыз 2024", "2024-03"),
        ("09:05, 30 Qańtar 2026 | GMT +5", "2026-01-30T09:05"),
        ("12 Qyrkúıek 2019", "2019-09-12"),
        ("3 Sáýir 2020", "2020-04-03"),
        ("3 Säuır 2023", "2023-04-03"),
        ("1 Qyrküiek 2022", "2022-09-01"),
        ("7 Jeltoqsan 2021", "2021-12-07"),
        ("Опубликовано: 2025-02-10 16:17", "2025-02-10T16:17"),
        ("April 14, 2024", "2024-04-14"),
    ],
)
def test_printed_dates(text: str, expected: str) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "word",
    [
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ],
)
def test_every_kazakh_month_in_its_inflected_forms(word: str) -> None:
    number = month_number(word)
    assert number is not None
    assert month_number(word + "да") == number or month_number(word + "де") == number
    assert month_number(word.upper()) == number
    assert month_number(word + "ның") == number or month_number(word + "нің") == number


def test_latin_month_names_of_both_alphabets() -> None:
    latin_2018 = [
        "Qańtar",
        "Aqpan",
        "Naýryz",
        "Sáýir",
        "Mamyr",
        "Maýsym",
        "Shilde",
        "Tamyz",
        "Qyrkúıek",
        "Qazan",
        "Qarasha",
        "Jeltoqsan",
    ]
    assert [month_number(m) for m in latin_2018] == list(range(1, 13))
    assert month_number("Säuır") == 4 and month_number("Qyrküiek") == 9


def test_russian_months_genitive_and_nominative() -> None:
    assert [month_number(m) for m in ("января", "февраль", "мая", "май", "декабря")] == [1, 2, 5, 5, 12]


def test_sanity_bounds_reject_future_and_old_dates() -> None:
    assert parse_date("10.02.2035", today=TODAY) is None
    assert parse_date("01.01.1980", today=TODAY) is None
    assert parse_date("23.11.2026", today=TODAY) == "2026-11-23"  # tomorrow is allowed (time zones)
    assert parse_date("24.11.2026", today=TODAY) is None


def test_numbers_that_are_not_dates() -> None:
    assert parse_date("сегодня 10 человек", today=TODAY) is None
    assert parse_date("31.02.2024", today=TODAY) is None


def test_find_dates_gives_every_date_with_its_span() -> None:
    text = "Жоба 2024 жылғы 15 наурызда басталып, 2025 жылғы қыркүйекте аяқталады."
    found = find_dates(text, today=TODAY)
    assert [d.value for d in found] == ["2024-03-15", "2025-09"]
    assert text[found[0].start : found[0].end].startswith("2024")


@contextmanager
def _stall_guard(seconds: int = 5) -> Iterator[None]:
    """Fail with a clear message instead of hanging when a parser goes super-linear (not a speed assertion:
    linear code takes a fraction of a second here, the quadratic one took hours on these inputs)."""

    def stalled(signum: int, frame: object) -> None:
        raise AssertionError(f"find_dates stalled for {seconds} s: super-linear on this input")

    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _blob(n: int) -> str:
    return base64.b64encode(random.Random(7).randbytes(n * 3 // 4)).decode()[:n]


@pytest.mark.parametrize(
    "word",
    [
        pytest.param("a" * 199_980, id="latin-word"),
        pytest.param("ж" * 199_980, id="cyrillic-word"),
        pytest.param(_blob(199_980), id="base64"),
    ],
)
def test_a_200k_word_is_read_in_linear_time_and_the_date_after_it_found(word: str) -> None:
    with _stall_guard():
        found = find_dates(word + " 10 мая 2024", today=TODAY)
    assert found[-1].value == "2024-05-10"
    assert found[-1].start == len(word) + 1


def test_a_page_of_thousands_of_dates_is_read_in_linear_time() -> None:
    text = "10.02.2025, 2020 жылғы мамыр; " * 6_600  # 198,000 characters
    with _stall_guard():
        found = find_dates(text, today=TODAY)
    assert [d.value for d in found[:2]] == ["2025-02-10", "2020-05"]
    assert len(found) == 13_200


def test_parse_iso_keeps_local_time_and_precision() -> None:
    assert parse_iso("2025-02-10T16:17:00+05:00", today=TODAY) == "2025-02-10T16:17"
    assert parse_iso("2025-02-10", today=TODAY) == "2025-02-10"
    assert parse_iso("2024-03", today=TODAY) == "2024-03"


def test_html_structured_dates_come_first() -> None:
    meta = (
        '<html><head><meta property="article:published_time" content="2025-02-10T16:17:00+05:00"></head>'
        "<body></body></html>"
    )
    assert parse_html_date(meta) == "2025-02-10T16:17"
    ld = (
        '<html><head><script type="application/ld+json">'
        '{"@graph":[{"@type":"NewsArticle","datePublished":"2024-03-15"}]}</script></head>'
        '<body><div class="date">15 наурыз 2024, 10:30</div></body></html>'
    )
    # JSON-LD gives the day; the printed date of the same day adds the clock time.
    assert parse_html_date(ld) == "2024-03-15T10:30"
    time_el = '<html><body><time datetime="2023-06-01T09:00">1 июня</time></body></html>'
    assert parse_html_date(time_el) == "2023-06-01T09:00"


def test_html_printed_kazakh_date_beats_header_date_of_today() -> None:
    page = (
        '<html><body><header><span class="today-date">22 ноября 2026</span></header>'
        '<aside class="sidebar"><span class="date">01.11.2026</span></aside>'
        '<article><h1>Тақырып</h1><span class="post-date">2024 жылғы 15 наурыз</span><p>Мәтін.</p></article>'
        "</body></html>"
    )
    assert parse_html_date(page) == "2024-03-15"


def test_html_date_next_to_the_headline_beats_an_unmarked_column_of_other_stories() -> None:
    page = (
        '<html><body><div class="col-left"><div class="item"><span class="date">01.11.2026 10:00</span>'
        '<a href="/x">Другая новость</a></div></div><div class="col-main"><div class="story"><h1>Заголовок</h1>'
        '<span class="date">10.02.2025 16:17</span><p>Текст.</p></div></div></body></html>'
    )
    assert parse_html_date(page) == "2025-02-10T16:17"

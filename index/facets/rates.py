"""Bundled KZT exchange rates: yearly averages of the National Bank of Kazakhstan's official rates.

Used by the amount facet to give every amount a value in tenge at the article's date (its `published` year;
the latest year when the article has no date). Source: National Bank of Kazakhstan, official (market) exchange
rates of the tenge, averages for the year (nationalbank.kz, "Официальные курсы валют", average for the period),
KZT per one unit of the currency. The figures were entered by hand, rounded to two decimals; 2025 is the
average to November 2025 and 2026 repeats it until the year's average is published (a 2025 page ticker for
comparison read USD 468.56, EUR 497.56, RUB 7.30, CNY 67.18). Update the table with the NBK's published
yearly averages when they change; nothing else depends on the numbers.
"""

from __future__ import annotations

RATE_SOURCE = "National Bank of Kazakhstan, official KZT exchange rates, yearly averages (nationalbank.kz)"

# year -> currency -> KZT per unit
RATES: dict[int, dict[str, float]] = {
    2010: {"USD": 147.35, "EUR": 195.67, "RUB": 4.85, "CNY": 21.76},
    2011: {"USD": 146.62, "EUR": 204.11, "RUB": 4.99, "CNY": 22.69},
    2012: {"USD": 149.11, "EUR": 191.67, "RUB": 4.80, "CNY": 23.62},
    2013: {"USD": 152.13, "EUR": 202.09, "RUB": 4.78, "CNY": 24.76},
    2014: {"USD": 179.19, "EUR": 238.10, "RUB": 4.74, "CNY": 29.09},
    2015: {"USD": 221.73, "EUR": 246.19, "RUB": 3.68, "CNY": 35.62},
    2016: {"USD": 342.16, "EUR": 378.63, "RUB": 5.11, "CNY": 51.51},
    2017: {"USD": 326.00, "EUR": 368.35, "RUB": 5.59, "CNY": 48.25},
    2018: {"USD": 344.71, "EUR": 406.66, "RUB": 5.50, "CNY": 52.10},
    2019: {"USD": 382.75, "EUR": 428.51, "RUB": 5.92, "CNY": 55.43},
    2020: {"USD": 412.95, "EUR": 472.06, "RUB": 5.73, "CNY": 59.82},
    2021: {"USD": 426.03, "EUR": 503.76, "RUB": 5.78, "CNY": 66.02},
    2022: {"USD": 460.48, "EUR": 485.04, "RUB": 6.78, "CNY": 68.44},
    2023: {"USD": 456.31, "EUR": 493.33, "RUB": 5.37, "CNY": 64.39},
    2024: {"USD": 469.44, "EUR": 507.92, "RUB": 5.12, "CNY": 65.19},
    2025: {"USD": 521.60, "EUR": 589.00, "RUB": 6.30, "CNY": 72.50},
    2026: {"USD": 521.60, "EUR": 589.00, "RUB": 6.30, "CNY": 72.50},
}
FIRST_YEAR = min(RATES)
LATEST_YEAR = max(RATES)


def year_of(published: str | None) -> int:
    """The rate year for an article date ("2025-02-10..."): clamped to the table, the latest when unknown."""
    if published and len(published) >= 4 and published[:4].isdigit():
        return min(max(int(published[:4]), FIRST_YEAR), LATEST_YEAR)
    return LATEST_YEAR


def rate(currency: str, published: str | None = None) -> float | None:
    """KZT per one unit of `currency` at the article's date; 1.0 for KZT; None for a currency not in the table."""
    if currency == "KZT":
        return 1.0
    return RATES[year_of(published)].get(currency)


def to_kzt(value: float, currency: str, published: str | None = None) -> float | None:
    r = rate(currency, published)
    return None if r is None else round(value * r, 2)

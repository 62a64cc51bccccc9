"""End to end in headless Chromium: what a journalist does, on the app served by waitress over a real index.

Search, click a facet, remove a chip, switch the language, page, sort, export, read an article, and the
same at 360 px. Each step leaves a screenshot under $SEARCHAPP_TEST_OUTPUT/screenshots (default
test-output/screenshots). Skipped, with the reason, where Debian's Chromium is not installed.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from searchapp import create_app
from searchapp.server import BackgroundServer
from tests.webdata import open_press_index, sample_records
from tests.webfixtures import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def shots_dir() -> Path:
    folder = Path(os.environ.get("SEARCHAPP_TEST_OUTPUT") or "test-output") / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, module_engine: str) -> Iterator[str]:
    """The app on waitress in a thread on 127.0.0.1, over the real index holding the sample corpus, on each
    engine in turn (tests/clusterfixtures.py): one data folder indexed once per engine for the whole module."""
    data = tmp_path_factory.mktemp("browser-data")
    index = open_press_index(data, sample_records())
    app = create_app({"data": str(data), "ui_lang": "ru"})
    app.extensions["searchapp.index"] = index
    try:
        with BackgroundServer(app) as server:
            yield server.url
    finally:
        index.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) in English, with every console error collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    context.close()
    assert errors == [], errors  # no CSP violations, no missing files, no script errors


def shot(tab: Any, name: str) -> None:
    tab.screenshot(path=str(shots_dir() / f"{name}.png"), full_page=True)


def params(tab: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.url).query)


def test_search_facet_chip_language_page_export(page: Any, base_url: str) -> None:
    tab = page
    tab.goto(base_url)
    assert tab.locator("html").get_attribute("lang") == "en"  # the browser's language, before any choice
    shot(tab, "01-home")

    # search
    tab.get_by_label("Query").fill("завод")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/?q=*")
    assert params(tab)["q"] == ["завод"]
    first = tab.locator("li.hit").first
    assert "В Шымкенте откроют завод" in first.locator(".hit-title").inner_text()
    assert first.locator(".snippet mark").inner_text() == "завод"
    shot(tab, "02-search")

    # click a facet
    tab.goto(base_url)
    tab.locator("section.facet-lang a.facet-link", has_text="Russian").click()
    tab.wait_for_url("**lang=ru**")
    assert params(tab)["lang"] == ["ru"]
    assert all(b == "RU" for b in tab.locator("li.hit .badge").all_inner_texts())
    tab.locator("section.facet-region a.facet-link").first.click()
    tab.wait_for_url("**region=**")
    assert params(tab)["lang"] == ["ru"]  # the first filter stays
    assert tab.locator(".chips a.chip").count() == 3  # language, region, clear all
    shot(tab, "03-facets")

    # remove a chip
    tab.locator(".chips a.chip", has_text="Language").click()
    tab.wait_for_load_state()
    assert "lang" not in params(tab) and "region" in params(tab)
    shot(tab, "04-chip-removed")

    # switch the language, and it stays switched
    tab.goto(base_url)
    tab.locator("nav.langs a", has_text="Қазақша").click()
    tab.wait_for_url("**ui=kk**")
    assert tab.locator("html").get_attribute("lang") == "kk"
    tab.goto(base_url)
    assert tab.locator("html").get_attribute("lang") == "kk"
    assert tab.get_by_role("button", name="Іздеу").count() == 1
    shot(tab, "05-kazakh")

    # page
    tab.goto(base_url + "?source=sarbiz.kz&per_page=10")
    titles = tab.locator(".hit-title").all_inner_texts()
    tab.locator(".pagination a[rel=next]").click()
    tab.wait_for_url("**page=2**")
    assert params(tab)["source"] == ["sarbiz.kz"] and params(tab)["per_page"] == ["10"]
    assert not set(titles) & set(tab.locator(".hit-title").all_inner_texts())
    assert tab.locator(".page-current").inner_text() == "2"
    shot(tab, "06-page-2")

    # export what is on screen
    with tab.expect_download() as waiting:
        tab.locator(".export a", has_text="CSV").click()
    download = waiting.value
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 31  # every sarbiz.kz article, not just one page
    assert {r["source"] for r in rows} == {"sarbiz.kz"}


def test_sort_submits_itself_with_javascript(page: Any, base_url: str) -> None:
    tab = page
    tab.goto(base_url + "?q=&lang=kk")
    assert not tab.locator("button.js-hide").is_visible()  # the Apply button is for browsers without JS
    tab.locator("select#sort").select_option("date_asc")
    tab.wait_for_url("**sort=date_asc**")
    assert params(tab)["lang"] == ["kk"]
    dates = [d for d in tab.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")]
    assert dates == sorted(dates)


def test_year_bar_and_amount_preset_filter(page: Any, base_url: str) -> None:
    tab = page
    tab.goto(base_url)
    tab.locator("section.facet-year svg a").first.click()
    tab.wait_for_url("**year=**")
    year = params(tab)["year"][0]
    assert {d[:4] for d in tab.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")} == {year}
    tab.goto(base_url)
    tab.locator("section.facet-amount .presets a", has_text="1 billion").click()
    tab.wait_for_url("**amount_min=1000000000**")
    assert tab.locator("li.hit").count() >= 4
    tab.locator("input[name=amount_max]").fill("3000000000")
    tab.locator("section.facet-amount button").click()
    tab.wait_for_url("**amount_max=3000000000**")
    assert params(tab)["amount_min"] == ["1000000000"]
    shot(tab, "07-amount-range")


def test_article_page_with_evidence(page: Any, base_url: str) -> None:
    tab = page
    tab.goto(base_url + "?q=зауыт")
    tab.locator("li.hit .hit-title a").first.click()
    tab.wait_for_url("**/articles/**")
    assert tab.locator(".body mark").count() >= 4
    assert "Region" in (tab.locator(".body mark").first.get_attribute("title") or "")
    shot(tab, "08-article")


def test_script_in_a_query_stays_text(page: Any, base_url: str) -> None:
    tab = page
    fired: list[str] = []
    tab.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    tab.goto(base_url + "?q=<script>alert(1)</script>")
    tab.goto(base_url + "articles/rec0007")
    assert fired == []
    assert "<script>alert(1)</script>" in tab.locator("h1").inner_text()


def test_everything_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(base_url)
        tab.get_by_label("Query").fill("завод")
        tab.get_by_role("button", name="Search").click()
        tab.wait_for_url("**q=**")
        tab.locator("section.facet-region a.facet-link").first.click()
        tab.wait_for_url("**region=**")
        tab.locator("select#sort").select_option("date")
        tab.locator("button.js-hide").click()  # without JS the Apply button is there and needed
        tab.wait_for_url("**sort=date**")
        assert params(tab)["q"] == ["завод"] and "region" in params(tab)
        tab.locator(".help summary").click()  # the syntax help is a <details>, no script needed
        assert tab.locator(".help dl").is_visible()
        shot(tab, "11-no-javascript")
    finally:
        context.close()


def test_usable_at_360_px(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU", device_scale_factor=2)
    tab = context.new_page()
    try:
        for name, path in (("09-mobile-results", "?q=зауыт OR завод"), ("10-mobile-article", "articles/rec0001")):
            tab.goto(base_url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path}: the page is {width}px wide at a 360px screen"
            shot(tab, name)
        assert tab.locator("html").get_attribute("lang") == "ru"
    finally:
        context.close()


def test_keyboard_reaches_the_query_box_first(page: Any, base_url: str) -> None:
    tab = page
    tab.goto(base_url)
    tab.keyboard.press("Tab")  # the skip link
    assert tab.evaluate("document.activeElement.className") == "skip"
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    focused = [tab.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")]
    for _ in range(4):
        tab.keyboard.press("Tab")
        focused.append(tab.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "q" in focused

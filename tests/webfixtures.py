"""Fixtures of the web app's tests (a pytest plugin the web test modules name in `pytest_plugins`).

`press_index` is the real index (`index.open_index`) in the test's data folder holding the corpus of
tests/webdata.py, so every filter, count and snippet on the page is what users get; `press_app` and `web`
are the app and its test client on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from index import Record, SearchIndex
from searchapp import create_app
from tests.webdata import open_press_index, sample_records


@pytest.fixture
def records() -> list[Record]:
    return sample_records()


@pytest.fixture
def press_index(data_dir: Path, records: list[Record]) -> Iterator[SearchIndex]:
    """The real index in the test's data folder, holding the sample corpus."""
    index = open_press_index(data_dir, records)
    yield index
    index.close()


@pytest.fixture
def press_app(data_dir: Path, press_index: SearchIndex) -> Flask:
    application = create_app({"data": str(data_dir), "TESTING": True, "ui_lang": "en"})
    application.extensions["searchapp.index"] = press_index  # share the open index rather than open it twice
    return application


@pytest.fixture
def web(press_app: Flask) -> FlaskClient:
    return press_app.test_client()


# --- headless Chromium (Debian's), shared by the browser tests -----------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# the mark a browser test module sets: skipped with a reason where no Chromium is installed
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium (.ci/run does)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, one per test module."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

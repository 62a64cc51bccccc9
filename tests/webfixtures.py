"""Fixtures of the web app's tests (a pytest plugin the web test modules name in `pytest_plugins`).

`press_index` is the real index (`index.open_index`) in the test's data folder holding the corpus of
tests/webdata.py, so every filter, count and snippet on the page is what users get; `press_app` and `web`
are the app and its test client on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

"""Shared fixtures: a fresh data folder per test, the Flask app and client on it, and the shared data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

# the web tests' fixtures (records, press_index, press_app, web): registered here, before any test module imports
# the module, so that pytest can rewrite its asserts
pytest_plugins = ["tests.webfixtures", "tests.clusterfixtures"]

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the clone; SHARED_DATA_DIR names it elsewhere (a git worktree, a CI cache)
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR") or ROOT.parent / "shared" / "data")
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path, engine: str) -> Path:
    """A fresh data folder, its index on `engine` (tests/clusterfixtures.py: whoosh unless parametrized)."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app(data_dir: Path) -> Iterator[Flask]:
    from searchapp import create_app

    application = create_app({"data": str(data_dir), "TESTING": True})
    yield application
    index = application.extensions.get("searchapp.index")
    if index is not None:
        index.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/data is only beside the project on developer machines)")
    return path


from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from searchapp.demo.sites import DemoSites


@pytest.fixture(scope="session")
def demo_sites() -> Iterator[DemoSites]:
    """The bundled demo press sites on loopback, shared by the whole session: crawl them, don't publish to them
    (tests that call `add_article` start their own `DemoSites`)."""
    from searchapp.demo.sites import DemoSites as Sites

    with Sites() as sites:
        yield sites

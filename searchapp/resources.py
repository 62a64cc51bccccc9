"""Resources the app holds for its lifetime: the index, opened once and shared by all requests."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from index import SearchIndex, open_index
from searchapp.paths import DataPaths

_LOCK = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["searchapp.index"] = None


def get_index() -> SearchIndex:
    """The app's index, opened on first use (readers refresh themselves when the index changes)."""
    app = current_app
    index: SearchIndex | None = app.extensions.get("searchapp.index")
    if index is None:
        with _LOCK:
            index = app.extensions.get("searchapp.index")
            if index is None:
                paths: DataPaths = app.config["PATHS"]
                index = open_index(paths.index)
                app.extensions["searchapp.index"] = index
    return index

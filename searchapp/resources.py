"""Resources the app holds for its lifetime: the index, opened once and shared by all requests, and outlet names.

Outlet names come from the sources files (the demo's, then the bundled list), so the outlet facet and the
results say "Ертіс таңы" rather than a host name; a host no sources file names is shown as it is.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask, current_app

from index import SearchIndex, open_index
from searchapp.paths import DataPaths

log = logging.getLogger(__name__)
_LOCK = threading.Lock()


class Turns:
    """A lock taken strictly in the order asked (a plain Lock lets a thread that just let go take it again first,
    and the unlucky waiter's answer becomes the slowest of the minute)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._busy = False

    def __enter__(self) -> None:
        with self._lock:
            if not self._busy:
                self._busy = True
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # the holder hands the turn over: still busy

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._busy = False


# One search computes at a time in a serving process. Python work of one process runs on one core (`serve` runs
# a process per core); eight threads computing searches at once under the interpreter lock made each as slow as
# all eight together (the 95th percentile of answers was eight times the engine's). In turn, first come first
# served, a quick search is not held up by the slow ones it would share the core with; the threads still read
# requests and write answers meanwhile.
_SEARCH_TURNS = Turns()


@contextmanager
def search_slot() -> Iterator[None]:
    """Hold the process's search slot while the index computes an answer."""
    with _SEARCH_TURNS:
        yield


def init_app(app: Flask) -> None:
    app.extensions["searchapp.index"] = None
    app.extensions["searchapp.outlets"] = None


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


def read_outlet_names(paths: DataPaths) -> dict[str, str]:
    """Host (as the index stores `source`) -> the outlet's name, from the demo's and the bundled sources."""
    from crawler.errors import CrawlerError
    from crawler.sources import load_sources

    names: dict[str, str] = {}
    for file in (None, paths.demo / "sources.toml"):  # the demo's names win for its loopback hosts
        if file is not None and not file.is_file():
            continue
        try:
            sources = load_sources(file)
        except CrawlerError as exc:  # a broken sources file must not take the search page down
            log.warning("outlet names: %s", exc)
            continue
        for source in sources:
            for url in [*source.start, *source.feeds, *source.sitemaps]:
                host = urlsplit(url).netloc.lower()
                if host:
                    names[host] = source.name
            for host in source.extra_hosts:
                names[host.lower()] = source.name
    return names


def outlet_names() -> dict[str, str]:
    """The app's host -> outlet name table, read once."""
    app = current_app
    names: dict[str, str] | None = app.extensions.get("searchapp.outlets")
    if names is None:
        names = read_outlet_names(app.config["PATHS"])
        app.extensions["searchapp.outlets"] = names
    return names

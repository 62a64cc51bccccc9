"""The data folder: the one place that holds all state.

    DATA/
      archive/            WARC files, the source of truth (crawl-<time>-<pid>.warc.gz)
      crawl/frontier.sqlite   the crawl frontier: URLs, their state, ETags, robots cache
      index/              the search index: articles.sqlite (records) and whoosh/ (inverted index)
      app.sqlite          saved searches and other state of the web app
      demo/sources.toml   the sources file the demo writes for its loopback sites
      logs/               logs of `searchapp watch`

Everything is embedded (SQLite, a Whoosh directory, WARC files): no server to run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "SEARCHAPP_DATA"


@dataclass(frozen=True, slots=True)
class DataPaths:
    root: Path

    @classmethod
    def from_option(cls, value: str | os.PathLike[str] | None) -> DataPaths:
        """--data wins, then $SEARCHAPP_DATA, then ./data."""
        chosen = value or os.environ.get(ENV_VAR) or "data"
        return cls(Path(chosen).expanduser().absolute())

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def crawl(self) -> Path:
        return self.root / "crawl"

    @property
    def frontier(self) -> Path:
        return self.crawl / "frontier.sqlite"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def app_db(self) -> Path:
        return self.root / "app.sqlite"

    @property
    def demo(self) -> Path:
        return self.root / "demo"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> DataPaths:
        for folder in (self.root, self.archive, self.crawl, self.index, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self

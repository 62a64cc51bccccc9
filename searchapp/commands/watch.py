"""`searchapp watch [--every 30m] [--sources FILE] [--once]`: scheduled recrawls, in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.errors import CrawlerError
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.settings import load_settings
from searchapp.watch import parse_interval, watch


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    from crawler.sources import load_sources
    from searchapp import pipeline

    settings = load_settings({"data": str(paths.root)})
    every = parse_interval(args.every or settings["watch_every"])
    paths.ensure()

    def crawl() -> Any:
        try:
            sources = load_sources(args.sources)  # re-read each cycle: edits to the file take effect
        except CrawlerError as exc:
            raise AppError(str(exc)) from exc
        return pipeline.crawl(paths, sources, settings=settings)

    return watch(paths, crawl, every, once=args.once)

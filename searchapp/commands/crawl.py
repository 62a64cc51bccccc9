"""`searchapp crawl [URL ...] [--sources FILE] [--max-pages N] [--delay S] [--revisit due|all]`.

URLs named here are start URLs (front page, feed or sitemap) crawled on their own; without URLs the sources
file is crawled (default: the bundled list of Kazakhstan outlets); with both, both.
"""

from __future__ import annotations

import argparse

from crawler.errors import CrawlerError
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.settings import load_settings


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    from crawler.sources import load_sources
    from searchapp import pipeline

    settings = load_settings({"data": str(paths.root)})
    try:
        sources = load_sources(args.sources) if args.sources or not args.urls else []
    except CrawlerError as exc:
        raise AppError(str(exc)) from exc
    summary = pipeline.crawl(
        paths,
        sources,
        max_pages=args.max_pages,
        delay=args.delay,
        settings=settings,
        extra_start_urls=args.urls,
        revisit_all=args.revisit == "all",
    )
    stats = summary.stats
    if not stats.fetched and stats.errors:
        first = f": {stats.first_error}" if stats.first_error else ""
        raise AppError(f"nothing could be fetched ({stats.errors} errors{first}); is the network reachable?")
    return 0

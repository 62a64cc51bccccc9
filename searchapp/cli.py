"""The `searchapp` console script: every command of the product's contract (shared/CONTRACT.md).

Each command parses its arguments here and hands over to the module that does the work; imports are lazy
so that `--help` is instant. A user mistake ends with a one-line reason on stderr and a non-zero status,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from searchapp.errors import AppError, NotYetAvailable
from searchapp.paths import DataPaths
from searchapp.settings import check_engine

Handler = Callable[[argparse.Namespace, DataPaths], int]

EPILOG = "The data folder is --data, else $SEARCHAPP_DATA, else ./data. See README.md for its layout."


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help="data folder holding all state (default: $SEARCHAPP_DATA or ./data)",
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (repeatable: OR within a facet, AND across facets)")
    group.add_argument(
        "--region", action="append", default=[], metavar="CODE", help="ISO 3166-2:KZ code (KZ-61) or KATO district code"
    )
    group.add_argument(
        "--sector", action="append", default=[], metavar="CODE", help="OKED section letter (C) or division (C24)"
    )
    group.add_argument(
        "--country", action="append", default=[], metavar="CC", help="partner country, ISO 3166-1 alpha-2 (CN)"
    )
    group.add_argument("--lang", action="append", default=[], metavar="LANG", help="kk, ru or en")
    group.add_argument("--source", action="append", default=[], metavar="HOST", help="outlet host name")
    group.add_argument("--year", action="append", default=[], metavar="YYYY", help="publication year")
    group.add_argument("--amount-min", metavar="KZT", help="smallest amount in tenge")
    group.add_argument("--amount-max", metavar="KZT", help="largest amount in tenge")
    group.add_argument("--date-from", metavar="YYYY-MM-DD", help="published on or after")
    group.add_argument("--date-to", metavar="YYYY-MM-DD", help="published on or before")
    group.add_argument("--sort", default="relevance", help="relevance, date, date_asc or amount")
    group.add_argument("--page", default="1", help="result page (default 1)")
    group.add_argument("--per-page", default="20", help="results per page (default 20)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="searchapp",
        description="Search engine for the regional press of Kazakhstan, in Kazakh and Russian.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "demo",
        help="serve bundled demo press sites, crawl and index them, serve the UI",
        description="Serves the bundled demo press sites on loopback, crawls them with the real "
        "crawler, indexes them, then serves the search UI and prints its URL. A second run "
        "reuses the data folder.",
        epilog=EPILOG,
    )
    p.add_argument("--port", type=int, default=None, help="port of the search UI (default 8080)")
    p.add_argument("--host", default="127.0.0.1", help="address of the search UI (default 127.0.0.1)")
    p.add_argument("--no-serve", action="store_true", help="stop after crawling and indexing, without serving the UI")
    _add_data(p)

    p = sub.add_parser(
        "crawl",
        help="fetch, archive, extract, enrich and index press sites",
        description="Fetches pages politely, writes every response to the WARC archive, "
        "extracts and enriches articles and indexes them. Resumable after any interruption; "
        "progress on stderr. URLs named here are start URLs (front page, feed or sitemap); "
        "their hosts are allowed even on loopback, and discovery stays on them.",
        epilog=EPILOG,
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="start URLs: front pages, RSS/Atom feeds or sitemaps")
    p.add_argument(
        "--sources",
        metavar="FILE",
        help="sources file (TOML) listing outlets; default: the bundled list of Kazakhstan outlets",
    )
    p.add_argument(
        "--max-pages", type=int, default=None, metavar="N", help="stop after N fetched pages (robots.txt not counted)"
    )
    p.add_argument(
        "--revisit",
        choices=("due", "all"),
        default="due",
        help="which known pages to ask again: those whose revisit is due (default) or all of them now",
    )
    p.add_argument(
        "--delay",
        type=float,
        default=None,
        metavar="S",
        help="seconds between requests to one host (default 1; 0 only for loopback)",
    )
    _add_data(p)

    p = sub.add_parser(
        "reindex",
        help="rebuild the index from the archive alone, no network",
        description="Rebuilds the whole index from the WARC archive in the data folder. "
        "Needs no network. Searches keep answering from the old index until the new one is "
        "ready.",
        epilog=EPILOG,
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="analysis processes working in parallel (on OpenSearch each also bulk-loads its share; default 1)",
    )
    _add_data(p)

    p = sub.add_parser(
        "serve",
        help="serve the web UI, JSON API and feeds",
        description="Serves the web UI, the JSON API and the feeds on a production WSGI server (waitress).",
        epilog=EPILOG,
    )
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default 8080)")
    _add_data(p)

    p = sub.add_parser(
        "search",
        help="search the index from the terminal",
        description="Runs the same search as the web UI and API, from the terminal.",
        epilog=EPILOG,
    )
    p.add_argument(
        "query",
        metavar="QUERY",
        nargs="?",
        default="",
        help='query: words, "phrases", AND OR NOT, prefix*, field:value',
    )
    _add_filters(p)
    p.add_argument(
        "--no-translate",
        action="store_true",
        help="search only the words as typed (by default Kazakh words are also searched in Russian and back)",
    )
    p.add_argument("--json", action="store_true", help="print the API's JSON answer")
    _add_data(p)

    p = sub.add_parser(
        "watch",
        help="recrawl the sources on a schedule so feeds stay current",
        description="Recrawls the sources every interval and indexes what is new, in the "
        "foreground with a log. A crawl still running when the next is due is not started "
        "twice.",
        epilog=EPILOG,
    )
    p.add_argument("--every", default=None, metavar="INTERVAL", help="interval such as 45s, 30m, 2h (default 30m)")
    p.add_argument("--sources", metavar="FILE", help="sources file (TOML); default: the bundled list")
    p.add_argument("--once", action="store_true", help="run one cycle and exit")
    _add_data(p)

    p = sub.add_parser(
        "extract",
        help="extract and enrich saved HTML pages without indexing",
        description="Runs extraction and enrichment on saved HTML pages (or fetches one URL "
        "politely) without indexing, and prints each as the API's article record.",
        epilog=EPILOG,
    )
    p.add_argument("inputs", nargs="*", metavar="FILE_OR_URL", help="saved HTML files, or http(s) URLs")
    p.add_argument("--url", metavar="URL", help="the page's original URL, for a saved file")
    p.add_argument(
        "--jsonl", action="store_true", help="one JSON object per input, in order; null where a page holds no article"
    )
    _add_data(p)

    p = sub.add_parser(
        "analyze",
        help="find language, regions, sectors, countries, amounts, dates in text",
        description="Runs the enrichment on plain text without indexing: language, regions, "
        "sectors, countries, amounts, dates, each with its evidence span. With --jsonl, input "
        "is JSON lines with a `text` field (and optional `published`), output one JSON object "
        "per line, in order. A line that is not a JSON object with a string `text` stops the run with "
        "its line number and exit status 1, after the output of the lines before it.",
        epilog=EPILOG,
    )
    p.add_argument("input", nargs="?", default="-", metavar="FILE", help="text file, or - for stdin (default)")
    p.add_argument("--jsonl", action="store_true", help="JSON lines in, JSON lines out")
    _add_data(p)

    p = sub.add_parser(
        "bench",
        help="run the benchmark suite (see docs/performance.md)",
        description="Generates a synthetic corpus and measures indexing, query latency, facet "
        "counts and serving, beside a plain-Whoosh baseline, in one run.",
        epilog=EPILOG,
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for `python -m bench` (see --help there)")
    _add_data(p)
    return parser


def _handler(name: str) -> Handler:
    module = importlib.import_module(f"searchapp.commands.{name}")
    handler: Handler = module.run
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = DataPaths.from_option(args.data)
    try:
        check_engine(os.environ)  # the engine settings, checked before any work: a bad one stops with one line
        return _handler(args.command)(args, paths)
    except NotYetAvailable as exc:
        print(f"searchapp {args.command}: {exc.message}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(f"searchapp {args.command}: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"searchapp {args.command}: interrupted; the data folder is consistent, run it again to resume",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        return 0


def run() -> Any:  # pragma: no cover - console entry
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`searchapp demo [--port] [--host] [--no-serve]`: the bundled press sites, crawled, indexed and searchable.

The first thing a new user runs. It starts the demo outlets on loopback (`searchapp.demo.sites`), writes
`DATA/demo/sources.toml` for them, runs the real pipeline (`searchapp.pipeline.crawl`: fetch, archive,
extract, enrich, index) and then serves the search UI, printing its URL. The sites keep the ports of the
previous run (recorded in that sources file), so a second run finds the same URLs in the data folder and
its conditional requests make the crawl quick.
"""

from __future__ import annotations

import argparse
import errno
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.progress import Progress
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.settings import load_settings

if TYPE_CHECKING:
    from searchapp.demo.sites import DemoSites

PORT_BASE = 8101  # the outlets listen on 8101..8104 unless the previous run recorded others


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    from crawler.errors import CrawlerError
    from crawler.sources import load_sources
    from searchapp import create_app, pipeline

    overrides = {"data": str(paths.root), "host": args.host, "port": args.port}
    settings = load_settings(overrides)
    say = Progress("demo").say
    server = None
    if not args.no_serve:
        from searchapp.server import make_server

        # Bind the UI's port first: a taken port is better said now than after the crawl.
        server = make_server(create_app(overrides), settings["host"], settings["port"], settings["threads"])
    try:
        paths.ensure()
        with start_sites(paths) as sites:
            for info in sites.outlets:
                say(f"demo: {info.name} ({', '.join(info.langs)}) at {info.base_url}/")
            sources_file = sites.write_sources(paths.demo / "sources.toml")
            say(f"demo: sources written to {sources_file}")
            try:
                sources = load_sources(sources_file)
            except CrawlerError as exc:
                raise AppError(str(exc)) from exc
            pipeline.crawl(paths, sources, delay=0, settings=settings)  # prints its own progress and summary
            if server is None:
                say(f"demo: done; `searchapp serve --data {paths.root}` serves the search UI on this data")
                return 0
            from searchapp.server import server_url

            url = server_url(server)
            print(f"Search the demo at {url}", flush=True)
            say("demo: the press sites stay up while the UI runs; Ctrl-C stops both")
            try:
                server.run()
            except KeyboardInterrupt:
                say("demo: stopped")
            return 0
    finally:
        if server is not None:
            server.close()


def start_sites(paths: DataPaths) -> DemoSites:
    """The sites on the previous run's ports (else 8101..8104), or on free ports when those are taken."""
    from searchapp.demo.sites import DemoSites

    base = _previous_port_base(paths.demo / "sources.toml") or PORT_BASE
    try:
        return DemoSites(port_base=base).start()
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise AppError(f"cannot serve the demo sites on 127.0.0.1: {exc.strerror or exc}") from None
    print(
        f"searchapp demo: ports {base}-{base + 3} are taken, so the sites use free ports this time "
        "(the index keeps the pages of the old addresses too)",
        file=sys.stderr,
    )
    return DemoSites().start()


def _previous_port_base(sources_file: Path) -> int | None:
    """The first outlet's port in the sources file of the last run, if there is a readable one."""
    try:
        data = tomllib.loads(sources_file.read_text(encoding="utf-8"))
        port = urlsplit(data["source"][0]["start"][0]).port
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, IndexError, TypeError, ValueError):
        return None
    return port if port and 1024 <= port <= 65535 - 4 else None

"""`searchapp serve`: the web UI, the JSON API and the feeds on waitress, with the data folder's index.

The `processes` setting (SEARCHAPP_PROCESSES, default 0: one per CPU core) is checked here, at start: more
than one needs os.fork (Linux, macOS)."""

from __future__ import annotations

import argparse
import os

from searchapp import create_app
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.server import serve


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    app = create_app({"data": str(paths.root), "host": args.host, "port": args.port})
    settings = app.config["SETTINGS"]
    processes = int(settings["processes"]) or (os.cpu_count() or 1)
    if processes > 1 and not hasattr(os, "fork"):
        raise AppError("setting processes above 1 needs os.fork, which this system lacks; set SEARCHAPP_PROCESSES=1")
    serve(app, settings["host"], settings["port"], settings["threads"], processes)
    return 0

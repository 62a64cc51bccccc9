"""`searchapp serve`: the web UI, the JSON API and the feeds on waitress, with the data folder's index."""

from __future__ import annotations

import argparse

from searchapp import create_app
from searchapp.paths import DataPaths
from searchapp.server import serve


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    app = create_app({"data": str(paths.root), "host": args.host, "port": args.port})
    settings = app.config["SETTINGS"]
    serve(app, settings["host"], settings["port"], settings["threads"])
    return 0

"""`searchapp serve`."""

from __future__ import annotations

import argparse

from searchapp.errors import NotYetAvailable
from searchapp.paths import DataPaths


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    raise NotYetAvailable("not available yet: the web UI lands with issue #7")

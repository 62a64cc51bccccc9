"""`searchapp watch`."""

from __future__ import annotations

import argparse

from searchapp.errors import NotYetAvailable
from searchapp.paths import DataPaths


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    raise NotYetAvailable("not available yet: scheduled recrawls land with the feeds issue (#8)")

"""`searchapp bench ...`: the benchmark suite, delegated to `python -m bench` (see bench/__main__.py)."""

from __future__ import annotations

import argparse

from searchapp.paths import DataPaths


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    # The suite writes only under its own output folder (bench/out/ or --out), never into the data folder.
    from bench.__main__ import main

    rest = list(args.args or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    return main(rest or ["run", "--help"])

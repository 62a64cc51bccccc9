"""`searchapp reindex`: rebuild the index from the WARC archive alone, no network."""

from __future__ import annotations

import argparse

from searchapp.paths import DataPaths


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    from searchapp import pipeline

    summary = pipeline.reindex(paths, workers=getattr(args, "workers", 1) or 1)
    for note in summary.damage:
        print(f"searchapp reindex: {note}", flush=True)
    return 0

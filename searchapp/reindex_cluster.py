"""`searchapp reindex` on the OpenSearch engine: N worker processes, each analysing a slice of the archive and
bulk-loading it into a new index, which the alias moves to once every slice is in.

The pages to index (the latest response per URL, duplicates left out: `pipeline.reindex` lists them) are dealt
round-robin into N slices. A worker reads its slice's pages from the archive, extracts and enriches them
(`index.ingest.record_of`) and adds them in batches (`OpenSearchIndex.add`: bulk requests whose 429 rejections
are retried with backoff). After each batch it writes how many pages of its slice are in the index, so a killed
reindex resumes: the next run finds the half-built index named in the data folder (`opensearch-rebuild`) and
each worker skips the pages its slice already has in. Ids are the articles' own (a hash of their URL), so a
page indexed twice replaces itself. Workers on other machines could take slices the same way; here they are
this machine's processes (`crawler.workers`).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.progress import Progress
from crawler.workers import WorkerLost, WorkerPool
from index.config import EngineConfig
from searchapp.errors import AppError
from searchapp.paths import DataPaths

# records per bulk load (and per progress mark); the environment may make it smaller (the resume test does)
BATCH = max(1, int(os.environ.get("SEARCHAPP_REINDEX_BATCH", "500") or 500))
STATE = "opensearch-rebuild.json"

Item = tuple[str, str, int, dict[str, Any]]  # url, warc file, offset, the source's extraction rules


def _progress_file(root: Path, slice_no: int) -> Path:
    return root / f"opensearch-rebuild.{slice_no}.done"


def _read_done(root: Path, slice_no: int) -> int:
    try:
        return int(_progress_file(root, slice_no).read_text(encoding="ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _write_done(root: Path, slice_no: int, done: int) -> None:
    file = _progress_file(root, slice_no)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(f"{done}\n", encoding="ascii")
    tmp.rename(file)


def index_slice(
    root: str, archive: str, config: EngineConfig, target: str, items: list[Item], slice_no: int
) -> tuple[int, dict[str, int]]:
    """Run in a worker: index one slice's pages into `target`, from where a killed run stopped.
    Returns (records indexed, reasons of pages that held no article)."""
    from crawler.archive import read_record
    from index.ingest import record_of
    from index.opensearch.engine import OpenSearchIndex

    data = Path(root)
    index = OpenSearchIndex(data / "index", config, target=target)
    done = _read_done(data, slice_no)
    indexed = 0
    no_article: Counter[str] = Counter()
    batch = []
    try:
        for position in range(done, len(items)):
            _url, warc_file, offset, rules = items[position]
            fetched = read_record(Path(archive), warc_file, offset)
            outcome = record_of(fetched, rules or None)
            if isinstance(outcome, str):
                no_article[outcome] += 1
            else:
                batch.append(outcome)
            if len(batch) >= BATCH or position == len(items) - 1:
                indexed += index.add(batch)
                batch = []
                _write_done(data, slice_no, position + 1)
    finally:
        index.close()
    return indexed, dict(no_article)


def reindex_cluster(
    paths: DataPaths, config: EngineConfig, items: list[Item], workers: int, progress: bool
) -> tuple[int, dict[str, int], bool]:
    """Rebuild the cluster index from `items` with `workers` processes; returns (indexed, no-article reasons,
    whether a killed run was resumed). The alias moves to the new index only when every slice is in."""
    from index.opensearch.engine import OpenSearchIndex

    root = paths.root
    live = OpenSearchIndex(paths.index, config)
    try:
        state_file = root / STATE
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            state = {}
        target, resumed = live.begin_rebuild()
        plan = {"index": target, "items": len(items), "workers": workers}
        if not resumed or state != plan:
            for n in range(max(workers, int(state.get("workers", 0) or 0))):
                _progress_file(root, n).unlink(missing_ok=True)
            if resumed and state != plan:
                resumed = False  # another archive or another worker count: the slices differ, start over
        state_file.write_text(json.dumps(plan), encoding="utf-8")
        slices = [items[n::workers] for n in range(workers)]
        indexed = 0
        reasons: Counter[str] = Counter()
        with Progress("reindex", total=len(items), enabled=progress) as line:
            start = sum(_read_done(root, n) for n in range(workers))
            line.advance(start)
            pool = WorkerPool(workers, warm_up="index.ingest:warm_up")
            try:
                futures = [
                    pool.submit(index_slice, str(root), str(paths.archive), config, target, part, n)
                    for n, part in enumerate(slices)
                ]
                shown = start
                while not all(f.done() for f in futures):
                    time.sleep(0.5)
                    now = sum(_read_done(root, n) for n in range(workers))
                    if now > shown:
                        line.advance(now - shown)
                        shown = now
                for future in futures:
                    count, why = future.result()
                    indexed += count
                    reasons.update(why)
            except WorkerLost as exc:
                raise AppError(f"{exc}; the reindex stopped, run it again to resume it") from exc
            finally:
                pool.close()
            again = f", resumed after {start} pages" if start else ""
            line.finish(f"reindex: {len(items)} pages, {indexed} articles indexed by {workers} worker(s){again}")
        Progress("reindex", enabled=progress).say(
            "reindex: merging the new index in one pass, then copying it to its replicas"
        )
        if workers > 1:  # reprints that two workers met (neither reads the other's): grouped as one writer would
            OpenSearchIndex(paths.index, config, target=target, client=live.client).regroup()
        live.finish_rebuild(target)
        indexed = live.count()  # what a resumed run's earlier part put in too
        state_file.unlink(missing_ok=True)
        for n in range(workers):
            _progress_file(root, n).unlink(missing_ok=True)
        return indexed, dict(reasons), resumed
    finally:
        live.close()

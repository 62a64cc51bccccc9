"""Query cost at `times` the size of a built index, without indexing that much: `python -m bench scale`.

A million articles take this machine about two hours to index (issue #9; at 1M the writer costs some 6-7 ms of
CPU an article). The query side of the 1M targets (p95 of the query mix, serve-process memory) is measured
here on an index made from the 100k one: its segment merged into one new segment `times` over, each copy with
new document numbers (`FastSegmentWriter(copy_blocks=True)`, the bulk load's closing merge). Every term then has
`times` as many postings, the facet columns are `times` as long, and the query mix, the phrases and the filters
are the run's own. What it does not have is a 1M corpus's larger vocabulary (rare words are the cheap ones) and
distinct texts: the copies share their reprint groups and their records in the SQLite store. The results say so.

Writes results-scaled-<n>.json beside the suite's results, with the query and serve phases of `bench.run`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import report, run
from crawler.progress import Progress

INDEX_PHASE_FILE = run.INDEX_PHASE_FILE
SCALE_FILE = "scale.json"  # what building the copy took, beside it


def replicate(source: Path, target: Path, times: int) -> dict[str, Any]:
    """Copy the data folder `source` (an ours engine folder of `bench run`) to `target`, then merge its index
    into one segment holding every document `times` over. Returns what it took."""
    from whoosh.reading import SegmentReader

    from index.whoosh.engine import WhooshIndex
    from index.whoosh.writer import FastSegmentWriter

    if target.exists():
        shutil.rmtree(target)
    say = Progress("bench", enabled=True).say
    say(f"bench: copying {source} to {target}")
    shutil.copytree(source, target)
    ix = WhooshIndex(run.index_dir("ours", target))
    segments = ix._ix._segments()
    docs = sum(segment.doc_count_all() for segment in segments)
    if any(segment.has_deletions() for segment in segments):
        raise run.BenchError(f"the index in {source} has deleted documents: build it again with `bench run`")

    def copies(writer: Any, existing: list[Any]) -> list[Any]:
        for copy in range(times):
            say(f"bench: copy {copy + 1} of {times} of {docs} articles (stored fields and columns)")
            for segment in existing:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
        say(f"bench: writing one segment of {docs * times} articles (postings, copied block by block)")
        return []

    started = time.perf_counter()
    cpu = time.process_time()
    writer = FastSegmentWriter(ix._ix, compound=False, copy_blocks=True)
    writer.commit(mergetype=copies)
    result = {
        "source": str(source),
        "times": times,
        "articles": docs * times,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "size_bytes": run._dir_bytes(run.index_dir("ours", target)),
    }
    ix.close()
    return result


def run_scaled(work: Path, n: int, seed: int, times: int, opts: run.SuiteOptions) -> dict[str, Any]:
    folder = work / f"corpus-{n}-{seed}"
    source = work / "ours"
    if not (source / INDEX_PHASE_FILE).exists():
        raise run.BenchError(f"no ours index in {work}: run `python -m bench run --n {n} --work {work}` first")
    target = work / f"ours-x{times}"
    results: dict[str, Any] = {
        "n": n * times,
        "seed": seed,
        "scaled": {"from": n, "times": times},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": run.machine(),
        "corpus": run.corpus.read_manifest(folder),
        "settings": {"queries": opts.queries, "clients": opts.clients, "requests": opts.requests},
        "engines": {},
    }
    entry: dict[str, Any] = {}
    results["engines"]["ours"] = entry
    say = Progress("bench", enabled=True).say
    built = target / SCALE_FILE
    if opts.reuse and built.exists():
        say(f"bench: reusing the {n * times}-article copy built earlier in {target}")
        entry["scale"] = {**json.loads(built.read_text(encoding="utf-8")), "reused": True}
    else:
        entry["scale"] = replicate(source, target, times)
        built.write_text(json.dumps(entry["scale"]), encoding="utf-8")
    timeout = max(600.0, n * times * 0.01)
    try:
        say(f"bench: {opts.queries} queries, sort=date and histograms on {n * times} articles")
        entry["query"] = run._run_child(
            ["_phase", "query", "ours", str(folder), str(target), "--queries", str(opts.queries)], timeout
        )
        if opts.serve:
            say(f"bench: {opts.requests} HTTP requests from {opts.clients} clients")
            entry["serve"] = run.phase_serve(
                "ours", folder, target, opts.clients, opts.requests, opts.threads, opts.processes
            )
            entry["serve"].update(run.against_in_process(entry["serve"], entry.get("query", {})))
    except (run.BenchError, subprocess.TimeoutExpired) as exc:
        entry["error"] = str(exc)
        say(f"bench: {exc}")
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if not opts.keep:
        shutil.rmtree(target, ignore_errors=True)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets at this size (1M: p95 of the query mix and the serve process's memory)."""
    ours = results["engines"]["ours"]
    results["targets"] = {
        f"faceted p95 <= 300 ms (at 1M; here {results['n']:,})": ours.get("query", {}).get("mix", {}).get("p95"),
        "serve process <= 1.5 GB (at 1M)": ours.get("serve", {}).get("peak_rss_mb"),
        "first query after start <= 1 s": ours.get("serve", {}).get("first_query_ms"),
        "first query after a reindex swap <= 1 s": ours.get("serve", {}).get("swap", {}).get("first_ms"),
        "slowest query within 10 s of the swap": ours.get("serve", {}).get("swap", {}).get("max_ms"),
    }
    return results


def write(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"results-scaled-{results['n']}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def summary(results: dict[str, Any]) -> str:
    scaled = results["scaled"]
    head = (
        f"{results['n']} articles: the {scaled['from']}-article index merged into itself {scaled['times']} times "
        "(the same texts: query cost, not a new corpus)"
    )
    return head + "\n" + report.summary({**results, "engines": {"ours": results["engines"]["ours"]}})

"""The OpenSearch engine in the benchmark (`--engines ...,opensearch`): bulk loading by N worker processes, the
CPU they and the cluster spend per article, and the cluster's memory.

The cluster is the one `SEARCHAPP_OPENSEARCH_URL` names (default: `scripts/opensearch-local`'s). Its CPU and
memory are read from /proc for the node processes the script started (`scripts/opensearch-local pid N`); for a
cluster elsewhere they are left out. Indexes get the prefix `bench` unless SEARCHAPP_OPENSEARCH_PREFIX says.

Before a load is measured, the cluster is warmed up with a small rebuild of its own (`warm_cluster`): the first
load a freshly started node sees pays for compiling its indexing code, once per node start, not once an article
(5,000 articles of warm-up took 24 to 28 s of the nodes' CPU here). Its CPU is reported apart
(`cluster_warm_up_cpu_s`).
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import corpus
from index.config import EngineConfig

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "opensearch-local"
BATCH = 500
WARM_UP = 5000  # articles of the throwaway rebuild that warms the cluster up (enough to be merged, as a rebuild is)


def cluster_env() -> dict[str, str]:
    """The environment of a process that uses the benchmark's cluster."""
    return {
        **os.environ,
        "SEARCHAPP_ENGINE": "opensearch",
        "SEARCHAPP_OPENSEARCH_PREFIX": os.environ.get("SEARCHAPP_OPENSEARCH_PREFIX", "bench"),
    }


def cluster_config() -> EngineConfig:
    return EngineConfig.from_env(cluster_env())


def node_pids() -> list[int]:
    """The process ids of the local cluster's nodes (none when the cluster is not the script's)."""
    pids = []
    for n in (1, 2):
        try:
            out = subprocess.run([str(SCRIPT), "pid", str(n)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.strip().isdigit():
            pids.append(int(out.strip()))
    return pids


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cluster_memory_mb() -> float:
    total = 0.0
    for pid in node_pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024.0
    return round(total, 1)


def index_slice(folder: str, target: str, index_name: str, slice_no: int, slices: int) -> tuple[int, float]:
    """In a worker: analyse every `slices`-th corpus item from `slice_no` and bulk-load it. (records, CPU s)"""
    from index.ingest import to_record
    from index.opensearch import OpenSearchIndex

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    ix = OpenSearchIndex(Path(target) / "index", cluster_config(), target=index_name)
    added = 0
    batch = []
    for i, item in enumerate(corpus.read_items(Path(folder))):
        if i % slices != slice_no:
            continue
        batch.append(to_record(corpus.to_article(item)))
        if len(batch) >= BATCH:
            added += ix.add(batch)
            batch = []
    added += ix.add(batch)
    ix.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return added, usage.ru_utime + usage.ru_stime - cpu0


def warm_cluster(folder: Path, target: Path, pids: list[int]) -> float:
    """Rebuild a throwaway index from the corpus's first WARM_UP articles as a rebuild does, then drop it; the
    nodes' CPU seconds it took."""
    from index.ingest import to_record
    from index.opensearch import OpenSearchIndex
    from searchapp.paths import DataPaths

    cpu0 = sum(process_cpu(pid) for pid in pids)
    paths = DataPaths(target / "warm-up").ensure()
    ix = OpenSearchIndex(paths.index, cluster_config())
    name, _resumed = ix.begin_rebuild()
    records = [to_record(corpus.to_article(item)) for item in itertools.islice(corpus.read_items(folder), WARM_UP)]
    OpenSearchIndex(paths.index, cluster_config(), target=name, client=ix.client).add(records)
    ix.finish_rebuild(name)
    ix.client.indices.delete(index=",".join(ix._concrete()))
    ix.close()
    shutil.rmtree(paths.root)
    return sum(process_cpu(pid) for pid in pids) - cpu0


def phase_index_cluster(folder: Path, target: Path, workers: int) -> dict[str, Any]:
    """Bulk-load the corpus with `workers` processes (full analysis in each) as `searchapp reindex --workers`
    does (a new index without replicas, then its replicas and the alias); rates and CPU per article."""
    from crawler.progress import Progress
    from crawler.workers import WorkerPool
    from index import open_index
    from searchapp.paths import DataPaths

    manifest = corpus.read_manifest(folder)
    ix = open_index(DataPaths(target).ensure().index, engine=cluster_config())
    pids = node_pids()
    warm_up_cpu = warm_cluster(folder, target, pids)
    with WorkerPool(workers, warm_up="index.ingest:warm_up") as pool:
        time.sleep(3.0)  # the workers' warm-up (lexicons, models) is not indexing
        cpu0 = {pid: process_cpu(pid) for pid in pids}
        progress = Progress(f"indexing (opensearch, {workers} worker(s))", total=manifest["n"])
        with progress:
            started = time.perf_counter()
            name, _resumed = ix.begin_rebuild()  # type: ignore[attr-defined]
            futures = [pool.submit(index_slice, str(folder), str(target), name, n, workers) for n in range(workers)]
            results = [f.result() for f in futures]
            if workers > 1:  # as reindex --workers: reprints the workers met at once, grouped afterwards
                from index.opensearch import OpenSearchIndex

                OpenSearchIndex(target / "index", cluster_config(), target=name, client=ix.client).regroup()  # type: ignore[attr-defined]
            loaded = time.perf_counter() - started
            ix.finish_rebuild(name)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - started
            progress.advance(manifest["n"])
    cluster_cpu = sum(process_cpu(pid) - cpu0[pid] for pid in pids) if pids else None
    added = sum(r[0] for r in results)
    worker_cpu = sum(r[1] for r in results)
    stats = ix.client.indices.stats(index=ix.alias, metric="store")  # type: ignore[attr-defined]
    size = int(stats["_all"]["primaries"]["store"]["size_in_bytes"])
    ix.close()
    out: dict[str, Any] = {
        "articles": added,
        "workers": workers,
        "seconds": round(elapsed, 2),
        "load_seconds": round(loaded, 2),  # before the replicas were copied and the alias moved
        "rate": round(added / elapsed, 1) if elapsed else 0.0,
        "per_worker_rate": round(added / elapsed / workers, 1) if elapsed else 0.0,
        "analysis": f"full (index.ingest.to_record in {workers} worker process(es), each bulk-loading)",
        "worker_cpu_ms_per_article": round(1000 * worker_cpu / added, 2) if added else None,
        "size_bytes": size,
        "size_ratio": round(size / manifest["text_bytes"], 3),
        "cluster_memory_mb": cluster_memory_mb(),
    }
    if pids:
        out["cluster_warm_up_cpu_s"] = round(warm_up_cpu, 1)  # the throwaway rebuild before, not counted above
    if cluster_cpu is not None and added:
        out["cluster_cpu_ms_per_article"] = round(1000 * cluster_cpu / added, 2)
        out["cluster_share_of_cpu"] = round(cluster_cpu / (cluster_cpu + worker_cpu), 3)
        out["cluster_per_worker_cpu"] = round(cluster_cpu / worker_cpu, 3) if worker_cpu else None
    return out


def phase_parity(folder: Path, work: Path, count: int) -> dict[str, Any]:
    """The query mix on both engines of one corpus (`work`/ours, the Whoosh index, and `work`/opensearch): how
    many answers have the same total, the same facet counts and the same notice. The issue's target is all."""
    from bench.run import open_engine, query_mix

    ours = open_engine("ours", work / "ours")
    cluster = open_engine("opensearch", work / "opensearch")
    same = {"total": 0, "facets": 0, "notice": 0}
    differ: list[dict[str, Any]] = []
    mix = query_mix(folder, count)
    for q in mix:
        a, b = ours.search(q.request), cluster.search(q.request)
        fa = {name: {v.value: v.count for v in values} for name, values in a.facets.items()}
        fb = {name: {v.value: v.count for v in values} for name, values in b.facets.items()}
        same["total"] += a.total == b.total
        same["facets"] += fa == fb
        same["notice"] += a.notice == b.notice
        if (a.total, fa, a.notice) != (b.total, fb, b.notice) and len(differ) < 5:
            facets = {n: (fa.get(n), fb.get(n)) for n in set(fa) | set(fb) if fa.get(n) != fb.get(n)}
            differ.append(
                {
                    "q": q.request.q,
                    "filters": q.request.filters(),
                    "totals": [a.total, b.total],
                    "facets": {n: str(v)[:300] for n, v in facets.items()},
                }
            )
    ours.close()
    cluster.close()
    return {"queries": len(mix), "same": same, "all_same": all(v == len(mix) for v in same.values()), "differ": differ}

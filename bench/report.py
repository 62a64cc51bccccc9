"""The benchmark's output: ratios ours/baseline, one plain-text table, and the JSON file.

It is the last step of `python -m bench run`: `bench.run.run_suite` hands over its figures, this module
adds the ratios and the verdicts against the targets of issue #9, prints the table and writes
bench/out/results-<n>.json. The table is Markdown, so it can go into docs/performance.md as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Getter = Callable[[dict[str, Any]], float | None]


def _walk(entry: dict[str, Any], keys: tuple[str, ...]) -> Any:
    value: Any = entry
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _get(*keys: str) -> Getter:
    def get(entry: dict[str, Any]) -> float | None:
        value = _walk(entry, keys)
        return float(value) if isinstance(value, int | float) else None

    return get


def _get_list(*keys: str) -> Callable[[dict[str, Any]], list[Any] | None]:
    def get(entry: dict[str, Any]) -> list[Any] | None:
        value = _walk(entry, keys)
        return value if isinstance(value, list) else None

    return get


def _first(values: list[Any] | None) -> float | None:
    return float(values[0]) if values and isinstance(values[0], int | float) else None


# (label, getter, unit, higher is better)
ROWS: tuple[tuple[str, Getter, str, bool], ...] = (
    ("indexing rate", _get("index", "rate"), "articles/s", True),
    ("indexing peak memory", _get("index", "peak_rss_mb"), "MB", False),
    ("index size on disk", lambda e: _mb(_get("index", "size_bytes")(e)), "MB", False),
    ("index size / article text", _get("index", "size_ratio"), "x", False),
    ("query mix p50", _get("query", "mix", "p50"), "ms", False),
    ("query mix p95", _get("query", "mix", "p95"), "ms", False),
    ("query mix p99", _get("query", "mix", "p99"), "ms", False),
    ("query mix p95, translated (faster of 2)", _get("query", "xlang", "translated", "p95"), "ms", False),
    ("query mix p95, as typed (faster of 2)", _get("query", "xlang", "as_typed", "p95"), "ms", False),
    ("first query (cold)", _get("query", "cold_ms"), "ms", False),
    ("sort=date p50", _get("query", "sort_date", "p50"), "ms", False),
    ("sort=date p95", _get("query", "sort_date", "p95"), "ms", False),
    ("histogram p50", _get("query", "histogram", "p50"), "ms", False),
    ("histogram p95", _get("query", "histogram", "p95"), "ms", False),
    ("query process peak memory", _get("query", "peak_rss_mb"), "MB", False),
    ("first query after the server starts", _get("serve", "first_query_ms"), "ms", False),
    ("server start to first answer", _get("serve", "ready_s"), "s", False),
    ("HTTP clients", _get("serve", "clients"), "", False),
    ("HTTP serving processes", _get("serve", "processes"), "", False),
    ("HTTP throughput", _get("serve", "rps"), "req/s", True),
    ("in-process capacity (cores / mean query)", _get("serve", "capacity_rps"), "req/s", True),
    ("HTTP throughput / in-process capacity", _get("serve", "rps_share"), "x", True),
    ("in-process CPU per query", _get("query", "mix_cpu_ms"), "ms", False),
    ("HTTP server CPU per request (all processes)", _get("serve", "cpu_ms_per_request"), "ms", False),
    ("HTTP CPU / in-process CPU", _get("serve", "cpu_ratio"), "x", False),
    ("capacity by CPU (cores / in-process CPU per query)", _get("serve", "cpu_capacity_rps"), "req/s", True),
    ("HTTP latency p50", _get("serve", "latency", "p50"), "ms", False),
    ("HTTP latency p95", _get("serve", "latency", "p95"), "ms", False),
    ("HTTP p95 / in-process p95", _get("serve", "p95_ratio"), "x", False),
    (
        "ideal FIFO server's p95 (queueing alone, from the in-process times)",
        _get("serve", "ideal_fifo", "p95"),
        "ms",
        False,
    ),
    ("ideal FIFO p95 / in-process p95", _get("serve", "ideal_p95_ratio"), "x", False),
    ("HTTP p95 / ideal FIFO p95 (what the server adds)", _get("serve", "p95_over_ideal"), "x", False),
    ("HTTP errors", _get("serve", "errors"), "", False),
    ("HTTP client CPU per request (bench.httpload)", _get("serve", "client_cpu_ms_per_request"), "ms", False),
    ("HTTP client's share of the cores", _get("serve", "client_cpu_share"), "x", False),
    ("other processes' CPU during the HTTP requests", _get("serve", "other_cpu_cores"), "cores", False),
    ("load average when the HTTP requests began", lambda e: _first(_get_list("serve", "load_average")(e)), "", False),
    ("first query after a reindex swap", _get("serve", "swap", "first_ms"), "ms", False),
    ("slowest query within 10 s of the swap", _get("serve", "swap", "max_ms"), "ms", False),
    ("errors within 10 s of the swap", _get("serve", "swap", "errors"), "", False),
    ("serve processes' memory", _get("serve", "rss_mb"), "MB", False),
    ("serve processes' peak memory", _get("serve", "peak_rss_mb"), "MB", False),
    ("serve processes' anonymous memory", _get("serve", "rss_anon_mb"), "MB", False),
    ("serve processes' PSS (shared pages counted once)", _get("serve", "pss_mb"), "MB", False),
)


def _mb(value: float | None) -> float | None:
    return None if value is None else value / 2**20


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def add_ratios(results: dict[str, Any]) -> dict[str, Any]:
    """ours/baseline for every row measured on both sides, and the verdicts against the issue's targets."""
    ours = results["engines"].get("ours", {})
    base = results["engines"].get("baseline", {})
    ratios: dict[str, float] = {}
    for label, get, _, _ in ROWS:
        a, b = get(ours), get(base)
        if a is not None and b:
            ratios[label] = round(a / b, 3)
    results["ratios"] = ratios
    p95 = _get("query", "mix", "p95")(ours)
    base_p95 = _get("query", "mix", "p95")(base)
    targets: dict[str, Any] = {
        "faceted p95 <= 100 ms (at 100k)": p95,
        "speed-up over baseline >= 10x (p95)": round(base_p95 / p95, 1) if p95 and base_p95 else None,
        "bulk indexing >= 1000 articles/s, full analysis": _get("index", "rate")(ours),
        "index <= 1.5x article text": _get("index", "size_ratio")(ours),
        "serve process <= 1.5 GB (at 1M)": _get("serve", "peak_rss_mb")(ours),
        "translation adds <= 25% to the mix p95 (same run)": _get("query", "xlang_p95_ratio")(ours),
        "first query after start <= 1 s": _get("serve", "first_query_ms")(ours),
        "first query after a reindex swap <= 1 s": _get("serve", "swap", "first_ms")(ours),
        "HTTP req/s >= 0.7 x cores / in-process mean": _get("serve", "rps_share")(ours),
        "HTTP p95 <= 4 x in-process p95": _get("serve", "p95_ratio")(ours),
        "HTTP errors = 0": _get("serve", "errors")(ours),
    }
    results["targets"] = targets
    return results


def table(results: dict[str, Any]) -> str:
    """The Markdown table: metric, ours, baseline, ours/baseline."""
    ours = results["engines"].get("ours", {})
    base = results["engines"].get("baseline", {})
    lines = [
        f"| {results['n']:,} articles | unit | ours | baseline | ours/baseline |",
        "|---|---|---:|---:|---:|",
    ]
    for label, get, unit, _ in ROWS:
        a, b = get(ours), get(base)
        if a is None and b is None:
            continue
        ratio = f"{a / b:.2f}" if a is not None and b else "-"
        lines.append(f"| {label} | {unit} | {_fmt(a)} | {_fmt(b)} | {ratio} |")
    return "\n".join(lines)


# The second engine beside ours (issue 20): the rows above, then what only a cluster has.
CLUSTER_ROWS: tuple[tuple[str, Getter, str], ...] = (
    *((label, get, unit) for label, get, unit, _ in ROWS),
    ("HTTP throughput, 16 clients", _get("serve16", "rps"), "req/s"),
    ("HTTP latency p95, 16 clients", _get("serve16", "latency", "p95"), "ms"),
    ("cluster memory (2 nodes)", _get("cluster_memory_mb"), "MB"),
    ("indexing rate, 1 worker", _get("index", "rate"), "articles/s"),
    ("indexing rate, 2 workers", _get("index_2workers", "rate"), "articles/s"),
    ("per-worker rate, 2 workers", _get("index_2workers", "per_worker_rate"), "articles/s"),
    ("worker CPU per article, 1 worker", _get("index", "worker_cpu_ms_per_article"), "ms"),
    ("cluster CPU per article, 1 worker", _get("index", "cluster_cpu_ms_per_article"), "ms"),
    ("cluster CPU / worker CPU, 1 worker", _get("index", "cluster_per_worker_cpu"), "x"),
    ("worker CPU per article, 2 workers", _get("index_2workers", "worker_cpu_ms_per_article"), "ms"),
    ("cluster CPU per article, 2 workers", _get("index_2workers", "cluster_cpu_ms_per_article"), "ms"),
    ("cluster CPU / worker CPU, 2 workers", _get("index_2workers", "cluster_per_worker_cpu"), "x"),
)


def cluster_table(results: dict[str, Any]) -> str:
    """The Markdown table: metric, ours (Whoosh), OpenSearch, OpenSearch/ours."""
    ours = results["engines"].get("ours", {})
    cluster = results["engines"].get("opensearch", {})
    lines = [
        f"| {results['n']:,} articles | unit | ours (Whoosh) | OpenSearch | OpenSearch/ours |",
        "|---|---|---:|---:|---:|",
    ]
    for label, get, unit in CLUSTER_ROWS:
        a, b = get(ours), get(cluster)
        if a is None and b is None:
            continue
        ratio = f"{b / a:.2f}" if b is not None and a else "-"
        lines.append(f"| {label} | {unit} | {_fmt(a)} | {_fmt(b)} | {ratio} |")
    return "\n".join(lines)


def summary(results: dict[str, Any]) -> str:
    m = results["machine"]
    c = results["corpus"]
    parts = [
        table(results) if {"ours", "baseline"} & set(results["engines"]) else "",
        *([cluster_table(results), ""] if "opensearch" in results["engines"] else []),
        "",
        f"corpus: {c['n']:,} articles ({c['langs']}), {c['text_bytes'] / 2**20:.0f} MB of text, "
        f"vocabulary {c['vocabulary']} word forms per language; seed {c['seed']}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}; "
        f"load average {m['load_at_start']} at start, {m.get('load_at_end')} at end",
    ]
    for engine, entry in results["engines"].items():
        serve = entry.get("serve", {})
        if serve.get("http_client"):
            parts.append(
                f"{engine} HTTP: {serve['clients']} clients ({serve['http_client']}), {serve['processes']} serving "
                f"processes of {serve['threads']} threads, {serve['requests']} requests after "
                f"{serve.get('warm_requests', 0)} to warm up; load average {serve.get('load_average')} then "
                f"{serve.get('load_average_after')}"
            )
        if "error" in entry:
            parts.append(f"{engine}: {entry['error']}")
        index = entry.get("index", {})
        if index.get("analysis"):
            parts.append(f"{engine} indexing: {index['analysis']} ({index.get('analysis_seconds', 0)} s of analysis)")
    return "\n".join(parts)


def write(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"results-{results['n']}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

"""The measurements of the benchmark: indexing, queries, serving; ours and the plain-Whoosh baseline in one run.

`run_suite` generates (or reuses) a corpus with `bench.corpus`, then for each engine runs every phase in
a child process of its own, so each phase's peak memory (ru_maxrss) is its own: `index` (bulk load;
ours through the full analysis path `index.ingest.to_record` -> `SearchIndex.add`, the baseline from
the generated facts), `query` (a fixed mix of 200 requests with 0-3 filters, all facet counts, top 20,
snippets; then `sort=date`; then the attention-over-time histogram) and `serve` (the real HTTP server in
a subprocess on 127.0.0.1: the first query after it starts, then concurrent keep-alive clients on
`/api/search`, a bounded number of requests, then the first queries after a rebuilt index folder is swapped in
under it). The HTTP figures are set beside the in-process ones of the same run: requests/s against what the
in-process mean query time allows on the machine's cores, and the p95 ratio. The figures go to `bench.report`
for the table and the JSON file.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import corpus
from crawler.models import Article
from crawler.progress import Progress
from index.models import Record, SearchRequest

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("ours", "baseline", "opensearch")
INDEX_PHASE_FILE = "index-phase.json"
FACET_FILTERS = ("region", "sector", "lang", "source", "year", "date", "amount")


class BenchError(Exception):
    """A benchmark that cannot run as asked; the message says why."""


# ---------------------------------------------------------------------------------------------------------------
# The query mix


@dataclass(slots=True)
class MixQuery:
    kind: str  # common, rare, pair, phrase, filters-only
    lang: str
    request: SearchRequest


def _pick_filters(rng: random.Random, items: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """`n` filters whose values occur in the corpus (taken from a random generated article)."""
    out: dict[str, Any] = {}
    for name in rng.sample(FACET_FILTERS, n):
        item = items[rng.randrange(len(items))]
        if name == "region" and item["regions"]:
            out["region"] = [item["regions"][0]]
        elif name == "sector" and item["sectors"]:
            out["sector"] = [item["sectors"][0]]
        elif name == "lang":
            out["lang"] = [item["lang"]]
        elif name == "source":
            out["source"] = [item["source"]]
        elif name == "year":
            out["year"] = [item["published"][:4]]
        elif name == "date":
            year = int(item["published"][:4])
            out["date_from"] = f"{year - rng.randrange(0, 3)}-01-01"
            out["date_to"] = f"{year}-12-31"
        elif name == "amount":
            out["amount_min"] = float(10 ** rng.randrange(6, 10))
    return out


def query_mix(folder: Path, count: int = 200, seed: int = 7) -> list[MixQuery]:
    """A fixed mix: common and rare terms, word pairs, phrases and filter-only listings, half Kazakh, half Russian.

    Terms come from the first articles of the corpus, so every run of one corpus asks the same questions.
    """
    rng = random.Random(seed)
    items = []
    for n, item in enumerate(corpus.read_items(folder)):
        if n >= 2000:
            break
        items.append(item)
    counts = corpus.vocabulary_sample(items)
    ranked = {lang: [w for w, _ in c.most_common()] for lang, c in counts.items()}
    rare = {lang: [w for w, k in c.items() if 2 <= k <= 5 and len(w) > 3] for lang, c in counts.items()}
    by_lang = {lang: [it for it in items if it["lang"] == lang] for lang in ("kk", "ru")}
    kinds = ["common"] * 25 + ["rare"] * 25 + ["pair"] * 20 + ["phrase"] * 20 + ["filters-only"] * 10
    rng.shuffle(kinds)  # every prefix of the mix has every kind, so a short smoke run asks all of them
    mix: list[MixQuery] = []
    for i in range(count):
        lang = ("kk", "ru")[i % 2]
        kind = kinds[(i // 2) % len(kinds)]
        words = ranked[lang]
        if kind == "common":
            q = words[rng.randrange(10, min(200, len(words)))]
        elif kind == "rare":
            q = rng.choice(rare[lang]) if rare[lang] else words[-1]
        elif kind == "pair":
            q = f"{words[rng.randrange(10, min(200, len(words)))]} {words[rng.randrange(200, min(3000, len(words)))]}"
        elif kind == "phrase":
            para = rng.choice(rng.choice(by_lang[lang])["paragraphs"]).rstrip(".").split()
            start = rng.randrange(0, max(1, len(para) - 2))
            q = '"' + " ".join(w.lower() for w in para[start : start + 2]) + '"'
        else:
            q = ""
        weights = (0.25, 0.35, 0.25, 0.15)
        n_filters = rng.choices((0, 1, 2, 3), weights=weights)[0]
        if kind == "filters-only":
            n_filters = max(1, n_filters)
        filters = _pick_filters(rng, by_lang[lang] or items, n_filters)
        mix.append(MixQuery(kind=kind, lang=lang, request=SearchRequest(q=q, per_page=20, facets=True, **filters)))
    return mix


def request_params(request: SearchRequest) -> list[tuple[str, str]]:
    """The request as /api/search query parameters."""
    params: list[tuple[str, str]] = [("q", request.q)]
    for name, values in request.filters().items():
        params.extend((name, v) for v in values)
    for name in ("date_from", "date_to"):
        value = getattr(request, name)
        if value:
            params.append((name, value))
    if request.amount_min is not None:
        params.append(("amount_min", f"{request.amount_min:g}"))
    if request.sort != "relevance":
        params.append(("sort", request.sort))
    params.append(("per_page", str(request.per_page)))
    return params


def request_from_params(params: dict[str, list[str]]) -> SearchRequest:
    """The inverse of `request_params`, for the baseline's little web app."""
    one = {k: v[0] for k, v in params.items() if v}
    amount = one.get("amount_min")
    return SearchRequest(
        q=one.get("q", ""),
        region=params.get("region", []),
        sector=params.get("sector", []),
        country=params.get("country", []),
        lang=params.get("lang", []),
        source=params.get("source", []),
        year=params.get("year", []),
        date_from=one.get("date_from"),
        date_to=one.get("date_to"),
        amount_min=float(amount) if amount else None,
        sort=one.get("sort", "relevance"),
        per_page=int(one.get("per_page", "20")),
    )


# ---------------------------------------------------------------------------------------------------------------
# Engines and phases (each phase runs in a child process: `python -m bench _phase ...`)


def open_engine(engine: str, target: Path) -> Any:
    if engine == "baseline":
        from bench.baseline import BaselineIndex

        return BaselineIndex(target / "baseline-index")
    from index import open_index
    from searchapp.paths import DataPaths

    if engine == "opensearch":
        from bench.cluster import cluster_config

        return open_index(DataPaths(target).ensure().index, engine=cluster_config())
    return open_index(DataPaths(target).ensure().index)


def index_dir(engine: str, target: Path) -> Path:
    return target / "baseline-index" if engine == "baseline" else target / "index"


def _peak_rss_mb() -> float:
    """This process's peak resident memory, plus the largest of its finished children's (the analysis worker):
    at most the peak of the two together."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# Full analysis runs in a worker process beside the index writer, as `searchapp crawl` and `reindex` run it
# (crawler.workers), where there is a second core.
WORKERS = 1 if (os.cpu_count() or 1) > 1 else 0
_CHUNK = 50  # articles a worker call analyses


def records_of(items: list[dict[str, Any]]) -> list[Record]:
    """Full analysis of corpus items (in a worker process): `index.ingest.to_record` of each as an Article."""
    from index.ingest import to_record

    return [to_record(corpus.to_article(item)) for item in items]


def _analysed_in_worker(folder: Path, progress: Progress) -> Iterator[Record]:
    from crawler.workers import WorkerPool

    pending: deque[Any] = deque()
    with WorkerPool(WORKERS, warm_up="index.ingest:warm_up") as pool:
        chunk: list[dict[str, Any]] = []
        for item in corpus.read_items(folder):
            chunk.append(item)
            if len(chunk) == _CHUNK:
                pending.append(pool.submit(records_of, chunk))
                chunk = []
            while len(pending) > 4:  # a few calls ahead: the worker never waits for the writer, memory stays flat
                for record in pending.popleft().result():
                    progress.advance()
                    yield record
        if chunk:
            pending.append(pool.submit(records_of, chunk))
        while pending:
            for record in pending.popleft().result():
                progress.advance()
                yield record


def phase_index(
    engine: str, folder: Path, target: Path, analysis_mode: str = "full", workers: int = 1
) -> dict[str, Any]:
    """Bulk-load the corpus; ours with full analysis (Article -> to_record -> add) unless `analysis_mode` is
    "generated" (the generated facts as they are: the CI smoke test, where only running matters); OpenSearch
    with `workers` processes that each analyse and bulk-load (bench.cluster)."""
    if engine == "opensearch":
        from bench.cluster import phase_index_cluster

        return phase_index_cluster(folder, target, workers)
    manifest = corpus.read_manifest(folder)
    ix = open_engine(engine, target)
    timers = {"analysis": 0.0}
    analysis = "generated facts"
    ingest: Callable[[Article], Record] | None = None
    if engine == "ours" and analysis_mode == "full":
        try:
            from index.ingest import to_record

            ingest = to_record

            analysis = "full (index.ingest.to_record" + (", in a worker process)" if WORKERS else ")")
        except ImportError:
            analysis = "generated facts (index.ingest not available)"
    progress = Progress(f"indexing ({engine})", total=manifest["n"])

    def records() -> Iterator[Record]:
        if ingest is not None and WORKERS:
            yield from _analysed_in_worker(folder, progress)
            return
        for item in corpus.read_items(folder):
            if ingest is not None:
                t0 = time.perf_counter()
                record = ingest(corpus.to_article(item))
                timers["analysis"] += time.perf_counter() - t0
            else:
                record = corpus.to_record(item)
            progress.advance()
            yield record

    with progress:
        started = time.perf_counter()
        added = ix.add(records())
        elapsed = time.perf_counter() - started
        ix.close()
    size = _dir_bytes(index_dir(engine, target))
    return {
        "articles": added,
        "seconds": round(elapsed, 2),
        "rate": round(added / elapsed, 1) if elapsed else 0.0,
        "analysis": analysis,
        "analysis_seconds": round(timers["analysis"], 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "size_bytes": size,
        "size_ratio": round(size / manifest["text_bytes"], 3),
    }


def _percentiles(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    if not ms:
        return {}
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {
        "n": len(ms),
        "p50": round(q[49], 2),
        "p95": round(q[94], 2),
        "p99": round(q[98], 2),
        "mean": round(statistics.fmean(ms), 2),
        "max": round(ms[-1], 2),
    }


TRANSLATE = ("both", "on", "off")


def phase_query(engine: str, folder: Path, target: Path, count: int, translate: str = "both") -> dict[str, Any]:
    """The query mix, then sort=date, then the histogram; latency per call on an open, warmed index.

    `translate` (ours): "on" asks every query with cross-language translation (the default of the app), "off"
    only the words as typed, "both" each query both ways in turn (same load, same warm caches): the mix's
    figures are then with translation, `xlang` has the mix's percentiles with and without it (each query asked
    twice each way, its faster time counted: see the loop) and `xlang_p95_ratio` the p95 of the one over the
    other.
    """
    mix = query_mix(folder, count)
    if translate == "off":
        for q in mix:
            q.request.xlang = False
    ix = open_engine(engine, target)
    t0 = time.perf_counter()
    ix.search(mix[0].request)
    cold = time.perf_counter() - t0
    for q in mix[:20]:  # warm-up: both engines get the same
        ix.search(q.request)
    fastest: dict[bool, list[float]] = {True: [], False: []}
    result: Any = None
    if translate == "both" and engine == "ours":
        for q in mix[:20]:
            ix.search(SearchRequest(**{**asdict(q.request), "xlang": False}))
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    totals: Counter[str] = Counter()
    progress = Progress(f"queries ({engine})", total=len(mix) + len(mix) // 4 + 20)
    with progress:
        cpu = 0.0  # CPU time of the searches the mix figures time (with "both": the first, translated, ask)
        for q in mix:
            if translate == "both" and engine == "ours":
                # each way twice, in the order on, off, off, on: the mix figures are the first time (translated,
                # as the app asks), the comparison (`xlang`) each side's faster one: on a shared machine one slow
                # moment would otherwise decide it, and whichever runs second finds the shared postings cached
                plain = SearchRequest(**{**asdict(q.request), "xlang": False})
                spent: dict[bool, list[float]] = {True: [], False: []}
                for n, xlang in enumerate((True, False, False, True)):
                    t0, c0 = time.perf_counter(), time.process_time()
                    found = ix.search(q.request if xlang else plain)
                    spent[xlang].append(time.perf_counter() - t0)
                    if n == 0:
                        cpu += time.process_time() - c0
                    result = found if xlang else result
                dt = spent[True][0]
                fastest[True].append(min(spent[True]))
                fastest[False].append(min(spent[False]))
            else:
                t0, c0 = time.perf_counter(), time.process_time()
                result = ix.search(q.request)
                dt = time.perf_counter() - t0
                cpu += time.process_time() - c0
            times.append(dt)
            by_kind.setdefault(q.kind, []).append(dt)
            totals[q.kind] += result.total
            progress.advance()
        date_times = []
        for q in mix[: len(mix) // 4]:
            req = SearchRequest(**{**asdict(q.request), "sort": "date"})
            t0 = time.perf_counter()
            ix.search(req)
            date_times.append(time.perf_counter() - t0)
            progress.advance()
        hist_times = []
        for q in mix[:20]:
            t0 = time.perf_counter()
            ix.histogram(q.request, by="lang")
            hist_times.append(time.perf_counter() - t0)
            progress.advance()
    ix.close()
    extra: dict[str, Any] = {"translate": translate if engine == "ours" else "n/a"}
    if fastest[False]:
        on, off = _percentiles(fastest[True]), _percentiles(fastest[False])
        extra["xlang"] = {"translated": on, "as_typed": off, "method": "each query twice each way, the faster time"}
        extra["xlang_p95_ratio"] = round(on["p95"] / off["p95"], 3) if off["p95"] else None
    return {
        **extra,
        "cold_ms": round(cold * 1000, 1),
        "mix": _percentiles(times),
        "mix_ms": [round(t * 1000, 3) for t in times],  # each query's time, in the mix's order (`fifo_model`)
        # CPU time, unlike the latencies, does not grow when other work shares the machine's cores
        "mix_cpu_ms": round(cpu * 1000 / len(mix), 2),
        "by_kind": {k: _percentiles(v) for k, v in sorted(by_kind.items())},
        "mean_matches": {k: round(totals[k] / len(by_kind[k]), 1) for k in sorted(by_kind)},
        "sort_date": _percentiles(date_times),
        "histogram": _percentiles(hist_times),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _run_child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run `python -m bench <args>` in a child; its last stdout line is the JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise BenchError(f"phase {' '.join(args[:3])} failed (exit {proc.returncode})")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


# ---------------------------------------------------------------------------------------------------------------
# Serving: the real HTTP server in a subprocess, 8 clients


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _first_answer(port: int, path: str, deadline: float, server: subprocess.Popen[bytes]) -> float:
    """Seconds the first request the server accepts takes to answer (a server listens only once it is warm)."""
    while True:
        if server.poll() is not None:
            raise BenchError(f"the server exited with status {server.returncode} before answering")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.connect()
        except OSError:
            conn.close()
            if time.monotonic() > deadline:
                raise BenchError("the server did not answer within 120 s") from None
            time.sleep(0.05)
            continue
        try:
            t0 = time.perf_counter()
            status = _get(conn, path)
            elapsed = time.perf_counter() - t0
        except OSError:
            conn.close()
            time.sleep(0.05)
            continue
        conn.close()
        if status != 200:
            raise BenchError(f"the server's first answer was HTTP {status}")
        return elapsed


SWAP_WINDOW = 10.0  # seconds of queries measured after a rebuilt index is swapped in


def swap_probe(target: Path, port: int, paths: list[str], clients: int = 4) -> dict[str, Any]:
    """Swap a rebuilt index folder (a copy of the index, put in place the way `searchapp reindex` does) under
    the running server, and time the queries of `clients` clients over the next SWAP_WINDOW seconds."""
    import shutil

    from searchapp.paths import DataPaths
    from searchapp.pipeline import swap_in

    data = DataPaths(target)
    new_dir = data.index.parent / (data.index.name + ".new")
    shutil.rmtree(new_dir, ignore_errors=True)
    shutil.copytree(data.index, new_dir)
    lock = threading.Lock()
    latencies: list[tuple[float, float]] = []  # (sent, seconds)
    errors: list[int] = []
    end = [0.0]

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = offset
        while time.monotonic() < end[0]:
            sent = time.monotonic()
            try:
                status = _get(conn, paths[i % len(paths)])
            except OSError:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with lock:
                latencies.append((sent, time.monotonic() - sent))
                if status != 200:
                    errors.append(status)
            i += clients
        conn.close()

    swap_in(data, new_dir)
    swapped = time.monotonic()
    end[0] = swapped + SWAP_WINDOW
    workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies.sort()
    times = [dt for _, dt in latencies]
    return {
        "clients": clients,
        "window_s": SWAP_WINDOW,
        "requests": len(times),
        "errors": len(errors),
        "first_ms": round(times[0] * 1000, 1) if times else None,
        "max_ms": round(max(times) * 1000, 1) if times else None,
        "latency": _percentiles(times),
    }


def _server_command(engine: str, target: Path, port: int, threads: int) -> list[str]:
    if engine == "baseline":
        return [sys.executable, "-m", "bench", "_serve-baseline", "--target", str(target), "--port", str(port)]
    code = "import sys; from searchapp.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, "serve", "--data", str(target), "--host", "127.0.0.1", "--port", str(port)]


def _proc_memory_mb(pid: int) -> dict[str, float]:
    out: dict[str, float] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = round(int(value.split()[0]) / 1024.0, 1)
    return out


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _family(pid: int) -> list[int]:
    """A server and its worker processes (a pre-forked server is several)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return pids


def _family_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) a server and its workers have used so far."""
    total = 0
    for one in _family(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _family_memory_mb(pid: int) -> dict[str, float]:
    """Memory of a server and its worker processes, summed (a pre-forked server is several processes)."""
    total: dict[str, float] = {}
    for one in _family(pid):
        for key, value in _proc_memory_mb(one).items():
            total[key] = round(total.get(key, 0.0) + value, 1)
    return total


def _pss_mb(pids: list[int]) -> float | None:
    """Proportional set size of the processes, summed: pages several of them share are counted once in all."""
    total = 0
    for one in pids:
        try:
            text = Path(f"/proc/{one}/smaps_rollup").read_text()
        except OSError:
            return None
        total += next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)
    return round(total / 1024.0, 1)


def _busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy (all cores, every process) since boot, from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


HTTP_CLIENT = "bench.httpload: one thread, keep-alive connections, closed loop"
WARM_REQUESTS = 20  # per serving process before the measured requests, as the in-process phase warms on 20


def phase_serve(
    engine: str, folder: Path, target: Path, clients: int, requests: int, threads: int, processes: int = 0
) -> dict[str, Any]:
    """The first query after start, throughput of /api/search under `clients` concurrent keep-alive clients
    (`requests` in all, sent by `bench.httpload` from one thread of this process), then (ours) the queries
    right after a rebuilt index is swapped in. Beside the figures: the CPU the server, the client and every
    other process on the machine used meanwhile, so a figure taken on a busy machine says so."""
    from bench import httpload

    mix = query_mix(folder, 200)
    paths = ["/api/search?" + urllib.parse.urlencode(request_params(q.request)) for q in mix]
    port = _free_port()
    env = {**os.environ, "SEARCHAPP_THREADS": str(threads), "SEARCHAPP_PROCESSES": str(processes)}
    if engine == "opensearch":
        from bench.cluster import cluster_env

        env = {**cluster_env(), "SEARCHAPP_THREADS": str(threads), "SEARCHAPP_PROCESSES": str(processes)}
    started = time.monotonic()
    server = subprocess.Popen(
        _server_command(engine, target, port, threads),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    swap: dict[str, Any] = {}
    serving = processes or os.cpu_count() or 1
    try:
        first = _first_answer(port, paths[0], started + 120, server)
        ready = time.monotonic() - started
        idle = _family_memory_mb(server.pid)
        warm = httpload.run("127.0.0.1", port, paths[1:], clients=clients, requests=WARM_REQUESTS * serving)
        progress = Progress(f"HTTP requests ({engine})", total=requests)
        with progress:
            load_before = os.getloadavg()
            busy, cpu = _busy_cpu_s(), _family_cpu_s(server.pid)
            result = httpload.run(
                "127.0.0.1", port, paths, clients=clients, requests=requests, on_answer=progress.advance
            )
            cpu = _family_cpu_s(server.pid) - cpu
            busy_after = _busy_cpu_s()
        elapsed = result.seconds
        memory = _family_memory_mb(server.pid)
        pss = _pss_mb(_family(server.pid))
        if engine == "ours":
            swap = swap_probe(target, port, paths)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    cores = os.cpu_count() or 1
    other = None
    if busy is not None and busy_after is not None and elapsed:
        # what neither the server nor the client used: the rest of the machine (other benchmarks, builds, tests)
        other = round(max(0.0, busy_after - busy - cpu - result.cpu_s) / elapsed, 2)
    return {
        "clients": clients,
        "requests": requests,
        "http_client": HTTP_CLIENT,
        "warm_requests": len(warm.statuses),
        "processes": serving,
        "threads": threads,
        "first_query_ms": round(first * 1000, 1),
        "ready_s": round(ready, 2),
        "swap": swap,
        "errors": result.errors + warm.errors,
        "seconds": round(elapsed, 2),
        "rps": round(requests / elapsed, 2) if elapsed else 0.0,
        "cpu_ms_per_request": round(cpu * 1000 / requests, 2),
        "client_cpu_ms_per_request": round(result.cpu_s * 1000 / requests, 3),
        # the client's share of the machine's cores during the measured requests (they are the server's cores too)
        "client_cpu_share": round(result.cpu_s / (elapsed * cores), 4) if elapsed else None,
        "other_cpu_cores": other,
        "load_average": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "latency": _percentiles(result.latencies),
        "rss_idle_mb": idle.get("VmRSS", 0.0),
        "rss_mb": memory.get("VmRSS", 0.0),
        "peak_rss_mb": memory.get("VmHWM", 0.0),
        # Anonymous memory is the process's own; file-backed pages are the index files mapped (shared cache).
        "rss_anon_mb": memory.get("RssAnon", 0.0),
        "rss_file_mb": memory.get("RssFile", 0.0),
        # pages the forked processes share (code, the parent's tables, the index files) counted once: the memory
        # the server really holds
        "pss_mb": pss,
    }


def fifo_model(times_ms: list[float], clients: int, processes: int, requests: int) -> dict[str, float]:
    """What an ideal server would give the HTTP phase: no cost but the engine's (each request takes its query's
    in-process time), each process one core serving its connections first come first served, connection k on
    process k % processes (`searchapp.server.Balance` spreads them evenly), `clients` closed-loop clients asking
    the mix in turn. Queueing alone: with 16 clients on 2 cores every answer waits for about seven others
    (Little's law: mean latency = clients / throughput), so its p95 is the floor any FIFO server can reach."""
    free = [0.0] * processes
    ready = [(0.0, k) for k in range(clients)]  # (when the client asks again, client)
    heapq.heapify(ready)
    latencies: list[float] = []
    for i in range(requests):
        asked, k = heapq.heappop(ready)
        core = k % processes
        free[core] = max(asked, free[core]) + times_ms[i % len(times_ms)]
        latencies.append(free[core] - asked)
        heapq.heappush(ready, (free[core], k))
    figures = _percentiles([ms / 1000 for ms in latencies])
    return {"rps": round(requests / (max(free) / 1000), 1), "p50": figures["p50"], "p95": figures["p95"]}


def against_in_process(serve: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    """HTTP beside the engine, measured in the same run: the requests/s the in-process mean query time allows
    on this machine's cores, the share of it HTTP reached, and HTTP p95 over in-process p95; then the same
    requests through an ideal FIFO server (`fifo_model`), whose p95 over the in-process p95 is what queueing
    alone makes of it, and HTTP p95 over that: what the real server adds."""
    mean = query.get("mix", {}).get("mean")
    p95 = query.get("mix", {}).get("p95")
    http_p95 = serve.get("latency", {}).get("p95")
    cores = os.cpu_count() or 1
    out: dict[str, Any] = {}
    if mean:
        out["capacity_rps"] = round(cores / (mean / 1000), 1)
        out["rps_share"] = round(serve["rps"] / out["capacity_rps"], 3)
    if p95 and http_p95:
        out["p95_ratio"] = round(http_p95 / p95, 2)
    cpu, http_cpu = query.get("mix_cpu_ms"), serve.get("cpu_ms_per_request")
    if cpu and http_cpu:
        # the same comparison in CPU time, which other work on a shared machine does not inflate
        out["cpu_capacity_rps"] = round(cores / (cpu / 1000), 1)
        out["cpu_ratio"] = round(http_cpu / cpu, 2)
    times = query.get("mix_ms")
    if times and serve.get("requests") and serve.get("clients"):
        ideal = fifo_model(times, int(serve["clients"]), int(serve.get("processes") or cores), int(serve["requests"]))
        out["ideal_fifo"] = ideal
        if p95:
            out["ideal_p95_ratio"] = round(ideal["p95"] / p95, 2)
        if http_p95:
            out["p95_over_ideal"] = round(http_p95 / ideal["p95"], 2)
    return out


def serve_baseline(target: Path, port: int, threads: int = 8, lifetime: float = 1800.0) -> None:
    """The baseline's web app: one Flask route over `BaselineIndex` on waitress; it stops after `lifetime` s."""
    from flask import Flask, jsonify, request
    from waitress import serve

    from bench.baseline import BaselineIndex

    ix = BaselineIndex(target / "baseline-index")
    app = Flask("baseline")

    @app.get("/api/search")
    def search() -> Any:
        req = request_from_params({k: request.args.getlist(k) for k in request.args})
        result = ix.search(req)
        return jsonify(
            {
                "total": result.total,
                "results": [
                    {"id": h.record.id, "title": h.record.title, "url": h.record.url, "snippet": h.snippet}
                    for h in result.hits
                ],
                "facets": {k: [{"value": f.value, "count": f.count} for f in v] for k, v in result.facets.items()},
            }
        )

    threading.Timer(lifetime, lambda: os._exit(0)).start()
    serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)


# ---------------------------------------------------------------------------------------------------------------
# The suite


@dataclass(slots=True)
class SuiteOptions:
    n: int
    seed: int = 1
    out: Path = ROOT / "bench" / "out"
    work: Path | None = None  # corpus and indexes; default out/work-<n>
    engines: tuple[str, ...] = ENGINES
    queries: int = 200
    clients: int = 16
    requests: int = 1600
    threads: int = 8
    processes: int = 0  # serving processes (SEARCHAPP_PROCESSES); 0: one per core
    serve: bool = True
    keep: bool = True
    analysis: str = "full"  # ours: full (index.ingest.to_record) or generated (the generator's facts)
    reuse: tuple[str, ...] = ()  # engines whose index (and indexing figures) from an earlier run may be reused
    translate: str = "both"  # ours: the query mix with cross-language translation on, off, or both in turn
    two_workers: bool = True  # OpenSearch: load the corpus a second time, with two workers
    notes: list[str] = field(default_factory=list)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    with contextlib.suppress(ValueError, OSError):
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def ensure_corpus(n: int, seed: int, folder: Path) -> dict[str, Any]:
    """Generate the corpus into `folder` unless one of the same size and seed is there."""
    try:
        manifest = corpus.read_manifest(folder)
        if manifest.get("n") == n and manifest.get("seed") == seed and manifest.get("generator") == corpus.GENERATOR:
            return manifest
    except (OSError, ValueError):
        pass
    with Progress(f"generating a corpus of {n} articles", total=n) as progress:
        return corpus.write_corpus(corpus.CorpusSpec(n=n, seed=seed), folder, progress)


def run_suite(opts: SuiteOptions) -> dict[str, Any]:
    import shutil

    work = opts.work or opts.out / f"work-{opts.n}"
    folder = work / f"corpus-{opts.n}-{opts.seed}"
    manifest = ensure_corpus(opts.n, opts.seed, folder)
    results: dict[str, Any] = {
        "n": opts.n,
        "seed": opts.seed,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "corpus": manifest,
        "settings": {"queries": opts.queries, "clients": opts.clients, "requests": opts.requests},
        "engines": {},
    }
    say = Progress("bench", enabled=True).say
    timeout = max(600.0, opts.n * 0.2)
    for engine in opts.engines:
        target = work / engine
        saved = target / INDEX_PHASE_FILE
        reuse = engine in opts.reuse and saved.exists()
        if not reuse:
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
        entry: dict[str, Any] = {}
        results["engines"][engine] = entry
        try:
            if reuse:
                # A long bulk load (the baseline at 100k) is measured once; queries and serving are measured
                # again in this run, under this run's load.
                say(f"bench: reusing the {engine} index built earlier for this corpus")
                entry["index"] = {**json.loads(saved.read_text(encoding="utf-8")), "reused": True}
            else:
                say(f"bench: indexing {opts.n} articles with {engine} in a child process")
                entry["index"] = _run_child(
                    ["_phase", "index", engine, str(folder), str(target), "--analysis", opts.analysis], timeout
                )
                saved.write_text(json.dumps(entry["index"]), encoding="utf-8")
            say(f"bench: {opts.queries} queries, sort=date and histograms on {engine}")
            query_args = ["_phase", "query", engine, str(folder), str(target), "--queries", str(opts.queries)]
            query_args += ["--translate", opts.translate]
            entry["query"] = _run_child(
                query_args,
                timeout,
            )
            if opts.serve:
                say(f"bench: {opts.requests} HTTP requests from {opts.clients} clients to the {engine} server")
                entry["serve"] = phase_serve(
                    engine, folder, target, opts.clients, opts.requests, opts.threads, opts.processes
                )
                entry["serve"].update(against_in_process(entry["serve"], entry["query"]))
                if "opensearch" in opts.engines and engine != "baseline":
                    say(f"bench: {opts.requests} HTTP requests from 16 clients to the {engine} server")
                    entry["serve16"] = phase_serve(
                        engine, folder, target, 16, opts.requests, opts.threads, opts.processes
                    )
            if engine == "opensearch":
                from bench.cluster import cluster_memory_mb

                entry["cluster_memory_mb"] = cluster_memory_mb()
                if (work / "ours" / INDEX_PHASE_FILE).exists():
                    say("bench: the query mix on ours and opensearch: the same totals and facet counts?")
                    entry["parity"] = _run_child(
                        ["_phase", "parity", engine, str(folder), str(target), "--queries", str(opts.queries)], timeout
                    )
                if opts.two_workers:
                    # indexing again with two workers, into a fresh index of another data folder
                    target2 = work / "opensearch-2workers"
                    shutil.rmtree(target2, ignore_errors=True)
                    target2.mkdir(parents=True)
                    say(f"bench: indexing {opts.n} articles with opensearch and 2 workers in a child process")
                    entry["index_2workers"] = _run_child(
                        ["_phase", "index", engine, str(folder), str(target2), "--workers", "2"], timeout
                    )
        except (BenchError, subprocess.TimeoutExpired) as exc:
            entry["error"] = str(exc)
            say(f"bench: {engine}: {exc}")
        if not opts.keep:
            shutil.rmtree(target, ignore_errors=True)
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return results

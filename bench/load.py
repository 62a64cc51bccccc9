"""Load under writes: 16 concurrent clients for 60 s on the real server while the crawler indexes new articles.

`python -m bench.load` loads the benchmark corpus (`bench.corpus`, generated facts, no enrichment) into a
fresh data folder, starts `searchapp serve` on it, starts `searchapp crawl` of the bundled demo press sites
(`DemoSites`) into the same folder, so the index gains articles and commits while it is read, and drives the
server with wrk (Debian's `wrk`; a real load tool, not a Python loop) with the benchmark's query mix
(`bench.run.query_mix`: common, rare, pairs, phrases and filter-only listings, with facets, on
`/api/search`). It reports throughput, latency percentiles and errors (non-2xx answers and socket errors,
which must be zero) as a line of text and a JSON file; the exit status is 1 when there was any error.
Part of the benchmark, not of CI: it holds two cores busy for a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import corpus
from bench.run import ROOT, ensure_corpus, query_mix, request_params
from crawler.progress import Progress

# wrk runs the Lua script in each of its threads: each thread walks the mix from its own offset, and `done`
# (run once, after the threads) prints the summary as JSON on a line of its own.
LUA = """
local paths = {%(paths)s}
local counter = 0
local offset = 0
local next_id = 0
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
init = function(args)
  offset = (id or 0) * 37
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter + offset) %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "status_errors": %%d, "connect": %%d, ' ..
    '"read": %%d, "write": %%d, "timeout": %%d, "p50_ms": %%.2f, "p90_ms": %%.2f, "p95_ms": %%.2f, ' ..
    '"p99_ms": %%.2f, "max_ms": %%.2f, "mean_ms": %%.2f}\\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


class LoadError(Exception):
    """The load test cannot run as asked; the message says why."""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def load_corpus(folder: Path, data: Path) -> int:
    """Index the generated corpus (its own facts, no enrichment) into `data`/index; returns the article count."""
    from index import open_index

    index = open_index(data / "index")
    try:
        batch = []
        with Progress("load: indexing the benchmark corpus", total=corpus.read_manifest(folder)["n"]) as line:
            for item in corpus.read_items(folder):
                batch.append(corpus.to_record(item))
                line.advance()
                if len(batch) >= 2000:
                    index.add(batch)
                    batch = []
            if batch:
                index.add(batch)
        return index.count()
    finally:
        index.close()


def _total(base: str) -> int:
    with urllib.request.urlopen(base + "/api/search?q=&per_page=1", timeout=30) as response:
        total: int = json.loads(response.read())["total"]
        return total


def _wait_ready(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LoadError(f"the server exited with status {proc.returncode} before answering")
        try:
            _total(base)
            return
        except OSError:
            time.sleep(0.2)
    raise LoadError("the server did not answer within 120 s")


def _note_end(proc: subprocess.Popen[bytes], ended: list[float]) -> None:
    """When the crawl ends, so the report can say whether it was writing through the whole load."""
    proc.wait()
    ended.append(time.monotonic())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_load(
    *, n: int, seed: int, work: Path, clients: int, seconds: int, threads: int, crawl_delay: float
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError("wrk is not installed: `apt-get install -y wrk` (Debian) or see https://github.com/wg/wrk")
    from searchapp.demo.sites import DemoSites

    folder = work / f"corpus-{n}-{seed}"
    ensure_corpus(n, seed, folder)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    loaded = load_corpus(folder, data)
    mix = query_mix(folder, 200)
    paths = ["/api/search?" + urllib.parse.urlencode(request_params(q.request)) for q in mix]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cli = [sys.executable, "-m", "searchapp.cli"]
    env = {**os.environ, "SEARCHAPP_THREADS": str(threads)}
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    with DemoSites() as sites, tempfile.TemporaryDirectory() as tmp:
        sources = sites.write_sources(Path(tmp) / "sources.toml")
        # The demo's sources file sets each site's delay to 0 (which wins over --delay): pace the crawl so that it
        # is still adding articles for most of the load instead of finishing in its first seconds.
        text = sources.read_text(encoding="utf-8")
        sources.write_text(text.replace("delay = 0.0", f"delay = {crawl_delay}"), encoding="utf-8")
        server = subprocess.Popen(
            [*cli, "serve", "--data", str(data), "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / "serve.log").open("wb"),
        )
        crawl: subprocess.Popen[bytes] | None = None
        try:
            _wait_ready(server, base)
            before = _total(base)
            script = Path(tmp) / "mix.lua"
            script.write_text(LUA % {"paths": ", ".join(_lua_string(p) for p in paths)}, encoding="utf-8")
            crawl_log = (logs / "crawl.log").open("wb")
            crawl = subprocess.Popen(
                [*cli, "crawl", "--data", str(data), "--sources", str(sources), "--delay", str(crawl_delay)],
                stdout=subprocess.DEVNULL,
                stderr=crawl_log,
            )
            print(f"load: wrk, {clients} connections, {seconds} s, {len(paths)} queries, while the crawler indexes")
            started = time.monotonic()
            crawl_ended: list[float] = []
            threading.Thread(target=_note_end, args=(crawl, crawl_ended), daemon=True).start()
            done = subprocess.run(
                [
                    wrk,
                    f"-t{min(clients, max(1, os.cpu_count() or 1))}",
                    f"-c{clients}",
                    f"-d{seconds}s",
                    "--timeout",
                    "30s",
                    "--latency",
                    "-s",
                    str(script),
                    base,
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 120,
            )
            after = _total(base)
            crawl_seconds = crawl_ended[0] - started if crawl_ended else None  # None: still crawling at the end
            crawl.wait(timeout=600)  # let it finish its work, so that the crawl's own result is known
            crawl_log.close()
            final = _total(base)
        finally:
            if crawl is not None:
                _stop(crawl)
            _stop(server)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-JSON ")), "")
    if done.returncode != 0 or not line:
        raise LoadError(f"wrk failed (status {done.returncode}): {done.stderr.strip() or done.stdout[-500:]}")
    figures: dict[str, Any] = json.loads(line[len("WRK-JSON ") :])
    elapsed = figures["duration_us"] / 1e6
    socket_errors = figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
    return {
        "corpus_articles": loaded,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": figures["requests"],
        "rps": round(figures["requests"] / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {k[:-3]: figures[k] for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")},
        "errors": figures["status_errors"] + socket_errors,
        "non_2xx": figures["status_errors"],
        "socket_errors": socket_errors,
        "total_before": before,
        "total_after_load": after,
        "total_after_crawl": final,
        "crawl_returncode": crawl.returncode if crawl is not None else None,
        "crawl_finished_within_load_s": round(crawl_seconds, 1) if crawl_seconds is not None else None,
        "server_threads": threads,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "wrk": done.stdout.strip().splitlines()[:12],
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="16 concurrent clients for 60 s on /api/search with the benchmark's query mix, through the "
        "real server, while the crawler indexes the demo press sites into the same index (needs wrk).",
    )
    parser.add_argument("--n", type=int, default=3000, help="articles of the benchmark corpus (default 3000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus (default 1)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "load", help="work folder")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--seconds", type=int, default=60, help="duration of the load (default 60)")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (default 8)")
    parser.add_argument(
        "--crawl-delay", type=float, default=1.0, help="seconds between requests to one demo site (default 1.0)"
    )
    parser.add_argument("--out", type=Path, help="JSON file for the figures (default WORK/load.json)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.n < 1 or args.clients < 1 or args.seconds < 1 or args.threads < 1 or args.crawl_delay < 0:
        print("bench.load: --n, --clients, --seconds and --threads must be at least 1", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    try:
        result = run_load(
            n=args.n,
            seed=args.seed,
            work=args.work,
            clients=args.clients,
            seconds=args.seconds,
            threads=args.threads,
            crawl_delay=args.crawl_delay,
        )
    except LoadError as exc:
        print(f"bench.load: {exc}", file=sys.stderr)
        return 2
    out = args.out or args.work / "load.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    latency = result["latency_ms"]
    print(
        f"load: {result['requests']} requests in {result['seconds']} s from {result['clients']} clients: "
        f"{result['rps']} req/s, p50 {latency['p50']} ms, p95 {latency['p95']} ms, p99 {latency['p99']} ms, "
        f"errors {result['errors']} (non-2xx {result['non_2xx']}, socket {result['socket_errors']}); "
        f"articles {result['total_before']} -> {result['total_after_load']} during the load "
        f"-> {result['total_after_crawl']} after the crawl; figures in {out}"
    )
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Crawler benchmark: 2,000 article pages on 4 loopback hosts, crawled at delay 0, against a plain httpx loop.

Not a test: `python -m bench.crawl_bench` prints a table (and `--json FILE` writes the figures). Four phases
run in the same invocation, each in a child process of its own so its peak memory (with its workers) is its own;
the sites are served by the parent:

- `baseline`: a plain httpx GET of every article URL, one thread per host (what the network and the
  servers cost at all: the floor against which the crawler is a ratio);
- `crawl`: the real crawler (robots.txt, sitemaps, frontier in SQLite, WARC archive with fsync, discovery)
  with a sink that drops the pages;
- `full`: `searchapp.pipeline.crawl`, i.e. the crawler plus extraction, enrichment and the index, as
  `searchapp crawl` runs it;
- `reindex`: `searchapp.pipeline.reindex` from the archive the `full` phase wrote.

Pages are rendered from the synthetic corpus of `bench.corpus` (the same generator the index benchmark
uses), so no news text is copied. Target (issue #3): full >= 100 pages/s, peak <= 300 MB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOSTS = 4
PAGES = 2000
PATTERN = r"^/news/\d+\.html$"


# -- the sites ----------------------------------------------------------------------------------------------


def render(item: dict[str, Any], others: list[int]) -> bytes:
    """An article page as a regional site would serve it: header, nav, article, related links, footer."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in item["paragraphs"])
    related = "".join(f'<li><a href="/news/{j}.html">Материал {j}</a></li>' for j in others)
    published = item["published"] or "2025-01-01"
    return (
        f'<!doctype html><html lang="{item["lang"]}"><head><meta charset="utf-8">'
        f"<title>{html.escape(item['title'])}</title>"
        f'<meta property="article:published_time" content="{published}">'
        '</head><body><header><nav><a href="/">Басты бет</a> <a href="/sitemap.xml">Карта</a></nav></header>'
        f"<main><article><h1>{html.escape(item['title'])}</h1>"
        f'<p class="lead">{html.escape(item["lead"])}</p>{paragraphs}</article>'
        f'<aside><ul class="related">{related}</ul></aside></main>'
        "<footer>© Bench press</footer></body></html>"
    ).encode()


class Sites:
    """HOSTS servers on 127.0.0.1, each with robots.txt, a sitemap and its share of the pages."""

    def __init__(self, pages: int = PAGES, hosts: int = HOSTS) -> None:
        from bench.corpus import CorpusSpec, Generator

        items = list(Generator(CorpusSpec(n=pages, seed=3)).articles())[:pages]
        self.servers: list[ThreadingHTTPServer] = []
        self.bases: list[str] = []
        self.pages: list[dict[str, bytes]] = []
        for h in range(hosts):
            mine = list(range(h, len(items), hosts))
            content: dict[str, bytes] = {}
            for k, i in enumerate(mine):
                others = [mine[(k + d) % len(mine)] for d in (1, 2, 3, 5, 8)]
                content[f"/news/{i}.html"] = render(items[i], others)
            self.pages.append(content)
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(content, self))
            server.daemon_threads = True
            self.servers.append(server)
            self.bases.append(f"http://127.0.0.1:{server.server_address[1]}")
            threading.Thread(target=server.serve_forever, daemon=True).start()
        for base, content in zip(self.bases, self.pages, strict=True):
            locs = "".join(f"<url><loc>{base}{path}</loc></url>" for path in content)
            content["/sitemap.xml"] = (
                f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            ).encode()
            content["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"

    def article_urls(self) -> list[list[str]]:
        return [[b + p for p in c if p.startswith("/news/")] for b, c in zip(self.bases, self.pages, strict=True)]

    def sources_toml(self, path: Path) -> Path:
        blocks = []
        for i, base in enumerate(self.bases):
            blocks.append(
                f'[[source]]\nid = "bench{i}"\nname = "Bench {i}"\nlang = ["kk", "ru"]\n'
                f"sitemaps = [\"{base}/sitemap.xml\"]\narticle_patterns = ['{PATTERN}']\n"
                "allow_private = true\ndelay = 0.0\n"
            )
        path.write_text("\n".join(blocks), encoding="utf-8")
        return path

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _handler(content: dict[str, bytes], sites: Sites) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body in one write: unbuffered, they go out as two segments and Nagle's algorithm meets
        # delayed ACKs, costing 40 ms a response (http.server flushes after each request).
        wbufsize = 1 << 16

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = content.get(self.path.split("?", 1)[0])
            status = 200 if body is not None else 404
            body = body if body is not None else b"not found"
            ctype = "application/xml" if self.path.endswith(".xml") else "text/plain" if "robots" in self.path else ""
            self.send_response(status)
            self.send_header("Content-Type", ctype or "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# -- the phases (each in a child process) -------------------------------------------------------------------


def _proc_mb(pid: int | str, name: str, field: str) -> float:
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class PeakMemory:
    """Peak memory of this process and its worker processes together, sampled every 100 ms: the sum of their
    PSS (each shared page split among the processes that map it: what the machine gives them) and the sum of
    their RSS (shared pages counted in full in each: an upper bound), the latter never below this process's
    own peak (VmHWM). ru_maxrss is no use here: it misses the workers, and a child starts from its parent's
    figure (the bench's 90 MB of pages)."""

    def __init__(self) -> None:
        self.pss = self.rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.1):
            pids = [me, *_descendants(me)]
            self.rss = max(self.rss, sum(_proc_mb(pid, "status", "VmRSS") for pid in pids))
            self.pss = max(self.pss, sum(_proc_mb(pid, "smaps_rollup", "Pss") for pid in pids))

    def stop(self) -> tuple[float, float]:
        """(peak PSS, peak RSS) in MB."""
        self._stop.set()
        self._thread.join()
        return self.pss, max(self.rss, _proc_mb("self", "status", "VmHWM"))


def phase_baseline(urls: list[list[str]]) -> dict[str, Any]:
    import httpx

    def one_host(host_urls: list[str]) -> int:
        with httpx.Client() as client:
            return sum(1 for u in host_urls if client.get(u).status_code == 200)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        ok = sum(pool.map(one_host, urls))
    seconds = time.perf_counter() - started
    return {"pages": ok, "responses": ok, "seconds": seconds}


def phase_crawl(sources_file: Path, data: Path) -> dict[str, Any]:
    from crawler.archive import ArchiveWriter
    from crawler.crawl import CrawlConfig, Crawler
    from crawler.frontier import Frontier
    from crawler.models import Fetched
    from crawler.sources import Source, load_sources

    class NullSink:
        def page(self, fetched: Fetched, source: Source) -> None:
            pass

        def commit(self) -> None:
            pass

    frontier = Frontier(data / "crawl" / "frontier.sqlite")
    writer = ArchiveWriter(data / "archive")
    config = CrawlConfig(user_agent="KzPressSearchBench/0.1 (+https://example.invalid)", delay=0.0)
    started = time.perf_counter()
    stats = Crawler(load_sources(sources_file), frontier, writer, config, NullSink()).run()
    seconds = time.perf_counter() - started
    writer.close()
    frontier.close()
    return {"pages": stats.articles, "responses": stats.fetched, "seconds": seconds}


def phase_full(sources_file: Path, data: Path) -> dict[str, Any]:
    from crawler.sources import load_sources
    from searchapp import pipeline
    from searchapp.paths import DataPaths

    paths = DataPaths(data)
    started = time.perf_counter()
    summary = pipeline.crawl(paths, load_sources(sources_file), delay=0.0, progress=False)
    seconds = time.perf_counter() - started
    stats = summary.stats
    return {"pages": stats.articles, "responses": stats.fetched, "seconds": seconds, "indexed": summary.indexed}


def phase_reindex(data: Path) -> dict[str, Any]:
    from searchapp import pipeline
    from searchapp.paths import DataPaths

    started = time.perf_counter()
    summary = pipeline.reindex(DataPaths(data), progress=False)
    seconds = time.perf_counter() - started
    return {"pages": summary.pages, "responses": summary.responses, "seconds": seconds, "indexed": summary.indexed}


def child(argv: Sequence[str]) -> int:
    phase, arg = argv[0], json.loads(argv[1])
    memory = PeakMemory()
    if phase == "baseline":
        result = phase_baseline(arg["urls"])
    elif phase == "crawl":
        result = phase_crawl(Path(arg["sources"]), Path(arg["data"]))
    elif phase == "full":
        result = phase_full(Path(arg["sources"]), Path(arg["data"]))
    else:
        result = phase_reindex(Path(arg["data"]))
    result["peak_mb"], result["peak_rss_mb"] = memory.stop()
    print(json.dumps(result))
    return 0


def _run_child(phase: str, arg: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.crawl_bench", "--child", phase, json.dumps(arg)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=PAGES, help=f"article pages in all (default {PAGES})")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--phases", default="crawl,full,reindex", help="phases after the baseline (default crawl,full,reindex)"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    work = Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    print(f"rendering {args.pages} pages on {HOSTS} loopback hosts...", file=sys.stderr)
    sites = Sites(args.pages)
    try:
        sources = sites.sources_toml(work / "sources.toml")
        results = {"baseline": _run_child("baseline", {"urls": sites.article_urls()})}
        print("baseline done", file=sys.stderr)
        phases = [p.strip() for p in args.phases.split(",") if p.strip()]
        if "crawl" in phases:
            results["crawl"] = _run_child("crawl", {"sources": str(sources), "data": str(work / "crawl")})
            print("crawl done", file=sys.stderr)
        if "full" in phases or "reindex" in phases:
            results["full"] = _run_child("full", {"sources": str(sources), "data": str(work / "full")})
            print("full done", file=sys.stderr)
        if "reindex" in phases:
            results["reindex"] = _run_child("reindex", {"data": str(work / "full")})
    finally:
        sites.close()
        shutil.rmtree(work, ignore_errors=True)
    base_rate = results["baseline"]["pages"] / results["baseline"]["seconds"]
    header = ("phase", "articles", "responses", "seconds", "pages/s", "x baseline", "peak MB", "RSS MB")
    print("\n{:<10} {:>8} {:>9} {:>8} {:>8} {:>10} {:>8} {:>8}".format(*header))
    for name, r in results.items():
        rate = r["pages"] / r["seconds"] if r["seconds"] else 0.0
        r["pages_per_s"] = round(rate, 1)
        r["ratio"] = round(rate / base_rate, 3) if base_rate else 0.0
        print(
            f"{name:<10} {r['pages']:>8} {r['responses']:>9} {r['seconds']:>8.1f} {rate:>8.1f} "
            f"{r['ratio']:>10.3f} {r['peak_mb']:>8.0f} {r['peak_rss_mb']:>8.0f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

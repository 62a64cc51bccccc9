"""The whole flow on the demo sites: crawl -> archive -> extract -> ingest -> index, revisits, kill -9, reindex.

The demo sites (`searchapp.demo.sites.DemoSites`, served on loopback by the session fixture `demo_sites`)
know which articles a polite crawler should collect and which paths their robots.txt disallows.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.archive import iter_responses
from crawler.sources import load_sources
from index import SearchRequest, open_index
from searchapp import pipeline
from searchapp.cli import main
from searchapp.demo.sites import DemoSites
from searchapp.paths import DataPaths
from tests.conftest import ROOT


def indexed_urls(paths: DataPaths) -> set[str]:
    index = open_index(paths.index, readonly=True)
    try:
        return {r.url for r in index.iter_records(SearchRequest(group=False, sort="date"), limit=100_000)}
    finally:
        index.close()


def expected_urls(demo: DemoSites) -> set[str]:
    return {e.url for e in demo.expected_articles()}


def disallowed(demo: DemoSites, url: str) -> bool:
    for outlet in demo.outlets:
        if url.startswith(outlet.base_url):
            return not demo.site(outlet.id).allowed(urlsplit(url).path)
    return False


def test_crawl_collects_every_article_then_revisits_conditionally_then_reindexes(
    demo_sites: DemoSites, tmp_path: Path
) -> None:
    paths = DataPaths(tmp_path / "data")
    sources = load_sources(demo_sites.write_sources(tmp_path / "sources.toml"))
    first = pipeline.crawl(paths, sources, delay=0.0, progress=False)
    assert first.stats.finished and first.stats.errors == 0
    assert indexed_urls(paths) == expected_urls(demo_sites)
    fetched = [r.fetched.url for r in iter_responses(paths.archive)]
    assert not [u for u in fetched if disallowed(demo_sites, u)]

    # A full revisit (`crawl --revisit all`): every article is asked again, conditionally.
    second = pipeline.crawl(paths, sources, delay=0.0, progress=False, revisit_all=True)
    assert second.stats.articles == 0  # no unchanged article body was fetched again
    responses = list(iter_responses(paths.archive))
    revisits = responses[len(fetched) :]
    articles = [r for r in revisits if r.role == "article"]
    assert articles and all(r.fetched.status == 304 and not r.fetched.body for r in articles)
    requests_conditional = second.stats.not_modified
    assert requests_conditional >= len(expected_urls(demo_sites))

    summary = pipeline.reindex(paths, progress=False)
    assert summary.indexed == len(expected_urls(demo_sites))
    assert indexed_urls(paths) == expected_urls(demo_sites)


def records_by_url(paths: DataPaths) -> dict[str, dict[str, object]]:
    index = open_index(paths.index, readonly=True)
    try:
        return {
            r.url: {k: v for k, v in dataclasses.asdict(r).items() if k != "group_id"}
            for r in index.iter_records(SearchRequest(group=False, sort="date"), limit=100_000)
        }
    finally:
        index.close()


def test_extraction_in_a_worker_process_indexes_what_it_indexes_in_process(
    demo_sites: DemoSites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = DataPaths(tmp_path / "data")
    sources = load_sources(demo_sites.write_sources(tmp_path / "sources.toml"))
    monkeypatch.setattr(pipeline, "EXTRACT_WORKERS", 0)
    pipeline.crawl(paths, sources, delay=0.0, progress=False)
    in_process = records_by_url(paths)
    monkeypatch.setattr(pipeline, "EXTRACT_WORKERS", 2)
    summary = pipeline.reindex(paths, progress=False)
    assert summary.indexed == len(in_process) == len(expected_urls(demo_sites))
    assert records_by_url(paths) == in_process


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]]\nid = 'x'\n", encoding="utf-8")
    assert main(["crawl", "--data", str(tmp_path / "d"), "--sources", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("searchapp crawl:") and "needs at least one start URL" in err and "\n" not in err
    assert main(["crawl", "--data", str(tmp_path / "d"), "--delay", "0", "https://tengrinews.kz/"]) == 1
    assert "only allowed for sites on this machine" in capsys.readouterr().err
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    assert main(["crawl", "--data", str(tmp_path / "d2"), "--delay", "0", f"http://127.0.0.1:{closed}/"]) == 1
    assert "nothing could be fetched" in capsys.readouterr().err.strip().splitlines()[-1]
    assert main(["reindex", "--data", str(tmp_path / "empty")]) == 1
    assert "nothing to reindex" in capsys.readouterr().err


@pytest.mark.slow
def test_kill_9_mid_crawl_then_restart_gives_the_same_articles(demo_sites: DemoSites, tmp_path: Path) -> None:
    data = tmp_path / "data"
    sources = demo_sites.write_sources(tmp_path / "sources.toml")
    command = [
        sys.executable,
        "-c",
        "import sys; from searchapp.cli import main; sys.exit(main())",
        "crawl",
        "--data",
        str(data),
        "--sources",
        str(sources),
        "--delay",
        "0",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    total = len(expected_urls(demo_sites))
    deadline = time.monotonic() + 120
    try:
        while True:
            assert child.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            archived = [r for r in iter_responses(data / "archive", on_damage=lambda _: None) if r.role == "article"]
            if len(archived) >= total // 3:
                break
            time.sleep(0.2)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with sqlite3.connect(data / "crawl" / "frontier.sqlite") as db:
        finished = {u for (u,) in db.execute("SELECT url FROM urls WHERE state = 'done'")}
    assert finished
    subprocess.run(command, env=env, check=True, timeout=300, stderr=subprocess.DEVNULL)
    paths = DataPaths(data)
    assert indexed_urls(paths) == expected_urls(demo_sites)
    counts: dict[str, int] = {}
    for r in iter_responses(data / "archive", on_damage=lambda _: None):
        counts[r.fetched.url] = counts.get(r.fetched.url, 0) + 1
    refetched = [u for u in finished if counts[u] != 1]
    assert not refetched, "finished URLs were fetched again after the restart"


def test_a_swap_cut_between_two_renames_is_finished_by_the_next_run(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    new_dir, old_dir = paths.root / "index.new", paths.root / "index.old"
    new_dir.mkdir(parents=True)
    (new_dir / "marker").write_text("rebuilt")
    old_dir.mkdir()
    pipeline.recover_swap(paths)
    assert (paths.index / "marker").read_text() == "rebuilt" and not old_dir.exists() and not new_dir.exists()
    paths.index.rename(old_dir)  # a state that is not a cut swap (no index.new): left alone
    pipeline.recover_swap(paths)
    assert old_dir.exists() and not paths.index.exists()

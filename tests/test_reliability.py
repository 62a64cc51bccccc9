"""Faults: SIGKILL of the crawler, the indexer and the server at random moments; a full disk; damaged files.

Everything runs as users run it: `searchapp crawl`, `reindex` and `serve` subprocesses against the bundled
demo press sites on loopback (`DemoSites`), killed with SIGKILL after varying delays or once the archive has
grown by some records. After each kill the data folder is checked the way a restart sees it: every response
record archived before stays readable, every frontier row that points into the archive points at a readable
record of its URL, and the index opens. At the end the article count must equal a clean run's.

The disk-full tests run the crawler with RLIMIT_FSIZE (writes past the limit fail with EFBIG, SIGXFSZ
ignored) and, where the machine lets us mount one, on a tiny tmpfs (ENOSPC): the crawler must stop with a
one-line message, leave archive and frontier consistent, and a restart with room must complete the crawl.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from searchapp.demo.sites import DemoSites

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("SEARCHAPP_FAULT_SEED", random.randrange(1 << 30)))


def cli_args(command: str, data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "searchapp.cli", command, "--data", str(data), *args]


def run_cli(command: str, data: Path, *args: str, timeout: float = 300, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_args(command, data, *args), capture_output=True, text=True, timeout=timeout, **kw)


def start_cli(command: str, data: Path, *args: str, **kw: Any) -> subprocess.Popen[bytes]:
    # a session of its own, so the kill reaches the process and anything it started
    return subprocess.Popen(
        cli_args(command, data, *args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **kw,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stderr is not None:
        proc.stderr.close()


def archive_bytes(data: Path) -> int:
    folder = data / "archive"
    return sum(p.stat().st_size for p in folder.glob("*.warc*")) if folder.is_dir() else 0


@dataclass
class Snapshot:
    """What a restart finds in the data folder."""

    records: set[tuple[str, int, str]] = field(default_factory=set)  # (warc file, offset, url) readable
    damage: list[str] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)  # URLs of archived article pages
    indexed: int | None = None  # None: no index yet
    total: int | None = None  # what an empty search answers (reprints folded)
    data: Path | None = None


def snapshot(data: Path) -> Snapshot:
    from crawler.archive import iter_responses

    snap = Snapshot(data=data)
    if (data / "archive").is_dir():
        for item in iter_responses(data / "archive", on_damage=snap.damage.append):
            snap.records.add((item.fetched.warc_file, item.fetched.warc_offset, item.fetched.url))
            if item.role == "article" and item.fetched.status == 200:
                snap.articles.add(item.fetched.url)
    counts = index_counts(data)
    if counts is not None:
        snap.indexed, snap.total = counts
    return snap


def index_counts(data: Path) -> tuple[int, int] | None:
    """(articles, total of an empty search) of the data folder's index; None when no index was made yet."""
    from index import open_index
    from index.models import SearchRequest

    folder = data / "index"
    if not folder.is_dir() or not any(folder.rglob("*.toc")):
        return None
    index = open_index(folder, readonly=True)  # must open: a kill may not leave an index that cannot be read
    try:
        return index.count(), index.search(SearchRequest(facets=False)).total
    finally:
        index.close()


def check_frontier(data: Path) -> int:
    """Every frontier row that says where its response is archived points at a readable record of that URL."""
    import sqlite3

    from crawler.archive import read_record

    path = data / "crawl" / "frontier.sqlite"
    if not path.exists():
        return 0
    db = sqlite3.connect(path)  # read-write: a reader must be able to recover the WAL left by a kill
    try:
        rows = db.execute("SELECT url, warc_file, warc_offset FROM urls WHERE warc_file != ''").fetchall()
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    assert integrity == "ok", integrity
    for url, warc_file, offset in rows:
        fetched = read_record(data / "archive", warc_file, offset)
        assert fetched.url == url, (url, fetched.url)
    return len(rows)


@pytest.fixture(scope="module")
def sites() -> Iterator[DemoSites]:
    with DemoSites() as demo:
        yield demo


@pytest.fixture(scope="module")
def sources(sites: DemoSites, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sites.write_sources(tmp_path_factory.mktemp("sources") / "sources.toml")


@pytest.fixture(scope="module")
def clean_run(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """One uninterrupted crawl of the demo sites: what every faulty run must converge to."""
    data = tmp_path_factory.mktemp("clean") / "data"
    done = run_cli("crawl", data, "--sources", str(sources), "--delay", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    snap = snapshot(data)
    assert snap.indexed and snap.indexed >= 40 and not snap.damage
    return snap


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    url = urllib.parse.quote(url, safe=":/?=&%")  # the queries are Kazakh and Russian
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextlib.contextmanager
def server(data: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    proc = start_cli("serve", data, "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (proc.stderr.read() if proc.stderr else b"").decode()[-2000:]
            try:
                get(base + "/api/search?q=", timeout=30)  # any answer: a damaged index answers 503
                break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield proc, base
    finally:
        kill(proc)


class Hammer:
    """Clients querying a server in threads until stopped; counts answers by status and transport errors."""

    QUERIES = ("/api/search?q=", "/api/search?q=облысында", "/api/search?q=завод&sort=date", "/?q=аймақ",
               "/api/search?region=KZ-61", "/api/search?q=бюджет&lang=kk", "/api/search?q=aimak")  # fmt: skip

    def __init__(self, base: str, threads: int = 2) -> None:
        self.base = base
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, n: int) -> None:
        i = n
        while not self._stop.is_set():
            path = self.QUERIES[i % len(self.QUERIES)]
            i += 1
            try:
                status, _body = get(self.base + path)
            except (OSError, http.client.HTTPException) as exc:  # a server killed mid-answer cuts it short
                with self._lock:
                    self.errors.append(f"{path}: {exc!r}")
                continue
            with self._lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def __enter__(self) -> Hammer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())


# --- SIGKILL -------------------------------------------------------------------------------------------------


def test_sigkill_crawler_indexer_and_server_at_random_moments(
    sources: Path, clean_run: Snapshot, tmp_path: Path
) -> None:
    """22 kill points: 12 in crawls, 6 in reindexes, 4 in the server under queries. Nothing is lost."""
    rng = random.Random(SEED)
    data = tmp_path / "data"
    kills: list[str] = []
    seen: set[tuple[str, int, str]] = set()

    def after_kill(what: str) -> Snapshot:
        snap = snapshot(data)
        lost = seen - snap.records
        assert not lost, f"after killing {what} (seed {SEED}) archived records were lost: {sorted(lost)[:3]}"
        seen.update(snap.records)
        check_frontier(data)
        return snap

    # The crawler: killed after a random delay (0 = while it starts) or once the archive grew by some records.
    # When a crawl completes before 12 kills, its folder is checked and the kills go on in a fresh one.
    while True:
        while len(kills) < 12:
            before = archive_bytes(data)
            proc = start_cli("crawl", data, "--sources", str(sources), "--delay", "0")
            if rng.random() < 0.5:
                delay = rng.choice([0.0, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]) + rng.random() * 0.5
                time.sleep(delay)
                moment = f"crawl after {delay:.2f}s"
            else:
                grow = rng.randrange(1, 40) * 2_000  # about one to forty records
                deadline = time.monotonic() + 60
                while archive_bytes(data) < before + grow and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                moment = f"crawl after the archive grew {archive_bytes(data) - before} bytes"
            if proc.poll() is not None:  # it finished before the kill: the crawl is complete
                message = (proc.stderr.read() if proc.stderr else b"").decode()[-2000:]
                kill(proc)
                assert proc.returncode == 0, message
                break
            kill(proc)
            kills.append(moment)
            after_kill(moment)
        # A run without kills finishes the crawl (it may take more than one: each resumes the previous one).
        finished = run_cli("crawl", data, "--sources", str(sources), "--delay", "0")
        assert finished.returncode == 0, finished.stderr[-2000:]
        snap = after_kill("nothing (the crawl finished)")
        assert snap.articles == clean_run.articles, "the killed crawl did not archive the same article pages"
        assert snap.indexed == clean_run.indexed, (
            f"{snap.indexed} indexed after {len(kills)} kills, clean run: {clean_run.indexed}"
        )
        if len(kills) >= 12:
            break
        data = tmp_path / f"data-{len(kills)}"
        seen.clear()
    crawl_kills = len(kills)

    # The indexer: reindex killed at random moments; the previous index keeps answering with every article.
    # The moments are spread over how long one reindex of this archive takes here (a fixed choice of 0-5 s
    # missed most reindexes once they got faster than that).
    started = time.monotonic()
    timed = run_cli("reindex", data)
    assert timed.returncode == 0, timed.stderr[-2000:]
    took = time.monotonic() - started
    reindex_kills = 0
    for _ in range(20):
        proc = start_cli("reindex", data)
        delay = rng.random() * took * 0.9
        time.sleep(delay)
        if proc.poll() is None:
            kill(proc)
            kills.append(f"reindex after {delay:.2f}s")
            reindex_kills += 1
        elif proc.stderr is not None:
            proc.stderr.close()  # it finished first: its pipe is closed here, not left to the garbage collector
        snap = after_kill(f"reindex after {delay:.2f}s")
        assert snap.indexed == clean_run.indexed, f"after a reindex killed at {delay:.2f}s: {snap.indexed} articles"
        if reindex_kills == 6:
            break
    done = run_cli("reindex", data)
    assert done.returncode == 0, done.stderr[-2000:]
    assert after_kill("nothing (reindex finished)").indexed == clean_run.indexed

    # The server: killed while clients query it; a new one answers every query with the same total.
    for _ in range(4):
        with server(data) as (proc, base), Hammer(base) as hammer:
            time.sleep(rng.random() * 1.5)
            kill(proc)
            kills.append("server under queries")
        assert all(status == 200 for status in hammer.statuses), hammer.statuses
        snap = after_kill("server")
        assert snap.indexed == clean_run.indexed
    with server(data) as (_proc, base):
        status, body = get(base + "/api/search?q=&per_page=1")
        assert status == 200 and json.loads(body)["total"] == clean_run.total

    print(f"\nkill points survived: {len(kills)} (seed {SEED}): " + "; ".join(kills))
    assert crawl_kills >= 10 and len(kills) >= 20, kills


# --- disk full -------------------------------------------------------------------------------------------------


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode not in (0, None), done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("searchapp "), last
    assert any(word in last.lower() for word in words), last
    return last


def check_resumes(data: Path, sources: Path, clean_run: Snapshot) -> None:
    """After the failure the data folder is consistent, and a run with room completes the crawl."""
    before = snapshot(data)
    check_frontier(data)
    done = run_cli("crawl", data, "--sources", str(sources), "--delay", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    after = snapshot(data)
    assert before.records <= after.records
    assert after.articles == clean_run.articles
    assert after.indexed == clean_run.indexed
    check_frontier(data)


def _file_size_limit(limit: int) -> Any:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit then fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_file_size_limit_stops_the_crawl_cleanly(sources: Path, clean_run: Snapshot, tmp_path: Path) -> None:
    """The limit hits the frontier's WAL first at the smaller size, the archive or the index at the larger."""
    for limit in (150_000, 600_000):
        data = tmp_path / f"data-{limit}"
        done = run_cli("crawl", data, "--sources", str(sources), "--delay", "0", preexec_fn=_file_size_limit(limit))
        assert_one_line_error(done, "disk", "full", "space", "too large", "write")
        check_frontier(data)
        assert not snapshot(data).damage
    check_resumes(data, sources, clean_run)


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_full_disk_stops_the_crawl_cleanly(sources: Path, clean_run: Snapshot, tmp_path: Path) -> None:
    """A small tmpfs fills up at different moments of the crawl; each time the crawl stops with one line."""
    if not _mount_tmpfs(tmp_path / "probe", "64k"):
        pytest.skip("cannot mount a small tmpfs here (needs root); the RLIMIT_FSIZE test covers the same path")
    subprocess.run(["umount", "-l", str(tmp_path / "probe")], check=False)
    for size in ("600k", "1500k"):
        mount = tmp_path / f"small-{size}"
        assert _mount_tmpfs(mount, size)
        try:
            done = run_cli("crawl", mount / "data", "--sources", str(sources), "--delay", "0")
            assert_one_line_error(done, "disk is full")
            check_frontier(mount / "data")
            assert not snapshot(mount / "data").damage  # the half-written record was cut off the archive
            data = tmp_path / f"data-{size}"
            shutil.copytree(mount / "data", data)  # "free some space": the folder moves to a roomy disk
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
    check_resumes(data, sources, clean_run)


# --- damage ----------------------------------------------------------------------------------------------------


def copy_of(clean_run: Snapshot, tmp_path: Path) -> Path:
    assert clean_run.data is not None
    data = tmp_path / "data"
    shutil.copytree(clean_run.data, data)
    return data


@pytest.mark.parametrize("how", ["truncate", "garble"])
def test_damaged_warc_is_read_up_to_the_damage(clean_run: Snapshot, tmp_path: Path, how: str) -> None:
    data = copy_of(clean_run, tmp_path)
    (warc,) = sorted((data / "archive").glob("*.warc.gz"))
    size = warc.stat().st_size
    # cut inside a record, 50 bytes into the gzip member of the record nearest two thirds of the file: a cut
    # that fell between two members would look like a clean end of the file
    offsets = sorted(offset for name, offset, _url in clean_run.records if name == warc.name)
    cut = min(offsets, key=lambda offset: abs(offset - size * 2 // 3)) + 50
    if how == "truncate":
        os.truncate(warc, cut)
    else:
        with warc.open("r+b") as handle:
            handle.seek(cut)
            handle.write(os.urandom(300))
    damaged = snapshot(data)
    assert damaged.damage and all(warc.name in note for note in damaged.damage), damaged.damage
    before_cut = {r for r in clean_run.records if r[1] < cut}
    assert damaged.records <= clean_run.records
    assert len(before_cut - damaged.records) <= 1  # only the record the damage falls in
    done = run_cli("reindex", data)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert warc.name in done.stdout + done.stderr and ("cut short" in done.stdout or "damaged" in done.stdout)
    counts = index_counts(data)
    assert counts is not None and clean_run.indexed is not None
    assert 0 < counts[0] <= clean_run.indexed  # what was before the damage is indexed
    assert counts[0] >= len(damaged.articles) - 5  # (a few articles may be reprints folded by content hash)


def _damage_segment(data: Path, how: str) -> None:
    """Damage the Whoosh segment: a compound .seg file, or a segment's own files (terms .trm, postings .pst...)."""
    folder = data / "index" / "whoosh"
    files = [p for p in folder.iterdir() if p.suffix not in ("", ".toc") and p.stat().st_size]
    assert files, list(folder.iterdir())
    if how == "truncate":
        for path in files:
            os.truncate(path, path.stat().st_size // 2)
    elif how == "delete":  # the terms (or the whole compound segment) are gone
        lost = [p for p in files if p.suffix in (".seg", ".trm")]
        assert lost, files
        for path in lost:
            path.unlink()
    else:  # the table of contents
        for toc in folder.glob("*.toc"):
            toc.write_bytes(b"\x00garbage" * 10)


@pytest.mark.parametrize("how", ["truncate", "delete", "toc"])
def test_damaged_index_is_detected_and_reindex_rebuilds_it(clean_run: Snapshot, tmp_path: Path, how: str) -> None:
    data = copy_of(clean_run, tmp_path)
    _damage_segment(data, how)
    found = run_cli("search", data, "облысында")
    assert_one_line_error(found, "reindex")
    with server(data) as (_proc, base):
        status, body = get(base + "/api/search?q=облысында")
        assert status in (500, 503), status
        assert "Traceback" not in body.decode() and json.loads(body)["error"]["message"]
    rebuilt = run_cli("reindex", data)
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert index_counts(data) == (clean_run.indexed, clean_run.total)
    again = run_cli("search", data, "облысында", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["total"] > 0


# --- a live index ------------------------------------------------------------------------------------------


def test_server_keeps_answering_while_reindex_and_crawl_write(
    sources: Path, clean_run: Snapshot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = run_cli("crawl", data, "--sources", str(sources), "--delay", "0", "--max-pages", "60")
    assert first.returncode == 0, first.stderr[-2000:]
    partial = index_counts(data)
    assert partial is not None and 0 < partial[0] < (clean_run.indexed or 0)
    with server(data) as (_proc, base):
        with Hammer(base) as during_crawl:
            crawl = run_cli("crawl", data, "--sources", str(sources), "--delay", "0")
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        with Hammer(base) as during_reindex:
            reindex = run_cli("reindex", data)
        assert reindex.returncode == 0, reindex.stderr[-2000:]
        status, body = get(base + "/api/search?q=&per_page=1")
        assert status == 200 and json.loads(body)["total"] == clean_run.total  # it sees the new index
    for name, hammer in (("crawl", during_crawl), ("reindex", during_reindex)):
        assert not hammer.errors, f"during the {name}: {hammer.errors[:3]}"
        assert set(hammer.statuses) == {200}, f"during the {name}: {hammer.statuses}"
        assert hammer.answered >= 20, f"during the {name} only {hammer.answered} answers"


def test_reindex_killed_between_the_two_renames_recovers(clean_run: Snapshot, tmp_path: Path) -> None:
    """The worst moment to kill a reindex, made on purpose: the rebuilt index is complete but not in place."""
    data = copy_of(clean_run, tmp_path)
    from index import REBUILT_MARK

    shutil.copytree(data / "index", data / "index.new")  # the rebuilt index
    (data / "index").rename(data / "index.old")  # the first rename happened, the second did not
    unfinished = run_cli("search", data, "", "--json")  # not marked complete: never taken for the index
    assert_one_line_error(unfinished, "no index", "reindex")
    (data / "index.new" / REBUILT_MARK).touch()  # what reindex writes once the new index is complete
    found = run_cli("search", data, "", "--json")
    assert found.returncode == 0, found.stderr[-2000:]
    assert json.loads(found.stdout)["total"] == clean_run.total
    assert index_counts(data) == (clean_run.indexed, clean_run.total)

"""Serving fit for a newsroom: warm facet columns at start and for each new generation, a rebuilt folder swapped
in without a slow query, and `searchapp serve` as several processes on one port.

Real indexes on disk, a real `searchapp serve` in a subprocess on loopback, answers compared byte for byte with
the app's own in-process answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from index.models import Record, SearchRequest
from index.whoosh.engine import WARM_POLL, WhooshIndex
from searchapp.paths import DataPaths
from searchapp.pipeline import swap_in
from tests.webdata import open_press_index, sample_records


def _records(prefix: str, n: int) -> list[Record]:
    return [
        Record(
            id=f"{prefix}{i}",
            url=f"http://x.kz/{prefix}{i}",
            source="x.kz",
            title=f"Зауыт {prefix} {i}",
            lead="",
            text=f"Облыста жаңа зауыт салынды, нөмірі {i}. Құрылыс жалғасып жатыр.",
            lang="kk",
            published=f"2025-01-{1 + i % 9:02d}",
        )
        for i in range(n)
    ]


def _wait(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def test_warm_builds_the_columns_before_the_first_search_and_each_new_generation_in_the_background(
    tmp_path: Path,
) -> None:
    writer = WhooshIndex(tmp_path / "index")
    writer.add(_records("a", 30))
    reader = WhooshIndex(tmp_path / "index", readonly=True)
    try:
        assert reader._columns == {}
        reader.warm()
        assert len(reader._columns) == 1  # built before any search asked
        first_key = next(iter(reader._columns))
        assert reader.search(SearchRequest(q="зауыт", group=False)).total == 30
        writer.add(_records("b", 5))  # a crawl commits a new generation
        # The warmer builds it without a search asking: searches never pay for the columns.
        assert _wait(lambda: any(key != first_key and key[3] == 35 for key in reader._columns))
        assert reader.search(SearchRequest(q="зауыт", group=False)).total == 35
    finally:
        reader.close()
        writer.close()
    assert reader._warmer is not None and not reader._warmer.is_alive()  # close stops the warmer


def test_while_a_new_generation_warms_searches_answer_from_the_previous_one(tmp_path: Path) -> None:
    """A commit needs new columns (seconds at a million articles): until the warmer has them, searches answer
    from the generation before, without waiting for the build; then from the new one."""
    writer = WhooshIndex(tmp_path / "index")
    writer.add(_records("a", 30))
    reader = WhooshIndex(tmp_path / "index", readonly=True)
    try:
        reader.warm()
        assert reader.search(SearchRequest(q="зауыт", group=False)).total == 30
        with reader._building:  # a build of columns that takes its time
            writer.add(_records("b", 5))
            started = time.monotonic()
            for _ in range(5):
                assert reader.search(SearchRequest(q="зауыт", group=False)).total == 30
            assert time.monotonic() - started < 5
        assert _wait(lambda: reader.search(SearchRequest(q="зауыт", group=False)).total == 35)
    finally:
        reader.close()
        writer.close()


def test_columns_handed_down_before_a_fork_are_the_workers_own_and_shared(tmp_path: Path) -> None:
    """`serve`'s parent builds the columns once (`hand_down`) and forks: a worker's index starts with them (the
    same arrays, so the pages are shared) and builds nothing; another folder never takes them."""
    writer = WhooshIndex(tmp_path / "index")
    writer.add(_records("a", 30))
    other = WhooshIndex(tmp_path / "other")
    other.add(_records("o", 3))
    parent = WhooshIndex(tmp_path / "index", readonly=True)
    parent.hand_down()
    ((key, built),) = parent._columns.items()
    parent.close()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: answers in its exit status
        code = 1
        try:
            worker = WhooshIndex(tmp_path / "index", readonly=True)
            worker.warm()
            same = worker._columns.get(key) is built and len(worker._columns) == 1
            total = worker.search(SearchRequest(q="зауыт", group=False)).total
            later = WhooshIndex(tmp_path / "index", readonly=True)  # only the first index takes them
            os.write(write, f"{same} {total} {later._columns == {}}".encode())
            worker.close()
            later.close()
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    answer = os.read(read, 100).decode()
    os.close(read)
    assert os.waitpid(pid, 0)[1] == 0
    assert answer == "True 30 True"
    stranger = WhooshIndex(tmp_path / "other", readonly=True)  # this process still holds them: another folder
    try:
        assert stranger._columns == {}
        assert stranger.search(SearchRequest(q="зауыт", group=False)).total == 3
    finally:
        stranger.close()
        other.close()
        writer.close()
    from index.whoosh.engine import drop_handed_down

    drop_handed_down()
    assert WhooshIndex(tmp_path / "index", readonly=True)._columns == {}


def test_a_rebuilt_folder_is_warmed_beside_the_old_one_and_then_swapped_in(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data").ensure()
    writer = WhooshIndex(paths.index)
    writer.add(_records("a", 20))
    writer.close()
    served = WhooshIndex(paths.index, readonly=True)
    try:
        served.warm()
        assert served.search(SearchRequest(q="зауыт", group=False)).total == 20
        rebuilt = paths.index.parent / (paths.index.name + ".new")
        shutil.copytree(paths.index, rebuilt)
        extra = WhooshIndex(rebuilt)
        extra.add(_records("b", 7))
        extra.close()
        swap_in(paths, rebuilt)
        # Right after the swap this thread answers from the old folder (its searcher holds its segments) until
        # the warmer has the new one ready; never an error, never a mix of the two.
        totals = set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            total = served.search(SearchRequest(q="зауыт", group=False)).total
            totals.add(total)
            if total == 27:
                break
            time.sleep(WARM_POLL / 5)
        assert totals <= {20, 27} and 27 in totals
        assert served.get("b3") is not None and served.get("b3").title == "Зауыт b 3"  # type: ignore[union-attr]

        # A thread that has never searched sees the new folder too.
        answers: list[int] = []
        thread = threading.Thread(
            target=lambda: answers.append(served.search(SearchRequest(q="зауыт", group=False)).total)
        )
        thread.start()
        thread.join(timeout=10)
        assert answers == [27]
    finally:
        served.close()


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts worker processes through /proc (Linux)")
def test_serve_runs_processes_on_one_port_with_answers_identical_to_one_process(data_dir: Path) -> None:
    from searchapp import create_app

    index = open_press_index(data_dir, sample_records())
    index.close()
    app = create_app({"data": str(data_dir), "TESTING": True, "ui_lang": "en"})
    paths = ["/api/search?q=завод", "/api/search?region=KZ-61", "/api/search?q=&sort=date&per_page=5"]
    expected = {p: app.test_client().get(p).data for p in paths}
    app.extensions["searchapp.index"].close()

    command = [sys.executable, "-m", "searchapp.cli", "serve", "--port", "0", "--data", str(data_dir)]
    env = {**os.environ, "SEARCHAPP_UI_LANG": "en", "SEARCHAPP_PROCESSES": "2", "SEARCHAPP_THREADS": "2"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        survivors = _serve_and_check(process, paths, expected)
    assert process.returncode == 0
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in survivors)  # SIGTERM ends them all


def _serve_and_check(process: subprocess.Popen[str], paths: list[str], expected: dict[str, bytes]) -> list[int]:
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Serving on http://127.0.0.1:"), line + (process.stderr.read() if process.stderr else "")
        url = line.split()[-1].rstrip("/")
        workers = _children(process.pid)
        assert len(workers) == 2
        with httpx.Client(timeout=30) as client:
            for _ in range(3):
                for path in paths:
                    answer = client.get(url + path)
                    assert answer.status_code == 200 and answer.content == expected[path]
        # Keep-alive connections spread over the workers (the kernel alone gave one 14 of 16).
        time.sleep(0.5)  # the connection of the loop above is closed on the server's side too
        before = {pid: _sockets(pid) for pid in workers}
        clients = [httpx.Client(timeout=30) for _ in range(8)]
        try:
            threads = [threading.Thread(target=client.get, args=(url + paths[0],)) for client in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            held = [_sockets(pid) - before[pid] for pid in workers]
        finally:
            for client in clients:
                client.close()
        assert sum(held) == 8 and max(held) - min(held) <= 2, held
        # A worker that dies is replaced; the port keeps answering.
        os.kill(workers[0], signal.SIGKILL)
        assert _wait(lambda: len(_children(process.pid)) == 2 and workers[0] not in _children(process.pid))
        for path in paths:
            assert httpx.get(url + path, timeout=30).content == expected[path]
        return _children(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _sockets(pid: int) -> int:
    folder = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in folder.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_a_bad_processes_setting_is_refused_at_start(data_dir: Path) -> None:
    command = [sys.executable, "-m", "searchapp.cli", "serve", "--port", "0", "--data", str(data_dir)]
    env = {**os.environ, "SEARCHAPP_PROCESSES": "-1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "searchapp serve: setting processes has an invalid value: -1"


def test_searches_take_their_turn_in_the_order_they_asked() -> None:
    from searchapp.resources import Turns

    turns = Turns()
    order: list[int] = []
    asked: list[int] = []
    lock = threading.Lock()

    def search(n: int) -> None:
        with lock:
            asked.append(n)
        with turns:
            order.append(n)

    with turns:  # busy: everyone queues behind this holder
        threads = []
        for n in range(8):
            thread = threading.Thread(target=search, args=(n,))
            thread.start()
            threads.append(thread)
            assert _wait(lambda n=n: len(asked) == n + 1)
            time.sleep(0.02)  # the thread is waiting for its turn before the next one asks
    for thread in threads:
        thread.join(timeout=10)
    assert order == list(range(8))

"""The index under several processes: one writer at a time, readers that never fail, and crash safety.

Real processes, a real index in a temporary folder: 4 writer processes x 20 updates must all succeed (Whoosh's
default writer gave 60 LockErrors out of 80), a reader during a long write sees the old index and then the new
one, never an error, and `kill -9` during indexing leaves an index that opens and a reindex that completes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.models import Record, SearchRequest
from index.whoosh.engine import WhooshIndex

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "аймақ",
    "зауыт",
    "облыс",
    "аудан",
    "мектеп",
    "жоба",
    "теңге",
    "құрылыс",
    "завод",
    "область",
    "район",
    "строительство",
    "проект",
    "дорога",
]

# Records made the same way in this process and in the child processes.
MAKE = textwrap.dedent(
    """
    import random
    from index.models import Record

    WORDS = {words!r}

    def make(prefix, n, seed=0):
        rnd = random.Random(seed)
        for i in range(n):
            text = "\\n\\n".join(" ".join(rnd.choice(WORDS) for _ in range(30)) for _ in range(2))
            yield Record(id=f"{{prefix}}{{i}}", url=f"http://x/{{prefix}}{{i}}", source="a.kz",
                         title=" ".join(rnd.choice(WORDS) for _ in range(5)), lead="", text=text,
                         lang=rnd.choice(["kk", "ru"]), published="2025-01-0" + str(1 + i % 9))
    """
).format(words=WORDS)


def _child(code: str, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = MAKE + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-W", "error", "-c", script, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so kill -9 reaches the writer's helpers too
    )


def _make(prefix: str, n: int, seed: int = 0) -> list[Record]:
    namespace: dict[str, object] = {}
    exec(MAKE, namespace)
    make = namespace["make"]
    assert callable(make)
    return list(make(prefix, n, seed))


@pytest.mark.slow
def test_four_writer_processes_times_twenty_updates_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "index"
    WhooshIndex(path).close()
    code = """
        import sys
        from pathlib import Path
        from index import open_index
        ix = open_index(Path(sys.argv[1]))
        for record in make(sys.argv[2], 20):
            ix.add([record])  # twenty separate updates, each with its own commit
        ix.close()
    """
    children = [_child(code, str(path), f"p{n}-") for n in range(4)]
    for child in children:
        _out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err.decode()
    ix = WhooshIndex(path, readonly=True)
    assert ix.count() == 80
    assert ix.store.count() == 80
    ix.close()


@pytest.mark.slow
def test_a_reader_during_a_long_write_sees_old_then_new_never_an_error(tmp_path: Path) -> None:
    path = tmp_path / "index"
    ix = WhooshIndex(path)
    ix.add(_make("old", 20))
    code = """
        import sys
        from pathlib import Path
        from index import open_index
        ix = open_index(Path(sys.argv[1]))
        ix.add(make("new", 400, seed=1))
        ix.close()
    """
    child = _child(code, str(path))
    reader = WhooshIndex(path, readonly=True)
    seen: list[int] = []
    while child.poll() is None:
        seen.append(reader.search(SearchRequest(q="аймақ OR завод OR жоба", per_page=5)).total)
        time.sleep(0.05)
    _out, err = child.communicate()
    assert child.returncode == 0, err.decode()
    seen.append(reader.search(SearchRequest(q="аймақ OR завод OR жоба", per_page=5)).total)
    assert set(seen) <= {seen[0], seen[-1]}
    assert seen == sorted(seen) and seen[-1] > seen[0]
    assert reader.count() == 420
    reader.close()
    ix.close()


@pytest.mark.slow
def test_kill_9_during_indexing_leaves_an_index_that_opens_and_a_reindex_that_completes(tmp_path: Path) -> None:
    path = tmp_path / "index"
    ix = WhooshIndex(path)
    ix.add(_make("keep", 5))
    ix.close()
    code = """
        import sys
        from pathlib import Path
        from index import open_index
        ix = open_index(Path(sys.argv[1]))
        def records():
            for n, record in enumerate(make("lost", 5000, seed=2)):
                if n == 50:
                    Path(sys.argv[2]).write_text("writing")
                yield record
        ix.add(records())
    """
    marker = tmp_path / "marker"
    child = _child(code, str(path), str(marker))
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert child.poll() is None, child.communicate()[1].decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(child.pid, signal.SIGKILL)
    child.communicate()

    after = WhooshIndex(path)  # opens, and can take the write lock again
    assert after.count() == 5
    assert after.store.count() == 5  # the killed write's records were never committed
    assert after.search(SearchRequest(q="аймақ OR завод")).total >= 1
    assert after.add(_make("lost", 60, seed=2)) == 60  # the reindex completes
    assert after.count() == 65
    after.close()


def test_a_long_load_in_several_segments_finds_the_same(tmp_path: Path) -> None:
    records = _make("b", 120)
    whole = WhooshIndex(tmp_path / "whole")
    whole.add(records)
    cut = WhooshIndex(tmp_path / "cut", segment_docs=50)  # a new segment every 50 documents
    assert cut.add(records) == 120
    # Three segments were written and the load's closing merge copied their blocks into one.
    assert len(cut._ix._segments()) == 1 and len(whole._ix._segments()) == 1
    for q in ["аймақ", "завод", '"облыс аудан"']:
        a = whole.search(SearchRequest(q=q, per_page=200))
        b = cut.search(SearchRequest(q=q, per_page=200))
        assert a.total == b.total > 0
        assert {h.record.id for h in a.hits} == {h.record.id for h in b.hits}
        # Whoosh keeps a merged document's field lengths as its one-byte approximations: the average length,
        # and so the scores, move a little.
        assert [h.score for h in b.hits] == pytest.approx([h.score for h in a.hits], rel=1e-2)
    whole.close()
    cut.close()


def test_a_cancelled_long_load_adds_nothing(tmp_path: Path) -> None:
    # The segments a long load has finished join the index only with its commit.
    ix = WhooshIndex(tmp_path / "index", segment_docs=20)
    ix.add(_make("base", 5))

    def failing() -> Iterator[Record]:
        yield from _make("more", 70)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError):
        ix.add(failing())
    assert ix.count() == 5 and ix.store.count() == 5
    assert len(ix._ix._segments()) == 1
    assert ix.add(_make("after", 30)) == 30  # the lock was released
    assert ix.count() == 35
    ix.close()


def test_threads_share_one_index_while_it_is_written(tmp_path: Path) -> None:
    # The web app holds one WhooshIndex for all its threads: each thread keeps its own searcher.
    ix = WhooshIndex(tmp_path / "index")
    ix.add(_make("base", 10))
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                for q in ("аймақ", "завод", ""):
                    assert ix.search(SearchRequest(q=q)).total >= 0
                ix.generation()
                ix.get("base1")
            except Exception as exc:
                errors.append(repr(exc))
                stop.set()

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(8):
        ix.add(_make(f"w{n}-", 2, seed=n))
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ix.count() == 26
    ix.close()

"""Worker processes (crawler.workers): results in order, errors as raised, and no process left behind by a
closed pool, a killed worker or a killed parent."""

from __future__ import annotations

import operator
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.workers import WorkerLost, WorkerPool
from tests.conftest import ROOT


def ended(pid: int) -> bool:
    """The process is gone or a zombie (a container's init may never reap an orphan)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def wait_ended(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not ended(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def loaded(module: str) -> bool:
    """Run in a worker: has it imported `module`?"""
    return module in sys.modules


def test_results_in_order_and_errors_as_raised() -> None:
    with WorkerPool(1) as pool:
        futures = [pool.submit(operator.mul, i, i) for i in range(200)]
        failing = pool.submit(int, "not a number")
        after = pool.submit(operator.add, 2, 3)
        assert [f.result(timeout=30) for f in futures] == [i * i for i in range(200)]
        with pytest.raises(ValueError, match="not a number"):
            failing.result(timeout=30)
        assert after.result(timeout=30) == 5  # an error in one call does not stop the worker


def test_warm_up_runs_first_and_close_ends_every_worker() -> None:
    pool = WorkerPool(2, warm_up="index.ingest:warm_up")
    pids = {pool.submit(os.getpid).result(timeout=60) for _ in range(4)}
    assert len(pids) == 2 and os.getpid() not in pids
    assert pool.submit(loaded, "trafilatura").result(timeout=30)
    pool.close()
    assert all(wait_ended(pid) for pid in pids)


def test_a_killed_worker_fails_its_calls_and_the_pool_closes() -> None:
    pool = WorkerPool(1)
    pid = pool.submit(os.getpid).result(timeout=30)
    slow = pool.submit(time.sleep, 30)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerLost, match="ended"):
        slow.result(timeout=30)
    with pytest.raises(WorkerLost):
        pool.submit(os.getpid)
    pool.close()


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = (
        "import os, time\nfrom crawler.workers import WorkerPool\n"
        "pool = WorkerPool(1)\nprint(pool.submit(os.getpid).result(), flush=True)\n"
        "pool.submit(time.sleep, 0.5)\ntime.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    parent.stdout.close()
    assert wait_ended(worker), "the worker outlived its killed parent"

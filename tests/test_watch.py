"""`searchapp watch`: intervals, and a crawl still running is never started twice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.watch import crawl_lock, parse_interval, run_cycle, watch


@pytest.mark.parametrize(("text", "seconds"), [("45s", 45), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("90", 90)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5m", "0s", "3w"])
def test_bad_intervals_are_refused_in_words(text: str) -> None:
    with pytest.raises(AppError) as info:
        parse_interval(text)
    assert "--every" in info.value.message


def test_a_running_crawl_is_not_started_twice(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    calls: list[str] = []
    with crawl_lock(paths) as held:
        assert held
        assert run_cycle(paths, lambda: calls.append("crawl")) == "skipped"
    assert calls == []
    assert run_cycle(paths, lambda: calls.append("crawl")) == "done"
    assert calls == ["crawl"]


def test_cycles_repeat_until_stopped_and_failures_do_not_end_the_watch(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    stop = threading.Event()
    calls: list[int] = []

    def crawl() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("connection reset")
        if len(calls) >= 3:
            stop.set()
        return "ok"

    assert watch(paths, crawl, every=1.0, stop=stop) == 0
    assert len(calls) == 3
    log = (paths.logs / "watch.log").read_text(encoding="utf-8")
    assert "recrawl failed: connection reset" in log
    assert "recrawl done" in log

"""`searchapp watch`: recrawl the sources on a schedule so that saved-search feeds move on.

It runs in the foreground and logs one line per cycle to stderr and to DATA/logs/watch.log. A cycle takes
an exclusive lock on DATA/crawl/watch.lock; if the previous crawl (in this process or another) still
holds it when the next is due, that cycle is skipped rather than started twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from searchapp.errors import AppError
from searchapp.paths import DataPaths

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
log = logging.getLogger("searchapp.watch")


def parse_interval(text: str) -> float:
    """'45s', '30m', '2h', '1d' (or a bare number of seconds) -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not match:
        raise AppError(f"--every must look like 45s, 30m, 2h or 1d, not {text!r}")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 1:
        raise AppError("--every must be at least one second")
    return seconds


@contextmanager
def crawl_lock(paths: DataPaths) -> Iterator[bool]:
    """Yields True when this process holds the crawl lock, False when another crawl holds it."""
    paths.crawl.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.crawl / "watch.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _setup_log(paths: DataPaths) -> None:
    paths.logs.mkdir(parents=True, exist_ok=True)
    for old in list(log.handlers):  # a second watch in one process logs to its own data folder
        log.removeHandler(old)
        old.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for handler in (logging.StreamHandler(), logging.FileHandler(Path(paths.logs) / "watch.log", encoding="utf-8")):
        handler.setFormatter(formatter)
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def run_cycle(paths: DataPaths, crawl: Callable[[], Any]) -> str:
    """One cycle: crawl under the lock. Returns 'done', 'skipped' or 'failed'."""
    with crawl_lock(paths) as held:
        if not held:
            log.warning("the previous crawl is still running; this cycle is skipped")
            return "skipped"
        started = time.monotonic()
        log.info("recrawl started")
        try:
            summary = crawl()
        except AppError as exc:
            log.error("recrawl failed: %s", exc.message)
            return "failed"
        except OSError as exc:
            log.error("recrawl failed: %s", exc)
            return "failed"
        log.info("recrawl done in %.1fs: %s", time.monotonic() - started, summary)
        return "done"


def watch(
    paths: DataPaths,
    crawl: Callable[[], Any],
    every: float,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
) -> int:
    """Run cycles every `every` seconds (measured start to start) until `stop` is set or Ctrl-C."""
    _setup_log(paths)
    stop = stop or threading.Event()
    log.info("watching: a recrawl every %ss; data folder %s", int(every), paths.root)
    while not stop.is_set():
        started = time.monotonic()
        outcome = run_cycle(paths, crawl)
        if once:
            return 0 if outcome == "done" else 1
        wait = max(0.0, every - (time.monotonic() - started))
        log.info("next recrawl in %ds", int(wait))
        stop.wait(wait)
    return 0

"""Worker processes for the CPU-bound stages after the archive (extraction and enrichment).

`searchapp.pipeline` hands each archived article page to a worker process, so that extraction runs on one core
while the crawl and the index writer run on another. A worker is a fresh interpreter (`python -c`, not a fork):
the crawl may run in a threaded process (the web app's admin actions), and a worker must inherit none of the
parent's open files (archive, frontier, index) nor import the parent's main script. Calls and results travel as
pickles over the worker's stdin and stdout, in order. The worker ignores Ctrl-C (the parent handles it and
closes the pipe) and ends when its stdin closes, which also happens when the parent is killed with SIGKILL, so
a killed crawl leaves no process behind. (multiprocessing's spawned pools keep a copy of their own pipe's write
end in the worker, which then outlives a killed parent.)
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import IO, Any

from crawler.errors import CrawlerError

# Runs in the worker: take the parent's sys.path first, so the worker imports what the parent would.
_BOOT = "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); import crawler.workers as w; w.serve()"
_EXIT_WAIT = 10.0  # seconds a closing pool waits for a worker to finish its last call before killing it


class WorkerLost(CrawlerError):
    """A worker process ended while calls were still out (killed, out of memory, a crash)."""


class _Worker:
    def __init__(self, warm_up: str) -> None:
        # Two malloc arenas, not glibc's eight per core: the worker's threads are only its pipes, and each arena
        # keeps its own free memory (the crawl benchmark's peak: 310 -> 299 MB with both processes so).
        env = {**os.environ, "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.pending: deque[Future[Any]] = deque()  # sent, in order, result not yet back
        self.lost = ""
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._outbox.put(pickle.dumps(sys.path))
        self._outbox.put(pickle.dumps(warm_up))
        # Writing and reading in threads of their own: the parent never blocks on a full pipe, and a worker
        # blocked writing a result can always finish.
        self._writer = threading.Thread(target=self._write, args=(self.proc.stdin,), name="worker-in", daemon=True)
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), name="worker-out", daemon=True)
        self._writer.start()
        self._reader.start()

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Future[Any]:
        if self.lost:
            raise WorkerLost(self.lost)
        future: Future[Any] = Future()
        data = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.pending.append(future)
        self._outbox.put(data)
        return future

    def _write(self, stream: IO[bytes]) -> None:
        try:
            while True:
                # Everything waiting goes in one write: this thread needs the GIL once per write, and a busy
                # parent thread (the index writer) holds it up to 5 ms at a time.
                batch = [self._outbox.get()]
                with contextlib.suppress(queue.Empty):
                    while batch[-1] is not None:
                        batch.append(self._outbox.get_nowait())
                stream.write(b"".join(data for data in batch if data is not None))
                stream.flush()
                if batch[-1] is None:
                    return
        except (BrokenPipeError, ValueError):  # the worker has gone; the reader reports it
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                stream.close()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                try:
                    ok, value = pickle.load(stream)
                except EOFError:
                    break
                future = self.pending.popleft()
                with contextlib.suppress(InvalidStateError):  # cancelled by a closing pool
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        except Exception as exc:  # a garbled stream is a lost worker too
            self.lost = f"the worker process sent something unreadable ({type(exc).__name__}: {exc})"
        finally:
            stream.close()
            code = self.proc.wait()
            if self.pending:
                self.lost = self.lost or f"the worker process ended (exit status {code}) with work still out"
            while self.pending:
                with contextlib.suppress(InvalidStateError):
                    self.pending.popleft().set_exception(WorkerLost(self.lost))

    def close(self, cancel: bool) -> None:
        if cancel:
            with contextlib.suppress(queue.Empty):
                while True:  # calls not yet written are never sent
                    self._outbox.get_nowait()
            for future in list(self.pending):
                future.cancel()
        self._outbox.put(None)  # the worker sees its stdin close and ends after the calls already sent
        self._writer.join()
        try:
            self.proc.wait(_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._reader.join()


class WorkerPool:
    """`workers` processes running module-level functions: `submit(fn, *args)` gives a Future. `warm_up`
    ("module:function") runs first in each, at once, so that its cost overlaps the parent's own start."""

    def __init__(self, workers: int, warm_up: str = "") -> None:
        self._workers = [_Worker(warm_up) for _ in range(workers)]
        self._next = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        worker = self._workers[self._next % len(self._workers)]
        self._next += 1
        return worker.submit(fn, args)

    def close(self, cancel: bool = False) -> None:
        """Let the workers finish what they were sent (or drop it, with `cancel`) and wait for them to end."""
        for worker in self._workers:
            worker.close(cancel)
        self._workers = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


def serve() -> None:
    """The worker's loop (started by `_BOOT`): calls from stdin, results to stdout, until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source = sys.stdin.buffer
    # Results go to a private copy of stdout; anything the work prints goes to stderr, not into the stream.
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    warm_up = pickle.load(source)
    if warm_up:
        module, _, name = warm_up.partition(":")
        # A warm-up that fails (a file size limit, a full disk) fails again in the first call that needs it,
        # and that call's error goes back to the parent, which reports it.
        with contextlib.suppress(Exception):
            getattr(importlib.import_module(module), name)()
    while True:
        try:
            fn, args = pickle.load(source)
        except EOFError:
            return
        try:
            reply = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            try:
                reply = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                reply = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            sink.write(reply)
            sink.flush()
        except BrokenPipeError:  # the parent has gone
            return

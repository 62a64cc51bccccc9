"""Serving the app on waitress, the production WSGI server: for `searchapp serve`, the demo and browser tests.

`make_server` binds first (so a taken port is a clear error before anything else happens) and returns the
server, whose `effective_port` tells a caller that asked for port 0 where it listens.

`serve` (the `serve` command) runs `processes` waitress processes on one listening socket: one Python process
cannot use a second core for Python work (one interpreter lock), so a search server on N cores runs N of them.
The parent binds the socket, builds the index's facet columns once and forks the workers, which start with them
(`WhooshIndex.hand_down`: their pages shared copy-on-write, not a copy per worker); each worker opens the index and
warms it (`SearchIndex.warm`, one request of each kind) before it starts to listen, so the first request never
waits for facet columns or for what a first query loads; the parent prints the URL once
a worker answers, restarts a worker that dies, and stops them all on SIGTERM or Ctrl-C. Each worker follows new
index generations and rebuilt folders on its own (`index.whoosh.engine`). With `processes = 1`, no fork: the one
process serves as before, warmed first.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import mmap
import os
import select
import signal
import socket
import sys
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from index.crosslang import warm_up
from searchapp.errors import AppError
from searchapp.i18n import t

log = logging.getLogger(__name__)


def make_server(app: Flask, host: str, port: int, threads: int) -> BaseWSGIServer:
    """A waitress server bound to host:port (port 0: any free port); AppError when the port is taken."""
    lang = str(app.config["SETTINGS"]["ui_lang"])
    _check_free(host, port, lang)
    try:
        server = create_server(
            app, host=host, port=port, threads=threads, ident="qazaq-press", clear_untrusted_proxy_headers=True
        )
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise AppError(t("port_taken", lang, host=host, port=port), code="port_taken") from None
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    if isinstance(server, MultiSocketServer):  # host named several addresses; we ask for one
        raise AppError(f"{host} resolves to several addresses; give one address", code="listen_failed")
    return server


def _check_free(host: str, port: int, lang: str) -> None:
    """Bind a probe socket the way waitress will (SO_REUSEADDR), so a taken port fails here, cleanly.

    waitress leaves its half-made socket and wake-up pipe open when its own bind fails; probing first keeps
    the common mistake (a second `serve` on the same port) free of leaks and of a traceback.
    """
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise AppError(t("port_taken", lang, host=host, port=port), code="port_taken") from None
            raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None


def server_url(server: BaseWSGIServer) -> str:
    return _url(str(server.effective_host), int(server.effective_port))


def _url(host: str, port: int) -> str:
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class BackgroundServer:
    """The app on waitress in a daemon thread (browser tests, the demo): `with BackgroundServer(app) as s: s.url`."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> None:
        self.server = make_server(app, host, port, threads)
        self.url = server_url(self.server)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="searchapp-server", daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            # closing the listening socket from another thread races the select loop (EBADF); that is the stop
            if not self._stopping.is_set():
                raise

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self.server.close()
        self._thread.join(timeout=10)


def serve(app: Flask, host: str, port: int, threads: int, processes: int = 1) -> None:
    """Serve until interrupted: `processes` workers of `threads` threads each on one socket, each warmed first."""
    warm_up()  # cross-language search's tables, loaded once before the workers fork and share them
    lang = str(app.config["SETTINGS"]["ui_lang"])
    sock = _bind(host, port, lang)
    url = _url(host, sock.getsockname()[1])
    try:
        if processes <= 1:
            _warm(app)
            server = _waitress(app, sock, threads)
            print(t("serving", lang, url=url), flush=True)
            try:
                server.run()
            finally:
                server.close()
            return
        _hand_down(app)
        _Supervisor(app, sock, threads, processes).run(lambda: print(t("serving", lang, url=url), flush=True))
    finally:
        sock.close()


def _bind(host: str, port: int, lang: str) -> socket.socket:
    """The listening address bound but not yet listening: connections are refused until a warm worker listens."""
    _check_free(host, port, lang)
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise AppError(t("port_taken", lang, host=host, port=port), code="port_taken") from None
        raise AppError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="listen_failed") from None
    return sock


def _waitress(app: Flask, sock: socket.socket, threads: int) -> BaseWSGIServer:
    """A waitress server on the bound socket; creating it starts listening (waitress calls listen())."""
    server = create_server(
        app,
        sockets=[sock],
        threads=threads,
        ident="qazaq-press",
        clear_untrusted_proxy_headers=True,
    )
    if isinstance(server, MultiSocketServer):  # pragma: no cover - one socket given
        raise AppError("one listening socket expected", code="listen_failed")
    return server


def _warm(app: Flask) -> None:
    """Open the index and build what the first search needs; a missing or damaged index is said, not fatal:
    the pages say it too, and a crawl may create it while serving."""
    from index import SearchIndexError
    from searchapp.resources import get_index

    started = time.monotonic()
    with app.app_context():
        try:
            get_index().warm()
        except SearchIndexError as exc:
            log.warning("the index is not ready: %s", exc)
            return
    # Requests of each kind through the whole app: labels, templates and the JSON encoder load now, and a query
    # of words the index holds (a title's) takes the parser, translation, scoring, snippets and reprint groups
    # once, with what they load on first use (the first worded query of a fresh process took 60-230 ms more than
    # the same query again; numpy's first `unique` alone 80 ms).
    client = app.test_client()
    listing = client.get("/api/search?per_page=1").get_json(silent=True) or {}
    client.get("/?per_page=1")
    first = (listing.get("results") or [{}])[0]
    words = " ".join(str(first.get("title") or "").split()[:2])
    if words:
        for path in ("/api/search?", "/?"):
            client.get(path + urlencode({"q": words}))
    log.info("index and app warmed in %.1f s", time.monotonic() - started)


def _hand_down(app: Flask) -> None:
    """In the parent, before the workers fork: build the index's facet columns once and leave them to the
    workers (`SearchIndex.hand_down`; a cluster holds its own), whose memory then shares their pages instead of
    each holding a copy; the parent's own index is closed again (no open file or SQLite connection crosses a
    fork). Objects made so far are frozen out of the garbage collector, whose visits would otherwise copy the
    shared pages one by one."""
    from index import SearchIndexError, open_index

    try:
        index = open_index(app.config["PATHS"].index, readonly=True)
    except SearchIndexError as exc:
        log.warning("the index is not ready: %s", exc)
        return
    try:
        index.hand_down()
    except SearchIndexError as exc:
        log.warning("the index is not ready: %s", exc)
    finally:
        index.close()
    gc.freeze()


def _end_with_parent() -> None:
    """Linux: the kernel sends this worker SIGTERM when the parent dies (even by SIGKILL), so no worker is left
    holding the port; elsewhere a killed parent's workers end with their session."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


RESTART_LIMIT = 5  # worker deaths within RESTART_WINDOW seconds before the server gives up
RESTART_WINDOW = 60.0


class _Stop(Exception):
    """SIGTERM to the parent: stop the workers and return."""


class Balance:
    """How many connections each worker holds, in memory the workers share. On one listening socket the kernel
    hands a new connection to whichever worker calls accept() first: 16 keep-alive clients were split 14 to 2
    as often as 8 to 8, and the busier worker's queue set the 95th percentile. A worker listens for new
    connections only while it holds at most one more than the least busy; one that is not serving (starting,
    replaced) counts as full."""

    FULL = 2**31 - 1

    def __init__(self, slots: int) -> None:
        self._memory = mmap.mmap(-1, 4 * slots)  # anonymous and shared: the forked workers see one array
        self.counts = memoryview(self._memory).cast("i")
        for slot in range(slots):
            self.counts[slot] = self.FULL

    def attach(self, server: BaseWSGIServer, slot: int) -> None:
        """Make `server` (in the worker of `slot`) accept only while it is among the least busy."""
        readable = server.readable
        counts = self.counts

        def balanced() -> bool:
            mine = counts[slot] = len(server.active_channels)
            # within one of the least busy: two workers that hold 8 and 9 both listen, so a worker whose loop
            # sleeps (it looks again within a second, waitress's loop timeout) rarely leaves a connection waiting
            return bool(readable()) and mine <= min(counts) + 1

        server.readable = balanced


def _drop_handed_down() -> None:
    from index.whoosh.engine import drop_handed_down

    drop_handed_down()


class _Supervisor:
    """The parent of the worker processes: forks them, restarts one that dies, stops them all at the end."""

    def __init__(self, app: Flask, sock: socket.socket, threads: int, processes: int) -> None:
        self.app, self.sock, self.threads, self.processes = app, sock, threads, processes
        self.workers: dict[int, int] = {}  # pid -> slot
        self.deaths: list[float] = []
        self.ready_r, self.ready_w = os.pipe()
        self.balance = Balance(processes)

    def run(self, announce: Any) -> None:
        previous = signal.signal(signal.SIGTERM, self._on_term)
        try:
            for slot in range(self.processes):
                self._fork(slot)
            _drop_handed_down()  # the workers have them; one restarted later builds its own
            self._wait_ready()
            announce()
            while True:
                pid, status = os.wait()
                if pid in self.workers:
                    slot = self.workers.pop(pid)
                    self._died(pid, status)
                    self._fork(slot)
        except _Stop:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._stop_all()
            os.close(self.ready_r)
            os.close(self.ready_w)

    @staticmethod
    def _on_term(signum: int, frame: object) -> None:
        raise _Stop()

    def _wait_ready(self) -> None:
        """Block until one worker listens (it writes a byte), or fail when all of them died first."""
        while True:
            readable, _, _ = select.select([self.ready_r], [], [], 0.5)
            if readable:
                os.read(self.ready_r, 1)
                return
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid and pid in self.workers:
                slot = self.workers.pop(pid)
                self._died(pid, status)
                self._fork(slot)

    def _died(self, pid: int, status: int) -> None:
        now = time.monotonic()
        self.deaths = [d for d in self.deaths if d > now - RESTART_WINDOW] + [now]
        code = os.waitstatus_to_exitcode(status)
        log.warning("serving process %d ended (%s); starting another", pid, code)
        if len(self.deaths) >= RESTART_LIMIT:
            raise AppError(
                f"serving processes keep ending ({len(self.deaths)} in {RESTART_WINDOW:.0f} s); see the log above",
                code="workers_failing",
            )

    def _fork(self, slot: int) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self.balance.counts[slot] = Balance.FULL  # not serving until its worker listens
        pid = os.fork()
        if pid:
            self.workers[pid] = slot
            return
        code = 0
        try:  # the worker: never returns into the parent's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _end_with_parent()
            os.close(self.ready_r)
            _warm(self.app)
            server = _waitress(self.app, self.sock, self.threads)
            self.balance.attach(server, slot)
            os.write(self.ready_w, b"1")
            server.run()
        except KeyboardInterrupt:
            pass
        except BaseException:
            log.exception("serving process %d failed", os.getpid())
            code = 1
        finally:
            os._exit(code)

    def _stop_all(self) -> None:
        for pid in list(self.workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.workers.pop(pid, None)
        deadline = time.monotonic() + 10
        while self.workers and time.monotonic() < deadline:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.workers.pop(pid, None)
            else:
                time.sleep(0.05)
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)

"""A light closed-loop HTTP load generator: one thread, `clients` keep-alive connections, one `selectors` loop.

The benchmark's client runs on the cores it measures. A thread per client with `http.client` spends a share
of those cores on the interpreter lock and on parsing every header; here one thread sends pre-encoded GET
requests and reads each answer only as far as its framing needs (status line, Content-Length or chunked), so
a request costs the client some tens of microseconds, and `LoadResult.cpu_s` says how much it took in all.

Each connection asks its next path as soon as its previous answer is complete (closed loop, no think time):
`clients` requests are in flight at any moment, as with `clients` browsers that never pause. A connection the
server closes is opened again; a refused or reset one counts as an error (status 0).
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HEADER_END = b"\r\n\r\n"
READ_SIZE = 262144


class ResponseError(Exception):
    """An answer this client cannot frame (no Content-Length, not chunked): reported as an error."""


@dataclass(slots=True)
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, in the order answers arrived
    statuses: list[int] = field(default_factory=list)
    seconds: float = 0.0  # wall time from the first request sent to the last answer read
    cpu_s: float = 0.0  # this thread's CPU time for the whole run (the client's own cost)
    reconnects: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.statuses if s != 200)


class _Conn:
    __slots__ = ("buf", "busy", "sent_at", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.sent_at = 0.0
        self.busy = False


def _framed(buf: bytearray) -> tuple[int, int, bool] | None:
    """(status, length of the whole answer in `buf`, keep-alive) once `buf` holds a complete answer, else None."""
    end = buf.find(HEADER_END)
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close" and head[0].startswith("HTTP/1.1")
    body = end + len(HEADER_END)
    if "content-length" in headers:
        total = body + int(headers["content-length"])
        return (status, total, keep) if len(buf) >= total else None
    if headers.get("transfer-encoding", "").lower() == "chunked":
        at = body
        while True:
            line_end = buf.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buf[at:line_end]).split(b";")[0], 16)
            at = line_end + 2 + size + 2
            if len(buf) < at:
                return None
            if size == 0:
                return status, at, keep
    raise ResponseError(f"an answer without Content-Length or chunked framing (HTTP {status})")


def run(
    host: str,
    port: int,
    paths: Sequence[str],
    *,
    clients: int,
    requests: int,
    timeout: float = 120.0,
    on_answer: Callable[[], None] | None = None,
) -> LoadResult:
    """`requests` GETs of `paths` in turn (request i asks paths[i % len]), `clients` at a time, keep-alive."""
    encoded = [f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode("latin-1") for p in paths]
    result = LoadResult()
    selector = selectors.DefaultSelector()
    next_i = 0
    done = 0
    cpu0 = time.thread_time()

    def connect() -> _Conn:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return _Conn(sock)

    def send(conn: _Conn) -> None:
        nonlocal next_i
        if next_i >= requests:
            conn.busy = False
            return
        data = encoded[next_i % len(encoded)]
        next_i += 1
        conn.busy = True
        conn.sent_at = time.perf_counter()
        conn.sock.setblocking(True)  # a request is a few hundred bytes: one blocking send, then back to select
        try:
            conn.sock.sendall(data)
        finally:
            conn.sock.setblocking(False)

    def finish(conn: _Conn, status: int) -> None:
        nonlocal done
        result.latencies.append(time.perf_counter() - conn.sent_at)
        result.statuses.append(status)
        done += 1
        if on_answer is not None:
            on_answer()

    def replace(conn: _Conn) -> _Conn:
        selector.unregister(conn.sock)
        conn.sock.close()
        fresh = connect()
        result.reconnects += 1
        selector.register(fresh.sock, selectors.EVENT_READ, fresh)
        return fresh

    started = time.perf_counter()
    conns: list[_Conn] = []
    try:
        for _ in range(min(clients, requests)):
            conn = connect()
            conns.append(conn)
            selector.register(conn.sock, selectors.EVENT_READ, conn)
        for conn in conns:
            send(conn)
        while done < requests:
            events = selector.select(timeout)
            if not events:
                raise TimeoutError(f"no answer within {timeout:.0f} s")
            for key, _ in events:
                conn = key.data
                try:
                    chunk = conn.sock.recv(READ_SIZE)
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if not chunk:  # closed by the server: an error if an answer was due
                    if conn.busy:
                        finish(conn, 0)
                    send(replace(conn))
                    continue
                conn.buf += chunk
                while conn.busy:
                    try:
                        framed = _framed(conn.buf)
                    except (ResponseError, ValueError, IndexError):
                        finish(conn, 0)
                        conn = replace(conn)
                        send(conn)
                        break
                    if framed is None:
                        break
                    status, length, keep = framed
                    del conn.buf[:length]
                    finish(conn, status)
                    if not keep:
                        conn = replace(conn)
                    send(conn)
        result.seconds = time.perf_counter() - started
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()
        result.cpu_s = time.thread_time() - cpu0
    return result

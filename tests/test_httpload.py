"""The benchmark's light HTTP client (`bench.httpload`) against a real loopback server: counts, framing, errors."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench import httpload


class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.asked: Counter[str] = Counter()
        self.connections = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive unless the answer says close

            def setup(self) -> None:
                super().setup()
                with site.lock:
                    site.connections += 1

            def do_GET(self) -> None:
                with site.lock:
                    site.asked[self.path] += 1
                body = ("answer to " + self.path).encode() * 50
                if self.path.startswith("/chunked"):
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(body), 333):
                        piece = body[start : start + 333]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_response(500 if self.path.startswith("/fail") else 200)
                self.send_header("Content-Length", str(len(body)))
                if self.path.startswith("/close"):
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture()
def site() -> Iterator[_Site]:
    server = _Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_every_request_is_answered_once_in_turn_over_kept_alive_connections(site: _Site) -> None:
    paths = ["/a", "/b", "/chunked", "/c"]
    result = httpload.run("127.0.0.1", site.server_address[1], paths, clients=4, requests=103)
    assert len(result.latencies) == len(result.statuses) == 103
    assert result.errors == 0 and set(result.statuses) == {200}
    # request i asks paths[i % 4]: 26 of the first three, 25 of the last
    assert site.asked == Counter({"/a": 26, "/b": 26, "/chunked": 26, "/c": 25})
    assert site.connections == 4, "the connections were not kept alive"
    assert result.seconds > 0 and all(t > 0 for t in result.latencies)
    assert result.cpu_s > 0


def test_a_closed_connection_is_opened_again_and_a_failure_counts_as_an_error(site: _Site) -> None:
    paths = ["/ok", "/close", "/fail"]
    result = httpload.run("127.0.0.1", site.server_address[1], paths, clients=2, requests=30)
    assert len(result.statuses) == 30
    assert Counter(result.statuses) == Counter({200: 20, 500: 10})
    assert result.errors == 10
    assert result.reconnects == 10  # each /close answer, one new connection
    assert sum(site.asked.values()) == 30


def test_fewer_requests_than_clients(site: _Site) -> None:
    result = httpload.run("127.0.0.1", site.server_address[1], ["/x"], clients=16, requests=3)
    assert result.statuses == [200, 200, 200]
    assert site.connections == 3

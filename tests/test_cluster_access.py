"""Basic auth and TLS to a secured cluster, for real: a TLS-terminating reverse proxy on loopback that demands a
user name and password, in front of the local cluster (the integ-test distribution has no security plugin).

Its certificate is signed by a certificate authority made for this test (trustme). With the right password and
that CA the app indexes, searches and answers its API through the proxy; a wrong password, or a certificate the
app does not trust, is one line that says which setting to fix (the CLI exits non-zero, the API answers 503),
never a traceback; SEARCHAPP_OPENSEARCH_VERIFY_CERTS=0 accepts the untrusted certificate.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from index import SearchRequest, open_index
from searchapp import create_app
from searchapp.cli import main
from tests.clusterfixtures import engine_env
from tests.webdata import sample_records

# not Latin-1: basic auth is UTF-8 (the client's own http_auth failed on it)
USER, PASSWORD = "редакция", "көктем-2026"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}
REFUSAL = json.dumps(
    {
        "error": {"type": "security_exception", "reason": "unable to authenticate user"},
        "status": 401,
    }
).encode()


class AuthProxy:
    """HTTPS on 127.0.0.1 with `cert`, relaying to the cluster at `upstream` only the requests that carry the
    right basic auth; the others get 401, as a cluster with its security plugin answers them."""

    def __init__(self, upstream: str, cert: Any) -> None:
        target = urlsplit(upstream)
        host, port = target.hostname or "127.0.0.1", target.port or 9200
        token = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        counts = self.counts = {"relayed": 0, "refused": 0, "failed": 0}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the client expects of a cluster

            def relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.headers.get("Authorization") != token:
                    counts["refused"] += 1
                    self.answer(401, [("Content-Type", "application/json"), ("WWW-Authenticate", "Basic")], REFUSAL)
                    return
                counts["relayed"] += 1
                upstream_conn = http.client.HTTPConnection(host, port, timeout=60)
                try:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"authorization", "host"}
                    }
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    response = upstream_conn.getresponse()
                    data = response.read()
                    kept = [
                        (k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}
                    ]
                    self.answer(response.status, kept, data)
                finally:
                    upstream_conn.close()

            def answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay

            def log_message(self, format: str, *args: Any) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                counts["failed"] += 1  # a client that refused the certificate: counted, not printed

        self.server = Server(("127.0.0.1", 0), Handler)
        # the handshake in the handler's thread (on its first read), not in the accepting one: a client that
        # refuses the certificate then costs only its own thread
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A certificate authority made for this module, and its certificate as a PEM file."""
    trustme = pytest.importorskip("trustme", reason="trustme is not installed (pip install '.[test]')")
    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return ca, pem


@pytest.fixture(scope="module")
def proxy(opensearch_url: str, authority: tuple[Any, Path]) -> Iterator[AuthProxy]:
    ca, _pem = authority
    relay = AuthProxy(opensearch_url, ca.issue_cert("127.0.0.1", "localhost"))
    yield relay
    relay.close()


@pytest.fixture(scope="module")
def secured_data(tmp_path_factory: pytest.TempPathFactory, proxy: AuthProxy, authority: tuple[Any, Path]) -> Path:
    """A data folder whose index was written through the proxy, with the right password and the CA."""
    data = tmp_path_factory.mktemp("secured") / "data"
    with pytest.MonkeyPatch.context() as env:
        for key, value in secured_env(proxy, authority[1]).items():
            env.setenv(key, value)
        index = open_index(data / "index")
        try:
            index.add(sample_records())
        finally:
            index.close()
    return data


def secured_env(proxy: AuthProxy, ca_file: Path, password: str = PASSWORD) -> dict[str, str]:
    return {
        **engine_env(proxy.url),
        "SEARCHAPP_OPENSEARCH_USER": USER,
        "SEARCHAPP_OPENSEARCH_PASSWORD": password,
        "SEARCHAPP_OPENSEARCH_CA_CERTS": str(ca_file),
        "SEARCHAPP_OPENSEARCH_TIMEOUT": "10",
    }


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set a group of SEARCHAPP_* variables for this test (and only the engine's: none left from before)."""

    def apply(env: dict[str, str]) -> None:
        for key in list(os.environ):
            if key.startswith("SEARCHAPP_OPENSEARCH_") or key == "SEARCHAPP_ENGINE":
                monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)

    return apply


def api_search(data: Path, q: str = "зауыт") -> tuple[int, dict[str, Any]]:
    app = create_app({"data": str(data), "TESTING": True})
    try:
        answer = app.test_client().get("/api/search", query_string={"q": q})
        page = app.test_client().get("/", query_string={"q": q})
        assert page.status_code in (200, 503), page.status_code  # the page says it too, never a 500
        return answer.status_code, answer.get_json()
    finally:
        index = app.extensions.get("searchapp.index")
        if index is not None:
            index.close()


def cli_search(data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["search", "зауыт", "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err.strip()


def cli_refusal(data: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`searchapp search` that must fail: its one line (non-zero exit, no traceback)."""
    code, _out, err = cli_search(data, capsys)
    assert code != 0
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_the_right_password_and_ca_work_end_to_end(
    secured_data: Path, proxy: AuthProxy, authority: tuple[Any, Path], use: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use(secured_env(proxy, authority[1]))
    before = dict(proxy.counts)
    index = open_index(secured_data / "index", readonly=True)
    try:
        assert index.count() == len(sample_records())
        assert index.search(SearchRequest(q="зауыт")).total > 0
    finally:
        index.close()
    status, body = api_search(secured_data)
    assert status == 200 and body["total"] > 0
    code, out, err = cli_search(secured_data, capsys)
    assert code == 0, err
    assert "зауыт" in out.lower()
    assert proxy.counts["relayed"] > before["relayed"] and proxy.counts["refused"] == before["refused"]


def test_a_wrong_password_is_one_clear_line_and_a_503(
    secured_data: Path, proxy: AuthProxy, authority: tuple[Any, Path], use: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use(secured_env(proxy, authority[1], password="wrong"))
    refused = proxy.counts["refused"]
    err = cli_refusal(secured_data, capsys)
    assert "refused the user name or password" in err and "SEARCHAPP_OPENSEARCH_PASSWORD" in err, err
    status, body = api_search(secured_data)
    assert status == 503
    assert "refused the user name or password" in body["error"]["message"]
    assert proxy.counts["refused"] > refused


def test_an_untrusted_certificate_is_refused_unless_verification_is_off(
    secured_data: Path, proxy: AuthProxy, authority: tuple[Any, Path], use: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    env = secured_env(proxy, authority[1])
    del env["SEARCHAPP_OPENSEARCH_CA_CERTS"]  # the system's CAs do not know this test's authority
    use(env)
    relayed = proxy.counts["relayed"]
    err = cli_refusal(secured_data, capsys)
    assert "certificate" in err and "SEARCHAPP_OPENSEARCH_CA_CERTS" in err, err
    status, body = api_search(secured_data)
    assert status == 503 and "is not trusted" in body["error"]["message"]
    assert proxy.counts["relayed"] == relayed  # nothing reached the cluster over the refused connection
    assert proxy.counts["failed"] > 0  # the app hung up in the handshake

    use({**env, "SEARCHAPP_OPENSEARCH_VERIFY_CERTS": "0"})
    status, body = api_search(secured_data)
    assert status == 200 and body["total"] > 0
    assert proxy.counts["relayed"] > relayed


def test_https_to_a_plain_http_cluster_is_one_line(
    secured_data: Path, opensearch_url: str, use: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use(engine_env(opensearch_url.replace("http://", "https://")))
    err = cli_refusal(secured_data, capsys)
    assert "no TLS connection to the search cluster" in err and "is it https?" in err, err

"""`searchapp extract`: saved files and politely fetched URLs printed as the API's article record."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from searchapp.cli import main
from tests.conftest import TEST_DATA

GOLD = TEST_DATA / "extract"
ARTICLE = GOLD / "demo-ertis-00.html"
FRONT = GOLD / "demo-ertis-front.html"


def run(args: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["extract", *args, "--data", str(data_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def test_saved_file_prints_the_full_record(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = json.loads(ARTICLE.with_suffix(".json").read_text(encoding="utf-8"))
    code, out, _err = run([str(ARTICLE), "--url", truth["url"]], data_dir, capsys)
    assert code == 0
    record = json.loads(out)
    assert record["title"] == truth["title"]
    assert record["lang"] == "kk"
    assert record["published"] == truth["published"][:10]
    assert record["source"] == "127.0.0.1:8101"
    assert truth["paragraphs"][0] in record["text"]
    assert {"id", "url", "regions", "sectors", "countries", "amounts", "lead", "authors", "evidence"} <= set(record)


def test_jsonl_gives_one_line_per_input_and_null_for_no_article(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([str(ARTICLE), str(FRONT), str(ARTICLE), "--jsonl"], data_dir, capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    first, second, third = (json.loads(line) for line in lines)
    assert second is None and first["title"] == third["title"]
    assert "no article" in err


def test_no_article_without_jsonl_is_an_error_in_words(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(FRONT)], data_dir, capsys)
    assert code == 1 and out == ""
    assert "no article" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/page.html"], "no such file"),
        (["ftp://example.kz/a.html"], "only http and https"),
        ([], "name a saved HTML file"),
    ],
)
def test_user_mistakes_are_clear(
    args: list[str], message: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(args, data_dir, capsys)
    assert code == 1 and message in err and "Traceback" not in err


def test_a_folder_is_not_a_page(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run([str(tmp_path)], data_dir, capsys)
    assert code == 1 and "not a file" in err


class _Site(BaseHTTPRequestHandler):
    agents: list[str] = []  # noqa: RUF012  (shared by the test's one server)

    def do_GET(self) -> None:
        type(self).agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
        elif self.path in ("/news/a.html", "/private/a.html"):
            body, ctype = ARTICLE.read_bytes(), "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Site.agents.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_url_is_fetched_politely(site: str, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run([f"{site}/news/a.html"], data_dir, capsys)
    assert code == 0
    assert json.loads(out)["lang"] == "kk"
    assert len(_Site.agents) == 2 and all(a.startswith("KzPressSearch") for a in _Site.agents)


def test_robots_txt_is_obeyed(site: str, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([f"{site}/private/a.html"], data_dir, capsys)
    assert code == 1 and out == "" and "robots.txt" in err


def test_missing_page_and_unreachable_host(site: str, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run([f"{site}/nothing.html"], data_dir, capsys)
    assert code == 1 and "404" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # a port nobody listens on once the socket closes
    code, _out, err = run([f"http://127.0.0.1:{port}/a.html"], data_dir, capsys)
    assert code == 1 and "cannot reach" in err and "Traceback" not in err

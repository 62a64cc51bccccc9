"""The terminal side of the web app: `searchapp search` (same parser, same answer as the API) and `serve`."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from index import SearchIndex
from searchapp import create_app
from searchapp.cli import main
from searchapp.errors import AppError
from searchapp.server import BackgroundServer, make_server


def test_search_json_is_exactly_the_api_answer(
    press_index: SearchIndex, data_dir: Path, web: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["search", "зауыт", "--region", "KZ-61", "--sort", "date", "--json", "--data", str(data_dir)])
    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    api = web.get("/api/search?q=зауыт&region=KZ-61&sort=date&ui=ru").get_json()
    assert printed == api


def test_search_prints_a_readable_list(
    press_index: SearchIndex, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCHAPP_UI_LANG", "en")
    status = main(["search", "--lang", "ru", "--amount-min", "1000000000", "--data", str(data_dir)])
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith("Found: 2")
    assert "Павлодарские аграрии собрали урожай пшеницы" in out
    assert "sarbiz.kz · 2023-09-15 · Russian" in out
    assert "https://sarbiz.kz/news/4.html" in out
    assert "<mark>" not in out


def test_search_refuses_bad_flags_in_one_line(
    press_index: SearchIndex, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCHAPP_UI_LANG", "ru")
    assert main(["search", "x", "--date-from", "yesterday", "--data", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("searchapp search: date_from") and "ГГГГ-ММ-ДД" in err
    assert err.count("\n") == 1


def test_a_taken_port_is_a_clear_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCHAPP_UI_LANG", "en")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = create_app({"data": str(data_dir), "ui_lang": "en"})
        with pytest.raises(AppError) as info:
            make_server(app, "127.0.0.1", port, 2)
        assert info.value.message == f"127.0.0.1:{port} is already in use; choose another --port"
        assert main(["serve", "--port", str(port), "--data", str(data_dir)]) == 1
        assert (
            capsys.readouterr().err == f"searchapp serve: 127.0.0.1:{port} is already in use; choose another --port\n"
        )


def test_serve_command_runs_waitress_until_stopped(press_index: SearchIndex, data_dir: Path) -> None:
    import subprocess
    import sys

    import httpx

    press_index.close()  # the served process opens the index itself
    command = [sys.executable, "-m", "searchapp.cli", "serve", "--port", "0", "--data", str(data_dir)]
    env = {**os.environ, "SEARCHAPP_UI_LANG": "en"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("Serving on http://127.0.0.1:"), line + (
                process.stderr.read() if process.stderr else ""
            )
            url = line.split()[-1]
            body = httpx.get(url + "api/search?q=завод&xlang=0", timeout=30).json()
            assert body["total"] == 1
            translated = httpx.get(url + "api/search?q=завод", timeout=30).json()  # also the Kazakh зауыт stories
            assert translated["total"] > 1 and "зауыт" in translated["expanded"]["kk"]
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_serve_answers_over_http(press_app: Flask) -> None:
    import httpx

    with BackgroundServer(press_app, threads=2) as server:
        base = server.url
        response = httpx.get(base + "api/search?q=зауыт", timeout=10)
        assert response.status_code == 200
        assert response.json()["total"] >= 1
        page = httpx.get(base, timeout=10)
        assert "Content-Security-Policy" in page.headers

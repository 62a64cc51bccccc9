"""Admin actions over HTTP: crawl now, reindex, delete any saved search.

They need `Authorization: Bearer <admin_token>` (setting `admin_token`) and answer 404 when no admin token is
set, as if they did not exist. Crawl and reindex run in a background thread under the same lock as
`searchapp watch`, so they never run twice at once. The request itself takes that lock (a file lock, so it
holds across every serving process and a running `searchapp watch`) and hands it to the thread: the answer is
202 with what was started, or 409 when a crawl or reindex already holds it.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from searchapp.errors import AppError, NotFound
from searchapp.paths import DataPaths
from searchapp.security import rate_limit, require_admin
from searchapp.watch import crawl_lock

bp = Blueprint("admin", __name__, url_prefix="/api/admin")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.before_request
def _guard() -> None:
    require_admin()
    rate_limit("admin", limit=30)


def _start(name: str, work: Any) -> Response:
    paths: DataPaths = current_app.config["PATHS"]
    lock = ExitStack()
    if not lock.enter_context(crawl_lock(paths)):  # non-blocking: held by another process, thread or watch
        lock.close()
        raise AppError("A crawl or reindex is already running.", code="busy", status=409)

    def job() -> None:
        with lock:  # released when the work ends, however it ends
            work()

    thread = threading.Thread(target=job, name=f"admin-{name}", daemon=True)
    try:
        thread.start()
    except BaseException:
        lock.close()
        raise
    response = jsonify({"started": name})
    response.status_code = 202
    return response


@bp.post("/reindex")
def reindex() -> Response:
    from searchapp import pipeline

    paths: DataPaths = current_app.config["PATHS"]
    return _start("reindex", lambda: pipeline.reindex(paths))


@bp.post("/crawl")
def crawl() -> Response:
    from crawler.sources import load_sources
    from searchapp import pipeline

    paths: DataPaths = current_app.config["PATHS"]
    settings = current_app.config["SETTINGS"]
    sources_file = paths.demo / "sources.toml"
    sources = load_sources(sources_file if sources_file.exists() else None)
    return _start("crawl", lambda: pipeline.crawl(paths, sources, settings=settings))


@bp.delete("/saved-searches/<public_id>")
def delete_saved_search(public_id: str) -> Response:
    from searchapp.feeds import store

    if not store().delete_by_public_id(public_id):
        raise NotFound("No such saved search.")
    return jsonify({"deleted": public_id})

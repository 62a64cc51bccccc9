"""Admin actions over HTTP: crawl now, reindex, delete any saved search.

They need `Authorization: Bearer <admin_token>` (setting `admin_token`) and answer 404 when no admin token is
set, as if they did not exist. Crawl and reindex run in a background thread under the same lock as
`searchapp watch`, so they never run twice at once; the answer is 202 with what was started.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from searchapp.errors import AppError, NotFound
from searchapp.paths import DataPaths
from searchapp.security import rate_limit, require_admin
from searchapp.watch import crawl_lock

bp = Blueprint("admin", __name__, url_prefix="/api/admin")


def init_app(app: Flask) -> None:
    app.extensions["searchapp.admin_jobs"] = {}
    app.register_blueprint(bp)


@bp.before_request
def _guard() -> None:
    require_admin()
    rate_limit("admin", limit=30)


def _start(name: str, work: Any) -> Response:
    paths: DataPaths = current_app.config["PATHS"]
    jobs: dict[str, threading.Thread] = current_app.extensions["searchapp.admin_jobs"]
    running = jobs.get(name)
    if running is not None and running.is_alive():
        raise AppError(f"A {name} is already running.", code="busy", status=409)

    def job() -> None:
        with crawl_lock(paths) as held:
            if held:
                work()

    thread = threading.Thread(target=job, name=f"admin-{name}", daemon=True)
    jobs[name] = thread
    thread.start()
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

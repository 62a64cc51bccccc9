"""The JSON API of CONTRACT.md under /api: search, articles, saved searches."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from searchapp.errors import NotFound
from searchapp.query import parse_request
from searchapp.records import record_json, result_json
from searchapp.resources import get_index
from searchapp.web import ui_lang

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    settings = current_app.config["SETTINGS"]
    search_request = parse_request(
        request.args,
        lang=ui_lang(),
        per_page_default=settings["per_page"],
        max_per_page=settings["max_per_page"],
        max_query_chars=settings["max_query_chars"],
    )
    return jsonify(result_json(get_index().search(search_request)))


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    record = get_index().get(article_id)
    if record is None:
        raise NotFound(f"no article with id {article_id[:40]!r}")
    return jsonify(record_json(record, full=True))

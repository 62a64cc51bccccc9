"""The JSON API of CONTRACT.md under /api: search, articles, and the OpenAPI document describing them.

Both endpoints are views of the same objects as the HTML pages (`searchapp.records`); facet labels come
in the UI language (`?ui=`, cookie, Accept-Language). Errors are `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from searchapp.errors import NotFound
from searchapp.i18n import t
from searchapp.openapi import openapi_document
from searchapp.records import record_json, run_search
from searchapp.resources import get_index, outlet_names
from searchapp.web import ui_lang

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    found = run_search(
        get_index(), request.args, ui=ui_lang(), settings=current_app.config["SETTINGS"], outlets=outlet_names()
    )
    return jsonify(found.json())


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    record = get_index().get(article_id[:64])
    if record is None:
        raise NotFound(t("article_not_found", ui_lang()))
    return jsonify(record_json(record, full=True))


@bp.get("/openapi.json")
def openapi() -> Response:
    base = str(current_app.config["SETTINGS"]["base_url"] or request.url_root).rstrip("/")
    return jsonify(openapi_document(base))

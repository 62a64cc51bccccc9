"""HTML pages: the search page and the article page."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("ui", __name__)


@bp.get("/")
def home() -> str:
    return render_template("search.html")

"""One error handler, the UI language, and the headers every response carries.

Errors under /api answer JSON `{"error": {"code", "message"}}`; elsewhere an HTML page. The message is in
the user's language; an unexpected exception is logged and answered as a plain 500 without internals.
The UI language comes from `?ui=` (then remembered in a cookie), the cookie, Accept-Language, the setting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from index import QueryError, SearchIndexError
from searchapp.errors import AppError
from searchapp.i18n import LANGS, NATIVE, t

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
COOKIE = "ui_lang"
COOKIE_AGE = 365 * 24 * 3600
_HTTP_MESSAGES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 413: "too_large"}
MAX_BODY_BYTES = 64 * 1024  # a saved search or a form is a few hundred bytes; nothing bigger is read


def ui_lang() -> str:
    """The UI language: ?ui=, then the cookie, then Accept-Language, then the default setting."""
    cached: str | None = g.get("ui_lang")
    if cached:
        return cached
    chosen = ""
    for candidate in (request.args.get("ui"), request.cookies.get(COOKIE)):
        if candidate in LANGS:
            chosen = str(candidate)
            break
    if not chosen:
        default = str(current_app.config["SETTINGS"]["ui_lang"])
        if request.accept_languages:
            chosen = request.accept_languages.best_match(list(LANGS), default=default) or default
        else:
            chosen = default
    g.ui_lang = chosen
    return chosen


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, code: str, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    html = render_template("error.html", status=status, code=code, message=message)
    return Response(html, status=status, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(SearchIndexError)
    def _index_error(exc: SearchIndexError) -> Response:
        # a request the index cannot answer as asked is the user's to fix; anything else is ours, said plainly
        if isinstance(exc, QueryError):
            return error_response(400, "bad_query", str(exc))
        app.logger.error("index error on %s: %s", request.path, exc)
        return error_response(503, "index_unavailable", str(exc))

    @app.before_request
    def _refuse_huge_bodies() -> None:
        # a declared length over the limit is refused at once, before any view (or a silent JSON parse) reads it
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        key = _HTTP_MESSAGES.get(status) or ("bad_request" if 400 <= status < 500 else "internal_error")
        message = t(key, ui_lang())
        return error_response(status, code, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unexpected error on %s", request.path)
        return error_response(500, "internal", t("internal_error", ui_lang()))

    @app.context_processor
    def _words() -> dict[str, Any]:
        lang = ui_lang()
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
        switch = [(code, NATIVE[code], f"{request.path}?{urlencode([*args, ('ui', code)])}") for code in LANGS]
        return {"ui_lang": lang, "_": lambda key, **fields: t(key, lang, **fields), "lang_links": switch}

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        chosen = request.args.get("ui")
        if chosen in LANGS and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, str(chosen), max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        if not request.path.startswith("/static/"):  # words depend on the chosen language
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
        return response

"""One error handler and the headers every response carries.

Errors under /api answer JSON `{"error": {"code", "message"}}`; elsewhere an HTML page. The message is in
the user's words; an unexpected exception is logged and answered as a plain 500 without internals.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from searchapp.errors import AppError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def ui_lang() -> str:
    """The UI language: ?lang_ui=, then the cookie, then Accept-Language, then the default setting."""
    from flask import current_app

    for candidate in (request.args.get("ui"), request.cookies.get("ui_lang")):
        if candidate in ("ru", "kk", "en"):
            return candidate
    best = request.accept_languages.best_match(["ru", "kk", "en"])
    return best or str(current_app.config["SETTINGS"]["ui_lang"])


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _error_response(status: int, code: str, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    html = render_template("error.html", status=status, code=code, message=message)
    return Response(html, status=status, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        return _error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unexpected error on %s", request.path)
        return _error_response(500, "internal", "Something went wrong on our side; it has been logged.")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

"""Guards for state-changing routes: CSRF tokens for forms, rate limits, and the admin token.

Forms carry a per-session CSRF token (Flask's signed session cookie holds it). JSON API posts must be sent
as `application/json`, which a cross-site form cannot do without a CORS preflight we never grant. Admin
routes need `Authorization: Bearer <admin_token>` and do not exist at all when no admin token is set.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from flask import Flask, abort, current_app, request, session

from searchapp.errors import AppError
from searchapp.i18n import t
from searchapp.web import ui_lang

CSRF_FIELD = "csrf_token"


def _secret_key(app: Flask) -> str:
    configured = str(app.config["SETTINGS"]["secret_key"])
    if configured:
        return configured
    path: Path = app.config["PATHS"].root / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key
    except FileExistsError:  # pragma: no cover - a concurrent first start
        return path.read_text(encoding="ascii").strip()


def init_app(app: Flask) -> None:
    app.secret_key = _secret_key(app)
    # Flask's defaults already hold these keys (SameSite None), so set them unless the caller chose otherwise
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.extensions["searchapp.ratelimit"] = RateLimiter()


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse a form post whose token does not match the session's."""
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent, expected):
        raise AppError(t("csrf_failed", ui_lang()), code="csrf", status=400)


def client_id() -> str:
    """Who is asking, for rate limits: the peer address (a proxy in front should set it right)."""
    return request.remote_addr or "unknown"


class RateLimiter:
    """A sliding window per (route, client), in memory: enough for one serving process."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, client: str, limit: int, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


def rate_limit(bucket: str, limit: int, window: float = 60.0) -> None:
    limiter: RateLimiter = current_app.extensions["searchapp.ratelimit"]
    if not limiter.allow(bucket, client_id(), limit, window):
        raise AppError(t("rate_limited", ui_lang()), code="rate_limited", status=429)


def require_admin() -> None:
    """Admin routes: 404 when no admin token is configured, 403 for a wrong one."""
    token = str(current_app.config["SETTINGS"]["admin_token"])
    if not token:
        abort(404)
    header = request.headers.get("Authorization", "")
    sent = header[7:] if header.startswith("Bearer ") else ""
    if not sent or not hmac.compare_digest(sent.encode(), token.encode()):
        raise AppError("This action needs the admin token.", code="forbidden", status=403)

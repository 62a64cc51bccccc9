"""Guards for state-changing routes: CSRF tokens for forms, rate limits, and the admin token.

Forms carry a per-session CSRF token (Flask's signed session cookie holds it). JSON API posts must be sent
as `application/json`, which a cross-site form cannot do without a CORS preflight we never grant. Admin
routes need `Authorization: Bearer <admin_token>` and do not exist at all when no admin token is set.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sqlite3
import time
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
    app.extensions["searchapp.ratelimit"] = RateLimiter(app.config["PATHS"].app_db)


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


# Per bucket: when the counts cannot be read (app.sqlite locked past the timeout, or damaged), let the request
# through (open) or answer 503 (closed). Admin is open: the caller already proved the admin token, and an operator
# must still be able to reindex when app.sqlite is in trouble. Every other bucket guards a public write into the
# same app.sqlite, which would fail anyway, so it is closed: a clear "try again" rather than an unmetered write.
FAIL_OPEN = frozenset({"admin"})
LIMIT_TIMEOUT = 2.0  # seconds to wait for another process's write before giving up on the counts

RATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_hit (
    bucket TEXT NOT NULL,
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_hit_client ON rate_hit(bucket, client, at);
CREATE INDEX IF NOT EXISTS rate_hit_age ON rate_hit(bucket, at);
"""


class RateLimiter:
    """A sliding window per (bucket, client), kept in the data folder's app.sqlite so that every serving
    process (and every app on the same folder) shares one count.

    Each allowed hit is a row; a refused one writes nothing, so a bucket holds at most `limit` rows per client
    and every call first drops the bucket's hits older than its window (an index on (bucket, at) makes that a
    range delete). Prune, count and insert run in one BEGIN IMMEDIATE transaction: two processes cannot both
    read "limit - 1" and both insert.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._schema_ready = False

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=LIMIT_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")  # a power cut may forget the last hits: no fsync per request
            if not self._schema_ready:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(RATE_SCHEMA)
                self._schema_ready = True
        except sqlite3.Error:
            db.close()
            raise
        return db

    def allow(self, bucket: str, client: str, limit: int, window: float) -> bool:
        """Record a hit unless `client` already has `limit` in the last `window` seconds. Raises sqlite3.Error
        when the counts cannot be read or written."""
        now = time.time()  # wall clock: shared by every process, unlike monotonic()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM rate_hit WHERE bucket = ? AND at <= ?", (bucket, now - window))
                (used,) = db.execute(
                    "SELECT COUNT(*) FROM rate_hit WHERE bucket = ? AND client = ?", (bucket, client)
                ).fetchone()
                allowed = used < limit
                if allowed:
                    db.execute("INSERT INTO rate_hit (bucket, client, at) VALUES (?, ?, ?)", (bucket, client, now))
                db.execute("COMMIT")
            except BaseException as exc:
                if isinstance(exc, sqlite3.Error):
                    self._schema_ready = False  # app.sqlite may have been replaced: set it up again next time
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return allowed
        finally:
            db.close()


def rate_limit(bucket: str, limit: int, window: float = 60.0, message: str = "rate_limited") -> None:
    """Count a hit of this client in `bucket`: 429 (with the words of i18n key `message`) past `limit` hits in
    `window` seconds; 503 for a closed bucket whose counts cannot be read (see FAIL_OPEN)."""
    limiter: RateLimiter = current_app.extensions["searchapp.ratelimit"]
    try:
        allowed = limiter.allow(bucket, client_id(), limit, window)
    except sqlite3.Error as exc:
        if bucket in FAIL_OPEN:
            current_app.logger.warning("rate limit %s not counted (app.sqlite: %s); let through", bucket, exc)
            return
        current_app.logger.error("rate limit %s not counted (app.sqlite: %s); refused", bucket, exc)
        raise AppError(t("limit_unavailable", ui_lang()), code="unavailable", status=503) from exc
    if not allowed:
        raise AppError(t(message, ui_lang()), code="rate_limited", status=429)


def require_admin() -> None:
    """Admin routes: 404 when no admin token is configured, 403 for a wrong one."""
    token = str(current_app.config["SETTINGS"]["admin_token"])
    if not token:
        abort(404)
    header = request.headers.get("Authorization", "")
    sent = header[7:] if header.startswith("Bearer ") else ""
    if not sent or not hmac.compare_digest(sent.encode(), token.encode()):
        raise AppError("This action needs the admin token.", code="forbidden", status=403)

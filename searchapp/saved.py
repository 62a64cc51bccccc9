"""Saved searches: a query with its filters, kept in SQLite in the data folder, reached by capability tokens.

Each saved search has two secrets: a manage token (rename, change, delete), 128 random bits, and a feed token
(the RSS and Atom URLs, safe to paste into a reader) derived from it one way, so the manage page can always
show the feed URLs but a feed URL never grants management. Only SHA-256 digests of tokens are stored, so a
copy of the database hands out nothing; look-ups go by digest and are confirmed in constant time. The
browser that saved a search keeps an owner token in a cookie; each saved search keeps its manage token
sealed under that owner token, so the owner (and only the owner) can export all its feeds as OPML.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_BYTES = 16  # 128 bits

SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_search (
    id INTEGER PRIMARY KEY,
    feed_digest TEXT NOT NULL UNIQUE,
    manage_digest TEXT NOT NULL UNIQUE,
    owner_digest TEXT NOT NULL,
    sealed_manage TEXT NOT NULL,
    name TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    last_polled_at REAL
);
CREATE INDEX IF NOT EXISTS saved_search_owner ON saved_search(owner_digest);
"""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_token_for(manage_token: str) -> str:
    """The feed token of a saved search: a one-way function of its manage token."""
    mac = hmac.new(manage_token.encode("utf-8"), b"feed", hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _pad(owner_token: str, manage_digest: str) -> bytes:
    return hmac.new(owner_token.encode("utf-8"), manage_digest.encode("ascii"), hashlib.sha256).digest()


def seal(manage_token: str, owner_token: str, manage_digest: str) -> str:
    raw = manage_token.encode("ascii")
    pad = _pad(owner_token, manage_digest)
    return bytes(a ^ b for a, b in zip(raw, pad, strict=False)).hex()


def unseal(sealed: str, owner_token: str, manage_digest: str) -> str | None:
    try:
        raw = bytes.fromhex(sealed)
    except ValueError:
        return None
    token = bytes(a ^ b for a, b in zip(raw, _pad(owner_token, manage_digest), strict=False))
    try:
        text = token.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if hmac.compare_digest(digest(text), manage_digest) else None


@dataclass(slots=True)
class SavedSearch:
    id: int
    name: str
    params: dict[str, Any]
    created_at: float
    updated_at: float
    feed_digest: str
    manage_digest: str
    owner_digest: str


@dataclass(slots=True)
class Created:
    search: SavedSearch
    feed_token: str
    manage_token: str
    owner_token: str


class SavedSearches:
    """The store. Safe to share between threads: one connection per call, WAL journal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.row_factory = sqlite3.Row
            with db:
                yield db
        finally:
            db.close()

    @staticmethod
    def _row(row: sqlite3.Row) -> SavedSearch:
        return SavedSearch(
            id=row["id"],
            name=row["name"],
            params=json.loads(row["params"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            feed_digest=row["feed_digest"],
            manage_digest=row["manage_digest"],
            owner_digest=row["owner_digest"],
        )

    def create(self, name: str, params: dict[str, Any], owner_token: str | None = None) -> Created:
        manage_token = new_token()
        feed_token = feed_token_for(manage_token)
        owner_token = owner_token if owner_token and len(owner_token) <= 100 else new_token()
        manage_digest = digest(manage_token)
        now = time.time()
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO saved_search (feed_digest, manage_digest, owner_digest, sealed_manage, name, params,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    digest(feed_token),
                    manage_digest,
                    digest(owner_token),
                    seal(manage_token, owner_token, manage_digest),
                    name,
                    json.dumps(params, ensure_ascii=False),
                    now,
                    now,
                ),
            )
            row = db.execute("SELECT * FROM saved_search WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return Created(self._row(row), feed_token, manage_token, owner_token)

    def _by_token(self, column: str, token: str) -> SavedSearch | None:
        if not token or len(token) > 100:
            return None
        wanted = digest(token)
        with self._connect() as db:
            row = db.execute(f"SELECT * FROM saved_search WHERE {column} = ?", (wanted,)).fetchone()
        if row is None or not hmac.compare_digest(row[column], wanted):
            return None
        return self._row(row)

    def by_feed_token(self, token: str) -> SavedSearch | None:
        return self._by_token("feed_digest", token)

    def by_manage_token(self, token: str) -> SavedSearch | None:
        return self._by_token("manage_digest", token)

    def by_owner(self, owner_token: str) -> list[tuple[SavedSearch, str]]:
        """Every saved search of this owner with its manage token (unsealed with the owner token)."""
        if not owner_token or len(owner_token) > 100:
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM saved_search WHERE owner_digest = ? ORDER BY created_at", (digest(owner_token),)
            ).fetchall()
        out: list[tuple[SavedSearch, str]] = []
        for row in rows:
            manage_token = unseal(row["sealed_manage"], owner_token, row["manage_digest"])
            if manage_token is not None:
                out.append((self._row(row), manage_token))
        return out

    def update(self, search_id: int, *, name: str | None = None, params: dict[str, Any] | None = None) -> None:
        with self._connect() as db:
            if name is not None:
                db.execute("UPDATE saved_search SET name = ? WHERE id = ?", (name, search_id))
            if params is not None:
                db.execute(
                    "UPDATE saved_search SET params = ? WHERE id = ?",
                    (json.dumps(params, ensure_ascii=False), search_id),
                )
            db.execute("UPDATE saved_search SET updated_at = ? WHERE id = ?", (time.time(), search_id))

    def delete(self, search_id: int) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM saved_search WHERE id = ?", (search_id,))

    def delete_by_public_id(self, public_id: str) -> bool:
        """Admin deletion by the public id the API answered with (a prefix of the feed digest)."""
        if not public_id or len(public_id) != 16 or not all(c in "0123456789abcdef" for c in public_id):
            return False
        with self._connect() as db:
            cursor = db.execute("DELETE FROM saved_search WHERE substr(feed_digest, 1, 16) = ?", (public_id,))
            return cursor.rowcount > 0

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM saved_search").fetchone()[0])

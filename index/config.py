"""Which engine holds the index, and how to reach it: `EngineConfig`, read from `SEARCHAPP_*` variables.

`SEARCHAPP_ENGINE` is `whoosh` (the default: embedded, no server) or `opensearch`. For OpenSearch:
`SEARCHAPP_OPENSEARCH_URL` (one or more node URLs, comma-separated), `SEARCHAPP_OPENSEARCH_PREFIX` (the index
name prefix), `SEARCHAPP_OPENSEARCH_SHARDS` and `_REPLICAS` (of a new index), `SEARCHAPP_OPENSEARCH_USER` and
`_PASSWORD` (basic auth), `SEARCHAPP_OPENSEARCH_CA_CERTS` (a CA bundle for https) and
`SEARCHAPP_OPENSEARCH_VERIFY_CERTS` (1 or 0). Every value is checked when read: a bad one is an `SearchIndexError`
with one line that names the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index import SearchIndexError

ENGINES = ("whoosh", "opensearch")
DEFAULT_URL = "http://127.0.0.1:9250"  # scripts/opensearch-local's first node
# The variables this module reads, with their help (the README lists them).
VARIABLES = {
    "SEARCHAPP_ENGINE": "whoosh (default, embedded, no server) or opensearch",
    "SEARCHAPP_OPENSEARCH_URL": f"node URLs of the cluster, comma-separated (default {DEFAULT_URL})",
    "SEARCHAPP_OPENSEARCH_PREFIX": "prefix of the cluster's index names (default searchapp)",
    "SEARCHAPP_OPENSEARCH_SHARDS": "primary shards of a new index (default 1)",
    "SEARCHAPP_OPENSEARCH_REPLICAS": "replicas of each shard of a new index (default 1)",
    "SEARCHAPP_OPENSEARCH_USER": "user name for basic auth (default: none)",
    "SEARCHAPP_OPENSEARCH_PASSWORD": "password for basic auth",
    "SEARCHAPP_OPENSEARCH_CA_CERTS": "CA bundle file that signs the cluster's https certificates",
    "SEARCHAPP_OPENSEARCH_VERIFY_CERTS": "1 (default) or 0: check the cluster's https certificates",
    "SEARCHAPP_OPENSEARCH_TIMEOUT": "seconds a request to the cluster may take (default 30)",
}
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    engine: str = "whoosh"
    urls: tuple[str, ...] = (DEFAULT_URL,)
    prefix: str = "searchapp"
    shards: int = 1
    replicas: int = 1
    user: str = ""
    password: str = ""
    ca_certs: str = ""
    verify_certs: bool = True
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EngineConfig:
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(f"SEARCHAPP_{name}", default).strip()

        engine = get("ENGINE", "whoosh").lower()
        if engine not in ENGINES:
            raise SearchIndexError(f"SEARCHAPP_ENGINE must be whoosh or opensearch, not {engine!r}")
        urls = tuple(u.strip().rstrip("/") for u in get("OPENSEARCH_URL", DEFAULT_URL).split(",") if u.strip())
        if not urls:
            raise SearchIndexError("SEARCHAPP_OPENSEARCH_URL names no node: give one or more URLs, comma-separated")
        for url in urls:
            parts = urlsplit(url)
            try:
                port = parts.port
            except ValueError:
                port = -1
            if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
                raise SearchIndexError(f"SEARCHAPP_OPENSEARCH_URL: {url!r} is not an http(s)://host:port URL")
        prefix = get("OPENSEARCH_PREFIX", "searchapp")
        if not _PREFIX.match(prefix):
            raise SearchIndexError(
                f"SEARCHAPP_OPENSEARCH_PREFIX must be lower-case letters, digits, - or _ (at most 61), not {prefix!r}"
            )
        shards = _int(get("OPENSEARCH_SHARDS", "1"), "SEARCHAPP_OPENSEARCH_SHARDS", 1, 1024)
        replicas = _int(get("OPENSEARCH_REPLICAS", "1"), "SEARCHAPP_OPENSEARCH_REPLICAS", 0, 16)
        verify = get("OPENSEARCH_VERIFY_CERTS", "1").lower()
        if verify not in ("1", "0", "true", "false", "yes", "no"):
            raise SearchIndexError(f"SEARCHAPP_OPENSEARCH_VERIFY_CERTS must be 1 or 0, not {verify!r}")
        ca_certs = get("OPENSEARCH_CA_CERTS", "")
        if ca_certs and not Path(ca_certs).is_file():
            raise SearchIndexError(f"SEARCHAPP_OPENSEARCH_CA_CERTS: there is no file {ca_certs}")
        user, password = get("OPENSEARCH_USER", ""), env.get("SEARCHAPP_OPENSEARCH_PASSWORD", "")
        if password and not user:
            raise SearchIndexError("SEARCHAPP_OPENSEARCH_PASSWORD is set without SEARCHAPP_OPENSEARCH_USER")
        try:
            timeout = float(get("OPENSEARCH_TIMEOUT", "30"))
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 3600:
            raise SearchIndexError("SEARCHAPP_OPENSEARCH_TIMEOUT must be a number of seconds between 0 and 3600")
        return cls(
            engine, urls, prefix, shards, replicas, user, password, ca_certs, verify in ("1", "true", "yes"), timeout
        )


def _int(raw: str, name: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SearchIndexError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return value

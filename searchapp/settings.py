"""All settings in one table: name, type, default, help, environment override; validated at start.

`load_settings(overrides)` reads the table, applies `SEARCHAPP_*` environment variables, then explicit
overrides (from the CLI or `create_app(config)`), and checks every value. The README documents each setting;
`tests/test_settings.py` fails when one is undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from searchapp.errors import AppError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    check: Callable[[Any], bool] | None = None

    @property
    def env(self) -> str:
        return "SEARCHAPP_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data", str, "data", "The data folder that holds all state (archive, frontier, index, app database)."),
    Setting("host", str, "127.0.0.1", "Address `serve` listens on."),
    Setting("port", int, 8080, "Port `serve` and `demo` listen on.", lambda v: 0 <= v < 65536),
    Setting("threads", int, 8, "Worker threads of each serving process.", lambda v: 1 <= v <= 256),
    Setting(
        "processes",
        int,
        0,
        "Serving processes of `serve` on one port (one Python process uses one core for Python work); 0 means "
        "one per CPU core. Each opens the index and warms it before it takes requests.",
        lambda v: 0 <= v <= 64,
    ),
    Setting("base_url", str, "", "Public URL of the site, used in feeds and OpenSearch; empty means from the request."),
    Setting("ui_lang", str, "ru", "Default UI language: ru, kk or en.", lambda v: v in ("ru", "kk", "en")),
    Setting("per_page", int, 20, "Results per page unless the request says otherwise.", lambda v: 1 <= v <= 100),
    Setting(
        "max_per_page",
        int,
        100,
        "Largest per_page a request may ask for; larger ones are clamped.",
        lambda v: 1 <= v <= 1000,
    ),
    Setting("export_limit", int, 50_000, "Most rows a CSV or JSON export streams.", lambda v: 1 <= v <= 1_000_000),
    Setting("max_query_chars", int, 1000, "Longest query accepted; longer ones get a 400.", lambda v: v >= 10),
    Setting("secret_key", str, "", "Key that signs CSRF tokens; empty means a random key kept in the data folder."),
    Setting(
        "admin_token",
        str,
        "",
        "Token for admin actions (crawl now, reindex, delete any saved search); empty switches them off.",
    ),
    Setting("saved_search_rate", int, 20, "Saved searches one client may create per hour.", lambda v: v >= 1),
    Setting("feed_items", int, 50, "Entries in a feed unless `since` is given.", lambda v: 1 <= v <= 500),
    Setting(
        "user_agent",
        str,
        "KzPressSearch/0.1 (+https://github.com/kz-press-search/kz-press-search; research crawler)",
        "User-Agent the crawler sends, with a contact URL.",
    ),
    Setting(
        "crawl_delay",
        float,
        1.0,
        "Seconds between two requests to one host (robots.txt Crawl-delay wins when larger).",
        lambda v: v >= 0,
    ),
    Setting(
        "max_page_bytes",
        int,
        10_000_000,
        "Largest response body the crawler keeps, after decompression.",
        lambda v: v >= 1024,
    ),
    Setting("fetch_timeout", float, 20.0, "Total deadline in seconds for one fetch.", lambda v: v > 0),
    Setting("watch_every", str, "30m", "How often `watch` recrawls: 45s, 30m, 2h, 1d."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    if isinstance(raw, setting.type) and not (setting.type is int and isinstance(raw, bool)):
        return raw
    try:
        if setting.type is bool:
            return str(raw).strip().lower() in ("1", "true", "yes", "on")
        return setting.type(raw)
    except (TypeError, ValueError) as exc:
        raise AppError(f"setting {setting.name} ({setting.env}) must be {setting.type.__name__}, not {raw!r}") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The effective settings: defaults, then environment, then explicit overrides; each one checked."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw: Any = setting.default
        if setting.env in env:
            raw = env[setting.env]
        values[setting.name] = _coerce(setting, raw)
    for name, raw in (overrides or {}).items():
        if name not in _BY_NAME:
            continue  # Flask's own keys (TESTING, ...) travel in the same mapping
        if raw is None:
            continue
        values[name] = _coerce(_BY_NAME[name], raw)
    for setting in SETTINGS:
        if setting.check and not setting.check(values[setting.name]):
            raise AppError(f"setting {setting.name} has an invalid value: {values[setting.name]!r}")
    check_engine(env)
    return values


def check_engine(environ: Mapping[str, str]) -> None:
    """The engine settings (`index.config`: SEARCHAPP_ENGINE, SEARCHAPP_OPENSEARCH_*), checked at start."""
    from index import SearchIndexError
    from index.config import EngineConfig

    try:
        EngineConfig.from_env(environ)
    except SearchIndexError as exc:
        raise AppError(str(exc)) from exc

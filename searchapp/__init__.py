"""The web app: faceted search UI, JSON API and feeds over the index.

`create_app(config)` is the one factory; nothing is built at import time. Blueprints: `ui` (HTML pages),
`api` (JSON under /api), `feeds` (saved searches as RSS/Atom). The index is attached with `init_app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from searchapp import web
from searchapp.paths import DataPaths
from searchapp.settings import load_settings

PACKAGE_DIR = Path(__file__).resolve().parent


def _asset_dir(name: str) -> Path:
    """templates/ and static/ live inside the package in a wheel, beside it in a source checkout."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` may carry any setting of searchapp.settings (e.g. `data`) and Flask keys."""
    config = dict(config or {})
    settings = load_settings(config)
    app = Flask(
        __name__,
        template_folder=str(_asset_dir("templates")),
        static_folder=str(_asset_dir("static")),
    )
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    app.config["SETTINGS"] = settings
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's defaults hold the key (None): setdefault won't do
        app.config["MAX_CONTENT_LENGTH"] = web.MAX_BODY_BYTES  # 413 before a huge body is read
    app.config["PATHS"] = DataPaths.from_option(settings["data"]).ensure()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from searchapp import admin, api, feeds, resources, security, ui

    resources.init_app(app)
    web.init_app(app)
    security.init_app(app)
    app.register_blueprint(ui.bp)
    app.register_blueprint(api.bp)
    feeds.init_app(app)
    admin.init_app(app)
    return app

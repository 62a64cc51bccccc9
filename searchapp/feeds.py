"""Saved searches and their RSS/Atom feeds: the `feeds` blueprint and `POST /api/saved-searches`.

A feed is one more view of the one search result: the saved parameters go through the same request parser
as the UI and the API, the index answers newest first with reprints folded, and `feedxml` writes the XML.
Feeds answer conditional requests with 304 so that readers polling every few minutes cost almost nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.http import http_date

from index.models import Hit, SearchRequest
from searchapp import feedxml
from searchapp.errors import AppError, NotFound
from searchapp.i18n import t
from searchapp.query import parse_request, request_params
from searchapp.resources import get_index, outlet_names
from searchapp.saved import SavedSearch, SavedSearches, feed_token_for
from searchapp.security import check_csrf, rate_limit
from searchapp.web import ui_lang

bp = Blueprint("feeds", __name__)
api_bp = Blueprint("saved_api", __name__, url_prefix="/api")

OWNER_COOKIE = "feeds_owner"
MAX_NAME = 200
MANAGE_POSTS_PER_MINUTE = 30  # a person renames or edits a few times; a script hammering it is refused
FACET_SCHEMES = (("region", "regions"), ("sector", "sectors"), ("country", "countries"))


def init_app(app: Flask) -> None:
    app.extensions["searchapp.saved"] = SavedSearches(app.config["PATHS"].app_db)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)


def store() -> SavedSearches:
    saved: SavedSearches = current_app.extensions["searchapp.saved"]
    return saved


def _parse(params: dict[str, Any]) -> SearchRequest:
    settings = current_app.config["SETTINGS"]
    return parse_request(
        params,
        lang=ui_lang(),
        per_page_default=settings["per_page"],
        max_per_page=settings["max_per_page"],
        max_query_chars=settings["max_query_chars"],
    )


def _clean_name(raw: Any, fallback: str) -> str:
    name = " ".join(str(raw or "").split())[:MAX_NAME]
    return name or fallback[:MAX_NAME] or "—"


def _urls(public_id: str, feed_token: str, manage_token: str) -> dict[str, str]:
    return {
        "id": public_id,
        "rss": url_for("feeds.rss", token=feed_token, _external=True),
        "atom": url_for("feeds.atom", token=feed_token, _external=True),
        "manage": url_for("feeds.manage", token=manage_token, _external=True),
    }


def _create(name: Any, params: dict[str, Any]) -> tuple[dict[str, str], str]:
    # the shared limiter (app.sqlite, every serving process, 2 s lock wait, 503 in words when it cannot count)
    limit = int(current_app.config["SETTINGS"]["saved_search_rate"])
    rate_limit("saved_search", limit=limit, window=3600.0, message="saved_rate_limited")
    search_request = _parse(params)  # refuse what would never parse
    clean = request_params(search_request)
    owner = request.cookies.get(OWNER_COOKIE)
    created = store().create(_clean_name(name, search_request.q), clean, owner_token=owner)
    return _urls(created.search.feed_digest[:16], created.feed_token, created.manage_token), created.owner_token


SINGLE_VALUED = ("q", "sort", "amount_min", "amount_max", "date_from", "date_to")


def _form_params() -> dict[str, Any]:
    """Search parameters posted by a form: repeatable facets stay lists, the rest single values."""
    params: dict[str, Any] = {}
    for key in request.form:
        if key in ("csrf_token", "name", "action"):
            continue
        values = [v for v in request.form.getlist(key) if v.strip()]
        if values:
            params[key] = values[0] if key in SINGLE_VALUED else values
    return params


@api_bp.post("/saved-searches")
def create_saved_search() -> Response:
    if not request.is_json:
        raise AppError(t("saved_needs_json", ui_lang()), code="bad_content_type", status=415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AppError(t("saved_bad_json", ui_lang()), code="bad_json")
    params = {k: v for k, v in body.items() if k != "name"}
    urls, _owner = _create(body.get("name"), params)
    response = jsonify(urls)
    response.status_code = 201
    response.headers["Location"] = urls["manage"]
    return response


@bp.post("/feeds/save")
def save_form() -> Any:
    """The UI's "save this search" form."""
    check_csrf()
    params = _form_params()
    urls, owner = _create(request.form.get("name"), params)
    response: Response = redirect(urls["manage"], code=303)  # type: ignore[assignment]
    response.set_cookie(OWNER_COOKIE, owner, max_age=5 * 365 * 86400, httponly=True, samesite="Lax")
    return response


# --- feeds -------------------------------------------------------------------------------------------------


def _moment(value: str | None) -> dt.datetime:
    if value:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = dt.datetime.fromisoformat(value[:10])
            except ValueError:
                moment = dt.datetime(1970, 1, 1)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _label(facet: str, code: str, lang: str) -> str:
    try:
        from index.facets.labels import label
    except ImportError:  # the facets package is optional for feeds: codes alone are valid categories
        return code
    return label(facet, code, lang)


def _entry(hit: Hit, lang: str) -> feedxml.Entry:
    record = hit.record
    categories = [
        feedxml.Category(scheme, code, _label(scheme, code, lang))
        for scheme, attribute in FACET_SCHEMES
        for code in getattr(record, attribute)
    ]
    categories.append(feedxml.Category("lang", record.lang, record.lang))
    categories.append(feedxml.Category("source", record.source, record.source))
    sources = [record.source, *hit.group_sources]
    related: list[str] = []
    if hit.group_size > 1 and record.group_id:
        related = [r.url for r in get_index().group(record.group_id) if r.id != record.id]
    published = _moment(record.published or record.fetched_at)
    updated = max(published, _moment(record.fetched_at))
    summary = record.lead or record.text[:400]
    return feedxml.Entry(
        id=f"urn:kzpress:article:{record.id}",
        title=record.title,
        link=record.url,
        page=url_for("ui.article", article_id=record.id, _external=True),
        published=published,
        updated=updated,
        summary=" ".join(summary.split()),
        lang=record.lang,
        sources=sources,
        related=related,
        categories=categories,
    )


def _notice_feed(saved: SavedSearch, kind: str, message: str) -> feedxml.Feed:
    lang = ui_lang()
    created = dt.datetime.fromtimestamp(saved.updated_at, dt.UTC)
    notice = feedxml.Entry(
        id=f"urn:kzpress:saved:{saved.id}:notice:{int(saved.updated_at)}",
        title=t("feed_notice_title", lang),
        link=url_for("ui.home", _external=True),
        page=url_for("ui.home", _external=True),
        published=created,
        updated=created,
        summary=t("feed_notice_text", lang, message=message),
        lang=lang,
    )
    return feedxml.Feed(
        id=f"urn:kzpress:saved:{saved.id}",
        title=saved.name,
        subtitle="",
        self_url=request.base_url,
        html_url=url_for("ui.home", _external=True),
        updated=created,
        lang=lang,
        entries=[notice],
    )


def _feed_request(params: dict[str, Any]) -> SearchRequest:
    search_request = _parse(params)
    search_request.sort = "date"
    search_request.page = 1
    search_request.per_page = int(current_app.config["SETTINGS"]["feed_items"])
    since = request.args.get("since")
    if since:
        try:
            day = dt.date.fromisoformat(since[:10])
        except ValueError:
            raise AppError(t("feed_bad_since", ui_lang(), value=since[:40]), code="bad_parameter") from None
        search_request.date_from = max(search_request.date_from or "", day.isoformat())
        search_request.per_page = int(current_app.config["SETTINGS"]["max_per_page"])
    search_request.facets = False
    return search_request


def _serve(saved: SavedSearch, kind: str, *, adhoc: bool = False) -> Response:
    index = get_index()
    tag = hashlib.sha256(
        f"{index.generation()}|{saved.updated_at}|{kind}|{request.query_string.decode('latin-1')}".encode()
    ).hexdigest()[:32]
    if tag in request.if_none_match:  # nothing changed: no search, no XML
        response = Response(status=304)
        response.set_etag(tag)
        return response
    lang = ui_lang()
    try:
        search_request = _feed_request(saved.params)
    except AppError as exc:
        if adhoc or request.args.get("since"):
            raise
        feed = _notice_feed(saved, kind, exc.message)
    else:
        result = index.search(search_request)
        entries = [_entry(hit, lang) for hit in result.hits]
        updated = max((e.updated for e in entries), default=dt.datetime.fromtimestamp(saved.updated_at, dt.UTC))
        html_params = request_params(search_request)
        feed = feedxml.Feed(
            id=_feed_id(saved, adhoc),
            title=saved.name,
            subtitle=search_request.q,
            self_url=request.base_url,
            html_url=url_for("ui.home", _external=True, **html_params),
            updated=updated,
            lang=lang,
            entries=entries,
        )
    if (
        request.if_modified_since
        and not request.if_none_match
        and feed.updated.replace(microsecond=0) <= request.if_modified_since
    ):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    body = feedxml.rss(feed) if kind == "rss" else feedxml.atom(feed)
    mimetype = "application/rss+xml" if kind == "rss" else "application/atom+xml"
    response = Response(body, mimetype=mimetype)
    response.set_etag(tag)
    response.headers["Last-Modified"] = http_date(feed.updated)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _feed_id(saved: SavedSearch, adhoc: bool) -> str:
    if adhoc:  # the same query always has the same feed id
        return (
            "urn:kzpress:search:" + hashlib.sha256(json.dumps(saved.params, sort_keys=True).encode()).hexdigest()[:24]
        )
    return f"urn:kzpress:saved:{saved.id}"


def _adhoc(kind: str) -> Response:
    """A feed of the current search, without saving it: what the search page advertises for autodiscovery."""
    params = {key: request.args.getlist(key) for key in request.args if key not in ("since", "ui")}
    search_request = _parse({k: v[0] if k in SINGLE_VALUED else v for k, v in params.items()})
    clean = request_params(search_request)
    name = f"{search_request.q or '*'} · Qazaq Press Search"
    saved = SavedSearch(0, name, clean, 0.0, 0.0, "", "", "")
    return _serve(saved, kind, adhoc=True)


@bp.get("/feeds/search.rss")
def search_rss() -> Response:
    return _adhoc("rss")


@bp.get("/feeds/search.atom")
def search_atom() -> Response:
    return _adhoc("atom")


def _saved_by_feed(token: str) -> SavedSearch:
    saved = store().by_feed_token(token)
    if saved is None:
        raise NotFound(t("feed_not_found", ui_lang()))
    return saved


@bp.get("/feeds/<token>.rss")
def rss(token: str) -> Response:
    return _serve(_saved_by_feed(token), "rss")


@bp.get("/feeds/<token>.atom")
def atom(token: str) -> Response:
    return _serve(_saved_by_feed(token), "atom")


# --- manage page -------------------------------------------------------------------------------------------


def _saved_by_manage(token: str) -> SavedSearch:
    saved = store().by_manage_token(token)
    if saved is None:
        raise NotFound(t("saved_not_found", ui_lang()))
    return saved


@bp.get("/feeds/manage/<token>")
def manage(token: str) -> str:
    saved = _saved_by_manage(token)
    problem = ""
    hits: list[Hit] = []
    try:
        search_request = _parse(saved.params)
        search_request.sort, search_request.per_page, search_request.facets = "date", 10, False
        hits = get_index().search(search_request).hits
    except AppError as exc:
        problem = exc.message
    feed_token = feed_token_for(token)
    return render_template(
        "manage.html",
        saved=saved,
        token=token,
        problem=problem,
        hits=hits,
        params=saved.params,
        rss_url=url_for("feeds.rss", token=feed_token, _external=True),
        atom_url=url_for("feeds.atom", token=feed_token, _external=True),
        outlet=lambda host: outlet_names().get(host, host),
    )


@bp.post("/feeds/manage/<token>")
def manage_post(token: str) -> Any:
    rate_limit("manage", limit=MANAGE_POSTS_PER_MINUTE)
    check_csrf()
    saved = _saved_by_manage(token)
    action = request.form.get("action", "update")
    if action == "delete":
        store().delete(saved.id)
        return redirect(url_for("ui.home"), code=303)
    params = _form_params()
    clean = request_params(_parse(params))
    store().update(saved.id, name=_clean_name(request.form.get("name"), saved.name), params=clean)
    return redirect(url_for("feeds.manage", token=token), code=303)


@bp.get("/feeds/opml")
def opml() -> Response:
    """Every feed this browser saved (its owner cookie), as OPML for a feed reader."""
    owned = store().by_owner(request.cookies.get(OWNER_COOKIE, ""))
    outlines = []
    for saved, manage_token in owned:
        feed_token = feed_token_for(manage_token)
        outlines.append(
            (
                saved.name,
                url_for("feeds.rss", token=feed_token, _external=True),
                url_for("ui.home", _external=True, **saved.params),
            )
        )
    response = Response(feedxml.opml("Qazaq Press Search", outlines), mimetype="text/x-opml")
    response.headers["Content-Disposition"] = 'attachment; filename="kz-press-feeds.opml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

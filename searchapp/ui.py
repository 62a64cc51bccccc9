"""HTML pages: the search page (results, facets, charts), the article page, its archived copy, exports, OpenSearch.

Every page is a view of a `Search` (searchapp.records) or of one `Record`. Every control is a link or a
form, so the pages work without JavaScript; links keep every filter of the current search. All text is
escaped by Jinja; the only HTML taken from the index is the snippet, which the index escapes and marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup, escape

from index.highlight import query_marks
from index.models import FACETS, FacetValue, Hit, Record, SearchRequest
from searchapp import charts
from searchapp.errors import AppError, NotFound
from searchapp.export import stream_csv, stream_json
from searchapp.i18n import group_digits, lang_name, short_amount, t, tn
from searchapp.records import Search, also_searched, facet_label, facet_parent, parse_search, run_search
from searchapp.resources import get_index, outlet_names, search_slot
from searchapp.web import ui_lang

bp = Blueprint("ui", __name__)

SIDEBAR_FACETS = ("region", "sector", "lang", "source", "country")
TAGGED_FACETS = (("region", "regions"), ("sector", "sectors"), ("country", "countries"))
AMOUNT_PRESETS = (1e6, 1e8, 1e9, 1e10)
SHOWN_VALUES = 8
SPLITS = ("lang", "region")


# ---------------------------------------------------------------- links that keep every filter


@dataclass(slots=True)
class Links:
    """URLs of the search page derived from the current search: toggle a value, page, sort, export."""

    params: dict[str, Any]
    extra: dict[str, str] = field(default_factory=dict)  # view options that are not filters (chart split)
    # A search page has a link per facet value, each the current parameters with one changed: each endpoint's
    # path and each unchanged parameter are encoded once per page, not once per link.
    _bases: dict[str, str] = field(default_factory=dict)
    _encoded: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def _url(self, params: Mapping[str, Any], endpoint: str = "ui.home", changed: frozenset[str] = frozenset()) -> str:
        parts = []
        for key, value in params.items():
            if value in (None, "", []):
                continue
            if key in changed:
                parts.append(urlencode({key: value}, doseq=True))
                continue
            cached = self._encoded.get(key)
            if cached is None or cached[0] is not value:  # the same object: the same encoding
                cached = self._encoded[key] = (value, urlencode({key: value}, doseq=True))
            parts.append(cached[1])
        query = "&".join(parts)  # what urlencode of the whole mapping gives
        base = self._bases.get(endpoint)
        if base is None:
            base = self._bases[endpoint] = url_for(endpoint)
        return f"{base}?{query}" if query else base

    def with_(self, **changes: Any) -> str:
        # any change but paging starts again at page 1
        return self._url({**self.params, **self.extra, **changes}, changed=frozenset(changes))

    def toggle(self, facet: str, value: str) -> str:
        """Add or remove one value; choosing a district replaces its region, and a region its districts."""
        values = list(self.params.get(facet, []))
        if value in values:
            values.remove(value)
        else:
            up = facet_parent(facet, value)
            values = [v for v in values if v != up and facet_parent(facet, v) != value] + [value]
        return self.with_(**{facet: values})

    def only(self, facet: str, value: str) -> str:
        return self.with_(**{facet: [value]})

    def page(self, number: int) -> str:
        return self.with_(page=number)

    def export(self, fmt: str) -> str:
        return self._url(self.params, f"ui.export_{fmt}")

    def feeds(self) -> dict[str, str]:
        """The current search as RSS and Atom (the feeds blueprint's ad-hoc feeds), when that blueprint is there."""
        if "feeds.search_rss" not in current_app.view_functions:
            return {}
        return {"rss": self._url(self.params, "feeds.search_rss"), "atom": self._url(self.params, "feeds.search_atom")}


# ---------------------------------------------------------------- view models


@dataclass(slots=True)
class FacetEntry:
    value: str
    label: str
    count: int
    active: bool
    href: str
    children: list[FacetEntry] = field(default_factory=list)


@dataclass(slots=True)
class Chip:
    label: str
    href: str


@dataclass(slots=True)
class Tag:
    facet: str
    label: str
    evidence: str  # the phrase that justified it, for the hover title
    href: str


@dataclass(slots=True)
class ResultItem:
    hit: Hit
    tags: list[Tag]
    amounts: list[tuple[str, str]]  # (as written, in tenge)
    reprints: str
    outlet: str  # the outlet's name (record.source is its host)


def _entries(search: Search, facet: str, links: Links) -> list[FacetEntry]:
    """The facet's values with counts, active ones first kept even when the index left them out."""
    values = list(search.result.facets.get(facet, []))
    active = list(getattr(search.request, facet))
    present = {v.value for v in values}
    values += [FacetValue(v, 0, facet_label(facet, v, search.ui, outlet_names())) for v in active if v not in present]
    entries = {
        v.value: FacetEntry(v.value, v.label or v.value, v.count, v.value in active, links.toggle(facet, v.value))
        for v in values
    }
    if facet not in ("region", "sector"):
        return list(entries.values())
    roots: list[FacetEntry] = []
    for entry in entries.values():
        parent = facet_parent(facet, entry.value)
        if parent and parent in entries:
            entries[parent].children.append(entry)
        else:
            roots.append(entry)
    if facet == "region":
        # districts drill down: shown under a region once it (or one of them) is chosen, so that seventeen
        # regions with all their districts do not bury the other facets
        for root in roots:
            if not root.active and not any(child.active for child in root.children):
                root.children = []
    return roots


def _chips(search: Search, links: Links) -> list[Chip]:
    ui = search.ui
    req = search.request
    chips: list[Chip] = []
    if req.q:
        chips.append(Chip(t("query_chip", ui, q=req.q[:60]), links.with_(q="")))
    for facet in FACETS:
        for value in getattr(req, facet):
            label = facet_label(facet, value, ui, outlet_names())
            chips.append(Chip(f"{t('facet_' + facet, ui)}: {label}", links.toggle(facet, value)))
    if req.amount_min is not None or req.amount_max is not None:
        chips.append(Chip(_amount_range(req, ui), links.with_(amount_min=None, amount_max=None)))
    if req.date_from:
        chips.append(Chip(t("date_since", ui, date=req.date_from), links.with_(date_from=None)))
    if req.date_to:
        chips.append(Chip(t("date_until", ui, date=req.date_to), links.with_(date_to=None)))
    return chips


def _amount_range(req: SearchRequest, ui: str) -> str:
    if req.amount_min is not None and req.amount_max is not None:
        return t("amount_between", ui, low=short_amount(req.amount_min, ui), high=short_amount(req.amount_max, ui))
    if req.amount_min is not None:
        return t("amount_over", ui, amount=short_amount(req.amount_min, ui))
    return t("amount_under", ui, amount=short_amount(req.amount_max or 0, ui))


def evidence_phrase(record: Record, facet: str, code: str) -> str:
    for evidence in record.evidence:
        if evidence.facet == facet and evidence.code == code and evidence.spans:
            return evidence.spans[0].text
    return ""


def _item(hit: Hit, links: Links, ui: str) -> ResultItem:
    record = hit.record
    tags: list[Tag] = []
    for facet, attribute in TAGGED_FACETS:
        for code in getattr(record, attribute)[:4]:
            phrase = evidence_phrase(record, facet, code)
            tags.append(
                Tag(
                    facet,
                    facet_label(facet, code, ui),
                    t("found_in_text", ui, text=phrase) if phrase else "",
                    links.only(facet, code),
                )
            )
    amounts = [(a.text, f"{group_digits(a.kzt)} ₸" if a.kzt is not None else "") for a in record.amounts[:3]]
    others = len(hit.group_sources) or max(0, hit.group_size - 1)
    reprints = tn("reprints", others, ui) if others else ""
    return ResultItem(hit, tags, amounts, reprints, outlet_names().get(record.source, record.source))


def _years(search: Search, links: Links) -> Markup:
    values = sorted(search.result.facets.get("year", []), key=lambda v: v.value)
    active = set(search.request.year)
    bars = [charts.Bar(v.value, v.count, links.toggle("year", v.value), v.value in active) for v in values]
    return charts.year_bars(bars, title=t("year_chart", search.ui))


@dataclass(slots=True)
class Attention:
    chart: Markup
    columns: list[str]  # the same numbers as a table, for screen readers and for copying
    rows: list[tuple[str, list[int]]]


def _attention(search: Search, split: str) -> Attention | None:
    ui = search.ui
    if search.result.total == 0:
        return None
    with search_slot():
        histogram = get_index().histogram(search.request, by=split)

    def series_label(key: str) -> str:
        if key == charts.OTHER:
            return t("chart_other", ui)
        if not key:
            return t("chart_none", ui)
        return lang_name(key, ui) if split == "lang" else facet_label("region", key, ui)

    def draw(width: int, height: int, css: str) -> Markup:
        return charts.attention(
            histogram,
            series_label=series_label,
            title=f"{t('attention_title', ui)}: {t('attention_desc', ui)}",
            bar_title=lambda month, label, count: t("chart_bar", ui, month=month, label=label, count=count),
            width=width,
            height=height,
            css=css,
        )

    # two drawings, one for wide and one for narrow screens (CSS shows one): SVG text must stay legible
    chart = draw(720, 240, "chart-wide") + draw(360, 260, "chart-narrow")
    if not chart:
        return None
    columns, rows = charts.table(histogram, series_label=series_label)
    return Attention(chart, columns, rows)


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers to show around the current one; None is a gap."""
    wanted = {1, last, *range(current - 2, current + 3)}
    out: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if out and out[-1] is not None and number - int(out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


# ---------------------------------------------------------------- routes


def _search(params: Mapping[str, Any]) -> Search:
    return run_search(
        get_index(), params, ui=ui_lang(), settings=current_app.config["SETTINGS"], outlets=outlet_names()
    )


@bp.get("/")
def home() -> str:
    ui = ui_lang()
    settings = current_app.config["SETTINGS"]
    split = request.args.get("chart", "lang")
    if split not in SPLITS:
        raise AppError(t("bad_split", ui), code="bad_parameter")
    found = _search(request.args)
    extra = {"chart": split} if split != "lang" else {}
    if found.request.per_page != settings["per_page"]:
        extra["per_page"] = str(found.request.per_page)
    links = Links(found.params, extra)
    facets = {name: _entries(found, name, links) for name in SIDEBAR_FACETS}
    return render_template(
        "search.html",
        search=found,
        req=found.request,
        result=found.result,
        links=links,
        facets=facets,
        shown_values=SHOWN_VALUES,
        chips=_chips(found, links),
        items=[_item(hit, links, ui) for hit in found.result.hits],
        years=_years(found, links),
        attention=_attention(found, split),
        split=split,
        splits=SPLITS,
        pages=_pages(found.result.page, found.pages),
        presets=[
            (t("amount_over", ui, amount=short_amount(p, ui)), links.with_(amount_min=int(p), amount_max=None))
            for p in AMOUNT_PRESETS
        ],
        amount_label=_amount_range(found.request, ui)
        if found.request.amount_min is not None or found.request.amount_max is not None
        else "",
        hidden=_hidden_fields(found.params, extra, exclude=("q", "sort")),
        hidden_amount=_hidden_fields(found.params, extra, exclude=("amount_min", "amount_max", "date_from", "date_to")),
        save_fields=_hidden_fields(found.params, {}, exclude=()),
        feeds=links.feeds(),
        empty_index=found.result.total == 0 and get_index().count() == 0,
        export_limit=group_digits(settings["export_limit"]),
        lang_name=lambda code: lang_name(code, ui),
        also=also_searched(found.result.expanded),
        also_tags=", ".join(_tag_label(tag, ui) for tag in found.result.expanded_tags[:6]),
    )


def _tag_label(tag: str, ui: str) -> str:
    """ "region:KZ-63" -> the region's name in the UI language."""
    facet, _, code = tag.partition(":")
    return facet_label(facet, code, ui) if facet in FACETS else tag


def _hidden_fields(
    params: Mapping[str, Any], extra: Mapping[str, str], exclude: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Hidden inputs that carry the other filters through a form, so submitting it keeps them."""
    out: list[tuple[str, str]] = []
    for name, value in {**params, **extra}.items():
        if name in exclude:
            continue
        for item in value if isinstance(value, list) else [value]:
            out.append((name, str(item)))
    return out


def marked_text(
    record: Record, ui: str, query: tuple[str, bool] | None = None
) -> tuple[list[Markup], list[tuple[str, str, str, str]]]:
    """The body as escaped paragraphs with <mark> around each evidence span, and the facts list.

    Facts are (facet, code, label, anchor id of the first mark). Spans that overlap an earlier one or do not
    match the text at their offsets are left unmarked, never guessed. With `query` (the words of the search the
    reader came from, and whether it was translated), its words are marked too, its translations apart
    (class "xlang").
    """
    text = record.text
    spans: list[tuple[int, int, str, str, str]] = []  # start, end, title, anchor, class
    if query and query[0].strip():
        for start, end, translated in query_marks(text, query[0], translate=query[1]):
            css = "query xlang" if translated else "query"
            spans.append((start, end, t("xlang_translated", ui) if translated else "", "", css))
    facts: list[tuple[str, str, str, str]] = []
    for n, evidence in enumerate(record.evidence):
        label = facet_label(evidence.facet, evidence.code, ui) if evidence.facet in FACETS else evidence.code
        name = t("facet_" + evidence.facet, ui) if evidence.facet in FACETS else evidence.facet
        anchor = ""
        for span in evidence.spans:
            if 0 <= span.start < span.end <= len(text) and (not span.text or text[span.start : span.end] == span.text):
                spans.append((span.start, span.end, f"{name}: {label}", "" if anchor else f"ev-{n}", ""))
                anchor = anchor or f"ev-{n}"
        facts.append((evidence.facet, evidence.code, label, anchor))
    for amount in record.amounts:
        if 0 <= amount.start < amount.end <= len(text):
            spans.append((amount.start, amount.end, f"{t('amounts', ui)}: {amount.text}", "", ""))
    spans.sort(key=lambda span: (span[0], bool(span[4])))  # at one place the evidence (with its anchor) wins
    paragraphs: list[Markup] = []
    offset = 0
    for block in text.split("\n\n"):
        start, end = offset, offset + len(block)
        offset = end + 2
        html: list[str] = []
        cursor = start
        for s_start, s_end, title, anchor, css in spans:
            if s_start < cursor or s_end > end or s_start < start:
                continue
            html.append(str(escape(text[cursor:s_start])))
            id_attr = f' id="{anchor}"' if anchor else ""
            class_attr = f' class="{css}"' if css else ""
            title_attr = f' title="{escape(title)}"' if title else ""
            html.append(f"<mark{id_attr}{class_attr}{title_attr}>{escape(text[s_start:s_end])}</mark>")
            cursor = s_end
        html.append(str(escape(text[cursor:end])))
        if block.strip():
            paragraphs.append(Markup("".join(html)))
    return paragraphs, facts


def _search_query() -> tuple[str, bool] | None:
    """The query (and its xlang switch) of the search page the reader came from, when it is ours."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc != request.host or ref.path != url_for("ui.home") or not ref.query:
        return None
    params = parse_qs(ref.query)
    q = (params.get("q") or [""])[0][:1000]
    return (q, (params.get("xlang") or ["1"])[0] not in ("0", "false", "no", "off")) if q.strip() else None


def _back_to_search() -> str:
    """The search the reader came from (its query and filters), when the Referer is our own search page;
    the empty search page otherwise. Only our host and the search path: never a link to elsewhere."""
    home = url_for("ui.home")
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and ref.path == home and ref.query:
        return f"{home}?{ref.query}"
    return home


@bp.get("/articles/<article_id>")
def article(article_id: str) -> str:
    ui = ui_lang()
    index = get_index()
    record = index.get(article_id[:64])
    if record is None:
        raise NotFound(t("article_not_found", ui))
    paragraphs, facts = marked_text(record, ui, _search_query())
    group = [r for r in index.group(record.group_id) if r.id != record.id] if record.group_id else []
    links = Links({})
    amounts = [(a.text, f"{group_digits(a.kzt)} ₸" if a.kzt is not None else "") for a in record.amounts]
    return render_template(
        "article.html",
        record=record,
        paragraphs=paragraphs,
        facts=_group_facts(facts, links),
        amounts=amounts,
        group=group,
        similar=index.more_like_this(record.id, 5),
        lang_name=lambda code: lang_name(code, ui),
        outlet=lambda host: outlet_names().get(host, host),
        has_archive=bool(record.warc_file) and record.warc_offset >= 0,
        back=_back_to_search(),
    )


def _group_facts(
    facts: list[tuple[str, str, str, str]], links: Links
) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Facts under their facet, in the order facets first appear: (facet, [(code, label, anchor, href)])."""
    grouped: dict[str, list[tuple[str, str, str, str]]] = {}
    for facet, code, label, anchor in facts:
        if facet in FACETS:
            grouped.setdefault(facet, []).append((code, label, anchor, links.only(facet, code)))
    return list(grouped.items())


# The archived page may only style itself: no scripts (sandbox without allow-scripts), no requests anywhere,
# not even to us, since its relative URLs would resolve against this site.
ARCHIVE_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "form-action 'none'; frame-ancestors 'self'"
)


@bp.get("/articles/<article_id>/archived")
def archived(article_id: str) -> Response:
    """The page as archived in the WARC, served sandboxed: no scripts, no requests to other sites."""
    ui = ui_lang()
    record = get_index().get(article_id[:64])
    if record is None:
        raise NotFound(t("article_not_found", ui))
    from crawler.archive import ArchiveDamage, read_record, warc_files

    archive = current_app.config["PATHS"].archive
    # only a file really listed in the archive folder, never a path built from the record's field
    names = {p.name for p in warc_files(archive)}
    if not record.warc_file or record.warc_offset < 0 or record.warc_file not in names:
        raise NotFound(t("archive_not_found", ui))
    try:
        fetched = read_record(archive, record.warc_file, record.warc_offset)
    except ArchiveDamage:
        raise NotFound(t("archive_not_found", ui)) from None
    content_type = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), "text/html")
    if not content_type.lower().startswith(("text/html", "application/xhtml", "text/plain")):
        content_type = "text/plain; charset=utf-8"
    response = Response(fetched.body, content_type=content_type)
    response.headers["Content-Security-Policy"] = ARCHIVE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _export(fmt: str) -> Response:
    settings = current_app.config["SETTINGS"]
    found_request = parse_search(request.args, ui=ui_lang(), settings=settings)
    found_request.group = False  # researchers count reprints too; group_id in each row tells them apart
    records = get_index().iter_records(found_request, settings["export_limit"])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    body: Iterator[str] = stream_csv(records, outlet_names()) if fmt == "csv" else stream_json(records)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="qazaq-press-{stamp}.{fmt}"'
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    return _export("csv")


@bp.get("/export.json")
def export_json() -> Response:
    return _export("json")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    base = str(current_app.config["SETTINGS"]["base_url"] or request.url_root).rstrip("/")
    xml = render_template("opensearch.xml", base=base)
    return Response(xml, mimetype="application/opensearchdescription+xml")

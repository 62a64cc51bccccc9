"""`searchapp search QUERY [filters] [--json]`: the web search from the terminal.

The flags become the same parameters the web UI sends and go through the same parser and the same `Search`
object, so a terminal search and a web search with the same filters answer the same. `--json` prints
exactly what `/api/search` would.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from index import SearchIndexError, open_index
from searchapp.errors import AppError
from searchapp.i18n import lang_name, short_amount, t
from searchapp.paths import DataPaths
from searchapp.query import FACET_PARAMS
from searchapp.records import Search, also_searched, facet_label, run_search
from searchapp.resources import read_outlet_names
from searchapp.settings import load_settings

_TAGS = {"<mark>": "\x1b[1m", "</mark>": "\x1b[0m"}


def params_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """CLI flags as the web's query parameters (lists for repeatable facets, strings for the rest)."""
    params: dict[str, Any] = {"q": args.query or ""}
    for name in FACET_PARAMS:
        params[name] = list(getattr(args, name) or [])
    for name in ("amount_min", "amount_max", "date_from", "date_to", "sort", "page", "per_page"):
        value = getattr(args, name, None)
        if value is not None:
            params[name] = str(value)
    if getattr(args, "no_translate", False):
        params["xlang"] = "0"
    return params


def _plain_snippet(snippet: str, tty: bool) -> str:
    import html

    for tag, code in _TAGS.items():
        snippet = snippet.replace(tag, code if tty else "")
    return html.unescape(snippet)


def format_text(found: Search, *, tty: bool = False, outlets: Mapping[str, str] | None = None) -> str:
    """A readable list: count and page, then per hit title, outlet, date, language, facets and snippet."""
    ui = found.ui
    result = found.result
    lines = [f"{t('cli_found', ui, total=result.total)} · {t('cli_page', ui, page=result.page, pages=found.pages)}"]
    if result.notice:
        lines.append(result.notice)
    also = also_searched(result.expanded)
    if also:
        lines.append(t("xlang_also", ui, words=also) + " · " + t("xlang_cli_off", ui))
    first = (result.page - 1) * result.per_page
    for n, hit in enumerate(result.hits, start=first + 1):
        record = hit.record
        lines.append("")
        lines.append(f"{n}. {record.title or t('untitled', ui)}")
        day = (record.published or "")[:10] or t("no_date", ui)
        meta = [facet_label("source", record.source, ui, outlets), day, lang_name(record.lang, ui)]
        others = len(hit.group_sources) or max(0, hit.group_size - 1)
        if others:
            meta.append(t("reprints_one", ui) if others == 1 else t("reprints", ui, n=others))
        lines.append("   " + " · ".join(meta))
        facets = [
            facet_label(facet, code, ui)
            for facet, codes in (("region", record.regions), ("sector", record.sectors), ("country", record.countries))
            for code in codes[:3]
        ]
        kzt = [a.kzt for a in record.amounts if a.kzt]
        if kzt:
            facets.append(f"{short_amount(max(kzt), ui)} ₸")
        if facets:
            lines.append("   [" + ", ".join(facets) + "]")
        if hit.snippet:
            lines.append("   " + " ".join(_plain_snippet(hit.snippet, tty).split()))
        lines.append(f"   {record.url}")
    return "\n".join(lines)


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    import sys

    settings = load_settings({"data": str(paths.root)})
    try:
        index = open_index(paths.index, readonly=True)
    except SearchIndexError as exc:  # no index yet: the message says to crawl or reindex first
        raise AppError(str(exc), code="no_index") from None
    try:
        outlets = read_outlet_names(paths)
        try:
            found = run_search(
                index, params_from_args(args), ui=settings["ui_lang"], settings=settings, outlets=outlets
            )
        except SearchIndexError as exc:
            raise AppError(str(exc), code="bad_query") from None
        if args.json:
            print(json.dumps(found.json(), ensure_ascii=False, indent=2))
        else:
            print(format_text(found, tty=sys.stdout.isatty(), outlets=outlets))
    finally:
        index.close()
    return 0

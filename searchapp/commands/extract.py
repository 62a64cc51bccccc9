"""`searchapp extract`: extraction and enrichment of saved pages (or one politely fetched URL), without indexing.

For writing and checking site rules, and for researchers with pages of their own. Each input (a saved HTML
file, or an http(s) URL fetched with the crawler's `Fetcher`: User-Agent, SSRF guard, robots.txt obeyed) goes
through `crawler.extract` and `index.ingest.to_record`, and is printed as the API's full article record
(`searchapp.records.record_json`). With --jsonl, one JSON object per input in order, `null` where a page holds
no article (the reason goes to stderr). Without it, a page with no article is an error in words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.errors import CrawlerError
from crawler.extract import extract
from crawler.models import Fetched
from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.records import record_json
from searchapp.settings import load_settings

MAX_FILE_BYTES = 20_000_000  # a saved page larger than this is not a page


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def _read_file(name: str, url: str | None) -> Fetched:
    path = Path(name)
    if not path.exists():
        raise AppError(f"{name}: no such file")
    if not path.is_file():
        raise AppError(f"{name}: not a file")
    try:
        with path.open("rb") as f:
            body = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AppError(f"{name}: cannot read ({exc.strerror})") from exc
    if len(body) > MAX_FILE_BYTES:
        raise AppError(f"{name}: larger than {MAX_FILE_BYTES // 1_000_000} MB, not a saved page")
    page_url = url or path.resolve().as_uri()
    return Fetched(url=page_url, status=200, headers={}, body=body, fetched_at="")


def _fetch(url: str, settings: dict[str, Any]) -> Fetched:
    """One polite GET: robots.txt first, our User-Agent, the SSRF guard (the named host may be loopback)."""
    from crawler.fetch import Fetcher
    from crawler.robots import RobotsPolicy, agent_token, robots_text, robots_url

    parts = urlsplit(url)
    if not parts.netloc:
        raise AppError(f"{url}: not a URL with a host")
    fetcher = Fetcher(
        settings["user_agent"],
        max_bytes=settings["max_page_bytes"],
        deadline=settings["fetch_timeout"],
        allowed_private={parts.netloc, parts.hostname or ""},
    )
    try:
        robots = fetcher.fetch(robots_url(url))
        if robots.error and not robots.status:
            raise AppError(f"{url}: cannot reach {parts.netloc} ({robots.error})")
        policy = RobotsPolicy(robots_text(robots.status, robots.body), agent_token(settings["user_agent"]))
        if not policy.allowed(url):
            raise AppError(f"{url}: robots.txt of {parts.netloc} does not allow us to fetch it")
        result = fetcher.fetch(url)
    except CrawlerError as exc:
        raise AppError(f"{url}: {exc}") from exc
    finally:
        fetcher.close()
    if result.error and not result.body:
        raise AppError(f"{url}: {result.error}")
    if 300 <= result.status < 400:
        target = result.header("location")
        raise AppError(f"{url}: redirected (HTTP {result.status}) to {target or 'nowhere'}; extract that URL instead")
    if result.status >= 400:
        raise AppError(f"{url}: the server answered HTTP {result.status} {result.reason}".rstrip())
    return Fetched(
        url=url, status=result.status, headers=dict(result.headers), body=result.body, fetched_at=result.fetched_at
    )


def _record(fetched: Fetched) -> tuple[dict[str, Any] | None, str]:
    result = extract(fetched)
    if result.article is None:
        return None, result.reason
    from index.ingest import to_record

    return record_json(to_record(result.article), full=True), ""


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    inputs: list[str] = list(args.inputs or [])
    if args.url and not inputs:
        inputs = [args.url]  # `--url URL` alone: fetch that page
        page_url = None
    else:
        page_url = args.url
    if not inputs:
        raise AppError("name a saved HTML file or an http(s) URL to extract (see searchapp extract --help)")
    if page_url and not _is_url(page_url):
        raise AppError(f"--url {page_url}: must be an http(s) URL (the page's original address)")
    if page_url and len(inputs) > 1:
        raise AppError("--url names the original address of one saved file; give one file with it")
    settings: dict[str, Any] | None = None
    failures = 0
    for name in inputs:
        if _is_url(name):
            settings = settings or load_settings({"data": str(paths.root)})
            fetched = _fetch(name, settings)
        elif "://" in name:
            raise AppError(f"{name}: only http and https URLs are fetched")
        else:
            fetched = _read_file(name, page_url)
        record, reason = _record(fetched)
        if args.jsonl:
            if record is None:
                print(f"{name}: no article ({reason})", file=sys.stderr)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            continue
        if record is None:
            print(f"{name}: no article ({reason})", file=sys.stderr)
            failures += 1
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return 1 if failures else 0

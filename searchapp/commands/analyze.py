"""`searchapp analyze`: the enrichment of index/facets on plain text, for researchers tagging their own corpora.

Plain text (a file or stdin) gives one JSON object; with --jsonl every input line is a JSON object with a
`text` field (optional `published`, `title`, `lang`) and gives one output line, in order, with the field names
of the API's article record plus `evidence`. A line that is not such an object stops the run with its line
number (exit status 1), after the lines before it were written: a researcher sees exactly where to look.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from index.facets import extract_facts
from index.models import Facts
from searchapp.errors import AppError
from searchapp.paths import DataPaths

MAX_INPUT = 50_000_000  # bytes read from one input; more is a mistake (a binary file, a disk image)


def facts_json(facts: Facts, published: str | None) -> dict[str, Any]:
    return {
        "published": published[:10] if published else None,
        "lang": facts.lang,
        "regions": list(facts.regions),
        "sectors": list(facts.sectors),
        "countries": list(facts.countries),
        "amounts": [a.as_json() for a in facts.amounts],
        "dates": list(facts.dates),
        "evidence": [
            {
                "facet": e.facet,
                "code": e.code,
                "score": e.score,
                "spans": [{"start": s.start, "end": s.end, "text": s.text} for s in e.spans],
            }
            for e in facts.evidence
        ],
    }


def _open(name: str) -> IO[str]:
    if name == "-":
        return sys.stdin
    path = Path(name)
    if not path.is_file():
        raise AppError(f"{name}: no such file")
    try:
        return path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise AppError(f"{name}: cannot read ({exc.strerror})") from exc


def _str_field(obj: dict[str, Any], name: str, lineno: int) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AppError(f"line {lineno}: `{name}` must be a string")
    return value


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    stream = _open(args.input)
    out = sys.stdout
    try:
        if not args.jsonl:
            text = stream.read(MAX_INPUT)
            facts = extract_facts(text)
            out.write(json.dumps(facts_json(facts, None), ensure_ascii=False) + "\n")
            return 0
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AppError(f"line {lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise AppError(f"line {lineno}: expected a JSON object with a string `text` field")
            published = _str_field(obj, "published", lineno)
            title = _str_field(obj, "title", lineno) or ""
            lang = _str_field(obj, "lang", lineno)
            facts = extract_facts(obj["text"], lang=lang, published=published, title=title)
            out.write(json.dumps(facts_json(facts, published), ensure_ascii=False) + "\n")
            out.flush()
        return 0
    finally:
        if stream is not sys.stdin:
            stream.close()

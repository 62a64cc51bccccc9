"""Extraction evaluation on the gold set (tests/data/extract/): ours beside plain trafilatura and plain
BeautifulSoup `get_text`, in one run.

Per field: title, date and language right (exact match with the truth; the date at the precision the page
gives, and also by day), pages without an article recognised. Body text: token-level precision, recall and
F1 of lead plus body against the truth, in the style of trafilatura's evaluation (bags of word tokens),
averaged over the article pages. Also the pages where a known boilerplate line is left in the body.

With --peer, the pages are layouts we did not write: half of trafilatura's own evaluation
(../shared/data/extract-peer/, a .tar.gz read in memory or its unpacked folder). Each page has snippets that
must be in the main text ("with") and snippets that must not ("without"); scored as trafilatura's evaluation
scores them: per page, a "with" snippet found is a true positive, missed a false negative, a "without"
snippet found a false positive; precision, recall and F1 over the sums of all pages. A page with no output
counts all its "with" snippets missed. Whitespace is made single spaces on both sides, for every system
alike. The pages are split by a fixed hash of the URL into a dev half and a held-out half, reported apart.

    python -m bench.eval_extract [--gold tests/data/extract] [--show N]
    python -m bench.eval_extract --peer [PATH] [--half dev|held-out|all] [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import tarfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import SHARED_DATA
from crawler.extract import decode_html, extract_html
from crawler.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "data" / "extract"
PEER = SHARED_DATA / "extract-peer" / "trafilatura-eval-half.tar.gz"
_TOKEN = re.compile(r"\w+")
# The boilerplate the issue names, as literal markers: none may be left in a body.
BOILERPLATE_MARKERS = re.compile(
    r"Поделитесь новостью|Следите за новостями|Сообщите об ошибке|ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM|"
    r"Читайте по теме|Читайте также|Тақырып бойынша|ctrl\s*\+\s*enter|Пікір қалдыру|Оставить комментарий|"
    r"\bUSD \d|\+\d{1,2}°|Фото пресс-службы|^Фото:|^Сурет:|cookie|Просмотров|Қаралым|Бөлісу:",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(slots=True)
class GoldPage:
    name: str
    html: bytes
    meta: dict[str, Any]

    @property
    def is_article(self) -> bool:
        return bool(self.meta.get("article"))

    @property
    def body(self) -> str:
        lead = self.meta.get("lead") or ""
        return "\n".join([lead, *self.meta.get("paragraphs", [])]).strip()


@dataclass(slots=True)
class Output:
    """What a system made of a page; None fields are not produced by that system."""

    article: bool
    body: str = ""
    title: str | None = None
    published: str | None = None
    lang: str | None = None
    authors: list[str] | None = None


@dataclass(slots=True)
class Tally:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    day: list[bool] = field(default_factory=list)
    lang: list[bool] = field(default_factory=list)
    authors: list[bool] = field(default_factory=list)
    no_article: list[bool] = field(default_factory=list)
    boilerplate_pages: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load_gold(folder: Path = GOLD_DIR) -> list[GoldPage]:
    pages = []
    for meta_path in sorted(folder.glob("*.json")):
        html_path = meta_path.with_suffix(".html")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        pages.append(GoldPage(meta_path.stem, html_path.read_bytes(), meta))
    return pages


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def prf(got: str, want: str) -> tuple[float, float, float]:
    g, w = tokens(got), tokens(want)
    common = sum((g & w).values())
    p = common / sum(g.values()) if g else 0.0
    r = common / sum(w.values()) if w else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def ours(page: GoldPage) -> Output:
    result = extract_html(page.html, page.meta["url"], page.meta.get("headers"))
    a = result.article
    if a is None:
        return Output(False)
    return Output(True, "\n".join([a.lead, a.text]).strip(), a.title, a.published, a.lang, list(a.authors))


def plain_trafilatura(page: GoldPage) -> Output:
    import trafilatura

    html = decode_html(page.html, page.meta.get("headers"))[0]
    doc: Any = trafilatura.bare_extraction(html, url=page.meta["url"], with_metadata=True)
    if doc is None or not getattr(doc, "text", None):
        return Output(False)
    author = getattr(doc, "author", None)
    authors = [a.strip() for a in author.split(";") if a.strip()] if author else []
    return Output(True, doc.text or "", doc.title or "", getattr(doc, "date", None), None, authors)


def plain_bs4(page: GoldPage) -> Output:
    from bs4 import BeautifulSoup

    html = decode_html(page.html, page.meta.get("headers"))[0]
    soup = BeautifulSoup(html, "lxml")
    for el in soup(["script", "style"]):
        el.decompose()
    title = soup.title.get_text().strip() if soup.title else ""
    return Output(True, soup.get_text("\n"), title, None, None)


SYSTEMS: dict[str, Callable[[GoldPage], Output]] = {
    "ours": ours,
    "trafilatura": plain_trafilatura,
    "bs4 get_text": plain_bs4,
}


def evaluate(system: Callable[[GoldPage], Output], pages: list[GoldPage]) -> Tally:
    tally = Tally()
    start = time.perf_counter()
    for page in pages:
        out = system(page)
        if not page.is_article:
            tally.no_article.append(not out.article)
            continue
        p, r, f = prf(out.body, page.body) if out.article else (0.0, 0.0, 0.0)
        tally.precision.append(p)
        tally.recall.append(r)
        tally.f1.append(f)
        if f < 0.97:
            tally.misses.append(f"{page.name}: body F1 {f:.3f}")
        truth = page.meta
        if out.title is not None:
            tally.title.append(out.title == truth["title"])
            if out.title != truth["title"]:
                tally.misses.append(f"{page.name}: title {out.title!r}")
        if out.published is not None or system is ours:
            tally.date.append(out.published == truth["published"])
            tally.day.append((out.published or "")[:10] == truth["published"][:10])
            if out.published != truth["published"]:
                tally.misses.append(f"{page.name}: date {out.published!r} != {truth['published']!r}")
        if out.lang is not None or system is ours:
            tally.lang.append(out.lang == truth["lang"])
        if out.authors is not None:
            tally.authors.append(out.authors == truth.get("authors", []))
            if out.authors != truth.get("authors", []):
                tally.misses.append(f"{page.name}: authors {out.authors!r}")
        if out.article and BOILERPLATE_MARKERS.search(out.body):
            tally.boilerplate_pages.append(page.name)
    tally.seconds = time.perf_counter() - start
    return tally


def _mean(values: list[bool] | list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _pct(values: list[bool]) -> str:
    return f"{100 * _mean(values):.1f}%" if values else "-"


def run(pages: list[GoldPage]) -> dict[str, Tally]:
    results: dict[str, Tally] = {}
    with Progress("extraction eval", total=len(SYSTEMS)) as progress:
        for name, system in SYSTEMS.items():
            results[name] = evaluate(system, pages)
            progress.advance(status=name)
    return results


def table(results: dict[str, Tally], pages: list[GoldPage]) -> str:
    n_articles = sum(1 for p in pages if p.is_article)
    rows = [["measure", *results], ["---"] * (len(results) + 1)]

    def row(label: str, cell: Callable[[Tally], str]) -> None:
        rows.append([label, *(cell(t) for t in results.values())])

    row("body precision", lambda t: f"{_mean(t.precision):.3f}")
    row("body recall", lambda t: f"{_mean(t.recall):.3f}")
    row("body F1", lambda t: f"{_mean(t.f1):.3f}")
    row("title right", lambda t: _pct(t.title))
    row("date right (as precise as the page)", lambda t: _pct(t.date))
    row("date right (day)", lambda t: _pct(t.day))
    row("language right", lambda t: _pct(t.lang))
    row("authors right", lambda t: _pct(t.authors))
    row("no-article pages recognised", lambda t: _pct(t.no_article))
    row("pages with boilerplate left", lambda t: f"{len(t.boilerplate_pages)}/{n_articles}")
    row("pages/s", lambda t: f"{len(pages) / t.seconds:.0f}" if t.seconds else "-")
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


# --- layouts we did not write: trafilatura's evaluation pages ---------------------------------------------


@dataclass(slots=True)
class PeerPage:
    url: str
    html: bytes
    with_: list[str]
    without: list[str]

    @property
    def half(self) -> str:
        return half_of(self.url)


def half_of(url: str) -> str:
    """The half of a page ("dev" or "held-out"), by a fixed hash of the URL: develop on one, report both."""
    return "dev" if hashlib.sha256(url.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def load_peer(path: Path = PEER) -> list[PeerPage]:
    """The pages and their snippets, from the .tar.gz (read in memory, nothing unpacked) or its folder."""
    files: dict[str, bytes] = {}
    if path.is_dir():
        files = {str(f.relative_to(path)): f.read_bytes() for f in path.rglob("*") if f.is_file()}
    else:
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                handle = tar.extractfile(member) if member.isfile() else None
                if handle is not None:
                    files[member.name] = handle.read()
    by_name = {name.rsplit("/", 1)[-1]: data for name, data in files.items()}
    evaldata = json.loads(by_name["evaldata.json"])
    pages = []
    for url, item in sorted(evaldata.items()):
        html = by_name.get(item["file"])
        if html is None:
            continue
        pages.append(PeerPage(url, html, [w for w in item["with"] if w], [w for w in item["without"] if w]))
    return pages


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(slots=True)
class PeerTally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    pages: int = 0
    no_output: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def no_output_share(self) -> float:
        return len(self.no_output) / self.pages if self.pages else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, page: PeerPage, text: str | None) -> None:
        self.pages += 1
        if text is None:
            self.fn += len(page.with_)
            self.tn += len(page.without)
            self.no_output.append(page.url)
            return
        flat = _flat(text)
        for snippet in page.with_:
            if _flat(snippet) in flat:
                self.tp += 1
            else:
                self.fn += 1
                self.misses.append(f"{page.url}: missed {snippet!r}")
        for snippet in page.without:
            if _flat(snippet) in flat:
                self.fp += 1
                self.misses.append(f"{page.url}: kept {snippet!r}")
            else:
                self.tn += 1


def peer_ours(page: PeerPage) -> str | None:
    """What our record keeps of the page's text: title, lead and body (the title is a field of its own, and a
    body line repeating it is dropped, so it is scored with the body)."""
    article = extract_html(page.html, page.url).article
    return "\n".join([article.title, article.lead, article.text]).strip() if article is not None else None


def peer_trafilatura(page: PeerPage) -> str | None:
    """Plain trafilatura as its own evaluation runs it: main text without comments, tables kept."""
    import trafilatura

    text: str | None = trafilatura.extract(page.html, url=page.url, include_comments=False, include_tables=True)
    return text or None


PEER_SYSTEMS: dict[str, Callable[[PeerPage], str | None]] = {"ours": peer_ours, "trafilatura": peer_trafilatura}


def evaluate_peer(
    pages: list[PeerPage], systems: dict[str, Callable[[PeerPage], str | None]] | None = None
) -> dict[str, dict[str, PeerTally]]:
    """Tallies per system and per half ("dev", "held-out", "all"). The systems take turns page by page, so a
    busy machine slows them alike and their speeds stay comparable."""
    systems = systems or PEER_SYSTEMS
    extract_html("<html><body><p>warm up</p></body></html>", "https://example.kz/")
    out = {name: {h: PeerTally() for h in ("dev", "held-out", "all")} for name in systems}
    with Progress("peer extraction eval", total=len(pages)) as progress:
        for page in pages:
            for name, system in systems.items():
                start = time.perf_counter()
                text = system(page)
                seconds = time.perf_counter() - start
                for h in (page.half, "all"):
                    out[name][h].add(page, text)
                    out[name][h].seconds += seconds
            progress.advance()
    return out


def peer_table(results: dict[str, dict[str, PeerTally]], halves: list[str]) -> str:
    rows = [["measure", *(f"{name} ({h})" for h in halves for name in results)]]
    rows.append(["---"] * len(rows[0]))
    cells: list[tuple[str, Callable[[PeerTally], str]]] = [
        ("pages", lambda t: str(t.pages)),
        ("precision", lambda t: f"{t.precision:.3f}"),
        ("recall", lambda t: f"{t.recall:.3f}"),
        ("F1", lambda t: f"{t.f1:.3f}"),
        ('no output ("no article")', lambda t: f"{len(t.no_output)} ({100 * t.no_output_share:.1f}%)"),
        ("pages/s", lambda t: f"{t.pages / t.seconds:.1f}" if t.seconds else "-"),
    ]
    for label, cell in cells:
        rows.append([label, *(cell(results[name][h]) for h in halves for name in results)])
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def main_peer(path: Path, half: str, show: int) -> int:
    if not path.exists():
        print(f"eval_extract: {path} is absent (../shared/data/extract-peer/ holds the peer pages)", file=sys.stderr)
        return 2
    pages = load_peer(path)
    if half != "all":
        pages = [p for p in pages if p.half == half]
    results = evaluate_peer(pages)
    halves = ["dev", "held-out", "all"] if half == "all" else [half]
    print(f"{len(pages)} pages of trafilatura's evaluation ({path.name}), snippets scored as trafilatura does\n")
    print(peer_table(results, halves))
    ours_t, theirs_t = results["ours"]["all"], results["trafilatura"]["all"]
    if ours_t.seconds and theirs_t.seconds:
        ratio = (ours_t.pages / ours_t.seconds) / (theirs_t.pages / theirs_t.seconds)
        print(f"\nspeed: ours at {ratio:.2f}x plain trafilatura's pages/s, measured in turns on the same pages")
    if show:
        print()
        html = {p.url: p.html for p in pages}
        for url in ours_t.no_output:
            print("ours: no article at", url, "-", extract_html(html[url], url).reason)
        for miss in ours_t.misses[:show]:
            print("ours:", miss)
    return 0


def bad_inputs() -> dict[str, bytes]:
    """The hostile pages of the issue: each must give an answer (article or reason) well within a second."""
    para = "Облыс әкімдігі жаңа жылу орталығының құрылысы басталғанын хабарлады. "
    return {
        "malformed HTML": b"<html><body><h1>T<div><p>" + para.encode() * 30 + b"</span></table><p>x",
        "all script": b"<html><body>" + b"<script>var a = 1;</script>" * 50_000 + b"</body></html>",
        "wrong declared charset": (
            "<html><head><meta charset='utf-8'></head><body><p>" + "Завод открыт. " * 200
        ).encode("cp1251"),
        "5 MB single paragraph": ("<html><body><h1>Үлкен</h1><p>" + para * 70_000 + "</p></body></html>").encode(),
        "5 MB of short paragraphs": ("<html><body>" + f"<p>{para}</p>" * 70_000 + "</body></html>").encode(),
    }


def time_bad_inputs() -> list[tuple[str, int, float, str]]:
    extract_html("<html><body><p>warm up</p></body></html>", "https://example.kz/")
    rows = []
    for name, html in bad_inputs().items():
        start = time.perf_counter()
        result = extract_html(html, "https://example.kz/news/1.html")
        answer = "article" if result.article else f"no article: {result.reason}"
        rows.append((name, len(html), time.perf_counter() - start, answer))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="the gold folder")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N misses of our extractor")
    parser.add_argument(
        "--peer",
        type=Path,
        nargs="?",
        const=PEER,
        default=None,
        metavar="PATH",
        help=f"score trafilatura's evaluation pages instead of the gold set (default {PEER})",
    )
    parser.add_argument(
        "--half", choices=["dev", "held-out", "all"], default="all", help="with --peer: which half of the pages"
    )
    args = parser.parse_args(argv)
    if args.peer is not None:
        logging.basicConfig(level=logging.WARNING)
        return main_peer(args.peer, args.half, args.show)
    pages = load_gold(args.gold)
    if not pages:
        print(f"eval_extract: no gold pages in {args.gold}", file=sys.stderr)
        return 2
    results = run(pages)
    n = sum(1 for p in pages if p.is_article)
    print(f"{len(pages)} gold pages ({n} articles, {len(pages) - n} without an article)\n")
    print(table(results, pages))
    print("\nBad input (seconds for one page, ours):\n")
    print("| page | bytes | seconds | answer |\n| --- | --- | --- | --- |")
    for name, size, secs, answer in time_bad_inputs():
        print(f"| {name} | {size:,} | {secs:.2f} | {answer} |")
    if args.show:
        print()
        for miss in results["ours"].misses[: args.show]:
            print("ours:", miss)
        for name in results["ours"].boilerplate_pages:
            print("ours: boilerplate left in", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

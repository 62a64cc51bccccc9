"""Cross-language retrieval (issue 18): does a Kazakh query find the Russian stories, and the reverse?

Three measurements, each with translation on and off in the same run:

1. The judged cross-language set (tests/data/crosslang/queries.jsonl, our own): queries in one language whose
   relevant articles, judged by us, are only in the other; places, old names, industries, multiword terms,
   inflected forms and queries with a region filter, over the retrieval gold articles and the demo press
   (`bench.eval_retrieval.load_corpus`), enriched with regions and sectors by our own facet extraction as the
   crawler would. recall@10 and MRR, by kind and by direction.
2. Precision cost (tests/data/crosslang/precision.jsonl): 20 monolingual queries, each with a judgment of what
   is on its topic (a pattern over title and text, both languages); the share of off-topic results in the top
   10, with and without translation.
3. Text we did not write (`--ntrex`): the NTREX-128 news sentences (../shared/data/parallel, CC BY-SA 4.0), read
   at run time and never copied: the Russian sentences are indexed in a temporary Whoosh index, each Kazakh
   sentence's content words are the query, and the hit is its Russian twin in the top 10; and the reverse.

    python -m bench.eval_crosslang [--json] [--ntrex] [--ntrex-limit N] [--tune] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import SHARED_DATA
from bench.eval_retrieval import ROOT, K, Scores, _score, load_corpus
from crawler.progress import Progress
from index import crosslang
from index.analysis import kazakh
from index.analysis.russian import RUSSIAN_STOPWORDS
from index.models import Record, SearchRequest
from index.whoosh.engine import WhooshIndex

DATA = ROOT / "tests" / "data" / "crosslang"
NTREX = SHARED_DATA / "parallel" / "ntrex-kk-ru-en.jsonl"


@dataclass(slots=True)
class Judged:
    q: str
    lang: str
    relevant: list[str]
    kind: str
    filters: dict[str, list[str]] = field(default_factory=dict)


class Run(Scores):
    """Per query: reciprocal rank and recall@10 (`bench.eval_retrieval.Scores`), and their means over a subset."""

    def subset(self, idx: list[int]) -> tuple[float, float, int]:
        if not idx:
            return 0.0, 0.0, 0
        return sum(self.rr[i] for i in idx) / len(idx), sum(self.recall[i] for i in idx) / len(idx), len(idx)


def load_judged(path: Path = DATA / "queries.jsonl") -> list[Judged]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Judged(d["q"], d["lang"], list(d["relevant"]), d["kind"], dict(d.get("filters", {}))))
    return out


def load_precision(path: Path = DATA / "precision.jsonl") -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def enriched_corpus() -> list[Record]:
    """The retrieval corpus with regions and sectors from our facet extraction (what a crawl would give)."""
    from index.facets import extract_facts

    records = load_corpus()
    for record in records:
        facts = extract_facts(record.text, lang=record.lang, title=record.title)
        record.regions = list(facts.regions)
        record.sectors = list(facts.sectors)
    return records


score = _score


def search_ids(ix: WhooshIndex, q: str, xlang: bool, filters: dict[str, list[str]] | None = None) -> list[str]:
    request = SearchRequest(q=q, per_page=K, facets=False, group=False, xlang=xlang)
    for name, values in (filters or {}).items():
        setattr(request, name, list(values))
    return [hit.record.id for hit in ix.search(request).hits]


@dataclass(slots=True)
class Report:
    queries: list[Judged]
    on: Run
    off: Run
    precision: list[tuple[str, float, float]]  # query, off-topic share without and with translation
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    ntrex: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    def groups(self, key: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, query in enumerate(self.queries):
            out[getattr(query, key)].append(i)
        return dict(sorted(out.items()))

    @property
    def off_topic(self) -> tuple[float, float]:
        if not self.precision:
            return 0.0, 0.0
        n = len(self.precision)
        return sum(p[1] for p in self.precision) / n, sum(p[2] for p in self.precision) / n

    def as_json(self) -> dict[str, Any]:
        def pair(idx: list[int]) -> dict[str, Any]:
            on, off = self.on.subset(idx), self.off.subset(idx)
            return {
                "n": on[2],
                "translated": {"mrr": round(on[0], 4), "recall@10": round(on[1], 4)},
                "as_typed": {"mrr": round(off[0], 4), "recall@10": round(off[1], 4)},
            }

        every = list(range(len(self.queries)))
        return {
            "queries": len(self.queries),
            "weights": self.weights,
            "all": pair(every),
            "by_kind": {kind: pair(idx) for kind, idx in self.groups("kind").items()},
            "by_direction": {
                f"{lang}->{'ru' if lang == 'kk' else 'kk'}": pair(idx) for lang, idx in self.groups("lang").items()
            },
            "precision": {
                "queries": len(self.precision),
                "off_topic_top10": {"as_typed": round(self.off_topic[0], 4), "translated": round(self.off_topic[1], 4)},
            },
            "ntrex": self.ntrex,
        }


def _precision(
    ix: WhooshIndex, judged: list[dict[str, Any]], records: dict[str, Record]
) -> list[tuple[str, float, float]]:
    out = []
    for item in judged:
        topic = re.compile(item["topic"], re.I)
        shares = []
        for xlang in (False, True):
            ids = search_ids(ix, item["q"], xlang)
            off = [rid for rid in ids if not topic.search(records[rid].title + "\n" + records[rid].text)]
            shares.append(len(off) / len(ids) if ids else 0.0)
        out.append((item["q"], shares[0], shares[1]))
    return out


def evaluate(workdir: Path, *, progress: bool = False, ix: WhooshIndex | None = None) -> Report:
    queries = load_judged()
    records = enriched_corpus()
    own = ix is None
    if ix is None:
        ix = WhooshIndex(workdir / "crosslang")
        ix.add(records)
    on, off = Run(), Run()
    misses = []
    with Progress("cross-language queries", total=len(queries), enabled=progress) as bar:
        for query in queries:
            for xlang, run in ((True, on), (False, off)):
                ranked = search_ids(ix, query.q, xlang, query.filters)
                rr, recall = score(ranked, query.relevant)
                run.rr.append(rr)
                run.recall.append(recall)
                if xlang and recall < 1.0:
                    misses.append((query.q, query.relevant, ranked[:5]))
            bar.advance()
    precision = _precision(ix, load_precision(), {r.id: r for r in records})
    if own:
        ix.close()
    weights = {"translation": crosslang.WEIGHTS.translation, "tag": crosslang.WEIGHTS.tag}
    return Report(queries, on, off, precision, misses, weights=weights)


# ------------------------------------------------------------------------------------------ NTREX
def ntrex_path() -> Path | None:
    return NTREX if NTREX.exists() else None


def content_words(text: str, lang: str, limit: int = 16) -> str:
    """The words of a sentence a reader would search it by: no stop words, no one- and two-letter words."""
    stop = kazakh.KAZAKH_STOPWORDS if lang == "kk" else RUSSIAN_STOPWORDS
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 2 and w.lower() not in stop]
    return " ".join(dict.fromkeys(words[:limit]))


def evaluate_ntrex(workdir: Path, *, limit: int = 0, progress: bool = False) -> dict[str, Any]:
    """recall@10 (and MRR) of each sentence's twin, both directions, translation on and off, and translated
    with the lexicon less its pairs derived from these very sentences (source `ntrex`): the held-out figure."""
    from index.crosslang.lexicon import load, use

    held_out = load(skip_sources=frozenset({"ntrex"}))
    path = ntrex_path()
    if path is None:
        return {"skipped": "the NTREX file is not there (../shared/data/parallel)"}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        rows = rows[:limit]
    out: dict[str, Any] = {"sentences": len(rows), "source": "NTREX-128 (CC BY-SA 4.0), read at run time"}
    for query_lang, doc_lang in (("kk", "ru"), ("ru", "kk")):
        ix = WhooshIndex(workdir / f"ntrex-{doc_lang}")
        ix.add(
            Record(
                id=f"s{row['line']}",
                url=f"ntrex:{row['line']}",
                source="ntrex",
                title="",
                lead="",
                text=row[doc_lang],
                lang=doc_lang,
                published=None,
                paragraph_langs=[doc_lang],
            )
            for row in rows
        )
        runs = {"translated": Run(), "as_typed": Run(), "held_out": Run()}
        with Progress(f"NTREX {query_lang} -> {doc_lang}", total=len(rows), enabled=progress) as bar:
            for row in rows:
                q = content_words(row[query_lang], query_lang)
                for mode, run in runs.items():
                    use(held_out if mode == "held_out" else None)
                    ranked = search_ids(ix, q, mode != "as_typed") if q else []
                    rr, recall = score(ranked, [f"s{row['line']}"])
                    run.rr.append(rr)
                    run.recall.append(recall)
                bar.advance()
        use(None)
        ix.close()
        out[f"{query_lang}->{doc_lang}"] = {
            mode: {"recall@10": round(run.recall_at_10, 4), "mrr": round(run.mrr, 4)} for mode, run in runs.items()
        }
    return out


# ------------------------------------------------------------------------------------------ output
def render(report: Report, *, show_misses: bool = False) -> str:
    lines = [
        f"Cross-language retrieval: {len(report.queries)} judged queries, relevant articles only in the other "
        f"language (top {K}); translation weight {report.weights.get('translation')}, tag {report.weights.get('tag')}",
        "",
        f"{'':<18}{'n':>4}  {'translated MRR':>15}{'R@10':>7}  {'as typed MRR':>13}{'R@10':>7}",
    ]

    def row(name: str, idx: Iterable[int]) -> str:
        idx = list(idx)
        on, off = report.on.subset(idx), report.off.subset(idx)
        return f"{name:<18}{on[2]:>4}  {on[0]:>15.3f}{on[1]:>7.3f}  {off[0]:>13.3f}{off[1]:>7.3f}"

    for kind, idx in report.groups("kind").items():
        lines.append(row(kind, idx))
    for lang, idx in report.groups("lang").items():
        lines.append(row(f"{lang} -> {'ru' if lang == 'kk' else 'kk'}", idx))
    lines.append(row("all", range(len(report.queries))))
    if report.precision:
        before, after = report.off_topic
        lines += [
            "",
            f"Precision cost: {len(report.precision)} monolingual queries, off-topic share of the top {K}: "
            f"as typed {before:.1%}, translated {after:.1%} ({(after - before) * 100:+.1f} points)",
        ]
    if report.ntrex:
        lines += ["", "NTREX-128 sentences (text we did not write): the twin sentence in the top 10"]
        if "skipped" in report.ntrex:
            lines.append(f"  skipped: {report.ntrex['skipped']}")
        for direction in ("kk->ru", "ru->kk"):
            if direction in report.ntrex:
                d = report.ntrex[direction]
                lines.append(
                    f"  {direction} ({report.ntrex['sentences']} sentences): recall@10 translated "
                    f"{d['translated']['recall@10']:.3f} (MRR {d['translated']['mrr']:.3f}), without the lexicon's "
                    f"ntrex pairs {d['held_out']['recall@10']:.3f} (MRR {d['held_out']['mrr']:.3f}), as typed "
                    f"{d['as_typed']['recall@10']:.3f} (MRR {d['as_typed']['mrr']:.3f})"
                )
    if show_misses:
        lines.append("")
        for q, relevant, top in report.misses:
            lines.append(f"  miss: {q!r} relevant={relevant} top={top}")
        for q, before, after in report.precision:
            if after > before:
                lines.append(f"  off-topic up: {q!r} {before:.0%} -> {after:.0%}")
    return "\n".join(lines)


def tune(workdir: Path, translations: list[float], tags: list[float]) -> list[dict[str, Any]]:
    """The judged set and the precision queries at each pair of weights (one index)."""
    records = enriched_corpus()
    ix = WhooshIndex(workdir / "tune")
    ix.add(records)
    out = []
    saved = (crosslang.WEIGHTS.translation, crosslang.WEIGHTS.tag)
    try:
        for w in translations:
            for tag in tags:
                crosslang.WEIGHTS.translation, crosslang.WEIGHTS.tag = w, tag
                report = evaluate(workdir, ix=ix)
                out.append(
                    {
                        "translation": w,
                        "tag": tag,
                        "mrr": round(report.on.mrr, 4),
                        "recall@10": round(report.on.recall_at_10, 4),
                        "off_topic_added": round((report.off_topic[1] - report.off_topic[0]) * 100, 2),
                    }
                )
    finally:
        crosslang.WEIGHTS.translation, crosslang.WEIGHTS.tag = saved
        ix.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_crosslang", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--ntrex", action="store_true", help="also run the NTREX sentence check (a few minutes)")
    parser.add_argument("--ntrex-limit", type=int, default=0, metavar="N", help="only the first N sentences")
    parser.add_argument("--tune", action="store_true", help="sweep the translation and tag weights")
    parser.add_argument("--show-misses", action="store_true", help="list the judged queries not fully found")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eval-crosslang-") as tmp:
        if args.tune:
            rows = tune(Path(tmp), [0.2, 0.35, 0.5, 0.7, 1.0], [0.25, 0.5, 1.0, 2.0])
            print(json.dumps(rows, ensure_ascii=False, indent=1) if args.json else "\n".join(map(str, rows)))
            return 0
        report = evaluate(Path(tmp), progress=not args.json)
        if args.ntrex:
            report.ntrex = evaluate_ntrex(Path(tmp), limit=args.ntrex_limit, progress=not args.json)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(report, show_misses=args.show_misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())

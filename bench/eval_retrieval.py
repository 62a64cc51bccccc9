"""Retrieval evaluation: MRR and recall@10 of our index beside Whoosh's plain StemmingAnalyzer, in one run.

The corpus is the articles we wrote for this test set (tests/data/retrieval/articles.jsonl, Kazakh and Russian)
plus the bundled demo press (searchapp/demo/content/*.jsonl, our own text too); the queries and their relevant
articles, judged by us, are in tests/data/retrieval/queries.jsonl: Kazakh inflected forms in groups (every
form must find every article that uses the word), Russian inflected forms, Kazakh typed on a Russian keyboard,
Latin Kazakh in the 2018 and 2021 alphabets and in plain ASCII, and phrases. Both engines index the same
records in temporary folders; the baseline is `bench.baseline` (title and text with Whoosh's StemmingAnalyzer
and its MultifieldParser, as a Whoosh user would start). tests/test_index_retrieval.py pins the floors.

    python -m bench.eval_retrieval [--json] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.baseline import BaselineIndex
from crawler.progress import Progress
from index.models import Record, SearchRequest
from index.whoosh.engine import WhooshIndex

ROOT = Path(__file__).resolve().parent.parent
RETRIEVAL = ROOT / "tests" / "data" / "retrieval"
DEMO = ROOT / "searchapp" / "demo" / "content"
K = 10


@dataclass(slots=True)
class Query:
    q: str
    relevant: list[str]
    kind: str
    group: str = ""


@dataclass(slots=True)
class Scores:
    """Per engine: reciprocal rank and recall@10 of each query."""

    rr: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)

    @property
    def mrr(self) -> float:
        return sum(self.rr) / len(self.rr) if self.rr else 0.0

    @property
    def recall_at_10(self) -> float:
        return sum(self.recall) / len(self.recall) if self.recall else 0.0


@dataclass(slots=True)
class Report:
    queries: list[Query]
    articles: int
    ours: Scores  # with cross-language translation (the app's default)
    baseline: Scores
    misses: list[tuple[str, list[str], list[str]]]  # our misses: query, relevant, our top 3
    as_typed: Scores = field(default_factory=Scores)  # ours with translation off (xlang=0)
    crosslang: Any = None  # bench.eval_crosslang's report on its judged kk <-> ru set, when run

    def by_kind(self, scores: Scores) -> dict[str, tuple[float, float, int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, query in enumerate(self.queries):
            groups[query.kind].append(i)
        return {
            kind: (
                sum(scores.rr[i] for i in idx) / len(idx),
                sum(scores.recall[i] for i in idx) / len(idx),
                len(idx),
            )
            for kind, idx in sorted(groups.items())
        }

    def incomplete_groups(self, scores: Scores) -> dict[str, list[str]]:
        """Kazakh inflection groups with a form that misses one of the group's articles in its top 10."""
        out: dict[str, list[str]] = defaultdict(list)
        for i, query in enumerate(self.queries):
            if query.group and scores.recall[i] < 1.0:
                out[query.group].append(query.q)
        return dict(out)

    def groups(self) -> int:
        return len({q.group for q in self.queries if q.group})

    def as_json(self) -> dict[str, Any]:
        return {
            "queries": len(self.queries),
            "articles": self.articles,
            "ours": {"mrr": round(self.ours.mrr, 4), "recall@10": round(self.ours.recall_at_10, 4)},
            "ours_as_typed": {"mrr": round(self.as_typed.mrr, 4), "recall@10": round(self.as_typed.recall_at_10, 4)},
            "baseline": {"mrr": round(self.baseline.mrr, 4), "recall@10": round(self.baseline.recall_at_10, 4)},
            "crosslang": self.crosslang.as_json() if self.crosslang is not None else None,
            "by_kind": {
                kind: {
                    "n": n,
                    "ours": {"mrr": round(mrr, 4), "recall@10": round(rec, 4)},
                    "baseline": {"mrr": round(b[0], 4), "recall@10": round(b[1], 4)},
                }
                for (kind, (mrr, rec, n)), b in zip(
                    self.by_kind(self.ours).items(), self.by_kind(self.baseline).values(), strict=True
                )
            },
            "kk_groups": self.groups(),
            "kk_groups_incomplete": {
                "ours": self.incomplete_groups(self.ours),
                "baseline": self.incomplete_groups(self.baseline),
            },
        }


def load_queries(path: Path = RETRIEVAL / "queries.jsonl") -> list[Query]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            out.append(Query(data["q"], list(data["relevant"]), data["kind"], data.get("group", "")))
    return out


def _record(rid: str, data: dict[str, Any], source: str) -> Record:
    paragraphs = list(data["paragraphs"])
    lang = data["lang"]
    return Record(
        id=rid,
        url=f"http://{source}/{rid}",
        source=source,
        title=data["title"],
        lead=data.get("lead", ""),
        text="\n\n".join(paragraphs),
        lang=lang,
        published=data.get("published"),
        paragraph_langs=[lang] * len(paragraphs),
    )


def load_corpus() -> list[Record]:
    records = []
    for line in (RETRIEVAL / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            records.append(_record(data["id"], data, data["source"]))
    for path in sorted(DEMO.glob("*.jsonl")):
        outlet = path.name.split(".")[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                records.append(_record(f"{outlet}/{data['slug']}", data, f"{outlet}.demo"))
    return records


def _score(ranked: Sequence[str], relevant: Sequence[str]) -> tuple[float, float]:
    top = list(ranked[:K])
    rr = next((1.0 / (i + 1) for i, rid in enumerate(top) if rid in relevant), 0.0)
    recall = len(set(top) & set(relevant)) / len(relevant) if relevant else 0.0
    return rr, recall


def evaluate(workdir: Path, *, progress: bool = False, crosslang: bool = True) -> Report:
    records = load_corpus()
    queries = load_queries()
    with Progress("indexing the retrieval corpus", total=2, enabled=progress) as bar:
        ours_ix = WhooshIndex(workdir / "ours")
        ours_ix.add(records)
        bar.advance(status="ours")
        baseline = BaselineIndex(workdir / "baseline")
        baseline.add(records)
        bar.advance(status="baseline")

    def baseline_search(q: str) -> list[str]:
        result = baseline.search(SearchRequest(q=q, per_page=K, facets=False))
        return [hit.record.id for hit in result.hits]

    def ours_search(q: str, xlang: bool = True) -> list[str]:
        result = ours_ix.search(SearchRequest(q=q, per_page=K, facets=False, group=False, xlang=xlang))
        return [hit.record.id for hit in result.hits]

    engines: dict[str, Callable[[str], list[str]]] = {
        "ours": ours_search,
        "as_typed": lambda q: ours_search(q, xlang=False),
        "baseline": baseline_search,
    }
    scores = {name: Scores() for name in engines}
    misses: list[tuple[str, list[str], list[str]]] = []
    with Progress("running the queries", total=len(queries), enabled=progress) as bar:
        for query in queries:
            for name, search in engines.items():
                ranked = search(query.q)
                rr, recall = _score(ranked, query.relevant)
                scores[name].rr.append(rr)
                scores[name].recall.append(recall)
                if name == "ours" and (rr < 1.0 or recall < 1.0):
                    misses.append((query.q, query.relevant, ranked[:3]))
            bar.advance()
    ours_ix.close()
    baseline.close()
    report = Report(queries, len(records), scores["ours"], scores["baseline"], misses, scores["as_typed"])
    if crosslang:
        from bench import eval_crosslang

        report.crosslang = eval_crosslang.evaluate(workdir, progress=progress)
    return report


def render(report: Report, *, show_misses: bool = False) -> str:
    lines = [
        f"Retrieval: {len(report.queries)} queries over {report.articles} articles (top {K})",
        "",
        "ours: with kk <-> ru translation (the default); as typed: ours with xlang=0; plain: Whoosh's own",
        "",
        f"{'kind':<16}{'n':>4}  {'ours MRR':>9}{'R@10':>7}  {'as typed MRR':>13}{'R@10':>7}  "
        f"{'plain MRR':>10}{'R@10':>7}",
    ]
    ours_kinds = report.by_kind(report.ours)
    typed_kinds = report.by_kind(report.as_typed)
    base_kinds = report.by_kind(report.baseline)
    for kind, (mrr, rec, n) in ours_kinds.items():
        b_mrr, b_rec, _n = base_kinds[kind]
        t_mrr, t_rec, _n = typed_kinds[kind]
        lines.append(
            f"{kind:<16}{n:>4}  {mrr:>9.3f}{rec:>7.3f}  {t_mrr:>13.3f}{t_rec:>7.3f}  {b_mrr:>10.3f}{b_rec:>7.3f}"
        )
    lines.append(
        f"{'all':<16}{len(report.queries):>4}  {report.ours.mrr:>9.3f}{report.ours.recall_at_10:>7.3f}  "
        f"{report.as_typed.mrr:>13.3f}{report.as_typed.recall_at_10:>7.3f}  "
        f"{report.baseline.mrr:>10.3f}{report.baseline.recall_at_10:>7.3f}"
    )
    if report.crosslang is not None:
        x = report.crosslang
        lines.append(
            f"{'cross-language':<16}{len(x.queries):>4}  {x.on.mrr:>9.3f}{x.on.recall_at_10:>7.3f}  "
            f"{x.off.mrr:>13.3f}{x.off.recall_at_10:>7.3f}  {'-':>10}{'-':>7}   (relevant only in the other language)"
        )
    incomplete = report.incomplete_groups(report.ours)
    base_incomplete = report.incomplete_groups(report.baseline)
    lines.append("")
    lines.append(
        f"Kazakh inflection groups found by every form: ours {report.groups() - len(incomplete)}/{report.groups()}, "
        f"plain {report.groups() - len(base_incomplete)}/{report.groups()}"
    )
    for group, forms in incomplete.items():
        lines.append(f"  incomplete: {group}: {', '.join(forms)}")
    if show_misses:
        lines.append("")
        for q, relevant, top in report.misses:
            lines.append(f"  miss: {q!r} relevant={relevant[:3]} top={top}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show-misses", action="store_true", help="list the queries we rank imperfectly")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eval-retrieval-") as tmp:
        report = evaluate(Path(tmp), progress=not args.json)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(report, show_misses=args.show_misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench`: the benchmark suite of issue #9 (also `searchapp bench ...`).

    python -m bench corpus --n 10000 --out DIR      generate a synthetic corpus (articles.jsonl, manifest.json)
    python -m bench run --n 10000                   corpus + ours and the baseline side by side, table + JSON

The hidden subcommands `_phase` and `_serve-baseline` are the child processes `run` starts, so that each
phase's memory is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import corpus, report, run
from crawler.progress import Progress


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The benchmark suite: a synthetic Kazakh and Russian press corpus, and indexing, query, "
        "facet and serving measurements of our index beside a plain-Whoosh baseline, in one run.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("corpus", help="generate a synthetic corpus of N articles")
    p.add_argument("--n", type=_positive, default=10000, help="number of articles (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same corpus")
    p.add_argument("--out", type=Path, required=True, help="folder to write articles.jsonl and manifest.json into")

    p = sub.add_parser("run", help="run the suite: corpus, then ours and the baseline side by side")
    p.add_argument("--n", type=_positive, default=10000, help="number of articles (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the corpus (default 1)")
    p.add_argument("--out", type=Path, default=run.ROOT / "bench" / "out", help="where results-<n>.json goes")
    p.add_argument("--work", type=Path, help="folder for the corpus and the indexes (default OUT/work-<n>)")
    p.add_argument(
        "--engines", default="ours,baseline", help="comma-separated: ours, baseline, opensearch (default ours,baseline)"
    )
    p.add_argument("--queries", type=_positive, default=200, help="size of the query mix (default 200)")
    p.add_argument("--clients", type=_positive, default=16, help="concurrent HTTP clients (default 16)")
    p.add_argument("--requests", type=_positive, default=1600, help="HTTP requests in all (default 1600)")
    p.add_argument("--threads", type=_positive, default=8, help="server worker threads (default 8)")
    p.add_argument("--processes", type=int, default=0, help="serving processes of ours (default 0: one per core)")
    p.add_argument("--no-serve", action="store_true", help="skip the HTTP phase")
    p.add_argument(
        "--analysis",
        choices=("full", "generated"),
        default="full",
        help="how ours indexes: full (language per paragraph, facet extraction, as a crawl does) or generated "
        "(the generator's facts as they are; for a quick smoke run)",
    )
    p.add_argument("--no-keep", action="store_true", help="delete the indexes afterwards (the corpus stays)")
    p.add_argument(
        "--one-load",
        action="store_true",
        help="opensearch: skip the second load of the corpus with two workers (it doubles the run's time; "
        "measure it in a smaller run)",
    )
    p.add_argument(
        "--translate",
        choices=run.TRANSLATE,
        default="both",
        help="ours: the query mix with cross-language translation (kk <-> ru) on, off, or both in turn "
        "(default both: the mix figures with it, mix_as_typed without, in the same run)",
    )
    p.add_argument(
        "--reuse",
        default="",
        help="comma-separated engines whose index from an earlier run on the same --work folder is reused "
        "(its indexing figures too); queries and serving are measured again",
    )

    p = sub.add_parser(
        "scale",
        help="query cost at TIMES the size: the ours index of an earlier run merged into itself TIMES over",
    )
    p.add_argument("--n", type=_positive, default=100000, help="the size of the earlier run (default 100000)")
    p.add_argument("--seed", type=int, default=1, help="its corpus seed (default 1)")
    p.add_argument("--times", type=_positive, default=10, help="how many copies (default 10: 100k -> 1M)")
    p.add_argument("--out", type=Path, default=run.ROOT / "bench" / "out", help="where the results JSON goes")
    p.add_argument("--work", type=Path, help="the earlier run's folder (default OUT/work-<n>)")
    p.add_argument("--queries", type=_positive, default=200, help="size of the query mix (default 200)")
    p.add_argument("--clients", type=_positive, default=16, help="concurrent HTTP clients (default 16)")
    p.add_argument("--requests", type=_positive, default=400, help="HTTP requests in all (default 400)")
    p.add_argument("--threads", type=_positive, default=8, help="server worker threads (default 8)")
    p.add_argument("--processes", type=int, default=0, help="serving processes of ours (default 0: one per core)")
    p.add_argument("--no-serve", action="store_true", help="skip the HTTP phase")
    p.add_argument("--no-keep", action="store_true", help="delete the scaled index afterwards")
    p.add_argument("--reuse", action="store_true", help="measure again on the copy an earlier `scale` built")

    p = sub.add_parser("_phase", help=argparse.SUPPRESS)
    p.add_argument("phase", choices=("index", "query", "parity"))
    p.add_argument("engine", choices=run.ENGINES)
    p.add_argument("corpus", type=Path)
    p.add_argument("target", type=Path)
    p.add_argument("--queries", type=_positive, default=200)
    p.add_argument("--analysis", choices=("full", "generated"), default="full")
    p.add_argument("--translate", choices=run.TRANSLATE, default="both")
    p.add_argument("--workers", type=_positive, default=1, help="OpenSearch: worker processes that bulk-load")

    p = sub.add_parser("_serve-baseline", help=argparse.SUPPRESS)
    p.add_argument("--target", type=Path, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--threads", type=_positive, default=8)
    return parser


def _options(args: argparse.Namespace, **more: Any) -> run.SuiteOptions:
    """The suite's options from the arguments `run` and `scale` share."""
    return run.SuiteOptions(
        n=args.n,
        seed=args.seed,
        out=args.out,
        queries=args.queries,
        clients=args.clients,
        requests=args.requests,
        threads=args.threads,
        processes=args.processes,
        serve=not args.no_serve,
        keep=not args.no_keep,
        **more,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "corpus":
            with Progress(f"generating a corpus of {args.n} articles", total=args.n) as progress:
                manifest = corpus.write_corpus(corpus.CorpusSpec(n=args.n, seed=args.seed), args.out, progress)
            print(json.dumps(manifest, ensure_ascii=False))
            return 0
        if args.command == "_phase":
            if args.phase == "index":
                result = run.phase_index(args.engine, args.corpus, args.target, args.analysis, args.workers)
            elif args.phase == "parity":
                from bench.cluster import phase_parity

                result = phase_parity(args.corpus, args.target.parent, args.queries)
            else:
                result = run.phase_query(args.engine, args.corpus, args.target, args.queries, args.translate)
            print(json.dumps(result))
            return 0
        if args.command == "_serve-baseline":
            run.serve_baseline(args.target, args.port, args.threads)
            return 0
        if args.command == "scale":
            from bench import scale

            work = args.work or args.out / f"work-{args.n}"
            opts = _options(args, reuse=("ours",) if args.reuse else ())
            results = scale.verdicts(scale.run_scaled(work, args.n, args.seed, args.times, opts))
            path = scale.write(results, args.out)
            print(scale.summary(results))
            print(f"results: {path}")
            return 1 if "error" in results["engines"]["ours"] else 0
        engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
        unknown = [e for e in engines + tuple(args.reuse.split(",")) if e.strip() and e.strip() not in run.ENGINES]
        if unknown or not engines:
            print(
                f"bench: unknown engine {', '.join(unknown) or '(none)'}: choose from ours, baseline", file=sys.stderr
            )
            return 2
        opts = _options(
            args,
            work=args.work,
            engines=engines,
            analysis=args.analysis,
            reuse=tuple(e.strip() for e in args.reuse.split(",") if e.strip()),
            translate=args.translate,
            two_workers=not args.one_load,
        )
        results = report.add_ratios(run.run_suite(opts))
        path = report.write(results, args.out)
        print(report.summary(results))
        print(f"results: {path}")
        failed = [e for e, entry in results["engines"].items() if "error" in entry]
        return 1 if failed else 0
    except (run.BenchError, OSError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

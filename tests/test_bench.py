"""The benchmark suite: the corpus generator's shape, and a smoke run at 2,000 articles (that it runs, not how fast)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench import corpus
from bench.__main__ import main
from bench.run import query_mix, request_from_params, request_params


def _items(n: int, seed: int) -> list[dict]:
    return list(corpus.Generator(corpus.CorpusSpec(n=n, seed=seed)).articles())


def test_corpus_is_deterministic_and_shaped_like_the_press() -> None:
    first = _items(300, seed=5)
    assert first == _items(300, seed=5)
    assert first != _items(300, seed=6)
    langs = [it["lang"] for it in first]
    assert 0.35 < langs.count("kk") / len(langs) < 0.65
    originals = [it for it in first if not it["group_id"]]
    for item in originals:
        words = sum(len(p.split()) for p in item["paragraphs"])
        assert corpus.WORDS_MIN <= words <= corpus.WORDS_MAX + 40  # + the inserted names and amounts
    assert 0 < len(first) - len(originals) < 0.1 * len(first)  # a few percent reprints
    assert {it["source"] for it in first} <= {o[0] for o in corpus.Generator(corpus.CorpusSpec(1)).outlets}
    years = {it["published"][:4] for it in first}
    assert len(years) >= 10
    # Districts are KATO codes under the region they belong to.
    for item in first:
        for code in item["regions"]:
            if not code.startswith("KZ-"):
                assert f"KZ-{code[:2]}" in item["regions"]


def test_vocabulary_grows_with_the_corpus_as_heaps_law_says() -> None:
    small = corpus.heaps_size(100_000)
    large = corpus.heaps_size(10_000_000)
    assert 9 < large / small < 11  # beta 0.5: 100x the text, 10x the words
    gen = corpus.Generator(corpus.CorpusSpec(n=200, seed=1))
    for vocab in gen.vocab.values():
        assert len(vocab.words) == len(set(vocab.words))
        cdf = vocab.sampler()
        assert cdf[0] > 0.05  # Zipf: the top word alone is several percent of running text


def test_query_mix_round_trips_through_url_parameters(tmp_path: Path) -> None:
    corpus.write_corpus(corpus.CorpusSpec(n=200, seed=3), tmp_path)
    mix = query_mix(tmp_path, 50)
    assert len(mix) == 50
    assert {q.lang for q in mix} == {"kk", "ru"}
    assert any(q.request.q.startswith('"') for q in mix)
    for q in mix:
        params: dict[str, list[str]] = {}
        for key, value in request_params(q.request):
            params.setdefault(key, []).append(value)
        assert request_from_params(params) == q.request
    assert [q.request for q in mix] == [q.request for q in query_mix(tmp_path, 50)]


def test_bad_arguments_get_a_one_line_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--n", "10", "--engines", "lucene"]) == 2
    assert "unknown engine lucene" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["corpus", "--n", "zero", "--out", "x"])


@pytest.mark.slow
def test_smoke_run_at_2000_articles_writes_its_json(tmp_path: Path) -> None:
    engines = "ours,baseline" if importlib.util.find_spec("index.whoosh.engine") else "baseline"
    # Generated facts for ours: the full analysis path is what the real runs measure; here only running counts.
    argv = [
        "run",
        "--n",
        "2000",
        "--queries",
        "20",
        "--requests",
        "16",
        "--analysis",
        "generated",
        "--out",
        str(tmp_path),
    ]
    code = main([*argv, "--engines", engines])
    results = json.loads((tmp_path / "results-2000.json").read_text(encoding="utf-8"))
    assert code == 0, results
    assert results["corpus"]["n"] == 2000
    for engine in engines.split(","):
        entry = results["engines"][engine]
        assert entry["index"]["articles"] == 2000
        assert entry["index"]["size_bytes"] > 0
        assert entry["query"]["mix"]["n"] == 20
        assert entry["query"]["histogram"]["n"] == 20
        assert entry["serve"]["requests"] == 16
        assert entry["serve"]["errors"] == 0
        # the light client's own cost and the rest of the machine's, measured beside the server's (issue 21)
        assert entry["serve"]["http_client"].startswith("bench.httpload")
        assert entry["serve"]["client_cpu_ms_per_request"] > 0 and entry["serve"]["other_cpu_cores"] is not None
        assert entry["serve"]["pss_mb"] > 0
    if "ours" in engines:
        assert "query mix p95" in results["ratios"]
        # the mix asked with cross-language translation and without, in the same run (issue 18)
        ours = results["engines"]["ours"]["query"]
        assert ours["xlang"]["as_typed"]["n"] == ours["xlang"]["translated"]["n"] == 20 and ours["xlang_p95_ratio"] > 0
        # The 1M query side from the 2000: the index merged into itself twice, then the query and serve phases.
        code = main(
            ["scale", "--n", "2000", "--times", "2", "--queries", "20", "--requests", "16", "--out", str(tmp_path)]
        )
        scaled = json.loads((tmp_path / "results-scaled-4000.json").read_text(encoding="utf-8"))
        assert code == 0, scaled
        entry = scaled["engines"]["ours"]
        assert entry["scale"]["articles"] == 4000
        assert entry["query"]["mix"]["n"] == 20
        assert entry["serve"]["requests"] == 16 and entry["serve"]["errors"] == 0
        again = ["scale", "--n", "2000", "--times", "2", "--queries", "20", "--no-serve", "--reuse"]
        assert main([*again, "--out", str(tmp_path)]) == 0  # measured again on the copy already built
        rerun = json.loads((tmp_path / "results-scaled-4000.json").read_text(encoding="utf-8"))
        assert rerun["engines"]["ours"]["scale"]["reused"] is True
        assert rerun["engines"]["ours"]["query"]["mix"]["n"] == 20
        from index.models import SearchRequest
        from index.whoosh.engine import WhooshIndex

        one = WhooshIndex(tmp_path / "work-2000" / "ours" / "index", readonly=True)
        two = WhooshIndex(tmp_path / "work-2000" / "ours-x2" / "index", readonly=True)
        for q in ("облыс", "завод", ""):
            ungrouped = SearchRequest(q=q, group=False)
            assert two.search(ungrouped).total == 2 * one.search(ungrouped).total > 0
        one.close()
        two.close()


def test_the_ideal_fifo_model_follows_littles_law() -> None:
    from bench.run import fifo_model

    # 16 clients on 2 cores, every query 10 ms: each answer waits for the 7 before it on its core
    steady = fifo_model([10.0], clients=16, processes=2, requests=1600)
    assert steady["rps"] == 200.0 and steady["p50"] == steady["p95"] == 80.0
    # 8 clients: half the wait at the same throughput
    assert fifo_model([10.0], clients=8, processes=2, requests=1600)["p95"] == 40.0
    # one slow query in ten: the mean wait grows and the slow ones' neighbours wait for them too
    mixed = fifo_model([10.0] * 9 + [100.0], clients=16, processes=2, requests=1600)
    assert 0.97 * 2 / 0.019 < mixed["rps"] <= 2 / 0.019  # both cores busy all along, but for the last answers
    assert mixed["p95"] > 16 / mixed["rps"] * 1000 > mixed["p50"] / 2

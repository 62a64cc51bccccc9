"""`searchapp watch`: intervals, a crawl still running is never started twice, and a cycle writes to the engine
that is configured (Whoosh in the data folder, or the local OpenSearch cluster: tests/clusterfixtures.py)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from searchapp.errors import AppError
from searchapp.paths import DataPaths
from searchapp.watch import crawl_lock, parse_interval, run_cycle, watch
from tests.clusterfixtures import ENGINES


@pytest.mark.parametrize(("text", "seconds"), [("45s", 45), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("90", 90)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5m", "0s", "3w"])
def test_bad_intervals_are_refused_in_words(text: str) -> None:
    with pytest.raises(AppError) as info:
        parse_interval(text)
    assert "--every" in info.value.message


def test_a_running_crawl_is_not_started_twice(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    calls: list[str] = []
    with crawl_lock(paths) as held:
        assert held
        assert run_cycle(paths, lambda: calls.append("crawl")) == "skipped"
    assert calls == []
    assert run_cycle(paths, lambda: calls.append("crawl")) == "done"
    assert calls == ["crawl"]


def test_cycles_repeat_until_stopped_and_failures_do_not_end_the_watch(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    stop = threading.Event()
    calls: list[int] = []

    def crawl() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("connection reset")
        if len(calls) >= 3:
            stop.set()
        return "ok"

    assert watch(paths, crawl, every=1.0, stop=stop) == 0
    assert len(calls) == 3
    log = (paths.logs / "watch.log").read_text(encoding="utf-8")
    assert "recrawl failed: connection reset" in log
    assert "recrawl done" in log


def cluster_count(data: Path) -> int | None:
    """How many articles the cluster's index of `data` holds, asked of the cluster itself; None on Whoosh."""
    from index.config import EngineConfig

    config = EngineConfig.from_env()
    if config.engine != "opensearch":
        return None
    from opensearchpy import OpenSearch

    from index.opensearch.engine import alias_name

    client = OpenSearch(list(config.urls))
    try:
        return int(client.count(index=alias_name(config, data, create=False))["count"])
    finally:
        client.close()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_one_watch_cycle_brings_a_new_article_to_the_top_of_a_feed(tmp_path: Path, engine: str) -> None:
    """Save a search, publish a new article on a local site, run one watch cycle: the feed has it first, and the
    article went to the configured engine."""
    import feedparser

    from searchapp import create_app
    from searchapp.cli import main
    from searchapp.demo.sites import DemoSites

    data = tmp_path / "data"
    with DemoSites() as sites:
        sources = sites.write_sources(tmp_path / "sources.toml")
        assert main(["watch", "--once", "--sources", str(sources), "--data", str(data)]) == 0
        crawled = cluster_count(data)
        if engine == "opensearch":
            assert crawled, "the crawl wrote nothing to the cluster"
            assert not (data / "index" / "whoosh").exists()  # nothing local: the articles live in the cluster
        else:
            assert crawled is None and (data / "index").is_dir()
        app = create_app({"data": str(data), "TESTING": True})
        client = app.test_client()
        saved = client.post("/api/saved-searches", json={"name": "Павлодар", "region": ["KZ-55"]}).get_json()
        rss = saved["rss"].split("://", 1)[1].split("/", 1)[1]
        before = client.get("/" + rss)
        assert before.status_code == 200
        etag = before.headers["ETag"]
        assert client.get("/" + rss, headers={"If-None-Match": etag}).status_code == 304

        url = sites.add_article(
            "ertis",
            {
                "slug": "ekibastuz-jana-zauyt-watch",
                "section": "ekonomika",
                "lang": "kk",
                "title": "Екібастұзда ферроқорытпа зауытының жаңа цехы ашылды",
                "lead": "Павлодар облысындағы Екібастұз қаласында жаңа цех іске қосылды.",
                "paragraphs": [
                    "Екібастұз қаласындағы ферроқорытпа зауытында жаңа балқыту цехы салтанатты түрде ашылды. "
                    "Цехтың құрылысына 4 миллиард теңге жұмсалды, онда жүз елу адам тұрақты жұмыс істейді.",
                    "Кәсіпорын басшылығының айтуынша, жаңа пеш жылына қосымша қырық мың тонна өнім береді. "
                    "Өнімнің басым бөлігі көрші облыстардағы металлургия кәсіпорындарына жөнелтіледі.",
                    "Цехта шаң мен газды тазартатын заманауи сүзгілер орнатылған, ал өндіріс қалдықтары "
                    "құрылыс материалдарын шығару үшін қайта өңделеді.",
                    "Облыс әкімдігінің мәліметінше, келесі жылы зауыт аумағында тағы екі цех салу жоспарланған. "
                    "Олар үшін жергілікті колледждер дәнекерлеушілер мен электриктерді даярлай бастады.",
                    "Жергілікті тұрғындар жаңа жұмыс орындары қала экономикасына серпін беретінін айтты. "
                    "Жас мамандардың бір бөлігі бұрын жұмыс іздеп басқа өңірлерге кетіп жүрген.",
                ],
                "published": dt.date.today().isoformat() + "T10:00",
                "authors": ["Тест Авторы"],
                "tags": ["индустрия"],
                "reprint_of": None,
                "expect": {"regions": ["KZ-55"], "sectors": ["C24"], "countries": [], "amounts": []},
            },
        )
        assert main(["watch", "--once", "--sources", str(sources), "--data", str(data)]) == 0
        if crawled is not None:
            assert cluster_count(data) == crawled + 1  # the new article, in the cluster
        if app.extensions.get("searchapp.index") is not None:
            app.extensions["searchapp.index"].close()
        app = create_app({"data": str(data), "TESTING": True})
        try:
            after = app.test_client().get("/" + rss, headers={"If-None-Match": etag})
        finally:
            app.extensions["searchapp.index"].close()
        assert after.status_code == 200
        assert after.headers["ETag"] != etag
        parsed = feedparser.parse(after.data)
        assert parsed.bozo == 0
        assert parsed.entries[0].link == url
        assert parsed.entries[0].title.startswith("Екібастұзда ферроқорытпа")

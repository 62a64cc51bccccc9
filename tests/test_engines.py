"""Both engines on the same corpus give the same answers; the OpenSearch engine survives its cluster's faults.

Equivalence: the demo press and the retrieval gold's articles (bench/eval_retrieval.py) in a Whoosh index and in
an OpenSearch index; every gold query, with and without a facet filter and by date, must give the same totals,
the same set of results, the same facet counts and the same notices. Ranked by relevance, the two engines' BM25
differ in their details (Whoosh's BM25F against Lucene's BM25 per field), so rank order is compared as quality:
the OpenSearch engine's MRR on the gold must stay close to Whoosh's. Sorted by date, the order must be the same.

Faults: the cluster unreachable (a loopback TCP relay in front of the real cluster, cut and restored) gives 503
with a clear message and recovers without a restart; bulk requests the cluster rejects with 429 are retried, not
dropped; one of the two nodes killed during a bulk load loses no article once it is back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.eval_retrieval import K, load_corpus, load_queries
from index import Record, SearchIndex, SearchRequest, open_index
from index.config import EngineConfig
from tests.clusterfixtures import SCRIPT, default_install_env, engine_env


def _config(url: str, replicas: int = 0, shards: int = 1) -> EngineConfig:
    return EngineConfig.from_env(engine_env(url, replicas, shards))


@pytest.fixture(scope="module")
def corpus() -> list[Record]:
    return load_corpus()


# One shard, and two: each shard then counts its own part of the matches (facets, groups), and the cluster adds
# them up; the counts must still be Whoosh's exactly (SEARCHAPP_OPENSEARCH_SHARDS=2).
@pytest.fixture(scope="module", params=[1, 2], ids=["1shard", "2shards"])
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, opensearch_url: str, corpus: list[Record]
) -> Iterator[tuple[SearchIndex, SearchIndex]]:
    root = tmp_path_factory.mktemp("engines")
    whoosh = open_index(root / "w" / "index", engine=EngineConfig())
    config = _config(opensearch_url, shards=request.param)
    assert config.shards == request.param
    cluster = open_index(root / "o" / "index", engine=config)
    whoosh.add(load_corpus())
    cluster.add(load_corpus())
    yield whoosh, cluster
    whoosh.close()
    cluster.close()


def _answer(index: SearchIndex, request: SearchRequest) -> dict[str, Any]:
    result = index.search(request)
    return {
        "total": result.total,
        "ids": [h.record.id for h in result.hits],
        "facets": {name: {v.value: v.count for v in values} for name, values in result.facets.items()},
        "notice": result.notice,
        "groups": {h.record.id: (h.group_size, h.group_sources) for h in result.hits},
    }


def _requests() -> Iterator[SearchRequest]:
    for query in load_queries():
        yield SearchRequest(q=query.q, per_page=100)
        yield SearchRequest(q=query.q, per_page=100, lang=["kk"])
        yield SearchRequest(q=query.q, per_page=100, sort="date", group=False)
        # a month and a year apart: the words may all be in articles outside the dates only (no any-word fallback
        # then, on either engine: it is decided on the text alone)
        yield SearchRequest(q=query.q, per_page=100, date_from="2024-03-01", date_to="2024-03-31", year=["2023"])
    for q in ["", "NOT бюджет", "source:ertis.kz OR region:KZ-55", "бюдж*", '"аудан бюджеті"', "xyzzy бюджет"]:
        yield SearchRequest(q=q, per_page=100)
        yield SearchRequest(q=q, per_page=100, sort="date_asc")
        yield SearchRequest(q=q, per_page=100, sort="amount", group=False)
        yield SearchRequest(q=q, per_page=100, year=["2024"], date_from="2024-03-01")


def test_same_results_and_facet_counts_on_the_demo_press_and_the_gold(both: tuple[SearchIndex, SearchIndex]) -> None:
    whoosh, cluster = both
    assert whoosh.count() == cluster.count() > 100
    checked = 0
    for request in _requests():
        a, b = _answer(whoosh, request), _answer(cluster, request)
        where = f"{request.q!r} sort={request.sort} filters={request.filters()}"
        assert a["total"] == b["total"], where
        assert a["facets"] == b["facets"], where
        assert a["notice"] == b["notice"], where
        if a["total"] <= request.per_page and not request.group:
            assert set(a["ids"]) == set(b["ids"]), where
        if request.sort != "relevance" or not request.q:
            assert a["ids"] == b["ids"], where  # a sort by date or amount has one order
        checked += 1
    assert checked > 100


def test_rank_quality_on_the_gold_is_close_to_whoosh(both: tuple[SearchIndex, SearchIndex]) -> None:
    whoosh, cluster = both
    mrr = {"whoosh": 0.0, "opensearch": 0.0}
    queries = load_queries()
    same_top = 0
    for query in queries:
        firsts = []
        for name, index in (("whoosh", whoosh), ("opensearch", cluster)):
            ranked = [h.record.id for h in index.search(SearchRequest(q=query.q, per_page=K)).hits]
            firsts.append(ranked[:1])
            rank = next((i + 1 for i, rid in enumerate(ranked) if rid in query.relevant), None)
            mrr[name] += 1.0 / rank if rank else 0.0
        same_top += firsts[0] == firsts[1]
    n = len(queries)
    assert mrr["opensearch"] / n >= mrr["whoosh"] / n - 0.05, (mrr, n)
    assert same_top / n >= 0.6, same_top / n


def test_histogram_group_export_and_similar_agree(both: tuple[SearchIndex, SearchIndex]) -> None:
    whoosh, cluster = both
    for by in ("lang", "region"):
        assert whoosh.histogram(SearchRequest(), by=by) == cluster.histogram(SearchRequest(), by=by)
    request = SearchRequest(sort="date")
    assert [r.id for r in whoosh.iter_records(request, 10_000)] == [r.id for r in cluster.iter_records(request, 10_000)]
    grouped = [h for h in whoosh.search(SearchRequest(per_page=100)).hits if h.group_size > 1]
    assert grouped, "the demo press has reprints"
    for hit in grouped:
        gid = hit.record.group_id
        assert [r.id for r in whoosh.group(gid)] == [r.id for r in cluster.group(gid)]
    some = grouped[0].record.id
    similar = cluster.more_like_this(some)
    assert similar and all(h.record.group_id != grouped[0].record.group_id or not h.record.group_id for h in similar)
    assert cluster.get(some) == whoosh.get(some)


def _partition(index: SearchIndex) -> list[list[str]]:
    """The reprint groups of an index, as sorted lists of article ids."""
    groups: dict[str, set[str]] = {}
    for record in index.iter_records(SearchRequest(group=False, sort="date"), 100_000):
        if record.group_id:
            groups.setdefault(record.group_id, set()).add(record.id)
    return sorted(sorted(g) for g in groups.values())


def test_reprints_two_writers_met_at_once_are_grouped_as_one_writer_groups_them(
    tmp_path: Path, opensearch_url: str
) -> None:
    from index.opensearch.engine import OpenSearchIndex

    whoosh = open_index(tmp_path / "w" / "index", engine=EngineConfig())
    whoosh.add(load_corpus())
    config = _config(opensearch_url)
    live = OpenSearchIndex(tmp_path / "o" / "index", config)
    name, _resumed = live.begin_rebuild()
    writers = [OpenSearchIndex(tmp_path / "o" / "index", config, target=name) for _ in range(2)]
    records = load_corpus()
    for start in range(0, len(records), 10):  # in turns, in the order Whoosh added them
        writers[(start // 10) % 2].add(records[start : start + 10])
    # a rebuild's index refreshes seldom while it loads: neither writer saw the other's articles
    assert writers[0].regroup() > 0
    live.finish_rebuild(name)
    expected = _partition(whoosh)
    assert expected and _partition(live) == expected
    for index in (whoosh, live, *writers):
        index.close()


# ---------------------------------------------------------------------------------------------------- faults
class Relay:
    """A TCP relay on loopback in front of the cluster: `cut()` closes it (the cluster unreachable), `restore()`
    opens it again on the same port; `reject_bulks` answers that many bulk requests with 429 first."""

    def __init__(self, target: str) -> None:
        host, port = target.split("//", 1)[1].split(":")
        self.target = (host, int(port))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.reject_bulks = 0
        self.rejected = 0
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []
        self.restore()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and drop every open connection, as a cluster that went away."""
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (a close alone does not)
            self._server.close()
            self._server = None
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, server), daemon=True).start()

    def _serve(self, client: socket.socket, server: socket.socket) -> None:
        upstream = socket.create_connection(self.target)
        self._open += [client, upstream]

        def back() -> None:  # the cluster's answers, as they come
            with contextlib.suppress(OSError):
                while data := upstream.recv(65536):
                    client.sendall(data)
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=back, daemon=True).start()
        buffer = b""
        with contextlib.suppress(OSError):
            while True:  # one request at a time (the client waits for each answer): read it whole, then judge it
                while b"\r\n\r\n" not in buffer:
                    data = client.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buffer) < length:
                    data = client.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                if self.reject_bulks > 0 and b"/_bulk" in head.split(b"\r\n", 1)[0]:
                    self.reject_bulks -= 1
                    self.rejected += 1
                    answer = b'{"error":{"type":"rejected_execution_exception","reason":"queue full"},"status":429}'
                    client.sendall(
                        b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n"
                        + f"content-length: {len(answer)}\r\n\r\n".encode()
                        + answer
                    )
                    continue
                upstream.sendall(head + b"\r\n\r\n" + body)


def test_unreachable_cluster_answers_503_and_recovers_without_restart(
    tmp_path: Path, opensearch_url: str, corpus: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchapp import create_app

    relay = Relay(opensearch_url)
    for key, value in engine_env(relay.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SEARCHAPP_OPENSEARCH_TIMEOUT", "3")
    data = tmp_path / "data"
    index = open_index(data / "index")
    index.add(corpus[:20])
    index.close()
    app = create_app({"data": str(data), "TESTING": True})
    web = app.test_client()
    assert web.get("/api/search?q=бюджет").status_code == 200
    relay.cut()
    down = web.get("/api/search?q=бюджет")
    assert down.status_code == 503
    assert "cannot be reached" in down.get_json()["error"]["message"]
    assert web.get("/").status_code in (200, 503)  # the page says it too, never a 500
    relay.restore()
    deadline = time.monotonic() + 30
    while web.get("/api/search?q=бюджет").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover once the cluster was back"
        time.sleep(0.5)
    assert web.get("/api/search").get_json()["total"] > 0


def test_rejected_bulks_are_retried_never_dropped(tmp_path: Path, opensearch_url: str, corpus: list[Record]) -> None:
    relay = Relay(opensearch_url)
    index = open_index(tmp_path / "index", engine=_config(relay.url))
    relay.reject_bulks = 3
    index.add(corpus)
    assert relay.rejected == 3
    assert index.count() == len(corpus)
    index.close()


def _node_pid(n: int) -> int:
    return int(subprocess.run([str(SCRIPT), "pid", str(n)], capture_output=True, text=True, check=True).stdout)


def _node_outside_the_vote(config: EngineConfig) -> int:
    """The node (1 or 2) that is not in the cluster's voting configuration. Of two cluster-manager-eligible nodes
    only one votes (an even count leaves one out), and with that one gone the other cannot elect a manager until
    it is back: no write goes anywhere. Losing a data node is what the test is about, so it kills the other."""
    from index.opensearch.engine import connect

    client = connect(config)
    try:
        state = client.cluster.state(metric="metadata", filter_path="metadata.cluster_coordination")
        voters = set(state["metadata"]["cluster_coordination"]["last_committed_config"])
        nodes = client.nodes.info(filter_path="nodes.*.name")["nodes"]
        names = {node_id: info["name"] for node_id, info in nodes.items()}
    finally:
        client.close()
    outside = sorted(int(name.removeprefix("node")) for node_id, name in names.items() if node_id not in voters)
    assert outside, f"every node votes: {names} {voters}"
    return outside[-1]


@pytest.mark.slow
def test_a_node_killed_during_a_bulk_load_loses_no_article(
    tmp_path: Path, opensearch_url: str, corpus: list[Record]
) -> None:
    second = opensearch_url.rsplit(":", 1)[0] + ":" + str(int(opensearch_url.rsplit(":", 1)[1]) + 1)
    config = EngineConfig.from_env({**engine_env(f"{opensearch_url},{second}", replicas=1)})
    index = open_index(tmp_path / "index", engine=config)
    from index.opensearch.engine import wait_until_green

    # the replica placed before a node dies: else the only copy may be on the dead node, and the load waits for it
    wait_until_green(config, timeout=120)
    records = [r for r in corpus]
    # many more articles than the corpus has: copies under new ids, so the load lasts while the node dies
    load: list[Record] = []
    for n in range(12):
        for record in records:
            copy = Record(**{f: getattr(record, f) for f in Record.__dataclass_fields__})
            copy.id = f"{record.id}-{n}"
            copy.group_id = ""
            load.append(copy)
    killed = threading.Event()
    victim = _node_pid(_node_outside_the_vote(config))

    loading = threading.Event()

    def kill_soon() -> None:  # once the first batch is in: while the next ones are analysed and sent (a fixed
        # delay let a quiet machine finish the whole load first)
        loading.wait(timeout=120)
        time.sleep(0.1)
        os.kill(victim, signal.SIGKILL)
        killed.set()

    killer = threading.Thread(target=kill_soon)
    killer.start()
    try:
        for start in range(0, len(load), 250):
            index.add(load[start : start + 250])
            loading.set()
        assert killed.is_set(), "the load ended before the node was killed: load more"
    finally:
        killer.join()
        assert killed.is_set()
        restart = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=600)
        assert restart.returncode == 0, restart.stderr[-2000:]
    wait_until_green(config, timeout=180)
    assert index.count() == len(load)
    missing = [r.id for r in load[:: max(1, len(load) // 200)] if index.get(r.id) is None]
    assert not missing
    index.close()


# ---------------------------------------------------------------------------------------------------- the pipeline
def _records(paths: Any) -> dict[str, dict[str, Any]]:
    import dataclasses

    index = open_index(paths.index, readonly=True)
    try:
        return {
            # what two crawls of the same sites share: not when and into which archive file each page came
            r.url: {k: v for k, v in dataclasses.asdict(r).items() if k not in VARYING}
            for r in index.iter_records(SearchRequest(group=False, sort="date"), limit=100_000)
        }
    finally:
        index.close()


VARYING = ("group_id", "simhash", "fetched_at", "warc_file", "warc_offset")


@pytest.mark.slow
def test_crawl_and_reindex_with_workers_write_to_the_cluster(
    demo_sites: Any, tmp_path: Path, opensearch_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.sources import load_sources
    from searchapp import pipeline
    from searchapp.cli import main
    from searchapp.paths import DataPaths

    sources = load_sources(demo_sites.write_sources(tmp_path / "sources.toml"))
    whoosh_paths = DataPaths(tmp_path / "whoosh")
    monkeypatch.delenv("SEARCHAPP_ENGINE", raising=False)
    pipeline.crawl(whoosh_paths, sources, delay=0.0, progress=False)
    expected = _records(whoosh_paths)

    for key, value in engine_env(opensearch_url).items():
        monkeypatch.setenv(key, value)
    paths = DataPaths(tmp_path / "cluster")
    pipeline.crawl(paths, sources, delay=0.0, progress=False)
    assert not (paths.index / "whoosh").exists()  # nothing local: the records live in the cluster
    assert _records(paths) == expected
    before = open_index(paths.index, readonly=True)
    old_generation = before.generation()
    before.close()

    from index.opensearch import engine

    monkeypatch.setattr(engine, "MERGE_FLOOR_BYTES", 0)  # merged as a large load is, however small this one
    assert main(["reindex", "--workers", "2", "--data", str(paths.root)]) == 0
    assert _records(paths) == expected
    after = open_index(paths.index, readonly=True)
    assert after.generation() != old_generation  # a new index behind the alias: ETags change
    # loaded without refreshes, merged in one pass on the primary, copied to the replica as files; then it
    # refreshes as configured again, so later crawls are searchable
    segments = after.client.cat.segments(index=after.alias, format="json")
    assert len([s for s in segments if s["prirep"] == "p"]) == 1, segments
    assert all(int(s["docs.deleted"]) == 0 for s in segments), segments
    for concrete in after.client.indices.get_settings(index=after.alias).values():
        assert "refresh_interval" not in concrete["settings"]["index"]
    after.close()
    assert not list(paths.root.glob("opensearch-rebuild*"))  # the rebuild's state is cleared once it is in


BAD_SETTINGS = [
    ("SEARCHAPP_ENGINE", "elastic", "SEARCHAPP_ENGINE must be whoosh or opensearch"),
    ("SEARCHAPP_OPENSEARCH_URL", "ftp://x", "is not an http(s)://host:port URL"),
    ("SEARCHAPP_OPENSEARCH_URL", "127.0.0.1:9200", "is not an http(s)://host:port URL"),
    ("SEARCHAPP_OPENSEARCH_URL", "http://127.0.0.1:70000", "is not an http(s)://host:port URL"),
    ("SEARCHAPP_OPENSEARCH_URL", " , ", "SEARCHAPP_OPENSEARCH_URL names no node"),
    ("SEARCHAPP_OPENSEARCH_PREFIX", "Bad Prefix", "SEARCHAPP_OPENSEARCH_PREFIX must be"),
    ("SEARCHAPP_OPENSEARCH_SHARDS", "0", "SEARCHAPP_OPENSEARCH_SHARDS must be a whole number from 1"),
    ("SEARCHAPP_OPENSEARCH_REPLICAS", "-1", "SEARCHAPP_OPENSEARCH_REPLICAS must be a whole number"),
    ("SEARCHAPP_OPENSEARCH_CA_CERTS", "/nonexistent/ca.pem", "there is no file"),
    ("SEARCHAPP_OPENSEARCH_VERIFY_CERTS", "maybe", "SEARCHAPP_OPENSEARCH_VERIFY_CERTS must be 1 or 0"),
    ("SEARCHAPP_OPENSEARCH_PASSWORD", "secret", "is set without SEARCHAPP_OPENSEARCH_USER"),
    ("SEARCHAPP_OPENSEARCH_TIMEOUT", "0", "SEARCHAPP_OPENSEARCH_TIMEOUT must be a number of seconds"),
]


def test_a_bad_engine_setting_stops_the_program_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchapp.cli import main

    for key, value, words in BAD_SETTINGS:
        monkeypatch.setenv(key, value)
        code = main(["search", "x", "--data", str(tmp_path)])
        monkeypatch.delenv(key)
        err = capsys.readouterr().err.strip()
        assert code != 0
        assert words in err and len(err.splitlines()) == 1, err


def test_a_bad_engine_setting_stops_serve_before_it_listens(tmp_path: Path) -> None:
    """`searchapp serve` as a process (it would otherwise serve on): each bad value ends it at once, one line."""
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHAPP_")}
    command = [sys.executable, "-m", "searchapp.cli", "serve", "--port", "0", "--data", str(tmp_path)]
    runs = [
        (words, subprocess.Popen(command, env={**clean, key: value}, stderr=subprocess.PIPE, text=True))
        for key, value, words in BAD_SETTINGS
    ]
    try:
        for words, run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode != 0
            assert words in err and len(err.strip().splitlines()) == 1, err
    finally:
        for _words, run in runs:
            if run.poll() is None:
                run.kill()


@pytest.mark.slow
def test_a_killed_reindex_resumes_where_it_stopped(
    demo_sites: Any, tmp_path: Path, opensearch_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from crawler.sources import load_sources
    from searchapp import pipeline
    from searchapp.paths import DataPaths

    for key, value in engine_env(opensearch_url).items():
        monkeypatch.setenv(key, value)
    sources = load_sources(demo_sites.write_sources(tmp_path / "sources.toml"))
    paths = DataPaths(tmp_path / "data")
    pipeline.crawl(paths, sources, delay=0.0, progress=False)
    expected = _records(paths)
    env = {**os.environ, "SEARCHAPP_REINDEX_BATCH": "3", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "searchapp.cli", "reindex", "--data", str(paths.root)]
    killed = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    done = paths.root / "opensearch-rebuild.0.done"
    deadline = time.monotonic() + 120
    while not (done.exists() and int(done.read_text() or 0) >= 3):
        assert killed.poll() is None, "the reindex ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    halfway = int(done.read_text())
    assert 0 < halfway < len(expected)
    assert _records(paths) == expected  # searches still see the complete old index

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"resumed after {halfway} pages" in again.stderr
    assert _records(paths) == expected


def test_the_default_engine_needs_no_server_and_no_opensearch_client(tmp_path: Path) -> None:
    import sys

    code = (
        "import sys\n"
        "from searchapp import create_app\n"
        "from index import open_index, SearchRequest\n"
        f"ix = open_index(__import__('pathlib').Path({str(tmp_path / 'index')!r}))\n"
        "ix.search(SearchRequest(q='x'))\n"
        "create_app({'data': %r, 'TESTING': True}).test_client().get('/api/search?q=x')\n"
        "assert 'opensearchpy' not in sys.modules, 'the default engine imported the OpenSearch client'\n"
    ) % str(tmp_path / "data")
    env = default_install_env(tmp_path)  # no Java, no Maven, opensearch-py refusing to import
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]

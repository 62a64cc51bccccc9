"""The OpenSearch engine in the tests: a real 2-node cluster on loopback, started once per session with
`scripts/opensearch-local` (and stopped at the end if the session started it).

Modules named in `ENGINE_MODULES` run every test that touches a data folder on both engines (the `engine`
parameter); elsewhere `engine` is whoosh. Choosing opensearch sets the `SEARCHAPP_*` variables, so every
`open_index` of the test (the app's, the CLI's, a fixture's) speaks to the cluster, under a prefix of its own.
The cluster tests skip with a reason only where Java or Maven is missing, and fail under CI (`CI=true`), where
.ci/run installs both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "opensearch-local"
# the modules whose tests run on both engines: the API, the UI, the feeds and export
ENGINE_MODULES = {"test_api", "test_ui", "test_feeds"}
TEST_PREFIX = "pytest"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "engine" in metafunc.fixturenames and module in ENGINE_MODULES:
        metafunc.parametrize("engine", ["whoosh", "opensearch"], indirect=True)


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """The URL of the local cluster, started by the script when it is not running yet."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} missing: the OpenSearch tests need Java 17+ and Maven (.ci/run has both)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        reason = "opensearch-py is not installed (pip install '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    status = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True)
    started = status.returncode != 0
    if started:
        run = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=900)
        if run.returncode != 0:
            pytest.fail(f"scripts/opensearch-local start failed:\n{run.stderr[-3000:]}")
        url = run.stdout.strip().splitlines()[-1]
    else:
        url = status.stdout.strip().splitlines()[-1]
    yield url
    _drop_test_indexes(url)
    if started and not os.environ.get("SEARCHAPP_KEEP_CLUSTER"):
        subprocess.run([str(SCRIPT), "stop"], capture_output=True, timeout=120)


def _drop_test_indexes(url: str) -> None:
    from opensearchpy import OpenSearch

    client = OpenSearch([url])
    # a test that killed a node may leave the cluster busy: the next session cleans up
    with contextlib.suppress(Exception):
        client.indices.delete(index=f"{TEST_PREFIX}-*", expand_wildcards="all")
    client.close()


def engine_env(url: str, replicas: int = 0, shards: int = 1) -> dict[str, str]:
    return {
        "SEARCHAPP_ENGINE": "opensearch",
        "SEARCHAPP_OPENSEARCH_URL": url,
        "SEARCHAPP_OPENSEARCH_PREFIX": TEST_PREFIX,
        "SEARCHAPP_OPENSEARCH_REPLICAS": str(replicas),
        "SEARCHAPP_OPENSEARCH_SHARDS": str(shards),
    }


@pytest.fixture
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this test runs on: whoosh, or opensearch on the local cluster."""
    name = str(getattr(request, "param", "whoosh"))
    if name == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        for key, value in engine_env(url).items():
            monkeypatch.setenv(key, value)
    else:
        monkeypatch.delenv("SEARCHAPP_ENGINE", raising=False)
    return name

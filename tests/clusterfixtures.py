"""The OpenSearch engine in the tests: a real 2-node cluster on loopback, started once per session with
`scripts/opensearch-local` (and stopped at the end if the session started it).

Modules named in `ENGINE_MODULES` run every test that touches a data folder on both engines (the `engine`
parameter); elsewhere `engine` is whoosh. Choosing opensearch sets the `SEARCHAPP_*` variables, so every
`open_index` of the test (the app's, the CLI's, a fixture's) speaks to the cluster, under a prefix of its own.
The browser tests serve one indexed data folder to a whole module: there `module_engine` is the parameter, set
once per module and engine (pytest runs the module's tests on whoosh, then on opensearch).
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
ENGINE_MODULES = {"test_api", "test_ui", "test_feeds", "test_browser", "test_security_browser"}
ENGINES = ["whoosh", "opensearch"]
TEST_PREFIX = "pytest"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module not in ENGINE_MODULES:
        return
    if "module_engine" in metafunc.fixturenames:
        metafunc.parametrize("module_engine", ENGINES, indirect=True, scope="module")
    elif "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", ENGINES, indirect=True)


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


def _choose(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name = str(getattr(request, "param", "whoosh"))
    if name == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        for key, value in engine_env(url).items():
            monkeypatch.setenv(key, value)
    else:
        monkeypatch.delenv("SEARCHAPP_ENGINE", raising=False)
    return name


@pytest.fixture
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this test runs on: whoosh, or opensearch on the local cluster."""
    return _choose(request, monkeypatch)


@pytest.fixture(scope="module")
def module_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The engine of a module's shared data folder (its variables set for the whole module)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _choose(request, monkeypatch)


def default_install_env(folder: Path) -> dict[str, str]:
    """The environment of a machine with only the default install: no `java` or `mvn` on the PATH (an empty
    folder is all of it; run Python by its full path), no opensearch-py (a package of that name in `folder` that
    refuses to import) and no SEARCHAPP_* engine setting."""
    bin_dir, block = folder / "no-bin", folder / "no-opensearch"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (block / "opensearchpy").mkdir(parents=True, exist_ok=True)
    (block / "opensearchpy" / "__init__.py").write_text(
        'raise ImportError("the default install has no opensearch-py, and the default engine must not need it")\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHAPP_") and k not in ("JAVA_HOME", "CI")}
    env["PATH"] = str(bin_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(block), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return env

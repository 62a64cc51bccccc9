"""A plain `pip install .` must carry the templates, static files and demo content inside the wheel, and needs no
server and no Java: the OpenSearch client is an extra, and without Java the cluster tests skip with the reason
(the demo itself runs without them: tests/test_demo_sites.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.clusterfixtures import default_install_env
from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_templates_static_and_demo(tmp_path: Path) -> None:
    # build from a copy: pip builds in the source tree, and two test runs at once would share its build/
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "venv", "build", "dist", "data", "out", "test-output", "*.egg-info", "__pycache__"
        ),
    )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "wheel"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next((tmp_path / "wheel").glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "searchapp/templates/base.html" in names
    assert "searchapp/static/style.css" in names
    assert "searchapp/py.typed" in names
    assert "searchapp/demo/content/FORMAT.md" in names
    assert {"searchapp/demo/content/ertis.jsonl", "searchapp/demo/content/ontustik.jsonl"} <= names
    assert "searchapp/demo/sites.py" in names
    assert not any(n.startswith("tests/") for n in names)
    assert not any(n.startswith("bench/out/") for n in names)
    assert "index/facets/gazetteer.json" in names
    assert {"index/whoosh/engine.py", "index/opensearch/engine.py", "index/parse.py"} <= names  # each room
    assert {"index/crosslang/lexicon/seed.tsv", "index/crosslang/lexicon/general.tsv"} <= names
    assert "crawler/sources.toml" in names
    # the second engine's client only with the extra that asks for it: the default install talks to no server
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(meta).decode().splitlines() if line.startswith("Requires")]
    client = [line for line in requires if "opensearch-py" in line]
    assert client and all("extra ==" in line for line in client), requires


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_without_java_the_cluster_tests_skip_with_the_reason_and_fail_under_ci(
    tmp_path: Path, ci: str, outcome: str
) -> None:
    """The README's test command on a machine without Java or Maven: a cluster test skips and says why; under
    CI (`CI=true`, where .ci/run installs both) the same is a failure, so a missing install cannot hide."""
    env = default_install_env(tmp_path)
    env["PYTHONPATH"] = str(ROOT)  # (opensearch-py is there: the test extra has it)
    if ci:
        env["CI"] = ci
    test = "tests/test_engines.py::test_rejected_bulks_are_retried_never_dropped"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert outcome in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    assert "java and mvn missing: the OpenSearch tests need Java 17+ and Maven" in run.stdout, run.stdout[-3000:]

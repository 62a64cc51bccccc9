"""A plain `pip install .` must carry the templates, static files and demo content inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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

"""A plain `pip install .` must carry the templates, static files and demo content inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_templates_static_and_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "searchapp/templates/base.html" in names
    assert "searchapp/static/style.css" in names
    assert "searchapp/py.typed" in names
    assert "searchapp/demo/content/FORMAT.md" in names
    assert {"searchapp/demo/content/ertis.jsonl", "searchapp/demo/content/ontustik.jsonl"} <= names
    assert "searchapp/demo/sites.py" in names
    assert not any(n.startswith("tests/") for n in names)

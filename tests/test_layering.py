"""The import picture tells the truth: data flows crawler -> index -> searchapp, and a package's dependencies on
another of ours are stated at the top of its modules, not hidden inside functions.

Read from the source with `ast` (every import statement, wherever it stands), so a lazy import cannot hide a
dependency from this test the way it hides one from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("crawler", "index", "searchapp", "bench")
# What each package may import of ours. `searchapp` and `bench` sit at the end of the flow.
ALLOWED = {"crawler": {"crawler"}, "index": {"crawler", "index"}}


def imports(path: Path) -> list[tuple[str, bool, int]]:
    """(top-level package of ours, imported inside a function or class, line) for every import of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nested.update(id(inner) for inner in ast.walk(node) if inner is not node)
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in PACKAGES:
                out.append((top, id(node) in nested, node.lineno))
    return out


def violations(package: str) -> tuple[list[str], list[str]]:
    """(imports against the flow, dependencies on another package of ours imported inside a function)."""
    against, hidden = [], []
    for path in sorted((ROOT / package).rglob("*.py")):
        where = path.relative_to(ROOT)
        for top, inside, line in imports(path):
            if top not in ALLOWED.get(package, set(PACKAGES)):
                against.append(f"{where}:{line} imports {top}")
            if inside and top != package:
                hidden.append(f"{where}:{line} imports {top} inside a function")
    return against, hidden


@pytest.mark.parametrize("package", ["crawler", "index"])
def test_data_flows_one_way_and_dependencies_are_stated_at_the_top(package: str) -> None:
    against, hidden = violations(package)
    assert against == []
    assert hidden == []


def test_the_checker_sees_a_lazy_import_against_the_flow(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import crawler.urls\n\ndef f():\n    from searchapp import cli\n", encoding="utf-8")
    assert imports(module) == [("crawler", False, 1), ("searchapp", True, 4)]

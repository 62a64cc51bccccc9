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


# The rooms of `index/`: each engine its own package; the shared core (every other module of `index/`) is what
# both engines build on and never reaches into either, but for `open_index` (index/__init__.py), which opens
# the configured engine. The OpenSearch room runs where Whoosh's files are not.
ROOMS = ("index.whoosh", "index.opensearch")
CHOOSER = Path("index/__init__.py")


def module_imports(path: Path) -> list[tuple[str, int]]:
    """(full module name, line) of every import in a file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, node.lineno))
            # `from index import whoosh` names a room as well as `import index.whoosh`
            out += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return out


def room_of(module: str) -> str:
    """The room a module of ours belongs to: one of ROOMS, or "core" for the rest of `index`."""
    return next((room for room in ROOMS if module == room or module.startswith(room + ".")), "core")


def room_violations(root: Path = ROOT) -> list[str]:
    out = []
    for path in sorted((root / "index").rglob("*.py")):
        where = path.relative_to(root)
        own = room_of(".".join(where.with_suffix("").parts))
        for name, line in module_imports(path):
            top = name.split(".")[0]
            if own == "index.opensearch" and top == "whoosh":
                out.append(f"{where}:{line} imports {name} (the OpenSearch engine runs without Whoosh)")
            if top != "index":
                continue
            theirs = room_of(name)
            if theirs != "core" and theirs != own and where != CHOOSER:
                out.append(f"{where}:{line} imports {name}: {own} may use the shared core and its own room only")
    return out


def test_each_engine_keeps_to_its_room_and_the_core_to_itself() -> None:
    assert room_violations() == []


def test_the_room_checker_sees_a_crossing(tmp_path: Path) -> None:
    files = {
        "index/__init__.py": "def open_index():\n    from index.whoosh.engine import WhooshIndex\n",
        "index/parse.py": "from index import qtree\n\ndef f():\n    import index.opensearch.query\n",
        "index/opensearch/engine.py": "from whoosh import query\nfrom index import whoosh\nfrom index.parse import x\n",
        "index/whoosh/engine.py": "from whoosh import query\nfrom index.whoosh.evaluate import run\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = room_violations(tmp_path)
    assert [line.split(" ")[0:3] for line in found] == [
        ["index/opensearch/engine.py:1", "imports", "whoosh"],
        ["index/opensearch/engine.py:1", "imports", "whoosh.query"],
        ["index/opensearch/engine.py:2", "imports", "index.whoosh:"],
        ["index/parse.py:4", "imports", "index.opensearch.query:"],
    ]

"""One settings table: defaults, environment overrides, validation, and every setting documented."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from searchapp.errors import AppError
from searchapp.settings import SETTINGS, load_settings
from tests.conftest import ROOT


def test_defaults_and_environment_override() -> None:
    values = load_settings(environ={})
    assert values["port"] == 8080
    values = load_settings(environ={"SEARCHAPP_PORT": "9090", "SEARCHAPP_UI_LANG": "kk"})
    assert values["port"] == 9090
    assert values["ui_lang"] == "kk"


def test_explicit_override_beats_environment() -> None:
    values = load_settings({"port": 7000}, environ={"SEARCHAPP_PORT": "9090"})
    assert values["port"] == 7000


@pytest.mark.parametrize(
    ("env", "fragment"),
    [({"SEARCHAPP_PORT": "eighty"}, "must be int"), ({"SEARCHAPP_UI_LANG": "de"}, "invalid value")],
)
def test_bad_values_are_refused_in_words(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(AppError) as info:
        load_settings(environ=env)
    assert fragment in info.value.message


# ---- The README's and docs' commands and settings stay true ------------------------------------------------------
#
# Every command a document shows (in a code block or an inline code span) is run with --help: the console script
# `searchapp` and its subcommand, `python -m` for a module of ours, `python scripts/X.py`; each option the document
# gives it must be in that help. The README's settings table must list exactly the settings of
# searchapp/settings.py with their defaults, and any other SEARCHAPP_* a document names must exist in the code.

DOCUMENTS = ("README.md", "CONTRIBUTING.md", "docs/*.md")
OURS = ("searchapp", "bench", "crawler", "index")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"`((?:[^`\n]|\n(?!\s*\n))+)`")  # a code span may wrap onto the next line, not past a blank one
_SETTING_ROW = re.compile(r"^\|\s*`(SEARCHAPP_[A-Z0-9_]+)`\s*\|\s*`([^`]*)`\s*\|", re.M)
_SETTING_NAME = re.compile(r"SEARCHAPP_[A-Z0-9_]+")
_ROUTE = re.compile(r"(?:https?://[^/\s'\"`]+)?(/(?:api|feeds)/[^\s'\"`?)\],]*|/opensearch\.xml)")


@dataclass(frozen=True, slots=True)
class Shown:
    """One command a document shows: the program to run, its subcommand (if any), the options given to it."""

    where: str
    program: tuple[str, ...]  # ("searchapp",) or ("python", "-m", "bench.run") or ("python", "scripts/x.py")
    words: tuple[str, ...]  # what follows the program, options and placeholders included


def documents(root: Path = ROOT) -> dict[str, str]:
    found = {}
    for pattern in DOCUMENTS:
        for path in sorted(root.glob(pattern)):
            found[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return found


def _snippets(text: str) -> list[str]:
    """Code blocks, one logical line each (a trailing backslash joins lines), then inline code spans."""
    out: list[str] = []
    for block in _FENCE.findall(text):
        out.extend(line for line in block.replace("\\\n", " ").splitlines() if line.strip())
    outside = _FENCE.sub("", text)
    out.extend(span.replace("\n", " ") for span in _SPAN.findall(outside))
    return out


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line.replace("[", " ").replace("]", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote inside a prose span: take the words as they stand
        return line.split()


def shown_commands(where: str, text: str) -> list[Shown]:
    shown = []
    for line in _snippets(text):
        segment: list[str] = []
        for token in [*_tokens(line), ";"]:
            if token and set(token) <= set("();<>|&"):
                shown.extend(_command_in(where, segment))
                segment = []
            else:
                segment.append(token)
    return shown


_WRAPPERS = re.compile(r"nohup|nice|-n|\d+|(/usr/bin/)?time|-v|sudo|env|exec|[A-Z_]+=\S*")


def _command_in(where: str, segment: list[str]) -> list[Shown]:
    """The command a shell segment runs, past wrappers (nohup, nice -n 10, time -v, VAR=value, ExecStart=)."""
    words = list(segment)
    if words and words[0].startswith("ExecStart="):
        words[0] = words[0].removeprefix("ExecStart=")
    while words and _WRAPPERS.fullmatch(words[0]):
        words.pop(0)
    if not words:
        return []
    name, rest = words[0].rsplit("/", 1)[-1], tuple(words[1:])
    if name == "searchapp":
        return [Shown(where, ("searchapp",), rest)]
    if re.fullmatch(r"python(3(\.\d+)?)?", name) and rest:
        if rest[0] == "-m" and len(rest) >= 2 and rest[1].split(".")[0] in OURS:
            return [Shown(where, ("python", "-m", rest[1]), rest[2:])]
        if rest[0].startswith("scripts/") and rest[0].endswith(".py"):
            return [Shown(where, ("python", rest[0]), rest[1:])]
    return []


def _argv(program: tuple[str, ...]) -> list[str]:
    if program == ("searchapp",):
        return [sys.executable, "-m", "searchapp.cli"]
    return [sys.executable, *program[1:]]


def _help(program: tuple[str, ...], sub: str | None, root: Path) -> str | None:
    """The help text of program (and subcommand), or None when it does not answer --help with a usage."""
    argv = [*_argv(program), *([sub] if sub else []), "--help"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=root)
    first = done.stdout.lstrip().splitlines()[0] if done.stdout.strip() else ""
    if done.returncode != 0 or not first.startswith("usage:"):
        return None
    if sub and not re.search(rf"\s{re.escape(sub)}(\s|$)", first):
        return ""  # the program has no such subcommand: the word was an argument
    return done.stdout


def check_commands(shown: Iterable[Shown], root: Path = ROOT) -> list[str]:
    """What is wrong with the commands shown: unknown programs, subcommands and options, in words."""
    problems: list[str] = []
    helps: dict[tuple[tuple[str, ...], str | None], str | None] = {}

    def help_of(program: tuple[str, ...], sub: str | None) -> str | None:
        if (program, sub) not in helps:
            helps[(program, sub)] = _help(program, sub, root)
        return helps[(program, sub)]

    for item in shown:
        label = " ".join((*item.program, *item.words))
        if help_of(item.program, None) is None:
            problems.append(f"{item.where}: `{label}`: {' '.join(item.program)} does not answer --help")
            continue
        positionals = [w for w in item.words if not w.startswith("-")]
        sub = positionals[0] if positionals and re.fullmatch(r"_?[a-z][a-z0-9_-]*", positionals[0]) else None
        text = help_of(item.program, sub) if sub else None
        if sub and item.program == ("searchapp",) and not text:
            problems.append(f"{item.where}: `{label}`: searchapp has no command {sub!r}")
            continue
        if not text:
            sub, text = None, help_of(item.program, None)
        if item.program == ("searchapp",) and sub == "bench":
            continue  # its options are those of `python -m bench`, checked where the docs show that
        for word in item.words:
            option = word.split("=", 1)[0]
            if option.startswith("--") and len(option) > 2 and not re.search(rf"{re.escape(option)}\b", text or ""):
                where = " ".join((*item.program, *([sub] if sub else [])))
                problems.append(f"{item.where}: `{label}`: {where} has no option {option}")
    return problems


def check_settings(texts: dict[str, str], root: Path = ROOT) -> list[str]:
    """The README's settings table against searchapp/settings.py, and every other SEARCHAPP_* name shown."""
    problems: list[str] = []
    table = dict(_SETTING_ROW.findall(texts.get("README.md", "")))
    declared = {s.env: s for s in SETTINGS}
    for env, setting in declared.items():
        if env not in table:
            problems.append(f"README.md: setting {env} is missing from the settings table")
        elif table[env] != str(setting.default):
            problems.append(f"README.md: {env} documented with default {table[env]!r}, is {setting.default!r}")
    problems += [
        f"README.md: the settings table lists {env}, which settings.py lacks" for env in table.keys() - declared.keys()
    ]
    # the engine's settings live in index/config.py (the index package reads them): each is named in the README
    engine_settings = {n for n in _SETTING_NAME.findall((root / "index" / "config.py").read_text()) if n[-1] != "_"}
    readme_names = set(_SETTING_NAME.findall(texts.get("README.md", "")))
    problems += [f"README.md: engine setting {env} is not documented" for env in sorted(engine_settings - readme_names)]
    in_code: set[str] = set()
    for path in [*root.glob("*/**/*.py"), *root.glob(".ci/*")]:
        if ".venv" not in path.parts and path.is_file():
            in_code.update(_SETTING_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    for where, text in texts.items():
        for name in sorted(set(_SETTING_NAME.findall(text)) - in_code - declared.keys()):
            problems.append(f"{where}: names {name}, which nothing in the code reads")
    return problems


def check_routes(texts: dict[str, str], app: Flask) -> list[str]:
    """Every API or feed path the documents show (`/api/...`, `/feeds/...`) is a route of the app."""
    adapter = app.url_map.bind("localhost")
    problems = []
    for where, text in texts.items():
        for snippet in _snippets(text):
            for path in _ROUTE.findall(snippet):
                concrete = re.sub(r"<[^>]+>|\{[^}]+\}", "x", path.rstrip("."))
                try:
                    adapter.match(concrete, method="GET")
                except MethodNotAllowed:
                    pass  # a POST or DELETE route: it exists
                except NotFound:
                    problems.append(f"{where}: the app has no route {path}")
    return problems


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def check_links(texts: dict[str, str], root: Path = ROOT) -> list[str]:
    """Every relative link between the documents reaches a file, and its #anchor a heading of that file."""
    problems = []
    for where, text in texts.items():
        for target in _LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # an absolute URL
            path, _, fragment = target.partition("#")
            file = (root / where).parent / path if path else root / where
            if not file.exists():
                problems.append(f"{where}: link to {target}: no such file")
            elif fragment and file.suffix == ".md":
                headings = {anchor(h) for h in _HEADING.findall(_FENCE.sub("", file.read_text(encoding="utf-8")))}
                if fragment not in headings:
                    problems.append(f"{where}: link to {target}: no such heading")
    return problems


def test_the_docs_links_reach_their_files_and_headings() -> None:
    assert check_links(documents()) == []
    bogus = {"README.md": "[a](docs/quality.md#no-such-part) [b](docs/nothing.md) [c](docs/quality.md#retrieval)"}
    assert check_links(bogus) == [
        "README.md: link to docs/quality.md#no-such-part: no such heading",
        "README.md: link to docs/nothing.md: no such file",
    ]


def test_the_docs_show_only_routes_that_exist(app: Flask) -> None:
    assert check_routes(documents(), app) == []
    assert check_routes({"doc.md": "`curl http://127.0.0.1:8080/api/no-such-thing?q=1`"}, app) == [
        "doc.md: the app has no route /api/no-such-thing"
    ]


def test_the_docs_show_only_commands_that_exist_with_their_options() -> None:
    shown = [item for where, text in documents().items() for item in shown_commands(where, text)]
    assert len({item.program for item in shown}) >= 5, "the checker found too few commands: is it reading the docs?"
    assert check_commands(shown) == []


def test_every_setting_is_documented_with_its_default_and_every_documented_one_exists() -> None:
    texts = documents()
    assert set(texts) >= {"README.md", "CONTRIBUTING.md"}
    assert check_settings(texts) == []


def test_the_checkers_fail_on_a_bogus_command_option_module_or_setting() -> None:
    doc = (
        "Run `searchapp frobnicate --now` or `searchapp search 'x' --region KZ-55 --colour red`.\n\n"
        "```\npython -m bench.no_such_module --n 3\nnohup python -m bench run --n 10 --speed > log 2>&1 &\n```\n"
        "| `SEARCHAPP_NO_SUCH` | `1` | not a setting |\n| `SEARCHAPP_PORT` | `80` | wrong default |\n"
    )
    shown = shown_commands("doc.md", doc)
    assert [(s.program, s.words[:1]) for s in shown] == [
        (("python", "-m", "bench.no_such_module"), ("--n",)),
        (("python", "-m", "bench"), ("run",)),
        (("searchapp",), ("frobnicate",)),
        (("searchapp",), ("search",)),
    ]
    problems = check_commands(shown)
    assert problems == [
        "doc.md: `python -m bench.no_such_module --n 3`: python -m bench.no_such_module does not answer --help",
        "doc.md: `python -m bench run --n 10 --speed`: python -m bench run has no option --speed",
        "doc.md: `searchapp frobnicate --now`: searchapp has no command 'frobnicate'",
        "doc.md: `searchapp search x --region KZ-55 --colour red`: searchapp search has no option --colour",
    ]
    settings_problems = check_settings({"README.md": doc})
    assert "README.md: the settings table lists SEARCHAPP_NO_SUCH, which settings.py lacks" in settings_problems
    assert "README.md: SEARCHAPP_PORT documented with default '80', is 8080" in settings_problems
    assert "README.md: setting SEARCHAPP_DATA is missing from the settings table" in settings_problems
    assert "README.md: engine setting SEARCHAPP_OPENSEARCH_URL is not documented" in settings_problems

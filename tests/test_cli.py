"""The console script: every command of the contract exists, has complete help, and fails in words."""

from __future__ import annotations

import subprocess
import sys

import pytest

from searchapp.cli import build_parser, main

COMMANDS = ["demo", "crawl", "reindex", "serve", "search", "watch", "extract", "analyze", "bench"]


def test_every_contract_command_is_listed() -> None:
    parser = build_parser()
    help_text = parser.format_help()
    for command in COMMANDS:
        assert command in help_text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_data_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"searchapp {command}" in out
    assert "--data DIR" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run([sys.executable, "-m", "searchapp.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "Kazakhstan" in done.stdout

"""One settings table: defaults, environment overrides, validation, and every setting documented."""

from __future__ import annotations

import pytest

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


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert missing == []

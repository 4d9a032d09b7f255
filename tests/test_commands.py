"""Training's commands reach `deepcatcher` by entry point, and only where training is installed."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from services.cli import app
from services.commands import GROUP, add_registered

TRAINING_COMMANDS = {"train", "calibrate", "evaluate", "export", "data", "semantic"}
OWN = {"serve", "worker"}


def _commands(entries: list[EntryPoint]) -> set[str]:
    target = typer.Typer()
    for name in OWN:  # two, so that the app is a group even when nothing is added
        target.command(name)(lambda: None)
    add_registered(app=target, entries=entries)
    return set(get_command(target).commands)  # type: ignore[attr-defined]


def _entry(value: str) -> EntryPoint:
    return EntryPoint(name="training", value=value, group=GROUP)


def test_the_training_entry_point_adds_every_training_command() -> None:
    assert _commands([_entry("training.commands:register")]) == OWN | TRAINING_COMMANDS


def test_an_entry_point_whose_package_is_not_installed_is_left_out() -> None:
    assert _commands([_entry("training_not_installed.commands:register")]) == OWN


def test_an_installed_package_that_fails_to_import_still_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "half_installed"
    package.mkdir()
    (package / "__init__.py").write_text("import a_dependency_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_missing"):
        _commands([_entry("half_installed.commands:register")])


@pytest.mark.parametrize("command", [["train"], ["data", "build"], ["semantic", "train"]])
def test_deepcatcher_offers_training_commands_where_training_is_installed(
    command: list[str],
) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output

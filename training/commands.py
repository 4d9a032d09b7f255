"""Training's commands, which `deepcatcher` adds through the `deepcatcher.commands` entry point."""

from __future__ import annotations

import typer

from training.cli import app as training_app
from training.semantic.cli import data_app, semantic_app


def register(*, app: typer.Typer) -> None:
    """Add `train`, `calibrate`, `evaluate`, `export`, `data …` and `semantic …` to `app`."""
    app.add_typer(training_app)
    app.add_typer(data_app, name="data")
    app.add_typer(semantic_app, name="semantic")

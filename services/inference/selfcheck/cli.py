"""`deepcatcher self-check`: the service's known-answer check at start, from the command line."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from services.inference.selfcheck.schemas import SelfCheck, SelfCheckOutcome


def self_check(
    card: Annotated[
        Path | None, typer.Option(help="The fusion card (default: the service's setting).")
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="The low-level model (default: the service's setting).")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Record this machine's figures in the card.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the outcome and the figures as JSON.")
    ] = False,
) -> None:
    """Run the reference inputs through every view and the fusion, as the service does at start,
    and compare with the card; exit 1 when they differ beyond its tolerances."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's banner off the output
    from services.inference.config import InferenceSettings
    from services.inference.selfcheck.local import checked_at_start, write_self_check

    overrides: dict[str, Any] = {"warmup": False}
    overrides |= {"fusion_card_path": card} if card else {}
    overrides |= {"model_path": model} if model else {}
    settings = InferenceSettings(**overrides)
    outcome = asyncio.run(checked_at_start(settings=settings))
    typer.echo(_as_json(outcome) if as_json else _as_text(outcome))
    if write:
        if outcome.measured is None or settings.fusion_card_path is None:
            typer.echo("error: nothing measured to record", err=True)
            raise typer.Exit(1)
        write_self_check(path=settings.fusion_card_path, measured=outcome.measured)
        typer.echo(f"recorded in {settings.fusion_card_path}", err=True)
    elif outcome.status == "failed":
        raise typer.Exit(1)


def _as_json(outcome: SelfCheckOutcome) -> str:
    measured = outcome.measured.model_dump(mode="json") if outcome.measured else None
    return json.dumps({"outcome": outcome.model_dump(mode="json"), "measured": measured}, indent=2)


def _as_text(outcome: SelfCheckOutcome) -> str:
    lines = [f"self-check: {outcome.status}"]
    if outcome.measured is not None and not outcome.checks:
        lines += _figure_lines(outcome.measured)
    lines += [
        f"  {check.input:<9} {check.view:<9} {check.figure:<38} {check.measured:8.4f}  "
        f"card {check.expected:8.4f}  {check.tolerance:<16} {'ok' if check.passed else 'FAIL'}"
        for check in outcome.checks
    ]
    lines += [f"not compared: {reason}" for reason in dict.fromkeys(outcome.not_checked)]
    if outcome.machine is not None:
        lines.append(f"this machine: {outcome.machine.summary()}")
    if outcome.recorded_on is not None:
        lines.append(f"card recorded on: {outcome.recorded_on.summary()}")
    return "\n".join([*lines, outcome.detail])


def _figure_lines(measured: SelfCheck) -> list[str]:
    lines = []
    for figures in measured.inputs:
        scores = ", ".join(f"{name} {view.score:.4f}" for name, view in figures.views.items())
        lines.append(f"  {figures.input.name:<9} measured: {scores}, fused {figures.fused:.4f}")
    return lines

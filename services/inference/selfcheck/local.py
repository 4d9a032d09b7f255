"""The self-check in this process, for the command line: the service's runtime, opened once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.inference.config import InferenceSettings
from services.inference.detectors.fusion import FusionCard
from services.inference.metrics import InferenceMetrics
from services.inference.runtime import open_runtime
from services.inference.selfcheck.schemas import SelfCheck, SelfCheckOutcome


async def checked_at_start(*, settings: InferenceSettings) -> SelfCheckOutcome:
    """Open the runtime as the service does and return its self-check's outcome."""
    async with open_runtime(
        settings=settings, metrics=InferenceMetrics(), warm_in_background=False
    ) as runtime:
        return runtime.self_check


def write_self_check(*, path: Path, measured: SelfCheck) -> None:
    """Record figures in an existing fusion card; every other field is written back unchanged."""
    card = FusionCard.read(path).model_copy(update={"self_check": measured})
    path.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")


def record_self_check(*, card_path: Path, model_path: Path) -> FusionCard:
    """Measure a freshly written card with its low-level model, as the service will at start,
    and record the figures in it (what `deepcatcher semantic train` does last)."""
    settings = InferenceSettings(
        environment="development",
        model_path=model_path,
        model_backend="keras",
        fusion_card_path=card_path,
        warmup=False,
    )
    outcome = asyncio.run(checked_at_start(settings=settings))
    if outcome.measured is None:
        raise RuntimeError(outcome.detail)
    write_self_check(path=card_path, measured=outcome.measured)
    return FusionCard.read(card_path)

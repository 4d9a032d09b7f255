"""`GET /v1/models`: what is loaded."""

from __future__ import annotations

from fastapi import APIRouter

from services.common.problems import problem_responses
from services.inference.deps import RuntimeDep
from services.inference.detectors.lowlevel.schemas import ModelInfo, ModelList

router = APIRouter(prefix="/v1", tags=["models"])


@router.get(
    "/models",
    summary="The loaded model",
    description="Name, version (sha256 of the file), input, calibration, thresholds and metrics.",
    responses=problem_responses(503),
)
async def list_models(runtime: RuntimeDep) -> ModelList:
    """Describe the loaded model."""
    loaded, card = runtime.loaded, runtime.loaded.card
    info = ModelInfo(
        name=card.name,
        version=loaded.version,
        file=loaded.path.name,
        format=loaded.format,
        created=card.created,
        input=card.input,
        calibration=card.calibration,
        thresholds=card.thresholds,
        metrics=card.metrics,
        intended_use=card.intended_use,
        limitations=card.limitations,
        backend=loaded.device.backend,
        device=loaded.device.name,
        precision=loaded.precision,
        load_seconds=round(loaded.load_seconds, 3),
        ready=runtime.ready,
    )
    return ModelList(models=[info])

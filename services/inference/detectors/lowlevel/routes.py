"""`GET /v1/models`: what is loaded."""

from __future__ import annotations

from fastapi import APIRouter

from services.common.problems import problem_responses
from services.inference.deps import RuntimeDep
from services.inference.detectors.lowlevel.schemas import DetectorInfo, ModelInfo, ModelList
from services.inference.predictions.fusion import FusedDetector, served_version

# The card's figures people need: the held-out test, per group, false accusations per kind of
# real image with their intervals, and leave-one-family-out.
MEASURED = ("test", "test_groups", "false_accusations", "real_kinds", "leave_one_family_out")

router = APIRouter(prefix="/v1", tags=["models"])


@router.get(
    "/models",
    summary="The loaded model",
    description=(
        "Name, version (sha256 of the file), input, calibration, thresholds and metrics of the "
        "low-level model, the fused detector that sets the verdict, and the self-check's "
        "figures from this start."
    ),
    responses=problem_responses(503),
)
async def list_models(runtime: RuntimeDep) -> ModelList:
    """Describe the loaded model."""
    loaded, card = runtime.loaded, runtime.loaded.card
    info = ModelInfo(
        name=card.name,
        version=served_version(model_sha256=loaded.version, fused=runtime.pipeline.fused),
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
        detector=_detector(runtime.pipeline.fused),
        self_check=runtime.self_check,
    )
    return ModelList(models=[info])


def _detector(fused: FusedDetector | None) -> DetectorInfo | None:
    if fused is None:
        return None
    card = fused.card
    return DetectorInfo(
        name=card.name,
        created=card.created,
        views=list(card.weights),
        weights=card.weights,
        thresholds=card.thresholds,
        semantic_backbone=card.semantic.backbone,
        semantic_thresholds=card.semantic.thresholds,
        measured={key: card.metrics[key] for key in MEASURED if key in card.metrics},
        limitations=card.limitations,
    )

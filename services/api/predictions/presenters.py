"""Turning stored predictions and fresh results into what the API answers."""

from __future__ import annotations

from services.api.db.base import utcnow
from services.api.predictions.models import Prediction
from services.api.predictions.schemas import (
    ImageOut,
    PredictionItem,
    PredictionOut,
    PredictionSummary,
)
from services.api.predictions.uploads import CheckedUpload
from services.common.contract import InferenceResult, ModelRef, Signal
from services.common.problems import ProblemError


def result_of(prediction: Prediction) -> InferenceResult:
    """A stored prediction as the detector's answer, to reuse it."""
    image = prediction.image
    return InferenceResult.model_validate(
        {
            "verdict": prediction.verdict,
            "score": prediction.score,
            "model": {"name": prediction.model_name, "version": prediction.model_version},
            "signals": prediction.signals,
            "decided_by": prediction.decided_by,
            "fingerprints": prediction.fingerprints,
            "image": {
                "width": image.width,
                "height": image.height,
                "format": prediction.image_format,
            },
        }
    )


def item_of(upload: CheckedUpload) -> PredictionItem:
    """One upload's entry in the answer: its result or its error."""
    if upload.error is not None or upload.result is None:
        error = upload.error or ProblemError("No result.")
        return PredictionItem(
            index=upload.index, filename=upload.filename, status="error", error=error.to_problem()
        )
    return PredictionItem(
        index=upload.index,
        filename=upload.filename,
        status="ok",
        prediction=unsaved_out(upload),
    )


def unsaved_out(upload: CheckedUpload) -> PredictionOut:
    """A fresh result that is not (yet) saved."""
    assert upload.result is not None and upload.facts is not None
    result = upload.result
    return PredictionOut(
        id=None,
        created_at=utcnow(),
        filename=upload.filename,
        verdict=result.verdict,
        score=result.score,
        model=result.model,
        signals=result.signals,
        decided_by=result.decided_by,
        image=ImageOut(
            sha256=upload.sha256,
            mime_type=upload.facts.mime_type,
            width=upload.facts.width,
            height=upload.facts.height,
            byte_size=len(upload.data),
        ),
        latency_ms=upload.latency_ms,
        reused=upload.reused,
        source=upload.source,
    )


def summary_out(prediction: Prediction) -> PredictionSummary:
    """A stored prediction as listed in history."""
    return PredictionSummary.model_validate(_out_fields(prediction))


def prediction_out(prediction: Prediction) -> PredictionOut:
    """A stored prediction with its evidence."""
    fields = _out_fields(prediction)
    fields["signals"] = [Signal.model_validate(signal) for signal in prediction.signals]
    return PredictionOut.model_validate(fields)


def _out_fields(prediction: Prediction) -> dict[str, object]:
    image = prediction.image
    return {
        "id": prediction.id,
        "created_at": prediction.created_at,
        "filename": prediction.filename,
        "verdict": prediction.verdict,
        "score": prediction.score,
        "model": ModelRef(name=prediction.model_name, version=prediction.model_version),
        "image": ImageOut(
            sha256=image.sha256,
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
        ),
        "latency_ms": prediction.latency_ms,
        "reused": prediction.reused,
        "decided_by": prediction.decided_by,
        "image_url": f"/v1/predictions/{prediction.id}/image",
        "source": prediction.source,
    }

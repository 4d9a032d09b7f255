"""The prediction answers: the shared contract plus this service's optional extras."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.contract import InferenceResult
from services.common.problems import Problem


class Explanation(BaseModel):
    """Where the model's evidence lies, drawn over a thumbnail of the image."""

    method: Literal["crop-score-map"] = "crop-score-map"
    description: str = Field(
        default=(
            "Each scored crop is tinted by its calibrated score, green (real) to red (generated); "
            "untinted areas were not scored."
        )
    )
    width: int
    height: int
    heatmap_png_base64: str


class Prediction(InferenceResult):
    """One image's verdict with every signal's evidence (`POST /v1/predict`)."""

    decided_by: Literal["provenance", "model"] = Field(
        description="Which rule set the verdict: a generator's own provenance claim, or the model."
    )
    explanation: Explanation | None = Field(default=None, description="Only with ?explain=true.")


class BatchItem(BaseModel):
    """One file of a batch: its result or its problem, never both."""

    filename: str
    result: Prediction | None = None
    problem: Problem | None = None


class BatchPrediction(BaseModel):
    """The answers to `POST /v1/predict/batch`, in the order the files were sent."""

    results: list[BatchItem]

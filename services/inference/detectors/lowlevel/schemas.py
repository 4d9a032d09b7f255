"""What `GET /v1/models` reports about the loaded model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.lowlevel.card import InputSpec
from services.inference.detectors.semantic.backbone import BackboneIdentity
from services.inference.selfcheck.schemas import SelfCheckOutcome


class DetectorInfo(BaseModel):
    """The fused detector that decides verdicts: its views, weights, thresholds, measurements."""

    name: str
    created: datetime
    views: list[str] = Field(description="The scoring views the fusion weighs.")
    weights: dict[str, float]
    thresholds: Thresholds
    semantic_backbone: BackboneIdentity
    semantic_thresholds: Thresholds
    measured: dict[str, Any] = Field(
        description="Held-out test and leave-one-generator-family-out figures from its card."
    )
    limitations: list[str] = Field(default_factory=list)


class ModelInfo(BaseModel):
    """The model being served: its card, the file's hash, and where it runs."""

    name: str
    version: str = Field(
        description=(
            "`model.version` in every answer: the model file's sha256, or with a fusion card "
            "the sha256 of both files' hashes."
        )
    )
    file: str
    format: str
    created: datetime
    input: InputSpec
    calibration: Calibration
    thresholds: Thresholds
    metrics: dict[str, Any]
    intended_use: str
    limitations: list[str]
    backend: str
    device: str
    precision: str
    load_seconds: float
    ready: bool
    detector: DetectorInfo | None = Field(
        default=None, description="The fused detector, when one is loaded; it sets the verdict."
    )
    self_check: SelfCheckOutcome = Field(
        description=(
            "The known-answer check at start: each view's figures here beside the fusion card's. "
            "While it has not passed (or found nothing recorded), no verdict is given."
        )
    )


class ModelList(BaseModel):
    """The models this service serves (one)."""

    models: list[ModelInfo]

"""What `GET /v1/models` reports about the loaded model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.inference.detectors.lowlevel.card import Calibration, InputSpec, Thresholds


class ModelInfo(BaseModel):
    """The model being served: its card, the file's hash, and where it runs."""

    name: str
    version: str = Field(description="sha256 of the model file; `model.version` in every answer.")
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


class ModelList(BaseModel):
    """The models this service serves (one)."""

    models: list[ModelInfo]

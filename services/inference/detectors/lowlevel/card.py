"""The model card: the JSON file beside every model that says how to use and trust it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.inference.detectors.calibration import Calibration, Thresholds

CARD_SUFFIX = ".card.json"


class InputSpec(BaseModel):
    """What the model takes: square native-resolution RGB crops, values 0-255 as float32."""

    crop_size: int = Field(ge=16, le=1024)
    channels: Literal[3] = 3
    value_range: tuple[float, float] = (0.0, 255.0)
    max_crops: int = Field(default=16, ge=1, le=256)
    aggregation: Literal["mean_logit"] = "mean_logit"
    preprocessing: str = "none outside the model; crops are taken at native resolution"


class ModelCard(BaseModel):
    """Everything the inference service and people need to know about one model file."""

    name: str
    file: str = Field(description="The model file's name, beside the card.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    created: datetime
    input: InputSpec
    calibration: Calibration
    thresholds: Thresholds
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    intended_use: str = ""
    limitations: list[str] = Field(default_factory=list)


def card_path_for(model_path: Path) -> Path:
    """The card that belongs to a model file or SavedModel directory."""
    return model_path.with_name(model_path.name.split(".")[0] + CARD_SUFFIX)


def sha256_of(path: Path) -> str:
    """The sha256 of a model file, or of every file of a SavedModel directory in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()

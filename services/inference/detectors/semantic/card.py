"""The semantic head's card: which backbone, which features, the head's weights, calibration."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.semantic.backbone import BackboneIdentity


class LinearHead(BaseModel):
    """A standardised linear probe: logit = ((x - mean) / scale) . coef + intercept."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def logits(self, features: np.ndarray) -> np.ndarray:
        """One raw logit per feature row."""
        standardised = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(standardised @ np.asarray(self.coef) + self.intercept)


class SemanticCard(BaseModel):
    """Everything needed to turn an image into the semantic view's calibrated score."""

    name: str = "deepcatcher-semantic"
    backbone: BackboneIdentity = Field(default_factory=BackboneIdentity)
    views: list[str] = Field(description="Which views of the image are embedded and averaged.")
    feature: str = Field(description="Which backbone output the head reads.")
    head: LinearHead
    calibration: Calibration
    thresholds: Thresholds
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)

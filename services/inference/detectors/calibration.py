"""How every view's raw logits become calibrated scores, and the band a score is judged by."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator


class Calibration(BaseModel):
    """How raw model logits become calibrated probabilities: p = sigmoid(logit / temperature)."""

    method: Literal["temperature"] = "temperature"
    temperature: float = Field(gt=0.0)


class Thresholds(BaseModel):
    """The uncertain band: below `real_below` is real, above `fake_above` is fake."""

    real_below: float = Field(ge=0.0, le=1.0)
    fake_above: float = Field(ge=0.0, le=1.0)
    target: str = Field(default="", description="The rule the thresholds were chosen by.")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.real_below > self.fake_above:
            raise ValueError("real_below must not exceed fake_above")
        return self


def calibrated(logits: np.ndarray | float, *, temperature: float) -> np.ndarray:
    """Temperature-scaled sigmoid of raw logits: the card's calibration, never a raw softmax."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * scaled)))  # sigmoid without overflow

"""The fusion card and its formula: what training fits and serving applies.

p = sigmoid(bias + sum over views of weight[view] * logit[view] / temperature[view]): each
view's temperature-scaled logit, weighted. The weights come from a logistic regression fitted
on the validation split's images, under every robustness condition, after each view was
calibrated on its own; the thresholds come from the same split.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from services.inference.detectors.calibration import Thresholds
from services.inference.detectors.semantic.card import SemanticCard
from services.inference.selfcheck.schemas import SelfCheck


class SmallImages(BaseModel):
    """The fusion and band for images too small for the ordinary ones, fitted on validation's
    small images alone."""

    long_side_below: int = Field(description="Images whose long side is under this take it.")
    weights: dict[str, float]
    bias: float
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class FusionPath:
    """The weights, bias and band that one image is fused and judged by."""

    weights: dict[str, float]
    bias: float
    thresholds: Thresholds
    small: bool


class FusionCard(BaseModel):
    """The fused detector: the semantic view's card, the fusion's weights and its thresholds."""

    name: str = "deepcatcher-fusion"
    created: datetime
    semantic: SemanticCard
    weights: dict[str, float] = Field(description="Per view, the weight of its scaled logit.")
    temperatures: dict[str, float] = Field(description="Per view, its own temperature.")
    bias: float
    thresholds: Thresholds
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    limitations: list[str] = Field(default_factory=list)
    self_check: SelfCheck | None = Field(
        default=None, description="Known answers for reference inputs, checked at every start."
    )

    small_images: SmallImages | None = Field(
        default=None, description="Where set, small images are fused and judged apart."
    )

    @classmethod
    def read(cls, path: Path) -> FusionCard:
        """The card stored at `path`."""
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def view_names(self) -> list[str]:
        """Every view the card names, in its order: each has a temperature, and those it weighs
        a weight (a view at weight 0 or without one is shown as evidence, not fused)."""
        small = self.small_images.weights if self.small_images else {}
        return list(dict.fromkeys([*self.temperatures, *self.weights, *small]))

    def path(self, *, long_side: int) -> FusionPath:
        """The fusion an image of this long side takes."""
        small = self.small_images
        if small is not None and long_side < small.long_side_below:
            return FusionPath(small.weights, small.bias, small.thresholds, small=True)
        return FusionPath(self.weights, self.bias, self.thresholds, small=False)


def fused_logits(
    *, scaled: Mapping[str, np.ndarray | float], weights: dict[str, float], bias: float
) -> np.ndarray:
    """bias + sum of weight * scaled logit over the weighted views: the one formula training
    fits and serving applies, for one image or many."""
    total = np.asarray(bias, dtype=np.float64)
    for name, weight in weights.items():
        total = total + weight * np.asarray(scaled[name], dtype=np.float64)
    return total

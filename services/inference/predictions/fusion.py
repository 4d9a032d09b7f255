"""The stacked combination of the scoring views, fitted on validation data only.

p = sigmoid(bias + sum over views of weight[view] * logit[view] / temperature[view]): each
view's temperature-scaled logit, weighted. The weights come from a logistic regression fitted
on the validation split's images, under every robustness condition, after each view was
calibrated on its own; the thresholds come from the same split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from services.common.contract import Signal
from services.inference.detectors.base import ScoringView, ViewScore
from services.inference.detectors.lowlevel.card import Thresholds
from services.inference.detectors.lowlevel.runner import calibrated
from services.inference.detectors.semantic.backbone import Numerics, open_tower
from services.inference.detectors.semantic.card import SemanticCard
from services.inference.detectors.semantic.detector import SemanticDetector
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


def fused_score(*, views: list[ViewScore], card: FusionCard, path: FusionPath) -> float:
    """The calibrated probability that the image is AI-made, from every view the path weighs."""
    scaled = {view.name: view.logit / card.temperatures[view.name] for view in views}
    logit = fused_logits(scaled=scaled, weights=path.weights, bias=path.bias)
    return float(calibrated(logit, temperature=1.0))


@dataclass(frozen=True, slots=True)
class FusedDetector:
    """The fusion card with the views it weighs beside the low-level one, loaded and verified."""

    card: FusionCard
    views: tuple[ScoringView, ...]
    sha256: str

    @classmethod
    def open(
        cls,
        *,
        path: Path,
        threads: int,
        numerics: Numerics | None = None,
        cache_dir: Path = Path("var/cache"),
    ) -> FusedDetector:
        """Read the card and open the backbone it names (checked by sha256), with the numerics
        its head was trained on unless `numerics` overrides them."""
        card = FusionCard.read(path)
        tower = open_tower(
            identity=card.semantic.backbone, threads=threads, numerics=numerics, cache_dir=cache_dir
        )
        views = (SemanticDetector(card=card.semantic, tower=tower),)
        return cls(card=card, views=views, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def served_version(*, model_sha256: str, fused: FusedDetector | None) -> str:
    """What `model.version` says: the model file's sha256, or, with a fusion card, the sha256
    of both hashes, so that a new card (or head) is a new version and old results are not
    reused for it."""
    if fused is None:
        return model_sha256
    return hashlib.sha256(f"{model_sha256}+{fused.sha256}".encode()).hexdigest()


VIEW_WORDS = {"semantic": "the semantic view", "lowlevel": "the low-level view"}


def detector_signal(
    *, score: float, views: list[ViewScore], card: FusionCard, path: FusionPath
) -> Signal:
    """The fused score that the verdict reads, with each view's share of it."""
    thresholds = path.thresholds
    named = ", ".join(f"{VIEW_WORDS.get(v.name, v.name)} {v.score:.2f}" for v in views)
    small = " Judged as a small image, by the fusion fitted on small images." if path.small else ""
    return Signal(
        name="detector",
        score=round(score, 4),
        summary=(
            f"All views together score {score:.2f} ({named}); real below "
            f"{thresholds.real_below:.2f}, generated above {thresholds.fake_above:.2f}.{small}"
        ),
        evidence={
            "views": {v.name: round(v.score, 4) for v in views},
            "weights": path.weights,
            "bias": path.bias,
            "small_image": path.small,
            "thresholds": thresholds.model_dump(),
            "measured": card.metrics.get("summary", {}),
        },
    )

"""The semantic signal: the CLIP view's calibrated score, what it looked at, and its card."""

from __future__ import annotations

from services.common.contract import Signal
from services.inference.detectors.base import ViewScore
from services.inference.detectors.semantic.card import SemanticCard


def semantic_signal(*, view: ViewScore, card: SemanticCard) -> Signal:
    """The semantic view's own calibrated score with its thresholds and backbone."""
    thresholds = card.thresholds
    return Signal(
        name="semantic",
        score=round(view.score, 4),
        summary=(
            f"A pretrained CLIP image model with our trained head scores the whole picture "
            f"{view.score:.2f} (real below {thresholds.real_below:.2f}, generated above "
            f"{thresholds.fake_above:.2f})."
        ),
        evidence={
            "views": view.parts,
            "mean_logit": round(view.logit, 4),
            "temperature": card.calibration.temperature,
            "thresholds": thresholds.model_dump(),
            "feature": card.feature,
            "backbone": card.backbone.model_dump(),
        },
    )

"""The semantic signal: the CLIP view's calibrated score, what it looked at, and its card."""

from __future__ import annotations

from services.common.contract import SIGNAL_SEMANTIC, Signal
from services.inference.detectors.base import ViewScore
from services.inference.detectors.semantic.card import SemanticCard


def semantic_signal(*, view: ViewScore, card: SemanticCard) -> Signal:
    """The semantic view's own calibrated score with its thresholds and backbone."""
    thresholds = card.thresholds
    return Signal(
        name=SIGNAL_SEMANTIC,
        score=round(view.score, 4),
        summary=(
            f"A pretrained CLIP image model with our trained head scores {_looked_at(card)} "
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


VIEW_WORDS = {
    "whole": "the whole picture",
    "native": "its centre at full resolution",
    "native_top_left": "its top-left corner at full resolution",
    "native_bottom_right": "its bottom-right corner at full resolution",
}


def _looked_at(card: SemanticCard) -> str:
    words = [VIEW_WORDS.get(name, name) for name in card.views]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return listed if len(words) == 1 else f"{listed} (on average)"

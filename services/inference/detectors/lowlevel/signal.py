"""The model signal: the detector's calibrated score and its per-crop score map."""

from __future__ import annotations

import numpy as np

from services.common.contract import SIGNAL_LOWLEVEL, Signal
from services.inference.detectors.calibration import calibrated
from services.inference.detectors.crops import CropGrid
from services.inference.detectors.lowlevel.card import ModelCard


def model_signal(*, grid: CropGrid, logits: np.ndarray, card: ModelCard, score: float) -> Signal:
    """The calibrated image score with every crop's own calibrated score and position."""
    crop_scores = calibrated(logits, temperature=card.calibration.temperature)
    size = card.input.crop_size
    return Signal(
        name=SIGNAL_LOWLEVEL,
        score=round(score, 4),
        summary=(
            f"The low-level view's calibrated score over {len(logits)} native-resolution "
            f"{size}x{size} crops is {score:.2f} (real below {card.thresholds.real_below:.2f}, "
            f"generated above {card.thresholds.fake_above:.2f})."
        ),
        evidence={
            "crop_size": size,
            "crops": len(logits),
            "rows": grid.rows,
            "cols": grid.cols,
            "aggregation": card.input.aggregation,
            "mean_logit": round(float(np.mean(logits)), 4),
            "temperature": card.calibration.temperature,
            "thresholds": card.thresholds.model_dump(),
            "score_map": [
                {"top": top, "left": left, "size": size, "score": round(float(crop), 4)}
                for (top, left), crop in zip(grid.origins, crop_scores, strict=True)
            ],
        },
    )

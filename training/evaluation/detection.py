"""Detector-level metrics for a labelled set: TPR at a fixed FPR, calibration, verdict tallies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from training.evaluation.metrics import expected_calibration_error, roc_auc

__all__ = ["counted", "detection_summary", "expected_calibration_error", "roc_auc", "tpr_at_fpr"]


def tpr_at_fpr(labels: np.ndarray, scores: np.ndarray, *, fpr: float) -> float | None:
    """Share of generated images scoring above the lowest threshold that lets at most `fpr` of
    real images through (strictly above it); None without both classes."""
    positives, negatives = scores[labels == 1], np.sort(scores[labels == 0])[::-1]
    if not len(positives) or not len(negatives):
        return None
    # With n real images at most floor(fpr * n) may score above the threshold, so the threshold
    # is the (that + 1)-th highest real score; the epsilon guards 0.29 * 100 == 28.999….
    allowed = math.floor(fpr * len(negatives) + 1e-9)
    threshold = negatives[allowed] if allowed < len(negatives) else -math.inf
    return float((positives > threshold).mean())


def counted(flags: np.ndarray) -> dict[str, Any]:
    """How many flags are set, out of how many, and the rate (None when there are none)."""
    count, total = int(flags.sum()), len(flags)
    return {"count": count, "of": total, "rate": count / total if total else None}


def detection_summary(
    *, labels: np.ndarray, scores: np.ndarray, verdicts: np.ndarray
) -> dict[str, Any]:
    """Ranking, calibration and verdict figures for one detector's final scores and verdicts."""
    positive, fake = labels == 1, verdicts == "fake"
    return {
        "roc_auc": roc_auc(labels, scores),
        "tpr_at_1pct_fpr": tpr_at_fpr(labels, scores, fpr=0.01),
        "tpr_at_5pct_fpr": tpr_at_fpr(labels, scores, fpr=0.05),
        "ece": expected_calibration_error(labels, scores) if len(labels) else None,
        "ai_caught": counted(fake[positive]),
        "real_called_fake": counted(fake[~positive]),
        "uncertain": counted(verdicts == "uncertain"),
    }

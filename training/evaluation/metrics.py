"""Binary detection metrics in NumPy: ROC-AUC, average precision, ECE, verdict counts."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.inference.detectors.calibration import Thresholds
from training.calibration import verdicts

VERDICTS = ("real", "uncertain", "fake")


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """P(a generated image outscores a real one), ties counting half; None for one class."""
    positives, negatives = scores[labels == 1], scores[labels == 0]
    if not len(positives) or not len(negatives):
        return None
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at every threshold, from (0, 0) to (1, 1)."""
    order = np.argsort(-scores, kind="stable")
    hits = labels[order] == 1
    tpr = np.concatenate([[0.0], np.cumsum(hits) / max(hits.sum(), 1)])
    fpr = np.concatenate([[0.0], np.cumsum(~hits) / max((~hits).sum(), 1)])
    return fpr, tpr


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Mean precision at the rank of each generated image."""
    if not (labels == 1).any():
        return None
    hits = labels[np.argsort(-scores, kind="stable")] == 1
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def reliability(
    labels: np.ndarray, scores: np.ndarray, *, bins: int = 10
) -> list[dict[str, float]]:
    """Per score bin: mean score, share of generated images and count."""
    edges = np.clip((scores * bins).astype(int), 0, bins - 1)
    return [
        {
            "low": b / bins,
            "confidence": float(scores[edges == b].mean()),
            "frequency": float(labels[edges == b].mean()),
            "count": int((edges == b).sum()),
        }
        for b in range(bins)
        if (edges == b).any()
    ]


def expected_calibration_error(labels: np.ndarray, scores: np.ndarray, *, bins: int = 10) -> float:
    """Count-weighted mean gap between confidence and frequency over score bins."""
    rows = reliability(labels, scores, bins=bins)
    return float(
        sum(r["count"] * abs(r["confidence"] - r["frequency"]) for r in rows) / len(scores)
    )


def confusion(
    labels: np.ndarray, scores: np.ndarray, *, thresholds: Thresholds
) -> dict[str, dict[str, int]]:
    """Counts of each verdict for real and for generated images."""
    called = verdicts(scores, thresholds=thresholds)
    return {
        truth: {v: int(((labels == value) & (called == v)).sum()) for v in VERDICTS}
        for truth, value in (("real", 0), ("fake", 1))
    }


def summary(labels: np.ndarray, scores: np.ndarray, *, thresholds: Thresholds) -> dict[str, Any]:
    """Every metric for one set of calibrated scores."""
    matrix = confusion(labels, scores, thresholds=thresholds)
    n_real, n_fake = int((labels == 0).sum()), int((labels == 1).sum())
    return {
        "images": {"real": n_real, "fake": n_fake},
        "accuracy_at_0.5": float(((scores > 0.5) == (labels == 1)).mean()) if len(labels) else None,
        "roc_auc": roc_auc(labels, scores),
        "average_precision": average_precision(labels, scores),
        "ece": expected_calibration_error(labels, scores) if len(labels) else None,
        "confusion": matrix,
        "fake_caught": _share(matrix["fake"]["fake"], n_fake),
        "real_called_fake": _share(matrix["real"]["fake"], n_real),
        "uncertain": _share(
            matrix["real"]["uncertain"] + matrix["fake"]["uncertain"], n_real + n_fake
        ),
    }


def _share(count: int, total: int) -> float | None:
    return count / total if total else None

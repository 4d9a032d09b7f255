"""ROC curves and reliability diagrams as PNG files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from training.evaluation.metrics import reliability, roc_auc, roc_curve


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_roc(*, labels: np.ndarray, scores: dict[str, np.ndarray], path: Path, title: str) -> None:
    """One ROC curve per condition."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 6))
    for name, values in scores.items():
        fpr, tpr = roc_curve(labels, values)
        auc = roc_auc(labels, values)
        axes.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})" if auc is not None else name)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axes.set(
        xlabel="real images called generated (FPR)",
        ylabel="generated images caught (TPR)",
        title=title,
    )
    axes.legend(loc="lower right", fontsize=8)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def plot_reliability(*, labels: np.ndarray, scores: np.ndarray, path: Path, title: str) -> None:
    """Share of generated images against mean calibrated score, per score bin."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 6))
    rows = reliability(labels, scores)
    axes.bar(
        [r["low"] + 0.05 for r in rows],
        [r["frequency"] for r in rows],
        width=0.09,
        alpha=0.6,
        label="share generated",
    )
    axes.plot(
        [r["confidence"] for r in rows], [r["frequency"] for r in rows], marker="o", label="per bin"
    )
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect calibration")
    axes.set(
        xlabel="calibrated score",
        ylabel="share of generated images",
        title=title,
        xlim=(0, 1),
        ylim=(0, 1),
    )
    axes.legend(loc="upper left", fontsize=8)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)

"""Intermediate-layer class tokens as features (RINE, ECCV 2024), measured beside the head.

The served head reads the tower's last outputs; RINE reports that the class tokens of earlier
blocks carry more of a generator's traces. Heads on them are fitted on train and compared on
validation here, so the choice rests on our own figures and not on the paper's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from services.inference.detectors.calibration import calibrated
from services.inference.detectors.semantic.features import ENCODER_BLOCKS, LATE_BLOCKS
from training.evaluation.metrics import roc_auc
from training.semantic.embed import Embedded

LAYER_CHOICES: dict[str, slice] = {
    "last block": slice(11, 12),
    "blocks 1-12": slice(0, ENCODER_BLOCKS),
    "blocks 5-9": slice(4, 9),
    # The served late_layer_tokens feature's blocks, named once in features.py.
    "blocks 7-12": slice(ENCODER_BLOCKS - LATE_BLOCKS, ENCODER_BLOCKS),
}
C = 0.1


def layer_inputs(embedded: Embedded, indices: np.ndarray, *, blocks: slice) -> np.ndarray:
    """The whole view's class tokens of `blocks`, side by side."""
    assert embedded.layers is not None
    chosen = embedded.layers[indices][:, blocks, :].astype(np.float32)
    return np.asarray(chosen.reshape(len(indices), -1))


def fitted_layer_logits(
    embedded: Embedded, *, train: np.ndarray, held: np.ndarray, blocks: slice
) -> np.ndarray:
    """A standardised, class-balanced logistic head fitted on train, scored on `held`."""
    inputs = layer_inputs(embedded, train, blocks=blocks)
    mean, scale = inputs.mean(axis=0), inputs.std(axis=0) + 1e-6
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    model.fit((inputs - mean) / scale, embedded.labels[train])
    held_inputs = (layer_inputs(embedded, held, blocks=blocks) - mean) / scale
    return np.asarray(model.decision_function(held_inputs))


def caught_at(logits: np.ndarray, labels: np.ndarray, *, max_real_called_fake: float) -> float:
    """The share of AI samples above the score that calls `max_real_called_fake` of real fake."""
    scores = calibrated(logits, temperature=1.0)
    cut = float(np.quantile(scores[labels == 0], 1.0 - max_real_called_fake, method="higher"))
    return round(float(np.mean(scores[labels == 1] > cut)), 4)


def layer_heads(
    embedded: Embedded, *, train: np.ndarray, val: np.ndarray, max_real_called_fake: float
) -> dict[str, dict[str, Any]]:
    """Per choice of blocks: validation ROC-AUC and AI caught at the real-called-fake target."""
    if embedded.layers is None:
        return {}
    labels = embedded.labels[val]
    found: dict[str, dict[str, Any]] = {}
    for name, blocks in LAYER_CHOICES.items():
        logits = fitted_layer_logits(embedded, train=train, held=val, blocks=blocks)
        found[name] = {
            "roc_auc": round(roc_auc(labels, logits) or 0.0, 4),
            "ai_called_fake_at_1pct": caught_at(
                logits, labels, max_real_called_fake=max_real_called_fake
            ),
        }
    return found

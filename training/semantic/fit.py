"""Fit the semantic head on training features, calibrate and fuse on validation, test on test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.fusion import fused_logits
from services.inference.detectors.semantic.card import LinearHead
from services.inference.detectors.semantic.features import head_input, needs_layers
from training.calibration import choose_thresholds, fit_temperature
from training.evaluation.metrics import roc_auc
from training.semantic.embed import CAMERA, VIEWS, Embedded, Sample

# Every block's class token (RINE, ECCV 2024), or the later half of them, exists for the whole
# view only: one tower pass.
FEATURE_CHOICES = ("embedding", "class_token", "layer_tokens", "late_layer_tokens")
VIEW_CHOICES: tuple[tuple[str, ...], ...] = (("whole",), ("whole", "native"))
# What a served image may be scored on: each view costs one tower pass (about 90 ms on 2 cores),
# so three at most keep the 400 ms median.
TEST_TIME_VIEWS: tuple[tuple[str, ...], ...] = (
    ("whole",),
    ("whole", "native"),
    ("whole", "native_top_left", "native_bottom_right"),
    ("native", "native_top_left", "native_bottom_right"),
)
C_CHOICES = (0.1, 1.0)
FOLDS = 5
# A head whose AI catches on validation fall by more than this through camera and scanner
# variants has learned "a sensor's noise or a scan means real", an evasion anyone can apply to an
# AI image; the next head in the search is taken instead.
MAX_VARIANT_DROP = 0.15


@dataclass(frozen=True, slots=True)
class HeadChoice:
    """Which backbone output, which views and how much regularisation the head uses."""

    feature: str
    views: tuple[str, ...]
    c: float


def available(choice_views: tuple[str, ...], *, feature: str) -> bool:
    """Whether the embedding holds `feature` for each of the views."""
    return not needs_layers(feature) or choice_views == ("whole",)


def tower_rows(embedded: Embedded, indices: np.ndarray, *, view: str) -> np.ndarray:
    """One view's tower features of the samples, as the served tower gives them: the whole
    view's every-block class tokens after the rest, where they were embedded."""
    found = embedded.features[indices][:, VIEWS.index(view), :]
    if view != "whole" or embedded.layers is None:
        return np.asarray(found)
    layers = embedded.layers[indices].astype(np.float32).reshape(len(indices), -1)
    return np.concatenate([found, layers], axis=1)


def view_rows(
    embedded: Embedded,
    indices: np.ndarray,
    *,
    choice: HeadChoice,
    views: tuple[str, ...] | None = None,
) -> np.ndarray:
    """Head inputs for `views` (the head's own by default) of the samples, view after view."""
    parts = [tower_rows(embedded, indices, view=view) for view in views or choice.views]
    return np.concatenate([head_input(part, feature=choice.feature) for part in parts])


def fit_head(embedded: Embedded, indices: np.ndarray, *, choice: HeadChoice) -> LinearHead:
    """A standardised, class-balanced logistic regression on every chosen view of the samples."""
    inputs = view_rows(embedded, indices, choice=choice)
    labels = np.tile(embedded.labels[indices], len(choice.views))
    mean, scale = inputs.mean(axis=0), inputs.std(axis=0) + 1e-6
    model = LogisticRegression(C=choice.c, max_iter=5000, class_weight="balanced")
    model.fit((inputs - mean) / scale, labels)
    return LinearHead(
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=model.coef_[0].tolist(),
        intercept=float(model.intercept_[0]),
    )


def head_logits(
    embedded: Embedded,
    indices: np.ndarray,
    *,
    head: LinearHead,
    choice: HeadChoice,
    views: tuple[str, ...] | None = None,
) -> np.ndarray:
    """Each sample's mean logit over `views` (the head's own by default), as the service
    computes it."""
    views = views or choice.views
    per_view = head.logits(view_rows(embedded, indices, choice=choice, views=views))
    return np.asarray(per_view.reshape(len(views), len(indices)).mean(axis=0))


def out_of_fold_logits(
    embedded: Embedded, indices: np.ndarray, *, choice: HeadChoice
) -> np.ndarray:
    """Each sample's logit from a head that never saw its source image (grouped folds)."""
    groups = [embedded.samples[i].row.name for i in indices]
    logits = np.zeros(len(indices))
    for train, held in GroupKFold(FOLDS).split(indices, embedded.labels[indices], groups):
        head = fit_head(embedded, indices[train], choice=choice)
        logits[held] = head_logits(embedded, indices[held], head=head, choice=choice)
    return logits


def cross_validated_auc(embedded: Embedded, indices: np.ndarray, *, choice: HeadChoice) -> float:
    """ROC-AUC of out-of-fold logits on the samples."""
    logits = out_of_fold_logits(embedded, indices, choice=choice)
    return roc_auc(embedded.labels[indices], logits) or 0.0


def ranked_heads(
    embedded: Embedded, indices: np.ndarray
) -> tuple[list[HeadChoice], dict[str, float]]:
    """Every head choice, best cross-validated ROC-AUC on the samples first, and the figures."""
    scores = {
        choice: cross_validated_auc(embedded, indices, choice=choice)
        for choice in (
            HeadChoice(f, v, c)
            for f, v, c in product(_features(embedded), VIEW_CHOICES, C_CHOICES)
            if available(v, feature=f)
        )
    }
    ranked = sorted(scores, key=lambda choice: -scores[choice])
    return ranked, {choice_name(c): round(s, 4) for c, s in scores.items()}


def choice_name(choice: HeadChoice) -> str:
    """How the card's figures name a head choice."""
    return f"{choice.feature}/{'+'.join(choice.views)}/C={choice.c}"


def _features(embedded: Embedded) -> tuple[str, ...]:
    layered = embedded.layers is not None
    return tuple(f for f in FEATURE_CHOICES if layered or not needs_layers(f))


def per_condition(
    scores: np.ndarray, embedded: Embedded, indices: np.ndarray, *, label: int
) -> dict[str, np.ndarray]:
    """The scores of one class's held-out samples, grouped by condition."""
    labels = embedded.labels[indices]
    conditions = np.array([_condition(embedded.samples[i]) for i in indices])
    return {
        name: scores[(labels == label) & (conditions == name)] for name in dict.fromkeys(conditions)
    }


def band(
    scores: np.ndarray, embedded: Embedded, indices: np.ndarray, *, max_real_called_fake: float
) -> Thresholds:
    """The uncertain band: real images called fake capped under every condition (and draw)."""
    return choose_thresholds(
        real_scores=per_condition(scores, embedded, indices, label=0),
        fake_scores=per_condition(scores, embedded, indices, label=1),
        max_real_called_fake=max_real_called_fake,
        max_fake_called_real=0.05,
    )


def calibration(logits: np.ndarray, labels: np.ndarray) -> Calibration:
    """Temperature scaling fitted on validation logits."""
    return Calibration(temperature=fit_temperature(logits, labels.astype(np.float64)))


@dataclass(frozen=True, slots=True)
class Fusion:
    """The stacked combination: weights on each view's temperature-scaled logit, and a bias."""

    weights: dict[str, float]
    bias: float

    def logits(self, scaled: dict[str, np.ndarray]) -> np.ndarray:
        """The fused logit for each sample from every view's scaled logits."""
        return fused_logits(scaled=scaled, weights=self.weights, bias=self.bias)


def fit_fusion(scaled: dict[str, np.ndarray], labels: np.ndarray) -> Fusion:
    """Logistic regression on the views' scaled logits; a view it would weigh against its own
    direction is dropped, since "more AI-like, so more real" is no evidence a person can use."""
    names = list(scaled)
    while True:
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(np.stack([scaled[n] for n in names], axis=1), labels)
        weights = dict(zip(names, model.coef_[0].tolist(), strict=True))
        negative = [n for n, w in weights.items() if w <= 0]
        if not negative or len(names) == 1:
            return Fusion(weights=weights, bias=float(model.intercept_[0]))
        names = [n for n in names if n not in negative]


def split_indices(embedded: Embedded, split: str) -> np.ndarray:
    """The samples of one split."""
    return embedded.where(lambda sample: sample.row.split == split)


def family_indices(embedded: Embedded, *, family: str, keep: Callable[[str], bool]) -> np.ndarray:
    """The AI samples of one family whose split `keep` accepts."""
    return embedded.where(
        lambda s: s.row.label == "ai" and s.row.family == family and keep(s.row.split)
    )


def _condition(sample: Sample) -> str:
    # Each camera variant is made for a few sources only; as threshold evidence they are pooled,
    # as made and laundered, so that a 1% rate rests on hundreds of images.
    if sample.condition.startswith(CAMERA):
        laundered = sample.condition.endswith("+laundered")
        return "camera variants, laundered" if laundered else "camera variants"
    return "training out-of-fold" if sample.row.split == "train" else sample.condition

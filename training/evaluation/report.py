"""Scoring a model on labelled images under each robustness condition, and the report it makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from services.inference.detectors.calibration import Thresholds
from training.calibration import verdicts
from training.evaluation.conditions import CONDITIONS
from training.evaluation.metrics import summary
from training.pipeline.images import read_pixels
from training.samples import Sample
from training.scoring import calibrated, image_logits


@dataclass(frozen=True, slots=True)
class Scored:
    """Calibrated image scores of one sample list under each condition."""

    samples: list[Sample]
    labels: np.ndarray
    scores: dict[str, np.ndarray]


def condition_images(samples: list[Sample], *, condition: str) -> Iterable[np.ndarray]:
    """Each sample's pixels after one robustness condition."""
    transform = CONDITIONS[condition]
    return (transform(read_pixels(sample.path), sample.label) for sample in samples)


def condition_logits(
    model: keras.Model, samples: list[Sample], *, crop: int, max_crops: int, conditions: list[str]
) -> dict[str, np.ndarray]:
    """Mean crop logits of every sample under every condition."""
    return {
        name: image_logits(
            model, images=condition_images(samples, condition=name), crop=crop, max_crops=max_crops
        )
        for name in conditions
    }


def score(
    model: keras.Model,
    samples: list[Sample],
    *,
    crop: int,
    max_crops: int,
    temperature: float,
    conditions: list[str],
) -> Scored:
    """Calibrated scores of every sample under every condition."""
    logits = condition_logits(model, samples, crop=crop, max_crops=max_crops, conditions=conditions)
    labels = np.array([sample.label for sample in samples])
    return Scored(
        samples=samples,
        labels=labels,
        scores={name: calibrated(value, temperature=temperature) for name, value in logits.items()},
    )


def fake_subsets(samples: list[Sample], *, column: str) -> dict[str, np.ndarray]:
    """For each value of `column` among generated images: a mask of all real images plus those."""
    labels = np.array([sample.label for sample in samples])
    values = np.array([sample.extra.get(column, "") for sample in samples])
    return {
        f"{column}={value}": (labels == 0) | ((labels == 1) & (values == value))
        for value in sorted(set(values[labels == 1]))
    }


def report(scored: Scored, *, thresholds: Thresholds, group_by: list[str]) -> dict[str, Any]:
    """Metrics per condition, per generated-image subset, and every image's original score."""
    rows = {
        name: summary(scored.labels, s, thresholds=thresholds) for name, s in scored.scores.items()
    }
    subsets = {
        key: {
            name: summary(scored.labels[mask], s[mask], thresholds=thresholds)
            for name, s in scored.scores.items()
        }
        for column in group_by
        for key, mask in fake_subsets(scored.samples, column=column).items()
    }
    return {
        "conditions": rows,
        "subsets": subsets,
        "images": per_image(scored, thresholds=thresholds),
    }


def per_image(scored: Scored, *, thresholds: Thresholds) -> list[dict[str, Any]]:
    """Each image's label, calibrated score and verdict without any transform."""
    original = scored.scores.get("original", next(iter(scored.scores.values())))
    called = verdicts(original, thresholds=thresholds)
    return [
        {
            "file": str(sample.path),
            "label": sample.label,
            "score": float(value),
            "verdict": str(verdict),
        }
        for sample, value, verdict in zip(scored.samples, original, called, strict=True)
    ]

"""Matched processing: after it, format, size and quality say nothing about the label."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

from training.data.generators import template_stills
from training.data.processing import (
    CODECS,
    ProcessingConfig,
    laundered,
    processed,
    random_crop,
)
from training.evaluation.metrics import roc_auc
from training.pipeline.images import read_pixels
from training.recipe.photos import bundled_photos

# Every 3rd generator output keeps the test short; the real side is every bundled photo.
STILL_STRIDE = 3


def shortcut_auc(features: np.ndarray, labels: np.ndarray, groups: list[str]) -> float:
    """Out-of-fold ROC-AUC of a boosted-tree classifier given only these features."""
    model = GradientBoostingClassifier(random_state=0)
    folds = GroupKFold(5).split(features, labels, groups)
    scores = cross_val_predict(model, features, labels, cv=list(folds), method="predict_proba")
    return roc_auc(labels, scores[:, 1]) or 0.0


@pytest.fixture(scope="module")
def sources() -> list[tuple[str, int, np.ndarray]]:
    """(name, label, pixels) for a share of the generator outputs and every bundled photo."""
    stills = [(s.name, 1, read_pixels(s.path)) for s in template_stills()[::STILL_STRIDE]]
    return stills + [(p.name, 0, p.load()) for p in bundled_photos()]


def facts(pixels: np.ndarray, *, codec: str, quality: int) -> list[float]:
    return [CODECS.index(codec), quality, pixels.shape[1], pixels.shape[0]]


def test_format_size_and_quality_score_at_chance_after_processing(sources) -> None:
    rng = np.random.default_rng(0)
    rows, labels, groups = [], [], []
    for name, label, pixels in sources:
        for _ in range(2):
            seen = processed(pixels, rng=rng, config=ProcessingConfig())
            rows.append(facts(seen.pixels, codec=seen.codec, quality=seen.quality))
            labels.append(label)
            groups.append(name)

    auc = shortcut_auc(np.array(rows), np.array(labels), groups)

    assert auc <= 0.6, auc


def test_the_same_features_separate_the_sources_as_they_ship(sources) -> None:
    rows = [facts(pixels, codec="none", quality=0) for _, _, pixels in sources]
    labels = np.array([label for _, label, _ in sources])

    auc = shortcut_auc(np.array(rows), labels, [name for name, _, _ in sources])

    assert auc >= 0.9, auc


def test_crops_take_the_drawn_shape_whatever_the_source() -> None:
    pixels = np.zeros((400, 400, 3), np.uint8)

    crop = random_crop(pixels, share=1.0, aspect=16 / 9, rng=np.random.default_rng(1))

    assert crop.shape[:2] == (225, 400)


def test_processing_is_reproducible_from_its_seed() -> None:
    pixels = np.random.default_rng(2).integers(0, 255, (300, 500, 3), dtype=np.uint8)
    config = ProcessingConfig()

    first = processed(pixels, rng=np.random.default_rng(3), config=config)
    second = processed(pixels, rng=np.random.default_rng(3), config=config)

    assert np.array_equal(first.pixels, second.pixels)
    assert min(first.pixels.shape[:2]) in range(224, 513)


def test_laundering_caps_the_long_side_and_never_enlarges() -> None:
    large = np.zeros((1500, 2400, 3), np.uint8)
    small = np.zeros((300, 200, 3), np.uint8)

    assert laundered(large).shape[:2] == (675, 1080)
    assert laundered(small).shape[:2] == (300, 200)

"""Temperature scaling, thresholds, and the metrics the reports are made of."""

from __future__ import annotations

import numpy as np
import pytest

from services.inference.detectors.calibration import Thresholds
from training.calibration import choose_thresholds, fit_temperature, verdicts
from training.evaluation.metrics import (
    average_precision,
    confusion,
    expected_calibration_error,
    roc_auc,
)


def test_temperature_undoes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, size=20_000)
    labels = (rng.uniform(size=true_logits.size) < 1 / (1 + np.exp(-true_logits))).astype(float)

    assert fit_temperature(true_logits * 3.0, labels) == pytest.approx(3.0, rel=0.1)


def test_thresholds_meet_their_target_in_every_condition() -> None:
    rng = np.random.default_rng(1)
    real = {"clean": rng.beta(2, 8, size=400), "jpeg": rng.beta(3, 6, size=400)}
    fake = {"clean": rng.beta(8, 2, size=400), "jpeg": rng.beta(5, 3, size=400)}

    thresholds = choose_thresholds(
        real_scores=real, fake_scores=fake, max_real_called_fake=0.05, max_fake_called_real=0.05
    )

    assert all((scores > thresholds.fake_above).mean() <= 0.05 for scores in real.values())
    assert all((scores < thresholds.real_below).mean() <= 0.05 for scores in fake.values())
    assert thresholds.real_below <= 0.5 <= thresholds.fake_above


def test_verdicts_follow_the_band() -> None:
    band = Thresholds(real_below=0.3, fake_above=0.7)

    assert list(verdicts(np.array([0.1, 0.3, 0.5, 0.7, 0.9]), thresholds=band)) == [
        "real",
        "uncertain",
        "uncertain",
        "uncertain",
        "fake",
    ]


def test_roc_auc_matches_pair_counting() -> None:
    rng = np.random.default_rng(2)
    labels, scores = rng.integers(0, 2, 300), rng.integers(0, 10, 300).astype(float)
    pairs = [(p > n) + 0.5 * (p == n) for p in scores[labels == 1] for n in scores[labels == 0]]

    assert roc_auc(labels, scores) == pytest.approx(np.mean(pairs))
    assert roc_auc(np.array([1, 1]), np.array([0.2, 0.4])) is None


def test_average_precision_of_a_known_ranking() -> None:
    assert average_precision(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7])) == pytest.approx(
        (1 + 2 / 3) / 2
    )


def test_ece_weighs_each_bins_gap_by_its_size() -> None:
    labels = np.array([1, 0, 0, 0, 1, 1, 1, 1, 1, 0])
    scores = np.array([0.25] * 4 + [0.85] * 6)  # first bin exact, second off by 0.85 - 5/6

    assert expected_calibration_error(labels, scores) == pytest.approx(0.6 * (0.85 - 5 / 6))


def test_confusion_counts_each_verdict() -> None:
    band = Thresholds(real_below=0.4, fake_above=0.6)
    matrix = confusion(
        np.array([0, 0, 1, 1, 1]), np.array([0.1, 0.9, 0.5, 0.95, 0.99]), thresholds=band
    )

    assert matrix == {
        "real": {"real": 1, "uncertain": 0, "fake": 1},
        "fake": {"real": 0, "uncertain": 1, "fake": 2},
    }

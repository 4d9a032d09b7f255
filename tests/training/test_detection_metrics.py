"""Detector-level metrics on examples small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from training.evaluation.detection import (
    counted,
    detection_summary,
    expected_calibration_error,
    tpr_at_fpr,
)


def test_perfectly_separated_scores_catch_every_generated_image_at_any_fpr() -> None:
    labels = np.array([1, 1, 1, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.1])
    assert tpr_at_fpr(labels, scores, fpr=0.01) == 1.0
    assert tpr_at_fpr(labels, scores, fpr=0.05) == 1.0


def test_under_one_allowed_false_positive_the_threshold_is_the_top_real_score() -> None:
    # 10 real: 1% allows floor(0.1) = 0 above the threshold, so it is the top real score (0.6).
    labels = np.array([1] * 4 + [0] * 10)
    scores = np.array([0.95, 0.7, 0.6, 0.5, 0.6, *[0.1] * 9])
    assert tpr_at_fpr(labels, scores, fpr=0.01) == 0.5


def test_the_allowed_false_positives_may_score_above_the_threshold() -> None:
    # 20 real: 10% allows 2, so the threshold is the third-highest real score (0.4).
    labels = np.array([1] * 4 + [0] * 20)
    scores = np.array([0.9, 0.6, 0.45, 0.3, 0.8, 0.5, 0.4, *[0.1] * 17])
    assert tpr_at_fpr(labels, scores, fpr=0.10) == 0.75


def test_a_generated_image_tied_with_the_threshold_is_not_caught() -> None:
    labels = np.array([1, 1, 0, 0])
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    assert tpr_at_fpr(labels, scores, fpr=0.0) == 0.5


def test_tpr_needs_both_classes() -> None:
    assert tpr_at_fpr(np.array([1, 1]), np.array([0.2, 0.9]), fpr=0.05) is None


def test_ece_is_the_count_weighted_gap_per_bin() -> None:
    # Bin [0.8, 0.9): mean score 0.8, half generated -> gap 0.3 over 2 images.
    # Bin [0.2, 0.3): mean score 0.2, none generated -> gap 0.2 over 2 images.
    labels = np.array([1, 0, 0, 0])
    scores = np.array([0.8, 0.8, 0.2, 0.2])
    assert expected_calibration_error(labels, scores) == pytest.approx((2 * 0.3 + 2 * 0.2) / 4)


def test_a_perfectly_confident_and_right_detector_has_no_calibration_error() -> None:
    labels = np.array([1, 1, 0])
    assert expected_calibration_error(labels, np.array([1.0, 1.0, 0.0])) == 0.0


def test_counted_gives_count_total_and_rate() -> None:
    assert counted(np.array([True, False, False, True])) == {"count": 2, "of": 4, "rate": 0.5}
    assert counted(np.array([], dtype=bool)) == {"count": 0, "of": 0, "rate": None}


def test_summary_tallies_verdicts_per_class() -> None:
    labels = np.array([True, True, False, False])
    summary = detection_summary(
        labels=labels,
        scores=np.array([0.9, 0.5, 0.4, 0.1]),
        verdicts=np.array(["fake", "uncertain", "fake", "real"]),
    )
    assert summary["roc_auc"] == 1.0
    assert summary["ai_caught"] == {"count": 1, "of": 2, "rate": 0.5}
    assert summary["real_called_fake"] == {"count": 1, "of": 2, "rate": 0.5}
    assert summary["uncertain"] == {"count": 1, "of": 4, "rate": 0.25}

"""Temperature scaling and the uncertain band, both fitted on validation images, never on test."""

from __future__ import annotations

import numpy as np

from services.inference.detectors.calibration import Thresholds

LOG_TEMPERATURES = np.linspace(np.log(0.05), np.log(20.0), 2001)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, *, temperature: float) -> float:
    """Mean binary cross-entropy of sigmoid(logit / temperature), computed stably."""
    scaled = logits / temperature
    return float(np.mean(np.logaddexp(0.0, scaled) - labels * scaled))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises validation NLL (a fine log-spaced search: one parameter)."""
    losses = [
        negative_log_likelihood(logits, labels, temperature=float(np.exp(t)))
        for t in LOG_TEMPERATURES
    ]
    return float(np.exp(LOG_TEMPERATURES[int(np.argmin(losses))]))


def fake_threshold(real_scores: dict[str, np.ndarray], *, max_real_called_fake: float) -> float:
    """The lowest `fake_above` calling at most the target share of real images fake, anywhere."""
    quantile = 1.0 - max_real_called_fake
    return max(float(np.quantile(s, quantile, method="higher")) for s in real_scores.values())


def real_threshold(fake_scores: dict[str, np.ndarray], *, max_fake_called_real: float) -> float:
    """The highest `real_below` calling at most the target share of generated images real."""
    quantile = max_fake_called_real
    return min(float(np.quantile(s, quantile, method="lower")) for s in fake_scores.values())


def choose_thresholds(
    *,
    real_scores: dict[str, np.ndarray],
    fake_scores: dict[str, np.ndarray],
    max_real_called_fake: float,
    max_fake_called_real: float,
) -> Thresholds:
    """The uncertain band from per-condition validation scores; 0.5 always sits inside it."""
    fake_above = max(fake_threshold(real_scores, max_real_called_fake=max_real_called_fake), 0.5)
    real_below = min(real_threshold(fake_scores, max_fake_called_real=max_fake_called_real), 0.5)
    target = (
        f"validation: at most {max_real_called_fake:.0%} of real images called fake under each of "
        f"{', '.join(real_scores)}; at most {max_fake_called_real:.0%} of generated images called "
        f"real under each of {', '.join(fake_scores)}; real_below <= 0.5 <= fake_above"
    )
    return Thresholds(real_below=real_below, fake_above=fake_above, target=target)


def verdicts(scores: np.ndarray, *, thresholds: Thresholds) -> np.ndarray:
    """`real`, `uncertain` or `fake` for each calibrated score, as the service decides."""
    return np.where(
        scores > thresholds.fake_above,
        "fake",
        np.where(scores < thresholds.real_below, "real", "uncertain"),
    )

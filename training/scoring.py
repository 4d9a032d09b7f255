"""Image-level scores exactly as the service computes them: crop grid, crop logits, mean logit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import keras
import numpy as np

from services.inference.detectors.crops import aggregate_logits, crop_grid

# How many images' crops go through the model at once.
IMAGES_PER_BATCH = 32


def image_logits(
    model: keras.Model, *, images: Iterable[np.ndarray], crop: int, max_crops: int
) -> np.ndarray:
    """One mean crop logit per image."""
    logits: list[float] = []
    batch: list[np.ndarray] = []
    for pixels in images:
        batch.append(crop_grid(pixels, size=crop, max_crops=max_crops).crops)
        if len(batch) == IMAGES_PER_BATCH:
            logits += _batch_logits(model, batch)
            batch = []
    return np.array(logits + (_batch_logits(model, batch) if batch else []), dtype=np.float64)


def _batch_logits(model: keras.Model, grids: list[np.ndarray]) -> list[float]:
    crops = np.concatenate(grids).astype(np.float32)
    raw = np.asarray(model.predict_on_batch(crops)).reshape(-1)
    bounds = np.cumsum([len(grid) for grid in grids])[:-1]
    return [aggregate_logits(part) for part in np.split(raw, bounds)]


def calibrated(logits: np.ndarray, *, temperature: float) -> np.ndarray:
    """The served probability: sigmoid(logit / temperature)."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(logits) / temperature)))


def transformed(
    images: Iterable[tuple[np.ndarray, int]], transform: Callable[[np.ndarray, int], np.ndarray]
) -> Iterable[np.ndarray]:
    """Images after a robustness transform that may depend on the label."""
    return (transform(pixels, label) for pixels, label in images)

"""Running crops through the model, and turning logits into calibrated scores."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from services.inference.detectors.calibration import calibrated
from services.inference.detectors.crops import aggregate_logits
from services.inference.detectors.lowlevel.loading import LoadedModel


def image_score(*, crop_logits: np.ndarray, temperature: float) -> float:
    """One calibrated score for an image from its crops' logits (mean logit, as in training)."""
    return float(calibrated(aggregate_logits(crop_logits), temperature=temperature))


class CropScorer(Protocol):
    """What serving needs from a model backend: logits for crops, and a warm-up."""

    def logits(self, crops: np.ndarray) -> np.ndarray:
        """Raw logits, one per crop, for a (n, size, size, 3) uint8 array."""

    def warm_up(self) -> None:
        """Run the shapes serving will see once, before reporting ready."""

    def close(self) -> None:
        """Release what the backend holds."""


class ModelRunner:
    """Calls the model on uint8 crops, in chunks so one huge batch cannot exhaust memory."""

    def __init__(self, *, loaded: LoadedModel, chunk_crops: int) -> None:
        self.loaded = loaded
        self.chunk_crops = chunk_crops

    def logits(self, crops: np.ndarray) -> np.ndarray:
        """Raw logits, one per crop, for a (n, size, size, 3) uint8 array."""
        outputs = [
            self._forward(crops[start : start + self.chunk_crops])
            for start in range(0, len(crops), self.chunk_crops)
        ]
        return np.concatenate(outputs) if outputs else np.zeros(0, np.float32)

    def warm_up(self) -> None:
        """Run the shapes serving will see, so the first real request pays no tracing cost."""
        size = self.loaded.card.input.crop_size
        for count in sorted({1, self.loaded.card.input.max_crops, self.chunk_crops}):
            self.logits(np.zeros((count, size, size, 3), np.uint8))

    def close(self) -> None:
        """Nothing to release: the model lives as long as the process."""

    def _forward(self, chunk: np.ndarray) -> np.ndarray:
        # predict_on_batch runs the backend's compiled step (tf.function, jax.jit), not eager calls.
        output = self.loaded.model.predict_on_batch(chunk.astype(np.float32))
        return np.asarray(output, dtype=np.float32).reshape(-1)

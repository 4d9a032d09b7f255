"""Backbone features and low-level logits for every image the semantic training uses.

Training images are seen as several draws of the matched processing pipeline; validation and
test images under every robustness condition, the way they reach the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.inference.detectors.semantic.backbone import Tower
from services.inference.detectors.semantic.views import VIEW_FUNCTIONS, pixel_values
from services.inference.training.data.build import DataRow
from services.inference.training.data.processing import ProcessingConfig, laundered, processed
from services.inference.training.evaluation.conditions import CONDITIONS
from services.inference.training.pipeline.images import read_pixels

VIEWS = tuple(VIEW_FUNCTIONS)
LABEL_BLIND_CONDITIONS = (
    "original",
    "jpeg_q95",
    "jpeg_q75",
    "webp_q80",
    "avif_q60",
    "downscale_0.5",
)


def _label_blind(name: str) -> Callable[[np.ndarray], np.ndarray]:
    condition = CONDITIONS[name]
    return lambda pixels: condition(pixels, 0)


HELD_OUT_CONDITIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{name: _label_blind(name) for name in LABEL_BLIND_CONDITIONS},
    "laundered": laundered,
}


@dataclass(frozen=True, slots=True)
class Sample:
    """One embedded image: which row, under which condition or processing draw."""

    row: DataRow
    condition: str


@dataclass(slots=True)
class Embedded:
    """Per sample, the tower's features (views, 1280) and the low-level view's logit."""

    samples: list[Sample]
    features: np.ndarray
    lowlevel_logits: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """1 for AI, 0 for real, per sample."""
        return np.array([s.row.label == "ai" for s in self.samples], dtype=np.int64)

    def where(self, keep: Callable[[Sample], bool]) -> np.ndarray:
        """Indices of the samples `keep` accepts."""
        return np.array([i for i, s in enumerate(self.samples) if keep(s)], dtype=np.int64)


def variants(
    pixels: np.ndarray, *, row: DataRow, draws: int, rng: np.random.Generator
) -> list[tuple[str, np.ndarray]]:
    """Training rows: `draws` matched-processing draws; held-out rows: every condition."""
    if row.split == "train":
        config = ProcessingConfig()
        return [
            (f"draw{k}", processed(pixels, rng=rng, config=config).pixels) for k in range(draws)
        ]
    return [(name, condition(pixels)) for name, condition in HELD_OUT_CONDITIONS.items()]


def embed(
    rows: list[DataRow],
    *,
    root: Path,
    tower: Tower,
    lowlevel: Callable[[np.ndarray], float],
    draws: int,
    seed: int,
) -> Embedded:
    """Every sample's tower features and low-level logit."""
    rng = np.random.default_rng(seed)
    samples: list[Sample] = []
    features: list[np.ndarray] = []
    lowlevel_logits: list[float] = []
    for row in rows:
        pixels = read_pixels(root / row.file)
        for condition, seen in variants(pixels, row=row, draws=draws, rng=rng):
            views = [VIEW_FUNCTIONS[name](seen) for name in VIEWS]
            features.append(tower.features(pixel_values(views)))
            samples.append(Sample(row=row, condition=condition))
            lowlevel_logits.append(lowlevel(seen))
    return Embedded(samples, np.stack(features), np.array(lowlevel_logits, dtype=np.float64))

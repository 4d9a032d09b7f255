"""Backbone features and low-level logits for every image the semantic training uses.

Training images are seen as several draws of the matched processing pipeline, some of them
after a camera or scanner variant; validation and test images under every robustness
condition, as small images, and as camera and scanner variants, the way they reach the service.
Every variant is drawn without looking at the label: what a person can do to a photo, they can
do to an AI image too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from services.inference.detectors.semantic.backbone import Tower
from services.inference.detectors.semantic.views import VIEW_FUNCTIONS, pixel_values
from training.data.build import DataRow
from training.data.camera import CAMERA_VARIANTS
from training.data.processing import (
    ProcessingConfig,
    laundered,
    long_side_at_most,
    long_side_resized,
    processed,
)
from training.evaluation.conditions import CONDITIONS
from training.pipeline.images import read_pixels

# Training draws embed the views a head can be trained on; held-out samples embed every view a
# test-time rule may combine.
TRAINING_VIEWS = ("whole", "native")
VIEWS = (*TRAINING_VIEWS, "native_top_left", "native_bottom_right")
LABEL_BLIND_CONDITIONS = (
    "original",
    "jpeg_q95",
    "jpeg_q75",
    "webp_q80",
    "avif_q60",
    "downscale_0.5",
)
SMALL_LONG_SIDE = 256
# Camera variants run on the photo at most this long a side (a 12 MP photo would take seconds);
# phones and cameras deliver such sizes too.
VARIANT_LONG_SIDE = 1280
CAMERA_DRAWS = 2
# Held-out camera variants per image: real images get more, since the false-accusation band
# rests on them; AI images need only enough to show that no variant makes them look real.
HELD_OUT_VARIANTS = {"real": 6, "ai": 3}
CAMERA = "camera/"


def _label_blind(name: str) -> Callable[[np.ndarray], np.ndarray]:
    condition = CONDITIONS[name]
    return lambda pixels: condition(pixels, 0)


def small(pixels: np.ndarray) -> np.ndarray:
    """A thumbnail as sites serve them: long side 256 px."""
    return long_side_resized(pixels, long_side=SMALL_LONG_SIDE)


HELD_OUT_CONDITIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{name: _label_blind(name) for name in LABEL_BLIND_CONDITIONS},
    "laundered": laundered,
    "small": small,
}


@dataclass(frozen=True, slots=True)
class Sample:
    """One embedded image: which row, under which condition or processing draw."""

    row: DataRow
    condition: str
    long_side: int = 0

    @property
    def image(self) -> str:
        """The image this sample shows: its source photo, or the source's camera variant."""
        variant = self.condition.removeprefix(CAMERA).split("+")[0]
        return f"{self.row.name}/{variant}" if self.condition.startswith(CAMERA) else self.row.name


@dataclass(slots=True)
class Embedded:
    """Per sample, the tower's features (views, 1280; NaN for a view not embedded), the
    low-level view's logit, and the whole view's per-layer class tokens where measured."""

    samples: list[Sample]
    features: np.ndarray
    lowlevel_logits: np.ndarray
    layers: np.ndarray | None = field(default=None)

    @property
    def labels(self) -> np.ndarray:
        """1 for AI, 0 for real, per sample."""
        return np.array([s.row.label == "ai" for s in self.samples], dtype=np.int64)

    def where(self, keep: Callable[[Sample], bool]) -> np.ndarray:
        """Indices of the samples `keep` accepts."""
        return np.array([i for i, s in enumerate(self.samples) if keep(s)], dtype=np.int64)


def camera_variant(pixels: np.ndarray, *, name: str, rng: np.random.Generator) -> np.ndarray:
    """One camera or scanner variant of an image no larger than VARIANT_LONG_SIDE."""
    shrunk = long_side_at_most(pixels, long_side=VARIANT_LONG_SIDE)
    return np.asarray(CAMERA_VARIANTS[name](shrunk, rng=rng))


def training_variants(
    pixels: np.ndarray, *, draws: int, rng: np.random.Generator
) -> list[tuple[str, np.ndarray]]:
    """`draws` matched-processing draws, then CAMERA_DRAWS more after a camera variant."""
    config = ProcessingConfig()
    found = [(f"draw{k}", processed(pixels, rng=rng, config=config).pixels) for k in range(draws)]
    for k in range(CAMERA_DRAWS):
        name = str(rng.choice(list(CAMERA_VARIANTS)))
        varied = camera_variant(pixels, name=name, rng=rng)
        found.append((f"camera-draw{k}", processed(varied, rng=rng, config=config).pixels))
    return found


def held_out_variants(
    pixels: np.ndarray, *, variants: int, rng: np.random.Generator
) -> list[tuple[str, np.ndarray]]:
    """Every condition, then `variants` camera variants as made and one of them laundered."""
    found = [(name, condition(pixels)) for name, condition in HELD_OUT_CONDITIONS.items()]
    names = rng.choice(list(CAMERA_VARIANTS), size=variants, replace=False)
    varied = {str(name): camera_variant(pixels, name=str(name), rng=rng) for name in names}
    found += [(f"{CAMERA}{name}", image) for name, image in varied.items()]
    first = str(names[0])
    found.append((f"{CAMERA}{first}+laundered", laundered(varied[first])))
    return found


def variants(
    pixels: np.ndarray, *, row: DataRow, draws: int, rng: np.random.Generator
) -> list[tuple[str, np.ndarray]]:
    """Training rows: processing draws; held-out rows: every condition and camera variant."""
    if row.split == "train":
        return training_variants(pixels, draws=draws, rng=rng)
    return held_out_variants(pixels, variants=HELD_OUT_VARIANTS[row.label], rng=rng)


def view_features(
    tower: Tower, pixels: np.ndarray, *, views: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray | None]:
    """The tower's features of `views` in VIEWS order (NaN rows for the others), and the
    whole view's per-layer class tokens where the tower gives them."""
    batch = pixel_values([VIEW_FUNCTIONS[name](pixels) for name in views])
    layered = getattr(tower, "features_and_layers", None)
    features, layers = layered(batch) if layered else (tower.features(batch), None)
    rows = np.full((len(VIEWS), features.shape[1]), np.nan, dtype=np.float32)
    rows[[VIEWS.index(name) for name in views]] = features
    return rows, None if layers is None else layers[0]


def row_rng(*, seed: int, name: str) -> np.random.Generator:
    """The random draws of one image, from the seed and its name alone, so that its samples
    do not depend on which other images the build holds (and can be reused)."""
    digest = hashlib.sha256(name.encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "big")])


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
    samples: list[Sample] = []
    features: list[np.ndarray] = []
    layers: list[np.ndarray] = []
    lowlevel_logits: list[float] = []
    for row in rows:
        pixels = read_pixels(root / row.file)
        views = TRAINING_VIEWS if row.split == "train" else VIEWS
        rng = row_rng(seed=seed, name=row.name)
        for condition, seen in variants(pixels, row=row, draws=draws, rng=rng):
            found, layer_tokens = view_features(tower, seen, views=views)
            features.append(found)
            if layer_tokens is not None:
                layers.append(layer_tokens.astype(np.float16))
            samples.append(Sample(row=row, condition=condition, long_side=max(seen.shape[:2])))
            lowlevel_logits.append(lowlevel(seen))
    stacked_layers = np.stack(layers) if len(layers) == len(samples) else None
    return Embedded(
        samples, np.stack(features), np.array(lowlevel_logits, dtype=np.float64), stacked_layers
    )


def joined(parts: list[Embedded]) -> Embedded:
    """Several embeddings as one, in order."""
    parts = [part for part in parts if part.samples]
    layers = [part.layers for part in parts if part.layers is not None]
    return Embedded(
        [sample for part in parts for sample in part.samples],
        np.concatenate([part.features for part in parts]),
        np.concatenate([part.lowlevel_logits for part in parts]),
        np.concatenate(layers) if len(layers) == len(parts) else None,
    )

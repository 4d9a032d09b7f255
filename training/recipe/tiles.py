"""Native-resolution tiles cut from the recipe's photos, each with a margin for the generators."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from training.samples import Split


@dataclass(frozen=True, slots=True)
class Region:
    """A tile plus `margin` pixels on each side, from one photo at one scale."""

    photo: str
    split: Split
    scale: float
    index: int
    pixels: np.ndarray  # (tile + 2 margin, tile + 2 margin, 3) uint8


def rescaled(pixels: np.ndarray, *, scale: float) -> np.ndarray:
    """The photo resized by `scale` with a Lanczos filter, as image sites downscale."""
    if scale == 1.0:
        return pixels
    height, width = pixels.shape[:2]
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def tile_count(*, height: int, width: int, tile: int, most: int) -> int:
    """How many tiles one photo gives: about its area in tiles, at most `most`."""
    return min(most, max(math.ceil(height * width / tile**2), 1))


def cut_regions(
    pixels: np.ndarray, *, tile: int, margin: int, count: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """`count` random regions of `tile + 2 * margin` pixels; none for a photo smaller than that."""
    side = tile + 2 * margin
    height, width = pixels.shape[:2]
    if height < side or width < side:
        return []
    tops = rng.integers(0, height - side + 1, size=count)
    lefts = rng.integers(0, width - side + 1, size=count)
    return [pixels[t : t + side, x : x + side].copy() for t, x in zip(tops, lefts, strict=True)]


def center(pixels: np.ndarray, *, margin: int) -> np.ndarray:
    """The tile inside a region."""
    return pixels[margin:-margin, margin:-margin] if margin else pixels

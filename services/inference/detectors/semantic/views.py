"""The views of an image the semantic head looks at, prepared as CLIP expects them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

SIDE = 224
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def whole_view(pixels: np.ndarray) -> np.ndarray:
    """The image's short side resized to 224 (bicubic, antialiased), centre-cropped square."""
    height, width = pixels.shape[:2]
    scale = SIDE / min(height, width)
    size = (max(round(width * scale), SIDE), max(round(height * scale), SIDE))
    resized = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC))
    return centre_square(resized)


def native_view(pixels: np.ndarray) -> np.ndarray:
    """A 224 px centre crop at native resolution (the whole image resized up if smaller)."""
    if min(pixels.shape[:2]) < SIDE:
        return whole_view(pixels)
    return centre_square(pixels)


def centre_square(pixels: np.ndarray) -> np.ndarray:
    """The central 224x224 square of an image at least that large."""
    height, width = pixels.shape[:2]
    top, left = (height - SIDE) // 2, (width - SIDE) // 2
    return pixels[top : top + SIDE, left : left + SIDE]


def pixel_values(views: list[np.ndarray]) -> np.ndarray:
    """uint8 (224, 224, 3) views as one normalised (n, 3, 224, 224) float32 batch."""
    batch = np.stack(views).astype(np.float32) / 255.0
    return np.ascontiguousarray(((batch - CLIP_MEAN) / CLIP_STD).transpose(0, 3, 1, 2))


VIEW_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "whole": whole_view,
    "native": native_view,
}

"""Robustness conditions: what happens to an image between its maker and the detector."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from training.pipeline.images import reencoded

Condition = Callable[[np.ndarray, int], np.ndarray]


def resized(pixels: np.ndarray, *, factor: float) -> np.ndarray:
    """Pixels scaled by `factor` with a bicubic filter (Pillow antialiases when shrinking)."""
    height, width = pixels.shape[:2]
    size = (max(round(width * factor), 1), max(round(height * factor), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC))


def lossy(format: str, quality: int) -> Condition:
    """Every image re-compressed by a lossy codec (JPEG, WebP, AVIF) at one quality."""
    return lambda pixels, _label: reencoded(pixels, format=format, quality=quality)


def scaled(factor: float) -> Condition:
    """Every image rescaled by one factor."""
    return lambda pixels, _label: resized(pixels, factor=factor)


def png_real_jpeg_fake(pixels: np.ndarray, label: int) -> np.ndarray:
    """Real images lossless and generated ones JPEG q90: a "JPEG means real" shortcut fails here."""
    return (
        reencoded(pixels, format="JPEG", quality=90) if label else reencoded(pixels, format="PNG")
    )


CONDITIONS: dict[str, Condition] = {
    "original": lambda pixels, _label: pixels,
    "png": lambda pixels, _label: reencoded(pixels, format="PNG"),
    "jpeg_q95": lossy("JPEG", 95),
    "jpeg_q75": lossy("JPEG", 75),
    "jpeg_q50": lossy("JPEG", 50),
    "webp_q80": lossy("WEBP", 80),
    "avif_q60": lossy("AVIF", 60),
    "downscale_0.5": scaled(0.5),
    "upscale_2x": scaled(2.0),
    "png_real_jpeg_fake": png_real_jpeg_fake,
}

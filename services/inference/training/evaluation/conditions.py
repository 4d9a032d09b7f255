"""Robustness conditions: what happens to an image between its maker and the detector."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

from services.inference.training.pipeline.images import encode

Condition = Callable[[np.ndarray, int], np.ndarray]


def reencoded(pixels: np.ndarray, *, format: str, quality: int = 95) -> np.ndarray:
    """Pixels after saving as PNG or JPEG and decoding again."""
    with Image.open(io.BytesIO(encode(pixels, format=format, quality=quality))) as image:
        return np.asarray(image.convert("RGB"))


def resized(pixels: np.ndarray, *, factor: float) -> np.ndarray:
    """Pixels scaled by `factor` with a bicubic filter (Pillow antialiases when shrinking)."""
    height, width = pixels.shape[:2]
    size = (max(round(width * factor), 1), max(round(height * factor), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC))


def jpeg(quality: int) -> Condition:
    """Every image re-compressed as JPEG at one quality."""
    return lambda pixels, _label: reencoded(pixels, format="JPEG", quality=quality)


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
    "jpeg_q95": jpeg(95),
    "jpeg_q75": jpeg(75),
    "jpeg_q50": jpeg(50),
    "downscale_0.5": scaled(0.5),
    "upscale_2x": scaled(2.0),
    "png_real_jpeg_fake": png_real_jpeg_fake,
}

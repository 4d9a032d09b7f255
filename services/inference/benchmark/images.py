"""Camera-sized test JPEGs made on the spot: smooth scenes with sensor-like noise."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def camera_like_jpeg(*, width: int, height: int, quality: int, seed: int) -> bytes:
    """A `width`x`height` JPEG at `quality`: low-frequency shapes plus per-pixel noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    scene = np.zeros((height, width, 3), np.float32)
    for _ in range(6):
        fy, fx = rng.uniform(0.5, 6, 2) * 2 * np.pi / np.array([height, width])
        phase, colour = rng.uniform(0, 2 * np.pi), rng.uniform(10, 40, 3)
        scene += np.sin(y * fy + x * fx + phase)[..., None] * colour
    scene += 128 + rng.normal(0, 6, scene.shape)
    pixels = np.clip(scene, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()

"""The `?explain=true` heatmap: each crop's score painted over a thumbnail of the image."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from PIL import Image

from services.inference.detectors.crops import CropGrid
from services.inference.predictions.schemas import Explanation

OVERLAY_ALPHA = 0.5


def thumbnail(pixels: np.ndarray, *, max_px: int) -> np.ndarray:
    """A small RGB copy of the image for drawing on."""
    image = Image.fromarray(pixels)
    image.thumbnail((max_px, max_px), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(image)


def explanation(
    *,
    thumb: np.ndarray,
    image_shape: tuple[int, int],
    grid: CropGrid,
    crop_scores: np.ndarray,
    crop_size: int,
) -> Explanation:
    """Tint every scored crop's area by its score; areas covered twice show the mean."""
    height, width = thumb.shape[:2]
    total = np.zeros((height, width), np.float32)
    count = np.zeros((height, width), np.float32)
    scale_y, scale_x = height / image_shape[0], width / image_shape[1]
    for (top, left), score in zip(grid.origins, crop_scores, strict=True):
        rows = _span(start=top, size=crop_size, limit=image_shape[0], scale=scale_y)
        cols = _span(start=left, size=crop_size, limit=image_shape[1], scale=scale_x)
        total[rows, cols] += float(score)
        count[rows, cols] += 1
    heat = _colour(total / np.maximum(count, 1))
    alpha = (OVERLAY_ALPHA * (count > 0))[..., None]
    blended = (thumb * (1 - alpha) + heat * alpha).astype(np.uint8)
    return Explanation(width=width, height=height, heatmap_png_base64=_png_base64(blended))


def _span(*, start: int, size: int, limit: int, scale: float) -> slice:
    # Crops of an image smaller than a crop extend into mirrored padding; clip them to the image.
    return slice(int(start * scale), max(math.ceil(min(start + size, limit) * scale), 1))


def _colour(scores: np.ndarray) -> np.ndarray:
    """Green (0) through yellow (0.5) to red (1)."""
    red = np.clip(2 * scores, 0, 1)
    green = np.clip(2 * (1 - scores), 0, 1)
    return np.stack([red, green, np.zeros_like(scores)], axis=-1) * 255


def _png_base64(pixels: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")

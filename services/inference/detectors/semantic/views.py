"""The views of an image the semantic head looks at, prepared as CLIP expects them."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image

from services.common.images import MAX_ASPECT_RATIO

SIDE = 224
BICUBIC = Image.Resampling.BICUBIC
BICUBIC_SUPPORT = 2.0  # source pixels either side of an output pixel's centre, when enlarging
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def whole_view(pixels: np.ndarray) -> np.ndarray:
    """The image's short side resized to 224 (bicubic, antialiased), centre-cropped square."""
    height, width = pixels.shape[:2]
    scale = SIDE / min(height, width)
    size = (max(round(width * scale), SIDE), max(round(height * scale), SIDE))
    # The card was trained and measured on whole-image resizing (one grey level of difference
    # moved the INT8 tower's scores visibly), so accepted shapes keep exactly those pixels.
    if size[0] * size[1] <= SIDE * SIDE * MAX_ASPECT_RATIO:
        return centre_square(np.asarray(Image.fromarray(pixels).resize(size, BICUBIC)))
    return centre_resampled(pixels, size=size)


def centre_resampled(pixels: np.ndarray, *, size: tuple[int, int]) -> np.ndarray:
    """The central 224x224 square of the image resized to `size`, at the square's cost.

    Resizing the whole image costs the resized image (a 30000x1 picture is 6,720,000x224 px);
    this reads only the pixels the filter reaches and computes only the square's. Pillow clips
    the filter to the image, not to the box, so the pixels are those of resizing the whole
    image, within one grey level (Pillow takes the box in float32).
    """
    height, width = pixels.shape[:2]
    columns = _source_span(start=(size[0] - SIDE) // 2, length=width, resized=size[0])
    rows = _source_span(start=(size[1] - SIDE) // 2, length=height, resized=size[1])
    row_band, column_band = _reach(rows, length=height), _reach(columns, length=width)
    band = pixels[row_band[0] : row_band[1], column_band[0] : column_band[1]]
    image = Image.fromarray(np.ascontiguousarray(band))
    across = (columns[0] - column_band[0], columns[1] - column_band[0])
    down = (rows[0] - row_band[0], rows[1] - row_band[0])
    # Pillow 13 resizes the width first unless the height shrinks more than twice as much as
    # the width; the same order rounds the 8-bit pass between the two the same way.
    if height - size[1] > 0 and height - size[1] > (width - size[0]) * 2:
        image = image.resize((image.width, SIDE), BICUBIC, box=(0, down[0], image.width, down[1]))
        return np.asarray(image.resize((SIDE, SIDE), BICUBIC, box=(across[0], 0, across[1], SIDE)))
    image = image.resize((SIDE, image.height), BICUBIC, box=(across[0], 0, across[1], image.height))
    return np.asarray(image.resize((SIDE, SIDE), BICUBIC, box=(0, down[0], SIDE, down[1])))


def _source_span(*, start: int, length: int, resized: int) -> tuple[float, float]:
    """Where the 224 px from `start` of an axis resized from `length` to `resized` come from."""
    return start * length / resized, (start + SIDE) * length / resized


def _reach(span: tuple[float, float], *, length: int) -> tuple[int, int]:
    """The source pixels a bicubic filter reads to resample `span` to 224 px."""
    margin = BICUBIC_SUPPORT * max((span[1] - span[0]) / SIDE, 1.0) + 1
    return max(math.floor(span[0] - margin), 0), min(math.ceil(span[1] + margin), length)


def native_view(pixels: np.ndarray) -> np.ndarray:
    """A 224 px centre crop at native resolution (the whole image resized up if smaller)."""
    if min(pixels.shape[:2]) < SIDE:
        return whole_view(pixels)
    return centre_square(pixels)


def native_top_left(pixels: np.ndarray) -> np.ndarray:
    """The top-left 224 px square at native resolution (the whole view if smaller)."""
    if min(pixels.shape[:2]) < SIDE:
        return whole_view(pixels)
    return pixels[:SIDE, :SIDE]


def native_bottom_right(pixels: np.ndarray) -> np.ndarray:
    """The bottom-right 224 px square at native resolution (the whole view if smaller)."""
    if min(pixels.shape[:2]) < SIDE:
        return whole_view(pixels)
    return pixels[-SIDE:, -SIDE:]


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
    "native_top_left": native_top_left,
    "native_bottom_right": native_bottom_right,
}

"""Native-resolution crops: the model never sees a resized image, so generator traces survive."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np


@dataclass(frozen=True, slots=True)
class CropGrid:
    """The crops taken from one image and where each came from (top, left)."""

    crops: np.ndarray  # (n, size, size, 3) uint8
    origins: list[tuple[int, int]]
    rows: int
    cols: int


def grid_positions(*, length: int, size: int, count: int) -> list[int]:
    """`count` evenly spaced crop starts on one axis, first and last crop flush with the edges."""
    if count <= 1 or length <= size:
        return [max((length - size) // 2, 0)]
    return [round(i * (length - size) / (count - 1)) for i in range(count)]


def grid_shape(*, height: int, width: int, size: int, max_crops: int) -> tuple[int, int]:
    """Rows and columns of crops that cover the image, scaled down to at most `max_crops`."""
    rows, cols = max(math.ceil(height / size), 1), max(math.ceil(width / size), 1)
    while rows * cols > max_crops:
        if rows >= cols and rows > 1:
            rows -= 1
        elif cols > 1:
            cols -= 1
    return rows, cols


def pad_to(pixels: np.ndarray, *, size: int) -> np.ndarray:
    """Mirror-pad an image smaller than a crop: no interpolation, so no upscaling artefacts."""
    pad_h, pad_w = max(size - pixels.shape[0], 0), max(size - pixels.shape[1], 0)
    if not pad_h and not pad_w:
        return pixels
    reflectable = pixels.shape[0] > pad_h and pixels.shape[1] > pad_w
    mode: Literal["reflect", "symmetric"] = "reflect" if reflectable else "symmetric"
    padded = np.pad(pixels, ((0, pad_h), (0, pad_w), (0, 0)), mode=mode)
    return pad_to(padded, size=size) if min(padded.shape[:2]) < size else padded


def crop_grid(pixels: np.ndarray, *, size: int, max_crops: int) -> CropGrid:
    """Take up to `max_crops` native-resolution `size`x`size` crops spread over the whole image."""
    # Positions as on the padded image, but each crop is cut before it is padded: padding the
    # whole of a thin image first cost `size` times its long side.
    height, width = max(pixels.shape[0], size), max(pixels.shape[1], size)
    rows, cols = grid_shape(height=height, width=width, size=size, max_crops=max_crops)
    tops = grid_positions(length=height, size=size, count=rows)
    lefts = grid_positions(length=width, size=size, count=cols)
    origins = [(top, left) for top in tops for left in lefts]
    cut = [pad_to(pixels[top : top + size, left : left + size], size=size) for top, left in origins]
    return CropGrid(crops=np.stack(cut), origins=origins, rows=rows, cols=cols)


def aggregate_logits(logits: np.ndarray) -> float:
    """One image logit from its crops' logits: the mean, so calibration sees the same statistic."""
    return float(np.mean(logits))

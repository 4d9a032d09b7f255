"""A camera's JPEG: its own quantisation tables, scaled like the camera's quality setting."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# The example tables of the JPEG standard (ITU-T T.81, Annex K), in natural (row-major) order.
LUMINANCE_TABLE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ]
)
CHROMINANCE_TABLE = np.full((8, 8), 99)
CHROMINANCE_TABLE[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]
FREQUENCY = np.add.outer(np.arange(8), np.arange(8)) / 14.0


def scaled_table(base: np.ndarray, *, quality: float, tilt: float) -> list[int]:
    """`base` scaled as libjpeg scales it for `quality`, then tilted towards high frequencies."""
    scale = 5000.0 / quality if quality < 50 else 200.0 - 2.0 * quality
    table = base * scale / 100.0 * (1.0 + tilt * (FREQUENCY - 0.5))
    return [int(value) for value in np.clip(np.rint(table), 1, 255).ravel()]


def camera_tables(*, rng: np.random.Generator) -> list[list[int]]:
    """Luminance and chrominance tables of one camera at a quality between 85 and 98."""
    quality = rng.uniform(85.0, 98.0)
    # Cameras do not use libjpeg's tables: theirs are flatter or steeper, chroma apart.
    tilt, chroma_shift = rng.uniform(-0.4, 0.4), rng.uniform(-4.0, 4.0)
    return [
        scaled_table(LUMINANCE_TABLE, quality=quality, tilt=tilt),
        scaled_table(CHROMINANCE_TABLE, quality=min(quality + chroma_shift, 99.0), tilt=tilt),
    ]


def jpeg_round_trip(pixels: np.ndarray, **options: object) -> np.ndarray:
    """uint8 pixels after saving as a JPEG with Pillow `options` and decoding again."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", **options)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        return np.asarray(image.convert("RGB"))

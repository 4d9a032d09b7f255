"""Reading an image file into upright 8-bit RGB pixels, the way the inference service decodes it."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from services.common.images import to_rgb_array
from services.inference.detectors.crops import pad_to

# Training data may hold large photos; the service's own upload limit is not the point here.
MAX_PIXELS = 200_000_000


@cache
def _register_openers() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.init()


def read_pixels(path: Path) -> np.ndarray:
    """An image file as upright (h, w, 3) uint8, converted as the service converts uploads."""
    _register_openers()
    with Image.open(path) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{path} has more than {MAX_PIXELS} pixels")
        image.load()
        return to_rgb_array(image)


def read_padded(path: bytes, size: int) -> np.ndarray:
    """`read_pixels` for tf.numpy_function, mirror-padded to at least `size` a side."""
    return pad_to(read_pixels(Path(path.decode())), size=int(size))


def encode(pixels: np.ndarray, *, format: str, quality: int = 95) -> bytes:
    """Pixels saved as PNG (fast, lossless) or as lossy JPEG, WebP or AVIF at `quality`."""
    buffer = io.BytesIO()
    options = {"compress_level": 1} if format == "PNG" else {"quality": quality}
    Image.fromarray(pixels).save(buffer, format=format, **options)
    return buffer.getvalue()


def reencoded(pixels: np.ndarray, *, format: str, quality: int = 95) -> np.ndarray:
    """Pixels after saving in `format` and decoding again."""
    with Image.open(io.BytesIO(encode(pixels, format=format, quality=quality))) as image:
        return np.asarray(image.convert("RGB"))

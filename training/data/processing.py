"""Matched processing: both classes go through one random pipeline of crops, sizes and codecs.

Real photos arrive as large JPEGs and the generator outputs as ~400 px WebP; unless both pass
through the same resizing and re-encoding, a model learns "small WebP" instead of "AI"
("Fake or JPEG?", arXiv 2403.17608). Every draw here is independent of the label.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

CODECS = ("none", "JPEG", "WEBP", "AVIF")


@dataclass(frozen=True, slots=True)
class ProcessingConfig:
    """The random pipeline's ranges, the same for both classes."""

    crop_share: tuple[float, float] = (0.6, 1.0)
    # Width / height of the crop, drawn whatever the source's own shape (AI outputs are mostly
    # square, photos 4:3 or 3:2: the shape alone would separate them).
    aspects: tuple[float, ...] = (1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3, 16 / 9, 9 / 16)
    short_side: tuple[int, int] = (224, 512)
    codec_weights: tuple[float, ...] = (0.25, 0.35, 0.25, 0.15)
    quality: tuple[int, int] = (60, 95)


@dataclass(frozen=True, slots=True)
class Processed:
    """The pixels a model sees and the facts a shortcut could use: format, size, quality, bytes."""

    pixels: np.ndarray
    codec: str
    quality: int
    encoded_bytes: int


def random_crop(
    pixels: np.ndarray, *, share: float, aspect: float, rng: np.random.Generator
) -> np.ndarray:
    """A crop of width/height `aspect`, `share` of the largest such crop, at a random place."""
    height, width = pixels.shape[:2]
    full_w = min(width, height * aspect)
    crop_w = max(round(full_w * share), 1)
    crop_h = max(min(round(full_w * share / aspect), height), 1)
    top = int(rng.integers(0, height - crop_h + 1))
    left = int(rng.integers(0, width - crop_w + 1))
    return pixels[top : top + crop_h, left : left + crop_w]


def short_side_resized(pixels: np.ndarray, *, short_side: int) -> np.ndarray:
    """Pixels resized (Lanczos) so that their short side is `short_side`."""
    height, width = pixels.shape[:2]
    scale = short_side / min(height, width)
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def long_side_resized(pixels: np.ndarray, *, long_side: int) -> np.ndarray:
    """Pixels resized (Lanczos) so that their long side is `long_side`."""
    height, width = pixels.shape[:2]
    scale = long_side / max(height, width)
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def long_side_at_most(pixels: np.ndarray, *, long_side: int) -> np.ndarray:
    """Pixels shrunk (Lanczos) so that their long side is at most `long_side`, never enlarged."""
    if max(pixels.shape[:2]) <= long_side:
        return pixels
    return long_side_resized(pixels, long_side=long_side)


def encoded(pixels: np.ndarray, *, codec: str, quality: int) -> tuple[np.ndarray, int]:
    """Pixels after a round trip through `codec` (PNG for `none`) and the encoded size."""
    buffer = io.BytesIO()
    if codec == "none":
        Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    else:
        Image.fromarray(pixels).save(buffer, format=codec, quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        return np.asarray(image.convert("RGB")), buffer.tell()


def processed(
    pixels: np.ndarray, *, rng: np.random.Generator, config: ProcessingConfig
) -> Processed:
    """One draw of the matched pipeline: crop, resize, then a codec at a random quality."""
    share, aspect = float(rng.uniform(*config.crop_share)), float(rng.choice(config.aspects))
    cropped = random_crop(pixels, share=share, aspect=aspect, rng=rng)
    low, high = np.log(config.short_side[0]), np.log(config.short_side[1])
    resized = short_side_resized(cropped, short_side=round(float(np.exp(rng.uniform(low, high)))))
    codec = str(rng.choice(CODECS, p=np.asarray(config.codec_weights)))
    quality = int(rng.integers(config.quality[0], config.quality[1] + 1))
    result, size = encoded(resized, codec=codec, quality=quality)
    return Processed(pixels=result, codec=codec, quality=quality, encoded_bytes=size)


def laundered(pixels: np.ndarray) -> np.ndarray:
    """As social platforms deliver images: long side at most 1080 (Lanczos), JPEG quality 85."""
    return encoded(long_side_at_most(pixels, long_side=1080), codec="JPEG", quality=85)[0]

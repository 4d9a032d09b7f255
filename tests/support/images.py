"""Images the tests make themselves."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def photo_like(*, width: int = 192, height: int = 160, seed: int = 0) -> Image.Image:
    """A smooth, noisy RGB picture: different bytes for every seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], axis=-1)
    pixels = np.clip(base + rng.normal(0, 12, size=base.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def encode(image: Image.Image, *, format: str = "JPEG", **options: object) -> bytes:
    """The image encoded in a format."""
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def jpeg(*, seed: int = 0, width: int = 192, height: int = 160) -> bytes:
    """A JPEG of a photo-like picture."""
    return encode(photo_like(width=width, height=height, seed=seed), format="JPEG", quality=90)


def png(*, seed: int = 0, width: int = 192, height: int = 160) -> bytes:
    """A PNG of a photo-like picture."""
    return encode(photo_like(width=width, height=height, seed=seed), format="PNG")


def webp(*, seed: int = 0) -> bytes:
    """A WebP of a photo-like picture."""
    return encode(photo_like(seed=seed), format="WEBP", quality=90)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(*, width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge picture: must be refused before decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def truncated_jpeg(*, seed: int = 0) -> bytes:
    """A JPEG cut off two thirds of the way through its picture data."""
    data = jpeg(seed=seed)
    return data[: len(data) * 2 // 3]


def flat_jpeg(*, level: int, seed: int, size: int = 48) -> bytes:
    """A small JPEG of one grey level with faint noise: distinct bytes for every seed."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(level + rng.normal(0, 3, size=(size, size, 3)), 0, 255).astype(np.uint8)
    return encode(Image.fromarray(pixels, "RGB"), format="JPEG", quality=90)

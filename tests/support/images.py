"""Images the tests make themselves."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from collections.abc import Callable, Iterator
from functools import cache, partial

import numpy as np
from PIL import Image, ImageDraw


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


def noise_png(*, width: int, height: int, seed: int = 0) -> bytes:
    """A PNG of random pixels: thin ones (30000x1) are about 100 KB, as an attacker sends them."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return encode(Image.fromarray(pixels, "RGB"), format="PNG")


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


def png_with_chunks(*chunks: tuple[bytes, bytes], after_pixels: bool = False) -> bytes:
    """A photo-like PNG with extra (kind, data) chunks after its header or after its pixels."""
    data = png()
    cut = len(data) - 12 if after_pixels else 8 + 25  # before IEND, or after signature + IHDR
    return data[:cut] + b"".join(_png_chunk(*chunk) for chunk in chunks) + data[cut:]


@cache
def _expanding(size: int) -> bytes:
    return zlib.compress(b"a" * size, 9)


def png_with_metadata_bomb(kind: str) -> bytes:
    """A small PNG whose text or colour profile expands past what Pillow will read."""
    huge, just_under_cap = _expanding(50 << 20), _expanding((1 << 20) - 64)
    chunks = {
        "ztxt": [(b"zTXt", b"Comment\0\0" + huge)],
        "itxt-after-pixels": [(b"iTXt", b"Comment\0\1\0\0\0" + huge)],
        "iccp": [(b"iCCP", b"profile\0\0" + huge)],
        "many-ztxt": [(b"zTXt", b"C%d\0\0" % i + just_under_cap) for i in range(70)],
    }[kind]
    return png_with_chunks(*chunks, after_pixels=kind.endswith("after-pixels"))


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def truncated_jpeg(*, seed: int = 0) -> bytes:
    """A JPEG cut off two thirds of the way through its picture data."""
    data = jpeg(seed=seed)
    return data[: len(data) * 2 // 3]


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def flat_cmyk_profile(*, lightness: int = 200) -> bytes:
    """A tiny ICC v2 CMYK input profile that maps every colour to one neutral grey.

    LittleCMS can build only RGB, Lab and XYZ profiles, so the tests write a CMYK one by hand:
    a header, then `desc`, `wtpt`, `cprt` and an 8-bit `A2B0` lookup table to Lab.
    """
    white = _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    identity = b"".join(_s15(float(row == col)) for row in range(3) for col in range(3))
    ramp = bytes(range(256))
    lut = b"mft1" + bytes(4) + bytes([4, 3, 2, 0]) + identity + ramp * 4
    lut += bytes([lightness, 128, 128]) * 16 + ramp * 3
    desc = b"flat grey\0"
    tags = [
        (b"desc", b"desc" + bytes(4) + struct.pack(">I", len(desc)) + desc + bytes(78)),
        (b"wtpt", b"XYZ " + bytes(4) + white),
        (b"cprt", b"text" + bytes(4) + b"none\0"),
        (b"A2B0", lut),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    header = struct.pack(">I", start + len(data)) + bytes(4) + struct.pack(">I", 0x02100000)
    header += b"scnrCMYKLab " + bytes(12) + b"acsp" + bytes(28) + bytes(4) + white
    return header.ljust(128, b"\0") + struct.pack(">I", len(tags)) + table + data


def png_16_bit_rgb(samples: np.ndarray) -> bytes:
    """A 48-bit RGB PNG of these (height, width, 3) 16-bit samples (Pillow cannot write one)."""
    height, width, _ = samples.shape
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in samples)
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def flat_jpeg(*, level: int, seed: int, size: int = 48) -> bytes:
    """A small JPEG of one grey level with faint noise: distinct bytes for every seed."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(level + rng.normal(0, 3, size=(size, size, 3)), 0, 255).astype(np.uint8)
    return encode(Image.fromarray(pixels, "RGB"), format="JPEG", quality=90)


def scene(*, seed: int, width: int = 320, height: int = 256) -> Image.Image:
    """A picture of random shapes on a random ground: each seed a different composition."""
    rng = np.random.default_rng(seed)
    ground = tuple(int(value) for value in rng.integers(0, 256, 3))
    image = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        box = (
            x0,
            y0,
            x0 + int(rng.integers(20, width // 2)),
            y0 + int(rng.integers(20, height // 2)),
        )
        colour = tuple(int(value) for value in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    noisy = np.asarray(image, dtype=np.float64) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def _reencoded(image: Image.Image, *, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(encode(image, format="JPEG", quality=quality))).convert("RGB")


def halved(image: Image.Image) -> Image.Image:
    """Resized to 0.5x."""
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.BILINEAR)


def jpeg_q70(image: Image.Image) -> Image.Image:
    """Re-compressed as JPEG at quality 70."""
    return _reencoded(image, quality=70)


def cropped(image: Image.Image) -> Image.Image:
    """Cropped by 10% (5% off each side), then saved again as JPEG."""
    dx, dy = round(image.width * 0.05), round(image.height * 0.05)
    return _reencoded(image.crop((dx, dy, image.width - dx, image.height - dy)), quality=85)


def cropped_on(image: Image.Image, *, side: str) -> Image.Image:
    """Cropped by 10% on one side only, then saved again as JPEG."""
    dx, dy = round(image.width * 0.1), round(image.height * 0.1)
    boxes = {
        "left": (dx, 0, image.width, image.height),
        "right": (0, 0, image.width - dx, image.height),
        "top": (0, dy, image.width, image.height),
        "bottom": (0, 0, image.width, image.height - dy),
    }
    return _reencoded(image.crop(boxes[side]), quality=85)


def tiles(image: Image.Image, *, min_px: int = 64) -> Iterator[Image.Image]:
    """The picture cut into non-overlapping tiles of 1/2 down to 1/6 of each side, at least
    `min_px`: pieces of real photographs make unrelated pictures with real content."""
    for parts in range(2, 7):
        width, height = image.width // parts, image.height // parts
        if min(width, height) < min_px:
            continue
        for row, column in itertools.product(range(parts), range(parts)):
            left, top = column * width, row * height
            yield image.crop((left, top, left + width, top + height))


def screenshot(image: Image.Image) -> Image.Image:
    """Rescaled to 90% inside a white frame with a wider top bar, as a screenshot shows it."""
    small = image.resize((round(image.width * 0.9), round(image.height * 0.9)))
    framed = Image.new("RGB", (small.width + 40, small.height + 60), (255, 255, 255))
    framed.paste(small, (20, 40))
    return framed


ALTERATIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "resized": halved,
    "jpeg70": jpeg_q70,
    "cropped": cropped,
    **{
        f"cropped_{side}": partial(cropped_on, side=side)
        for side in ("left", "right", "top", "bottom")
    },
    "screenshot": screenshot,
}

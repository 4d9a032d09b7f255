"""PDQ perceptual hashes of decoded pixels, robust to resizing and re-compression."""

from __future__ import annotations

import numpy as np
import pdqhash
from PIL import Image, ImageChops

from services.common.contract import Fingerprints

# PDQ reduces every picture to 64x64 anyway; hashing a 512-pixel copy gives the same bits
# and keeps a 12-megapixel photo from costing over a second.
HASHED_SIDE_PX = 512
# How far a pixel may stray from the corner's colour and still count as border.
BORDER_TOLERANCE = 24
CENTRE_FRACTION = 0.9


def fingerprints_of(pixels: np.ndarray) -> Fingerprints:
    """The PDQ hashes of the whole picture, of it without a uniform border, and of its centre."""
    image = Image.fromarray(pixels, "RGB")
    image.thumbnail((HASHED_SIDE_PX, HASHED_SIDE_PX))
    whole, quality = pdq_of(image)
    return Fingerprints(
        pdq=whole,
        pdq_quality=quality,
        pdq_trimmed=pdq_of(trimmed(image))[0],
        pdq_centre=pdq_of(centre(image))[0],
    )


def pdq_of(image: Image.Image) -> tuple[str, int]:
    """The PDQ hash as 64 hex digits, and its quality."""
    bits, quality = pdqhash.compute(np.asarray(image))
    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return packed.tobytes().hex(), int(quality)


def trimmed(image: Image.Image) -> Image.Image:
    """The picture inside a uniform frame of the top-left corner's colour, if it has one."""
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    difference = ImageChops.difference(image, background).convert("L")
    box = difference.point(lambda value: 255 if value > BORDER_TOLERANCE else 0).getbbox()
    return image.crop(box) if box else image


def centre(image: Image.Image) -> Image.Image:
    """The central 90% of the picture in each direction."""
    margin_x = round(image.width * (1 - CENTRE_FRACTION) / 2)
    margin_y = round(image.height * (1 - CENTRE_FRACTION) / 2)
    return image.crop((margin_x, margin_y, image.width - margin_x, image.height - margin_y))

"""PDQ perceptual hashes of decoded pixels, robust to resizing and re-compression."""

from __future__ import annotations

import numpy as np
import pdqhash
from PIL import Image, ImageChops

from services.common.contract import Fingerprints

# PDQ reduces every picture to 64x64 anyway; hashing a 256-pixel copy keeps the match rates
# (benchmarks/known_images.py) and costs a 1600x1200 photo about 6 ms instead of 1.6 s.
HASHED_SIDE_PX = 256
# How far a pixel may stray from the corner's colour and still count as border.
BORDER_TOLERANCE = 24
CENTRE_FRACTION = 0.9
# A copy cropped on one side only lands near the known image with that side trimmed.
SIDE_TRIM = 0.1
SIDES = ("left", "right", "top", "bottom")


def fingerprints_of(pixels: np.ndarray, *, for_known: bool = False) -> Fingerprints:
    """The PDQ hashes of the whole picture and of it without a uniform border; `for_known`
    adds those of its central 90% and of it trimmed on each side (a known image's, not a
    check's)."""
    image = small_copy(pixels)
    whole, quality = pdq_of(image)
    inside = trimmed(image)
    inside_hash, inside_quality = (whole, quality) if inside.size == image.size else pdq_of(inside)
    found = Fingerprints(
        pdq=whole,
        pdq_quality=quality,
        pdq_trimmed=inside_hash,
        pdq_trimmed_quality=inside_quality,
    )
    if for_known:
        found.pdq_centre, found.pdq_centre_quality = pdq_of(centre(image))
        sides = [pdq_of(without_side(image, side=side)) for side in SIDES]
        found.pdq_sides = [side for side, _ in sides]
        found.pdq_sides_quality = [side_quality for _, side_quality in sides]
    return found


def small_copy(pixels: np.ndarray) -> Image.Image:
    """The picture with its long side at most HASHED_SIDE_PX, box-filtered (never enlarged)."""
    # Taking every n-th pixel first, down to twice the size, spares copying a whole photo.
    step = max(1, max(pixels.shape[:2]) // (2 * HASHED_SIDE_PX))
    image = Image.fromarray(np.ascontiguousarray(pixels[::step, ::step]), "RGB")
    scale = max(image.size) / HASHED_SIDE_PX
    if scale <= 1:
        return image
    size = (max(1, round(image.width / scale)), max(1, round(image.height / scale)))
    return image.resize(size, Image.Resampling.BOX, reducing_gap=2.0)


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


def without_side(image: Image.Image, *, side: str) -> Image.Image:
    """The picture with SIDE_TRIM of its width or height cut off one side."""
    cut_x, cut_y = round(image.width * SIDE_TRIM), round(image.height * SIDE_TRIM)
    boxes = {
        "left": (cut_x, 0, image.width, image.height),
        "right": (0, 0, image.width - cut_x, image.height),
        "top": (0, cut_y, image.width, image.height),
        "bottom": (0, 0, image.width, image.height - cut_y),
    }
    return image.crop(boxes[side])


def centre(image: Image.Image) -> Image.Image:
    """The central 90% of the picture in each direction."""
    margin_x = round(image.width * (1 - CENTRE_FRACTION) / 2)
    margin_y = round(image.height * (1 - CENTRE_FRACTION) / 2)
    return image.crop((margin_x, margin_y, image.width - margin_x, image.height - margin_y))

"""Safe image opening shared by the services: sniff the bytes, bound the pixels, decode fully."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageOps

from services.common.problems import PayloadTooLarge, UnprocessableContent, UnsupportedMediaType

# Pillow format name -> the MIME type we record and serve back.
SUPPORTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "HEIF": "image/heic",
}
SUPPORTED_NAMES = "JPEG, PNG, WebP, AVIF or HEIC"
# The openers to try; JPEG's also opens MPO files, which have no opener of their own.
OPENERS = ["JPEG", "PNG", "WEBP", "AVIF", "HEIF"]


class EmptyImage(UnprocessableContent):
    slug = "empty-file"


class NotAnImage(UnsupportedMediaType):
    slug = "unsupported-image"


class CorruptImage(UnprocessableContent):
    slug = "corrupt-image"


class TooManyPixels(PayloadTooLarge):
    slug = "too-many-pixels"


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What a valid upload is: its format and size in pixels."""

    format: str
    mime_type: str
    width: int
    height: int


@cache
def _register_extra_openers() -> None:
    from pillow_heif import register_heif_opener

    # Image.open(formats=…) raises KeyError for a format whose plugin is not loaded yet.
    Image.init()
    register_heif_opener()


def open_image(data: bytes, *, max_pixels: int) -> Image.Image:
    """Open (not yet decode) an upload, whatever its name claims, refusing bombs before decoding."""
    if not data:
        raise EmptyImage("The file is empty.")
    _register_extra_openers()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(f"The image has more than {max_pixels} pixels.") from exc
    except Exception as exc:  # Pillow raises many types for bytes it cannot identify
        raise NotAnImage(f"The file is not a {SUPPORTED_NAMES} image.") from exc
    if image.width * image.height > max_pixels:
        raise TooManyPixels(
            f"The image is {image.width}x{image.height}; at most {max_pixels} pixels are accepted."
        )
    return image


def decode_image(data: bytes, *, max_pixels: int) -> tuple[Image.Image, ImageFacts]:
    """Open and fully decode an upload, so truncated or corrupt files are caught."""
    image = open_image(data, max_pixels=max_pixels)
    facts = ImageFacts(
        format=image.format or "",
        mime_type=SUPPORTED_FORMATS.get(image.format or "", "application/octet-stream"),
        width=image.width,
        height=image.height,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except Exception as exc:  # truncated data, bad CRCs, broken markers…
        raise CorruptImage("The image is truncated or corrupt and cannot be decoded.") from exc
    return image, facts


def inspect_image(data: bytes, *, max_pixels: int) -> ImageFacts:
    """Validate an upload completely and return its facts."""
    _, facts = decode_image(data, max_pixels=max_pixels)
    return facts


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """The image as upright 8-bit RGB (EXIF orientation applied, 16-bit scaled, alpha dropped)."""
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in {"I;16", "I;16L", "I;16B", "I;16N", "I"}:
        grey = np.clip(np.asarray(upright, dtype=np.int64) >> 8, 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(upright.convert("RGB"), dtype=np.uint8)

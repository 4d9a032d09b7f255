"""Safe image opening shared by the services: sniff the bytes, bound the pixels, decode fully."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: CMYK gets Pillow's plain conversion
    ImageCms = None  # type: ignore[assignment]

from services.common.problems import PayloadTooLarge, UnprocessableContent, UnsupportedMediaType

# Pillow format name -> the MIME type we record and serve back.
SUPPORTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "HEIF": "image/heic",
    "TIFF": "image/tiff",
}
SUPPORTED_NAMES = "JPEG, PNG, WebP, AVIF, HEIC or TIFF"
# The openers to try; JPEG's also opens MPO files, which have no opener of their own.
OPENERS = ["JPEG", "PNG", "WEBP", "AVIF", "HEIF", "TIFF"]
# Modes whose samples are wider than 8 bits; taken as 16-bit (0..65535) and scaled, not clipped.
WIDE_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}
WHITE = (255, 255, 255)
# Every mode `to_rgb_image` turns into RGB; anything else (LAB, multi-band TIFF) is refused.
CONVERTIBLE_MODES = {"1", "L", "P", "RGB", "RGBA", "RGBX", "RGBa", "LA", "La", "PA", "CMYK"}
CONVERTIBLE_MODES |= {"YCbCr", "I;16", "I;16L", "I;16B", "I;16N", "I", "F"}
# The shapes the detectors can analyse. A shorter side holds too little to judge (PDQ hashes
# such a picture to zeros), and a longer strip is no photograph; web banners (728x90, 8:1) and
# panoramas (8:1) pass, the 30000x1 strips once sent to exhaust the views' memory do not.
MIN_SIDE_PX = 16
MAX_ASPECT_RATIO = 20


class EmptyImage(UnprocessableContent):
    slug = "empty-file"


class NotAnImage(UnsupportedMediaType):
    slug = "unsupported-image"


class CorruptImage(UnprocessableContent):
    slug = "corrupt-image"


class TooManyPixels(PayloadTooLarge):
    slug = "too-many-pixels"


class MetadataTooLarge(UnprocessableContent):
    slug = "metadata-too-large"


class UnsupportedColours(UnsupportedMediaType):
    slug = "unsupported-colour-mode"


class UnsupportedShape(UnprocessableContent):
    slug = "unsupported-image-shape"


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
        raise _oversized_metadata(exc) or NotAnImage(
            f"The file is not a {SUPPORTED_NAMES} image."
        ) from exc
    if image.width * image.height > max_pixels:
        raise TooManyPixels(
            f"The image is {image.width}x{image.height}; at most {max_pixels} pixels are accepted."
        )
    if image.mode not in CONVERTIBLE_MODES:
        raise UnsupportedColours(f"Images in colour mode {image.mode} are not supported.")
    return image


def check_shape(*, width: int, height: int) -> None:
    """Refuse an image too small or too thin to analyse, naming the limits."""
    short, long = sorted((width, height))
    if short < MIN_SIDE_PX or long > short * MAX_ASPECT_RATIO:
        raise UnsupportedShape(
            f"The image is {width}x{height}; its short side must be at least {MIN_SIDE_PX} px "
            f"and its long side at most {MAX_ASPECT_RATIO} times its short side."
        )


def decode_image(data: bytes, *, max_pixels: int) -> tuple[Image.Image, ImageFacts]:
    """Open an upload, check its shape and decode it fully, so corrupt files are caught."""
    image = open_image(data, max_pixels=max_pixels)
    check_shape(width=image.width, height=image.height)
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
        raise _oversized_metadata(exc) or CorruptImage(
            "The image is truncated or corrupt and cannot be decoded."
        ) from exc
    return image, facts


def _oversized_metadata(exc: Exception) -> MetadataTooLarge | None:
    """Pillow's refusal of a PNG's oversized text or colour profile chunks, named as such."""
    # Pillow raises a bare ValueError here (before or after the pixels); only its message,
    # which names the limit, tells it apart from a broken file.
    message = str(exc) if isinstance(exc, ValueError) else ""
    if "MAX_TEXT_CHUNK" in message:
        return MetadataTooLarge(
            "The PNG has a compressed text chunk or colour profile that expands past "
            f"{_mib(PngImagePlugin.MAX_TEXT_CHUNK)}; such metadata is not accepted."
        )
    if "MAX_TEXT_MEMORY" in message:
        return MetadataTooLarge(
            f"The PNG's text chunks hold more than {_mib(PngImagePlugin.MAX_TEXT_MEMORY)} "
            "in all; such metadata is not accepted."
        )
    return None


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"


def inspect_image(data: bytes, *, max_pixels: int) -> ImageFacts:
    """Validate an upload completely and return its facts."""
    _, facts = decode_image(data, max_pixels=max_pixels)
    return facts


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """The image as upright 8-bit RGB pixels (see `to_rgb_image`)."""
    return np.asarray(to_rgb_image(image), dtype=np.uint8)


def to_rgb_image(image: Image.Image) -> Image.Image:
    """The image upright (EXIF orientation) as 8-bit RGB, converted with care.

    16-bit samples are scaled to 8 bits, alpha is composited on white, CMYK goes through its
    embedded ICC profile when it has one, and palette and 1-bit images are expanded.
    """
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in WIDE_MODES:
        return _wide_to_rgb(upright)
    if upright.mode == "CMYK":
        return _cmyk_to_rgb(upright)
    if upright.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or "transparency" in upright.info:
        return _on_white(upright.convert("RGBA"))
    return upright.convert("RGB")


def _wide_to_rgb(image: Image.Image) -> Image.Image:
    samples = np.clip(np.asarray(image, dtype=np.float64), 0, 65535)
    grey = np.rint(samples / 257).astype(np.uint8)
    return Image.fromarray(grey, mode="L").convert("RGB")


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile and ImageCms is not None:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (OSError, ImageCms.PyCMSError):  # a profile LittleCMS refuses: plain conversion
            converted = None
        if converted is not None:
            return converted
    return image.convert("RGB")


def _on_white(rgba: Image.Image) -> Image.Image:
    background = Image.new("RGBA", rgba.size, (*WHITE, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")

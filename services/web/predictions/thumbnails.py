"""Small JPEG renditions of checked images: history thumbnails, result pictures, any format."""

from __future__ import annotations

import base64
import io

from PIL import Image

from services.common.images import open_image, to_rgb_image

# Widths the pages ask for: history thumbnails and the result page's picture.
RENDITION_WIDTHS = frozenset({320, 960})


def rendition(data: bytes, *, max_px: int, max_pixels: int) -> bytes | None:
    """The image upright, as RGB, fitted in a `max_px` square, as JPEG; None if it won't decode."""
    try:
        image = open_image(data, max_pixels=max_pixels)
        image.draft("RGB", (max_px, max_px))  # JPEG decodes straight to a smaller size
        upright = to_rgb_image(image)
        upright.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    except Exception:  # any decode failure just means "no picture"
        return None
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def data_uri(jpeg: bytes | None) -> str | None:
    """A JPEG as a data: URI for an <img>, or None."""
    if jpeg is None:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")

"""The fast RGB path gives exactly the shared conversion's pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from services.common.images import to_rgb_array
from services.inference.imaging import upright_rgb
from tests.support.images import encode, photo_like


def rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(photo_like(), format="JPEG", exif=exif)


@pytest.mark.parametrize(
    "data",
    [
        encode(photo_like(), format="JPEG"),
        encode(photo_like(), format="PNG"),
        encode(photo_like().convert("RGBA"), format="PNG"),
        encode(photo_like().convert("L"), format="PNG"),
        rotated_jpeg(),
    ],
    ids=["rgb-jpeg", "rgb-png", "rgba", "grey", "rotated"],
)
def test_fast_path_matches_the_shared_conversion(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()

    np.testing.assert_array_equal(upright_rgb(image), to_rgb_array(image))

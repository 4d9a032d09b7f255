"""Upright RGB pixels from every kind of image people send, and the fast path's equal pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from services.common.images import decode_image, open_image, to_rgb_array, to_rgb_image
from services.common.problems import UnsupportedMediaType
from services.inference.imaging import upright_rgb
from tests.support.images import encode, flat_cmyk_profile, photo_like, png_16_bit_rgb


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


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int64)


def _samples_image(data: bytes) -> Image.Image:
    """A file of a few sample pixels opened as the services do, less the shape check."""
    image = open_image(data, max_pixels=10**8)
    image.load()
    return image


def test_multi_page_tiff_gives_its_first_page() -> None:
    first, second = photo_like(seed=1), photo_like(seed=2)
    data = encode(first, format="TIFF", save_all=True, append_images=[second])

    image, facts = decode_image(data, max_pixels=10**8)

    assert (facts.format, facts.mime_type) == ("TIFF", "image/tiff")
    assert getattr(image, "n_frames", 1) == 2
    np.testing.assert_array_equal(to_rgb_array(image), np.asarray(first))


@pytest.mark.parametrize("format", ["PNG", "TIFF"])
def test_16_bit_grey_is_scaled_not_clipped(format: str) -> None:
    samples = np.array([[0, 257, 25_800, 32_896, 65_535]], dtype=np.uint16)
    data = encode(Image.fromarray(samples), format=format)

    image = _samples_image(data)
    rgb = to_rgb_array(image)

    assert rgb.shape == (1, 5, 3)
    assert rgb[0, :, 0].tolist() == [0, 1, 100, 128, 255]
    assert (rgb[..., 0] == rgb[..., 2]).all()


def test_16_bit_rgb_is_scaled_not_clipped() -> None:
    samples = np.array([[[0, 257, 25_800], [32_896, 65_535, 12_850]]], dtype=np.uint16)

    image = _samples_image(png_16_bit_rgb(samples))

    expected = np.rint(samples / 257)
    assert np.abs(to_rgb_array(image).astype(np.int64) - expected).max() <= 1


def test_32_bit_samples_are_taken_as_16_bit() -> None:
    samples = np.array([[-5, 0, 32_896, 65_535, 1_000_000]], dtype=np.int32)
    data = encode(Image.fromarray(samples), format="TIFF")

    image = _samples_image(data)

    assert to_rgb_array(image)[0, :, 0].tolist() == [0, 0, 128, 255, 255]


@pytest.mark.parametrize("format", ["JPEG", "TIFF"])
def test_cmyk_without_a_profile_gets_pillows_conversion(format: str) -> None:
    data = encode(photo_like().convert("CMYK"), format=format)

    image, _ = decode_image(data, max_pixels=10**8)

    np.testing.assert_array_equal(to_rgb_array(image), np.asarray(image.convert("RGB")))


@pytest.mark.parametrize("profile", [b"not a profile", "lab"])
def test_cmyk_with_a_profile_littlecms_refuses_still_converts(profile: bytes | str) -> None:
    if profile == "lab":
        cms = pytest.importorskip("PIL.ImageCms")
        profile = cms.ImageCmsProfile(cms.createProfile("LAB")).tobytes()
    data = encode(photo_like().convert("CMYK"), format="TIFF", icc_profile=profile)

    image, _ = decode_image(data, max_pixels=10**8)

    assert image.info["icc_profile"] == profile
    np.testing.assert_array_equal(to_rgb_array(image), np.asarray(image.convert("RGB")))


def test_cmyk_profile_is_honoured() -> None:
    pytest.importorskip("PIL.ImageCms")
    cmyk = photo_like().convert("CMYK")
    data = encode(cmyk, format="TIFF", icc_profile=flat_cmyk_profile())

    image, _ = decode_image(data, max_pixels=10**8)
    rgb = to_rgb_array(image)

    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) == 1  # the profile's one grey
    assert rgb[0, 0, 0] == rgb[0, 0, 1] == rgb[0, 0, 2] > 100
    assert len(np.unique(np.asarray(cmyk.convert("RGB")).reshape(-1, 3), axis=0)) > 100


def test_alpha_is_composited_on_white() -> None:
    rgba = Image.new("RGBA", (2, 1))
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    rgba.putpixel((1, 0), (0, 0, 200, 128))
    image = _samples_image(encode(rgba, format="PNG"))

    rgb = _pixels(to_rgb_image(image))

    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert np.abs(rgb[0, 1] - [127, 127, 227]).max() <= 1


def test_palette_transparency_and_grey_alpha_are_composited_on_white() -> None:
    palette = Image.new("P", (2, 1))
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.putpixel((1, 0), 1)
    grey_alpha = Image.new("LA", (2, 1), (0, 0))
    grey_alpha.putpixel((1, 0), (0, 255))

    for data in (encode(palette, format="PNG", transparency=0), encode(grey_alpha, format="PNG")):
        image = _samples_image(data)
        rgb = _pixels(to_rgb_image(image))
        assert rgb[0, 0].tolist() == [255, 255, 255], image.mode
        assert rgb[0, 1].tolist() != [255, 255, 255], image.mode


def test_bilevel_scan_as_group4_tiff() -> None:
    scan = Image.new("1", (64, 32), 1)
    scan.paste(0, (8, 8, 24, 24))
    image, facts = decode_image(encode(scan, format="TIFF", compression="group4"), max_pixels=10**8)

    rgb = to_rgb_array(image)

    assert facts.mime_type == "image/tiff"
    assert rgb[0, 0].tolist() == [255, 255, 255] and rgb[10, 10].tolist() == [0, 0, 0]


def test_colour_modes_without_an_rgb_conversion_are_refused() -> None:
    data = encode(Image.new("LAB", (8, 8)), format="TIFF")

    with pytest.raises(UnsupportedMediaType, match="LAB"):
        decode_image(data, max_pixels=10**8)


def test_refusal_names_the_accepted_formats() -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        decode_image(encode(photo_like(), format="GIF"), max_pixels=10**8)

    assert refused.value.detail is not None
    for name in ("JPEG", "PNG", "WebP", "AVIF", "HEIC", "TIFF"):
        assert name in refused.value.detail

"""The camera and scanner pipeline: faithful unprocessing, ISO noise, and variants that behave."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin
from scipy import ndimage

from training.data.camera import CAMERA_VARIANTS, film_scan, hdr, print_scan, raw
from training.data.camera.jpeg import camera_tables
from training.data.camera.variants import old_phone


def smooth_photo(*, height: int, width: int, seed: int) -> np.ndarray:
    """A smooth colour field in mid tones: detail the mosaic can hold, no clipped colours."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(40, 200, size=(max(height // 16, 2), max(width // 16, 2), 3))
    image = Image.fromarray(coarse.astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    return np.asarray(image)


def textured_photo(*, height: int, width: int, seed: int) -> np.ndarray:
    """A smooth colour field with fine noise, so that variants have detail to work on."""
    noise = np.random.default_rng(seed).normal(0, 12, size=(height, width, 3))
    return np.clip(smooth_photo(height=height, width=width, seed=seed) + noise, 0, 255).astype(
        np.uint8
    )


def flat(value: int, *, size: int = 128) -> np.ndarray:
    return np.full((size, size, 3), value, dtype=np.uint8)


def psnr(first: np.ndarray, second: np.ndarray) -> float:
    error = np.mean((first.astype(np.float64) - second.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / error))


def highpass_sigma(pixels: np.ndarray) -> float:
    """A robust standard deviation of luma minus its 5x5 mean (MAD, so dust specks do not count)."""
    luma = pixels.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    detail = (luma - ndimage.uniform_filter(luma, 5))[8:-8, 8:-8]
    return float(1.4826 * np.median(np.abs(detail - np.median(detail))))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unprocessing_then_rendering_without_noise_returns_the_photo(seed) -> None:
    photo = smooth_photo(height=96, width=128, seed=seed)
    rendering = raw.random_rendering(rng=np.random.default_rng(seed))

    sensor = raw.unprocessed(photo, rendering=rendering)
    back = np.clip(np.rint(raw.rendered(sensor, rendering=rendering) * 255), 0, 255)

    assert sensor.shape == photo.shape[:2]
    assert psnr(back, photo) >= 35.0


def test_the_mosaic_is_linear_camera_data_not_the_photo() -> None:
    photo = smooth_photo(height=64, width=64, seed=3)
    rendering = raw.random_rendering(rng=np.random.default_rng(3))

    sensor = raw.unprocessed(photo, rendering=rendering)

    # Linear, gain-divided values sit well below the display values they came from.
    assert sensor.mean() < 0.5 * photo.mean() / 255.0


def rendered_grey(*, iso: float, sensor: str) -> np.ndarray:
    rng = np.random.default_rng(0)
    rendering = raw.random_rendering(rng=rng)
    shot, read = raw.noise_levels(iso=iso, sensor=sensor, rng=rng)
    mosaic = raw.unprocessed(flat(128), rendering=rendering)
    return raw.rendered(raw.with_noise(mosaic, shot=shot, read=read, rng=rng), rendering=rendering)


def test_the_noise_of_a_flat_grey_patch_grows_with_iso() -> None:
    variances = [
        float(rendered_grey(iso=iso, sensor="phone").var()) for iso in (100, 400, 1600, 6400)
    ]

    assert variances == sorted(variances)
    assert variances[-1] > 10 * variances[0]


def test_a_camera_is_less_noisy_than_a_phone_at_one_iso() -> None:
    camera = rendered_grey(iso=1600, sensor="camera").var()
    phone = rendered_grey(iso=1600, sensor="phone").var()

    assert camera < phone


@pytest.mark.parametrize("name", sorted(CAMERA_VARIANTS))
def test_the_same_seed_gives_the_same_pixels_and_another_seed_others(name) -> None:
    variant, photo = CAMERA_VARIANTS[name], textured_photo(height=64, width=80, seed=4)

    first = variant(photo, rng=np.random.default_rng(7))
    again = variant(photo, rng=np.random.default_rng(7))
    other = variant(photo, rng=np.random.default_rng(8))

    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", sorted(CAMERA_VARIANTS))
@pytest.mark.parametrize(("height", "width"), [(48, 48), (37, 91), (120, 67)])
def test_every_variant_returns_uint8_of_the_input_shape(name, height, width) -> None:
    photo = textured_photo(height=height, width=width, seed=5)

    out = CAMERA_VARIANTS[name](photo, rng=np.random.default_rng(0))

    assert out.dtype == np.uint8
    assert out.shape == photo.shape
    assert not np.array_equal(out, photo)


@pytest.mark.parametrize("name", sorted(CAMERA_VARIANTS))
def test_the_draws_do_not_depend_on_what_the_image_shows(name) -> None:
    states = []
    for seed in (10, 11):
        rng = np.random.default_rng(0)
        CAMERA_VARIANTS[name](textured_photo(height=40, width=56, seed=seed), rng=rng)
        states.append(rng.bit_generator.state)

    assert states[0] == states[1]


def test_an_old_phone_shrinks_a_large_photo_to_its_small_sensor() -> None:
    photo = textured_photo(height=1200, width=1600, seed=6)

    out = old_phone(photo, rng=np.random.default_rng(0))

    assert 0.25e6 <= out.shape[0] * out.shape[1] <= 1.35e6
    assert out.shape[1] / out.shape[0] == pytest.approx(4 / 3, abs=0.01)


def test_camera_jpeg_tables_are_those_a_file_carries() -> None:
    tables = camera_tables(rng=np.random.default_rng(0))
    buffer = io.BytesIO()
    Image.fromarray(flat(128)).save(buffer, format="JPEG", qtables=tables, subsampling="4:2:2")

    with Image.open(buffer) as image:
        carried = [list(image.quantization[index]) for index in (0, 1)]  # type: ignore[attr-defined]
        sampling = JpegImagePlugin.get_sampling(image)

    assert carried == tables
    assert sampling == 1
    # Quality 85-98: the luminance DC step of a camera's fine JPEG.
    assert 1 <= tables[0][0] <= 5


def test_a_scanned_print_of_flat_grey_shows_the_halftone_screen_in_its_spectrum() -> None:
    out = print_scan(flat(128, size=256), rng=np.random.default_rng(0))

    luma = out.astype(np.float64).mean(axis=-1)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(luma - luma.mean())))
    rows, cols = np.indices(spectrum.shape) - 128
    away_from_dc = np.hypot(rows, cols) > 8

    assert spectrum[away_from_dc].max() > 50 * np.median(spectrum[away_from_dc])


def test_film_grain_is_stronger_in_mid_tones_than_in_pure_white() -> None:
    mid = highpass_sigma(film_scan(flat(128), rng=np.random.default_rng(0)))
    white = highpass_sigma(film_scan(flat(255), rng=np.random.default_rng(0)))

    assert mid > 2 * white


def test_hdr_lifts_shadows_and_compresses_the_range() -> None:
    photo = textured_photo(height=96, width=96, seed=9) // 8
    photo[:, 48:] = 255 - photo[:, 48:]

    out = hdr(photo, rng=np.random.default_rng(0)).astype(np.float64)

    shadows, highlights = photo[:, :48].mean(), photo[:, 48:].mean()
    assert out[:, :48].mean() > shadows + 10
    assert out[:, 48:].mean() - out[:, :48].mean() < highlights - shadows

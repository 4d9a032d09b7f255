"""Every per-image view costs what its output costs, whatever the shape of the image."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from services.inference.detectors.crops import crop_grid
from services.inference.detectors.semantic.views import (
    SIDE,
    centre_resampled,
    native_view,
    whole_view,
)
from tests.support.images import photo_like

ORDINARY_SIZES = [(640, 480), (480, 640), (1000, 1000), (300, 200), (150, 120), (2000, 300)]
ORDINARY_SIZES += [(224, 224), (225, 1000), (97, 400), (1920, 1080)]


def resized_then_cropped(pixels: np.ndarray) -> np.ndarray:
    """The views as they were first computed: the whole image resized, then its centre cut."""
    height, width = pixels.shape[:2]
    scale = SIDE / min(height, width)
    size = (max(round(width * scale), SIDE), max(round(height * scale), SIDE))
    resized = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC))
    top, left = (resized.shape[0] - SIDE) // 2, (resized.shape[1] - SIDE) // 2
    return resized[top : top + SIDE, left : left + SIDE]


def resized_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = SIDE / min(size)
    return max(round(size[0] * scale), SIDE), max(round(size[1] * scale), SIDE)


@pytest.mark.parametrize("size", ORDINARY_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_views_of_ordinary_images_are_unchanged(size: tuple[int, int]) -> None:
    pixels = np.asarray(photo_like(width=size[0], height=size[1], seed=sum(size)))
    expected = resized_then_cropped(pixels)

    assert np.array_equal(whole_view(pixels), expected)
    if min(size) < SIDE:
        assert np.array_equal(native_view(pixels), expected)


@pytest.mark.parametrize(
    "size", [*ORDINARY_SIZES, (2100, 100), (100, 2100), (5000, 60)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_resampling_only_the_centre_gives_the_same_pixels(size: tuple[int, int]) -> None:
    pixels = np.asarray(photo_like(width=size[0], height=size[1], seed=sum(size)))

    found = centre_resampled(pixels, size=resized_size(size))

    difference = np.abs(found.astype(np.int16) - resized_then_cropped(pixels).astype(np.int16))
    assert difference.max() <= 1


THIN_WORK: dict[str, Callable[[np.ndarray], object]] = {
    "whole": whole_view,
    "native": native_view,
    "crops": lambda pixels: crop_grid(pixels, size=256, max_crops=16),
}


def peak_kb() -> int:
    """This process's peak resident memory (VmHWM: ru_maxrss would include the parent's)."""
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])


def measure(work: str, length: int) -> None:
    """Print how far peak memory grows while `work` runs on a 1 px high and a 1 px wide picture."""
    wide = np.random.default_rng(0).integers(0, 256, (1, length, 3), dtype=np.uint8)
    tall = np.ascontiguousarray(wide.transpose(1, 0, 2))
    before = peak_kb()
    for pixels in (wide, tall):
        THIN_WORK[work](pixels)
    print((peak_kb() - before) / 1024)


# Long enough that the old ways took gigabytes (views) or hundreds of megabytes (crops).
@pytest.mark.parametrize(
    ("work", "length"), [("whole", 8_000), ("native", 8_000), ("crops", 400_000)]
)
def test_a_thin_image_costs_no_more_than_its_output(work: str, length: int) -> None:
    code = f"from tests.inference.test_views import measure; measure({work!r}, {length})"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert float(run.stdout) < 50  # MB


def test_crops_of_a_thin_image_are_mirror_padded_as_before() -> None:
    pixels = np.asarray(photo_like(width=3000, height=5, seed=3))
    padded = np.pad(pixels, ((0, 27), (0, 0), (0, 0)), mode="symmetric")

    grid = crop_grid(pixels, size=32, max_crops=4)

    assert (grid.rows, grid.cols) == (1, 4)
    for crop, (top, left) in zip(grid.crops, grid.origins, strict=True):
        assert np.array_equal(crop, padded[top : top + 32, left : left + 32])

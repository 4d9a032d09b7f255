"""The spectrum signal: the periodic peaks that upsampling layers leave in an image's spectrum.

Transposed convolutions and nearest/bilinear upsampling repeat a pattern every 2, 4 or 8 pixels
(sometimes 3, 5 or 6), which shows as isolated peaks at those fractions of the sampling frequency.
We average the windowed power spectra of a few native-resolution tiles and, at each candidate
position, measure how far the power stands above its neighbourhood (robust z: distance from the
local median in units of the local median absolute deviation). JPEG's 8x8 blocks put peaks on
the same 1/8 grid, so for JPEG files those positions are skipped. The score is a squashed peak
height, not a calibrated probability, and does not enter the verdict: on the evaluation corpus
it separated generated from camera PNGs only weakly and JPEGs not at all.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.fft
from PIL import Image

from services.common.contract import SIGNAL_SPECTRUM, Signal
from services.inference.detectors.crops import crop_grid

PERIODS = (2, 3, 4, 5, 6, 8)
MAX_TILE = 256
MIN_TILE = 32
NEIGHBOURHOOD = 5  # bins either side of a candidate that make up its local background
# Robust z of a peak over its neighbourhood at which it counts, and the score is one half.
PEAK_THRESHOLD = 6.0
JPEG_FORMATS = frozenset({"JPEG", "MPO"})


@dataclass(frozen=True, slots=True)
class Peak:
    """A candidate periodic peak: its frequency (cycles per pixel) and robust height."""

    fy: float
    fx: float
    height: float


def spectrum_signal(
    *, pixels: np.ndarray, image_format: str, max_tiles: int, image_px: int
) -> Signal:
    """Look for upsampling peaks in the image's averaged tile spectrum."""
    tile = _tile_size(pixels.shape[0], pixels.shape[1])
    if tile is None:
        return Signal(
            name=SIGNAL_SPECTRUM, score=None, summary="The image is too small to analyse."
        )
    tiles = crop_grid(pixels, size=tile, max_crops=max_tiles).crops
    log_power = mean_log_power(_luminance(tiles))
    jpeg = image_format in JPEG_FORMATS
    peaks = candidate_peaks(log_power, jpeg=jpeg)
    strongest = max((peak.height for peak in peaks), default=0.0)
    found = sorted((p for p in peaks if p.height >= PEAK_THRESHOLD), key=lambda p: -p.height)
    return Signal(
        name=SIGNAL_SPECTRUM,
        score=round(float(1.0 / (1.0 + np.exp(-(strongest - PEAK_THRESHOLD) / 2.0))), 4),
        summary=_summary(found),
        evidence={
            "tile_size": tile,
            "tiles": len(tiles),
            "strongest_peak_z": round(strongest, 2),
            "peak_threshold_z": PEAK_THRESHOLD,
            "peaks": [_peak_json(p) for p in found[:12]],
            "jpeg_grid_skipped": jpeg,
            "calibrated": False,
            "spectrum_png_base64": spectrum_png(log_power, size=image_px),
        },
    )


def _tile_size(height: int, width: int) -> int | None:
    # A power of two that fits without padding, since reflected padding adds its own structure.
    side = min(height, width, MAX_TILE)
    if side < MIN_TILE:
        return None
    return int(2 ** np.floor(np.log2(side)))


def _luminance(tiles: np.ndarray) -> np.ndarray:
    weights = np.asarray([0.299, 0.587, 0.114], np.float32)
    return np.asarray(tiles, np.float32) @ weights


def mean_log_power(tiles: np.ndarray) -> np.ndarray:
    """Log of the Hann-windowed power spectrum averaged over tiles, zero frequency centred."""
    size = tiles.shape[-1]
    window = _hann_window(size)
    centred = tiles - tiles.mean(axis=(1, 2), keepdims=True)
    # A real signal's spectrum is symmetric, so the half from rfft2 gives the whole (5x faster).
    # scipy's pocketfft keeps float32 and runs about 7x faster than numpy 2.4's here (0.7 vs 5 ms).
    half = (np.abs(scipy.fft.rfft2(centred * window)) ** 2).mean(axis=0)
    mirrored = half[(-np.arange(size)) % size][:, size // 2 - 1 : 0 : -1]
    return np.fft.fftshift(np.log(np.concatenate([half, mirrored], axis=1) + 1e-6))


@cache
def _hann_window(size: int) -> np.ndarray:
    window = np.outer(np.hanning(size), np.hanning(size)).astype(np.float32)
    window.setflags(write=False)  # shared by every call
    return window


def candidate_peaks(log_power: np.ndarray, *, jpeg: bool) -> list[Peak]:
    """The robust height of every (a/p, b/p) fraction of the sampling frequency, once each."""
    frequencies = _candidate_frequencies(size=log_power.shape[0], jpeg=jpeg)
    heights = _heights(log_power, frequencies=frequencies)
    pairs = zip(frequencies, heights, strict=True)
    return [Peak(fy=fy, fx=fx, height=float(height)) for (fy, fx), height in pairs]


@cache  # the same few (size, jpeg) pairs on every request
def _candidate_frequencies(*, size: int, jpeg: bool) -> tuple[tuple[float, float], ...]:
    found: dict[tuple[int, int], tuple[float, float]] = {}
    for period in PERIODS:
        steps = range(-(period // 2), period // 2 + 1)
        for fy, fx in ((a / period, b / period) for a in steps for b in steps):
            on_grid = all(abs(f * 8 - round(f * 8)) < 1e-9 for f in (fy, fx))
            if (fy, fx) == (0, 0) or max(abs(fy), abs(fx)) > 0.5 or (jpeg and on_grid):
                continue
            found.setdefault((round(fy * size) % size, round(fx * size) % size), (fy, fx))
    return tuple(found.values())


def _heights(log_power: np.ndarray, *, frequencies: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Each candidate's distance above its neighbourhood median, in median absolute deviations."""
    size, reach = log_power.shape[0], NEIGHBOURHOOD
    centres = np.rint(np.asarray(frequencies).reshape(-1, 2) * size).astype(np.int64) + size // 2
    offsets = np.arange(-reach, reach + 1)
    rows = (centres[:, 0, None] + offsets) % size
    cols = (centres[:, 1, None] + offsets) % size
    patches = log_power[rows[:, :, None], cols[:, None, :]].reshape(len(centres), -1)
    middle = patches.shape[1] // 2
    around = np.delete(patches, middle, axis=1)
    median = np.median(around, axis=1)
    spread = np.median(np.abs(around - median[:, None]), axis=1) + 1e-6
    return np.asarray((patches[:, middle] - median) / spread)


def _peak_json(peak: Peak) -> dict[str, object]:
    return {
        "frequency": [round(peak.fy, 4), round(peak.fx, 4)],
        "period_px": _period(peak),
        "z": round(peak.height, 2),
    }


def _summary(found: list[Peak]) -> str:
    if not found:
        return "No periodic spectral peaks stand out: no sign of upsampling artefacts."
    periods = sorted({_period(peak) for peak in found}, key=float)
    return (
        f"Periodic spectral peaks (period {', '.join(periods)} px) of the kind upsampling layers "
        "leave. A weak, uncalibrated cue shown as evidence; it does not enter the verdict."
    )


def _period(peak: Peak) -> str:
    frequency = max(abs(peak.fy), abs(peak.fx))
    return f"{1 / frequency:.3g}"


def spectrum_png(log_power: np.ndarray, *, size: int) -> str:
    """The centred log spectrum as a small greyscale PNG, base64-encoded."""
    factor = log_power.shape[0] // size
    if factor > 1:  # average factor x factor blocks: cheaper than resampling the full spectrum
        side = size * factor
        log_power = log_power[:side, :side].reshape(size, factor, size, factor).mean(axis=(1, 3))
    low, high = np.percentile(log_power, [1, 99.9])
    scaled = np.clip((log_power - low) / max(high - low, 1e-6), 0, 1)
    image = Image.fromarray((scaled * 255).astype(np.uint8), mode="L")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return base64.b64encode(buffer.getvalue()).decode("ascii")

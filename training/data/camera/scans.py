"""Scans of prints and of film: halftone dots, paper, scanner blur and tilt; grain, dust, fading."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from training.data.camera import filters

# Classic screen angles of cyan, magenta, yellow and black, in degrees.
SCREEN_ANGLES = np.array([15.0, 75.0, 0.0, 45.0])


def ink_coverage(image: np.ndarray) -> np.ndarray:
    """(H, W, 4) cyan, magenta, yellow and black coverage of an RGB image in [0, 1]."""
    cmy = 1.0 - image
    # Half the grey component goes to black ink, a common grey-component replacement.
    black = 0.5 * cmy.min(axis=-1, keepdims=True)
    return np.concatenate([cmy - black, black], axis=-1)


def screen_quantiles() -> np.ndarray:
    """101 quantiles of the dot screen's values over one period, from 0% to 100%."""
    phase = np.linspace(0.0, 2.0 * np.pi, 64, endpoint=False)
    screen = 0.5 - (np.cos(phase)[:, None] + np.cos(phase)[None, :]) / 4.0
    return np.quantile(screen, np.linspace(0.0, 1.0, 101)).astype(np.float32)


def plane_wave(shape: tuple[int, int], *, row_step: float, col_step: float) -> np.ndarray:
    """cos(row * row_step + col * col_step), built from outer products: no per-pixel cosine."""
    rows = np.arange(shape[0], dtype=np.float64) * row_step
    cols = np.arange(shape[1], dtype=np.float64) * col_step
    cos_rows, sin_rows = np.cos(rows).astype(np.float32), np.sin(rows).astype(np.float32)
    cos_cols, sin_cols = np.cos(cols).astype(np.float32), np.sin(cols).astype(np.float32)
    return np.asarray(np.outer(cos_rows, cos_cols) - np.outer(sin_rows, sin_cols))


def screened(coverage: np.ndarray, *, angle: float, period: float) -> np.ndarray:
    """Coverage as clustered halftone dots on a screen of `period` pixels turned by `angle`."""
    step = 2.0 * np.pi / period
    cos, sin = np.cos(np.deg2rad(angle)) * step, np.sin(np.deg2rad(angle)) * step
    across = plane_wave(coverage.shape, row_step=sin, col_step=cos)
    screen = 0.5 - (across + plane_wave(coverage.shape, row_step=cos, col_step=-sin)) / 4.0
    # The threshold that inks a `coverage` share of each dot cell; a soft edge, not a hard one,
    # as a scanner's optics blur the dots' edges and to keep small dots from aliasing.
    threshold = np.interp(coverage, np.linspace(0.0, 1.0, 101), screen_quantiles()).astype(
        np.float32
    )
    return np.asarray(np.clip((threshold - screen) * 6.0 + 0.5, 0.0, 1.0))


def printed(image: np.ndarray, *, period: float, turn: float, density: float) -> np.ndarray:
    """The reflectance of `image` printed as CMYK halftone dots on white paper."""
    coverage = ink_coverage(image)
    inks = [
        1.0 - density * screened(coverage[..., ink], angle=SCREEN_ANGLES[ink] + turn, period=period)
        for ink in range(4)
    ]
    # Cyan absorbs red, magenta green, yellow blue; black absorbs all three.
    return np.stack([inks[channel] * inks[3] for channel in range(3)], axis=-1)


def paper_texture(shape: tuple[int, int], *, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative paper fibre texture around 1, of relative strength `amount`."""
    fibres = ndimage.gaussian_filter(rng.standard_normal(shape, dtype=np.float32), 1.5)
    return np.asarray(1.0 + amount * fibres / max(float(fibres.std()), 1e-6))


def print_scan(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A scanned print: halftone dots, paper tint and texture, scanner blur, tilt under 1 degree."""
    period, turn, density = rng.uniform(3.5, 7.0), rng.uniform(0.0, 90.0), rng.uniform(0.82, 0.94)
    paper = rng.uniform(0.9, 0.98) * np.array([1.0, rng.uniform(0.98, 1.0), rng.uniform(0.93, 1.0)])
    blur, tilt, fibre = rng.uniform(0.4, 1.0), rng.uniform(-1.0, 1.0), rng.uniform(0.01, 0.03)
    scanned = printed(filters.as_float(pixels), period=period, turn=turn, density=density)
    scanned *= (
        paper.astype(np.float32) * paper_texture(pixels.shape[:2], amount=fibre, rng=rng)[..., None]
    )
    scanned = ndimage.gaussian_filter(scanned, (blur, blur, 0))
    edge = tuple(int(value) for value in filters.as_uint8(paper))
    tilted = Image.fromarray(filters.as_uint8(scanned)).rotate(
        tilt, resample=Image.Resampling.BILINEAR, fillcolor=edge
    )
    return np.asarray(tilted)


def faded(image: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Aged film dyes: lifted blacks, dimmer whites, less saturation, a per-channel cast."""
    black, white = rng.uniform(0.02, 0.1), rng.uniform(0.88, 0.98)
    saturation = rng.uniform(0.6, 0.95)
    gammas = np.exp(rng.normal(0.0, 0.06, size=3)).astype(np.float32)
    grey = filters.luma(image)[..., None]
    washed = np.clip(grey + saturation * (image - grey), 0.0, 1.0) ** gammas
    return np.asarray(black + (white - black) * washed)


def grain(image: np.ndarray, *, amount: float, size: float, rng: np.random.Generator) -> np.ndarray:
    """Film grain strongest in mid-tones and faint in pure white, partly shared by the channels."""
    shape = image.shape[:2]
    # Blurred unit noise has standard deviation 1 / (2 sqrt(pi) size); rescale it back to 1.
    unit = np.float32(2.0 * np.sqrt(np.pi) * size)
    shared = ndimage.gaussian_filter(rng.standard_normal(shape, dtype=np.float32), size) * unit
    own = ndimage.gaussian_filter(
        rng.standard_normal(image.shape, dtype=np.float32), (size, size, 0)
    )
    brightness = filters.luma(image)
    envelope = amount * (0.15 + 3.4 * brightness * (1.0 - brightness))
    return np.asarray(image + envelope[..., None] * (0.8 * shared[..., None] + 0.5 * unit * own))


def dusted(image: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Dust specks (bright, as on a scanned negative) and a few long vertical scratches."""
    height, width = image.shape[:2]
    marks = np.zeros((height, width), dtype=np.float32)
    for _ in range(int(rng.integers(5, 40))):
        row, col, radius = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(0.6, 3.0)
        top, left = max(int(row - radius - 1), 0), max(int(col - radius - 1), 0)
        rows, cols = np.ogrid[top : int(row + radius + 2), left : int(col + radius + 2)]
        speck = np.clip(radius + 0.5 - np.hypot(rows - row, cols - col), 0.0, 1.0)
        patch = marks[top : top + speck.shape[0], left : left + speck.shape[1]]
        np.maximum(patch, speck[: patch.shape[0], : patch.shape[1]], out=patch)
    for _ in range(int(rng.integers(0, 3))):
        col, start = int(rng.integers(0, width)), int(rng.integers(0, height))
        marks[start : start + int(rng.integers(height // 4, height + 1)), col] = rng.uniform(
            0.2, 0.5
        )
    return image + (1.0 - image) * marks[..., None]


def film_scan(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A scanned film photo: faded dyes, luminance-dependent grain, dust and scratches."""
    amount, size = rng.uniform(0.02, 0.06), rng.uniform(0.6, 1.4)
    image = filters.as_float(pixels)
    grainy = grain(image, amount=amount, size=size, rng=rng)
    return filters.as_uint8(dusted(faded(np.clip(grainy, 0.0, 1.0), rng=rng), rng=rng))

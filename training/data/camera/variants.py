"""Named camera variants of a real photo: each (pixels, *, rng) -> pixels, uint8 in and out.

Every draw is independent of what the image shows, so both classes could pass through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from training.data.camera import filters, raw
from training.data.camera.jpeg import camera_tables, jpeg_round_trip


@dataclass(frozen=True, slots=True)
class Capture:
    """Ranges of one way of taking a photo; each pair is (low, high) of a uniform draw."""

    sensor: str
    iso: tuple[float, float]
    # Light that reached the sensor and the gain applied after it, in stops.
    dimming: tuple[float, float]
    brightening: tuple[float, float]
    # Standard deviation of the log change of the red and blue white-balance gains.
    cast: float
    denoise: tuple[float, float]
    chroma_blur: tuple[float, float]
    sharpen: tuple[float, float]


LOW_LIGHT_PHONE = Capture(
    sensor="phone",
    iso=(1600, 6400),
    dimming=(1.0, 2.5),
    brightening=(0.0, 1.0),
    cast=0.08,
    denoise=(1e-2, 3e-2),
    chroma_blur=(3.0, 6.0),
    sharpen=(0.6, 1.4),
)
LOW_LIGHT_CAMERA = Capture(
    sensor="camera",
    iso=(800, 6400),
    dimming=(1.0, 3.0),
    brightening=(0.0, 1.5),
    cast=0.06,
    denoise=(0.0, 1e-3),
    chroma_blur=(0.5, 1.5),
    sharpen=(0.0, 0.4),
)
DAYLIGHT = Capture(
    sensor="phone",
    iso=(50, 400),
    dimming=(-1.0, 1.0),
    brightening=(0.0, 0.0),
    cast=0.2,
    denoise=(0.0, 1e-3),
    chroma_blur=(0.5, 1.5),
    sharpen=(0.1, 0.6),
)
OLD_PHONE = Capture(
    sensor="old_phone",
    iso=(200, 1600),
    dimming=(-0.3, 0.7),
    brightening=(0.0, 0.3),
    cast=0.12,
    denoise=(1e-2, 3e-2),
    chroma_blur=(2.0, 4.0),
    sharpen=(1.5, 3.0),
)


def captured(pixels: np.ndarray, *, capture: Capture, rng: np.random.Generator) -> np.ndarray:
    """The photo unprocessed to a sensor image and taken again as `capture` says, in [0, 1]."""
    rendering = raw.random_rendering(rng=rng)
    iso = float(np.exp(rng.uniform(*np.log(capture.iso))))
    shot, read = raw.noise_levels(iso=iso, sensor=capture.sensor, rng=rng)
    dimming, brightening = rng.uniform(*capture.dimming), rng.uniform(*capture.brightening)
    red, blue = np.exp(rng.normal(0.0, capture.cast, size=2))
    sensor = raw.unprocessed(pixels, rendering=rendering) * np.float32(2.0**-dimming)
    noisy = raw.with_noise(sensor, shot=shot, read=read, rng=rng)
    recast = raw.recast(rendering, red=float(red), blue=float(blue))
    image = raw.rendered(noisy, rendering=recast, exposure=2.0**brightening)
    return finished(image, capture=capture, rng=rng)


def finished(image: np.ndarray, *, capture: Capture, rng: np.random.Generator) -> np.ndarray:
    """The camera's noise reduction and sharpening, with strengths drawn from `capture`."""
    strength, chroma = rng.uniform(*capture.denoise), rng.uniform(*capture.chroma_blur)
    amount, sigma = rng.uniform(*capture.sharpen), rng.uniform(0.8, 2.0)
    smooth = filters.denoised(image, strength=strength, chroma_sigma=chroma)
    return filters.sharpened(smooth, amount=amount, sigma=sigma)


def low_light_phone(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A phone at night: little light, ISO 1600-6400, strong noise reduction and sharpening."""
    return filters.as_uint8(captured(pixels, capture=LOW_LIGHT_PHONE, rng=rng))


def low_light_camera(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A large-sensor camera in low light: less noise at one ISO, little noise reduction."""
    return filters.as_uint8(captured(pixels, capture=LOW_LIGHT_CAMERA, rng=rng))


def white_balance(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """The scene taken again with another white balance and exposure, at a low ISO."""
    return filters.as_uint8(captured(pixels, capture=DAYLIGHT, rng=rng))


def hdr(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """HDR-style local tone mapping: a compressed edge-aware base, kept or boosted detail."""
    compression, boost = rng.uniform(0.45, 0.8), rng.uniform(1.0, 1.4)
    radius, eps = int(rng.integers(8, 33)), rng.uniform(0.02, 0.2)
    linear = raw.linearised(pixels)
    log_luma = np.log(filters.luma(linear) + 1e-4)
    base = filters.guided(log_luma, radius=radius, eps=eps)
    # Compressing the base towards its brightest tones lifts the shadows and keeps the highlights.
    anchor = np.quantile(base[::4, ::4], 0.99)
    target = anchor + compression * (base - anchor) + boost * (log_luma - base)
    gain = np.exp(target - log_luma)
    return filters.as_uint8(raw.toned(linear * gain[..., None]))


def camera_jpeg(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A camera's JPEG: its own tables at quality 85-98, chroma subsampled 4:2:2 or 4:2:0."""
    tables = camera_tables(rng=rng)
    subsampling = str(rng.choice(["4:2:2", "4:2:0"]))
    return jpeg_round_trip(pixels, qtables=tables, subsampling=subsampling)


def sensor_sized(pixels: np.ndarray, *, megapixels: float) -> np.ndarray:
    """Pixels shrunk (never enlarged) to about `megapixels`, keeping the aspect ratio."""
    height, width = pixels.shape[:2]
    scale = min(1.0, float(np.sqrt(megapixels * 1e6 / (height * width))))
    if scale == 1.0:
        return pixels
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def fringed(image: np.ndarray, *, strength: float) -> np.ndarray:
    """Purple fringes around highlights, as a cheap lens's chromatic aberration leaves them."""
    highlight = np.clip((filters.luma(image) - 0.9) / 0.1, 0.0, 1.0)
    halo = np.maximum(ndimage.gaussian_filter(highlight, 2.0) - highlight, 0.0)
    purple = np.array([0.7, 0.0, 1.0], dtype=np.float32)
    return np.asarray(image + strength * halo[..., None] * purple)


def old_phone(pixels: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """An old phone: 0.3-1.3 MP, noisy small sensor, smeared and over-sharpened, poor JPEG."""
    megapixels, fringe = rng.uniform(0.3, 1.3), rng.uniform(0.0, 0.3)
    vignette, quality = rng.uniform(0.05, 0.35), int(rng.integers(50, 76))
    image = captured(sensor_sized(pixels, megapixels=megapixels), capture=OLD_PHONE, rng=rng)
    image = filters.vignetted(fringed(image, strength=fringe), strength=vignette)
    return jpeg_round_trip(filters.as_uint8(image), quality=quality, subsampling="4:2:0")

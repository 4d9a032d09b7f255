"""Unprocessing and re-rendering after Brooks et al., "Unprocessing Images for Learned Raw
Denoising" (CVPR 2019): sRGB back to an approximate RGGB sensor image, then forward again."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

# XYZ -> camera matrices of four real cameras (the per-model colour matrices that raw converters
# publish), the set Brooks et al. draw their convex mixes from.
XYZ_TO_CAMERAS = np.array(
    [
        [[1.0234, -0.2969, -0.2266], [-0.5625, 1.6328, -0.0469], [-0.0703, 0.2188, 0.6406]],
        [[0.4913, -0.0541, -0.0202], [-0.6130, 1.3513, 0.2906], [-0.1564, 0.2151, 0.7183]],
        [[0.8380, -0.2630, -0.0639], [-0.2887, 1.0725, 0.2496], [-0.0627, 0.1427, 0.5438]],
        [[0.6596, -0.2079, -0.0562], [-0.4782, 1.3016, 0.1933], [-0.0970, 0.1581, 0.5181]],
    ]
)
# Linear sRGB (D65) -> XYZ.
RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
# Shot-noise variance (in [0, 1] raw units) at ISO 100; it grows linearly with the ISO gain.
# A phone's small pixels collect fewer photons than a camera's, so they are noisier at one ISO.
SHOT_AT_ISO_100 = {"phone": 2.0e-4, "camera": 4.0e-5, "old_phone": 5.0e-4}
# Malvar, He and Cutler's gradient-corrected linear demosaicing (ICASSP 2004), in eighths:
# green at red or blue sites, red or blue at green sites with them left and right, red at blue.
GREEN_AT_COLOUR = np.array(
    [[0, 0, -1, 0, 0], [0, 0, 2, 0, 0], [-1, 2, 4, 2, -1], [0, 0, 2, 0, 0], [0, 0, -1, 0, 0]]
)
COLOUR_AT_GREEN = np.array(
    [[0, 0, 0.5, 0, 0], [0, -1, 0, -1, 0], [-1, 4, 5, 4, -1], [0, -1, 0, -1, 0], [0, 0, 0.5, 0, 0]]
)
COLOUR_AT_COLOUR = np.array(
    [
        [0, 0, -1.5, 0, 0],
        [0, 2, 0, 2, 0],
        [-1.5, 0, 6, 0, -1.5],
        [0, 2, 0, 2, 0],
        [0, 0, -1.5, 0, 0],
    ]
)


@dataclass(frozen=True, slots=True)
class Rendering:
    """How a camera turned its sensor values into the photo: colour matrix and gains."""

    cam_to_rgb: np.ndarray
    rgb_gain: float
    red_gain: float
    blue_gain: float


def random_rendering(*, rng: np.random.Generator) -> Rendering:
    """A colour matrix and white-balance and digital gains drawn as in Brooks et al."""
    weights = rng.uniform(1e-8, 1e8, size=len(XYZ_TO_CAMERAS))
    xyz_to_cam = np.tensordot(weights / weights.sum(), XYZ_TO_CAMERAS, axes=1)
    rgb_to_cam = xyz_to_cam @ RGB_TO_XYZ
    rgb_to_cam /= rgb_to_cam.sum(axis=1, keepdims=True)
    return Rendering(
        cam_to_rgb=np.linalg.inv(rgb_to_cam),
        rgb_gain=float(1.0 / rng.normal(0.8, 0.1)),
        red_gain=float(rng.uniform(1.9, 2.4)),
        blue_gain=float(rng.uniform(1.5, 1.9)),
    )


def recast(rendering: Rendering, *, red: float, blue: float) -> Rendering:
    """The same rendering with its white-balance gains multiplied: a colour cast."""
    return replace(
        rendering, red_gain=rendering.red_gain * red, blue_gain=rendering.blue_gain * blue
    )


def gains(rendering: Rendering) -> np.ndarray:
    """Per-channel gains applied to the camera image: white balance times digital gain."""
    return np.array([rendering.red_gain, 1.0, rendering.blue_gain]) * rendering.rgb_gain


def linearised(pixels: np.ndarray) -> np.ndarray:
    """uint8 sRGB -> linear [0, 1]: the inverse smoothstep tone curve, then the inverse gamma."""
    levels = np.arange(256, dtype=np.float64) / 255.0
    untoned = 0.5 - np.sin(np.arcsin(1.0 - 2.0 * levels) / 3.0)
    return np.asarray((np.maximum(untoned, 1e-8) ** 2.2).astype(np.float32)[pixels])


def toned(linear: np.ndarray) -> np.ndarray:
    """Linear [0, 1] -> display [0, 1]: gamma, then the smoothstep tone curve."""
    gamma = np.maximum(np.clip(linear, 0.0, 1.0), 1e-8) ** (1.0 / 2.2)
    return np.asarray(3.0 * gamma**2 - 2.0 * gamma**3)


def mosaic_masks(shape: tuple[int, int]) -> np.ndarray:
    """Boolean (3, H, W) masks of the R, G and B sites of an RGGB Bayer pattern."""
    masks = np.zeros((3, *shape), dtype=bool)
    masks[0, 0::2, 0::2] = masks[2, 1::2, 1::2] = True
    masks[1] = ~(masks[0] | masks[2])
    return masks


def mosaiced(camera: np.ndarray) -> np.ndarray:
    """The RGGB mosaic (H, W) that samples one channel of (H, W, 3) per site."""
    raw = camera[..., 1].copy()
    raw[0::2, 0::2] = camera[0::2, 0::2, 0]
    raw[1::2, 1::2] = camera[1::2, 1::2, 2]
    return raw


def unprocessed(pixels: np.ndarray, *, rendering: Rendering) -> np.ndarray:
    """uint8 sRGB (H, W, 3) -> an RGGB mosaic (H, W) of linear camera values in [0, 1]."""
    linear = linearised(pixels)
    camera = linear @ np.linalg.inv(rendering.cam_to_rgb).T.astype(np.float32)
    inverse = mosaiced(np.broadcast_to(1.0 / gains(rendering), camera.shape).astype(np.float32))
    # Brooks et al.'s highlight-preserving inversion: bright pixels keep their gains near 1 so
    # that they do not clip into a colour cast.
    mask = (np.maximum(camera.mean(axis=-1) - 0.9, 0.0) / 0.1) ** 2
    safe = np.maximum(mask + (1.0 - mask) * inverse, inverse)
    return np.asarray(np.clip(mosaiced(camera) * safe, 0.0, 1.0))


def noise_levels(*, iso: float, sensor: str, rng: np.random.Generator) -> tuple[float, float]:
    """(shot, read) noise variances at `iso`, read from shot by Brooks et al.'s log-linear fit."""
    shot = SHOT_AT_ISO_100[sensor] * iso / 100.0
    log_read = 2.18 * np.log(shot) + 1.20 + rng.normal(0.0, 0.26)
    return shot, float(np.exp(log_read))


def with_noise(
    raw: np.ndarray, *, shot: float, read: float, rng: np.random.Generator
) -> np.ndarray:
    """The mosaic with heteroscedastic Gaussian noise of variance shot * signal + read."""
    deviation = np.sqrt(np.maximum(raw, 0.0) * shot + read).astype(np.float32)
    return np.asarray(raw + deviation * rng.standard_normal(raw.shape, dtype=np.float32))


def filtered(raw: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """`raw` correlated with `kernel` / 8; mirroring at the borders keeps the Bayer phase."""
    return np.asarray(ndimage.correlate(raw, (kernel / 8.0).astype(np.float32), mode="mirror"))


def demosaiced(raw: np.ndarray) -> np.ndarray:
    """Malvar-He-Cutler demosaicing of an RGGB mosaic (H, W) into (H, W, 3)."""
    green = np.where(mosaic_masks(raw.shape)[1], raw, filtered(raw, GREEN_AT_COLOUR))
    across, down = filtered(raw, COLOUR_AT_GREEN), filtered(raw, COLOUR_AT_GREEN.T)
    diagonal = filtered(raw, COLOUR_AT_COLOUR)
    red, blue = raw.copy(), raw.copy()
    red[0::2, 1::2], red[1::2, 0::2], red[1::2, 1::2] = (
        across[0::2, 1::2],
        down[1::2, 0::2],
        diagonal[1::2, 1::2],
    )
    blue[1::2, 0::2], blue[0::2, 1::2], blue[0::2, 0::2] = (
        across[1::2, 0::2],
        down[0::2, 1::2],
        diagonal[0::2, 0::2],
    )
    return np.stack([red, green, blue], axis=-1)


def rendered(raw: np.ndarray, *, rendering: Rendering, exposure: float = 1.0) -> np.ndarray:
    """An RGGB mosaic -> display RGB [0, 1]: demosaic, gains, colour matrix, gamma and tone."""
    camera = np.clip(demosaiced(raw) * (gains(rendering) * exposure).astype(np.float32), 0.0, 1.0)
    return toned(camera @ rendering.cam_to_rgb.T.astype(np.float32))

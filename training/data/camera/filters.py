"""What a phone does after demosaicing: edge-aware denoising, sharpening, and the final uint8."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

# BT.601 luma weights, as JPEG's YCbCr uses.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def as_uint8(image: np.ndarray) -> np.ndarray:
    """Display [0, 1] floats -> uint8, rounded and clipped."""
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def as_float(pixels: np.ndarray) -> np.ndarray:
    """uint8 -> display [0, 1] float32."""
    return pixels.astype(np.float32) / 255.0


def luma(image: np.ndarray) -> np.ndarray:
    """The (H, W) luma of an (H, W, 3) image."""
    return image @ LUMA


def guided(image: np.ndarray, *, radius: int, eps: float) -> np.ndarray:
    """He et al.'s self-guided filter: edge-preserving smoothing, like a bilateral, in O(pixels)."""
    size = 2 * radius + 1
    mean = ndimage.uniform_filter(image, size, mode="reflect")
    variance = ndimage.uniform_filter(image * image, size, mode="reflect") - mean * mean
    slope = variance / (variance + eps)
    offset = mean - slope * mean
    smooth_slope = ndimage.uniform_filter(slope, size, mode="reflect")
    return np.asarray(smooth_slope * image + ndimage.uniform_filter(offset, size, mode="reflect"))


def denoised(image: np.ndarray, *, strength: float, chroma_sigma: float) -> np.ndarray:
    """A phone's noise reduction: guided smoothing of luma, Gaussian blur of chroma."""
    brightness = luma(image)
    chroma = image - brightness[..., None]
    if chroma_sigma > 0:
        chroma = ndimage.gaussian_filter(chroma, (chroma_sigma, chroma_sigma, 0), mode="reflect")
    if strength > 0:
        brightness = guided(brightness, radius=3, eps=strength)
    return np.asarray(brightness[..., None] + chroma)


def sharpened(image: np.ndarray, *, amount: float, sigma: float) -> np.ndarray:
    """An unsharp mask on luma: image + amount * (luma - blurred luma)."""
    brightness = luma(image)
    detail = brightness - ndimage.gaussian_filter(brightness, sigma, mode="reflect")
    return np.asarray(image + amount * detail[..., None])


def vignetted(image: np.ndarray, *, strength: float) -> np.ndarray:
    """Corners darkened by `strength` (0.2 = 20%) with a cos^4-like radial fall-off."""
    height, width = image.shape[:2]
    rows = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    cols = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    radius = (rows**2 + cols**2) / 2.0
    return np.asarray(image * (1.0 - strength * radius)[..., None])

"""The self-check's reference inputs: small synthetic images our own code makes from a seed.

Only integer draws and integer arithmetic: a float function (sin, exp) may round differently on
another CPU, and the inputs must be the same bytes everywhere before any view sees them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

# Big enough for both views: the semantic view resizes the short side to 224 and crops it, the
# low-level view cuts 64 px crops at native resolution.
WIDTH, HEIGHT = 320, 256
CELL = 64


class ReferenceInput(BaseModel, frozen=True):
    """Which synthetic image: the recipe's name, its seed and its size."""

    name: str
    seed: int
    width: int = WIDTH
    height: int = HEIGHT


def bilinear(coarse: np.ndarray, *, height: int, width: int) -> np.ndarray:
    """A coarse grid of colours upsampled by CELL px in integers: smooth and exact everywhere."""
    y, x = np.arange(height), np.arange(width)
    iy, ix = (y // CELL)[:, None], (x // CELL)[None, :]
    fy, fx = (y % CELL)[:, None, None], (x % CELL)[None, :, None]
    top = coarse[iy, ix] * (CELL - fx) + coarse[iy, ix + 1] * fx
    bottom = coarse[iy + 1, ix] * (CELL - fx) + coarse[iy + 1, ix + 1] * fx
    return np.asarray((top * (CELL - fy) + bottom * fy) // (CELL * CELL))


def gradient(rng: np.random.Generator, *, height: int, width: int) -> np.ndarray:
    """Smooth colour gradients with a fine grain, as a sky, a wall or a blurred background."""
    coarse = rng.integers(30, 226, ((height - 1) // CELL + 2, (width - 1) // CELL + 2, 3))
    return bilinear(coarse, height=height, width=width) + rng.integers(-6, 7, (height, width, 3))


def noise(rng: np.random.Generator, *, height: int, width: int) -> np.ndarray:
    """Uniform noise in every pixel and channel: the most high-frequency content there is."""
    return rng.integers(0, 256, (height, width, 3))


def edge(rng: np.random.Generator, *, height: int, width: int) -> np.ndarray:
    """Two nearly flat colours meeting at a sloping sharp edge."""
    colours, tilt = rng.integers(40, 216, (2, 3)), int(rng.integers(1, 4))
    y, x = np.mgrid[0:height, 0:width]
    right = (4 * x > 2 * width + tilt * (y - height // 2))[..., None]
    flat = np.where(right, colours[0], colours[1])
    return np.asarray(flat + rng.integers(-2, 3, (height, width, 3)))


RECIPES: dict[str, Callable[..., np.ndarray]] = {
    "gradient": gradient,
    "noise": noise,
    "edge": edge,
}
DEFAULT_INPUTS = (
    ReferenceInput(name="gradient", seed=2201),
    ReferenceInput(name="noise", seed=2202),
    ReferenceInput(name="edge", seed=2203),
)


def reference_pixels(spec: ReferenceInput) -> np.ndarray:
    """The (height, width, 3) uint8 image that `spec` names."""
    recipe = RECIPES.get(spec.name)
    if recipe is None:
        raise ValueError(f"no reference input is called {spec.name!r}; known: {', '.join(RECIPES)}")
    drawn = recipe(np.random.default_rng(spec.seed), height=spec.height, width=spec.width)
    return np.asarray(np.clip(drawn, 0, 255).astype(np.uint8))


def pixels_sha256(pixels: np.ndarray) -> str:
    """The sha256 of an image's bytes, so a changed generator is told from a changed CPU."""
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()

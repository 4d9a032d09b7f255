"""Training the simulated generators on training photos and passing tiles through them."""

from __future__ import annotations

import keras
import numpy as np

from training.fit import deterministic
from training.recipe.generators import GeneratorSpec, build_generator


def training_crops(
    regions: list[np.ndarray], *, count: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """`count` random `size`-pixel crops from training regions, as float32 0-255."""
    picks = rng.integers(0, len(regions), size=count)
    crops = [_random_crop(regions[i], size=size, rng=rng) for i in picks]
    return np.stack(crops).astype(np.float32)


def _random_crop(pixels: np.ndarray, *, size: int, rng: np.random.Generator) -> np.ndarray:
    top = int(rng.integers(0, pixels.shape[0] - size + 1))
    left = int(rng.integers(0, pixels.shape[1] - size + 1))
    return pixels[top : top + size, left : left + size]


def train_generator(
    spec: GeneratorSpec, *, crops: np.ndarray, batch_size: int, seed: int
) -> keras.Model:
    """One autoencoder fitted to reconstruct training crops (L1), one pass over `crops`."""
    deterministic(seed)
    generator = build_generator(spec)
    generator.compile(optimizer=keras.optimizers.Adam(2e-3), loss="mean_absolute_error")
    print(f"generator {spec.name}: {len(crops) // batch_size} steps")
    generator.fit(crops, crops, batch_size=batch_size, epochs=1, shuffle=False, verbose=2)
    return generator


def generate(
    generator: keras.Model, *, regions: list[np.ndarray], batch_size: int
) -> list[np.ndarray]:
    """The regions passed through a generator, rounded to 8-bit like a saved output."""
    if not regions:
        return []
    outputs = generator.predict(
        np.stack(regions).astype(np.float32), batch_size=batch_size, verbose=0
    )
    return list(np.clip(np.rint(outputs), 0, 255).astype(np.uint8))

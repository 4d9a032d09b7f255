"""Wall and CPU seconds of each camera variant on a 2 MP photo (skimage astronaut, enlarged)."""

from __future__ import annotations

import time

import numpy as np
import skimage.data
from PIL import Image

from training.data.camera import CAMERA_VARIANTS

REPEATS = 3


def two_megapixel_photo() -> np.ndarray:
    """skimage's astronaut, resized to about 2 MP (1732 x 1155)."""
    astronaut = Image.fromarray(skimage.data.astronaut())  # type: ignore[no-untyped-call]
    return np.asarray(astronaut.resize((1732, 1155), Image.Resampling.LANCZOS))


def main() -> None:
    """Print the median wall and CPU seconds of each variant over a few seeds."""
    pixels = two_megapixel_photo()
    for name, variant in CAMERA_VARIANTS.items():
        wall, cpu = [], []
        for seed in range(REPEATS):
            start, start_cpu = time.perf_counter(), time.process_time()
            variant(pixels, rng=np.random.default_rng(seed))
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"{name:18s} wall {np.median(wall):.2f} s, CPU {np.median(cpu):.2f} s")


if __name__ == "__main__":
    main()

"""Fitting is reproducible: the same seed and data give the same weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.fit import TrainConfig, train
from training.sources import load_samples

CONFIG = TrainConfig(
    batch_size=8, steps_per_epoch=3, epochs=1, val_crops_per_image=1, progress=False
)


def test_same_seed_same_weights(tiny_folder: Path, tmp_path: Path) -> None:
    samples = load_samples(tiny_folder, workdir=tmp_path)

    first, second = (
        train(samples, crop=32, workdir=tmp_path / name, config=CONFIG) for name in "ab"
    )

    assert all(
        np.array_equal(a, b) for a, b in zip(first.get_weights(), second.get_weights(), strict=True)
    )

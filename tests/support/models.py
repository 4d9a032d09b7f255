"""A tiny Keras model with a valid card, so tests run the real inference service quickly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.lowlevel.card import (
    InputSpec,
    ModelCard,
    card_path_for,
    sha256_of,
)

TINY_CROP = 32


def write_tiny_model(*, folder: Path, name: str = "tiny") -> Path:
    """Build, save and describe a small untrained classifier; return the model's path."""
    import keras

    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((TINY_CROP, TINY_CROP, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(1),
        ],
        name=name,
    )
    return saved_with_card(model, folder=folder, max_crops=4)


def write_brightness_model(*, folder: Path) -> Path:
    """A model whose verdict is the picture's brightness: dark is `real`, bright is `fake`.

    Its logit is 10 * (mean pixel in [0, 1]) - 5, so tests choose verdicts by choosing pixels.
    """
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((TINY_CROP, TINY_CROP, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(1),
        ],
        name="brightness",
    )
    model.layers[-1].set_weights([np.full((3, 1), 10 / 3), np.array([-5.0])])
    return saved_with_card(model, folder=folder, max_crops=1)


def saved_with_card(model: Any, *, folder: Path, max_crops: int) -> Path:
    """Save a test model under its own name with a card of fixed test thresholds."""
    path = folder / f"{model.name}.keras"
    model.save(path)
    card = ModelCard(
        name=model.name,
        file=path.name,
        sha256=sha256_of(path),
        created=datetime.now(UTC),
        input=InputSpec(crop_size=TINY_CROP, max_crops=max_crops),
        calibration=Calibration(temperature=1.0),
        thresholds=Thresholds(real_below=0.3, fake_above=0.7, target="test model"),
        metrics={},
        intended_use="tests only",
    )
    card_path_for(path).write_text(card.model_dump_json(indent=2))
    return path

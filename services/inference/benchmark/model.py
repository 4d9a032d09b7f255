"""The model the benchmark runs: the configured one, or a stand-in when none is trained yet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.lowlevel.card import (
    InputSpec,
    ModelCard,
    card_path_for,
    sha256_of,
)

STAND_IN_CROP = 64
STAND_IN_CROPS = 16


def stand_in_model(folder: Path) -> Path:
    """An untrained all-convolutional detector the size of a small real one, with its card."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inputs = keras.Input((STAND_IN_CROP, STAND_IN_CROP, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    for filters, strides in ((32, 1), (48, 2), (96, 2), (128, 2)):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    outputs = layers.Dense(1)(layers.GlobalAveragePooling2D()(x))
    path = folder / "bench-stand-in.keras"
    keras.Model(inputs, outputs).save(path)
    card = ModelCard(
        name="bench-stand-in",
        file=path.name,
        sha256=sha256_of(path),
        created=datetime.now(UTC),
        input=InputSpec(crop_size=STAND_IN_CROP, max_crops=STAND_IN_CROPS),
        calibration=Calibration(temperature=1.0),
        thresholds=Thresholds(real_below=0.3, fake_above=0.7, target="benchmark only"),
        intended_use="benchmark timing only; untrained",
    )
    card_path_for(path).write_text(card.model_dump_json(indent=2))
    return path

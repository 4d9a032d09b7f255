"""Fitting a detector: seeds, mixed precision on GPU, checkpoints, early stopping, a time limit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from training.networks.build import initial_model
from training.pipeline.augment import AugmentConfig
from training.pipeline.datasets import training_dataset, validation_crops
from training.samples import Sample, in_split


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """How one model is trained; the defaults train the bundled model."""

    backbone: str = "scratch"
    weights: Path | None = None
    imagenet: bool = True
    seed: int = 20260
    batch_size: int = 64
    steps_per_epoch: int = 400
    epochs: int = 10
    patience: int = 3
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    max_minutes: float = 30.0
    stop_after_epochs: int | None = None
    val_crops_per_image: int = 4
    cache_images: bool = True
    progress: bool = True
    augment: AugmentConfig = field(default_factory=AugmentConfig)


class Budget(keras.callbacks.Callback):  # type: ignore[misc]
    """Stops training after the epoch that crosses a wall-clock budget or an epoch count."""

    def __init__(self, *, minutes: float, epochs: int | None) -> None:
        super().__init__()
        self.deadline = time.monotonic() + minutes * 60
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if time.monotonic() > self.deadline or epoch + 1 == self.epochs:
            print(f"budget reached after epoch {epoch + 1}")
            self.model.stop_training = True


def deterministic(seed: int) -> None:
    """Python, NumPy and TensorFlow seeds, and TensorFlow ops that give the same bits each run."""
    keras.utils.set_random_seed(seed)
    # Seeds alone left multi-threaded kernels free to sum in any order: two `make model` runs
    # from one dataset gave different weights.
    tf.config.experimental.enable_op_determinism()


def seed_everything(seed: int) -> None:
    """Deterministic seeded training; mixed precision where a GPU makes it pay."""
    deterministic(seed)
    if tf.config.list_physical_devices("GPU"):
        keras.mixed_precision.set_global_policy("mixed_float16")


def compiled(model: keras.Model, *, config: TrainConfig) -> keras.Model:
    """The model compiled with AdamW on a cosine schedule and a from-logits loss."""
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * config.steps_per_epoch, alpha=0.05
    )
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay)
    metrics = [
        keras.metrics.BinaryAccuracy(threshold=0.0),
        keras.metrics.AUC(from_logits=True, name="auc"),
    ]
    model.compile(
        optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=metrics
    )
    return model


def callbacks(*, workdir: Path, config: TrainConfig) -> list[keras.callbacks.Callback]:
    """Best-so-far checkpoint, early stopping to the best weights, a CSV log, a time limit."""
    workdir.mkdir(parents=True, exist_ok=True)
    return [
        keras.callbacks.ModelCheckpoint(
            workdir / "checkpoint.keras", monitor="val_loss", save_best_only=True
        ),
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.patience, restore_best_weights=True
        ),
        keras.callbacks.CSVLogger(str(workdir / "history.csv")),
        Budget(minutes=config.max_minutes, epochs=config.stop_after_epochs),
    ]


def train(samples: list[Sample], *, crop: int, workdir: Path, config: TrainConfig) -> keras.Model:
    """Fit a detector on the `train` split, stopping early on the `val` split's loss."""
    seed_everything(config.seed)
    augment = replace(config.augment, crop=crop)
    train_data = training_dataset(
        in_split(samples, "train"),
        config=augment,
        batch_size=config.batch_size,
        seed=config.seed,
        cache=config.cache_images,
    )
    val_x, val_y = validation_crops(
        in_split(samples, "val"),
        config=augment,
        per_image=config.val_crops_per_image,
        seed=config.seed + 1,
    )
    model = compiled(
        initial_model(
            backbone=config.backbone, crop=crop, weights=config.weights, imagenet=config.imagenet
        ),
        config=config,
    )
    model.fit(
        train_data,
        shuffle=False,
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        validation_data=(val_x, val_y),
        callbacks=callbacks(workdir=workdir, config=config),
        verbose=1 if config.progress else 2,
    )
    return model

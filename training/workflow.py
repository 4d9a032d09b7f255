"""End-to-end runs: train, calibrate on val, measure on test, save with a card."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from services.inference.detectors.calibration import Thresholds
from services.inference.detectors.lowlevel.card import ModelCard
from training.calibration import choose_thresholds, fit_temperature
from training.evaluation.conditions import CONDITIONS
from training.evaluation.plots import plot_reliability, plot_roc
from training.evaluation.report import condition_logits, report, score
from training.export.cards import build_card, write_card
from training.fit import TrainConfig, train
from training.samples import Sample, in_split
from training.scoring import calibrated

# Temperature is fitted on what deployed images look like: as they are and re-compressed.
CALIBRATION_CONDITIONS = ["original", "jpeg_q95", "jpeg_q75", "jpeg_q50", "webp_q80", "avif_q60"]
# `fake_above` must hold its target under each of these (on validation images); `real_below`
# under each calibration condition (a downscaled generated image keeps too little trace to count).
THRESHOLD_CONDITIONS = [*CALIBRATION_CONDITIONS, "downscale_0.5"]


@dataclass(frozen=True, slots=True)
class Targets:
    """The error rates the uncertain band is chosen for on validation data."""

    max_real_called_fake: float = 0.05
    max_fake_called_real: float = 0.05


def calibrate(
    model: keras.Model, samples: list[Sample], *, crop: int, max_crops: int, targets: Targets
) -> tuple[float, Thresholds]:
    """Temperature and thresholds from validation images under the calibration conditions."""
    logits = condition_logits(
        model, samples, crop=crop, max_crops=max_crops, conditions=THRESHOLD_CONDITIONS
    )
    labels = np.array([sample.label for sample in samples])
    pooled = np.concatenate([logits[name] for name in CALIBRATION_CONDITIONS])
    temperature = fit_temperature(pooled, np.tile(labels, len(CALIBRATION_CONDITIONS)))
    scores = {name: calibrated(value, temperature=temperature) for name, value in logits.items()}
    thresholds = choose_thresholds(
        real_scores={name: s[labels == 0] for name, s in scores.items()},
        fake_scores={name: scores[name][labels == 1] for name in CALIBRATION_CONDITIONS},
        max_real_called_fake=targets.max_real_called_fake,
        max_fake_called_real=targets.max_fake_called_real,
    )
    return temperature, thresholds


def evaluate_to(
    out: Path,
    *,
    model: keras.Model,
    card: ModelCard,
    samples: list[Sample],
    conditions: list[str],
    group_by: list[str],
) -> dict[str, Any]:
    """Evaluate, write report.json, roc.png and reliability.png to `out`, and return the report."""
    scored = score(
        model,
        samples,
        crop=card.input.crop_size,
        max_crops=card.input.max_crops,
        temperature=card.calibration.temperature,
        conditions=conditions,
    )
    result = report(scored, thresholds=card.thresholds, group_by=group_by)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps({"model": card.name, "sha256": card.sha256, **result}, indent=2)
    )
    plot_roc(
        labels=scored.labels, scores=scored.scores, path=out / "roc.png", title=f"{card.name}: ROC"
    )
    first = conditions[0]
    plot_reliability(
        labels=scored.labels,
        scores=scored.scores[first],
        path=out / "reliability.png",
        title=f"{card.name}: reliability ({first})",
    )
    return result


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The part of a report that goes into a card: no per-image rows."""
    return {key: value for key, value in result.items() if key != "images"}


def split_counts(samples: list[Sample]) -> dict[str, dict[str, int]]:
    """Images per class and source groups per split."""
    return {
        split: {
            "real": sum(1 for s in samples if s.split == split and s.label == 0),
            "fake": sum(1 for s in samples if s.split == split and s.label == 1),
            "sources": len({s.group for s in samples if s.split == split}),
        }
        for split in ("train", "val", "test")
    }


def config_json(config: TrainConfig) -> dict[str, Any]:
    """The training config as plain JSON values."""
    return json.loads(json.dumps(asdict(config), default=str))  # type: ignore[no-any-return]


def inference_copy(model: keras.Model) -> keras.Model:
    """The model without optimizer state or compile settings: smaller, loads on any backend."""
    # Trained under mixed precision on a GPU, layers would keep float16 compute; serve float32.
    copy = keras.models.clone_model(model, clone_function=float32_layer)
    copy.set_weights(model.get_weights())
    return copy


def float32_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
    """A fresh copy of a layer that computes in float32."""
    return layer.__class__.from_config({**layer.get_config(), "dtype": "float32"})


def package(
    *,
    model: keras.Model,
    model_path: Path,
    samples: list[Sample],
    workdir: Path,
    input_spec: tuple[int, int],
    targets: Targets,
    training: dict[str, Any],
    group_by: list[str],
) -> ModelCard:
    """Calibrate a saved model on `val`, measure it on `test` and write its card."""
    crop, max_crops = input_spec
    val = in_split(samples, "val")
    temperature, thresholds = calibrate(model, val, crop=crop, max_crops=max_crops, targets=targets)
    card = build_card(
        model_path=model_path,
        crop=crop,
        max_crops=max_crops,
        temperature=temperature,
        thresholds=thresholds,
        metrics={},
        training=training,
    )
    if test := in_split(samples, "test"):
        result = evaluate_to(
            workdir / "test",
            model=model,
            card=card,
            samples=test,
            conditions=list(CONDITIONS),
            group_by=group_by,
        )
        card = card.model_copy(update={"metrics": {"held_out_test": headline(result)}})
    write_card(card, model_path=model_path)
    return card


def train_and_package(
    *,
    samples: list[Sample],
    model_path: Path,
    workdir: Path,
    input_spec: tuple[int, int],
    config: TrainConfig,
    targets: Targets,
    data: dict[str, Any],
    group_by: list[str],
) -> ModelCard:
    """Train on `train` (stopping on `val`), save the model, then calibrate, test and card it."""
    started = time.monotonic()
    model = inference_copy(train(samples, crop=input_spec[0], workdir=workdir, config=config))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(model_path)
    training = {
        "data": data,
        "splits": split_counts(samples),
        "config": config_json(config),
        "minutes_to_train": round((time.monotonic() - started) / 60, 1),
    }
    return package(
        model=model,
        model_path=model_path,
        samples=samples,
        workdir=workdir,
        input_spec=input_spec,
        targets=targets,
        training=training,
        group_by=group_by,
    )

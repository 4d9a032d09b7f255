"""What the CLI commands do, with the CLI's options as keyword arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras

from services.inference.detectors.lowlevel.card import ModelCard
from training.evaluation.conditions import CONDITIONS
from training.export.cards import read_card, write_card
from training.fit import TrainConfig
from training.recipe.build import RecipeConfig, build_recipe_dataset
from training.recipe.photos import bundled_photos
from training.samples import (
    DatasetError,
    Sample,
    with_splits,
    with_validation,
)
from training.sources import load_samples
from training.workflow import (
    Targets,
    evaluate_to,
    headline,
    package,
    train_and_package,
)

RECIPES = ("default",)
# The recipe labels each generated image with its generator, whether training saw it and its
# type (simulated, network, gan, still); test metrics are also given per group.
RECIPE_GROUPS = ["generator", "generator_kind", "generator_type"]


def recipe_samples(*, workdir: Path, config: RecipeConfig) -> tuple[list[Sample], dict[str, Any]]:
    """The default recipe's dataset, built under `workdir` (or reused), and its description."""
    manifest = build_recipe_dataset(
        out=workdir / "recipe-default", photos=bundled_photos(), config=config
    )
    description = json.loads((manifest.parent / "recipe.json").read_text())
    return load_samples(manifest, workdir=workdir), {"recipe": "default", **description}


def data_samples(
    *, sources: list[Path], workdir: Path, seed: int
) -> tuple[list[Sample], dict[str, Any]]:
    """Samples of user datasets, split by their `split` column or folder, else by source group."""
    samples = [s for source in sources for s in load_samples(source, workdir=workdir / "unpacked")]
    split = with_validation(with_splits(samples, seed=seed), seed=seed)
    return split, {"sources": [str(source) for source in sources]}


def training_samples(
    *, recipe: str | None, data: list[Path], workdir: Path, recipe_config: RecipeConfig
) -> tuple[list[Sample], dict[str, Any]]:
    """The recipe's dataset or the given sources, never both."""
    if (recipe is None) == (not data):
        raise DatasetError("give either --recipe or at least one --data")
    if recipe is None:
        return data_samples(sources=data, workdir=workdir, seed=recipe_config.seed)
    if recipe not in RECIPES:
        raise DatasetError(f"unknown recipe {recipe!r}; known: {', '.join(RECIPES)}")
    return recipe_samples(workdir=workdir, config=recipe_config)


def run_training(
    *,
    recipe: str | None,
    data: list[Path],
    out: Path,
    workdir: Path,
    input_spec: tuple[int, int],
    config: TrainConfig,
    targets: Targets,
    recipe_config: RecipeConfig,
) -> ModelCard:
    """Build or read the data, then train, calibrate, test and save a model with its card."""
    samples, description = training_samples(
        recipe=recipe, data=data, workdir=workdir, recipe_config=recipe_config
    )
    return train_and_package(
        samples=samples,
        model_path=out,
        workdir=workdir / out.name.split(".")[0],
        input_spec=input_spec,
        config=config,
        targets=targets,
        data=description,
        group_by=RECIPE_GROUPS if recipe else [],
    )


def run_calibration(
    *,
    model: Path,
    recipe: str | None,
    data: list[Path],
    workdir: Path,
    recipe_config: RecipeConfig,
    targets: Targets,
) -> ModelCard:
    """Calibrate and test an already trained model again, keeping its training record."""
    samples, _ = training_samples(
        recipe=recipe, data=data, workdir=workdir, recipe_config=recipe_config
    )
    card = read_card(model)
    return package(
        model=keras.models.load_model(model, compile=False),
        model_path=model,
        samples=samples,
        workdir=workdir / card.name,
        input_spec=(card.input.crop_size, card.input.max_crops),
        targets=targets,
        training=card.training,
        group_by=RECIPE_GROUPS if recipe else [],
    )


def run_evaluation(
    *,
    data: Path,
    model: Path,
    out: Path,
    split: str,
    group_by: list[str] | None,
    condition: list[str] | None,
    record_as: str | None,
) -> dict[str, Any]:
    """Score a model on labelled images; optionally record the metrics in its card."""
    samples = load_samples(data, workdir=out / "unpacked")
    if split != "all":
        samples = [sample for sample in samples if sample.split == split]
    if not samples:
        raise DatasetError(f"{data} has no images in split {split!r}")
    card = read_card(model)
    conditions = condition or list(CONDITIONS)
    result = evaluate_to(
        out,
        model=keras.models.load_model(model),
        card=card,
        samples=samples,
        conditions=conditions,
        group_by=group_by or [],
    )
    if record_as:
        metrics = {**card.metrics, record_as: {"data": str(data), **headline(result)}}
        write_card(card.model_copy(update={"metrics": metrics}), model_path=model)
    return result

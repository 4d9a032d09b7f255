"""`deepcatcher train | evaluate | export`: the model pipeline from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Train, evaluate and export detection models.", no_args_is_help=True)

DEFAULT_MODEL = Path("models/deepcatcher-default.keras")


@app.command("train")
def train_command(
    recipe: Annotated[
        str | None, typer.Option(help="Build the named recipe's dataset offline: `default`.")
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Image folder, JSONL/CSV manifest or feedback .tar (repeatable)."),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Where the .keras model goes; its card goes beside it.")
    ] = DEFAULT_MODEL,
    workdir: Annotated[
        Path, typer.Option(help="Built datasets, checkpoints, logs and reports.")
    ] = Path("var/training"),
    backbone: Annotated[
        str,
        typer.Option(
            help="scratch, nsfwjs-mobilenetv2 (offline ImageNet-pretrained blocks), hed-vgg16, "
            "efficientnetb0, mobilenetv3small, mobilenetv2."
        ),
    ] = "scratch",
    weights: Annotated[
        Path | None, typer.Option(help="Start from a .keras model or a .weights.h5 file.")
    ] = None,
    imagenet: Annotated[
        bool, typer.Option(help="ImageNet weights for keras.applications backbones.")
    ] = True,
    crop_size: Annotated[int, typer.Option(help="Crop side in pixels.")] = 64,
    max_crops: Annotated[int, typer.Option(help="Crops per image when scoring.")] = 16,
    epochs: Annotated[int, typer.Option()] = 10,
    steps_per_epoch: Annotated[int, typer.Option()] = 400,
    batch_size: Annotated[int, typer.Option()] = 64,
    max_minutes: Annotated[
        float, typer.Option(help="Stop after the epoch that passes this.")
    ] = 30.0,
    stop_after_epochs: Annotated[
        int | None, typer.Option(help="Stop after this many epochs (the schedule keeps --epochs).")
    ] = None,
    seed: Annotated[int, typer.Option()] = 20260,
    max_real_called_fake: Annotated[
        float, typer.Option(help="Threshold target on validation.")
    ] = 0.05,
    tiles_per_photo: Annotated[int, typer.Option(help="Recipe: tiles cut from each photo.")] = 16,
    generator_steps: Annotated[
        int, typer.Option(help="Recipe: training steps per generator.")
    ] = 300,
    recipe_data: Annotated[
        str,
        typer.Option(help='Recipe: `deepcatcher data build`\'s manifest to add ("" for none).'),
    ] = "var/data/manifest.jsonl",
    network_share: Annotated[
        float, typer.Option(help="Recipe: share of regions that get a Real-ESRGAN pair.")
    ] = 0.25,
    gan_share: Annotated[
        float,
        typer.Option(help="Recipe: share of textured regions that get a CycleGAN pair (0: none)."),
    ] = 0.2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar while training.")] = True,
    cache_images: Annotated[
        bool, typer.Option(help="Keep decoded training images in memory (off for large datasets).")
    ] = True,
) -> None:
    """Train a detector, calibrate it on the validation split and write it with its card."""
    from training.fit import TrainConfig
    from training.recipe.build import RecipeConfig
    from training.runs import run_training
    from training.workflow import Targets

    config = TrainConfig(
        backbone=backbone,
        weights=weights,
        imagenet=imagenet,
        seed=seed,
        batch_size=batch_size,
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        max_minutes=max_minutes,
        stop_after_epochs=stop_after_epochs,
        cache_images=cache_images,
        progress=progress,
    )
    recipe_config = RecipeConfig(
        seed=seed,
        tiles_per_photo=tiles_per_photo,
        generator_steps=generator_steps,
        dataset=recipe_data,
        network_share=network_share,
        gan_share=gan_share,
    )
    card = run_training(
        recipe=recipe,
        data=data or [],
        out=out,
        workdir=workdir,
        input_spec=(crop_size, max_crops),
        config=config,
        targets=Targets(max_real_called_fake=max_real_called_fake),
        recipe_config=recipe_config,
    )
    typer.echo(f"wrote {out} (sha256 {card.sha256[:12]}…) and its card")


@app.command("calibrate")
def calibrate_command(
    model: Annotated[
        Path, typer.Option(help="A trained .keras model with its card.")
    ] = DEFAULT_MODEL,
    recipe: Annotated[str | None, typer.Option(help="Use the named recipe's dataset.")] = None,
    data: Annotated[list[Path] | None, typer.Option(help="Datasets, as for `train`.")] = None,
    workdir: Annotated[Path, typer.Option(help="Where `train` put its data.")] = Path(
        "var/training"
    ),
    seed: Annotated[int, typer.Option()] = 20260,
    max_real_called_fake: Annotated[float, typer.Option(help="Threshold target.")] = 0.05,
) -> None:
    """Re-fit a model's temperature and thresholds on `val`, re-test it; rewrite the card."""
    from training.recipe.build import RecipeConfig
    from training.runs import run_calibration
    from training.workflow import Targets

    card = run_calibration(
        model=model,
        recipe=recipe,
        data=data or [],
        workdir=workdir,
        recipe_config=RecipeConfig(seed=seed),
        targets=Targets(max_real_called_fake=max_real_called_fake),
    )
    typer.echo(f"calibrated {model}: T={card.calibration.temperature:.3f}, {card.thresholds}")


@app.command("evaluate")
def evaluate_command(
    data: Annotated[
        Path, typer.Option(help="Image folder, JSONL/CSV manifest (file,label,…) or feedback .tar.")
    ],
    model: Annotated[
        Path, typer.Option(help="A .keras model with its .card.json beside it.")
    ] = DEFAULT_MODEL,
    out: Annotated[
        Path, typer.Option(help="Folder for report.json, roc.png and reliability.png.")
    ] = Path("var/evaluation"),
    split: Annotated[str, typer.Option(help="all, or only train, val or test rows.")] = "all",
    group_by: Annotated[
        list[str] | None,
        typer.Option(help="Manifest column to split generated images by (repeatable)."),
    ] = None,
    condition: Annotated[
        list[str] | None, typer.Option(help="Robustness conditions (repeatable; default all).")
    ] = None,
    record_as: Annotated[
        str | None, typer.Option(help="Also store the metrics in the model card under this key.")
    ] = None,
) -> None:
    """Measure a model on labelled images under each robustness condition."""
    from training.runs import run_evaluation

    result = run_evaluation(
        data=data,
        model=model,
        out=out,
        split=split,
        group_by=group_by,
        condition=condition,
        record_as=record_as,
    )
    for name, row in result["conditions"].items():
        typer.echo(
            f"{name:>20}: ROC-AUC {row['roc_auc']}, fake caught {row['fake_caught']}, "
            f"real called fake {row['real_called_fake']}, uncertain {row['uncertain']}"
        )


@app.command("export")
def export_command(
    model: Annotated[
        Path, typer.Option(help="A .keras model with its .card.json beside it.")
    ] = DEFAULT_MODEL,
    out: Annotated[Path, typer.Option(help="Export folder.")] = Path("var/export"),
    version: Annotated[int, typer.Option(help="TF Serving version directory.")] = 1,
) -> None:
    """Write the .keras file, JSON and Markdown cards and a TF Serving SavedModel to one folder."""
    from training.export.serving import export_bundle

    for path in export_bundle(model_path=model, out=out, version=version):
        typer.echo(f"wrote {path}")


if __name__ == "__main__":
    app()

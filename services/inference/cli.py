"""Command-line pieces of the inference service: `predict` images in-process and `bench` it.

TensorFlow is imported inside the commands, so `deepcatcher --help` stays fast.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from services.inference.predictions.local import FileOutcome

app = typer.Typer(help="Score images without a server, or benchmark the inference service.")
bench_app = typer.Typer(help="Benchmarks.")

ImagesArgument = Annotated[
    list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="Image files.")
]
ExplainOption = Annotated[
    Path | None,
    typer.Option(help="Write the heatmap PNG here; with several images, OUT-<image>.png each."),
]
ModelOption = Annotated[Path | None, typer.Option(help="Model file (default: from settings).")]


@app.command()
def predict(
    images: ImagesArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    explain: ExplainOption = None,
    model: ModelOption = None,
) -> None:
    """Score images with the service's pipeline, in this process."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's banner off the output
    from services.common.problems import ProblemError
    from services.inference.config import InferenceSettings
    from services.inference.predictions.local import score_files

    settings = InferenceSettings() if model is None else InferenceSettings(model_path=model)
    with typer.progressbar(
        length=len(images), label="Scoring", file=sys.stderr, hidden=len(images) < 2
    ) as progress:
        try:
            outcomes = asyncio.run(
                score_files(
                    images,
                    settings=settings,
                    explain=explain is not None,
                    on_done=lambda _: progress.update(1),
                )
            )
        except ProblemError as error:  # the self-check failed: no file gets a verdict
            typer.echo(f"error: {error.detail}", err=True)
            raise typer.Exit(1) from error
    if explain is not None:
        _write_heatmaps(outcomes, target=explain)
    typer.echo(_as_json(outcomes) if as_json else "\n".join(map(_as_line, outcomes)))
    if any(outcome.problem for outcome in outcomes):
        raise typer.Exit(code=1)


@app.command()
def bench(
    model: ModelOption = None,
    concurrency: Annotated[
        list[int] | None, typer.Option(help="Client counts to measure (default 1, 4, 16, 64).")
    ] = None,
    requests: Annotated[
        int, typer.Option(help="Requests per level (at least 2x clients); p99 needs hundreds.")
    ] = 512,
    width: int = 1600,
    height: int = 1200,
    quality: int = 90,
    batch_max_size: Annotated[int, typer.Option(help="The batched service's batch size.")] = 16,
    batch_max_wait_ms: Annotated[float, typer.Option(help="The batched service's wait.")] = 5.0,
    ceiling_batch: Annotated[
        list[int] | None, typer.Option(help="In-process batch sizes (default 1, 4, 8, 16).")
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(help="Extra service setting as NAME=VALUE, e.g. tf_intra_op_threads=1."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("benchmarks/results"),
) -> None:
    """Benchmark the service over HTTP against batching off and the in-process ceiling."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from services.inference.benchmark import BenchConfig, run_benchmark

    config = BenchConfig(
        model_path=model,
        concurrency=concurrency or [1, 4, 16, 64],
        requests=requests,
        width=width,
        height=height,
        quality=quality,
        batch_max_size=batch_max_size,
        batch_max_wait_ms=batch_max_wait_ms,
        ceiling_batch_sizes=ceiling_batch or [1, 4, 8, 16],
        server_settings=dict(item.split("=", 1) for item in setting or []),
        out=out,
    )
    typer.echo(run_benchmark(config))


bench_app.command("inference")(bench)


def _write_heatmaps(outcomes: list[FileOutcome], *, target: Path) -> None:
    for outcome in outcomes:
        if outcome.prediction is None or outcome.prediction.explanation is None:
            continue
        path = target if len(outcomes) == 1 else _per_image(target, outcome.path)
        path.write_bytes(base64.b64decode(outcome.prediction.explanation.heatmap_png_base64))


def _per_image(target: Path, image: Path) -> Path:
    return target.with_name(f"{target.stem}-{image.stem}{target.suffix or '.png'}")


def _as_json(outcomes: list[FileOutcome]) -> str:
    documents = [
        {
            "file": str(outcome.path),
            "result": outcome.prediction.model_dump(mode="json") if outcome.prediction else None,
            "problem": outcome.problem.model_dump(exclude_none=True) if outcome.problem else None,
        }
        for outcome in outcomes
    ]
    return json.dumps(documents, indent=2)


def _as_line(outcome: FileOutcome) -> str:
    if outcome.problem is not None:
        return f"{outcome.path}: error {outcome.problem.status}: {outcome.problem.detail}"
    prediction = outcome.prediction
    assert prediction is not None
    provenance = next(s for s in prediction.signals if s.name == "provenance")
    return (
        f"{outcome.path}: {prediction.verdict} (score {prediction.score:.2f}, decided by "
        f"{prediction.decided_by}). {provenance.summary}"
    )

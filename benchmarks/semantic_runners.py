"""Time the two ways of running the CLIP tower, in one process, on the same views.

    .venv/bin/python benchmarks/semantic_runners.py [--repeats 20] [--batch 1]

Runners: onnxruntime on the pinned INT8 file (what the bundled card uses), and the Keras rebuild
with dequantised FP32 weights, plain and under Keras's mixed_bfloat16 policy (the CPU's AVX-512
BF16/AMX units). Also prints how far each runner's features are from the FP32 rebuild's (cosine),
since a head trained on one runner's features expects that runner. Writes
benchmarks/results/semantic-runners.{json,md}.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from services.inference.detectors.semantic.backbone import BackboneIdentity, ClipTower
from services.inference.detectors.semantic.views import pixel_values, whole_view

RESULTS = Path(__file__).parent / "results"


def _views(batch: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (480, 640, 3), dtype=np.uint8) for _ in range(batch)]
    return pixel_values([whole_view(image) for image in images])


def _timed(run: Callable[[np.ndarray], np.ndarray], views: np.ndarray, repeats: int) -> list[float]:
    run(views)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(views)
        times.append((time.perf_counter() - start) * 1000 / len(views))
    return times


def _keras_runner(*, bf16: bool) -> Callable[[np.ndarray], np.ndarray]:
    import keras

    from services.inference.detectors.semantic.rebuild import (
        KerasClipTower,
        dequantised_weights,
        tower_model,
    )

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    model = tower_model(weights=dequantised_weights(identity=BackboneIdentity()))
    keras.mixed_precision.set_global_policy("float32")
    return KerasClipTower(model=model).features


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    rows = np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return round(float(np.mean(rows)), 4)


def main(
    repeats: Annotated[int, typer.Option(help="Timed runs per runner.")] = 20,
    batch: Annotated[int, typer.Option(help="Views per call (the bundled card uses 1).")] = 1,
    results: Annotated[Path, typer.Option(help="Where the results go.")] = RESULTS,
) -> None:
    """Time every runner on the same views and compare their features."""
    views = _views(batch)
    runners = {
        "onnxruntime INT8": ClipTower.open(identity=BackboneIdentity()).features,
        "keras FP32": _keras_runner(bf16=False),
        "keras bf16": _keras_runner(bf16=True),
    }
    reference = runners["keras FP32"](views)
    rows: list[dict[str, Any]] = []
    for name, run in runners.items():
        times = _timed(run, views, repeats)
        rows.append(
            {
                "runner": name,
                "median_ms_per_view": round(statistics.median(times), 1),
                "p90_ms_per_view": round(sorted(times)[int(0.9 * (len(times) - 1))], 1),
                "cosine_to_fp32": _cosine(run(views), reference),
            }
        )
        typer.echo(json.dumps(rows[-1]))
    _write(rows, results=results, repeats=repeats, batch=batch)


def _write(rows: list[dict[str, Any]], *, results: Path, repeats: int, batch: int) -> None:
    results.mkdir(parents=True, exist_ok=True)
    meta = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "repeats": repeats}
    (results / "semantic-runners.json").write_text(
        json.dumps({**meta, "batch": batch, "runners": rows}, indent=2) + "\n"
    )
    lines = [
        f"# CLIP tower runners ({meta['measured']}, batch {batch}, {repeats} runs)",
        "",
        "| runner | median ms/view | p90 ms/view | cosine to FP32 features |",
        "|---|---|---|---|",
        *(
            f"| {r['runner']} | {r['median_ms_per_view']} | {r['p90_ms_per_view']} "
            f"| {r['cosine_to_fp32']} |"
            for r in rows
        ),
    ]
    (results / "semantic-runners.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    typer.run(main)

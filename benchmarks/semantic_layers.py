"""Time the FP32 tower graph against its layers variant (every block's class token), same views.

    .venv/bin/python benchmarks/semantic_layers.py [--repeats 20] [--batch 2] [--threads 2]

The two sessions run in turn on every repeat, so that a shared machine's load falls on both.
Writes benchmarks/results/semantic-layers.{json,md}.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import onnxruntime
import typer

from services.inference.detectors.semantic.backbone import BackboneIdentity, ClipTower
from services.inference.detectors.semantic.views import pixel_values, whole_view

RESULTS = Path(__file__).parent / "results"


def _views(batch: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (480, 640, 3), dtype=np.uint8) for _ in range(batch)]
    return pixel_values([whole_view(image) for image in images])


def _ms_per_view(run: Callable[[], object], views: int) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000 / views


def _row(name: str, times: list[float], baseline: float) -> dict[str, Any]:
    median = statistics.median(times)
    return {
        "graph": name,
        "ms_per_view_median": round(median, 2),
        "ms_per_view_best": round(min(times), 2),
        "vs_fp32": round(median / baseline, 3),
    }


def main(
    repeats: Annotated[int, typer.Option(help="Timed calls per graph.")] = 20,
    batch: Annotated[int, typer.Option(help="224x224 views per call.")] = 2,
    threads: Annotated[int, typer.Option(help="onnxruntime intra-op threads.")] = 2,
    cache: Annotated[Path, typer.Option(help="Folder of the derived graphs.")] = Path("var/cache"),
    results: Annotated[Path, typer.Option(help="Where the results go.")] = RESULTS,
) -> None:
    """Time both graphs on the same views, in turn, and write the medians per view."""
    views = _views(batch)
    towers = {
        name: ClipTower.open(
            identity=BackboneIdentity(),
            threads=threads,
            numerics="fp32",
            cache_dir=cache,
            layers=layers,
        )
        for name, layers in (("fp32", False), ("fp32-layers", True))
    }
    runs: dict[str, Callable[[], object]] = {
        "fp32": lambda: towers["fp32"].features(views),
        "fp32-layers": lambda: towers["fp32-layers"].features_and_layers(views),
    }
    for run in runs.values():
        run()
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(_ms_per_view(run, batch))
    baseline = statistics.median(times["fp32"])
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "onnxruntime": onnxruntime.__version__,
        "batch": batch,
        "threads": threads,
        "repeats": repeats,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "rows": [_row(name, times[name], baseline) for name in runs],
    }
    _write(report, results=results)


def _write(report: dict[str, Any], *, results: Path) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / "semantic-layers.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"# FP32 tower vs its layers variant ({report['date']})",
        "",
        f"Host: {report['host']}, onnxruntime {report['onnxruntime']}; {report['batch']} views "
        f"of 224x224 per call, {report['threads']} threads, {report['repeats']} calls per graph "
        f"taken in turn; 1-minute load average {report['load_average_1min'][0]} before, "
        f"{report['load_average_1min'][1]} after (a shared machine).",
        "",
        "| graph | ms/view median | ms/view best | median vs fp32 |",
        "|---|---|---|---|",
        *(
            f"| `{row['graph']}` | {row['ms_per_view_median']} | {row['ms_per_view_best']} "
            f"| {row['vs_fp32']}x |"
            for row in report["rows"]
        ),
    ]
    (results / "semantic-layers.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    typer.run(main)

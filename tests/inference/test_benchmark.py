"""The inference benchmark end to end at toy sizes: real service processes, every figure written."""

from __future__ import annotations

import json
from pathlib import Path

from services.inference.benchmark import BenchConfig, run_benchmark


def test_benchmark_writes_every_row_reference_and_ratio(tmp_path: Path) -> None:
    config = BenchConfig(
        concurrency=[1, 2],
        requests=6,
        width=320,
        height=240,
        distinct_images=2,
        ceiling_batch_sizes=[1, 2],
        out=tmp_path,
    )

    markdown = run_benchmark(config)

    (written,) = tmp_path.glob("inference-*.json")
    results = json.loads(written.read_text())
    rows = {(row["mode"], row["concurrency"]) for row in results["service"]}
    assert rows == {(mode, n) for mode in ("batched", "unbatched") for n in (1, 2)}
    assert all(row["errors"] == 0 and row["images_per_s"] > 0 for row in results["service"])
    paired = results["paired_single_image"]
    assert paired["samples"] == 6 and 0 < paired["in_process_p50_ms"] <= paired["in_process_p99_ms"]
    targets = results["targets"]
    assert targets["c16_vs_ceiling"] is None  # 16 clients were not measured
    assert all(
        targets[name] > 0
        for name in (
            "c1_p99_vs_in_process_single",
            "paired_c1_p99_vs_in_process_median",
            "paired_c1_p99_vs_in_process_p99",
        )
    )
    assert written.with_suffix(".md").read_text() == markdown
    assert "| in-process |" in markdown

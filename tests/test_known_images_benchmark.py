"""benchmarks/known_images.py scale, end to end on a small SQLite database."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "known_images.py"


async def test_scale_fills_loads_and_times_lookups_with_every_hash_an_entry_has(
    tmp_path: Path,
) -> None:
    spec = importlib.util.spec_from_file_location("known_images_benchmark", SCRIPT)
    assert spec and spec.loader
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)

    figures = await benchmark.measure_scale(
        url=f"sqlite+aiosqlite:///{tmp_path / 'known.db'}",
        entries=3000,
        hashes=benchmark.HASHES_PER_ENTRY,
        queries=40,
    )

    assert figures["hashes_indexed"] == 3000 * 6
    assert 0 < figures["lookup_ms_p50_p99"][0] <= figures["lookup_ms_p50_p99"][1]

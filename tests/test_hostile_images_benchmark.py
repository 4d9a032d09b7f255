"""benchmarks/hostile_images.py, end to end on a real service with the tiny test model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.support.images import noise_png, png
from tests.support.models import write_tiny_model

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "hostile_images.py"


def test_thin_images_are_refused_quickly_and_the_service_still_answers(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("hostile_images_benchmark", SCRIPT)
    assert spec and spec.loader
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    images = {"30000x1": ("thin", noise_png(width=30000, height=1)), "photo": ("ok", png())}

    figures = benchmark.run(model_path=write_tiny_model(folder=tmp_path), images=images)

    thin, photo = figures["images"]
    assert thin["status"] == 422 and "30000x1" in thin["answer"], thin
    assert thin["seconds"] < 10 and thin["peak_growth_mb"] < 500, thin
    assert photo["status"] == 200 and photo["answer"] in {"real", "fake", "uncertain"}
    assert figures["still_answers"] is True
    assert "| 30000x1 | thin |" in benchmark.markdown(figures)

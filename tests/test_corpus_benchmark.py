"""benchmarks/corpus.py end to end on a tiny corpus the test writes, with a tiny model."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from tests.support.models import write_tiny_model

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "corpus.py"
FIELDS = ["file", "label", "generator", "has_generation_metadata"]


@pytest.fixture(scope="module")
def corpus_module() -> ModuleType:
    """The script loaded as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("corpus_benchmark", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_image(path: Path, *, size: tuple[int, int], seed: int, format: str) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0], 3))
    exif = Image.Exif()
    exif[0x0110] = "Test Camera"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to show upright
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path, format=format, exif=exif.tobytes())


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two AI images (one too big to launder untouched), two real ones and a broken file."""
    root = tmp_path_factory.mktemp("corpus")
    files = [
        ("ai/a.png", "ai", "Gen A", "yes", (64, 48), "PNG"),
        ("ai/b.jpg", "ai", "Gen B", "no", (1600, 800), "JPEG"),
        ("real/c.jpg", "real", "Camera", "no", (80, 60), "JPEG"),
        ("real/d.png", "real", "Camera", "no", (70, 50), "PNG"),
    ]
    for index, (name, *_, size, format) in enumerate(files):
        _write_image(root / name, size=size, seed=index, format=format)
    (root / "real/broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    rows = [dict(zip(FIELDS, row[:4], strict=True)) for row in files]
    rows.append(dict(zip(FIELDS, ["real/broken.jpg", "real", "Camera", "no"], strict=True)))
    with (root / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return root / "manifest.csv"


@pytest.fixture(scope="module")
def results(
    corpus_module: ModuleType, manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The reports of one `--all-conditions` run."""
    model = write_tiny_model(folder=tmp_path_factory.mktemp("model"))
    folder = tmp_path_factory.mktemp("results")
    app = typer.Typer()
    app.command()(corpus_module.main)
    args = [str(manifest), "--model", str(model), "--all-conditions", "--results", str(folder)]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    return folder


def _report(folder: Path, suffix: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((folder / f"corpus-detector{suffix}.json").read_text())
    return report


def _file(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in report["files"] if row["file"] == name)


def test_every_condition_writes_its_report_and_the_summary_has_a_row_each(results: Path) -> None:
    for suffix in ("", "-stripped", "-laundered"):
        assert (results / f"corpus-detector{suffix}.md").exists()
    summary = (results / "corpus-summary.md").read_text()
    for condition in ("original", "stripped", "laundered"):
        row = next(line for line in summary.splitlines() if line.startswith(f"| {condition} |"))
        assert row.count(" of 2 (") == 2 and " of 4 (" in row  # AI, real, uncertain tallies


def test_stripped_files_are_upright_pngs_and_laundered_ones_small_jpegs(results: Path) -> None:
    stripped, laundered = _report(results, "-stripped"), _report(results, "-laundered")

    assert _file(stripped, "ai/b.jpg")["image"] == {"width": 800, "height": 1600, "format": "PNG"}
    assert _file(laundered, "ai/b.jpg")["image"] == {"width": 540, "height": 1080, "format": "JPEG"}
    assert _file(laundered, "real/c.jpg")["image"]["width"] == 60  # small ones are not enlarged


def test_figures_cover_subsets_generators_and_every_signal(results: Path) -> None:
    report = _report(results, "")
    everything = report["subsets"]["all"]

    assert everything["files"] == {"ai": 2, "real": 2, "refused": 1}
    assert everything["ai_caught"]["of"] == 2 and everything["real_called_fake"]["of"] == 2
    assert {"model", "spectrum"} <= set(everything["signals"])
    assert set(report["generators"]) == {"Gen A", "Gen B"}
    assert report["generators"]["Gen A"]["files"] == {"ai": 1, "real": 2, "refused": 1}
    assert _file(report, "real/broken.jpg")["problem"]
    assert set(_file(report, "ai/a.png")["signals"]) >= {"model", "spectrum"}


def test_a_file_that_cannot_be_decoded_is_refused_under_every_condition(results: Path) -> None:
    for suffix in ("-stripped", "-laundered"):
        row = _file(_report(results, suffix), "real/broken.jpg")
        assert row["problem"] and row["score"] is None


def test_rewrites_keep_no_metadata(corpus_module: ModuleType) -> None:
    pixels = np.zeros((40, 30, 3), dtype=np.uint8)
    for rewrite, format in ((corpus_module._stripped, "PNG"), (corpus_module._laundered, "JPEG")):
        data, _ = rewrite(pixels)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == format and not image.getexif() and not image.info.get("exif")


def test_laundering_shrinks_only_the_long_side_past_1080(corpus_module: ModuleType) -> None:
    tall = np.zeros((2160, 1000, 3), dtype=np.uint8)
    assert corpus_module.fitted(tall, long_side=1080).shape == (1080, 500, 3)
    small = np.zeros((1080, 700, 3), dtype=np.uint8)
    assert corpus_module.fitted(small, long_side=1080) is small


def test_flags_choose_the_conditions(corpus_module: ModuleType) -> None:
    choose = corpus_module.chosen_conditions
    assert choose(strip_metadata=False, launder=False, all_conditions=False) == ["original"]
    assert choose(strip_metadata=True, launder=False, all_conditions=False) == ["stripped"]
    assert choose(strip_metadata=True, launder=True, all_conditions=False) == ["laundered"]
    assert choose(strip_metadata=False, launder=False, all_conditions=True) == [
        "original",
        "stripped",
        "laundered",
    ]

"""`predict IMAGE... [--json] [--explain out.png]`: the service's pipeline, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from services.inference.cli import app
from tests.support.images import jpeg, png


def images(folder: Path) -> list[Path]:
    first, second = folder / "first.jpg", folder / "second.png"
    first.write_bytes(jpeg(seed=1))
    second.write_bytes(png(seed=2))
    return [first, second]


def test_predict_prints_one_json_document(tiny_model: Path, tmp_path: Path) -> None:
    paths = images(tmp_path)

    result = CliRunner().invoke(
        app, ["predict", *map(str, paths), "--json", "--model", str(tiny_model)]
    )

    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert [d["file"] for d in documents] == [str(p) for p in paths]
    assert [d["result"]["image"]["format"] for d in documents] == ["JPEG", "PNG"]
    assert all(d["result"]["verdict"] in {"real", "fake", "uncertain"} for d in documents)
    assert all(d["problem"] is None for d in documents)


def test_predict_writes_the_heatmap(tiny_model: Path, tmp_path: Path) -> None:
    (image, _) = images(tmp_path)
    heatmap = tmp_path / "heat.png"

    result = CliRunner().invoke(
        app, ["predict", str(image), "--explain", str(heatmap), "--model", str(tiny_model)]
    )

    assert result.exit_code == 0, result.output
    assert "first.jpg: " in result.stdout
    assert Image.open(heatmap).size == (192, 160)


def test_predict_reports_a_bad_file_and_fails(tiny_model: Path, tmp_path: Path) -> None:
    (image, _) = images(tmp_path)
    notes = tmp_path / "notes.jpg"
    notes.write_text("not an image")

    result = CliRunner().invoke(
        app, ["predict", str(image), str(notes), "--model", str(tiny_model)]
    )

    assert result.exit_code == 1
    assert "notes.jpg: error 415" in result.stdout
    assert "first.jpg: " in result.stdout

"""`deepcatcher train | evaluate | export` end to end on tiny data the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image
from typer.testing import CliRunner

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from tests.training.conftest import CROP, train_args
from tests.training.test_sources import feedback_tar
from training.cli import app
from training.evaluation.conditions import CONDITIONS

runner = CliRunner()


def test_train_writes_a_model_and_a_valid_card(trained_model: Path) -> None:
    card = ModelCard.model_validate_json(card_path_for(trained_model).read_text())

    assert card.sha256 == sha256_of(trained_model) and card.file == trained_model.name
    assert card.input.crop_size == CROP and card.calibration.temperature > 0
    assert card.thresholds.real_below <= card.thresholds.fake_above
    assert set(card.metrics["held_out_test"]["conditions"]) == set(CONDITIONS)
    assert card.training["splits"]["test"] == {"real": 6, "fake": 6, "sources": 12}


def test_card_round_trips_through_json(trained_model: Path) -> None:
    card = ModelCard.model_validate_json(card_path_for(trained_model).read_text())

    assert ModelCard.model_validate_json(card.model_dump_json()) == card


def test_saved_model_loads_the_way_the_service_loads_it(trained_model: Path) -> None:
    model = keras.saving.load_model(trained_model, compile=False, safe_mode=True)

    assert np.asarray(model.predict_on_batch(np.zeros((2, CROP, CROP, 3), np.float32))).shape == (
        2,
        1,
    )


def test_evaluate_writes_json_and_plots(
    trained_model: Path, tiny_folder: Path, tmp_path: Path
) -> None:
    args = [
        "evaluate",
        "--model",
        str(trained_model),
        "--data",
        str(tiny_folder),
        "--split",
        "test",
        "--out",
        str(tmp_path),
        "--condition",
        "original",
        "--condition",
        "jpeg_q75",
    ]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["conditions"]["jpeg_q75"]["images"] == {"real": 6, "fake": 6}
    assert len(report["images"]) == 12
    assert (
        Image.open(tmp_path / "roc.png").format
        == Image.open(tmp_path / "reliability.png").format
        == "PNG"
    )


def test_evaluate_reads_the_corpus_manifest_and_records_into_the_card(
    trained_model: Path, tiny_folder: Path, tmp_path: Path
) -> None:
    model = tmp_path / trained_model.name
    model.write_bytes(trained_model.read_bytes())
    card_path_for(model).write_text(card_path_for(trained_model).read_text())
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,label,generator,has_generation_metadata\n"
        + "".join(
            f"{tiny_folder}/test/fake/{i}.png,ai,sim,{'yes' if i < 3 else 'no'}\n" for i in range(6)
        )
        + "".join(f"{tiny_folder}/test/real/{i}.png,real,,no\n" for i in range(6))
    )
    args = [
        "evaluate",
        "--model",
        str(model),
        "--data",
        str(manifest),
        "--out",
        str(tmp_path / "r"),
        "--group-by",
        "has_generation_metadata",
        "--condition",
        "original",
        "--record-as",
        "corpus",
    ]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    card = ModelCard.model_validate_json(card_path_for(model).read_text())
    subsets = card.metrics["corpus"]["subsets"]
    assert subsets["has_generation_metadata=yes"]["original"]["images"] == {"real": 6, "fake": 3}
    assert card.sha256 == sha256_of(model)


def test_export_writes_cards_and_a_tf_serving_layout(trained_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "--model", str(trained_model), "--out", str(tmp_path), "--version", "3"]
    )

    assert result.exit_code == 0, result.output
    assert (
        "has not been validated on the outputs of current commercial generators"
        in (tmp_path / "tiny.card.md").read_text()
    )
    crops = np.random.default_rng(0).uniform(0, 255, (4, CROP, CROP, 3)).astype(np.float32)
    serving = tf.saved_model.load(str(tmp_path / "tiny" / "3")).signatures["serving_default"]
    served = next(iter(serving(tf.constant(crops)).values())).numpy()
    expected = keras.saving.load_model(tmp_path / "tiny.keras").predict_on_batch(crops)
    assert np.allclose(served, expected, atol=1e-4)


def test_train_reads_the_feedback_export(tiny_folder: Path, tmp_path: Path) -> None:
    archive = feedback_tar(tmp_path / "feedback.tar", labels=["fake", "real"] * 5)
    args = train_args(
        data=[tiny_folder, archive],
        out=tmp_path / "fb.keras",
        workdir=tmp_path / "work",
        epochs=1,
        steps=2,
    )

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    splits = ModelCard.model_validate_json(
        card_path_for(tmp_path / "fb.keras").read_text()
    ).training["splits"]
    assert sum(s["real"] + s["fake"] for s in splits.values()) == 48 + 10


def test_recipe_without_its_built_data_set_says_how_to_build_it(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "manifest.jsonl"
    args = ["train", "--recipe", "default", "--recipe-data", str(missing)]

    result = runner.invoke(app, [*args, "--workdir", str(tmp_path / "work")])

    assert result.exit_code != 0
    assert "deepcatcher data build" in str(result.exception)
    assert not (tmp_path / "work" / "recipe-default" / "manifest.jsonl").exists()

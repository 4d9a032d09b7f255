"""Exporting a model for TF Serving and bundling it with its cards."""

from __future__ import annotations

import shutil
from pathlib import Path

import keras

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from training.export.cards import read_card
from training.export.markdown import markdown_card


def export_saved_model(model: keras.Model, *, base: Path, version: int) -> Path:
    """A SavedModel in TF Serving's `<name>/<version>/` layout, `serving_default` signature."""
    path = base / str(version)
    if path.exists():
        shutil.rmtree(path)
    model.export(str(path), format="tf_saved_model", verbose=False)
    return path


def export_bundle(*, model_path: Path, out: Path, version: int) -> list[Path]:
    """Copy the .keras file and its JSON card to `out`, add the Markdown card and the SavedModel."""
    card = read_card(model_path)
    out.mkdir(parents=True, exist_ok=True)
    keras_copy = out / model_path.name
    if keras_copy.resolve() != model_path.resolve():
        shutil.copy2(model_path, keras_copy)
        shutil.copy2(card_path_for(model_path), card_path_for(keras_copy))
    markdown = out / f"{card.name}.card.md"
    markdown.write_text(markdown_card(card), encoding="utf-8")
    saved = export_saved_model(
        keras.models.load_model(keras_copy), base=out / card.name, version=version
    )
    card_copy = card_path_for(keras_copy)
    return [keras_copy, card_copy, markdown, saved, write_saved_model_card(card, saved)]


def write_saved_model_card(card: ModelCard, saved: Path) -> Path:
    """The card for the SavedModel directory (its own hash), where the inference service looks."""
    update = {"file": saved.name, "sha256": sha256_of(saved)}
    path = card_path_for(saved)
    path.write_text(
        card.model_copy(update=update).model_dump_json(indent=2) + "\n", encoding="utf-8"
    )
    return path

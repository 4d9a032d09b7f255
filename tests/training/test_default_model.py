"""The bundled default model: present, small, matching its card, and honest about its limits."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of

DEFAULT = Path(__file__).resolve().parents[2] / "models" / "deepcatcher-default.keras"


def test_default_model_matches_its_card_and_stays_small() -> None:
    card = ModelCard.model_validate_json(card_path_for(DEFAULT).read_text())

    assert card.file == DEFAULT.name and card.sha256 == sha256_of(DEFAULT)
    assert DEFAULT.stat().st_size < 20 * 2**20
    assert any(
        "Not validated on the outputs of current commercial generators" in item
        for item in card.limitations
    )


def test_default_model_scores_crops_of_its_card_size() -> None:
    card = ModelCard.model_validate_json(card_path_for(DEFAULT).read_text())
    model = keras.saving.load_model(DEFAULT, compile=False, safe_mode=True)

    size = card.input.crop_size
    assert np.asarray(model.predict_on_batch(np.zeros((2, size, size, 3), np.float32))).shape == (
        2,
        1,
    )


def test_inference_service_loads_the_default_model_and_the_exported_savedmodel(
    tmp_path: Path,
) -> None:
    from services.inference.detectors.lowlevel.device import Device
    from services.inference.detectors.lowlevel.loading import load_model
    from training.export.serving import export_bundle

    cpu = Device(kind="CPU", name="cpu", backend="tensorflow")
    export_bundle(model_path=DEFAULT, out=tmp_path, version=1)

    keras_file = load_model(path=DEFAULT, device=cpu, mixed_precision=False)
    saved_model = load_model(path=tmp_path / DEFAULT.stem / "1", device=cpu, mixed_precision=False)

    assert (keras_file.format, saved_model.format) == ("keras", "savedmodel")
    crops = np.random.default_rng(0).uniform(0, 255, (2, 64, 64, 3)).astype(np.float32)
    expected = keras_file.model.predict_on_batch(crops)
    assert np.allclose(np.asarray(saved_model.model.predict_on_batch(crops)), expected, atol=1e-4)

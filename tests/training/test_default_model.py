"""The bundled default model: present, small, matching its card, and honest about its limits."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from services.inference.model.card import ModelCard, card_path_for, sha256_of

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

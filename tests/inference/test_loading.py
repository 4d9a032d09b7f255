"""Model loading: .keras, .h5 and SavedModel accepted; a missing or inconsistent card refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from services.inference.detectors.lowlevel.device import Device
from services.inference.detectors.lowlevel.loading import (
    ModelLoadError,
    load_model,
    to_mixed_precision,
)
from tests.inference.conftest import ServiceFactory
from tests.inference.support import rewrite_card
from tests.support.images import jpeg

CPU = Device(kind="CPU", name="cpu", backend=keras.backend.backend())


def describe(model_path: Path, *, like: Path, name: str) -> Path:
    """Write a card for `model_path` copied from the tiny model's, with the new file and hash."""
    card = ModelCard.model_validate_json(card_path_for(like).read_bytes())
    update = {"name": name, "file": model_path.name, "sha256": sha256_of(model_path)}
    card_path_for(model_path).write_text(card.model_copy(update=update).model_dump_json())
    return model_path


@pytest.fixture(scope="module")
def formats(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny model saved as .keras, .h5 and a SavedModel directory, each with its card."""
    folder = tmp_path_factory.mktemp("formats")
    model = keras.saving.load_model(tiny_model)
    keras_path = folder / "tiny-keras.keras"
    shutil.copy(tiny_model, keras_path)
    h5_path = folder / "tiny-h5.h5"
    model.save(h5_path)
    saved_model = folder / "tiny-savedmodel"
    model.export(saved_model, verbose=False)
    return {
        "keras": describe(keras_path, like=tiny_model, name="tiny-keras"),
        "h5": describe(h5_path, like=tiny_model, name="tiny-h5"),
        "savedmodel": describe(saved_model, like=tiny_model, name="tiny-savedmodel"),
    }


@pytest.mark.parametrize("format", ["keras", "h5", "savedmodel"])
async def test_each_model_format_is_served(
    formats: dict[str, Path], start_service: ServiceFactory, tiny_model: Path, format: str
) -> None:
    path = formats[format]
    async with start_service(model_path=path, fusion_card_path=None) as client:
        models = (await client.get("/v1/models")).json()["models"]
        response = await client.post("/v1/predict", files={"file": ("a.jpg", jpeg(seed=1))})

    assert models[0]["format"] == format
    assert models[0]["version"] == sha256_of(path)
    assert response.status_code == 200, response.text
    assert response.json()["model"] == {"name": f"tiny-{format}", "version": sha256_of(path)}


async def test_formats_agree_on_the_score(
    formats: dict[str, Path], start_service: ServiceFactory
) -> None:
    scores = []
    for path in formats.values():
        async with start_service(model_path=path) as client:
            response = await client.post("/v1/predict", files={"file": ("a.jpg", jpeg(seed=2))})
        scores.append(response.json()["score"])

    assert max(scores) - min(scores) < 1e-3, scores


@pytest.fixture
def broken_copy(tiny_model: Path, tmp_path: Path) -> Path:
    """A copy of the tiny model and its card that a test may break."""
    path = tmp_path / tiny_model.name
    shutil.copy(tiny_model, path)
    shutil.copy(card_path_for(tiny_model), card_path_for(path))
    return path


def test_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="No model at"):
        load_model(path=tmp_path / "absent.keras", device=CPU, mixed_precision=False)


def test_missing_card_is_refused(broken_copy: Path) -> None:
    card_path_for(broken_copy).unlink()

    with pytest.raises(ModelLoadError, match="has no model card"):
        load_model(path=broken_copy, device=CPU, mixed_precision=False)


def test_unreadable_card_is_refused(broken_copy: Path) -> None:
    card_path_for(broken_copy).write_text('{"name": "tiny"}')

    with pytest.raises(ModelLoadError, match="is not valid"):
        load_model(path=broken_copy, device=CPU, mixed_precision=False)


def test_card_of_another_file_is_refused(broken_copy: Path) -> None:
    rewrite_card(broken_copy, sha256="0" * 64)

    with pytest.raises(ModelLoadError, match="the card belongs to another file"):
        load_model(path=broken_copy, device=CPU, mixed_precision=False)


def test_card_naming_another_file_is_refused(broken_copy: Path) -> None:
    rewrite_card(broken_copy, file="other.keras")

    with pytest.raises(ModelLoadError, match=r"describes 'other\.keras'"):
        load_model(path=broken_copy, device=CPU, mixed_precision=False)


def test_card_with_another_crop_size_is_refused(broken_copy: Path) -> None:
    card = ModelCard.model_validate_json(card_path_for(broken_copy).read_bytes())
    rewrite_card(broken_copy, input=card.input.model_copy(update={"crop_size": 64}))

    with pytest.raises(ModelLoadError, match="64x64 RGB crops"):
        load_model(path=broken_copy, device=CPU, mixed_precision=False)


def test_model_with_more_than_one_output_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    model = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)]
    )
    path = tmp_path / "two.keras"
    model.save(path)
    describe(path, like=tiny_model, name="two")

    with pytest.raises(ModelLoadError, match="one raw logit is expected"):
        load_model(path=path, device=CPU, mixed_precision=False)


async def test_service_refuses_to_start_with_a_clear_message(
    broken_copy: Path, start_service: ServiceFactory
) -> None:
    card_path_for(broken_copy).unlink()

    with pytest.raises(ModelLoadError, match="has no model card"):
        async with start_service(model_path=broken_copy):
            pass


def test_mixed_precision_copy_keeps_the_logits(tiny_model: Path) -> None:
    model = keras.saving.load_model(tiny_model)
    crops = np.random.default_rng(0).uniform(0, 255, (4, 32, 32, 3)).astype("float32")

    mixed, precision = to_mixed_precision(model)

    assert precision == "mixed_float16"
    assert mixed.layers[0].dtype_policy.name == "mixed_float16"
    assert mixed.layers[-1].dtype_policy.name == "float32"
    np.testing.assert_allclose(
        mixed.predict_on_batch(crops), model.predict_on_batch(crops), atol=2e-2
    )


@pytest.mark.parametrize(("present", "loaded"), [("h5", "h5"), ("savedmodel", "savedmodel")])
def test_configured_name_falls_back_to_other_formats(
    formats: dict[str, Path], tmp_path: Path, present: str, loaded: str
) -> None:
    source = formats[present]
    target = tmp_path / ("tiny" + ("" if source.is_dir() else source.suffix))
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    describe(target, like=formats["keras"], name="tiny")

    model = load_model(path=tmp_path / "tiny.keras", device=CPU, mixed_precision=False)

    assert (model.format, model.path) == (loaded, target)

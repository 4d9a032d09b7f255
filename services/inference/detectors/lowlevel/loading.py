"""Load a model and its card, refusing to serve one that does not match what its card says."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
from pydantic import ValidationError

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from services.inference.detectors.lowlevel.device import Device

logger = logging.getLogger("deepcatcher.inference.model")
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


class ModelLoadError(RuntimeError):
    """The model or its card cannot be served; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to run, with the card and file hash it was checked against."""

    model: Any
    card: ModelCard
    path: Path
    version: str
    format: str
    device: Device
    precision: str
    load_seconds: float


def load_model(*, path: Path, device: Device, mixed_precision: bool) -> LoadedModel:
    """Load the model at `path` and its card, verifying hash, file name and input/output shapes."""
    started = time.perf_counter()
    path, card, version = _checked_card(path)
    model, model_format = _load_any(path=path, crop_size=card.input.crop_size)
    check_shapes(model=model, card=card, path=path)
    precision = "float32"
    if mixed_precision and device.kind == "GPU":
        model, precision = to_mixed_precision(model)
    return LoadedModel(
        model=model,
        card=card,
        path=path,
        version=version,
        format=model_format,
        device=device,
        precision=precision,
        load_seconds=time.perf_counter() - started,
    )


def describe_remote_model(*, path: Path, device: Device) -> LoadedModel:
    """The card and hash of a model another server runs (TF Serving); nothing is loaded here."""
    started = time.perf_counter()
    path, card, version = _checked_card(path)
    return LoadedModel(
        model=None,
        card=card,
        path=path,
        version=version,
        format="tfserving",
        device=device,
        precision="float32",
        load_seconds=time.perf_counter() - started,
    )


def _checked_card(path: Path) -> tuple[Path, ModelCard, str]:
    path = resolve_model_path(path)
    card = read_card(model_path=path)
    version = sha256_of(path)
    if version != card.sha256:
        raise ModelLoadError(
            f"{path} has sha256 {version} but its card {card_path_for(path)} says {card.sha256}; "
            "the card belongs to another file. Re-export the card with the model."
        )
    return path, card, version


def resolve_model_path(path: Path) -> Path:
    """`path` if it exists, else the same name as .keras, then .h5, then a SavedModel directory."""
    if path.exists():
        return path
    stem = path.with_name(path.name.split(".")[0])
    candidates = (stem.with_suffix(".keras"), stem.with_suffix(".h5"), stem / "saved_model.pb")
    found = next((candidate for candidate in candidates if candidate.exists()), None)
    if found is None:
        return path
    return found.parent if found.name == "saved_model.pb" else found


def read_card(*, model_path: Path) -> ModelCard:
    """The card beside a model, or a clear refusal when the model or card is missing or invalid."""
    if not model_path.exists():
        raise ModelLoadError(
            f"No model at {model_path}. Train one (deepcatcher train) or point "
            "DEEPCATCHER_INFERENCE_MODEL_PATH at a .keras, .h5 or SavedModel directory."
        )
    card_path = card_path_for(model_path)
    if not card_path.is_file():
        raise ModelLoadError(f"{model_path} has no model card; expected {card_path}.")
    try:
        card = ModelCard.model_validate_json(card_path.read_bytes())
    except ValidationError as exc:
        raise ModelLoadError(f"The model card {card_path} is not valid: {exc}") from exc
    if card.file != model_path.name:
        raise ModelLoadError(
            f"The card {card_path} describes {card.file!r}, not {model_path.name!r}."
        )
    return card


def _load_any(*, path: Path, crop_size: int) -> tuple[Any, str]:
    if path.is_dir() and (path / "saved_model.pb").is_file():
        return _load_saved_model(path=path, crop_size=crop_size), "savedmodel"
    if path.suffix not in KERAS_SUFFIXES:
        raise ModelLoadError(f"{path} is not a .keras or .h5 file nor a SavedModel directory.")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a broken or foreign file
        raise ModelLoadError(f"Keras cannot load {path}: {exc}") from exc
    return model, path.suffix.lstrip(".")


def _load_saved_model(*, path: Path, crop_size: int) -> Any:
    if keras.backend.backend() != "tensorflow":
        raise ModelLoadError("A SavedModel directory needs Keras's TensorFlow backend.")
    errors = []
    for endpoint in ("serve", "serving_default"):
        try:
            layer = keras.layers.TFSMLayer(str(path), call_endpoint=endpoint)
        except Exception as exc:  # the endpoint name differs between export paths
            errors.append(f"{endpoint}: {exc}")
            continue
        inputs = keras.Input(shape=(crop_size, crop_size, 3), dtype="float32")
        outputs = layer(inputs)
        if isinstance(outputs, dict):
            outputs = next(iter(outputs.values()))
        return keras.Model(inputs, outputs)
    raise ModelLoadError(f"Cannot load the SavedModel {path}: {'; '.join(errors)}")


def check_shapes(*, model: Any, card: ModelCard, path: Path) -> None:
    """Refuse a model whose input or output does not fit the card's crops and a single logit."""
    size = card.input.crop_size
    declared = tuple(model.inputs[0].shape) if getattr(model, "inputs", None) else None
    if declared is not None and (
        len(declared) != 4
        or declared[3] != 3
        or any(dim not in (None, size) for dim in declared[1:3])
    ):
        raise ModelLoadError(
            f"{path} takes input {declared}, but its card says {size}x{size} RGB crops."
        )
    try:
        output = np.asarray(model.predict_on_batch(np.zeros((2, size, size, 3), np.float32)))
    except Exception as exc:  # any failure here means the card's input does not fit
        raise ModelLoadError(f"{path} cannot run on {size}x{size} RGB crops: {exc}") from exc
    if output.shape != (2, 1):
        raise ModelLoadError(
            f"{path} answers shape {output.shape[1:]} per crop; one raw logit is expected."
        )


def to_mixed_precision(model: Any) -> tuple[Any, str]:
    """A float16-compute copy of a Sequential or functional model (the last layer stays float32)."""
    output_layer = model.layers[-1]

    def mixed_layer(layer: Any) -> Any:
        config = layer.get_config()
        # The logit and normalisation statistics stay in float32 for numerical safety.
        if layer is not output_layer and not isinstance(layer, keras.layers.BatchNormalization):
            config["dtype"] = "mixed_float16"
        return layer.__class__.from_config(config)

    try:
        clone = keras.models.clone_model(model, clone_function=mixed_layer)
        clone.set_weights(model.get_weights())
    except Exception:  # subclassed models cannot be cloned; they stay in float32
        logger.warning("model cannot be cloned to mixed precision; serving it in float32")
        return model, "float32"
    return clone, "mixed_float16"

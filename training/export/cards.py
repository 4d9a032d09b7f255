"""Model cards: the JSON one the inference service reads, written beside the model file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.inference.detectors.calibration import Calibration, Thresholds
from services.inference.detectors.lowlevel.card import (
    InputSpec,
    ModelCard,
    card_path_for,
    sha256_of,
)

INTENDED_USE = (
    "A first, pixel-level signal of whether an image was made or re-synthesised by a generator "
    "network, to be combined with provenance and other signals and read with its uncertain band."
)
LIMITATIONS = [
    "Not validated on the outputs of current commercial generators (Midjourney, DALL-E, "
    "GPT-4o/ChatGPT, Firefly, Stable Diffusion, FLUX, Gemini); see the corpus metrics for what "
    "was measured.",
    "The default recipe trains on packaged photos and renders as real and, as generated, on "
    "the same photos passed through small simulated autoencoders, Real-ESRGAN upsamplers and a "
    "CycleGAN (aligned pairs) and on about a hundred generator stills: it looks for pixel-level "
    "generator "
    "traces, not semantic implausibility.",
    "Resampling (upscaling in particular), strong blur and heavy JPEG compression remove or mimic "
    "the traces it relies on; check the robustness rows.",
    "Partial edits (inpainting, face swaps) cover only some crops and are diluted by the mean.",
]


def build_card(
    *,
    model_path: Path,
    crop: int,
    max_crops: int,
    temperature: float,
    thresholds: Thresholds,
    metrics: dict[str, Any],
    training: dict[str, Any],
) -> ModelCard:
    """The card for a saved model file, hashing the file as it is now."""
    return ModelCard(
        name=model_path.name.split(".")[0],
        file=model_path.name,
        sha256=sha256_of(model_path),
        created=datetime.now(UTC),
        input=InputSpec(crop_size=crop, max_crops=max_crops),
        calibration=Calibration(temperature=temperature),
        thresholds=thresholds,
        metrics=metrics,
        training=training,
        intended_use=INTENDED_USE,
        limitations=LIMITATIONS,
    )


def write_card(card: ModelCard, *, model_path: Path) -> Path:
    """Write the JSON card where the service looks for it."""
    path = card_path_for(model_path)
    path.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def read_card(model_path: Path) -> ModelCard:
    """The JSON card beside a model file."""
    return ModelCard.model_validate_json(card_path_for(model_path).read_text(encoding="utf-8"))

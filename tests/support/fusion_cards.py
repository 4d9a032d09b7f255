"""Fusion cards for self-check tests: the bundled one altered, or as it was before the check."""

from __future__ import annotations

from pathlib import Path

from services.inference.detectors.fusion import FusionCard

SELF_CHECK_FAILED = "urn:deepcatcher:problem:self-check-failed"
BUNDLED_MODEL = Path("models/deepcatcher-default.keras")
BUNDLED_CARD = Path("models/deepcatcher-fusion.json")


def altered_card(folder: Path, *, view: str, by: float = 0.5, source: Path = BUNDLED_CARD) -> Path:
    """A fusion card with the first reference input's figures for `view` changed: its score
    moved by `by`, and its tower features (if any) those of the second input."""
    card = FusionCard.read(source)
    assert card.self_check is not None
    first, second = card.self_check.inputs[0], card.self_check.inputs[1]
    if view == "fused":
        first.fused = min(first.fused + by, 1.0)
    else:
        figures = first.views[view]
        figures.score = min(figures.score + by, 1.0)
        figures.features = second.views[view].features
    path = folder / "altered-fusion.json"
    path.write_text(card.model_dump_json(indent=2))
    return path


def card_without_self_check(folder: Path) -> Path:
    """The bundled fusion card as it was before the self-check: no figures recorded."""
    card = FusionCard.read(BUNDLED_CARD).model_copy(update={"self_check": None})
    path = folder / "old-fusion.json"
    path.write_text(card.model_dump_json(indent=2, exclude={"self_check"}))
    return path

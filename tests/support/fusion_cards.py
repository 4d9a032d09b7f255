"""Fusion cards for tests: the bundled one altered, as it was before the self-check, or with a
head on the class token."""

from __future__ import annotations

from pathlib import Path

from services.inference.detectors.fusion import FusionCard
from services.inference.detectors.semantic.card import LinearHead

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


def class_token_card(folder: Path) -> Path:
    """The bundled card with a flat head on the class token (768 numbers), which any numerics
    can run, and no self-check figures."""
    card = FusionCard.read(BUNDLED_CARD)
    head = LinearHead(mean=[0.0] * 768, scale=[1.0] * 768, coef=[0.0] * 768, intercept=0.0)
    semantic = card.semantic.model_copy(update={"feature": "class_token", "head": head})
    path = folder / "class-token-fusion.json"
    changed = card.model_copy(update={"semantic": semantic, "self_check": None})
    path.write_text(changed.model_dump_json(indent=2, exclude={"self_check"}))
    return path

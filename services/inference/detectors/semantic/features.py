"""From backbone outputs to the head's input: which slice, normalised how."""

from __future__ import annotations

import numpy as np

from services.inference.detectors.semantic.identity import BackboneError

EMBEDDING = slice(0, 512)
CLASS_TOKEN = slice(512, 1280)
TOWER_FEATURES = 1280
ENCODER_BLOCKS = 12
TOKEN_WIDTH = 768
# A layered tower (the FP32 graph with every block's class token) appends them after the rest.
LAYER_TOKENS = slice(TOWER_FEATURES, TOWER_FEATURES + ENCODER_BLOCKS * TOKEN_WIDTH)
# The later half of the blocks alone: the earlier ones read the low-level texture that a scan or a
# phone's noise pipeline replaces, so heads on them call noisy AI images real more often.
LATE_BLOCKS = 6
LATE_LAYER_TOKENS = slice(LAYER_TOKENS.stop - LATE_BLOCKS * TOKEN_WIDTH, LAYER_TOKENS.stop)
FEATURES = {
    "embedding": EMBEDDING,
    "class_token": CLASS_TOKEN,
    "layer_tokens": LAYER_TOKENS,
    "late_layer_tokens": LATE_LAYER_TOKENS,
}
LAYERED = frozenset({"layer_tokens", "late_layer_tokens"})


def needs_layers(feature: str) -> bool:
    """Whether the head reads every block's class token, which only a layered tower gives."""
    return feature in LAYERED


def features_within(*, width: int) -> dict[str, slice]:
    """The named features a feature row of `width` numbers holds."""
    return {name: columns for name, columns in FEATURES.items() if columns.start < width}


def head_input(features: np.ndarray, *, feature: str) -> np.ndarray:
    """The named feature of each row; CLIP embeddings are compared on the unit sphere."""
    chosen = features[:, FEATURES[feature]]
    if chosen.shape[1] != FEATURES[feature].stop - FEATURES[feature].start:
        raise BackboneError(f"the head reads {feature}, which this tower's features do not hold")
    if feature == "embedding":
        return np.asarray(chosen / np.linalg.norm(chosen, axis=1, keepdims=True))
    return np.asarray(chosen)

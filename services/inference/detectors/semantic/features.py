"""From backbone outputs to the head's input: which slice, normalised how."""

from __future__ import annotations

import numpy as np

EMBEDDING = slice(0, 512)
CLASS_TOKEN = slice(512, 1280)
FEATURES = {"embedding": EMBEDDING, "class_token": CLASS_TOKEN}


def head_input(features: np.ndarray, *, feature: str) -> np.ndarray:
    """The named feature of each row; CLIP embeddings are compared on the unit sphere."""
    chosen = features[:, FEATURES[feature]]
    if feature == "embedding":
        return np.asarray(chosen / np.linalg.norm(chosen, axis=1, keepdims=True))
    return np.asarray(chosen)
